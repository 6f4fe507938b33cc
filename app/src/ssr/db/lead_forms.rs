//! The `lead_forms` table: web forms that post leads into the inbox.

use super::{on, Tx};
use crate::domain::lead_form::LeadForm;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

macro_rules! columns {
    () => {
        "id, name, source, redirect_url, key, created_at, revoked_at"
    };
}

pub async fn insert(tx: &mut Tx, f: &LeadForm) -> AppResult<()> {
    let sql = concat!(
        "INSERT INTO lead_forms (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
    );
    on!(tx, |c| sqlx::query(sql)
        .bind(f.id)
        .bind(&f.name)
        .bind(&f.source)
        .bind(&f.redirect_url)
        .bind(&f.key)
        .bind(f.created_at)
        .bind(f.revoked_at)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The form with this key, revoked or not.
pub async fn by_key(tx: &mut Tx, key: &str) -> AppResult<Option<LeadForm>> {
    let sql = concat!("SELECT ", columns!(), " FROM lead_forms WHERE key = $1");
    Ok(on!(tx, |c| sqlx::query_as::<_, LeadForm>(sql)
        .bind(key)
        .fetch_optional(c)
        .await)?)
}

/// Every form, newest first.
pub async fn list(tx: &mut Tx) -> AppResult<Vec<LeadForm>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM lead_forms ORDER BY created_at DESC, id DESC"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, LeadForm>(sql)
        .fetch_all(c)
        .await)?)
}

/// Revokes the form named by its key or its name; `false` when there is none to revoke.
pub async fn revoke(tx: &mut Tx, key_or_name: &str, at: DateTime<Utc>) -> AppResult<bool> {
    Ok(on!(tx, |c| {
        sqlx::query(
        "UPDATE lead_forms SET revoked_at = $2 WHERE (key = $1 OR name = $1) AND revoked_at IS NULL"
    )
    .bind(key_or_name)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0)
    })?)
}
