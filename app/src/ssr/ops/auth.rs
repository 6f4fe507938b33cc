//! Users, sessions and API tokens: signing in and out, and ending someone's access.

use super::Operator;
use crate::domain::event::instant;
use crate::domain::ids::{ApiTokenId, UserId};
use crate::domain::user::{
    check_new_password, check_password, parse_email, token_name, user_name, Account, ApiToken, User,
};
use crate::error::{AppError, AppResult};
use crate::ssr::auth::{
    digest, hash_password, new_secret, verify_password, DUMMY_HASH, SESSION_DAYS,
    SESSION_IDLE_DAYS, SESSION_TOUCH_MINUTES,
};
use crate::ssr::db::{api_tokens, sessions, users, Db, Tx};
use crate::ssr::throttle::SignInThrottle;
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// Where security events are logged, so they can be routed apart from the rest.
pub const SECURITY_LOG: &str = "tend::security";

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
        disabled_at: None,
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

/// A sign-in as it arrives: what was typed, from where, and the session the browser
/// held before, if any (which the new one replaces).
pub struct SignIn<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub address: IpAddr,
    pub previous: Option<&'a str>,
}

/// Checks an email and password and opens a new session; returns the user and the
/// session's secret for the cookie. A new session each time is the rotation: a cookie
/// planted before sign-in is never promoted, and the browser's old session ends. Too
/// many wrong passwords for one email, or from one address, pause sign-in for a while.
pub async fn sign_in(
    db: &Db,
    throttle: &SignInThrottle,
    attempt: SignIn<'_>,
    at: DateTime<Utc>,
) -> AppResult<(User, String)> {
    let refused = || AppError::invalid("password", "That email and password do not match.");
    if attempt.email.trim().is_empty() {
        return Err(AppError::invalid("email", "is required"));
    }
    let email = parse_email(attempt.email)?;
    check_password(attempt.password)?;
    let address = attempt.address;
    let reservation = throttle.reserve(&email, address, at).inspect_err(|_| {
        tracing::warn!(target: SECURITY_LOG, event = "sign_in_paused", %email, %address);
    })?;
    let mut tx = db.read().await?;
    let row = users::find_by_email(&mut tx, &email).await?;
    drop(tx);
    let hash = row
        .as_ref()
        .map_or(DUMMY_HASH.to_string(), |r| r.password_hash.clone());
    let right = verify_password(attempt.password.to_string(), hash).await?;
    let Some(row) = row.filter(|_| right) else {
        tracing::warn!(target: SECURITY_LOG, event = "sign_in_failed", %email, %address);
        return Err(refused());
    };
    throttle.succeeded(reservation);
    if row.disabled_at.is_some() {
        // Said only to someone who knows the password, so it reveals nothing to a guesser.
        tracing::warn!(target: SECURITY_LOG, event = "sign_in_disabled", %email, %address);
        return Err(AppError::Refused(
            "This account is disabled. Ask an admin to enable it.".into(),
        ));
    }
    let secret = new_secret("s_");
    let at = instant(at);
    let mut tx = db.write().await?;
    sessions::delete_expired(&mut tx, at, idle_since(at)).await?;
    if let Some(previous) = attempt.previous {
        sessions::delete(&mut tx, &digest(previous)).await?;
    }
    sessions::insert(
        &mut tx,
        &digest(&secret),
        row.id,
        at,
        at + Duration::days(SESSION_DAYS),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(target: SECURITY_LOG, event = "sign_in", %email, %address, user_id = %row.id);
    Ok((row.user(), secret))
}

fn idle_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(SESSION_IDLE_DAYS)
}

pub async fn sign_out(db: &Db, secret: &str) -> AppResult<()> {
    let mut tx = db.write().await?;
    sessions::delete(&mut tx, &digest(secret)).await?;
    tx.commit().await
}

/// The user behind a session cookie's secret. A session in use is marked as seen every
/// few minutes, which keeps it from going idle.
pub async fn session_user(db: &Db, secret: &str, now: DateTime<Utc>) -> AppResult<User> {
    let hash = digest(secret);
    let live = sessions::user_of(db, &hash, now, idle_since(now))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if live.last_seen_at < now - Duration::minutes(SESSION_TOUCH_MINUTES) {
        let mut tx = db.write().await?;
        sessions::touch(&mut tx, &hash, instant(now)).await?;
        tx.commit().await?;
    }
    Ok(live.user.user())
}

/// Creates an API token for the user with `email`; the secret is shown once.
pub async fn create_token(
    db: &Db,
    email: &str,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<String> {
    let name = token_name(name)?;
    let mut tx = db.write().await?;
    let user = user_by_email(&mut tx, email).await?;
    let secret = new_secret("tend_");
    api_tokens::insert(
        &mut tx,
        ApiTokenId::new(),
        user.id,
        &digest(&secret),
        &name,
        instant(at),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// The user behind an API bearer token. Looked up on every call, so a revoked token or
/// a disabled user stops at once, whichever process made the change.
pub async fn token_user(db: &Db, secret: &str) -> AppResult<User> {
    api_tokens::user_of(db, &digest(secret))
        .await?
        .map(|r| r.user())
        .ok_or(AppError::Unauthenticated)
}

/// API tokens, newest first; only those of the user with `email` when one is named.
pub async fn list_tokens(
    db: &Db,
    by: Operator<'_>,
    email: Option<&str>,
) -> AppResult<Vec<ApiToken>> {
    by.require_admin()?;
    let mut tx = db.read().await?;
    let user = match email {
        Some(email) => Some(user_by_email(&mut tx, email).await?.id),
        None => None,
    };
    api_tokens::list(&mut tx, user).await
}

/// Revokes a token: the next call with it is refused.
pub async fn revoke_token(
    db: &Db,
    by: Operator<'_>,
    id: ApiTokenId,
    at: DateTime<Utc>,
) -> AppResult<()> {
    by.require_admin()?;
    let mut tx = db.write().await?;
    if !api_tokens::revoke(&mut tx, id, instant(at)).await? {
        return Err(AppError::NotFound(format!("A live API token with id {id}")));
    }
    tx.commit().await?;
    tracing::info!(target: SECURITY_LOG, event = "token_revoked", token_id = %id, by = %by);
    Ok(())
}

/// Ends someone's access: they cannot sign in, their sessions end and their API tokens
/// are revoked, all in one transaction.
pub async fn disable_user(
    db: &Db,
    by: Operator<'_>,
    email: &str,
    at: DateTime<Utc>,
) -> AppResult<Account> {
    by.require_admin()?;
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut row = user_by_email(&mut tx, email).await?;
    if by.is(row.id) {
        return Err(AppError::Refused("You cannot disable yourself.".into()));
    }
    if row.disabled_at.is_none() {
        users::set_disabled(&mut tx, row.id, Some(at)).await?;
        row.disabled_at = Some(at);
    }
    sessions::delete_for_user(&mut tx, row.id).await?;
    api_tokens::revoke_for_user(&mut tx, row.id, at).await?;
    tx.commit().await?;
    tracing::info!(target: SECURITY_LOG, event = "user_disabled", email = %row.email, by = %by);
    Ok(row.account())
}

/// Lets a disabled user sign in again (with a password; revoked tokens stay revoked).
pub async fn enable_user(db: &Db, by: Operator<'_>, email: &str) -> AppResult<Account> {
    by.require_admin()?;
    let mut tx = db.write().await?;
    let mut row = user_by_email(&mut tx, email).await?;
    users::set_disabled(&mut tx, row.id, None).await?;
    row.disabled_at = None;
    tx.commit().await?;
    tracing::info!(target: SECURITY_LOG, event = "user_enabled", email = %row.email, by = %by);
    Ok(row.account())
}

/// Gives a user a new password and ends all their sessions.
pub async fn set_password(
    db: &Db,
    by: Operator<'_>,
    email: &str,
    password: &str,
) -> AppResult<Account> {
    by.require_admin()?;
    check_new_password(password)?;
    let hash = hash_password(password.to_string()).await?;
    let mut tx = db.write().await?;
    let row = user_by_email(&mut tx, email).await?;
    users::set_password(&mut tx, row.id, &hash).await?;
    sessions::delete_for_user(&mut tx, row.id).await?;
    tx.commit().await?;
    tracing::info!(target: SECURITY_LOG, event = "password_set", email = %row.email, by = %by);
    Ok(row.account())
}

async fn user_by_email(tx: &mut Tx, email: &str) -> AppResult<users::UserRow> {
    let email = parse_email(email)?;
    users::find_by_email(tx, &email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("A user with email {email}")))
}

pub async fn accounts(db: &Db, by: Operator<'_>) -> AppResult<Vec<Account>> {
    by.require_admin()?;
    let mut tx = db.read().await?;
    users::accounts(&mut tx).await
}

pub async fn user_count(db: &Db) -> AppResult<i64> {
    let mut tx = db.read().await?;
    users::count(&mut tx).await
}
