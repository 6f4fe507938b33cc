//! Pauses sign-in after too many wrong passwords, per email and per client address (the
//! rules are in `domain::throttle`). Kept in memory: a restart forgets, which costs an
//! attacker a restart they cannot cause. Memory is bounded whatever emails are tried:
//! each ledger holds at most `MAX_KEYS` keys, and when it is full the keys whose newest
//! try is oldest are forgotten first.

use crate::domain::throttle::{paused_message, Failures, Limit, Paused, PER_ADDRESS, PER_EMAIL};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Keys kept per ledger: about 3 MB at most with 254-character emails.
pub const MAX_KEYS: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct SignInThrottle(Arc<Mutex<Ledgers>>);

#[derive(Debug, Default)]
struct Ledgers {
    emails: Ledger<String>,
    addresses: Ledger<IpAddr>,
}

/// A try that was allowed and counts against its email and address until it is known
/// to be right.
#[derive(Debug)]
#[must_use = "a reservation is settled with `succeeded` or kept as a failure"]
pub struct Reservation {
    email: String,
    address: IpAddr,
}

impl SignInThrottle {
    /// Takes a try for `email` from `address`, or refuses while either is paused. The
    /// check and the reservation happen under one lock, so of any number of parallel
    /// tries at most the limit's worth get to have their password checked.
    pub fn reserve(
        &self,
        email: &str,
        address: IpAddr,
        now: DateTime<Utc>,
    ) -> AppResult<Reservation> {
        let mut l = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wait) = l.addresses.wait(&address, now, PER_ADDRESS) {
            return Err(AppError::Throttled(paused_message(Paused::Address(wait))));
        }
        if let Some(wait) = l.emails.wait(email, now, PER_EMAIL) {
            return Err(AppError::Throttled(paused_message(Paused::Email(wait))));
        }
        l.emails.record(email.to_string(), now);
        l.addresses.record(address, now);
        Ok(Reservation {
            email: email.to_string(),
            address,
        })
    }

    /// The password was right: the email's slate is wiped and the address gets its try
    /// back.
    pub fn succeeded(&self, r: Reservation) {
        let mut l = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        l.emails.forget(&r.email);
        l.addresses.release(&r.address);
    }

    /// How many emails and addresses are remembered (for tests and benchmarks).
    pub fn remembered(&self) -> (usize, usize) {
        let l = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (l.emails.0.len(), l.addresses.0.len())
    }
}

/// Slows web-form intake: each form takes at most `PER_FORM` submissions, and each
/// client address `PER_SENDER`, in any 15 minutes (submissions refused as spam count
/// too, so a bot's flood stops as soon as an honest sender's would).
#[derive(Clone, Debug, Default)]
pub struct IntakeThrottle(Arc<Mutex<IntakeLedgers>>);

#[derive(Debug, Default)]
struct IntakeLedgers {
    forms: Ledger<String>,
    addresses: Ledger<IpAddr>,
}

/// Submissions one form takes in 15 minutes: a busy campaign's worth.
pub const PER_FORM: Limit = Limit { tries: 300 };
/// Submissions one client address sends in 15 minutes: an office, not a bot.
pub const PER_SENDER: Limit = Limit { tries: 10 };

impl IntakeThrottle {
    /// Counts a submission to `form` from `address`, or refuses it while either has
    /// sent too many.
    pub fn take(&self, form: &str, address: IpAddr, now: DateTime<Utc>) -> AppResult<()> {
        let mut l = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let wait = l
            .addresses
            .wait(&address, now, PER_SENDER)
            .or_else(|| l.forms.wait(form, now, PER_FORM));
        if let Some(wait) = wait {
            let minutes = (wait.num_seconds() + 59) / 60;
            return Err(AppError::Throttled(format!(
                "Too many submissions: please try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )));
        }
        l.forms.record(form.to_string(), now);
        l.addresses.record(address, now);
        Ok(())
    }
}

#[derive(Debug)]
struct Ledger<K>(HashMap<K, Failures>);

impl<K> Default for Ledger<K> {
    fn default() -> Self {
        Self(HashMap::new())
    }
}

impl<K: Hash + Eq + Clone> Ledger<K> {
    fn wait<Q>(&mut self, key: &Q, now: DateTime<Utc>, limit: Limit) -> Option<chrono::Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get_mut(key)?.wait(now, limit)
    }

    fn record(&mut self, key: K, now: DateTime<Utc>) {
        if !self.0.contains_key(&key) && self.0.len() >= MAX_KEYS {
            self.0.retain(|_, f| !f.is_empty(now));
            if self.0.len() >= MAX_KEYS {
                // Forget the stalest tenth at once, so a flood pays for this sweep once
                // per thousand new keys rather than on every one.
                let mut latest: Vec<_> = self.0.values().map(Failures::latest).collect();
                let cut = MAX_KEYS / 10;
                let (_, cutoff, _) = latest.select_nth_unstable(cut);
                let cutoff = *cutoff;
                self.0.retain(|_, f| f.latest() > cutoff);
            }
        }
        self.0.entry(key).or_default().record(now);
    }

    fn release(&mut self, key: &K) {
        if let Some(f) = self.0.get_mut(key) {
            f.release();
        }
    }

    fn forget<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));

    #[test]
    fn parallel_tries_beyond_the_limit_are_refused_before_any_is_checked() {
        let t = SignInThrottle::default();
        let now = Utc::now();
        let allowed = (0..20)
            .filter(|_| t.reserve("anna@example.com", HOME, now).is_ok())
            .count();
        assert_eq!(allowed, PER_EMAIL.tries);
    }

    #[test]
    fn a_sender_is_paused_after_ten_submissions_and_another_sender_is_not() {
        let t = IntakeThrottle::default();
        let now = Utc::now();
        let allowed = (0..15)
            .filter(|_| t.take("tf_a", HOME, now).is_ok())
            .count();
        assert_eq!(allowed, PER_SENDER.tries);
        let other = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(t.take("tf_a", other, now).is_ok());
        let later = now + chrono::Duration::minutes(16);
        assert!(t.take("tf_a", HOME, later).is_ok(), "the window has passed");
    }

    #[test]
    fn a_right_password_wipes_the_emails_slate() {
        let t = SignInThrottle::default();
        let now = Utc::now();
        for _ in 0..PER_EMAIL.tries - 1 {
            let _kept_as_failure = t.reserve("anna@example.com", HOME, now).unwrap();
        }
        let right = t.reserve("anna@example.com", HOME, now).unwrap();
        t.succeeded(right);
        assert!(t.reserve("anna@example.com", HOME, now).is_ok());
    }

    #[test]
    fn one_address_trying_many_emails_is_paused() {
        let t = SignInThrottle::default();
        let now = Utc::now();
        for i in 0..PER_ADDRESS.tries {
            let _failed = t
                .reserve(&format!("user{i}@example.com"), HOME, now)
                .unwrap();
        }
        let err = t.reserve("someone@example.com", HOME, now).unwrap_err();
        assert!(err.to_string().contains("from your network"), "{err}");
        let elsewhere = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(t.reserve("someone@example.com", elsewhere, now).is_ok());
    }

    #[test]
    fn memory_stays_bounded_whatever_emails_are_tried() {
        let t = SignInThrottle::default();
        let now = Utc::now();
        for i in 0..(3 * MAX_KEYS as u32) {
            let address = IpAddr::V4(Ipv4Addr::from(i));
            let _ = t.reserve(&format!("made-up-{i}@example.com"), address, now);
        }
        let (emails, addresses) = t.remembered();
        assert!(
            emails <= MAX_KEYS && addresses <= MAX_KEYS,
            "{emails} {addresses}"
        );
    }
}
