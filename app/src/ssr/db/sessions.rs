//! The `sessions` table: one row per signed-in browser, keyed by the token's hash so a
//! leaked database does not hand out live sessions.

use super::users::UserRow;
use super::{on, on_reader, Db, Tx};
use crate::domain::ids::UserId;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

pub async fn insert(
    tx: &mut Tx,
    token_hash: &str,
    user: UserId,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> AppResult<()> {
    on!(tx, |c| {
        sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(user)
    .bind(at)
    .bind(expires_at)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// The user of a live session, in one statement outside any transaction.
pub async fn user_of(db: &Db, token_hash: &str, now: DateTime<Utc>) -> AppResult<Option<UserRow>> {
    Ok(on_reader!(db, |c| sqlx::query_as::<_, UserRow>(
        "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?)
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn delete_expired(tx: &mut Tx, now: DateTime<Utc>) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
