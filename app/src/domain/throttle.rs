//! How many wrong passwords sign-in takes before it pauses: for one email (a guesser
//! working on one account) and for one client address (a guesser trying many accounts).
//! Argon2 makes each guess slow; this makes a run of guesses stop after a handful.
//!
//! A try is reserved *before* its password is checked, so parallel guesses cannot all
//! slip through while the first ones are still hashing; a try that turns out right gives
//! its reservation back.

use chrono::{DateTime, Duration, Utc};
use std::collections::VecDeque;

/// How many tries one key may use within `WINDOW_MINUTES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub tries: usize,
}

/// Wrong passwords allowed for one email.
pub const PER_EMAIL: Limit = Limit { tries: 5 };
/// Wrong passwords allowed from one client address (an office shares one).
pub const PER_ADDRESS: Limit = Limit { tries: 30 };
pub const WINDOW_MINUTES: i64 = 15;

/// The recent tries that count against one key.
#[derive(Clone, Debug, Default)]
pub struct Failures {
    at: VecDeque<DateTime<Utc>>,
}

impl Failures {
    pub fn record(&mut self, now: DateTime<Utc>) {
        self.forget_before(now);
        self.at.push_back(now);
    }

    /// Gives back the newest try (its password was right).
    pub fn release(&mut self) {
        self.at.pop_back();
    }

    /// `None` when another try is allowed now; otherwise how long until it is.
    pub fn wait(&mut self, now: DateTime<Utc>, limit: Limit) -> Option<Duration> {
        self.forget_before(now);
        if self.at.len() < limit.tries {
            return None;
        }
        let oldest = *self.at.front()?;
        Some(oldest + Duration::minutes(WINDOW_MINUTES) - now)
    }

    /// True when nothing recent is remembered, so the entry can be dropped.
    pub fn is_empty(&mut self, now: DateTime<Utc>) -> bool {
        self.forget_before(now);
        self.at.is_empty()
    }

    /// The newest try, to choose which entry to forget first when memory is full.
    pub fn latest(&self) -> Option<DateTime<Utc>> {
        self.at.back().copied()
    }

    fn forget_before(&mut self, now: DateTime<Utc>) {
        let horizon = now - Duration::minutes(WINDOW_MINUTES);
        while self.at.front().is_some_and(|t| *t <= horizon) {
            self.at.pop_front();
        }
    }
}

/// Which limit paused sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paused {
    Email(Duration),
    Address(Duration),
}

/// What a paused sign-in tells the person, in whole minutes rounded up.
pub fn paused_message(paused: Paused) -> String {
    let (whose, wait) = match paused {
        Paused::Email(w) => ("for this email", w),
        Paused::Address(w) => ("from your network", w),
    };
    let minutes = ((wait.num_seconds() + 59) / 60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many wrong passwords {whose}. Try again in {minutes} {unit}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn a_few_wrong_passwords_do_not_pause_sign_in() {
        let mut f = Failures::default();
        for m in 0..(PER_EMAIL.tries as i64 - 1) {
            f.record(at(m));
        }
        assert_eq!(f.wait(at(4), PER_EMAIL), None);
    }

    #[test]
    fn too_many_wrong_passwords_pause_sign_in_until_the_oldest_is_forgotten() {
        let mut f = Failures::default();
        for m in 0..PER_EMAIL.tries as i64 {
            f.record(at(m));
        }
        assert_eq!(f.wait(at(5), PER_EMAIL), Some(Duration::minutes(10)));
        assert_eq!(
            f.wait(at(WINDOW_MINUTES), PER_EMAIL),
            None,
            "the first failure has expired"
        );
    }

    #[test]
    fn a_released_try_no_longer_counts() {
        let mut f = Failures::default();
        for m in 0..PER_EMAIL.tries as i64 {
            f.record(at(m));
        }
        f.release();
        assert_eq!(f.wait(at(5), PER_EMAIL), None);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let mut f = Failures::default();
        f.record(at(0));
        assert!(!f.is_empty(at(1)));
        assert!(f.is_empty(at(WINDOW_MINUTES)));
    }

    #[test]
    fn the_pause_is_told_in_whole_minutes_and_says_whose() {
        assert_eq!(
            paused_message(Paused::Email(Duration::seconds(61))),
            "Too many wrong passwords for this email. Try again in 2 minutes."
        );
        assert_eq!(
            paused_message(Paused::Address(Duration::seconds(5))),
            "Too many wrong passwords from your network. Try again in 1 minute."
        );
    }
}
