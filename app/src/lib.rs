#![recursion_limit = "256"]
//! Tend: a real-time sales pipeline. The app is compiled twice: with `ssr` for the
//! server and with `hydrate` for the browser.

pub mod api;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;

#[cfg(feature = "pages")]
pub use ui::{shell, App};
