//! Components and pages, one folder per feature. Components render numbers that the
//! domain computed; they never compute business numbers themselves.

// Shared by every page, and all the meeting-room screen's wasm holds (see `tv`).
pub mod charts;
pub mod live;
pub mod sheets;
pub mod tables;
pub mod tv;
pub mod widgets;

// The signed-in app: its router and pages (feature `pages`: the server and the main
// wasm, not the screen's).
#[cfg(feature = "pages")]
pub mod admin;
#[cfg(feature = "pages")]
pub mod auth;
#[cfg(feature = "pages")]
pub mod board;
#[cfg(feature = "pages")]
pub mod contacts;
#[cfg(feature = "pages")]
pub mod deal;
#[cfg(feature = "pages")]
pub mod forecast;
#[cfg(feature = "pages")]
pub mod history;
#[cfg(feature = "pages")]
pub mod leads;
#[cfg(feature = "pages")]
pub mod present;
#[cfg(feature = "pages")]
pub mod reports;
#[cfg(feature = "pages")]
mod routes;
#[cfg(feature = "pages")]
pub use routes::{shell, App};
