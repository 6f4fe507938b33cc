//! What every request handler and server function is given: the database and settings.
//! Handed to server functions by context, never held in a global.

use super::auth::Cookies;
use super::db::Db;
use super::live::Hub;
use super::ops::import::Imports;
use super::throttle::{IntakeThrottle, SignInThrottle};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

/// How Tend is reached, as the operator configured it (the server's `config` reads it).
#[derive(Clone, Debug, Default)]
pub struct Site {
    /// The origin people use, e.g. `https://tend.example.com`, when it is known.
    pub public_origin: Option<String>,
    /// Mark cookies `Secure` even without an https public origin.
    pub secure_cookies: bool,
    /// A header set by a trusted reverse proxy that names the client's address (such as
    /// `x-forwarded-for`, whose last entry is used); without it, the peer address is.
    pub client_ip_header: Option<String>,
}

impl Site {
    /// Served over https: cookies are `Secure` and browsers are told to stay on https.
    pub fn is_https(&self) -> bool {
        self.secure_cookies
            || self
                .public_origin
                .as_deref()
                .is_some_and(|o| o.starts_with("https://"))
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub site: Site,
    pub cookies: Cookies,
    pub sign_in_throttle: SignInThrottle,
    pub intake_throttle: IntakeThrottle,
    /// Hands every change in the log to the open live streams.
    pub hub: Hub,
    /// The imports being written, and how far each has got.
    pub imports: Imports,
}

impl AppState {
    /// The state of a running server (its hub starts on the current runtime).
    pub fn new(db: Db, leptos_options: LeptosOptions, site: Site) -> Self {
        AppState {
            hub: Hub::start(db.clone()),
            db,
            leptos_options,
            cookies: Cookies {
                secure: site.is_https(),
            },
            site,
            sign_in_throttle: SignInThrottle::default(),
            intake_throttle: IntakeThrottle::default(),
            imports: Imports::default(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
