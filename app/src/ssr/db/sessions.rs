//! The `sessions` table: one row per signed-in browser, keyed by the token's hash so a
//! leaked database does not hand out live sessions. A session lives until its absolute
//! expiry or until it has gone unused too long, whichever comes first, and only while
//! its user is enabled.

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
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $3)",
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

/// A live session's user, and when the session was last seen.
#[derive(sqlx::FromRow)]
pub struct Live {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub last_seen_at: DateTime<Utc>,
}

/// The enabled user of a session that has not expired and was used after
/// `idle_since`, in one statement outside any transaction.
pub async fn user_of(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> AppResult<Option<Live>> {
    Ok(on_reader!(db, |c| sqlx::query_as::<_, Live>(
        "SELECT u.*, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
         AND u.disabled_at IS NULL"
    )
    .bind(token_hash)
    .bind(now)
    .bind(idle_since)
    .fetch_optional(c)
    .await)?)
}

pub async fn touch(tx: &mut Tx, token_hash: &str, at: DateTime<Utc>) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1"
    )
    .bind(token_hash)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
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

/// Ends every session of a user; returns how many there were.
pub async fn delete_for_user(tx: &mut Tx, user: UserId) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1"
    )
    .bind(user)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Removes sessions past their expiry or unused since `idle_since`.
pub async fn delete_expired(
    tx: &mut Tx,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2"
    )
    .bind(now)
    .bind(idle_since)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
