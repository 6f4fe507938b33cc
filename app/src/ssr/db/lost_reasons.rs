//! The `lost_reasons` table: the list a person picks from when a deal is lost.

use super::{on, Tx};
use crate::domain::ids::LostReasonId;
use crate::error::AppResult;

pub async fn list(tx: &mut Tx) -> AppResult<Vec<String>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT label FROM lost_reasons ORDER BY position, label"
    )
    .fetch_all(c)
    .await)?)
}

pub async fn insert(tx: &mut Tx, label: &str, position: i64) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "INSERT INTO lost_reasons (id, label, position) VALUES ($1, $2, $3)"
    )
    .bind(LostReasonId::new())
    .bind(label)
    .bind(position)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, label: &str) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "DELETE FROM lost_reasons WHERE label = $1"
    )
    .bind(label)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

pub async fn next_position(tx: &mut Tx) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM lost_reasons"
    )
    .fetch_one(c)
    .await)?)
}
