//! Use-cases. Each takes the database, the caller and parsed input, runs one
//! transaction (domain rules, repository calls, event-log append) and commits.
//! Testable without HTTP.

pub mod auth;
pub mod board;
pub mod deals;
pub mod lost_reasons;
pub mod pipelines;

use crate::domain::user::User;
use crate::error::{AppError, AppResult};

pub fn require_admin(user: &User) -> AppResult<()> {
    if user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
