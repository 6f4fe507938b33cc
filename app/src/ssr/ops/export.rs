//! Whole tables for a spreadsheet or another CRM: deals, people, organizations and
//! leads, each read in one snapshot, holding only what the caller may see.

use super::{contacts, deals as deal_ops, leads as lead_ops};
use crate::domain::contact::{OrganizationRow, PersonRow};
use crate::domain::lead::Lead;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::deals::ExportRow;
use crate::ssr::db::leads::LeadFilter;
use crate::ssr::db::{deals, leads, organizations, persons, Db};

/// The most rows one export holds.
pub const EXPORT_MAX: i64 = 1_000_000;

pub async fn deals(db: &Db, caller: &User) -> AppResult<Vec<ExportRow>> {
    let mut tx = db.read().await?;
    let rows = deals::export(&mut tx, EXPORT_MAX).await?;
    Ok(rows
        .into_iter()
        .filter(|d| deal_ops::can_see(caller, d.id))
        .collect())
}

pub async fn people(db: &Db, caller: &User) -> AppResult<Vec<PersonRow>> {
    seen(caller)?;
    let mut tx = db.read().await?;
    persons::list(&mut tx, None, None, EXPORT_MAX).await
}

pub async fn organizations(db: &Db, caller: &User) -> AppResult<Vec<OrganizationRow>> {
    seen(caller)?;
    let mut tx = db.read().await?;
    organizations::list(&mut tx, None, EXPORT_MAX).await
}

pub async fn leads(db: &Db, caller: &User) -> AppResult<Vec<Lead>> {
    let mut tx = db.read().await?;
    let every = LeadFilter {
        status: None,
        source: None,
        limit: EXPORT_MAX,
    };
    let rows = leads::list(&mut tx, &every).await?;
    Ok(rows
        .into_iter()
        .filter(|l| lead_ops::can_see(caller, l.id))
        .collect())
}

fn seen(caller: &User) -> AppResult<()> {
    if contacts::can_see(caller) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
