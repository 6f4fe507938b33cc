//! `POST /import/upload?kind=&mapping=&currency=&fields=&dry_run=&job=`: the import
//! page sends a CSV file as the request body, as it is on disk (so a file in the wrong
//! encoding is refused, not read as garbage), and gets the import's report in JSON. A
//! signed-in browser's only: it reads the session cookie, and the same-origin check in
//! front of it turns away posts from other sites.
//!
//! `fields` names what each column fills, comma-separated in the file's order (empty:
//! left out); without it the headings are recognised (`mapping`). `job` is the page's
//! id for the import, by which it asks how far the writing has got (the
//! `how_far` server function).

use crate::api_v1::ApiError;
use app::domain::import::{Field, ImportKind, Mapping};
use app::domain::money::Currency;
use app::error::AppError;
use app::ssr::ops;
use app::ssr::ops::import::ImportOptions;
use app::ssr::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::collections::HashMap;

/// The largest file the page may send: 50,000 deals from Pipedrive are about 5 MB.
pub const FILE_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Where the page sends its file.
pub const PATH: &str = "/import/upload";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, post(upload))
}

async fn upload(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    file: Bytes,
) -> Response {
    match import(state, &query, &headers, file).await {
        Ok(report) => Json(report).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

async fn import(
    state: AppState,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    file: Bytes,
) -> Result<app::domain::import::ImportReport, AppError> {
    let token = state
        .cookies
        .token(headers)
        .ok_or(AppError::Unauthenticated)?;
    let now = chrono::Utc::now();
    let caller = ops::auth::session_user(&state.db, &token, now).await?;
    let options = options(query)?;
    let job = match query.get("job") {
        Some(id) => Some(
            uuid::Uuid::parse_str(id.trim())
                .map_err(|_| AppError::invalid("job", "must be a UUID"))?,
        ),
        None => None,
    };
    // Only a write takes the one place; a dry run only reads.
    let writing = match (options.dry_run, job) {
        (true, _) => None,
        (false, Some(job)) => Some(state.imports.start(job, caller.id)?),
        (false, None) => Some(state.imports.start(uuid::Uuid::now_v7(), caller.id)?),
    };
    // Written to the end even if the page is closed half-way: it was asked for.
    let db = state.db.clone();
    let task = tokio::spawn(async move {
        let mut progress = |done: usize, total: usize| {
            if let Some(w) = &writing {
                w.tell(done, total);
            }
        };
        ops::import::run(&db, &caller, &options, &file, now, &mut progress).await
    });
    task.await
        .map_err(|e| AppError::Internal(format!("the import stopped: {e}")))?
}

/// The import's options from the query, each refused by name when it is wrong.
fn options(query: &HashMap<String, String>) -> Result<ImportOptions, AppError> {
    let given = |name: &str| query.get(name).map(String::as_str);
    let kind = ImportKind::parse(given("kind").unwrap_or(""))?;
    let mapping = Mapping::parse(given("mapping").unwrap_or("auto"))?;
    let currency = Currency::parse(given("currency").unwrap_or("SEK"))?;
    let dry_run = match given("dry_run").unwrap_or("false") {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::invalid("dry_run", "must be true or false")),
    };
    let fields = given("fields").map(|list| fields(kind, list)).transpose()?;
    Ok(ImportOptions {
        kind,
        mapping,
        currency,
        dry_run,
        fields,
    })
}

/// `title,,stage`: what each column fills, an empty name for one left out.
fn fields(kind: ImportKind, list: &str) -> Result<Vec<Option<Field>>, AppError> {
    if list.len() > 10_000 {
        return Err(AppError::invalid("fields", "is too long"));
    }
    list.split(',')
        .map(|name| match name.trim() {
            "" => Ok(None),
            name => kind.field(name).map(Some).ok_or_else(|| {
                AppError::invalid(
                    "fields",
                    format!(
                        "“{}” is not a field of {}",
                        name.chars().take(40).collect::<String>(),
                        kind.name()
                    ),
                )
            }),
        })
        .collect()
}
