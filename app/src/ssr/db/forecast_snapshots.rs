//! The `forecast_snapshots` table: each pipeline's team forecast as it stood each day.

use super::{on, Tx};
use crate::domain::forecast::{Method, PeriodKind};
use crate::domain::ids::PipelineId;
use crate::domain::money::Currency;
use crate::domain::track_record::Snapshot;
use crate::error::AppResult;
use chrono::NaiveDate;

/// Writes `snapshots` for `pipeline`; one taken again the same day replaces the first.
pub async fn record(tx: &mut Tx, pipeline: PipelineId, snapshots: &[Snapshot]) -> AppResult<()> {
    for s in snapshots {
        on!(tx, |c| sqlx::query(
            "INSERT INTO forecast_snapshots (pipeline_id, taken_on, period_kind, period_start, \
               currency, weighted, expected, p10, p90, method) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (pipeline_id, period_kind, period_start, currency, taken_on) \
             DO UPDATE SET weighted = excluded.weighted, expected = excluded.expected, \
               p10 = excluded.p10, p90 = excluded.p90, method = excluded.method"
        )
        .bind(pipeline)
        .bind(s.taken_on)
        .bind(s.kind)
        .bind(s.period_start)
        .bind(&s.currency)
        .bind(s.weighted)
        .bind(s.expected)
        .bind(s.p10)
        .bind(s.p90)
        .bind(s.method)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Whether a snapshot of `pipeline` was taken on `day`.
pub async fn taken_on(tx: &mut Tx, pipeline: PipelineId, day: NaiveDate) -> AppResult<bool> {
    let found = on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM forecast_snapshots WHERE pipeline_id = $1 AND taken_on = $2"
    )
    .bind(pipeline)
    .bind(day)
    .fetch_one(c)
    .await)?;
    Ok(found > 0)
}

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    taken_on: NaiveDate,
    period_kind: PeriodKind,
    period_start: NaiveDate,
    currency: Currency,
    weighted: i64,
    expected: i64,
    p10: i64,
    p90: i64,
    method: Method,
}

/// `pipeline`'s snapshots of `kind` for periods starting from `from` up to (not
/// including) `until`.
pub async fn for_periods(
    tx: &mut Tx,
    pipeline: PipelineId,
    kind: PeriodKind,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<Snapshot>> {
    let rows = on!(tx, |c| sqlx::query_as::<_, SnapshotRow>(
        "SELECT taken_on, period_kind, period_start, currency, weighted, expected, p10, p90, \
           method FROM forecast_snapshots \
         WHERE pipeline_id = $1 AND period_kind = $2 AND period_start >= $3 \
           AND period_start < $4 \
         ORDER BY period_start, currency, taken_on"
    )
    .bind(pipeline)
    .bind(kind)
    .bind(from)
    .bind(until)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| Snapshot {
            taken_on: r.taken_on,
            kind: r.period_kind,
            period_start: r.period_start,
            currency: r.currency,
            weighted: r.weighted,
            expected: r.expected,
            p10: r.p10,
            p90: r.p90,
            method: r.method,
        })
        .collect())
}
