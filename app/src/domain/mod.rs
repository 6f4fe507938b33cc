//! Pure business rules: no I/O, compiled for the server and the browser alike.

pub mod board;
pub mod card;
pub mod contact;
pub mod deal;
pub mod dice;
pub mod display;
pub mod duplicate;
pub mod event;
pub mod forecast;
pub mod goal;
pub mod history;
pub mod ids;
pub mod import;
pub mod lead;
pub mod lead_form;
pub mod live;
pub mod money;
pub mod pipeline;
pub mod replay;
pub mod stats;
pub mod throttle;
pub mod track_record;
pub mod user;
pub mod validation;
pub mod what_if;
pub mod wire;
