//! The `api_tokens` table: bearer tokens for the public API, stored hashed.

use super::users::UserRow;
use super::{on, on_reader, Db, Tx};
use crate::domain::ids::{ApiTokenId, UserId};
use crate::error::AppResult;
use chrono::{DateTime, Utc};

pub async fn insert(
    tx: &mut Tx,
    id: ApiTokenId,
    user: UserId,
    token_hash: &str,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    on!(tx, |c| {
        sqlx::query(
        "INSERT INTO api_tokens (id, user_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(id)
    .bind(user)
    .bind(token_hash)
    .bind(name)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// The user a token that has not been revoked belongs to, in one statement outside any
/// transaction.
pub async fn user_of(db: &Db, token_hash: &str) -> AppResult<Option<UserRow>> {
    Ok(on_reader!(db, |c| sqlx::query_as::<_, UserRow>(
        "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?)
}
