//! What every request handler and server function is given: the database and settings.
//! Handed to server functions by context, never held in a global.

use super::db::Db;
use super::throttle::SignInThrottle;
use super::token_cache::TokenCache;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    /// Mark cookies `Secure` (when Tend is served over https).
    pub secure_cookies: bool,
    pub sign_in_throttle: SignInThrottle,
    pub tokens: TokenCache,
}

impl AppState {
    pub fn new(db: Db, leptos_options: LeptosOptions, secure_cookies: bool) -> Self {
        AppState {
            db,
            leptos_options,
            secure_cookies,
            sign_in_throttle: SignInThrottle::default(),
            tokens: TokenCache::default(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
