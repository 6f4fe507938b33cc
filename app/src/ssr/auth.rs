//! Passwords, secrets and cookies. Passwords are Argon2id; session and API tokens are
//! random 256-bit secrets of which only a SHA-256 digest is stored.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// A session ends this long after sign-in, however busy it is.
pub const SESSION_DAYS: i64 = 30;
/// A session ends after this long unused.
pub const SESSION_IDLE_DAYS: i64 = 7;
/// How stale a session's "last seen" may get before a request writes it again: one write
/// per session every few minutes, not one per request.
pub const SESSION_TOUCH_MINUTES: i64 = 5;

/// Argon2id takes 19 MiB and a core for tens of milliseconds. Password checks run on
/// a few threads of their own, one per core, whatever arrives: the machine's cores and
/// memory are the resources guarded, so the pool is process-wide. Each thread reuses
/// its own memory, so hashing holds at most cores × 19 MiB however many sign-ins come
/// (on tokio's blocking pool every new thread would keep a 19 MiB arena of its own).
/// A check that cannot start within `HASH_QUEUE_WAIT` is refused as busy instead of
/// queueing without end.
static HASHING: LazyLock<HashPool> = LazyLock::new(HashPool::start);
pub const HASH_QUEUE_WAIT: Duration = Duration::from_secs(3);

type Job = Box<dyn FnOnce() + Send>;

struct HashPool {
    jobs: std::sync::mpsc::SyncSender<Job>,
    free: Semaphore,
}

impl HashPool {
    fn start() -> HashPool {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(threads);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("tend-hash-{i}"))
                .spawn(move || loop {
                    let job = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        HashPool {
            jobs,
            free: Semaphore::new(threads),
        }
    }
}

/// Runs `work` (a hash) on a hashing thread once one is free for it.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let permit = tokio::time::timeout(HASH_QUEUE_WAIT, HASHING.free.acquire())
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|e| AppError::internal(&e))?;
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
        // Held until the work is done, even when its caller has gone away, so there
        // are never more jobs than threads.
        drop(permit);
    });
    // A permit is a thread's worth of room in the queue.
    HASHING
        .jobs
        .try_send(job)
        .map_err(|_| AppError::Internal("the hashing threads are gone".into()))?;
    result.await.map_err(|e| AppError::internal(&e))
}

pub async fn hash_password(password: String) -> AppResult<String> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing: {e}")))
    })
    .await?
}

pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    hashing(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}

/// A hash that no password matches, checked when the email is unknown so that a
/// wrong email takes as long as a wrong password.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3z4YxQ0n2bUo8tU3Qe3L1m3hH3tmKQ2lq5m3bP1sZtY";

/// A new random secret, as text to hand out once.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// How the session cookie is written. Served over https it is `Secure` and carries the
/// `__Host-` prefix, which browsers accept only from a secure origin, for the whole
/// site and with no `Domain`: a neighbouring subdomain cannot plant or overwrite it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cookies {
    pub secure: bool,
}

impl Cookies {
    pub fn name(self) -> &'static str {
        if self.secure {
            "__Host-tend_session"
        } else {
            "tend_session"
        }
    }

    pub fn session(self, token: &str) -> String {
        self.write(token, SESSION_DAYS * 24 * 3600)
    }

    pub fn cleared(self) -> String {
        self.write("", 0)
    }

    fn write(self, value: &str, max_age: i64) -> String {
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
            self.name(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The session token in a `Cookie` header, if any.
    pub fn token(self, headers: &axum::http::HeaderMap) -> Option<String> {
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name())
            .map(|(_, value)| value.to_string())
            .filter(|v| !v.is_empty())
    }
}

/// The address a request came from, as the server established it (the peer, or what a
/// trusted proxy said); put in the request's extensions by the server's middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    /// The request's client address; the unspecified address when nobody set it.
    pub fn of(extensions: &axum::http::Extensions) -> std::net::IpAddr {
        extensions
            .get::<ClientAddr>()
            .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| {
                c.0
            })
    }
}

/// The bearer token in an `Authorization` header, if any.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse battery".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse battery".into(), hash)
            .await
            .unwrap());
    }

    #[test]
    fn the_stand_in_hash_for_unknown_emails_is_a_real_argon2id_hash() {
        // Were it malformed, checking it would return at once and an unknown email
        // would answer faster than a known one.
        let parsed = PasswordHash::new(DUMMY_HASH).expect("a PHC string");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let salt = SaltString::generate(&mut OsRng);
        let real = Argon2::default().hash_password(b"x", &salt).unwrap();
        assert_eq!(
            parsed.params, real.params,
            "the same cost as a real password"
        );
    }

    #[test]
    fn the_session_cookie_is_read_from_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("cookie", "a=1; tend_session=abc; b=2".parse().unwrap());
        assert_eq!(Cookies::default().token(&h).as_deref(), Some("abc"));
        assert_eq!(Cookies { secure: true }.token(&h), None);
    }

    #[test]
    fn over_https_the_cookie_is_secure_and_host_only() {
        let cookie = Cookies { secure: true }.session("x");
        assert!(cookie.starts_with("__Host-tend_session=x; Path=/; HttpOnly"));
        assert!(cookie.contains("; Secure"));
        assert!(!cookie.contains("Domain"));
        assert!(!Cookies::default().session("x").contains("Secure"));
    }
}
