//! Meeting-room screens: what a screen loads with its link, and the admin's calls to
//! make, list and revoke links.

use crate::domain::display::{Cue, Display, Figures, Presentable, Screen};
use crate::domain::ids::DisplayId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

/// What the screen of a display link shows. The link's secret is the credential: no
/// user is signed in on a meeting-room screen.
#[server(endpoint = "tv_screen", input = Json, output = Postcard)]
pub async fn load_screen(token: String) -> Result<Screen, AppError> {
    use super::context::{settle, state};
    settle(
        async {
            let state = state()?;
            crate::ssr::ops::displays::screen(&state.db, &token, chrono::Utc::now()).await
        }
        .await,
    )
}

/// The numbers and the leaderboard again, after a change.
#[server(endpoint = "tv_figures", input = Json, output = Postcard)]
pub async fn load_figures(token: String) -> Result<Figures, AppError> {
    use super::context::{settle, state};
    settle(
        async {
            let state = state()?;
            crate::ssr::ops::displays::screen_figures(&state.db, &token, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "displays")]
pub async fn list_displays() -> Result<Vec<Display>, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::{displays, Operator};
    settle(
        async {
            let (state, user) = caller().await?;
            displays::list(&state.db, Operator::User(&user)).await
        }
        .await,
    )
}

/// Makes a link; answers with its path (`/tv/…`), shown this once.
#[server(endpoint = "create_display", input = Json)]
pub async fn create_display(
    name: String,
    pipeline: String,
    scenes: String,
    seconds_per_scene: i64,
) -> Result<String, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::{displays, Operator};
    settle(
        async {
            let (state, user) = caller().await?;
            let new = displays::NewDisplay {
                name: &name,
                pipeline: &pipeline,
                scenes: &scenes,
                seconds_per_scene,
            };
            let (_, secret) =
                displays::create(&state.db, Operator::User(&user), new, chrono::Utc::now()).await?;
            Ok(format!("/tv/{secret}"))
        }
        .await,
    )
}

#[server(endpoint = "revoke_display", input = Json)]
pub async fn revoke_display(id: String) -> Result<(), AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::{displays, Operator};
    settle(
        async {
            let (state, user) = caller().await?;
            displays::revoke(&state.db, Operator::User(&user), &id, chrono::Utc::now())
                .await
                .map(|_| ())
        }
        .await,
    )
}

/// The live screens the caller can drive.
#[server(endpoint = "presentable")]
pub async fn list_presentable() -> Result<Vec<Presentable>, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::displays::presentable(&state.db, &user).await
        }
        .await,
    )
}

/// A presenter's cue to a screen: next or previous scene, pause, resume, focus a stage.
#[server(endpoint = "present", input = Json)]
pub async fn present(display: DisplayId, cue: Cue) -> Result<(), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::displays::present(&state.db, &state.hub, &user, display, cue).await
        }
        .await,
    )
}
