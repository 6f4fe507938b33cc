//! Creating and changing deals. Each change loads the deal, checks the version the
//! caller read, applies the domain rule, saves, and appends the event: one transaction.
//! It returns what it did as a `LiveEvent` (the deal before and after), which the
//! caller's screen applies and which every other screen will receive.

use crate::domain::board::DealCard;
use crate::domain::deal::{Deal, DealChange, DealDraft, DealEdit, NewDeal};
use crate::domain::event::{instant, DealEvent, DealEventKind};
use crate::domain::ids::DealId;
use crate::domain::ids::UserId;
use crate::domain::live::{LiveEvent, Snapshot};
use crate::domain::pipeline::Stage;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, deals, organizations, persons, stages, users, Db, Tx};
use chrono::{DateTime, Utc};

/// What a change to a deal did: the deal as it now is, and the event that every screen
/// applies (none when nothing changed).
#[derive(Clone, Debug, PartialEq)]
pub struct Changed {
    pub deal: Deal,
    pub event: Option<LiveEvent>,
}

/// Creates a deal and logs `created`. Creating an id that already exists returns that
/// deal unchanged, so a retried request does not make a second one.
pub async fn create(
    db: &Db,
    caller: &User,
    draft: DealDraft,
    at: DateTime<Utc>,
) -> AppResult<Changed> {
    let (new, organization) = draft.parse(caller.id)?;
    let at = instant(at);
    let mut tx = db.write().await?;
    if deals::exists(&mut tx, new.id).await? {
        let deal = deals::find(&mut tx, new.id)
            .await?
            .ok_or_else(|| AppError::Conflict("A deal with this id was deleted.".into()))?;
        return Ok(Changed { deal, event: None });
    }
    let stage = stages::find(&mut tx, new.stage_id)
        .await?
        .ok_or_else(|| missing("stage_id"))?;
    if users::find(&mut tx, new.owner_id).await?.is_none() {
        return Err(missing("owner_id"));
    }
    let mut new = new;
    if let Some(name) = organization {
        new.organization_id =
            Some(super::contacts::organization_named(&mut tx, caller.id, &name, at).await?);
    }
    let added = add(&mut tx, caller.id, new, &stage, at).await?;
    tx.commit().await?;
    Ok(added)
}

/// Adds `new` in `stage` and logs `created`, in the caller's transaction (qualifying
/// a lead makes its deal this way too).
pub(super) async fn add(
    tx: &mut Tx,
    actor: UserId,
    new: NewDeal,
    stage: &Stage,
    at: DateTime<Utc>,
) -> AppResult<Changed> {
    let (deal, event) = Deal::create(new, stage, at);
    deals::insert(tx, &deal).await?;
    let event = log(tx, at, Some(actor), &event, None, &deal, true).await?;
    Ok(Changed {
        deal,
        event: Some(event),
    })
}

/// Applies `edit` to `deal` in the caller's transaction and logs it: a merge of two
/// people (or organizations) moves their deals this way, so each deal's log and every
/// screen showing it hear of the move.
pub(super) async fn edit_in(
    tx: &mut Tx,
    actor: UserId,
    deal: Deal,
    edit: DealEdit,
    at: DateTime<Utc>,
) -> AppResult<()> {
    change_in(tx, actor, deal, DealChange::Edit(edit), at).await?;
    Ok(())
}

/// Applies `change` to `deal` (as read in the caller's transaction) and logs it; an
/// import closes the deals it makes this way.
pub(super) async fn change_in(
    tx: &mut Tx,
    actor: UserId,
    mut deal: Deal,
    change: DealChange,
    at: DateTime<Utc>,
) -> AppResult<Deal> {
    let before = deals::card(tx, deal.id).await?;
    let read = deal.version;
    if let Some(event) = decide(tx, &mut deal, change, at).await? {
        if !deals::update(tx, &deal, read).await? {
            return Err(AppError::stale());
        }
        log(tx, at, Some(actor), &event, before, &deal, true).await?;
    }
    Ok(deal)
}

/// Logs a change to `deal` with its snapshot, and returns the event screens apply:
/// `before` as the change found the deal, after as it leaves it (read in this
/// transaction; none when it is `gone`).
async fn log(
    tx: &mut Tx,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    kind: &DealEventKind,
    before: Option<DealCard>,
    deal: &Deal,
    stays: bool,
) -> AppResult<LiveEvent> {
    let after = match stays {
        true => deals::card(tx, deal.id).await?,
        false => None,
    };
    let snapshot = Snapshot {
        before,
        after,
        deal: stays.then(|| deal.clone()),
    };
    let log_id = deal_events::append(tx, deal.id, at, actor, kind, Some(&snapshot)).await?;
    Ok(snapshot.event(log_id, deal.id))
}

/// Whether `caller` may see deal `id`: everyone signed in sees every deal today. The API,
/// the pages and the live streams all ask here, so when visibility rules arrive they
/// hold everywhere at once.
pub fn can_see(_caller: &User, _id: DealId) -> bool {
    true
}

pub async fn get(db: &Db, caller: &User, id: DealId) -> AppResult<Deal> {
    let mut tx = db.read().await?;
    found(
        deals::find(&mut tx, id)
            .await?
            .filter(|d| can_see(caller, d.id)),
    )
}

pub async fn history(db: &Db, caller: &User, id: DealId) -> AppResult<Vec<DealEvent>> {
    let mut tx = db.read().await?;
    found(
        deals::find(&mut tx, id)
            .await?
            .filter(|d| can_see(caller, d.id)),
    )?;
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
) -> AppResult<Changed> {
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut deal = found(deals::find(&mut tx, id).await?)?;
    if deal.version != version {
        return Err(AppError::stale());
    }
    let before = deals::card(&mut tx, id).await?;
    let logged = if let DealChange::Delete = change {
        // The guard is what makes the log true: under PostgreSQL's READ COMMITTED a
        // racing edit can commit between the read above and this update.
        if !deals::mark_deleted(&mut tx, id, version, at).await? {
            return Err(AppError::stale());
        }
        deal.version += 1;
        DealEventKind::Deleted
    } else {
        let Some(event) = decide(&mut tx, &mut deal, change, at).await? else {
            return Ok(Changed { deal, event: None });
        };
        if !deals::update(&mut tx, &deal, version).await? {
            return Err(AppError::stale());
        }
        event
    };
    let stays = !matches!(logged, DealEventKind::Deleted);
    let event = log(&mut tx, at, Some(caller.id), &logged, before, &deal, stays).await?;
    tx.commit().await?;
    Ok(Changed {
        deal,
        event: Some(event),
    })
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
            if let Some(Some(person)) = edit.person_id {
                if persons::find(tx, person)
                    .await?
                    .is_none_or(|p| p.id != person)
                {
                    return Err(missing("person_id"));
                }
            }
            deal.edit(edit, at)?
        }
        DealChange::Delete => None,
    })
}

/// A field that names a record by id that does not exist ("Stage does not exist"). A
/// refusal of the input (422), not a 404: the deal being asked about does exist.
pub(super) fn missing(field: &str) -> AppError {
    AppError::invalid(field, "does not exist")
}

fn found(deal: Option<Deal>) -> AppResult<Deal> {
    deal.ok_or_else(|| AppError::NotFound("The deal".into()))
}
