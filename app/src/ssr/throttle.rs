//! Pauses sign-in for an email after too many wrong passwords (the rule is in
//! `domain::throttle`). Kept in memory: a restart forgets, which costs an attacker a
//! restart they cannot cause.

use crate::domain::throttle::{paused_message, Failures};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Entries kept before expired ones are swept, so a flood of made-up emails cannot
/// grow the map without bound.
const SWEEP_AT: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct SignInThrottle(Arc<Mutex<HashMap<String, Failures>>>);

impl SignInThrottle {
    /// Refuses a try for `email` while its sign-in is paused.
    pub fn check(&self, email: &str, now: DateTime<Utc>) -> AppResult<()> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get_mut(email).and_then(|f| f.wait(now)) {
            Some(wait) => Err(AppError::Throttled(paused_message(wait))),
            None => Ok(()),
        }
    }

    pub fn failed(&self, email: &str, now: DateTime<Utc>) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= SWEEP_AT {
            map.retain(|_, f| !f.is_empty(now));
        }
        map.entry(email.to_string()).or_default().record(now);
    }

    pub fn succeeded(&self, email: &str) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(email);
    }
}
