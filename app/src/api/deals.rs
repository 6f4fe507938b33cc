//! The board and deals.

use crate::domain::board::BoardPage;
use crate::domain::deal::{Deal, DealChange, DealDraft, Saved};
use crate::domain::event::DealEvent;
use crate::domain::ids::{DealId, PipelineId, UserId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

// The board's answers are postcard, not JSON: decoding them takes far less wasm code.
#[server(endpoint = "board", input = Json, output = Postcard)]
pub async fn load_board(
    pipeline: Option<PipelineId>,
    owner: Option<UserId>,
    q: String,
) -> Result<BoardPage, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::board::board_page(
                &state.db,
                &user,
                pipeline,
                owner,
                &q,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// A deal, its history, and what the deal page needs to edit it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DealPage {
    pub deal: Deal,
    pub history: Vec<DealEvent>,
    pub pipeline: crate::domain::pipeline::Pipeline,
    pub users: Vec<crate::domain::user::User>,
    pub lost_reasons: Vec<String>,
    pub organization: Option<String>,
    pub person: Option<String>,
    pub me: crate::domain::user::User,
    /// The event log's head when the page was read: its live stream starts there.
    pub position: i64,
}

#[server(endpoint = "deal_page", input = Json)]
pub async fn load_deal(id: DealId) -> Result<DealPage, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::{db, ops};
    settle(
        async {
            let (state, user) = caller().await?;
            // Read first: whatever lands after it reaches the page live.
            let position = {
                let mut tx = state.db.read().await?;
                db::deal_events::position(&mut tx).await?
            };
            let deal = ops::deals::get(&state.db, &user, id).await?;
            let history = ops::deals::history(&state.db, &user, id).await?;
            let mut tx = state.db.read().await?;
            let pipeline = db::pipelines::find(&mut tx, deal.pipeline_id)
                .await?
                .ok_or_else(|| AppError::NotFound("The pipeline".into()))?;
            let organization = match deal.organization_id {
                Some(o) => db::organizations::name(&mut tx, o).await?,
                None => None,
            };
            let person = match deal.person_id {
                Some(p) => db::persons::find(&mut tx, p).await?.map(|p| p.name),
                None => None,
            };
            Ok(DealPage {
                users: db::users::list(&mut tx).await?,
                lost_reasons: db::lost_reasons::list(&mut tx).await?,
                deal,
                history,
                pipeline,
                organization,
                person,
                me: user,
                position,
            })
        }
        .await,
    )
}

#[server(endpoint = "create_deal", input = Json, output = Postcard)]
pub async fn create_deal(draft: DealDraft, value_text: Option<String>) -> Result<Saved, AppError> {
    use super::context::{caller, settle};
    use crate::domain::money::{Currency, Money};
    settle(
        async {
            let (state, user) = caller().await?;
            let mut draft = draft;
            if let Some(text) = value_text {
                draft.value = Money::parse_major(&text, Currency::parse(&draft.currency)?)?.minor;
            }
            let done =
                crate::ssr::ops::deals::create(&state.db, &user, draft, chrono::Utc::now()).await?;
            state.hub.wake();
            Ok(Saved::new(done.deal, done.event))
        }
        .await,
    )
}

#[server(endpoint = "change_deal", input = Json, output = Postcard)]
pub async fn change_deal(id: DealId, version: i64, change: DealChange) -> Result<Saved, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let done = crate::ssr::ops::deals::change(
                &state.db,
                &user,
                id,
                version,
                change,
                chrono::Utc::now(),
            )
            .await?;
            state.hub.wake();
            Ok(Saved::new(done.deal, done.event))
        }
        .await,
    )
}
