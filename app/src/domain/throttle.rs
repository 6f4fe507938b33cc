//! How many wrong passwords an account takes before its sign-in pauses. Argon2 makes each
//! guess slow; this makes a run of guesses at one account stop after a handful.

use chrono::{DateTime, Duration, Utc};
use std::collections::VecDeque;

/// Wrong passwords allowed for one email within `WINDOW_MINUTES`.
pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MINUTES: i64 = 15;

/// The recent wrong passwords given for one email.
#[derive(Clone, Debug, Default)]
pub struct Failures {
    at: VecDeque<DateTime<Utc>>,
}

impl Failures {
    pub fn record(&mut self, now: DateTime<Utc>) {
        self.forget_before(now);
        self.at.push_back(now);
    }

    /// `None` when another try is allowed now; otherwise how long until it is.
    pub fn wait(&mut self, now: DateTime<Utc>) -> Option<Duration> {
        self.forget_before(now);
        if self.at.len() < MAX_FAILURES {
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

    fn forget_before(&mut self, now: DateTime<Utc>) {
        let horizon = now - Duration::minutes(WINDOW_MINUTES);
        while self.at.front().is_some_and(|t| *t <= horizon) {
            self.at.pop_front();
        }
    }
}

/// What a paused sign-in tells the person, in whole minutes rounded up.
pub fn paused_message(wait: Duration) -> String {
    let minutes = ((wait.num_seconds() + 59) / 60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many wrong passwords for this email. Try again in {minutes} {unit}.")
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
        for m in 0..(MAX_FAILURES as i64 - 1) {
            f.record(at(m));
        }
        assert_eq!(f.wait(at(4)), None);
    }

    #[test]
    fn too_many_wrong_passwords_pause_sign_in_until_the_oldest_is_forgotten() {
        let mut f = Failures::default();
        for m in 0..MAX_FAILURES as i64 {
            f.record(at(m));
        }
        assert_eq!(f.wait(at(5)), Some(Duration::minutes(10)));
        assert_eq!(
            f.wait(at(WINDOW_MINUTES)),
            None,
            "the first failure has expired"
        );
    }

    #[test]
    fn old_failures_are_forgotten() {
        let mut f = Failures::default();
        f.record(at(0));
        assert!(!f.is_empty(at(1)));
        assert!(f.is_empty(at(WINDOW_MINUTES)));
    }

    #[test]
    fn the_pause_is_told_in_whole_minutes() {
        assert_eq!(
            paused_message(Duration::seconds(61)),
            "Too many wrong passwords for this email. Try again in 2 minutes."
        );
        assert_eq!(
            paused_message(Duration::seconds(5)),
            "Too many wrong passwords for this email. Try again in 1 minute."
        );
    }
}
