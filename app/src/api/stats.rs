//! Statistics: the reports page.

use crate::domain::ids::{PipelineId, UserId};
use crate::domain::stats::ReportsPage;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

/// The reports page for a pipeline (the first when none is named) over a period (the
/// last 90 days when none is named), for one owner and lead source or all.
#[server(endpoint = "reports_page", input = Json, output = Postcard)]
pub async fn load_reports(
    pipeline: Option<PipelineId>,
    from: Option<String>,
    to: Option<String>,
    owner: Option<UserId>,
    lead_source: Option<String>,
) -> Result<ReportsPage, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::stats::{page, Asked};
    settle(
        async {
            let (state, user) = caller().await?;
            let asked = Asked {
                pipeline,
                from: from.as_deref(),
                to: to.as_deref(),
                owner,
                lead_source: lead_source.as_deref(),
            };
            page(&state.db, &user, &asked, chrono::Utc::now()).await
        }
        .await,
    )
}
