//! The `organizations` table.

use super::{on, Tx};
use crate::domain::contact::Organization;
use crate::domain::ids::OrganizationId;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

/// The organization called `name` (ignoring case), created if there is none.
pub async fn find_or_create(
    tx: &mut Tx,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<OrganizationId> {
    let found = on!(tx, |c| {
        sqlx::query_scalar::<_, OrganizationId>(
        "SELECT id FROM organizations WHERE LOWER(name) = LOWER($1) ORDER BY created_at LIMIT 1"
    )
    .bind(name)
    .fetch_optional(c)
    .await
    })?;
    if let Some(id) = found {
        return Ok(id);
    }
    let org = Organization::new(name)?;
    on!(tx, |c| sqlx::query(
        "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)"
    )
    .bind(org.id)
    .bind(&org.name)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(org.id)
}

pub async fn name(tx: &mut Tx, id: OrganizationId) -> AppResult<Option<String>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT name FROM organizations WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}
