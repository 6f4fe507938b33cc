//! Forecasts: the board's widgets.

use crate::domain::display::Period;
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
