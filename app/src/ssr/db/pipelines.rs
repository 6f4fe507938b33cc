//! The `pipelines` table. Stages come with one `IN`-free join per call, never a query
//! per pipeline.

use super::{on, stages, Tx};
use crate::domain::ids::PipelineId;
use crate::domain::pipeline::Pipeline;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct PipelineRow {
    id: PipelineId,
    name: String,
    position: i64,
    version: i64,
    meeting_weekday: Option<i64>,
}

/// Every pipeline with its stages, in order.
pub async fn list(tx: &mut Tx) -> AppResult<Vec<Pipeline>> {
    let rows = on!(tx, |c| {
        sqlx::query_as::<_, PipelineRow>(
        "SELECT id, name, position, version, meeting_weekday FROM pipelines ORDER BY position, name"
    )
    .fetch_all(c)
    .await
    })?;
    let all_stages = stages::list_all(tx).await?;
    Ok(rows
        .into_iter()
        .map(|r| Pipeline {
            stages: all_stages
                .iter()
                .filter(|s| s.pipeline_id == r.id)
                .cloned()
                .collect(),
            id: r.id,
            name: r.name,
            position: r.position,
            version: r.version,
            meeting_weekday: r.meeting_weekday,
        })
        .collect())
}

pub async fn find(tx: &mut Tx, id: PipelineId) -> AppResult<Option<Pipeline>> {
    let row = on!(tx, |c| sqlx::query_as::<_, PipelineRow>(
        "SELECT id, name, position, version, meeting_weekday FROM pipelines WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Pipeline {
        stages: stages::list(tx, id).await?,
        id: r.id,
        name: r.name,
        position: r.position,
        version: r.version,
        meeting_weekday: r.meeting_weekday,
    }))
}

pub async fn insert(
    tx: &mut Tx,
    id: PipelineId,
    name: &str,
    position: i64,
    at: DateTime<Utc>,
) -> AppResult<()> {
    on!(tx, |c| {
        sqlx::query(
        "INSERT INTO pipelines (id, name, position, version, created_at) VALUES ($1, $2, $3, 1, $4)"
    )
    .bind(id)
    .bind(name)
    .bind(position)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Renames a pipeline if it is still at `version`; `false` when it was stale or gone.
pub async fn rename(tx: &mut Tx, id: PipelineId, version: i64, name: &str) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE pipelines SET name = $3, version = version + 1 WHERE id = $1 AND version = $2"
    )
    .bind(id)
    .bind(version)
    .bind(name)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Marks a change to a pipeline's name or stages; returns the version it reached.
pub async fn reshaped(tx: &mut Tx, id: PipelineId) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "UPDATE pipelines SET version = version + 1 WHERE id = $1 RETURNING version"
    )
    .bind(id)
    .fetch_one(c)
    .await)?)
}

/// The version a pipeline is at (`None` once deleted).
pub async fn version(tx: &mut Tx, id: PipelineId) -> AppResult<Option<i64>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT version FROM pipelines WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

pub async fn set_position(tx: &mut Tx, id: PipelineId, position: i64) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "UPDATE pipelines SET position = $2, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(position)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: PipelineId) -> AppResult<()> {
    on!(tx, |c| sqlx::query("DELETE FROM pipelines WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

pub async fn next_position(tx: &mut Tx) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM pipelines"
    )
    .fetch_one(c)
    .await)?)
}

/// Sets the weekday of the team's sales meeting (none: a week back).
pub async fn set_meeting_weekday(tx: &mut Tx, id: PipelineId, day: Option<i64>) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE pipelines SET meeting_weekday = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(day)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}
