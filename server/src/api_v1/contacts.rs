//! People and organizations in API v1: list and search, create (idempotent by id),
//! read, change, their logs, likely duplicates, and merging two into one.

use super::{query_id, ApiResult, Caller, ErrorBody, Json, Path, Query};
use crate::api_v1::ApiError;
use app::domain::contact::{
    ContactEvent, Duplicates, Organization, OrganizationDraft, OrganizationPatch, Person,
    PersonDraft, PersonPatch,
};
use app::domain::ids::{OrganizationId, PersonId};
use app::domain::validation::optional_text;
use app::error::AppError;
use app::ssr::ops::contacts as ops;
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
        .route("/people", get(list_people).post(create_person))
        .route("/people/{id}", get(get_person).patch(patch_person))
        .route("/people/{id}/events", get(person_events))
        .route("/people/{id}/merge", post(merge_people))
        .route(
            "/organizations",
            get(list_organizations).post(create_organization),
        )
        .route(
            "/organizations/{id}",
            get(get_organization).patch(patch_organization),
        )
        .route("/organizations/{id}/events", get(organization_events))
        .route("/organizations/{id}/merge", post(merge_organizations))
        .route("/duplicates", get(duplicates))
}

/// The longest search text.
const SEARCH_MAX_CHARS: usize = 100;

/// The filters of `GET /people`, all optional; read as text so that a bad value is
/// refused naming its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PeopleQuery {
    /// Words in the name, email, phone, title or organization (ignoring case)
    #[param(value_type = Option<String>, max_length = 100)]
    q: Option<String>,
    /// Only people at this organization
    #[param(value_type = Option<OrganizationId>)]
    organization_id: Option<String>,
    /// How many at most, by name
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 200)]
    limit: Option<String>,
}

/// The filters of `GET /organizations`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct OrganizationQuery {
    /// Words in the name or website (ignoring case)
    #[param(value_type = Option<String>, max_length = 100)]
    q: Option<String>,
    /// How many at most, by name
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 200)]
    limit: Option<String>,
}

fn search(q: Option<&str>) -> Result<Option<String>, AppError> {
    Ok(optional_text("q", q, SEARCH_MAX_CHARS)?)
}

fn limit(text: Option<&str>) -> Result<i64, AppError> {
    match text {
        None => Ok(200),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| AppError::invalid("limit", "must be a whole number from 1 to 1000")),
    }
}

/// People by name; merged-away records are left out.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleQuery), responses((status = 200, body = [Person]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_people(
    State(s): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Vec<Person>> {
    let words = search(q.q.as_deref())?;
    let org = query_id("organization_id", q.organization_id.as_deref())?;
    let rows = ops::people(
        &s.db,
        &user,
        words.as_deref(),
        org,
        limit(q.limit.as_deref())?,
    )
    .await?;
    Ok(Json(rows.into_iter().map(|r| r.person).collect()))
}

/// Creates a person; `organization` names one to find (ignoring case) or create when
/// no `organization_id` is given. Sending the same `id` again stores nothing new and
/// answers with the person as first stored.
#[utoipa::path(post, path = "/api/v1/people", request_body = PersonDraft, responses((status = 201, body = Person), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_person(
    State(s): State<AppState>,
    Caller(user): Caller,
    Json(draft): Json<PersonDraft>,
) -> Result<(StatusCode, Json<Person>), ApiError> {
    let person = ops::create_person(&s.db, &user, draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

/// A person; the id of one merged into another gives the one it was merged into.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = PersonId, Path)), responses((status = 200, body = Person), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_person(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<PersonId>,
) -> ApiResult<Person> {
    Ok(Json(ops::person(&s.db, &user, id).await?))
}

/// Changes the fields sent (`null` clears one). With `version`, a change made on an
/// older copy is refused with 409; so is a change to a person merged into another.
#[utoipa::path(patch, path = "/api/v1/people/{id}", params(("id" = PersonId, Path)), request_body = PersonPatch, responses((status = 200, body = Person), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn patch_person(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<PersonId>,
    Json(patch): Json<PersonPatch>,
) -> ApiResult<Person> {
    Ok(Json(
        ops::change_person(&s.db, &user, id, patch, Utc::now()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/events", params(("id" = PersonId, Path)), responses((status = 200, body = [ContactEvent], description = "The person's log (and that of records merged into them), oldest first"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn person_events(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<PersonId>,
) -> ApiResult<Vec<ContactEvent>> {
    Ok(Json(ops::person_history(&s.db, &user, id).await?))
}

/// Which record is merged into the one named in the path.
#[derive(Deserialize, ToSchema)]
pub(super) struct Merge {
    /// The id of the other record: its deals (and an organization's people) move to
    /// the one kept, which also takes the fields only the other has
    #[serde(default)]
    #[schema(value_type = String, format = Uuid)]
    from: Option<String>,
}

impl Merge {
    fn id<T: std::str::FromStr>(&self) -> Result<T, AppError> {
        query_id("from", self.from.as_deref())?
            .ok_or_else(|| AppError::invalid("from", "is required"))
    }
}

/// Merges person `from` into this one: `from`'s deals move here (each logged in the
/// deal's log), this one takes the fields only `from` has, and both logs say so.
/// `from` stays readable: its id gives this person from now on.
#[utoipa::path(post, path = "/api/v1/people/{id}/merge", params(("id" = PersonId, Path)), request_body = Merge, responses((status = 200, body = Person), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn merge_people(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<PersonId>,
    Json(m): Json<Merge>,
) -> ApiResult<Person> {
    let kept = ops::merge_people(&s.db, &user, id, m.id()?, Utc::now()).await?;
    s.hub.wake();
    Ok(Json(kept))
}

/// Organizations by name; merged-away records are left out.
#[utoipa::path(get, path = "/api/v1/organizations", params(OrganizationQuery), responses((status = 200, body = [Organization]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_organizations(
    State(s): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<OrganizationQuery>,
) -> ApiResult<Vec<Organization>> {
    let words = search(q.q.as_deref())?;
    let rows =
        ops::organizations(&s.db, &user, words.as_deref(), limit(q.limit.as_deref())?).await?;
    Ok(Json(rows.into_iter().map(|r| r.organization).collect()))
}

/// Creates an organization; the same `id` again stores nothing new.
#[utoipa::path(post, path = "/api/v1/organizations", request_body = OrganizationDraft, responses((status = 201, body = Organization), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_organization(
    State(s): State<AppState>,
    Caller(user): Caller,
    Json(draft): Json<OrganizationDraft>,
) -> Result<(StatusCode, Json<Organization>), ApiError> {
    let org = ops::create_organization(&s.db, &user, draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// An organization; the id of one merged into another gives the one it was merged into.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", params(("id" = OrganizationId, Path)), responses((status = 200, body = Organization), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_organization(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<OrganizationId>,
) -> ApiResult<Organization> {
    Ok(Json(ops::organization(&s.db, &user, id).await?))
}

/// Changes the fields sent (see `PATCH /people/{id}`).
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", params(("id" = OrganizationId, Path)), request_body = OrganizationPatch, responses((status = 200, body = Organization), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn patch_organization(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<OrganizationId>,
    Json(patch): Json<OrganizationPatch>,
) -> ApiResult<Organization> {
    Ok(Json(
        ops::change_organization(&s.db, &user, id, patch, Utc::now()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/events", params(("id" = OrganizationId, Path)), responses((status = 200, body = [ContactEvent], description = "The organization's log (and that of records merged into it), oldest first"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn organization_events(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<OrganizationId>,
) -> ApiResult<Vec<ContactEvent>> {
    Ok(Json(ops::organization_history(&s.db, &user, id).await?))
}

/// Merges organization `from` into this one: its deals and people move here (each
/// logged), this one takes the website only `from` has, and both logs say so.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/merge", params(("id" = OrganizationId, Path)), request_body = Merge, responses((status = 200, body = Organization), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn merge_organizations(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<OrganizationId>,
    Json(m): Json<Merge>,
) -> ApiResult<Organization> {
    let kept = ops::merge_organizations(&s.db, &user, id, m.id()?, Utc::now()).await?;
    s.hub.wake();
    Ok(Json(kept))
}

/// Likely duplicate people (the same email, phone number, or a very similar name
/// that no email, phone or organization tells apart) and organizations (the same
/// website or nearly the same name), the likeliest first, at most 200 of each.
#[utoipa::path(get, path = "/api/v1/duplicates", responses((status = 200, body = Duplicates), (status = 401, body = ErrorBody)))]
pub(super) async fn duplicates(
    State(s): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Duplicates> {
    Ok(Json(ops::duplicates(&s.db, &user).await?))
}
