//! The `discard_reasons` table: the list a person picks from when a lead is discarded.

use super::{on, Tx};
use crate::error::AppResult;

pub async fn list(tx: &mut Tx) -> AppResult<Vec<String>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT label FROM discard_reasons ORDER BY position, label"
    )
    .fetch_all(c)
    .await)?)
}

/// Adds `label` at the end of the list.
pub async fn insert(tx: &mut Tx, label: &str) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "INSERT INTO discard_reasons (label, position) \
         SELECT $1, COALESCE(MAX(position), -1) + 1 FROM discard_reasons"
    )
    .bind(label)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, label: &str) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "DELETE FROM discard_reasons WHERE label = $1"
    )
    .bind(label)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
