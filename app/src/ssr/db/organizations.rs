//! The `organizations` table. An organization merged into another is kept with
//! `merged_into` set: lists leave it out, and finding it finds the other.

use super::persons::like;
use super::{on, Tx};
use crate::domain::contact::{Organization, OrganizationRow};
use crate::domain::ids::OrganizationId;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

macro_rules! columns {
    () => {
        "o.id, o.name, o.website, o.created_at, COALESCE(o.updated_at, o.created_at) AS updated_at, \
         o.version"
    };
}

/// The organization called `name` (ignoring case), created if there is none.
pub async fn find_or_create(
    tx: &mut Tx,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<OrganizationId> {
    let found = on!(tx, |c| {
        sqlx::query_scalar::<_, OrganizationId>(
            "SELECT id FROM organizations WHERE LOWER(name) = LOWER($1) AND merged_into IS NULL \
             ORDER BY created_at LIMIT 1",
        )
        .bind(name)
        .fetch_optional(c)
        .await
    })?;
    if let Some(id) = found {
        return Ok(id);
    }
    let org = Organization::new(name, at)?;
    insert(tx, &org).await?;
    Ok(org.id)
}

/// The oldest organization called `name` (ignoring case), not merged away.
pub async fn find_by_name(tx: &mut Tx, name: &str) -> AppResult<Option<OrganizationId>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, OrganizationId>(
        "SELECT id FROM organizations WHERE LOWER(name) = LOWER($1) AND merged_into IS NULL \
         ORDER BY created_at LIMIT 1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?)
}

/// The name of organization `id`; none when there is none (or it was merged away).
pub async fn name(tx: &mut Tx, id: OrganizationId) -> AppResult<Option<String>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT name FROM organizations WHERE id = $1 AND merged_into IS NULL"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Organization `id`, or the one it was merged into.
pub async fn find(tx: &mut Tx, id: OrganizationId) -> AppResult<Option<Organization>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM organizations o \
         WHERE o.id = COALESCE((SELECT merged_into FROM organizations WHERE id = $1), $1)"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Organization>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Keeps `o`; `false` (and nothing changed) when one with its id is kept already.
pub async fn insert(tx: &mut Tx, o: &Organization) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "INSERT INTO organizations (id, name, website, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"
    )
    .bind(o.id)
    .bind(&o.name)
    .bind(&o.website)
    .bind(o.created_at)
    .bind(o.updated_at)
    .bind(o.version)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Saves `o` as changed from the copy read at `read_version`; `false` when someone
/// else saved it since (or merged it away).
pub async fn update(tx: &mut Tx, o: &Organization, read_version: i64) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE organizations SET name = $2, website = $3, updated_at = $4, version = $5 \
         WHERE id = $1 AND version = $6 AND merged_into IS NULL"
    )
    .bind(o.id)
    .bind(&o.name)
    .bind(&o.website)
    .bind(o.updated_at)
    .bind(o.version)
    .bind(read_version)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Marks `gone` (and whatever was merged into it before) as merged into `keep`.
pub async fn merge(tx: &mut Tx, gone: OrganizationId, keep: OrganizationId) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "UPDATE organizations SET merged_into = $2 WHERE id = $1 OR merged_into = $1"
    )
    .bind(gone)
    .bind(keep)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Organizations whose name or website holds `search` (all when none), by name, with
/// how many people and open deals each has; at most `limit`.
pub async fn list(
    tx: &mut Tx,
    search: Option<&str>,
    limit: i64,
) -> AppResult<Vec<OrganizationRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", (SELECT COUNT(*) FROM persons p WHERE p.organization_id = o.id \
            AND p.merged_into IS NULL) AS people, \
         (SELECT COUNT(*) FROM deals d WHERE d.organization_id = o.id AND d.status = 'open' \
            AND d.deleted_at IS NULL) AS open_deals \
         FROM organizations o WHERE o.merged_into IS NULL \
         AND ($1 IS NULL OR LOWER(o.name) LIKE $1 ESCAPE '\\' OR LOWER(o.website) LIKE $1 ESCAPE '\\') \
         ORDER BY LOWER(o.name), o.id LIMIT $2"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, OrganizationRow>(sql)
        .bind(search.map(like))
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Every organization not merged away, oldest first, for the duplicate search.
pub async fn all(tx: &mut Tx, limit: i64) -> AppResult<Vec<Organization>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM organizations o WHERE o.merged_into IS NULL ORDER BY o.created_at, o.id LIMIT $1"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Organization>(sql)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}
