//! Leads: capturing them into the inbox, and qualifying or discarding them. Each is
//! one transaction that also appends to the lead's log; qualifying makes the deal (and
//! its organization and person) in the same transaction, so a lead is never half
//! qualified.

use super::deals::{self as deal_ops, missing, Changed};
use super::require_admin;
use crate::domain::contact::PersonDraft;
use crate::domain::deal::NewDeal;
use crate::domain::duplicate::{alike, Contact};
use crate::domain::event::instant;
use crate::domain::ids::{DealId, LeadId, OrganizationId, PersonId, PipelineId, UserId};
use crate::domain::lead::{
    bulk_ids, sources_of, Bulk, CapturePage, DiscardReason, Duplicate, Lead, LeadDraft, LeadEvent,
    LeadEventKind, LeadStatus, LeadsPage, Qualification,
};
use crate::domain::pipeline::Stage;
use crate::domain::user::User;
use crate::domain::validation::FieldError;
use crate::error::{AppError, AppResult};
use crate::ssr::db::leads::LeadFilter;
use crate::ssr::db::{
    discard_reasons, lead_events, leads, persons, pipelines, settings, users, Db, Tx,
};
use chrono::{DateTime, Utc};

/// Whether `caller` may see lead `id`: everyone signed in sees every lead today (as
/// with deals); the API and the pages both ask here.
pub fn can_see(_caller: &User, _id: LeadId) -> bool {
    true
}

/// Puts a new lead in the inbox, assigned to whoever captured it, and logs
/// `captured`. A lead whose id is already kept is returned as kept: a capture sent
/// twice (a phone that retried) is stored once.
pub async fn capture(
    db: &Db,
    caller: &User,
    draft: LeadDraft,
    at: DateTime<Utc>,
) -> AppResult<Lead> {
    let at = instant(at);
    let lead = draft.parse(Some(caller.id), at)?;
    let mut tx = db.write().await?;
    if !leads::insert(&mut tx, &lead).await? {
        return found(leads::find(&mut tx, lead.id).await?);
    }
    let captured = LeadEventKind::Captured {
        source: lead.source.clone(),
    };
    lead_events::append(&mut tx, lead.id, at, Some(caller.id), &captured).await?;
    tx.commit().await?;
    Ok(lead)
}

/// How many likely duplicates are shown at most.
pub const DUPLICATES_SHOWN: usize = 5;

/// Leads kept already that are likely the person in `who`, the likeliest first (the
/// same email, then phone, then a very similar name), newest first within each.
pub async fn duplicates(db: &Db, caller: &User, who: &Contact<'_>) -> AppResult<Vec<Duplicate>> {
    let mut tx = db.read().await?;
    let mut found: Vec<Duplicate> = leads::candidates(&mut tx, who)
        .await?
        .into_iter()
        .filter(|l| can_see(caller, l.id))
        .filter_map(|lead| alike(who, &lead.contact()).map(|why| Duplicate { lead, why }))
        .collect();
    found.sort_by_key(|d| d.why);
    found.truncate(DUPLICATES_SHOWN);
    Ok(found)
}

/// Adds a second capture of the same person to the lead `id` (still in the inbox)
/// instead of keeping a new lead, and logs what it filled.
pub async fn add_to(
    db: &Db,
    caller: &User,
    id: LeadId,
    draft: LeadDraft,
    at: DateTime<Utc>,
) -> AppResult<Lead> {
    let at = instant(at);
    let more = draft.parse(Some(caller.id), at)?;
    let mut tx = db.write().await?;
    let mut lead = found(leads::find(&mut tx, id).await?)?;
    let read = lead.version;
    let event = lead.amend(more, at)?;
    if !leads::amend(&mut tx, &lead, read).await? {
        return Err(AppError::Conflict(
            "Someone else dealt with this lead since you loaded it. Reload to see what they did."
                .into(),
        ));
    }
    lead_events::append(&mut tx, lead.id, at, Some(caller.id), &event).await?;
    tx.commit().await?;
    Ok(lead)
}

pub async fn get(db: &Db, caller: &User, id: LeadId) -> AppResult<Lead> {
    let mut tx = db.read().await?;
    found(
        leads::find(&mut tx, id)
            .await?
            .filter(|l| can_see(caller, l.id)),
    )
}

/// The lead's log, oldest first.
pub async fn history(db: &Db, caller: &User, id: LeadId) -> AppResult<Vec<LeadEvent>> {
    let mut tx = db.read().await?;
    found(
        leads::find(&mut tx, id)
            .await?
            .filter(|l| can_see(caller, l.id)),
    )?;
    lead_events::for_lead(&mut tx, id).await
}

pub async fn list(db: &Db, caller: &User, filter: LeadFilter) -> AppResult<Vec<Lead>> {
    let mut tx = db.read().await?;
    let mut all = leads::list(&mut tx, &filter).await?;
    all.retain(|l| can_see(caller, l.id));
    Ok(all)
}

/// The inbox page: the leads in one state, newest first (the 200 newest), with the
/// counts, the new leads per source, and what qualifying and discarding need.
pub async fn page(
    db: &Db,
    caller: &User,
    status: LeadStatus,
    now: DateTime<Utc>,
) -> AppResult<LeadsPage> {
    let mut tx = db.read().await?;
    let filter = LeadFilter {
        status: Some(status),
        source: None,
        limit: 200,
    };
    let mut shown = leads::list(&mut tx, &filter).await?;
    shown.retain(|l| can_see(caller, l.id));
    Ok(LeadsPage {
        me: caller.clone(),
        status,
        leads: shown,
        counts: leads::counts(&mut tx).await?,
        sources: sources_of(leads::new_by_source(&mut tx).await?, now),
        discard_reasons: discard_reasons::list(&mut tx).await?,
        pipelines: pipelines::list(&mut tx)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        users: users::list(&mut tx)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect(),
        untouched_days: settings::lead_untouched_days(&mut tx).await?,
        seen: lead_events::count(&mut tx).await?,
        now,
    })
}

/// How many changes to leads there have been (where an inbox's live stream stands).
pub async fn seen(db: &Db) -> AppResult<i64> {
    let mut tx = db.read().await?;
    lead_events::count(&mut tx).await
}

/// The capture page: the caller's last source and currency come preselected.
pub async fn capture_page(db: &Db, caller: &User) -> AppResult<CapturePage> {
    let mut tx = db.read().await?;
    let last = leads::last_captured_by(&mut tx, caller.id).await?;
    Ok(CapturePage {
        me: caller.clone(),
        last_source: last.as_ref().and_then(|l| l.source.clone()),
        last_currency: last.and_then(|l| l.currency),
        sources: leads::sources(&mut tx).await?,
    })
}

/// What qualifying did: the lead as it now is, and the new deal with its event.
#[derive(Clone, Debug, PartialEq)]
pub struct Qualified {
    pub lead: Lead,
    pub deal: Changed,
}

/// Makes a deal of a new lead in the first stage of a pipeline (the first pipeline
/// when none is named), with the lead's company as its organization (found by name or
/// created) and its person (found by email or created), and the lead's source.
pub async fn qualify(
    db: &Db,
    caller: &User,
    id: LeadId,
    q: Qualification,
    at: DateTime<Utc>,
) -> AppResult<Qualified> {
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut lead = found(leads::find(&mut tx, id).await?)?;
    let stage = first_stage(&mut tx, q.pipeline_id).await?;
    let deal = qualify_in(&mut tx, caller, &mut lead, &q, &stage, at).await?;
    tx.commit().await?;
    Ok(Qualified { lead, deal })
}

/// The first stage of the pipeline `id`, or of the first pipeline.
async fn first_stage(tx: &mut Tx, id: Option<PipelineId>) -> AppResult<Stage> {
    let pipeline = match id {
        Some(p) => pipelines::find(tx, p)
            .await?
            .ok_or_else(|| missing("pipeline_id"))?,
        None => pipelines::list(tx)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Refused("There is no pipeline to qualify into.".into()))?,
    };
    pipeline
        .stages
        .iter()
        .min_by_key(|s| s.position)
        .cloned()
        .ok_or_else(|| missing("pipeline_id"))
}

async fn qualify_in(
    tx: &mut Tx,
    caller: &User,
    lead: &mut Lead,
    q: &Qualification,
    stage: &Stage,
    at: DateTime<Utc>,
) -> AppResult<Changed> {
    let read = lead.version;
    let made = lead.deal_from(q, caller.id)?;
    if users::find(tx, made.owner_id).await?.is_none() {
        return Err(missing("owner_id"));
    }
    let organization_id = match &lead.company {
        Some(name) => Some(super::contacts::organization_named(tx, caller.id, name, at).await?),
        None => None,
    };
    let new = NewDeal {
        id: DealId::new(),
        title: made.title,
        value: made.value,
        stage_id: stage.id,
        owner_id: made.owner_id,
        expected_close_date: made.expected_close_date,
        probability: None,
        organization_id,
        person_id: Some(person_for(tx, caller.id, lead, organization_id, at).await?),
        lead_source: lead.source.clone(),
    };
    let deal = deal_ops::add(tx, caller.id, new, stage, at).await?;
    let event = lead.qualify(deal.deal.id, at)?;
    settle(tx, lead, read, caller, &event, at).await?;
    Ok(deal)
}

/// Takes a new lead out of the inbox for one of the listed reasons.
pub async fn discard(
    db: &Db,
    caller: &User,
    id: LeadId,
    reason: &str,
    at: DateTime<Utc>,
) -> AppResult<Lead> {
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut lead = found(leads::find(&mut tx, id).await?)?;
    let read = lead.version;
    let reason = DiscardReason::parse_from(reason, &discard_reasons::list(&mut tx).await?)?;
    let event = lead.discard(reason, at)?;
    settle(&mut tx, &lead, read, caller, &event, at).await?;
    tx.commit().await?;
    Ok(lead)
}

/// What a bulk action did: how many leads it changed, and the deals it made.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkDone {
    pub leads: usize,
    pub deals: Vec<Changed>,
}

/// Qualifies, discards or assigns several new leads in one transaction: all of them or,
/// when one cannot be (its refusal names it), none.
pub async fn bulk(
    db: &Db,
    caller: &User,
    ids: Vec<LeadId>,
    action: Bulk,
    at: DateTime<Utc>,
) -> AppResult<BulkDone> {
    let ids = bulk_ids(ids)?;
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut done = BulkDone {
        leads: 0,
        deals: Vec::new(),
    };
    let stage = match &action {
        Bulk::Qualify(q) => Some(first_stage(&mut tx, q.pipeline_id).await?),
        _ => None,
    };
    let reason = match &action {
        Bulk::Discard(r) => Some(DiscardReason::parse_from(
            r,
            &discard_reasons::list(&mut tx).await?,
        )?),
        _ => None,
    };
    if let Bulk::Assign(owner) = action {
        if users::find(&mut tx, owner).await?.is_none() {
            return Err(missing("owner_id"));
        }
    }
    for id in ids {
        let mut lead = found(leads::find(&mut tx, id).await?)?;
        let name = lead.name.clone();
        let read = lead.version;
        let step = async {
            match (&action, &stage, &reason) {
                (Bulk::Qualify(q), Some(stage), _) => {
                    // The currency asked for is for leads without one; each keeps its own.
                    let q = Qualification {
                        currency: q.currency.clone().filter(|_| lead.currency.is_none()),
                        ..q.clone()
                    };
                    let deal = qualify_in(&mut tx, caller, &mut lead, &q, stage, at).await?;
                    done.deals.push(deal);
                }
                (Bulk::Discard(_), _, Some(reason)) => {
                    let event = lead.discard(reason.clone(), at)?;
                    settle(&mut tx, &lead, read, caller, &event, at).await?;
                }
                (Bulk::Assign(owner), _, _) => {
                    if let Some(event) = lead.assign(*owner, at)? {
                        settle(&mut tx, &lead, read, caller, &event, at).await?;
                    }
                }
                _ => {}
            }
            Ok::<(), AppError>(())
        };
        step.await.map_err(|e| about(&name, e))?;
        done.leads += 1;
    }
    tx.commit().await?;
    Ok(done)
}

/// A refusal about one lead of several, saying which.
fn about(name: &str, e: AppError) -> AppError {
    match e {
        AppError::Invalid(errors) => AppError::Invalid(
            errors
                .into_iter()
                .map(|f| {
                    let said = f.to_string();
                    FieldError::new(&f.field, format!("{name}: {said}"))
                })
                .collect(),
        ),
        AppError::Refused(m) => AppError::Refused(format!("{name}: {m}")),
        other => other,
    }
}

async fn settle(
    tx: &mut Tx,
    lead: &Lead,
    read: i64,
    caller: &User,
    event: &LeadEventKind,
    at: DateTime<Utc>,
) -> AppResult<()> {
    // Under PostgreSQL's READ COMMITTED two reps can both read the lead as new; the
    // version makes the second one's change match no row.
    if !leads::settle(tx, lead, read).await? {
        return Err(AppError::Conflict(
            "Someone else dealt with this lead since you loaded it. Reload to see what they did."
                .into(),
        ));
    }
    lead_events::append(tx, lead.id, at, Some(caller.id), event).await
}

/// The person a deal made of `lead` is with: the one kept with the lead's email, else
/// a new one.
async fn person_for(
    tx: &mut Tx,
    actor: UserId,
    lead: &Lead,
    organization: Option<OrganizationId>,
    at: DateTime<Utc>,
) -> AppResult<PersonId> {
    if let Some(email) = &lead.email {
        if let Some(id) = persons::find_by_email(tx, email).await? {
            return Ok(id);
        }
    }
    let draft = PersonDraft {
        id: None,
        name: lead.name.clone(),
        job_title: lead.job_title.clone(),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        organization_id: organization,
        organization: None,
    };
    let (person, _) = draft.parse(at)?;
    super::contacts::add_person(tx, actor, &person).await?;
    Ok(person.id)
}

pub async fn discard_reasons(db: &Db, _caller: &User) -> AppResult<Vec<String>> {
    let mut tx = db.read().await?;
    discard_reasons::list(&mut tx).await
}

pub async fn add_discard_reason(db: &Db, caller: &User, label: &str) -> AppResult<()> {
    require_admin(caller)?;
    let label = DiscardReason::parse(label)?.into_string();
    let mut tx = db.write().await?;
    let list = discard_reasons::list(&mut tx).await?;
    if DiscardReason::parse_from(&label, &list).is_ok() {
        return Err(AppError::invalid("reason", "is already in the list"));
    }
    discard_reasons::insert(&mut tx, &label).await?;
    tx.commit().await
}

/// Removes a reason from the list; leads discarded for it keep their reason. The last
/// one stays, or no lead could be discarded.
pub async fn remove_discard_reason(db: &Db, caller: &User, label: &str) -> AppResult<()> {
    require_admin(caller)?;
    let mut tx = db.write().await?;
    if discard_reasons::list(&mut tx).await?.len() <= 1 {
        return Err(AppError::Refused(
            "Keep at least one reason to discard a lead for.".into(),
        ));
    }
    if discard_reasons::delete(&mut tx, label).await? == 0 {
        return Err(AppError::NotFound(format!("The reason “{label}”")));
    }
    tx.commit().await
}

fn found(lead: Option<Lead>) -> AppResult<Lead> {
    lead.ok_or_else(|| AppError::NotFound("The lead".into()))
}

/// After how many untouched days a new lead is flagged in the inbox.
pub async fn untouched_days(db: &Db, _caller: &User) -> AppResult<i64> {
    let mut tx = db.read().await?;
    settings::lead_untouched_days(&mut tx).await
}

/// Sets after how many untouched days a new lead is flagged: an admin's to change.
pub async fn set_untouched_days(db: &Db, caller: &User, days: i64) -> AppResult<()> {
    require_admin(caller)?;
    let days = crate::domain::lead::untouched_days(days)?;
    let mut tx = db.write().await?;
    settings::set_lead_untouched_days(&mut tx, days).await?;
    tx.commit().await?;
    Ok(())
}
