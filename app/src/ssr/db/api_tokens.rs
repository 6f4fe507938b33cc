//! The `api_tokens` table: bearer tokens for the public API, stored hashed. A token
//! works until it is revoked, and only while its user is enabled.

use super::users::UserRow;
use super::{on, on_reader, Db, Tx};
use crate::domain::ids::{ApiTokenId, UserId};
use crate::domain::user::ApiToken;
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

/// The enabled user a token that has not been revoked belongs to, in one statement
/// outside any transaction.
pub async fn user_of(db: &Db, token_hash: &str) -> AppResult<Option<UserRow>> {
    Ok(on_reader!(db, |c| sqlx::query_as::<_, UserRow>(
        "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?)
}

/// Tokens, newest first; only `user`'s when one is named.
pub async fn list(tx: &mut Tx, user: Option<UserId>) -> AppResult<Vec<ApiToken>> {
    Ok(on!(tx, |c| sqlx::query_as::<_, ApiToken>(
        "SELECT t.id, u.email AS user_email, t.name, t.created_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE $1 IS NULL OR t.user_id = $1 ORDER BY t.created_at DESC, t.id"
    )
    .bind(user)
    .fetch_all(c)
    .await)?)
}

/// Revokes one token; `false` when there is no such token or it was already revoked.
pub async fn revoke(tx: &mut Tx, id: ApiTokenId, at: DateTime<Utc>) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_for_user(tx: &mut Tx, user: UserId, at: DateTime<Utc>) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL"
    )
    .bind(user)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
