//! Public JSON API v1: bearer tokens, the same ops as the server functions, and errors
//! as `{code, message, field?}` with a fitting 4xx status.

use app::domain::deal::{Deal, DealChange, DealDraft, DealEdit, DealStatus};
use app::domain::event::DealEvent;
use app::domain::forecast::ForecastRow;
use app::domain::history::{BoardThen, Changes};
use app::domain::ids::{DealId, OrganizationId, PersonId, PipelineId, StageId, UserId};
use app::domain::pipeline::Pipeline;
use app::domain::stats::{Funnel, Summary};
use app::domain::track_record::TrackRecord;
use app::domain::user::User;
use app::error::AppError;
use app::ssr::auth::bearer_token;
use app::ssr::db::deals::DealFilter;
use app::ssr::ops;
use app::ssr::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, ToSchema};

mod contacts;
mod leads;

/// The OpenAPI document served at `/api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tend API",
        version = "1",
        description = "Deals, pipelines, leads, people and organizations. Authenticate with `Authorization: Bearer <token>` \
            (`tend token create --user <email>`). Money is an integer count of minor units. \
            Every change names the `version` it read; a stale one is refused with 409."
    ),
    paths(
        pipelines, list_deals, create_deal, get_deal, patch_deal, delete_deal,
        move_deal, win_deal, lose_deal, reopen_deal, deal_events, crate::live::api_events,
        changes, forecast, track_record, board, funnel, summary,
        leads::list_leads, leads::capture_lead, leads::get_lead, leads::lead_events,
        leads::qualify_lead, leads::discard_lead, leads::discard_reasons,
        contacts::list_people, contacts::create_person, contacts::get_person,
        contacts::patch_person, contacts::person_events, contacts::merge_people,
        contacts::list_organizations, contacts::create_organization,
        contacts::get_organization, contacts::patch_organization,
        contacts::organization_events, contacts::merge_organizations, contacts::duplicates,
        export_table
    ),
    components(schemas(
        ErrorBody, Move, Version, Lost, Patch, crate::live::Change,
        app::domain::forecast::PeriodKind, app::domain::deal::ForecastCategory,
        leads::Discard, contacts::Merge
    )),
    modifiers(&Bearer),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pipelines", get(pipelines))
        .route("/deals", get(list_deals).post(create_deal))
        .route(
            "/deals/{id}",
            get(get_deal).patch(patch_deal).delete(delete_deal),
        )
        .route("/deals/{id}/move", post(move_deal))
        .route("/deals/{id}/won", post(win_deal))
        .route("/deals/{id}/lost", post(lose_deal))
        .route("/deals/{id}/reopen", post(reopen_deal))
        .route("/deals/{id}/events", get(deal_events))
        .route("/events", get(crate::live::api_events))
        .route("/changes", get(changes))
        .route("/forecast", get(forecast))
        .route("/forecast/track-record", get(track_record))
        .route("/board", get(board))
        .route("/stats/funnel", get(funnel))
        .route("/stats/summary", get(summary))
        .merge(leads::router())
        .merge(contacts::router())
        .route("/export/{file}", get(export_table))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .fallback(|| async { ApiError(AppError::NotFound("That API route".into())) })
}

/// An error on its way out of the API.
pub struct ApiError(pub AppError);

/// Every refusal: a stable `code`, a sentence for people, and the field it concerns.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (message, field) = match &self.0 {
            AppError::Invalid(errors) => match errors.first() {
                Some(f) => (f.to_string(), Some(f.field.clone())),
                None => (self.0.to_string(), None),
            },
            other => (other.to_string(), None),
        };
        let body = ErrorBody {
            code: self.0.code(),
            message,
            field,
        };
        (status, axum::Json(body)).into_response()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self(AppError::invalid("query", r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self(AppError::NotFound("That record".into()))
    }
}

/// A JSON body: always an object. A body that does not fit its type is refused naming
/// the field it got wrong (`value`, `stage_id`…), or `body` when the JSON itself is
/// broken or is not an object (serde would read a struct from an array too).
struct Json<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        if !is_json {
            return Err(AppError::invalid("content-type", "must be application/json").into());
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::invalid("body", "could not be read"))?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(AppError::invalid("body", "must be a JSON object").into());
        }
        from_json(&mut serde_json::Deserializer::from_slice(&bytes)).map(Json)
    }
}

/// Reads `T` from JSON, naming the field at fault when it cannot.
fn from_json<'de, T: Deserialize<'de>>(de: impl serde::Deserializer<'de>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." {
            "body"
        } else {
            &path
        };
        ApiError(AppError::invalid(
            field,
            format!("is not valid: {}", e.inner()),
        ))
    })
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
struct Query<T>(T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
struct Path<T>(T);

/// The API caller, established from the bearer token.
struct Caller(User);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(Caller(ops::auth::token_user(&state.db, &token).await?))
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[utoipa::path(get, path = "/api/v1/pipelines", responses((status = 200, body = [Pipeline]), (status = 401, body = ErrorBody)))]
async fn pipelines(State(s): State<AppState>, Caller(user): Caller) -> ApiResult<Vec<Pipeline>> {
    Ok(Json(ops::pipelines::list(&s.db, &user).await?))
}

/// The filters of `GET /deals`, all optional. Read as text and parsed here, so that a
/// bad value is refused naming its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DealQuery {
    #[param(value_type = Option<PipelineId>)]
    pipeline_id: Option<String>,
    #[param(value_type = Option<StageId>)]
    stage_id: Option<String>,
    #[param(value_type = Option<DealStatus>)]
    status: Option<String>,
    #[param(value_type = Option<UserId>)]
    owner_id: Option<String>,
    /// Only deals with this person
    #[param(value_type = Option<PersonId>)]
    person_id: Option<String>,
    /// Only deals at this organization
    #[param(value_type = Option<OrganizationId>)]
    organization_id: Option<String>,
    /// How many deals at most, newest change first
    #[param(value_type = Option<i64>, minimum = 1, maximum = 5000, default = 500)]
    limit: Option<String>,
}

/// What `GET /changes` looks back over.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangesQuery {
    /// The first day to look from (from midnight UTC), at most a year back; when absent,
    /// the day of the team's last sales meeting (the pipeline's `meeting_weekday`), else
    /// a week ago
    #[param(value_type = Option<String>, format = Date)]
    since: Option<String>,
    /// The pipeline; the first one when absent
    #[param(value_type = Option<PipelineId>)]
    pipeline_id: Option<String>,
    /// `csv` for CSV (as `Accept: text/csv` does)
    #[param(value_type = Option<String>)]
    format: Option<String>,
}

/// "Since last meeting": every deal of a pipeline added, moved forward, moved back, won,
/// lost, or whose value or expected close date changed since a day. A deal is in every
/// group that fits it; moves count by where it began and ended; values are as now. CSV:
/// a line per deal and group (`group, deal_id, title, from_stage, to_stage, value,
/// currency, at`).
#[utoipa::path(get, path = "/api/v1/changes", params(ChangesQuery), responses((status = 200, content((Changes = "application/json"), (String = "text/csv"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn changes(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
    Query(q): Query<ChangesQuery>,
) -> Result<Response, ApiError> {
    let pipeline = query_id("pipeline_id", q.pipeline_id.as_deref())?;
    let since = q.since.as_deref();
    let page = ops::history::page(&s.db, &user, pipeline, since, Utc::now()).await?;
    if crate::export::wants_csv(q.format.as_deref(), &headers) {
        return Ok(crate::export::csv_file(
            "changes.csv",
            crate::export::since(&page),
        ));
    }
    Ok(Json(page.changes).into_response())
}

/// What `GET /forecast` forecasts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ForecastQuery {
    /// The pipeline; the first one when absent
    #[param(value_type = Option<PipelineId>)]
    pipeline_id: Option<String>,
    /// Months or quarters; month when absent
    #[param(value_type = Option<app::domain::forecast::PeriodKind>)]
    period: Option<String>,
    /// Only this owner's deals (read against everyone's history)
    #[param(value_type = Option<UserId>)]
    owner_id: Option<String>,
    /// `csv` for CSV (as `Accept: text/csv` does)
    #[param(value_type = Option<String>)]
    format: Option<String>,
}

/// The forecast for the current period and the two after it, one row per period and
/// currency (never added together). `weighted` is value × chance by expected close
/// date; `expected`, `p10`, `p50` and `p90` come from how deals in the same stage, as
/// long in it, fared before (`method` = `empirical`, resting on `history_deals`
/// finished deals), or from stage chances when there is too little history
/// (`stage_probability`). Every figure includes `won`, what the period has already
/// brought in.
#[utoipa::path(get, path = "/api/v1/forecast", params(ForecastQuery), responses((status = 200, content((Vec<ForecastRow> = "application/json"), (String = "text/csv"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn forecast(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
    Query(q): Query<ForecastQuery>,
) -> Result<Response, ApiError> {
    let pipeline = query_id("pipeline_id", q.pipeline_id.as_deref())?;
    let owner = query_id("owner_id", q.owner_id.as_deref())?;
    let period = q.period.as_deref();
    let rows = ops::forecast::forecast(&s.db, &user, pipeline, period, owner, Utc::now()).await?;
    if crate::export::wants_csv(q.format.as_deref(), &headers) {
        let csv = crate::export::forecast(&rows);
        return Ok(crate::export::csv_file("forecast.csv", csv));
    }
    Ok(Json(rows).into_response())
}

/// Which track record `GET /forecast/track-record` reads.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TrackRecordQuery {
    /// The pipeline; the first one when absent
    #[param(value_type = Option<PipelineId>)]
    pipeline_id: Option<String>,
    /// Months or quarters; month when absent
    #[param(value_type = Option<app::domain::forecast::PeriodKind>)]
    period: Option<String>,
    /// `csv` for CSV (as `Accept: text/csv` does)
    #[param(value_type = Option<String>)]
    format: Option<String>,
}

/// How the team's forecast fared: for each of the last six closed periods and each
/// currency, what was won (`won`) and what the forecast Tend wrote down that day said
/// 1, 4 and 8 weeks before the period began (`said`, in the order of `leads`; `null`
/// when none was written down then), with whether the win fell inside P10–P90.
/// `held` counts, per lead, the periods with a forecast and those it held.
#[utoipa::path(get, path = "/api/v1/forecast/track-record", params(TrackRecordQuery), responses((status = 200, content((TrackRecord = "application/json"), (String = "text/csv"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn track_record(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
    Query(q): Query<TrackRecordQuery>,
) -> Result<Response, ApiError> {
    let pipeline = query_id("pipeline_id", q.pipeline_id.as_deref())?;
    let record =
        ops::forecast::track_record_of(&s.db, &user, pipeline, q.period.as_deref(), Utc::now())
            .await?;
    if crate::export::wants_csv(q.format.as_deref(), &headers) {
        let csv = crate::export::track_record(&record);
        return Ok(crate::export::csv_file("track-record.csv", csv));
    }
    Ok(Json(record).into_response())
}

/// Which board `GET /board` rebuilds.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BoardQuery {
    /// The pipeline; the first one when absent
    #[param(value_type = Option<PipelineId>)]
    pipeline_id: Option<String>,
    /// The day whose end (UTC) the board is shown as of; today when absent
    #[param(value_type = Option<String>, format = Date)]
    as_of: Option<String>,
    /// `csv` for CSV (as `Accept: text/csv` does)
    #[param(value_type = Option<String>)]
    format: Option<String>,
}

/// The board as it stood at the end of a day, rebuilt from the event log: per stage,
/// the open deals' count, value and weighted value per currency, and their ids. CSV: a
/// line per stage and currency (`as_of, stage_id, stage, count, currency, value,
/// weighted`).
#[utoipa::path(get, path = "/api/v1/board", params(BoardQuery), responses((status = 200, content((BoardThen = "application/json"), (String = "text/csv"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn board(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
    Query(q): Query<BoardQuery>,
) -> Result<Response, ApiError> {
    let pipeline = query_id("pipeline_id", q.pipeline_id.as_deref())?;
    let page =
        ops::history::as_of_page(&s.db, &user, pipeline, q.as_of.as_deref(), Utc::now()).await?;
    if crate::export::wants_csv(q.format.as_deref(), &headers) {
        return Ok(crate::export::csv_file(
            "board.csv",
            crate::export::board_then(&page),
        ));
    }
    Ok(Json(page.board).into_response())
}

/// What the statistics look at.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// The pipeline; the first one when absent
    #[param(value_type = Option<PipelineId>)]
    pipeline_id: Option<String>,
    /// The period's first day (UTC); 89 days before `to` when absent. At most 366 days
    /// in all
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// The period's last day (UTC), today or earlier; today when absent
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// Only this owner's deals
    #[param(value_type = Option<UserId>)]
    owner_id: Option<String>,
    /// Only deals from this lead source
    #[param(value_type = Option<String>, max_length = 60)]
    lead_source: Option<String>,
    /// `csv` for CSV (as `Accept: text/csv` does)
    #[param(value_type = Option<String>)]
    format: Option<String>,
}

impl StatsQuery {
    fn asked(&self) -> Result<ops::stats::Asked<'_>, AppError> {
        Ok(ops::stats::Asked {
            pipeline: query_id("pipeline_id", self.pipeline_id.as_deref())?,
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            owner: query_id("owner_id", self.owner_id.as_deref())?,
            lead_source: self.lead_source.as_deref(),
        })
    }
}

/// The funnel: how far the deals created in the period got by its end, stage by stage
/// in board order. `reached` counts the deals that got to a stage (a deal created in a
/// later stage passed the earlier ones; a won deal passed them all), `moved_on` those
/// that went further, `lost` and `open` those that were lost or still sit there;
/// `conversion_pct` = moved_on ÷ reached, `drop_off_pct` = lost ÷ reached. CSV: one
/// line per stage.
#[utoipa::path(get, path = "/api/v1/stats/funnel", params(StatsQuery), responses((status = 200, content((Funnel = "application/json"), (String = "text/csv"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn funnel(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let funnel = ops::stats::funnel(&s.db, &user, &q.asked()?, Utc::now()).await?;
    if crate::export::wants_csv(q.format.as_deref(), &headers) {
        return Ok(crate::export::csv_file(
            "funnel.csv",
            crate::export::funnel(&funnel),
        ));
    }
    Ok(Json(funnel).into_response())
}

/// The period's statistics, as things stood at the end of its last day: deals won and
/// lost in it and the win rate; the sales cycle (days from created to won: median,
/// P80, mean); per currency the won value, average won value, open pipeline and sales
/// velocity (open deals × win rate × average won value ÷ mean cycle, a day); days
/// spent in each stage (stays that ended in the period); lost reasons; each lead
/// source's deals, win rate, won value and cycle; the open pipeline every 7th day.
/// Medians and P80s are nearest-rank. CSV: one line per figure (`table, item,
/// currency, measure, value`).
#[utoipa::path(get, path = "/api/v1/stats/summary", params(StatsQuery), responses((status = 200, content((Summary = "application/json"), (String = "text/csv"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn summary(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let summary = ops::stats::summary(&s.db, &user, &q.asked()?, Utc::now()).await?;
    if crate::export::wants_csv(q.format.as_deref(), &headers) {
        return Ok(crate::export::csv_file(
            "summary.csv",
            crate::export::summary(&summary),
        ));
    }
    Ok(Json(summary).into_response())
}

/// A whole table as CSV, oldest first: `deals.csv` (stage, owner by email,
/// organization and person by name, value in major units), `people.csv`,
/// `organizations.csv` or `leads.csv`. Text that a spreadsheet would take for a
/// formula (starting `=`, `+`, `-`, `@`) is written with a `'` before it.
#[utoipa::path(get, path = "/api/v1/export/{file}", params(("file" = String, Path, description = "deals.csv, people.csv, organizations.csv or leads.csv")), responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_table(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    use crate::export::records::{write, Table};
    let table = Table::from_file(&file).ok_or_else(|| AppError::NotFound("That export".into()))?;
    Ok(crate::export::csv_file(
        &file,
        write(&s, &user, table).await?,
    ))
}

/// An optional id in a query string, refused naming `field` when it is not one.
pub(crate) fn query_id<T: std::str::FromStr>(
    field: &str,
    value: Option<&str>,
) -> Result<Option<T>, AppError> {
    value
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| AppError::invalid(field, "must be an id (a UUID)"))
        })
        .transpose()
}

impl DealQuery {
    fn parse(&self) -> Result<DealFilter, AppError> {
        let limit = match self.limit.as_deref() {
            None => 500,
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=5000).contains(n))
                .ok_or_else(|| {
                    AppError::invalid("limit", "must be a whole number from 1 to 5000")
                })?,
        };
        Ok(DealFilter {
            pipeline_id: query_id("pipeline_id", self.pipeline_id.as_deref())?,
            stage_id: query_id("stage_id", self.stage_id.as_deref())?,
            status: self.status.as_deref().map(DealStatus::parse).transpose()?,
            owner_id: query_id("owner_id", self.owner_id.as_deref())?,
            person_id: query_id("person_id", self.person_id.as_deref())?,
            organization_id: query_id("organization_id", self.organization_id.as_deref())?,
            limit,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/deals", params(DealQuery), responses((status = 200, body = [Deal]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_deals(
    State(s): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<DealQuery>,
) -> ApiResult<Vec<Deal>> {
    Ok(Json(ops::deals::list(&s.db, &user, q.parse()?).await?))
}

#[utoipa::path(post, path = "/api/v1/deals", request_body = DealDraft, responses((status = 201, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Json(draft): Json<DealDraft>,
) -> Result<(StatusCode, Json<Deal>), ApiError> {
    let done = ops::deals::create(&s.db, &user, draft, Utc::now()).await?;
    s.hub.wake();
    Ok((StatusCode::CREATED, Json(done.deal)))
}

#[utoipa::path(get, path = "/api/v1/deals/{id}", params(("id" = DealId, Path)), responses((status = 200, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
) -> ApiResult<Deal> {
    Ok(Json(ops::deals::get(&s.db, &user, id).await?))
}

#[utoipa::path(get, path = "/api/v1/deals/{id}/events", params(("id" = DealId, Path)), responses((status = 200, body = [DealEvent], description = "The deal's event log, oldest first"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn deal_events(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
) -> ApiResult<Vec<DealEvent>> {
    Ok(Json(ops::deals::history(&s.db, &user, id).await?))
}

/// The version read, and any fields of the deal to change; `null` clears a field.
/// (Documentation only: the handler reads the version and the edit apart.)
#[allow(dead_code)]
#[derive(ToSchema)]
struct Patch {
    #[schema(schema_with = app::domain::validation::schema::version)]
    version: i64,
    #[serde(flatten)]
    edit: DealEdit,
}

async fn change(
    s: &AppState,
    user: &User,
    id: DealId,
    version: i64,
    change: DealChange,
) -> ApiResult<Deal> {
    let done = ops::deals::change(&s.db, user, id, version, change, Utc::now()).await?;
    s.hub.wake();
    Ok(Json(done.deal))
}

#[utoipa::path(patch, path = "/api/v1/deals/{id}", params(("id" = DealId, Path)), request_body = Patch, responses((status = 200, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Deal> {
    let version: Version = from_json(&body)?;
    let edit: DealEdit = from_json(&body)?;
    change(&s, &user, id, version.version, DealChange::Edit(edit)).await
}

#[derive(Deserialize, ToSchema)]
struct Version {
    #[serde(deserialize_with = "app::domain::wire::whole")]
    #[schema(schema_with = app::domain::validation::schema::version)]
    version: i64,
}

/// The version a delete names, read as text so a bad one is refused naming `version`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VersionQuery {
    /// The version of the deal that was read
    #[param(value_type = i64, required = true, minimum = 1)]
    version: Option<String>,
}

#[utoipa::path(delete, path = "/api/v1/deals/{id}", params(("id" = DealId, Path), VersionQuery), responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
    Query(v): Query<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    let version = v
        .version
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            AppError::invalid("version", "must be the whole number the deal was read at")
        })?;
    change(&s, &user, id, version, DealChange::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
struct Move {
    stage_id: StageId,
    #[serde(deserialize_with = "app::domain::wire::whole")]
    #[schema(schema_with = app::domain::validation::schema::version)]
    version: i64,
}

#[utoipa::path(post, path = "/api/v1/deals/{id}/move", params(("id" = DealId, Path)), request_body = Move, responses((status = 200, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
    Json(m): Json<Move>,
) -> ApiResult<Deal> {
    change(&s, &user, id, m.version, DealChange::Move(m.stage_id)).await
}

#[utoipa::path(post, path = "/api/v1/deals/{id}/won", params(("id" = DealId, Path)), request_body = Version, responses((status = 200, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn win_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
    Json(v): Json<Version>,
) -> ApiResult<Deal> {
    change(&s, &user, id, v.version, DealChange::Win).await
}

#[derive(Deserialize, ToSchema)]
struct Lost {
    #[serde(deserialize_with = "app::domain::wire::whole")]
    #[schema(schema_with = app::domain::validation::schema::version)]
    version: i64,
    /// Why the deal was lost (required; a missing one is refused naming `reason`)
    #[serde(default)]
    #[schema(schema_with = app::domain::validation::schema::lost_reason, required = true)]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/deals/{id}/lost", params(("id" = DealId, Path)), request_body = Lost, responses((status = 200, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn lose_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
    Json(l): Json<Lost>,
) -> ApiResult<Deal> {
    change(&s, &user, id, l.version, DealChange::Lose(l.reason)).await
}

#[utoipa::path(post, path = "/api/v1/deals/{id}/reopen", params(("id" = DealId, Path)), request_body = Version, responses((status = 200, body = Deal), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reopen_deal(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<DealId>,
    Json(v): Json<Version>,
) -> ApiResult<Deal> {
    change(&s, &user, id, v.version, DealChange::Reopen).await
}
