//! Server-only code: state, storage, use-cases and sign-in.

pub mod auth;
pub mod db;
pub mod demo;
pub mod import;
pub mod live;
pub mod ops;
pub mod replays;
pub mod state;
/// Test support (throw-away databases on both engines): built for tests and the
/// benchmark only, never shipped in `tend`.
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttle;
