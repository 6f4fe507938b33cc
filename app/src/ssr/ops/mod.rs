//! Use-cases. Each takes the database, the caller and parsed input, runs one
//! transaction (domain rules, repository calls, event-log append) and commits.
//! Testable without HTTP.

pub mod auth;
pub mod board;
pub mod contacts;
pub mod deals;
pub mod displays;
pub mod export;
pub mod forecast;
pub mod history;
pub mod import;
pub mod lead_forms;
pub mod leads;
pub mod lost_reasons;
pub mod pipelines;
pub mod stats;

use crate::domain::ids::UserId;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use std::fmt;

pub fn require_admin(user: &User) -> AppResult<()> {
    if user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Who asks for an administrative change: a signed-in user (who must be an admin), or
/// the operator at the server's console (`tend user …`), who holds the database already.
#[derive(Clone, Copy, Debug)]
pub enum Operator<'a> {
    Console,
    User(&'a User),
}

impl Operator<'_> {
    pub fn require_admin(self) -> AppResult<()> {
        match self {
            Operator::Console => Ok(()),
            Operator::User(u) => require_admin(u),
        }
    }

    /// Whether the operator is the user `id` (nobody locks themselves out).
    pub fn is(self, id: UserId) -> bool {
        matches!(self, Operator::User(u) if u.id == id)
    }
}

impl fmt::Display for Operator<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operator::Console => f.write_str("console"),
            Operator::User(u) => f.write_str(&u.email),
        }
    }
}
