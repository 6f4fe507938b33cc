//! The `deal_events` table: append-only. There is no update and no delete here, on
//! purpose.

use super::{on, Tx};
use crate::domain::event::{DealEvent, DealEventKind};
use crate::domain::history::DealNow;
use crate::domain::ids::{DealId, PipelineId, StageId, UserId};
use crate::domain::live::Snapshot;
use crate::domain::replay::{Entry, Step};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};

/// Appends one event and returns its position in the log. The first append of a
/// transaction takes the log's head row and holds it until commit, so on PostgreSQL
/// (where several transactions write at once) ids are handed out in commit order: one
/// that a reader has seen is never followed by a smaller one committing later. SQLite
/// has one writer, so there this costs one UPDATE and nothing waits.
pub async fn append(
    tx: &mut Tx,
    deal: DealId,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    kind: &DealEventKind,
    snapshot: Option<&Snapshot>,
) -> AppResult<i64> {
    let payload = serde_json::to_string(kind).map_err(|e| AppError::internal(&e))?;
    let snapshot = snapshot
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| AppError::internal(&e))?;
    let (from, to) = kind.stages();
    // The event's eight values, bound alike on both engines.
    macro_rules! event {
        ($sql:expr) => {
            sqlx::query_scalar::<_, i64>($sql)
                .bind(deal)
                .bind(at)
                .bind(actor)
                .bind(kind.name())
                .bind(from)
                .bind(to)
                .bind(&payload)
                .bind(&snapshot)
        };
    }
    match tx {
        Tx::Sqlite(t) => {
            sqlx::query("UPDATE log_head SET appended = appended + 1 WHERE id = 1")
                .execute(&mut **t)
                .await?;
            Ok(event!(
                "INSERT INTO deal_events (deal_id, at, actor_id, kind, from_stage_id, to_stage_id, payload, snapshot) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
            )
            .fetch_one(&mut **t)
            .await?)
        }
        // One round trip: the head row is taken (the event's row is made from the
        // UPDATE's, so its id is drawn after the lock), and `pg_notify` is delivered at
        // commit, once however many events the transaction appends (PostgreSQL folds
        // identical notifications), never on rollback: every instance's hub then reads
        // the log. An import of 50,000 deals makes as many round trips fewer, twice.
        Tx::Postgres(t) => Ok(event!(
            "WITH head AS (UPDATE log_head SET appended = appended + 1 WHERE id = 1 RETURNING id), \
                  told AS (SELECT pg_notify($9, '') FROM head) \
             INSERT INTO deal_events (deal_id, at, actor_id, kind, from_stage_id, to_stage_id, payload, snapshot) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM told RETURNING id"
        )
        .bind(crate::ssr::live::CHANNEL)
        .fetch_one(&mut **t)
        .await?),
    }
}

/// One logged change as the live stream hands it out.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub id: i64,
    pub deal_id: DealId,
    pub kind: DealEventKind,
    /// None for changes logged before snapshots were kept.
    pub snapshot: Option<Snapshot>,
    /// How each kind of stream writes this change, made once for all of its streams.
    pub written: Written,
}

/// A change written out once, however many streams send it (one copy per kind).
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub api: std::sync::OnceLock<Option<String>>,
    pub browser: std::sync::OnceLock<String>,
}

impl PartialEq for Written {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(sqlx::FromRow)]
struct LoggedRow {
    id: i64,
    deal_id: DealId,
    payload: String,
    snapshot: Option<String>,
}

/// The changes logged after `after`, oldest first, at most `limit`.
pub async fn after(tx: &mut Tx, after: i64, limit: i64) -> AppResult<Vec<Logged>> {
    let rows = on!(tx, |c| {
        sqlx::query_as::<_, LoggedRow>(
        "SELECT id, deal_id, payload, snapshot FROM deal_events WHERE id > $1 ORDER BY id LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|r| {
            let json = |e: serde_json::Error| AppError::internal(&e);
            Ok(Logged {
                id: r.id,
                deal_id: r.deal_id,
                kind: serde_json::from_str(&r.payload).map_err(json)?,
                snapshot: r
                    .snapshot
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(json)?,
                written: Written::default(),
            })
        })
        .collect()
}

/// The newest position in the log, as this transaction sees it (0 when empty).
pub async fn position(tx: &mut Tx) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(id), 0) FROM deal_events"
    )
    .fetch_one(c)
    .await)?)
}

/// The deals logged after `after` and up to `upto`, whichever pipeline they are in now.
pub async fn touched(tx: &mut Tx, after: i64, upto: i64) -> AppResult<Vec<DealId>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, DealId>(
        "SELECT DISTINCT deal_id FROM deal_events WHERE id > $1 AND id <= $2"
    )
    .bind(after)
    .bind(upto)
    .fetch_all(c)
    .await)?)
}

/// The latest instant of the entries logged after `after` and up to `upto`.
pub async fn latest_between(
    tx: &mut Tx,
    after: i64,
    upto: i64,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(on!(tx, |c| {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "SELECT MAX(at) FROM deal_events WHERE id > $1 AND id <= $2",
        )
        .bind(after)
        .bind(upto)
        .fetch_one(c)
        .await
    })?)
}

/// The deal the log entry `id` is about, if there is such an entry.
pub async fn deal_at(tx: &mut Tx, id: i64) -> AppResult<Option<DealId>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, DealId>(
        "SELECT deal_id FROM deal_events WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    deal_id: DealId,
    at: DateTime<Utc>,
    actor_id: Option<UserId>,
    actor_name: Option<String>,
    payload: String,
}

impl EventRow {
    fn event(self) -> AppResult<DealEvent> {
        let kind = serde_json::from_str(&self.payload).map_err(|e| AppError::internal(&e))?;
        Ok(DealEvent {
            id: self.id,
            deal_id: self.deal_id,
            at: self.at,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            kind,
        })
    }
}

/// A deal's history, oldest first.
pub async fn for_deal(tx: &mut Tx, deal: DealId) -> AppResult<Vec<DealEvent>> {
    let rows = on!(tx, |c| sqlx::query_as::<_, EventRow>(
        "SELECT e.id, e.deal_id, e.at, e.actor_id, u.name AS actor_name, e.payload \
         FROM deal_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.deal_id = $1 ORDER BY e.id"
    )
    .bind(deal)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(EventRow::event).collect()
}

#[derive(sqlx::FromRow)]
struct SinceRow {
    #[sqlx(flatten)]
    event: EventRow,
    title: String,
    value: i64,
    currency: crate::domain::money::Currency,
}

/// What the log holds since `from` about the deals of `pipeline` that are not deleted,
/// in log order, each event with its deal as it is now. At most `limit` events.
pub async fn since(
    tx: &mut Tx,
    pipeline: PipelineId,
    from: DateTime<Utc>,
    limit: i64,
) -> AppResult<(Vec<DealEvent>, std::collections::HashMap<DealId, DealNow>)> {
    let rows = on!(tx, |c| sqlx::query_as::<_, SinceRow>(
        "SELECT e.id, e.deal_id, e.at, e.actor_id, NULL AS actor_name, e.payload, \
           d.title, d.value, d.currency \
         FROM deal_events e JOIN deals d ON d.id = e.deal_id \
         WHERE e.at >= $1 AND d.pipeline_id = $2 AND d.deleted_at IS NULL \
         ORDER BY e.id LIMIT $3"
    )
    .bind(from)
    .bind(pipeline)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    let mut now = std::collections::HashMap::new();
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        now.entry(r.event.deal_id).or_insert(DealNow {
            title: r.title,
            value: r.value,
            currency: r.currency,
        });
        events.push(r.event.event()?);
    }
    Ok((events, now))
}

#[derive(sqlx::FromRow)]
struct MovedRow {
    owner_id: UserId,
    owner_name: String,
    deals: i64,
}

/// Per owner, how many of their deals in `pipeline` moved to a later stage since
/// `since` (each deal counted once): (owner, their name, deals).
pub async fn moved_forward_by_owner(
    tx: &mut Tx,
    pipeline: PipelineId,
    since: DateTime<Utc>,
) -> AppResult<Vec<(UserId, String, i64)>> {
    let rows = on!(tx, |c| sqlx::query_as::<_, MovedRow>(
        "SELECT d.owner_id AS owner_id, u.name AS owner_name, \
           CAST(COUNT(DISTINCT e.deal_id) AS BIGINT) AS deals \
         FROM deal_events e \
         JOIN deals d ON d.id = e.deal_id \
         JOIN users u ON u.id = d.owner_id \
         JOIN stages f ON f.id = e.from_stage_id \
         JOIN stages t ON t.id = e.to_stage_id \
         WHERE e.kind = 'moved' AND e.at >= $1 AND d.pipeline_id = $2 \
           AND d.deleted_at IS NULL AND t.position > f.position \
         GROUP BY d.owner_id, u.name"
    )
    .bind(since)
    .bind(pipeline)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.owner_id, r.owner_name, r.deals))
        .collect())
}

/// How many moves into `stage` the log holds (for tests and statistics).
pub async fn moves_into(tx: &mut Tx, stage: StageId) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM deal_events WHERE kind = 'moved' AND to_stage_id = $1"
    )
    .bind(stage)
    .fetch_one(c)
    .await)?)
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    deal_id: DealId,
    at: DateTime<Utc>,
    kind: String,
    to_stage_id: Option<StageId>,
    payload: Option<String>,
}

/// The log of a pipeline's deals (deleted ones too), in log order, as a replay reads
/// it. Field changes only `with_changes`: a replay up to now does not undo any, and
/// reading them is most of the cost.
pub async fn entries(
    tx: &mut Tx,
    pipeline: PipelineId,
    with_changes: bool,
) -> AppResult<Vec<Entry>> {
    entries_of_touched(tx, pipeline, with_changes, Touched::All { upto: i64::MAX }).await
}

/// Which of a pipeline's deals are read, each with its whole log.
#[derive(Clone, Copy, Debug)]
pub enum Touched {
    /// Every deal, with its log up to log id `upto`.
    All { upto: i64 },
    /// The deals logged after log id `after` and up to `upto`, with their logs up to
    /// `upto`.
    Between { after: i64, upto: i64 },
    /// The deals logged after an instant, with their logs to the end.
    After(DateTime<Utc>),
}

/// The whole logs of the pipeline's deals that `touched` names, in log order.
pub async fn entries_of_touched(
    tx: &mut Tx,
    pipeline: PipelineId,
    with_changes: bool,
    touched: Touched,
) -> AppResult<Vec<Entry>> {
    macro_rules! entry_columns {
        () => {
            "SELECT e.deal_id, e.at, e.kind, e.to_stage_id, \
        CASE WHEN e.kind IN ('changed', 'lost') THEN e.payload END AS payload FROM"
        };
    }
    // Led by the entries that name the deals, then the log's index by deal, so that the
    // cost follows the span (SQLite keeps a CROSS JOIN's order).
    macro_rules! of_deals {
        ($deals:literal) => {
            concat!(
                entry_columns!(),
                " (SELECT DISTINCT deal_id FROM deal_events WHERE ",
                $deals,
                ") t CROSS JOIN deals d CROSS JOIN deal_events e \
                 WHERE d.id = t.deal_id AND d.pipeline_id = $1 AND e.deal_id = t.deal_id \
                   AND ($2 OR e.kind <> 'changed') AND e.id <= $4 \
                 ORDER BY e.id"
            )
        };
    }
    let rows = match touched {
        Touched::All { upto } => {
            let sql = concat!(
                entry_columns!(),
                " deal_events e JOIN deals d ON d.id = e.deal_id WHERE d.pipeline_id = $1 AND ($2 OR e.kind <> 'changed') AND e.id <= $3 \
                 ORDER BY e.id"
            );
            on!(tx, |c| sqlx::query_as::<_, EntryRow>(sql)
                .bind(pipeline)
                .bind(with_changes)
                .bind(upto)
                .fetch_all(c)
                .await)?
        }
        Touched::Between { after, upto } => {
            let sql = of_deals!("id > $3 AND id <= $4");
            on!(tx, |c| sqlx::query_as::<_, EntryRow>(sql)
                .bind(pipeline)
                .bind(with_changes)
                .bind(after)
                .bind(upto)
                .fetch_all(c)
                .await)?
        }
        Touched::After(at) => {
            let sql = of_deals!("at > $3");
            on!(tx, |c| sqlx::query_as::<_, EntryRow>(sql)
                .bind(pipeline)
                .bind(with_changes)
                .bind(at)
                .bind(i64::MAX)
                .fetch_all(c)
                .await)?
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let step = match (r.kind.as_str(), r.to_stage_id) {
            ("created", Some(stage)) => Step::Created(stage),
            ("moved", Some(stage)) => Step::Moved(stage),
            ("won", _) => Step::Won,
            ("lost", _) => match serde_json::from_str(r.payload.as_deref().unwrap_or_default()) {
                Ok(DealEventKind::Lost { reason }) => Step::Lost(reason),
                _ => Step::Lost(String::new()),
            },
            ("reopened", _) => Step::Reopened,
            ("deleted", _) => Step::Deleted,
            ("changed", _) => {
                let payload = r.payload.unwrap_or_default();
                match serde_json::from_str(&payload).map_err(|e| AppError::internal(&e))? {
                    DealEventKind::Changed { changes } => Step::Changed(changes),
                    _ => continue,
                }
            }
            _ => continue,
        };
        out.push(Entry {
            deal_id: r.deal_id,
            at: r.at,
            step,
        });
    }
    Ok(out)
}
