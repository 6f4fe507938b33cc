//! The `displays` table: meeting-room screen links, their secrets stored hashed.

use super::{on, Tx};
use crate::domain::display::{parse_scenes, scenes_text, Display};
use crate::domain::ids::{DisplayId, PipelineId};
use crate::error::AppResult;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct DisplayRow {
    id: DisplayId,
    name: String,
    pipeline_id: PipelineId,
    pipeline_name: String,
    scenes: String,
    seconds_per_scene: i64,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<DisplayRow> for Display {
    fn from(r: DisplayRow) -> Self {
        Display {
            id: r.id,
            name: r.name,
            pipeline_id: r.pipeline_id,
            pipeline_name: r.pipeline_name,
            scenes: parse_scenes(&r.scenes).unwrap_or_default(),
            seconds_per_scene: r.seconds_per_scene,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

macro_rules! select {
    () => {
        "SELECT d.id, d.name, d.pipeline_id, p.name AS pipeline_name, d.scenes, \
         d.seconds_per_scene, d.created_at, d.revoked_at \
         FROM displays d JOIN pipelines p ON p.id = d.pipeline_id"
    };
}

pub async fn insert(tx: &mut Tx, display: &Display, token_hash: &str) -> AppResult<()> {
    on!(tx, |c| {
        sqlx::query(
        "INSERT INTO displays (id, name, pipeline_id, token_hash, scenes, seconds_per_scene, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(display.id)
    .bind(&display.name)
    .bind(display.pipeline_id)
    .bind(token_hash)
    .bind(scenes_text(&display.scenes))
    .bind(display.seconds_per_scene)
    .bind(display.created_at)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Every display link, newest first.
pub async fn list(tx: &mut Tx) -> AppResult<Vec<Display>> {
    let rows = on!(tx, |c| sqlx::query_as::<_, DisplayRow>(concat!(
        select!(),
        " ORDER BY d.created_at DESC, d.id"
    ))
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Display::from).collect())
}

/// The link a secret opens, while it has not been revoked.
pub async fn by_token(tx: &mut Tx, token_hash: &str) -> AppResult<Option<Display>> {
    let row = on!(tx, |c| sqlx::query_as::<_, DisplayRow>(concat!(
        select!(),
        " WHERE d.token_hash = $1 AND d.revoked_at IS NULL"
    ))
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Display::from))
}

/// A link that has not been revoked, by its id.
pub async fn live(tx: &mut Tx, id: DisplayId) -> AppResult<Option<Display>> {
    let row = on!(tx, |c| sqlx::query_as::<_, DisplayRow>(concat!(
        select!(),
        " WHERE d.id = $1 AND d.revoked_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Display::from))
}

/// Revokes the link; `false` when there is none such or it was revoked already.
pub async fn revoke(tx: &mut Tx, id: DisplayId, at: DateTime<Utc>) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE displays SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}
