//! The `users` table.

use super::{on, Tx};
use crate::domain::ids::UserId;
use crate::domain::user::{Account, User};
use crate::error::AppResult;
use chrono::{DateTime, Utc};

/// A user as stored, with the password hash: server-only, never serialised.
#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    /// Set while the user may not sign in or call the API.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl UserRow {
    pub fn account(&self) -> Account {
        Account {
            user: self.user(),
            disabled_at: self.disabled_at,
            created_at: self.created_at,
        }
    }

    pub fn user(&self) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            is_admin: self.is_admin,
        }
    }
}

pub async fn insert(tx: &mut Tx, row: &UserRow) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, is_admin, created_at, disabled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(row.id)
    .bind(&row.email)
    .bind(&row.name)
    .bind(&row.password_hash)
    .bind(row.is_admin)
    .bind(row.created_at)
    .bind(row.disabled_at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn find_by_email(tx: &mut Tx, email: &str) -> AppResult<Option<UserRow>> {
    Ok(on!(tx, |c| sqlx::query_as::<_, UserRow>(
        "SELECT * FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(c)
    .await)?)
}

pub async fn find(tx: &mut Tx, id: UserId) -> AppResult<Option<UserRow>> {
    Ok(on!(tx, |c| sqlx::query_as::<_, UserRow>(
        "SELECT * FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

pub async fn list(tx: &mut Tx) -> AppResult<Vec<User>> {
    Ok(rows(tx).await?.iter().map(UserRow::user).collect())
}

pub async fn accounts(tx: &mut Tx) -> AppResult<Vec<Account>> {
    Ok(rows(tx).await?.iter().map(UserRow::account).collect())
}

async fn rows(tx: &mut Tx) -> AppResult<Vec<UserRow>> {
    Ok(on!(tx, |c| sqlx::query_as::<_, UserRow>(
        "SELECT * FROM users ORDER BY name, email"
    )
    .fetch_all(c)
    .await)?)
}

/// Disables (`Some(at)`) or enables (`None`) a user; `false` when there is no such user.
pub async fn set_disabled(
    tx: &mut Tx,
    id: UserId,
    disabled_at: Option<DateTime<Utc>>,
) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE users SET disabled_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(disabled_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

pub async fn count(tx: &mut Tx) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await)?)
}

pub async fn set_password(tx: &mut Tx, id: UserId, hash: &str) -> AppResult<u64> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
