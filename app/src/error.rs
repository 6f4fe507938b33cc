//! `AppError`: the one error type that crosses the wire, to the browser and to API
//! clients alike. Internal causes are logged on the server and never sent.

use crate::domain::validation::{FieldError, RuleError};
use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("You may not do that.")]
    Forbidden,
    #[error("{0} was not found.")]
    NotFound(String),
    /// Shown as its first field error; `field` says where to show it.
    #[error("{}", .0.first().map(|e| e.to_string()).unwrap_or_else(|| "That input is not valid.".into()))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Conflict(String),
    /// Too many tries in a short time; the message says when to try again.
    #[error("{0}")]
    Throttled(String),
    /// The server is at capacity for this kind of work right now; trying again soon works.
    #[error("Tend is busy right now. Please try again in a few seconds.")]
    Busy,
    /// The request body is larger than Tend accepts.
    #[error("The request is too large (at most {0} bytes).")]
    TooLarge(usize),
    #[error("Something went wrong on our side (reference {0}). Please try again.")]
    Internal(String),
    #[error("Could not reach Tend: {0}")]
    Network(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn stale() -> Self {
        Self::Conflict(
            "Someone changed this deal since you loaded it. Reload to see their change.".into(),
        )
    }

    /// The HTTP status for this error; a refusal is a 4xx, only our own faults are 5xx.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Invalid(_) => 422,
            Self::Throttled(_) => 429,
            Self::Busy => 503,
            Self::TooLarge(_) => 413,
            // A rule about the record's state ("reopen it first"): a conflict with it.
            Self::Refused(_) => 409,
            Self::Internal(_) => 500,
            Self::Network(_) => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Refused(_) => "refused",
            Self::Conflict(_) => "conflict",
            Self::Throttled(_) => "too_many_attempts",
            Self::Busy => "busy",
            Self::TooLarge(_) => "too_large",
            Self::Internal(_) => "internal",
            Self::Network(_) => "network",
        }
    }

    /// The message for one field, for showing under that input.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.to_string()),
            _ => None,
        }
    }
}

impl From<RuleError> for AppError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Invalid(f) => Self::Invalid(vec![f]),
            RuleError::Refused(m) => Self::Refused(m),
        }
    }
}

/// Server functions send errors as postcard, like the board's answers: its decoder is a
/// fraction of JSON's in wasm. (The public API sends JSON errors of its own.)
impl FromServerFnError for AppError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::invalid("request", m)
            }
            ServerFnErrorErr::Request(m) => Self::Network(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    impl AppError {
        /// Logs an internal failure with its cause chain and returns what the user sees:
        /// an apology with a reference to find the log line.
        pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
            let reference = uuid::Uuid::now_v7().simple().to_string()[20..].to_string();
            let mut chain = cause.to_string();
            let mut source = cause.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(reference, error = chain, "internal error");
            Self::Internal(reference)
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            if let sqlx::Error::RowNotFound = e {
                return Self::NotFound("The record".into());
            }
            if let Some(db) = e.as_database_error() {
                if db.is_unique_violation() {
                    return Self::Conflict("That already exists.".into());
                }
                if db.is_foreign_key_violation() {
                    return Self::invalid("id", "refers to something that does not exist");
                }
            }
            Self::internal(&e)
        }
    }

    impl From<sqlx::migrate::MigrateError> for AppError {
        fn from(e: sqlx::migrate::MigrateError) -> Self {
            Self::internal(&e)
        }
    }
}
