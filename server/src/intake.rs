//! Web-form intake: `POST /f/{key}` takes a lead from a form on a company's own
//! website, form-encoded (a plain HTML form: the visitor is sent to the form's
//! thank-you address, or shown Tend's) or JSON (a script: `201 {"id"}`). It reads no
//! cookies, so any site may post to it (CORS allows every origin); a form's key, a
//! honeypot, a least fill time and a limit per form and per sender keep it clean.

use crate::api_v1::ApiError;
use app::domain::lead_form::Submission;
use app::error::AppError;
use app::ssr::auth::ClientAddr;
use app::ssr::ops;
use app::ssr::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Router};
use chrono::Utc;
use std::net::{IpAddr, Ipv4Addr};

pub fn router() -> Router<AppState> {
    Router::new().route("/f/{key}", post(submit).options(preflight))
}

/// How the sender wants its answer: a script gets JSON, a browser's form a page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Json,
    Page,
}

impl Answer {
    fn of(headers: &HeaderMap) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        if text(header::CONTENT_TYPE).starts_with("application/json")
            || text(header::ACCEPT).starts_with("application/json")
        {
            Answer::Json
        } else {
            Answer::Page
        }
    }
}

async fn submit(
    State(s): State<AppState>,
    Path(key): Path<String>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = Answer::of(&headers);
    let result = take(&s, &key, addr, &headers, &body).await;
    let mut res = match (result, answer) {
        (Ok((_, Some(to))), Answer::Page) => Redirect::to(&to).into_response(),
        (Ok(_), Answer::Page) => (StatusCode::CREATED, Html(THANKS)).into_response(),
        (Ok((id, _)), Answer::Json) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": id })),
        )
            .into_response(),
        (Err(e), Answer::Json) => ApiError(e).into_response(),
        (Err(e), Answer::Page) => refused_page(&e),
    };
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

/// Keeps the submission; answers with the new lead's id and where to send the visitor.
async fn take(
    s: &AppState,
    key: &str,
    addr: Option<Extension<ClientAddr>>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, Option<String>), AppError> {
    let now = Utc::now();
    let form = ops::lead_forms::live_form(&s.db, key).await?;
    let sender = addr.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |Extension(a)| a.0);
    s.intake_throttle.take(&form.key, sender, now)?;
    let sent = read(headers, body)?;
    let lead = ops::lead_forms::submit(&s.db, &form, sent, now).await?;
    s.hub.wake();
    Ok((lead.id.to_string(), form.redirect_url))
}

fn read(headers: &HeaderMap, body: &[u8]) -> Result<Submission, AppError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match kind.as_str() {
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes(body)
            .map_err(|e| AppError::invalid("body", format!("is not a form: {e}"))),
        "application/json" => serde_json::from_slice(body)
            .map_err(|e| AppError::invalid("body", format!("is not valid JSON: {e}"))),
        _ => Err(AppError::invalid(
            "content-type",
            "must be application/x-www-form-urlencoded or application/json",
        )),
    }
}

/// A script on another site asks first whether it may post JSON.
async fn preflight() -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    res
}

const THANKS: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Thank you</title>\
</head><body><main><h1>Thank you</h1><p>We have your message and will be in touch soon.</p>\
</main></body></html>";

/// What a visitor whose form was refused sees, with the refusal's status.
fn refused_page(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let message = html_escape(&e.to_string());
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Not sent</title></head><body><main><h1>Your message was not sent</h1>\
         <p>{message}</p><p>Go back to the form to try again.</p></main></body></html>"
    );
    (status, Html(page)).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
