//! Live streams (Server-Sent Events) over the hub: `GET /api/v1/events` for
//! integrations with a bearer token. Each message is one change from the event log:
//! `id:` its log id, `event:` its kind, `data:` JSON with the deal as API v1 shows it.
//! A client that reconnects sends `Last-Event-ID` (or `?after=`) and gets exactly what it
//! missed, then the live changes; one too far behind gets a `refetch` message.

use app::domain::deal::Deal;
use app::domain::event::DealEventKind;
use app::domain::ids::DealId;
use app::domain::user::User;
use app::error::AppError;
use app::ssr::live::Delivery;
use app::ssr::ops;
use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::convert::Infallible;
use std::time::Duration;

/// Comments sent on a quiet stream, so proxies and browsers keep it open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often a stream checks that its caller may still have it.
const RECHECK: Duration = Duration::from_secs(5);

/// One change as an integration receives it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Change {
    /// The change's position in the event log (also the message's `id:`).
    pub id: i64,
    pub deal_id: DealId,
    /// created, moved, changed, won, lost, reopened or deleted
    pub kind: String,
    /// What the log says happened, as `GET /api/v1/deals/{id}/events` shows it.
    pub event: DealEventKind,
    /// The deal as it was after this change; absent once deleted, or for a change
    /// logged before Tend kept these.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal: Option<Deal>,
}

/// Where a stream starts: after `Last-Event-ID`, else after `?after=`, else from now.
/// A value that is not a whole number is refused naming it.
pub fn start_after(headers: &HeaderMap, after: Option<&str>) -> Result<Option<i64>, AppError> {
    let header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| ("last-event-id", v));
    match header.or(after.map(|v| ("after", v))) {
        None => Ok(None),
        Some((field, text)) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, "must be an event id (a whole number)")),
    }
}

/// The stream of changes `user` may see, starting after `after`, until the hub closes
/// or `still_allowed` says the caller's access has ended.
pub fn changes<F, Fut>(
    state: &AppState,
    user: User,
    after: Option<i64>,
    still_allowed: F,
) -> Response
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let deliveries = state.hub.subscribe(after);
    let stream = futures_util::stream::unfold(deliveries, |mut d| async move {
        d.recv().await.map(|delivery| (delivery, d))
    })
    .filter_map(move |delivery| {
        let user = user.clone();
        async move { message(&user, delivery) }
    })
    .map(Ok::<_, Infallible>)
    .take_until(access_ends(still_allowed));
    sse(stream)
}

fn sse(stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> Response {
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// Completes once the caller may no longer have the stream.
async fn access_ends<F, Fut>(still_allowed: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    loop {
        tokio::time::sleep(RECHECK).await;
        if !still_allowed().await {
            return;
        }
    }
}

fn message(user: &User, delivery: Delivery) -> Option<Event> {
    match delivery {
        Delivery::Refetch { head } => Some(
            Event::default()
                .id(head.to_string())
                .event("refetch")
                .data(format!("{{\"kind\":\"refetch\",\"head\":{head}}}")),
        ),
        Delivery::Change(logged) => {
            if !ops::deals::can_see(user, logged.deal_id) {
                return None;
            }
            let change = Change {
                id: logged.id,
                deal_id: logged.deal_id,
                kind: logged.kind.name().to_string(),
                event: logged.kind.clone(),
                deal: logged.snapshot.as_ref().and_then(|s| s.deal.clone()),
            };
            let data = serde_json::to_string(&change).ok()?;
            Some(
                Event::default()
                    .id(logged.id.to_string())
                    .event(logged.kind.name())
                    .data(data),
            )
        }
    }
}

/// `GET /api/v1/events`: the caller is the bearer token's owner, checked again every
/// few seconds, so a revoked token's stream ends.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    params(
        ("after" = Option<i64>, Query, description = "Start after this event id (Last-Event-ID wins)"),
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last message received")
    ),
    responses(
        (status = 200, content_type = "text/event-stream", body = Change,
            description = "Server-Sent Events: `id:` the log id, `event:` the kind, `data:` a Change; `event: refetch` when too far behind"),
        (status = 401, body = crate::api_v1::ErrorBody),
        (status = 422, body = crate::api_v1::ErrorBody)
    )
)]
pub async fn api_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let result = async {
        let token = app::ssr::auth::bearer_token(&headers).ok_or(AppError::Unauthenticated)?;
        let user = ops::auth::token_user(&state.db, &token).await?;
        let after = start_after(&headers, query.get("after").map(String::as_str))?;
        let db = state.db.clone();
        Ok::<_, AppError>(changes(&state, user, after, move || {
            let (db, token) = (db.clone(), token.clone());
            async move { ops::auth::token_user(&db, &token).await.is_ok() }
        }))
    }
    .await;
    result.unwrap_or_else(|e| crate::api_v1::ApiError(e).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_starts_after_last_event_id_else_after_else_now() {
        let mut h = HeaderMap::new();
        assert_eq!(start_after(&h, None), Ok(None));
        assert_eq!(start_after(&h, Some("12")), Ok(Some(12)));
        h.insert("last-event-id", "40".parse().unwrap());
        assert_eq!(start_after(&h, Some("12")), Ok(Some(40)));
        h.insert("last-event-id", "x".parse().unwrap());
        assert!(start_after(&h, None)
            .unwrap_err()
            .field("last-event-id")
            .is_some());
        assert!(start_after(&HeaderMap::new(), Some("-1")).is_err());
    }
}
