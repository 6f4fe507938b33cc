//! Looking back: the "since last meeting" page.

use crate::domain::history::SincePage;
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
