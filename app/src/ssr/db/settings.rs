//! The `workspace_settings` table: one row of settings for the whole workspace.

use super::{on, Tx};
use crate::error::AppResult;

/// After how many untouched days a new lead is flagged in the inbox.
pub async fn lead_untouched_days(tx: &mut Tx) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT lead_untouched_days FROM workspace_settings WHERE id = 1"
    )
    .fetch_one(c)
    .await)?)
}

pub async fn set_lead_untouched_days(tx: &mut Tx, days: i64) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "UPDATE workspace_settings SET lead_untouched_days = $1 WHERE id = 1"
    )
    .bind(days)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
