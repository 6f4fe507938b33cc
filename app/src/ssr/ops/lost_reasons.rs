//! The list a person picks from when a deal is lost (admins keep it).

use super::require_admin;
use crate::domain::deal::LostReason;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{lost_reasons, Db};

pub async fn list(db: &Db, _caller: &User) -> AppResult<Vec<String>> {
    let mut tx = db.read().await?;
    lost_reasons::list(&mut tx).await
}

pub async fn add(db: &Db, caller: &User, label: &str) -> AppResult<()> {
    require_admin(caller)?;
    let label = LostReason::parse(label)?.into_string();
    let mut tx = db.write().await?;
    if lost_reasons::list(&mut tx)
        .await?
        .iter()
        .any(|l| l.eq_ignore_ascii_case(&label))
    {
        return Err(AppError::invalid("reason", "is already in the list"));
    }
    let position = lost_reasons::next_position(&mut tx).await?;
    lost_reasons::insert(&mut tx, &label, position).await?;
    tx.commit().await
}

/// Removes a reason from the list; deals lost for it keep their reason.
pub async fn remove(db: &Db, caller: &User, label: &str) -> AppResult<()> {
    require_admin(caller)?;
    let mut tx = db.write().await?;
    if lost_reasons::delete(&mut tx, label).await? == 0 {
        return Err(AppError::NotFound(format!("The reason “{label}”")));
    }
    tx.commit().await
}
