//! Forecasts: the board's widgets, the forecast page and its goals.

use crate::domain::display::Period;
use crate::domain::forecast::ForecastPage;
use crate::domain::goal::GoalDraft;
use crate::domain::ids::{PipelineId, UserId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

/// This month's and this quarter's forecast for a board (one owner's, or the team's).
#[server(endpoint = "forecast_widgets", input = Json, output = Postcard)]
pub async fn load_widgets(
    pipeline: PipelineId,
    owner: Option<UserId>,
) -> Result<Vec<Period>, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::forecast::widgets(
                &state.db,
                &user,
                pipeline,
                owner,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// What the board's what-if mode figures from (see `domain::what_if`).
#[server(endpoint = "what_if_model", input = Json, output = Postcard)]
pub async fn load_what_if(
    pipeline: PipelineId,
    owner: Option<UserId>,
) -> Result<crate::domain::what_if::Model, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::forecast::what_if(
                &state.db,
                &user,
                pipeline,
                owner,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// The forecast page for a pipeline (the first when none is named), by month or
/// quarter, for the team or one owner.
#[server(endpoint = "forecast_page", input = Json, output = Postcard)]
pub async fn load_forecast(
    pipeline: Option<PipelineId>,
    period: Option<String>,
    owner: Option<UserId>,
) -> Result<ForecastPage, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::forecast::page(
                &state.db,
                &user,
                pipeline,
                period.as_deref(),
                owner,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Sets a goal (admins only).
#[server(endpoint = "save_goal", input = Json, output = Postcard)]
pub async fn save_goal(pipeline: PipelineId, goal: GoalDraft) -> Result<(), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let now = chrono::Utc::now();
            crate::ssr::ops::forecast::set_goal(&state.db, &user, pipeline, &goal, now)
                .await
                .map(|_| ())
        }
        .await,
    )
}

/// Removes a goal (admins only): the one for the draft's owner, period and currency.
#[server(endpoint = "remove_goal", input = Json, output = Postcard)]
pub async fn remove_goal(pipeline: PipelineId, goal: GoalDraft) -> Result<(), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let now = chrono::Utc::now();
            crate::ssr::ops::forecast::clear_goal(&state.db, &user, pipeline, &goal, now).await
        }
        .await,
    )
}
