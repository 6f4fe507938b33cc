//! Signing in and out, and who is signed in.

use crate::domain::user::User;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<User>, AppError> {
    use super::context::{caller, settle};
    match caller().await {
        Ok((_, user)) => Ok(Some(user)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => settle(Err(e)),
    }
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use super::context::{request, response, settle, state};
    use crate::ssr::{auth::ClientAddr, ops};
    settle(
        async {
            let state = state()?;
            let parts = request()?;
            let previous = state.cookies.token(&parts.headers);
            let attempt = ops::auth::SignIn {
                email: &email,
                password: &password,
                address: ClientAddr::of(&parts.extensions),
                previous: previous.as_deref(),
            };
            let (_, secret) = ops::auth::sign_in(
                &state.db,
                &state.sign_in_throttle,
                attempt,
                chrono::Utc::now(),
            )
            .await?;
            let res = response()?;
            let cookie = state.cookies.session(&secret);
            res.insert_header(
                axum::http::header::SET_COOKIE,
                axum::http::HeaderValue::from_str(&cookie).map_err(|e| AppError::internal(&e))?,
            );
            leptos_axum::redirect("/board");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::context::{request, response, settle, state};
    use crate::ssr::ops;
    settle(
        async {
            let state = state()?;
            let parts = request()?;
            if let Some(token) = state.cookies.token(&parts.headers) {
                ops::auth::sign_out(&state.db, &token).await?;
            }
            let res = response()?;
            let cookie = state.cookies.cleared();
            res.insert_header(
                axum::http::header::SET_COOKIE,
                axum::http::HeaderValue::from_str(&cookie).map_err(|e| AppError::internal(&e))?,
            );
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Whether nobody can sign in yet, so the sign-in page can say how to make the first
/// admin. Reveals nothing else.
#[server(endpoint = "needs_first_user")]
pub async fn needs_first_user() -> Result<bool, AppError> {
    use super::context::{settle, state};
    settle(
        async {
            let state = state()?;
            Ok(crate::ssr::ops::auth::user_count(&state.db).await? == 0)
        }
        .await,
    )
}
