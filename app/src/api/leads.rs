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
            let lead = crate::ssr::ops::leads::capture(&state.db, &user, draft, chrono::Utc::now())
                .await?;
            state.hub.wake();
            Ok(lead)
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
            let lead =
                crate::ssr::ops::leads::discard(&state.db, &user, id, &reason, chrono::Utc::now())
                    .await?;
            state.hub.wake();
            Ok(lead)
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

/// The web forms, for admins, each with the HTML to paste into a website (posting to
/// Tend's public address, else to the address this page was asked for at).
#[server(endpoint = "lead_forms", input = Json, output = Postcard)]
pub async fn list_lead_forms() -> Result<Vec<(crate::domain::lead_form::LeadForm, String)>, AppError>
{
    use super::context::{caller, request, settle};
    use crate::ssr::ops::{lead_forms, Operator};
    settle(
        async {
            let (state, user) = caller().await?;
            let origin = match &state.site.public_origin {
                Some(origin) => origin.clone(),
                None => {
                    let host = request()?
                        .headers
                        .get(axum::http::header::HOST)
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or("127.0.0.1:3000")
                        .to_string();
                    let scheme = if state.site.is_https() {
                        "https"
                    } else {
                        "http"
                    };
                    format!("{scheme}://{host}")
                }
            };
            let forms = lead_forms::list(&state.db, Operator::User(&user)).await?;
            Ok(forms
                .into_iter()
                .map(|f| {
                    let snippet = f.snippet(&origin);
                    (f, snippet)
                })
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "create_lead_form", input = Json, output = Postcard)]
pub async fn create_lead_form(
    name: String,
    source: String,
    redirect_url: String,
) -> Result<crate::domain::lead_form::LeadForm, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::{lead_forms, Operator};
    settle(
        async {
            let (state, user) = caller().await?;
            let redirect = Some(redirect_url.as_str()).filter(|r| !r.trim().is_empty());
            let name = if name.trim().is_empty() {
                &source
            } else {
                &name
            };
            lead_forms::create(
                &state.db,
                Operator::User(&user),
                name,
                &source,
                redirect,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "revoke_lead_form", input = Json, output = Postcard)]
pub async fn revoke_lead_form(key: String) -> Result<(), AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::{lead_forms, Operator};
    settle(
        async {
            let (state, user) = caller().await?;
            lead_forms::revoke(&state.db, Operator::User(&user), &key, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "discard_reasons", input = Json, output = Postcard)]
pub async fn list_discard_reasons() -> Result<Vec<String>, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::leads::discard_reasons(&state.db, &user).await
        }
        .await,
    )
}

/// Adds a reason to discard leads for (`add`), or removes one.
#[server(endpoint = "change_discard_reason", input = Json, output = Postcard)]
pub async fn change_discard_reason(label: String, add: bool) -> Result<(), AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::leads;
    settle(
        async {
            let (state, user) = caller().await?;
            match add {
                true => leads::add_discard_reason(&state.db, &user, &label).await,
                false => leads::remove_discard_reason(&state.db, &user, &label).await,
            }
        }
        .await,
    )
}

/// Leads kept already that are likely the person being captured.
#[server(endpoint = "likely_duplicates", input = Json, output = Postcard)]
pub async fn likely_duplicates(
    name: String,
    company: String,
    email: String,
    phone: String,
) -> Result<Vec<crate::domain::lead::Duplicate>, AppError> {
    use super::context::{caller, settle};
    use crate::domain::duplicate::Contact;
    settle(
        async {
            let (state, user) = caller().await?;
            fn some(s: &str) -> Option<&str> {
                Some(s.trim()).filter(|s| !s.is_empty())
            }
            // Bounded before anything is looked up: these are compared, not kept.
            if [&name, &company, &email, &phone]
                .iter()
                .any(|f| f.len() > 1000)
            {
                return Err(AppError::invalid("name", "is too long"));
            }
            let who = Contact {
                name: name.trim(),
                company: some(&company),
                email: some(&email),
                phone: some(&phone),
            };
            crate::ssr::ops::leads::duplicates(&state.db, &user, &who).await
        }
        .await,
    )
}

/// Adds what is being captured to the lead `id` instead of keeping a new lead.
#[server(endpoint = "add_to_lead", input = Json, output = Postcard)]
pub async fn add_to_lead(
    id: LeadId,
    draft: LeadDraft,
    value_text: String,
) -> Result<Lead, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let mut draft = draft;
            draft.value = major_value(&value_text, draft.currency.as_deref())?;
            let lead =
                crate::ssr::ops::leads::add_to(&state.db, &user, id, draft, chrono::Utc::now())
                    .await?;
            state.hub.wake();
            Ok(lead)
        }
        .await,
    )
}

/// Qualifies, discards or assigns several leads at once; answers how many.
#[server(endpoint = "bulk_leads", input = Json, output = Postcard)]
pub async fn bulk_leads(
    ids: Vec<LeadId>,
    action: crate::domain::lead::Bulk,
) -> Result<usize, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let done =
                crate::ssr::ops::leads::bulk(&state.db, &user, ids, action, chrono::Utc::now())
                    .await?;
            state.hub.wake();
            Ok(done.leads)
        }
        .await,
    )
}

/// After how many untouched days a new lead is flagged in the inbox.
#[server(endpoint = "lead_untouched_days", input = Json, output = Postcard)]
pub async fn lead_untouched_days() -> Result<i64, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::leads::untouched_days(&state.db, &user).await
        }
        .await,
    )
}

/// Sets after how many untouched days a new lead is flagged (admins only).
#[server(endpoint = "set_lead_untouched_days", input = Json, output = Postcard)]
pub async fn set_lead_untouched_days(days: i64) -> Result<(), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::leads::set_untouched_days(&state.db, &user, days).await
        }
        .await,
    )
}
