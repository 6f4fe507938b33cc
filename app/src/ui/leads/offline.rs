//! The capture page without a connection. Once it has loaded, the page registers
//! Tend's service worker (the server's `offline/sw.js`) and keeps itself and every file
//! it loaded in the phone's cache, which the worker answers from when the network is
//! gone. A capture that cannot reach Tend is checked by the same rules the server uses
//! and kept on the phone (`localStorage`) with the id the phone made for it, then sent
//! when the connection returns: sent twice, it is still stored once.

use crate::domain::lead::LeadDraft;
use serde::{Deserialize, Serialize};

/// Where the queue is kept on the phone.
const QUEUE_KEY: &str = "tend.capture.queue";
/// The cache the service worker answers from (the same name as in `sw.js`).
const CACHE: &str = "tend-capture-v1";

/// A capture kept on the phone until Tend has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub draft: LeadDraft,
    /// The value as typed.
    pub value: String,
    /// Why Tend refused it when it was sent (it stays until the rep removes it).
    pub refused: Option<String>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The captures waiting on this phone, oldest first.
pub fn queued() -> Vec<Queued> {
    storage()
        .and_then(|s| s.get_item(QUEUE_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes the queue down; false when the phone keeps nothing (private mode, full).
pub fn keep(queue: &[Queued]) -> bool {
    let Some(s) = storage() else {
        return false;
    };
    if queue.is_empty() {
        return s.remove_item(QUEUE_KEY).is_ok();
    }
    serde_json::to_string(queue)
        .ok()
        .is_some_and(|text| s.set_item(QUEUE_KEY, &text).is_ok())
}

/// Registers the service worker and keeps this page and the files it has loaded in the
/// cache it answers from. False where a browser has no service workers (a site on
/// plain http other than this machine) or would not keep the files.
pub async fn keep_page() -> bool {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return false;
    }
    if JsFuture::from(navigator.service_worker().register("/sw.js"))
        .await
        .is_err()
    {
        return false;
    }
    let Ok(caches) = window.caches() else {
        return false;
    };
    let Ok(cache) = JsFuture::from(caches.open(CACHE)).await else {
        return false;
    };
    let cache: web_sys::Cache = cache.unchecked_into();
    let origin = window.location().origin().unwrap_or_default();
    let mut files = vec!["/leads/new".to_string()];
    if let Some(performance) = window.performance() {
        for entry in performance.get_entries_by_type("resource").iter() {
            let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() else {
                continue;
            };
            if let Some(path) = entry.name().strip_prefix(&origin) {
                if path.starts_with("/pkg/") || path.starts_with("/styles/") {
                    files.push(path.to_string());
                }
            }
        }
    }
    files.sort();
    files.dedup();
    let mut kept = true;
    for file in files {
        // A file named by its content's hash is right once kept; the page is kept anew.
        let hashed = file != "/leads/new";
        if hashed {
            let found = JsFuture::from(cache.match_with_str(&file)).await;
            if found.is_ok_and(|f| !f.is_undefined()) {
                continue;
            }
        }
        kept &= JsFuture::from(cache.add_with_str(&file)).await.is_ok();
    }
    kept
}
