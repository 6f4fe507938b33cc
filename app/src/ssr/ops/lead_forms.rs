//! Web forms: admins make them (a page or `tend form create`), websites post leads
//! through them into the inbox.

use super::Operator;
use crate::domain::event::instant;
use crate::domain::lead::{Lead, LeadEventKind};
use crate::domain::lead_form::{LeadForm, Refused, Submission};
use crate::error::{AppError, AppResult};
use crate::ssr::auth::new_secret;
use crate::ssr::db::{lead_events, lead_forms, leads, Db};
use chrono::{DateTime, Utc};

/// Makes a form that gives its leads `source`; its key is new and random.
pub async fn create(
    db: &Db,
    operator: Operator<'_>,
    name: &str,
    source: &str,
    redirect_url: Option<&str>,
    at: DateTime<Utc>,
) -> AppResult<LeadForm> {
    operator.require_admin()?;
    let form = LeadForm::new(name, source, redirect_url, new_secret("tf_"), instant(at))?;
    let mut tx = db.write().await?;
    lead_forms::insert(&mut tx, &form).await?;
    tx.commit().await?;
    Ok(form)
}

pub async fn list(db: &Db, operator: Operator<'_>) -> AppResult<Vec<LeadForm>> {
    operator.require_admin()?;
    let mut tx = db.read().await?;
    lead_forms::list(&mut tx).await
}

/// Stops the form named by its key or name: its posts are refused from now on.
pub async fn revoke(
    db: &Db,
    operator: Operator<'_>,
    key_or_name: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    operator.require_admin()?;
    let mut tx = db.write().await?;
    if !lead_forms::revoke(&mut tx, key_or_name.trim(), instant(at)).await? {
        return Err(AppError::NotFound(format!("A live form “{key_or_name}”")));
    }
    tx.commit().await
}

/// The form at `key`, while it takes leads.
pub async fn live_form(db: &Db, key: &str) -> AppResult<LeadForm> {
    let mut tx = db.read().await?;
    lead_forms::by_key(&mut tx, key)
        .await?
        .filter(|f| f.revoked_at.is_none())
        .ok_or_else(|| AppError::NotFound("This form".into()))
}

/// Keeps what a website's visitor sent through `form` as a new lead, unassigned, with
/// the form's source and the visitor's campaign, and logs `captured` (by nobody).
pub async fn submit(
    db: &Db,
    form: &LeadForm,
    sent: Submission,
    at: DateTime<Utc>,
) -> AppResult<Lead> {
    let at = instant(at);
    let (draft, utm) = sent.read(form, at).map_err(|r| match r {
        Refused::Honeypot => AppError::invalid(
            "homepage",
            "This looks like an automatic submission, so it was not kept.",
        ),
        Refused::TooFast => AppError::invalid(
            "started",
            "The form was sent too soon after it was shown, or from a page open for a \
             day. Please send it again.",
        ),
        Refused::Invalid(e) => e.into(),
    })?;
    let mut lead = draft.parse(None, at)?;
    lead.form_id = Some(form.id);
    lead.utm_source = utm.source;
    lead.utm_medium = utm.medium;
    lead.utm_campaign = utm.campaign;
    lead.utm_term = utm.term;
    lead.utm_content = utm.content;
    let mut tx = db.write().await?;
    leads::insert(&mut tx, &lead).await?;
    let captured = LeadEventKind::Captured {
        source: lead.source.clone(),
    };
    lead_events::append(&mut tx, lead.id, at, None, &captured).await?;
    tx.commit().await?;
    Ok(lead)
}
