//! Remembers for a few seconds whom an API token belongs to, so a client making many
//! calls in a row is not looked up in the database for each one. A token revoked in
//! the database stops working within `TTL`.

use crate::domain::user::User;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(10);

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// Keyed by the token's hash, like the `api_tokens` table.
#[derive(Clone, Debug, Default)]
pub struct TokenCache(Arc<Mutex<HashMap<String, (User, Instant)>>>);

impl TokenCache {
    pub fn get(&self, token_hash: &str, now: Instant) -> Option<User> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(token_hash)
            .filter(|(_, at)| now.duration_since(*at) < TTL)
            .map(|(user, _)| user.clone())
    }

    pub fn put(&self, token_hash: String, user: User, now: Instant) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= SWEEP_AT {
            map.retain(|_, (_, at)| now.duration_since(*at) < TTL);
        }
        map.insert(token_hash, (user, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    fn anna() -> User {
        User {
            id: UserId::new(),
            email: "anna@example.com".into(),
            name: "Anna".into(),
            is_admin: false,
        }
    }

    #[test]
    fn a_token_is_remembered_for_a_few_seconds_only() {
        let cache = TokenCache::default();
        let (t0, user) = (Instant::now(), anna());
        cache.put("h".into(), user.clone(), t0);
        assert_eq!(cache.get("h", t0 + Duration::from_secs(1)), Some(user));
        assert_eq!(cache.get("h", t0 + TTL), None);
        assert_eq!(cache.get("other", t0), None);
    }
}
