//! Creating and changing deals. Each change loads the deal, checks the version the
//! caller read, applies the domain rule, saves, and appends the event: one transaction.

use crate::domain::deal::{Deal, DealChange, DealDraft};
use crate::domain::event::{instant, DealEvent, DealEventKind};
use crate::domain::ids::DealId;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, deals, organizations, stages, users, Db, Tx};
use chrono::{DateTime, Utc};

/// Creates a deal and logs `created`. Creating an id that already exists returns that
/// deal unchanged, so a retried request does not make a second one.
pub async fn create(
    db: &Db,
    caller: &User,
    draft: DealDraft,
    at: DateTime<Utc>,
) -> AppResult<Deal> {
    let (new, organization) = draft.parse(caller.id)?;
    let at = instant(at);
    let mut tx = db.write().await?;
    if deals::exists(&mut tx, new.id).await? {
        return deals::find(&mut tx, new.id)
            .await?
            .ok_or_else(|| AppError::Conflict("A deal with this id was deleted.".into()));
    }
    let stage = stages::find(&mut tx, new.stage_id)
        .await?
        .ok_or_else(|| missing("stage_id"))?;
    if users::find(&mut tx, new.owner_id).await?.is_none() {
        return Err(missing("owner_id"));
    }
    let mut new = new;
    if let Some(name) = organization {
        new.organization_id = Some(organizations::find_or_create(&mut tx, &name, at).await?);
    }
    let (deal, event) = Deal::create(new, &stage, at);
    deals::insert(&mut tx, &deal).await?;
    deal_events::append(&mut tx, deal.id, at, Some(caller.id), &event).await?;
    tx.commit().await?;
    Ok(deal)
}

pub async fn get(db: &Db, _caller: &User, id: DealId) -> AppResult<Deal> {
    let mut tx = db.read().await?;
    found(deals::find(&mut tx, id).await?)
}

pub async fn history(db: &Db, _caller: &User, id: DealId) -> AppResult<Vec<DealEvent>> {
    let mut tx = db.read().await?;
    found(deals::find(&mut tx, id).await?)?;
    deal_events::for_deal(&mut tx, id).await
}

pub async fn list(db: &Db, _caller: &User, filter: deals::DealFilter) -> AppResult<Vec<Deal>> {
    let mut tx = db.read().await?;
    deals::list(&mut tx, &filter).await
}

/// Applies `change` to the deal the caller read at `version`.
pub async fn change(
    db: &Db,
    caller: &User,
    id: DealId,
    version: i64,
    change: DealChange,
    at: DateTime<Utc>,
) -> AppResult<Deal> {
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut deal = found(deals::find(&mut tx, id).await?)?;
    if deal.version != version {
        return Err(AppError::stale());
    }
    if let DealChange::Delete = change {
        // The guard is what makes the log true: under PostgreSQL's READ COMMITTED a
        // racing edit can commit between the read above and this update.
        if !deals::mark_deleted(&mut tx, id, version, at).await? {
            return Err(AppError::stale());
        }
        deal_events::append(&mut tx, id, at, Some(caller.id), &DealEventKind::Deleted).await?;
        tx.commit().await?;
        deal.version += 1;
        return Ok(deal);
    }
    let event = decide(&mut tx, &mut deal, change, at).await?;
    let Some(event) = event else {
        return Ok(deal);
    };
    if !deals::update(&mut tx, &deal, version).await? {
        return Err(AppError::stale());
    }
    deal_events::append(&mut tx, id, at, Some(caller.id), &event).await?;
    tx.commit().await?;
    Ok(deal)
}

async fn decide(
    tx: &mut Tx,
    deal: &mut Deal,
    change: DealChange,
    at: DateTime<Utc>,
) -> AppResult<Option<DealEventKind>> {
    Ok(match change {
        DealChange::Move(stage_id) => {
            let stage = stages::find(tx, stage_id)
                .await?
                .ok_or_else(|| missing("stage_id"))?;
            deal.move_to(&stage, at)?
        }
        DealChange::Win => Some(deal.win(at)?),
        DealChange::Lose(reason) => Some(deal.lose(&reason, at)?),
        DealChange::Reopen => Some(deal.reopen(at)?),
        DealChange::Edit(edit) => {
            if let Some(owner) = edit.owner_id {
                if users::find(tx, owner).await?.is_none() {
                    return Err(missing("owner_id"));
                }
            }
            if let Some(Some(org)) = edit.organization_id {
                if organizations::name(tx, org).await?.is_none() {
                    return Err(missing("organization_id"));
                }
            }
            deal.edit(edit, at)?
        }
        DealChange::Delete => None,
    })
}

/// A field that names a record by id that does not exist ("Stage does not exist"). A
/// refusal of the input (422), not a 404: the deal being asked about does exist.
fn missing(field: &str) -> AppError {
    AppError::invalid(field, "does not exist")
}

fn found(deal: Option<Deal>) -> AppResult<Deal> {
    deal.ok_or_else(|| AppError::NotFound("The deal".into()))
}
