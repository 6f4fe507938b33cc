//! Leads in API v1: capture (idempotent by id), the inbox, qualify into a deal,
//! discard for a listed reason.

use super::{ApiError, ApiResult, Caller, ErrorBody, Json, Path, Query};
use app::domain::deal::{Deal, LeadSource};
use app::domain::ids::LeadId;
use app::domain::lead::{Lead, LeadDraft, LeadEvent, LeadStatus, Qualification};
use app::domain::validation::optional_text;
use app::error::AppError;
use app::ssr::db::leads::LeadFilter;
use app::ssr::ops;
use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list_leads).post(capture_lead))
        .route("/leads/{id}", get(get_lead))
        .route("/leads/{id}/events", get(lead_events))
        .route("/leads/{id}/qualify", post(qualify_lead))
        .route("/leads/{id}/discard", post(discard_lead))
        .route("/discard-reasons", get(discard_reasons))
}

/// The filters of `GET /leads`, all optional; read as text so that a bad value is
/// refused naming its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct LeadQuery {
    /// `new` (the inbox), `qualified` or `discarded`; every lead when absent
    #[param(value_type = Option<LeadStatus>)]
    status: Option<String>,
    /// Only leads from this source (exactly as written)
    #[param(value_type = Option<String>, max_length = 60)]
    source: Option<String>,
    /// How many leads at most, newest first
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 200)]
    limit: Option<String>,
}

impl LeadQuery {
    fn parse(&self) -> Result<LeadFilter, AppError> {
        let limit = match self.limit.as_deref() {
            None => 200,
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    AppError::invalid("limit", "must be a whole number from 1 to 1000")
                })?,
        };
        Ok(LeadFilter {
            status: self.status.as_deref().map(LeadStatus::parse).transpose()?,
            source: optional_text("source", self.source.as_deref(), LeadSource::MAX_CHARS)?,
            limit,
        })
    }
}

/// Leads, newest first: the inbox is `?status=new`.
#[utoipa::path(get, path = "/api/v1/leads", params(LeadQuery), responses((status = 200, body = [Lead]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_leads(
    State(s): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<LeadQuery>,
) -> ApiResult<Vec<Lead>> {
    Ok(Json(ops::leads::list(&s.db, &user, q.parse()?).await?))
}

/// Captures a lead into the inbox, assigned to the caller. Sending the same `id` again
/// stores nothing new and answers with the lead as first stored.
#[utoipa::path(post, path = "/api/v1/leads", request_body = LeadDraft, responses((status = 201, body = Lead), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn capture_lead(
    State(s): State<AppState>,
    Caller(user): Caller,
    Json(draft): Json<LeadDraft>,
) -> Result<(StatusCode, Json<Lead>), ApiError> {
    let lead = ops::leads::capture(&s.db, &user, draft, Utc::now()).await?;
    s.hub.wake();
    Ok((StatusCode::CREATED, Json(lead)))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", params(("id" = LeadId, Path)), responses((status = 200, body = Lead), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_lead(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<LeadId>,
) -> ApiResult<Lead> {
    Ok(Json(ops::leads::get(&s.db, &user, id).await?))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}/events", params(("id" = LeadId, Path)), responses((status = 200, body = [LeadEvent], description = "The lead's log, oldest first"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn lead_events(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<LeadId>,
) -> ApiResult<Vec<LeadEvent>> {
    Ok(Json(ops::leads::history(&s.db, &user, id).await?))
}

/// Makes a deal of a new lead in the first stage of a pipeline (the first pipeline when
/// `pipeline_id` is absent), titled by its company (else its name), with its
/// organization and person (found or created) and its source. Answers with the deal;
/// a lead already qualified or discarded is refused with 409.
#[utoipa::path(post, path = "/api/v1/leads/{id}/qualify", params(("id" = LeadId, Path)), request_body = Qualification, responses((status = 201, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn qualify_lead(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<LeadId>,
    Json(q): Json<Qualification>,
) -> Result<(StatusCode, Json<Deal>), ApiError> {
    let done = ops::leads::qualify(&s.db, &user, id, q, Utc::now()).await?;
    s.hub.wake();
    Ok((StatusCode::CREATED, Json(done.deal.deal)))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct Discard {
    /// One of `GET /api/v1/discard-reasons` (case does not matter)
    #[serde(default)]
    #[schema(max_length = 80, min_length = 1, required = true)]
    reason: String,
}

/// Takes a new lead out of the inbox for one of the discard reasons.
#[utoipa::path(post, path = "/api/v1/leads/{id}/discard", params(("id" = LeadId, Path)), request_body = Discard, responses((status = 200, body = Lead), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn discard_lead(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<LeadId>,
    Json(d): Json<Discard>,
) -> ApiResult<Lead> {
    let lead = ops::leads::discard(&s.db, &user, id, &d.reason, Utc::now()).await?;
    s.hub.wake();
    Ok(Json(lead))
}

/// The reasons a lead may be discarded for, in the order admins keep them.
#[utoipa::path(get, path = "/api/v1/discard-reasons", responses((status = 200, body = [String]), (status = 401, body = ErrorBody)))]
pub(super) async fn discard_reasons(
    State(s): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Vec<String>> {
    Ok(Json(ops::leads::discard_reasons(&s.db, &user).await?))
}
