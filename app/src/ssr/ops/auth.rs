//! Users, sessions and API tokens.

use crate::domain::event::instant;
use crate::domain::ids::{ApiTokenId, UserId};
use crate::domain::user::{check_new_password, parse_email, user_name, User};
use crate::error::{AppError, AppResult};
use crate::ssr::auth::{
    digest, hash_password, new_secret, verify_password, DUMMY_HASH, SESSION_DAYS,
};
use crate::ssr::db::{api_tokens, sessions, users, Db};
use crate::ssr::throttle::SignInThrottle;
use crate::ssr::token_cache::TokenCache;
use chrono::{DateTime, Duration, Utc};

pub async fn create_user(
    db: &Db,
    email: &str,
    name: &str,
    password: &str,
    is_admin: bool,
    at: DateTime<Utc>,
) -> AppResult<User> {
    let email = parse_email(email)?;
    let name = user_name(name)?;
    check_new_password(password)?;
    let row = users::UserRow {
        id: UserId::new(),
        email,
        name,
        password_hash: hash_password(password.to_string()).await?,
        is_admin,
        created_at: instant(at),
    };
    let mut tx = db.write().await?;
    if users::find_by_email(&mut tx, &row.email).await?.is_some() {
        return Err(AppError::invalid(
            "email",
            "is already used by another user",
        ));
    }
    users::insert(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(row.user())
}

/// Checks an email and password and opens a new session; returns the user and the
/// session's secret for the cookie. A new session each time is the rotation: a
/// cookie planted before sign-in is never promoted. After too many wrong passwords for
/// one email, tries for it are refused for a while, right or wrong.
pub async fn sign_in(
    db: &Db,
    throttle: &SignInThrottle,
    email: &str,
    password: &str,
    at: DateTime<Utc>,
) -> AppResult<(User, String)> {
    let refused = || AppError::invalid("password", "That email and password do not match.");
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid("email", "is required"));
    }
    throttle.check(&email, at)?;
    let mut tx = db.read().await?;
    let row = users::find_by_email(&mut tx, &email).await?;
    drop(tx);
    let Some(row) = row else {
        verify_password(password.to_string(), DUMMY_HASH.to_string()).await;
        throttle.failed(&email, at);
        return Err(refused());
    };
    if !verify_password(password.to_string(), row.password_hash.clone()).await {
        throttle.failed(&email, at);
        return Err(refused());
    }
    throttle.succeeded(&email);
    let secret = new_secret("s_");
    let at = instant(at);
    let mut tx = db.write().await?;
    sessions::delete_expired(&mut tx, at).await?;
    sessions::insert(
        &mut tx,
        &digest(&secret),
        row.id,
        at,
        at + Duration::days(SESSION_DAYS),
    )
    .await?;
    tx.commit().await?;
    Ok((row.user(), secret))
}

pub async fn sign_out(db: &Db, secret: &str) -> AppResult<()> {
    let mut tx = db.write().await?;
    sessions::delete(&mut tx, &digest(secret)).await?;
    tx.commit().await
}

/// The user behind a session cookie's secret.
pub async fn session_user(db: &Db, secret: &str, now: DateTime<Utc>) -> AppResult<User> {
    sessions::user_of(db, &digest(secret), now)
        .await?
        .map(|r| r.user())
        .ok_or(AppError::Unauthenticated)
}

/// Creates an API token for the user with `email`; the secret is shown once.
pub async fn create_token(
    db: &Db,
    email: &str,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<String> {
    let email = parse_email(email)?;
    let mut tx = db.write().await?;
    let Some(user) = users::find_by_email(&mut tx, &email).await? else {
        return Err(AppError::NotFound(format!("A user with email {email}")));
    };
    let secret = new_secret("tend_");
    api_tokens::insert(
        &mut tx,
        ApiTokenId::new(),
        user.id,
        &digest(&secret),
        name,
        instant(at),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// The user behind an API bearer token, from `cache` when it was looked up moments ago.
pub async fn token_user(db: &Db, cache: &TokenCache, secret: &str) -> AppResult<User> {
    let hash = digest(secret);
    let now = std::time::Instant::now();
    if let Some(user) = cache.get(&hash, now) {
        return Ok(user);
    }
    let user = api_tokens::user_of(db, &hash)
        .await?
        .map(|r| r.user())
        .ok_or(AppError::Unauthenticated)?;
    cache.put(hash, user.clone(), now);
    Ok(user)
}

pub async fn list_users(db: &Db) -> AppResult<Vec<User>> {
    let mut tx = db.read().await?;
    users::list(&mut tx).await
}

pub async fn user_count(db: &Db) -> AppResult<i64> {
    let mut tx = db.read().await?;
    users::count(&mut tx).await
}
