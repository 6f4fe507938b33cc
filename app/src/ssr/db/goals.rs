//! The `goals` table: one goal per pipeline, owner (or the team), period and currency.

use super::{on, Tx};
use crate::domain::forecast::PeriodKind;
use crate::domain::goal::Goal;
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::money::Currency;
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};

/// Sets a goal, replacing the one it stands in for.
pub async fn set(tx: &mut Tx, g: &Goal, at: DateTime<Utc>) -> AppResult<()> {
    clear(tx, g).await?;
    on!(tx, |c| sqlx::query(
        "INSERT INTO goals (id, pipeline_id, owner_id, period_kind, period_start, currency, \
           amount, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(uuid::Uuid::now_v7())
    .bind(g.pipeline_id)
    .bind(g.owner_id)
    .bind(g.kind)
    .bind(g.period_start)
    .bind(&g.currency)
    .bind(g.amount)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Removes the goal for `g`'s pipeline, owner, period and currency (its amount is not
/// read). Whether there was one.
pub async fn clear(tx: &mut Tx, g: &Goal) -> AppResult<bool> {
    let done = on!(tx, |c| sqlx::query(
        "DELETE FROM goals WHERE pipeline_id = $1 \
           AND (owner_id = $2 OR (owner_id IS NULL AND $2 IS NULL)) \
           AND period_kind = $3 AND period_start = $4 AND currency = $5"
    )
    .bind(g.pipeline_id)
    .bind(g.owner_id)
    .bind(g.kind)
    .bind(g.period_start)
    .bind(&g.currency)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

#[derive(sqlx::FromRow)]
struct GoalRow {
    pipeline_id: PipelineId,
    owner_id: Option<UserId>,
    period_kind: PeriodKind,
    period_start: NaiveDate,
    currency: Currency,
    amount: i64,
}

/// A pipeline's goals for periods starting from `from`, in period order (the team's
/// first, then by owner).
pub async fn from(tx: &mut Tx, pipeline: PipelineId, from: NaiveDate) -> AppResult<Vec<Goal>> {
    let rows = on!(tx, |c| sqlx::query_as::<_, GoalRow>(
        "SELECT pipeline_id, owner_id, period_kind, period_start, currency, amount \
         FROM goals WHERE pipeline_id = $1 AND period_start >= $2 \
         ORDER BY period_start, period_kind, owner_id IS NOT NULL, owner_id, currency"
    )
    .bind(pipeline)
    .bind(from)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| Goal {
            pipeline_id: r.pipeline_id,
            owner_id: r.owner_id,
            kind: r.period_kind,
            period_start: r.period_start,
            currency: r.currency,
            amount: r.amount,
        })
        .collect())
}
