//! The `lead_events` table: each lead's append-only log (captured, qualified,
//! discarded), so a lead can be followed from capture to sale.

use super::{on, Tx};
use crate::domain::ids::{LeadId, UserId};
use crate::domain::lead::{LeadEvent, LeadEventKind};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};

pub async fn append(
    tx: &mut Tx,
    lead: LeadId,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    kind: &LeadEventKind,
) -> AppResult<()> {
    let payload = serde_json::to_string(kind).map_err(|e| AppError::internal(&e))?;
    // The event's five values, bound alike on both engines.
    macro_rules! event {
        ($sql:expr) => {
            sqlx::query($sql)
                .bind(lead)
                .bind(at)
                .bind(actor)
                .bind(kind.name())
                .bind(&payload)
        };
    }
    match tx {
        Tx::Sqlite(t) => {
            event!("INSERT INTO lead_events (lead_id, at, actor_id, kind, payload) VALUES ($1, $2, $3, $4, $5)")
                .execute(&mut **t)
                .await?;
        }
        // In the same statement, every instance's hub is told as the transaction
        // commits, so open inboxes follow at once (see `ssr::live`).
        Tx::Postgres(t) => {
            event!(
                "WITH told AS (SELECT pg_notify($6, '')) \
                 INSERT INTO lead_events (lead_id, at, actor_id, kind, payload) \
                 SELECT $1, $2, $3, $4, $5 FROM told"
            )
            .bind(crate::ssr::live::CHANNEL)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// How many changes to leads the log holds. The log only grows, so this counts every
/// commit: an open inbox that has seen this many has seen them all.
pub async fn count(tx: &mut Tx) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM lead_events"
    )
    .fetch_one(c)
    .await)?)
}

/// A lead's log, oldest first.
pub async fn for_lead(tx: &mut Tx, lead: LeadId) -> AppResult<Vec<LeadEvent>> {
    let rows = on!(tx, |c| sqlx::query_as::<
        _,
        (i64, DateTime<Utc>, Option<UserId>, String),
    >(
        "SELECT id, at, actor_id, payload FROM lead_events WHERE lead_id = $1 ORDER BY id"
    )
    .bind(lead)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(id, at, actor_id, payload)| {
            let kind = serde_json::from_str(&payload).map_err(|e| AppError::internal(&e))?;
            Ok(LeadEvent {
                id,
                at,
                actor_id,
                kind,
            })
        })
        .collect()
}
