#![recursion_limit = "256"]
//! The Tend web server: Leptos pages and server functions, the public JSON API, and
//! the middleware around them.

pub mod api_v1;
pub mod config;
pub mod export;
pub mod import;
pub mod intake;
pub mod live;
pub mod offline;
pub mod report;

use app::error::AppError;
use app::ssr::auth::ClientAddr;
use app::ssr::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The largest request body Tend reads: far more than any form or API call needs (a
/// deal is well under a kilobyte). Larger bodies are answered 413 before they are read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where the access log goes: one line per request.
pub const ACCESS_LOG: &str = "tend::access";

/// Serves Tend on `listener` until `shutdown` completes, then finishes the requests in
/// flight. Connections keep their peer address for the sign-in throttle.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.hub.ready().await;
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// How often the server checks whether today's forecast snapshots are taken.
pub const SNAPSHOT_CHECK: std::time::Duration = std::time::Duration::from_secs(3600);

/// Replays each pipeline's log once on start (`ops::forecast::warm_up`), then takes each
/// pipeline's forecast snapshot once a day (see `ops::forecast::snapshot_due`) until the
/// hub closes: on start, then every hour the day's is looked for. Several instances may
/// both take one; the second replaces the first.
pub async fn snapshot_daily(db: app::ssr::db::Db, hub: app::ssr::live::Hub) {
    if let Err(e) = app::ssr::ops::forecast::warm_up(&db, chrono::Utc::now()).await {
        tracing::warn!(error = %e, "could not replay the log ahead of the first forecast");
    }
    loop {
        match app::ssr::ops::forecast::snapshot_due(&db, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pipelines = n, "wrote down the day's forecast"),
            Err(e) => tracing::warn!(error = %e, "could not write down the day's forecast"),
        }
        tokio::select! {
            _ = tokio::time::sleep(SNAPSHOT_CHECK) => {}
            _ = hub.closing() => return,
        }
    }
}

/// Everything Tend serves, over `state`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let options = state.leptos_options.clone();
    let hsts = state.site.is_https();
    let app = Router::new()
        .nest("/pkg", assets(&options))
        .route("/styles/{file}", get(style_sheet))
        .route("/healthz", get(health))
        .nest("/api/v1", api_v1::router())
        .merge(intake::router())
        .merge(import::router())
        .merge(offline::router())
        .route("/api/live", get(live::browser_events))
        .route("/forecast.csv", get(export::forecast_download))
        .route("/track-record.csv", get(export::track_record_download))
        .route("/funnel.csv", get(export::funnel_download))
        .route("/summary.csv", get(export::summary_download))
        .route("/since.csv", get(export::since_download))
        .route("/as-of.csv", get(export::as_of_download))
        .route("/export/{file}", get(export::records::table_download))
        .route("/api/{*fn_name}", post(server_fn_handler))
        .route("/tv/{token}", get(tv_screen))
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages_need_sign_in,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin))
        .layer(middleware::from_fn(limit_body))
        .layer(CompressionLayer::new());
    with_security_headers(app, hsts)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    tracing::info_span!(
                        target: ACCESS_LOG,
                        "request",
                        method = %req.method(),
                        path = req.uri().path(),
                        client = %ClientAddr::of(req.extensions()),
                    )
                })
                .on_request(())
                .on_response(
                    |res: &Response, latency: std::time::Duration, _: &tracing::Span| {
                        tracing::info!(
                            target: ACCESS_LOG,
                            status = res.status().as_u16(),
                            ms = latency.as_secs_f64() * 1000.0,
                            "answered"
                        );
                    },
                )
                .on_failure(()),
        )
        .layer(middleware::from_fn_with_state(state.clone(), client_addr))
        .with_state(state)
}

/// The meeting-room screen: an app of its own (`app::ui::tv::shell`), rendered whole
/// before it answers (a revoked link answers with its status), hydrated by its own wasm.
async fn tv_screen(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    req: Request,
) -> Response {
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || provide_context(state.clone()),
        move || app::ui::tv::shell(options.clone(), token.clone()),
    );
    render(req).await.into_response()
}

/// The headers every answer carries. Pages set their own Content-Security-Policy (it
/// names the page's nonce); everything else gets one that allows nothing.
fn with_security_headers(app: Router<AppState>, hsts: bool) -> Router<AppState> {
    let fixed = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    app.layer(fixed(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ))
    .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
    .layer(fixed(header::REFERRER_POLICY, "same-origin"))
    .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
    .layer(tower::util::option_layer(hsts.then(|| {
        fixed(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        )
    })))
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
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ))
}

/// A stylesheet only some pages link (`app::ui::sheets`). Its name carries its hash, so
/// it is kept for a year; it is compressed on the way out like any answer.
async fn style_sheet(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match app::ui::sheets::text_of(&file) {
        Some(text) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            text,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such stylesheet").into_response(),
    }
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
/// (A meeting-room screen's `/tv/…` page holds its own credential, the link's secret.)
const PUBLIC_PREFIXES: &[&str] = &[
    "/login", "/api/", "/pkg/", "/styles/", "/healthz", "/favicon", "/tv/",
];

/// Sends a browser that is not signed in to the sign-in page before any page renders,
/// so it never sees an empty page or depends on JavaScript to get there.
async fn pages_need_sign_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_page = req.method() == Method::GET
        && !PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
        && !offline::PATHS.contains(&path);
    if is_page {
        let signed_in = match state.cookies.token(req.headers()) {
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

/// A refusal from the middleware, in the API's JSON shape.
fn refuse(error: AppError) -> Response {
    api_v1::ApiError(error).into_response()
}

/// Refuses a state-changing request that a browser may have sent from another site:
/// it must name this site in `Origin`, or be marked `Sec-Fetch-Site: same-origin`. A
/// request with neither is refused too (every browser sends one of them on a POST).
/// The public API (`/api/v1/`) reads no cookies, only bearer tokens, so no site can
/// borrow a browser's credentials there and it is not affected; nor is web-form intake
/// (`/f/`), which reads no cookies and is there for other sites to post to.
async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    if changes_state && !path.starts_with("/api/v1/") && !path.starts_with("/f/") {
        let h = req.headers();
        let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
        let allowed = match (text("origin"), text("sec-fetch-site")) {
            (Some(origin), _) => match &state.site.public_origin {
                Some(public) => origin.eq_ignore_ascii_case(public),
                None => origin
                    .split_once("://")
                    .is_some_and(|(_, host)| Some(host) == text("host")),
            },
            (None, Some(site)) => site == "same-origin",
            (None, None) => false,
        };
        if !allowed {
            tracing::warn!(
                target: app::ssr::ops::auth::SECURITY_LOG,
                event = "cross_site_refused",
                path = req.uri().path(),
                client = %ClientAddr::of(req.extensions()),
            );
            return refuse(AppError::Forbidden);
        }
    }
    next.run(req).await
}

/// Reads a request body whole, up to `MAX_BODY_BYTES` (an imported file up to
/// `import::FILE_MAX_BYTES`): a larger one gets a 413 in JSON
/// and is never buffered, whether it announced its length or not.
async fn limit_body(req: Request, next: Next) -> Response {
    let max = if req.uri().path() == import::PATH {
        import::FILE_MAX_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large(max);
    }
    if matches!(*req.method(), Method::GET | Method::HEAD) && declared.is_none() {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, max).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) if is_length_limit(&e) => too_large(max),
        Err(_) => refuse(AppError::invalid("body", "could not be read")),
    }
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn too_large(max: usize) -> Response {
    let mut res = refuse(AppError::TooLarge(max));
    // The rest of the body is not read: the connection is not reused.
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Notes where the request came from (for the sign-in throttle and the logs): the peer,
/// or, behind a trusted proxy, the last address the proxy's header names.
async fn client_addr(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = state.site.client_ip_header.as_deref().and_then(|name| {
        req.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse::<IpAddr>().ok())
    });
    if let Some(ip) = forwarded.or(peer) {
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}
