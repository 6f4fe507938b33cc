//! Server functions, one file per feature. Each is thin: establish the caller, call one
//! op, return. Errors carry their HTTP status.

pub mod auth;
pub mod contacts;
pub mod deals;
pub mod displays;
pub mod forecast;
pub mod history;
pub mod imports;
pub mod leads;
pub mod pipelines;
pub mod stats;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::domain::user::User;
    use crate::error::{AppError, AppResult};
    use crate::ssr::ops;
    use crate::ssr::state::AppState;
    use leptos::prelude::*;

    pub fn state() -> AppResult<AppState> {
        use_context::<AppState>().ok_or_else(|| AppError::Internal("no state".into()))
    }

    /// The signed-in user making this request, with the app state.
    pub async fn caller() -> AppResult<(AppState, User)> {
        let state = state()?;
        let parts = request()?;
        let token = state
            .cookies
            .token(&parts.headers)
            .ok_or(AppError::Unauthenticated)?;
        let user = ops::auth::session_user(&state.db, &token, chrono::Utc::now()).await?;
        Ok((state, user))
    }

    /// The request being answered.
    pub fn request() -> AppResult<axum::http::request::Parts> {
        use_context::<axum::http::request::Parts>()
            .ok_or_else(|| AppError::Internal("no request".into()))
    }

    /// The response being prepared, for its headers.
    pub fn response() -> AppResult<leptos_axum::ResponseOptions> {
        use_context::<leptos_axum::ResponseOptions>()
            .ok_or_else(|| AppError::Internal("no response".into()))
    }

    /// Gives an error its HTTP status on the way out.
    pub fn settle<T>(result: AppResult<T>) -> AppResult<T> {
        if let Err(e) = &result {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(
                    axum::http::StatusCode::from_u16(e.status())
                        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
        result
    }
}
