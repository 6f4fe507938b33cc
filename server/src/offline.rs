//! Tend on a phone's home screen, and capturing leads without a connection: the web
//! app manifest, its icon, and the service worker (`offline/sw.js`) that answers for
//! the capture page from the phone's cache. The capture page keeps itself and its files
//! in that cache and queues what is captured offline (`app::ui::leads::capture`).

use app::ssr::state::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// Paths served here, to anyone: a phone fetches them before and without signing in.
pub const PATHS: &[&str] = &["/sw.js", "/manifest.webmanifest", "/icon.svg"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sw.js", get(service_worker))
        .route("/manifest.webmanifest", get(manifest))
        .route("/icon.svg", get(icon))
}

const SERVICE_WORKER: &str = include_str!("offline/sw.js");

const MANIFEST: &str = r##"{
  "name": "Tend",
  "short_name": "Tend",
  "description": "The sales pipeline, live on every screen.",
  "start_url": "/board",
  "scope": "/",
  "display": "standalone",
  "background_color": "#f3f5f8",
  "theme_color": "#0f5c4d",
  "icons": [{ "src": "/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" }],
  "shortcuts": [{ "name": "New lead", "short_name": "+ Lead", "url": "/leads/new" }]
}
"##;

/// The brand's diamond on the brand's green, square for a home screen.
const ICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="96" fill="#0f5c4d"/><path d="M256 96l160 160-160 160-160-160z" fill="#e3f1ed"/></svg>
"##;

async fn service_worker() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Checked for a new version at every visit, as browsers do for workers.
            (header::CACHE_CONTROL, "no-cache"),
            // The worker's own policy: it fetches from this site and nowhere else.
            (header::CONTENT_SECURITY_POLICY, "default-src 'self'"),
        ],
        SERVICE_WORKER,
    )
}

async fn manifest() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        MANIFEST,
    )
}

async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}
