//! Server-only code: state, storage, use-cases and sign-in.

pub mod auth;
pub mod db;
pub mod demo;
pub mod ops;
pub mod state;
pub mod testing;
pub mod throttle;
