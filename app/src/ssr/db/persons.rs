//! The `persons` table: the people deals are with.

use super::{on, Tx};
use crate::domain::contact::Person;
use crate::domain::ids::PersonId;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

/// The first person kept with this (lower-cased) email.
pub async fn find_by_email(tx: &mut Tx, email: &str) -> AppResult<Option<PersonId>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, PersonId>(
        "SELECT id FROM persons WHERE email = $1 ORDER BY created_at, id LIMIT 1"
    )
    .bind(email)
    .fetch_optional(c)
    .await)?)
}

pub async fn insert(tx: &mut Tx, p: &Person, at: DateTime<Utc>) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "INSERT INTO persons (id, name, email, phone, organization_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(p.id)
    .bind(&p.name)
    .bind(&p.email)
    .bind(&p.phone)
    .bind(p.organization_id)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
