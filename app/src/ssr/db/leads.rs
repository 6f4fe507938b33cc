//! The `leads` table: the inbox and what became of each lead.

use super::{on, Tx};
use crate::domain::contact::LeadLine;
use crate::domain::duplicate::{fold_name, phone_key, Contact};
use crate::domain::ids::{LeadId, OrganizationId, PersonId, UserId};
use crate::domain::lead::{Lead, LeadCounts, LeadStatus};
use crate::error::AppResult;
use chrono::{DateTime, Utc};

macro_rules! columns {
    () => {
        "id, name, company, job_title, website, email, phone, value, currency, note, source, \
         utm_source, utm_medium, utm_campaign, utm_term, utm_content, status, discard_reason, \
         deal_id, owner_id, captured_by, form_id, created_at, updated_at, version"
    };
}

/// Keeps `l`; `false` (and nothing changed) when a lead with its id is kept already.
pub async fn insert(tx: &mut Tx, l: &Lead) -> AppResult<bool> {
    let sql = concat!(
        "INSERT INTO leads (",
        columns!(),
        ", name_key, phone_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) \
         ON CONFLICT (id) DO NOTHING"
    );
    Ok(on!(tx, |c| sqlx::query(sql)
        .bind(l.id)
        .bind(&l.name)
        .bind(&l.company)
        .bind(&l.job_title)
        .bind(&l.website)
        .bind(&l.email)
        .bind(&l.phone)
        .bind(l.value)
        .bind(&l.currency)
        .bind(&l.note)
        .bind(&l.source)
        .bind(&l.utm_source)
        .bind(&l.utm_medium)
        .bind(&l.utm_campaign)
        .bind(&l.utm_term)
        .bind(&l.utm_content)
        .bind(l.status)
        .bind(&l.discard_reason)
        .bind(l.deal_id)
        .bind(l.owner_id)
        .bind(l.captured_by)
        .bind(l.form_id)
        .bind(l.created_at)
        .bind(l.updated_at)
        .bind(l.version)
        .bind(fold_name(&l.name))
        .bind(l.phone.as_deref().and_then(phone_key))
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))?)
}

/// Saves what a second capture added to `l`, read at `read_version`.
pub async fn amend(tx: &mut Tx, l: &Lead, read_version: i64) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE leads SET company = $3, job_title = $4, website = $5, email = $6, phone = $7, \
         phone_key = $8, source = $9, value = $10, currency = $11, note = $12, updated_at = $13, \
         version = $14 WHERE id = $1 AND version = $2"
    )
    .bind(l.id)
    .bind(read_version)
    .bind(&l.company)
    .bind(&l.job_title)
    .bind(&l.website)
    .bind(&l.email)
    .bind(&l.phone)
    .bind(l.phone.as_deref().and_then(phone_key))
    .bind(&l.source)
    .bind(l.value)
    .bind(&l.currency)
    .bind(&l.note)
    .bind(l.updated_at)
    .bind(l.version)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Leads that may be the person in `c`: the same email, the same phone key, or a name
/// that begins alike (the caller compares them closely). At most 200, newest first.
pub async fn candidates(tx: &mut Tx, c: &Contact<'_>) -> AppResult<Vec<Lead>> {
    let email = c.email.map(|e| e.trim().to_lowercase());
    let phone = c.phone.and_then(phone_key);
    let folded = fold_name(c.name);
    let prefix: String = folded.chars().take(2).collect();
    let pattern = (prefix.chars().count() == 2).then(|| format!("{prefix}%"));
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM leads WHERE email = $1 OR phone_key = $2 OR name_key LIKE $3 \
         ORDER BY created_at DESC, id DESC LIMIT 200"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Lead>(sql)
        .bind(&email)
        .bind(&phone)
        .bind(&pattern)
        .fetch_all(c)
        .await)?)
}

pub async fn find(tx: &mut Tx, id: LeadId) -> AppResult<Option<Lead>> {
    let sql = concat!("SELECT ", columns!(), " FROM leads WHERE id = $1");
    Ok(on!(tx, |c| sqlx::query_as::<_, Lead>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Saves what qualifying, discarding or assigning did to `l`, read at `read_version`;
/// `false` when someone else got there first.
pub async fn settle(tx: &mut Tx, l: &Lead, read_version: i64) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE leads SET status = $3, discard_reason = $4, deal_id = $5, updated_at = $6, \
         version = $7, owner_id = $8 WHERE id = $1 AND version = $2"
    )
    .bind(l.id)
    .bind(read_version)
    .bind(l.status)
    .bind(&l.discard_reason)
    .bind(l.deal_id)
    .bind(l.updated_at)
    .bind(l.version)
    .bind(l.owner_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Which leads a list shows.
#[derive(Clone, Debug, Default)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub source: Option<String>,
    pub limit: i64,
}

/// Newest first.
pub async fn list(tx: &mut Tx, f: &LeadFilter) -> AppResult<Vec<Lead>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM leads WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR source = $2) \
         ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Lead>(sql)
        .bind(f.status)
        .bind(&f.source)
        .bind(f.limit)
        .fetch_all(c)
        .await)?)
}

/// How many leads there are in each state.
pub async fn counts(tx: &mut Tx) -> AppResult<LeadCounts> {
    let rows = on!(tx, |c| sqlx::query_as::<_, (LeadStatus, i64)>(
        "SELECT status, COUNT(*) FROM leads GROUP BY status"
    )
    .fetch_all(c)
    .await)?;
    let mut counts = LeadCounts::default();
    for (status, n) in rows {
        match status {
            LeadStatus::New => counts.new = n,
            LeadStatus::Qualified => counts.qualified = n,
            LeadStatus::Discarded => counts.discarded = n,
        }
    }
    Ok(counts)
}

/// New leads per source: how many and when the oldest came in (the 50 largest).
pub async fn new_by_source(tx: &mut Tx) -> AppResult<Vec<(Option<String>, i64, DateTime<Utc>)>> {
    Ok(on!(tx, |c| sqlx::query_as::<
        _,
        (Option<String>, i64, DateTime<Utc>),
    >(
        "SELECT source, COUNT(*), MIN(created_at) FROM leads WHERE status = 'new' \
         GROUP BY source ORDER BY COUNT(*) DESC LIMIT 50"
    )
    .fetch_all(c)
    .await)?)
}

/// The sources leads were captured with, most used first (at most 50).
pub async fn sources(tx: &mut Tx) -> AppResult<Vec<String>> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT source FROM leads WHERE source IS NOT NULL \
         GROUP BY source ORDER BY COUNT(*) DESC, source LIMIT 50"
    )
    .fetch_all(c)
    .await)?)
}

/// The last lead `user` captured.
pub async fn last_captured_by(tx: &mut Tx, user: UserId) -> AppResult<Option<Lead>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM leads WHERE captured_by = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Lead>(sql)
        .bind(user)
        .fetch_optional(c)
        .await)?)
}

/// The leads of a person (or an organization), as their page lists them, newest
/// first: those qualified into their deals, and those still carrying their email (or,
/// for an organization, its name as the company).
pub async fn lines(
    tx: &mut Tx,
    person: Option<(PersonId, Option<&str>)>,
    organization: Option<(OrganizationId, &str)>,
) -> AppResult<Vec<LeadLine>> {
    type Row = (LeadId, String, LeadStatus, Option<String>, DateTime<Utc>);
    let (person_id, email) = person.map_or((None, None), |(id, e)| (Some(id), e));
    let (org_id, company) = organization.map_or((None, None), |(id, n)| (Some(id), Some(n)));
    let rows = on!(tx, |c| sqlx::query_as::<_, Row>(
        "SELECT id, name, status, source, created_at FROM leads \
         WHERE deal_id IN (SELECT id FROM deals WHERE ($1 IS NOT NULL AND person_id = $1) \
                           OR ($2 IS NOT NULL AND organization_id = $2)) \
            OR ($3 IS NOT NULL AND email = $3) \
            OR ($4 IS NOT NULL AND LOWER(company) = LOWER($4)) \
         ORDER BY created_at DESC, id LIMIT 200"
    )
    .bind(person_id)
    .bind(org_id)
    .bind(email)
    .bind(company)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, status, source, created_at)| LeadLine {
            id,
            name,
            status,
            source,
            created_at,
        })
        .collect())
}
