//! The `persons` table: the people deals are with. A person merged into another is
//! kept with `merged_into` set: lists leave it out, and finding it finds the other.

use super::{on, Tx};
use crate::domain::contact::{Person, PersonRow};
use crate::domain::ids::{OrganizationId, PersonId};
use crate::error::AppResult;

macro_rules! columns {
    () => {
        "p.id, p.name, p.job_title, p.email, p.phone, p.organization_id, p.created_at, \
         COALESCE(p.updated_at, p.created_at) AS updated_at, p.version"
    };
}

/// The first person kept with this (lower-cased) email.
pub async fn find_by_email(tx: &mut Tx, email: &str) -> AppResult<Option<PersonId>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, PersonId>(
        "SELECT id FROM persons WHERE email = $1 AND merged_into IS NULL \
         ORDER BY created_at, id LIMIT 1"
    )
    .bind(email)
    .fetch_optional(c)
    .await)?)
}

/// Person `id`, or the one it was merged into.
pub async fn find(tx: &mut Tx, id: PersonId) -> AppResult<Option<Person>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM persons p WHERE p.id = COALESCE((SELECT merged_into FROM persons WHERE id = $1), $1)"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Person>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Keeps `p`; `false` (and nothing changed) when a person with its id is kept already.
pub async fn insert(tx: &mut Tx, p: &Person) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "INSERT INTO persons (id, name, job_title, email, phone, organization_id, created_at, \
         updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO NOTHING"
    )
    .bind(p.id)
    .bind(&p.name)
    .bind(&p.job_title)
    .bind(&p.email)
    .bind(&p.phone)
    .bind(p.organization_id)
    .bind(p.created_at)
    .bind(p.updated_at)
    .bind(p.version)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Saves `p` as changed from the copy read at `read_version`; `false` when someone
/// else saved it since (or merged it away).
pub async fn update(tx: &mut Tx, p: &Person, read_version: i64) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE persons SET name = $2, job_title = $3, email = $4, phone = $5, \
         organization_id = $6, updated_at = $7, version = $8 \
         WHERE id = $1 AND version = $9 AND merged_into IS NULL"
    )
    .bind(p.id)
    .bind(&p.name)
    .bind(&p.job_title)
    .bind(&p.email)
    .bind(&p.phone)
    .bind(p.organization_id)
    .bind(p.updated_at)
    .bind(p.version)
    .bind(read_version)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Marks `gone` (and whatever was merged into it before) as merged into `keep`.
pub async fn merge(tx: &mut Tx, gone: PersonId, keep: PersonId) -> AppResult<()> {
    on!(tx, |c| sqlx::query(
        "UPDATE persons SET merged_into = $2 WHERE id = $1 OR merged_into = $1"
    )
    .bind(gone)
    .bind(keep)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// `%text%` for LIKE, lower-cased, with LIKE's own characters taken literally.
pub(super) fn like(text: &str) -> String {
    let mut out = String::from("%");
    for ch in text.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// People whose name, email, phone or organization holds `search` (all when none), at
/// `organization` when one is named, by name; at most `limit`.
pub async fn list(
    tx: &mut Tx,
    search: Option<&str>,
    organization: Option<OrganizationId>,
    limit: i64,
) -> AppResult<Vec<PersonRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", o.name AS organization, \
         (SELECT COUNT(*) FROM deals d WHERE d.person_id = p.id AND d.status = 'open' \
          AND d.deleted_at IS NULL) AS open_deals \
         FROM persons p LEFT JOIN organizations o ON o.id = p.organization_id \
         WHERE p.merged_into IS NULL \
         AND ($1 IS NULL OR LOWER(p.name) LIKE $1 ESCAPE '\\' OR p.email LIKE $1 ESCAPE '\\' \
              OR p.phone LIKE $1 ESCAPE '\\' OR LOWER(o.name) LIKE $1 ESCAPE '\\' \
              OR LOWER(p.job_title) LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR p.organization_id = $2) \
         ORDER BY LOWER(p.name), p.id LIMIT $3"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, PersonRow>(sql)
        .bind(search.map(like))
        .bind(organization)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The people at `organization`, by name.
pub async fn at(tx: &mut Tx, organization: OrganizationId) -> AppResult<Vec<Person>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM persons p WHERE p.organization_id = $1 AND p.merged_into IS NULL \
         ORDER BY LOWER(p.name), p.id LIMIT 1000"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Person>(sql)
        .bind(organization)
        .fetch_all(c)
        .await)?)
}

/// Everyone not merged away, with their organization's name, for the duplicate search:
/// at most `limit`, oldest first (so the older of a pair comes first).
pub async fn all(tx: &mut Tx, limit: i64) -> AppResult<Vec<PersonRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", o.name AS organization, CAST(0 AS BIGINT) AS open_deals \
         FROM persons p LEFT JOIN organizations o ON o.id = p.organization_id \
         WHERE p.merged_into IS NULL ORDER BY p.created_at, p.id LIMIT $1"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, PersonRow>(sql)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}
