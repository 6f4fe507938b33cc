//! The capture page without a connection. The page registers Tend's service worker
//! (the server's `offline/sw.js`), which keeps the capture page and every file it
//! loads in the phone's cache and answers from there when the network is gone: from
//! the second time the page is opened (the first visit's files came before the worker
//! did), the page says it works offline. A capture that cannot reach Tend is checked by
//! the same rules the server uses and kept on the phone (`localStorage`) with the id
//! the phone made for it, then sent when the connection returns: sent twice, it is
//! still stored once.
//!
//! The browser is reached through `Reflect` here, not web-sys's typed bindings: each
//! binding adds glue to the code every page loads first (the board's 250 kB budget),
//! and these few calls are made once per visit.

use crate::domain::lead::LeadDraft;
use js_sys::{Function, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// Where the queue is kept on the phone.
const QUEUE_KEY: &str = "tend.capture.queue";

/// A capture kept on the phone until Tend has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub draft: LeadDraft,
    /// The value as typed.
    pub value: String,
    /// Why Tend refused it when it was sent (it stays until the rep removes it).
    pub refused: Option<String>,
}

/// `target.name`, when it is there.
fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Calls `target.method(args…)`; an exception (a full storage, say) is an error.
fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method)
        .ok_or_else(|| JsValue::from_str(method))?
        .dyn_into()?;
    match args {
        [] => f.call0(target),
        [a] => f.call1(target, a),
        [a, b, ..] => f.call2(target, a, b),
    }
}

fn storage() -> Option<JsValue> {
    get(&web_sys::window()?.into(), "localStorage")
}

/// The captures waiting on this phone, oldest first.
pub fn queued() -> Vec<Queued> {
    storage()
        .and_then(|s| call(&s, "getItem", &[&QUEUE_KEY.into()]).ok())
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes the queue down; false when the phone keeps nothing (private mode, full).
pub fn keep(queue: &[Queued]) -> bool {
    let Some(s) = storage() else {
        return false;
    };
    if queue.is_empty() {
        return call(&s, "removeItem", &[&QUEUE_KEY.into()]).is_ok();
    }
    serde_json::to_string(queue)
        .ok()
        .is_some_and(|text| call(&s, "setItem", &[&QUEUE_KEY.into(), &text.into()]).is_ok())
}

/// Registers the service worker; true when this very page came through it (so its
/// files are kept and it opens without a network). False where a browser has no
/// service workers (a site on plain http other than this machine).
pub async fn works_offline() -> bool {
    let Some(workers) = web_sys::window().and_then(|w| get(&w.navigator().into(), "serviceWorker"))
    else {
        return false;
    };
    let Ok(registered) = call(&workers, "register", &[&"/sw.js".into()]) else {
        return false;
    };
    if wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(registered))
        .await
        .is_err()
    {
        return false;
    }
    get(&workers, "controller").is_some()
}
