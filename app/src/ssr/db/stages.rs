//! The `stages` table.

use super::{on, Tx};
use crate::domain::ids::{PipelineId, StageId};
use crate::domain::pipeline::Stage;
use crate::error::AppResult;

macro_rules! columns {
    () => {
        "id, pipeline_id, name, position, probability, rotting_days, version"
    };
}

#[derive(sqlx::FromRow)]
struct StageRow {
    id: StageId,
    pipeline_id: PipelineId,
    name: String,
    position: i64,
    probability: i64,
    rotting_days: Option<i64>,
    version: i64,
}

impl From<StageRow> for Stage {
    fn from(r: StageRow) -> Self {
        Stage {
            id: r.id,
            pipeline_id: r.pipeline_id,
            name: r.name,
            position: r.position,
            probability: r.probability,
            rotting_days: r.rotting_days,
            version: r.version,
        }
    }
}

pub async fn list_all(tx: &mut Tx) -> AppResult<Vec<Stage>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM stages ORDER BY pipeline_id, position"
    );
    let rows = on!(tx, |c| sqlx::query_as::<_, StageRow>(sql)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Stage::from).collect())
}

pub async fn list(tx: &mut Tx, pipeline: PipelineId) -> AppResult<Vec<Stage>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM stages WHERE pipeline_id = $1 ORDER BY position"
    );
    let rows = on!(tx, |c| sqlx::query_as::<_, StageRow>(sql)
        .bind(pipeline)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Stage::from).collect())
}

pub async fn find(tx: &mut Tx, id: StageId) -> AppResult<Option<Stage>> {
    let sql = concat!("SELECT ", columns!(), " FROM stages WHERE id = $1");
    let row = on!(tx, |c| sqlx::query_as::<_, StageRow>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Stage::from))
}

pub async fn insert(tx: &mut Tx, s: &Stage) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "INSERT INTO stages (id, pipeline_id, name, position, probability, rotting_days, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(s.id)
    .bind(s.pipeline_id)
    .bind(&s.name)
    .bind(s.position)
    .bind(s.probability)
    .bind(s.rotting_days)
    .bind(s.version)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Saves a stage read at `s.version`; `false` when someone changed it since.
pub async fn update(tx: &mut Tx, s: &Stage) -> AppResult<bool> {
    Ok(on!(tx, |c| {
        sqlx::query(
        "UPDATE stages SET name = $3, probability = $4, rotting_days = $5, position = $6, version = $2 + 1 \
         WHERE id = $1 AND version = $2"
    )
    .bind(s.id)
    .bind(s.version)
    .bind(&s.name)
    .bind(s.probability)
    .bind(s.rotting_days)
    .bind(s.position)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1)
    })?)
}

pub async fn delete(tx: &mut Tx, id: StageId) -> AppResult<()> {
    on!(tx, |c| sqlx::query("DELETE FROM stages WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}
