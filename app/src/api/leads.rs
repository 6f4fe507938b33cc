//! Leads: the inbox, capture, qualify and discard.

use crate::domain::ids::{DealId, LeadId};
use crate::domain::lead::{CapturePage, Lead, LeadDraft, LeadsPage, Qualification};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

/// The inbox in one state (`new` when none is named).
#[server(endpoint = "leads", input = Json, output = Postcard)]
pub async fn load_leads(status: Option<String>) -> Result<LeadsPage, AppError> {
    use super::context::{caller, settle};
    use crate::domain::lead::LeadStatus;
    settle(
        async {
            let (state, user) = caller().await?;
            let status = match status.as_deref().filter(|s| !s.is_empty()) {
                Some(s) => LeadStatus::parse(s)?,
                None => LeadStatus::New,
            };
            crate::ssr::ops::leads::page(&state.db, &user, status, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "capture_page", input = Json, output = Postcard)]
pub async fn load_capture() -> Result<CapturePage, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::leads::capture_page(&state.db, &user).await
        }
        .await,
    )
}

/// Captures a lead; `value_text` is the value as typed, in major units ("12 500,50").
#[server(endpoint = "capture_lead", input = Json, output = Postcard)]
pub async fn capture_lead(draft: LeadDraft, value_text: String) -> Result<Lead, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let mut draft = draft;
            draft.value = major_value(&value_text, draft.currency.as_deref())?;
            crate::ssr::ops::leads::capture(&state.db, &user, draft, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Qualifies a lead into a deal and answers with the deal's id.
#[server(endpoint = "qualify_lead", input = Json, output = Postcard)]
pub async fn qualify_lead(
    id: LeadId,
    q: Qualification,
    value_text: String,
) -> Result<DealId, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let mut q = q;
            q.value = major_value(&value_text, q.currency.as_deref())?;
            let done = crate::ssr::ops::leads::qualify(&state.db, &user, id, q, chrono::Utc::now())
                .await?;
            state.hub.wake();
            Ok(done.deal.deal.id)
        }
        .await,
    )
}

#[server(endpoint = "discard_lead", input = Json, output = Postcard)]
pub async fn discard_lead(id: LeadId, reason: String) -> Result<Lead, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::leads::discard(&state.db, &user, id, &reason, chrono::Utc::now()).await
        }
        .await,
    )
}

/// A value typed in major units, read in its currency; blank means none.
#[cfg(feature = "ssr")]
fn major_value(text: &str, currency: Option<&str>) -> Result<Option<i64>, AppError> {
    use crate::domain::money::{Currency, Money};
    if text.trim().is_empty() {
        return Ok(None);
    }
    let currency = currency
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| AppError::invalid("currency", "is required with a value"))?;
    Ok(Some(
        Money::parse_major(text, Currency::parse(currency)?)?.minor,
    ))
}
