#![recursion_limit = "256"]
//! The Tend web server: Leptos pages and server functions, the public JSON API, and
//! the middleware around them.

pub mod api_v1;
pub mod config;

use app::ssr::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::compression::CompressionLayer;

/// Everything Tend serves, over `state`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let options = state.leptos_options.clone();
    Router::new()
        .nest("/pkg", assets(&options))
        .route("/healthz", get(health))
        .nest("/api/v1", api_v1::router())
        .route("/api/{*fn_name}", post(server_fn_handler))
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages_need_sign_in,
        ))
        .layer(middleware::from_fn(same_origin))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The wasm, js and css: served pre-compressed when the build made .br/.gz files, and
/// cached for a year when their names carry a content hash.
fn assets(options: &leptos::config::LeptosOptions) -> Router<AppState> {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static(cache),
        ))
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

async fn health(State(state): State<AppState>) -> Response {
    match state.db.read().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Pages open to everyone; every other page needs a signed-in user.
const PUBLIC_PREFIXES: &[&str] = &["/login", "/api/", "/pkg/", "/healthz", "/favicon"];

/// Sends a browser that is not signed in to the sign-in page before any page renders,
/// so it never sees an empty page or depends on JavaScript to get there.
async fn pages_need_sign_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_page =
        req.method() == Method::GET && !PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p));
    if is_page {
        let signed_in = match app::ssr::auth::session_token(req.headers()) {
            Some(token) => app::ssr::ops::auth::session_user(&state.db, &token, chrono::Utc::now())
                .await
                .is_ok(),
            None => false,
        };
        if !signed_in {
            return axum::response::Redirect::to("/login").into_response();
        }
    }
    next.run(req).await
}

/// Refuses a state-changing request that a browser sent from another site. API calls
/// with a bearer token carry no ambient credentials and are not affected.
async fn same_origin(req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && !req.headers().contains_key(header::AUTHORIZATION) {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let origin_host = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://").map(|(_, rest)| rest.to_string()));
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string);
            if origin_host.is_none() || origin_host != host {
                return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
            }
        }
    }
    next.run(req).await
}
