//! Looking back: the "since last meeting" page and the board as of a day.

use crate::domain::history::{AsOfPage, SincePage};
use crate::domain::ids::PipelineId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

#[server(endpoint = "since", input = Json, output = Postcard)]
pub async fn load_since(
    pipeline: Option<PipelineId>,
    since: Option<String>,
) -> Result<SincePage, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let since = since.as_deref();
            crate::ssr::ops::history::page(&state.db, &user, pipeline, since, chrono::Utc::now())
                .await
        }
        .await,
    )
}

/// The board of a pipeline (the first when none is named) as it stood at the end of a
/// day (today when none is named).
#[server(endpoint = "board_as_of", input = Json, output = Postcard)]
pub async fn load_as_of(
    pipeline: Option<PipelineId>,
    day: Option<String>,
) -> Result<AsOfPage, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let day = day.as_deref();
            crate::ssr::ops::history::as_of_page(
                &state.db,
                &user,
                pipeline,
                day,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}
