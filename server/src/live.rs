//! Live streams (Server-Sent Events) over the hub: `GET /api/v1/events` for
//! integrations with a bearer token, and `GET /api/live` for a signed-in browser's
//! board. Each message is one change from the event log, `id:` its log id. A client that
//! reconnects sends `Last-Event-ID` (or `?after=`) and gets exactly what it missed, then
//! the live changes; one too far behind is told to refetch.
//!
//! Integrations read `data:` as JSON with the deal as API v1 shows it. Browsers read a
//! `StreamMessage` (the `LiveEvent` their board applies, or who else has the board
//! open) in the compact form `StreamMessage::encode` writes.

use app::domain::deal::Deal;
use app::domain::event::DealEventKind;
use app::domain::ids::{DealId, DisplayId, PipelineId};
use app::domain::live::{others, LiveEvent, StreamMessage, Viewer};
use app::domain::user::User;
use app::error::AppError;
use app::ssr::live::{Delivery, Hub, Signal};
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
/// How soon a browser tries again after its stream broke (a restart, a network hiccup).
const RETRY: Duration = Duration::from_secs(2);

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
/// or `still_allowed` says the caller's access has ended. `message` writes each one.
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
    let stream = deliveries(&state.hub, user, after, api_message)
        .map(Ok::<_, Infallible>)
        .take_until(access_ends(still_allowed));
    sse(stream)
}

/// What the hub delivers after `after`, as `write` puts it for `reader` (who sees
/// nothing `write` leaves out).
fn deliveries<R: Send + Sync + 'static>(
    hub: &Hub,
    reader: R,
    after: Option<i64>,
    write: fn(&R, Delivery) -> Option<Event>,
) -> impl Stream<Item = Event> + Send + 'static {
    let deliveries = hub.subscribe(after);
    futures_util::stream::unfold(deliveries, |mut d| async move {
        d.recv().await.map(|delivery| (delivery, d))
    })
    .filter_map(move |delivery| {
        let event = write(&reader, delivery);
        async move { event }
    })
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
        // Boxed: only a stream that is checking holds the lookup's state.
        if !Box::pin(still_allowed()).await {
            return;
        }
    }
}

fn api_message(user: &User, delivery: Delivery) -> Option<Event> {
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
            let data = logged
                .written
                .api
                .get_or_init(|| {
                    serde_json::to_string(&Change {
                        id: logged.id,
                        deal_id: logged.deal_id,
                        kind: logged.kind.name().to_string(),
                        event: logged.kind.clone(),
                        deal: logged.snapshot.as_ref().and_then(|s| s.deal.clone()),
                    })
                    .ok()
                })
                .clone()?;
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

/// Who a browser's stream is for: a signed-in user, or a meeting-room screen, which
/// sees its pipeline's deals and nothing else.
#[derive(Clone)]
enum Audience {
    User(User),
    Screen(PipelineId),
}

impl Audience {
    fn can_see(&self, logged: &app::ssr::db::deal_events::Logged) -> bool {
        match self {
            Audience::User(user) => ops::deals::can_see(user, logged.deal_id),
            Audience::Screen(pipeline) => logged.snapshot.as_ref().is_some_and(|s| {
                [&s.before, &s.after]
                    .into_iter()
                    .flatten()
                    .any(|card| card.pipeline_id == *pipeline)
            }),
        }
    }
}

/// A change as a browser's board applies it. A change logged before Tend kept the deal
/// before and after cannot be applied: the board is told to load itself again.
fn browser_message(audience: &Audience, delivery: Delivery) -> Option<Event> {
    let (id, data) = match delivery {
        Delivery::Refetch { head } => (head, StreamMessage::Event(LiveEvent::Refetch).encode()),
        Delivery::Change(logged) => {
            if !audience.can_see(&logged) {
                return None;
            }
            let data = logged.written.browser.get_or_init(|| {
                let event = match &logged.snapshot {
                    Some(s) => s.event(logged.id, logged.deal_id),
                    None => LiveEvent::Refetch,
                };
                StreamMessage::Event(event).encode()
            });
            (logged.id, data.clone())
        }
    };
    Some(
        Event::default()
            .id(id.to_string())
            .event("change")
            .data(data),
    )
}

/// Who else has the board of `pipeline` open, each time that changes, starting with
/// how things stand. `me` holds a seat there while the stream is read.
fn viewers(hub: &Hub, pipeline: PipelineId, me: &User) -> impl Stream<Item = Event> + Send {
    let seat = hub.sit(
        pipeline,
        Viewer {
            name: me.name.clone(),
            user_id: me.id,
        },
    );
    let me = me.id;
    let start = (hub.seats(), seat, None::<Vec<Viewer>>);
    futures_util::stream::unfold(start, move |(mut seats, seat, last)| async move {
        loop {
            if last.is_some() {
                seats.changed().await.ok()?;
            }
            let now = {
                let all = seats.borrow_and_update();
                let here = all.iter().filter(|(_, p, _)| *p == pipeline);
                others(here.map(|(_, _, v)| v), me)
            };
            if last.as_ref() != Some(&now) {
                let event = Event::default()
                    .event("viewers")
                    .retry(RETRY)
                    .data(StreamMessage::Viewers(now.clone()).encode());
                return Some((event, (seats, seat, Some(now))));
            }
        }
    })
}

/// `GET /api/live?pipeline=&after=`: the board's stream for the signed-in browser. It
/// ends when the session does (signed out, expired, the user disabled).
/// `GET /api/live?display=SECRET&after=`: a meeting-room screen's stream, which ends
/// within seconds of its link being revoked.
pub async fn browser_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let result = async {
        let after = start_after(&headers, query.get("after").map(String::as_str))?;
        if let Some(secret) = query.get("display") {
            return screen_events(&state, secret.clone(), after).await;
        }
        let token = state
            .cookies
            .token(&headers)
            .ok_or(AppError::Unauthenticated)?;
        let user = ops::auth::session_user(&state.db, &token, chrono::Utc::now()).await?;
        if query.contains_key("leads") {
            let stream = leads_events(&state, after).await?;
            return Ok(browser_sse(&state, stream, session_lasts(&state, token)));
        }
        let pipeline = query
            .get("pipeline")
            .map(|p| {
                p.parse::<PipelineId>()
                    .map_err(|_| AppError::invalid("pipeline", "must be a pipeline id"))
            })
            .transpose()?;
        let board = match pipeline {
            Some(p) => {
                // Listening before reading where the shape stands: no change falls between.
                let around = signals(&state.hub, p, None);
                let shape = ops::pipelines::version(&state.db, &user, p).await?;
                let presence = viewers(&state.hub, p, &user);
                Some((
                    shape_now(p, shape),
                    futures_util::stream::select(presence, around),
                ))
            }
            None => None,
        };
        let changes = deliveries(&state.hub, Audience::User(user), after, browser_message);
        let stream = match board {
            Some((shape, around)) => futures_util::stream::once(async move { shape })
                .chain(futures_util::stream::select(around, changes))
                .boxed(),
            None => changes.boxed(),
        };
        Ok(browser_sse(&state, stream, session_lasts(&state, token)))
    }
    .await;
    result.unwrap_or_else(|e| crate::api_v1::ApiError(e).into_response())
}

/// Whether the session behind a browser's stream still stands.
fn session_lasts(
    state: &AppState,
    token: String,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + 'static
{
    let db = state.db.clone();
    move || {
        let (db, token) = (db.clone(), token.clone());
        Box::pin(async move {
            ops::auth::session_user(&db, &token, chrono::Utc::now())
                .await
                .is_ok()
        })
    }
}

/// `GET /api/live?leads&after=SEEN`: the leads inbox's stream. Its positions count the
/// changes to leads (`LeadsPage::seen`); each time there are more, the inbox is told to
/// read itself again (`LiveEvent::Refetch`, `id:` the new count). An inbox that missed
/// some while away is told so at once, on reconnecting.
async fn leads_events(
    state: &AppState,
    after: Option<i64>,
) -> Result<impl Stream<Item = Event> + Send + 'static, AppError> {
    fn refetch(seen: i64) -> Event {
        Event::default()
            .event("change")
            .id(seen.to_string())
            .retry(RETRY)
            .data(StreamMessage::Event(LiveEvent::Refetch).encode())
    }
    // Listening before counting: no change falls between.
    let heard = futures_util::stream::unfold(state.hub.signals(), |mut signals| async move {
        loop {
            match signals.recv().await {
                Ok(Signal::Leads(seen)) => return Some((seen, signals)),
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return None,
            }
        }
    });
    let seen = ops::leads::seen(&state.db).await?;
    let first = match after {
        Some(a) if a == seen => None,
        _ => Some(refetch(seen)),
    };
    Ok(futures_util::stream::iter(first).chain(
        heard
            .filter(move |n| std::future::ready(*n != seen))
            .map(refetch),
    ))
}

async fn screen_events(
    state: &AppState,
    secret: String,
    after: Option<i64>,
) -> Result<Response, AppError> {
    let display = ops::displays::opened(&state.db, &secret).await?;
    let changes = deliveries(
        &state.hub,
        Audience::Screen(display.pipeline_id),
        after,
        browser_message,
    )
    .boxed();
    let around = signals(&state.hub, display.pipeline_id, Some(display.id));
    let shape = shape_now(
        display.pipeline_id,
        ops::displays::shape(&state.db, &display).await?,
    );
    let db = state.db.clone();
    let still_allowed = move || {
        let (db, secret) = (db.clone(), secret.clone());
        async move { ops::displays::opened(&db, &secret).await.is_ok() }
    };
    let stream = futures_util::stream::once(async move { shape })
        .chain(futures_util::stream::select(around, changes));
    Ok(browser_sse(state, stream, still_allowed))
}

/// A stream's first message on a board or screen: where its pipeline's shape stands
/// (`version`; a deleted pipeline's is past any), so a page that was away learns of a
/// change it missed. It also sets how soon the browser reconnects.
fn shape_now(pipeline: PipelineId, version: Option<i64>) -> Event {
    let event = LiveEvent::Reshaped {
        pipeline_id: pipeline,
        version: version.unwrap_or(i64::MAX),
    };
    Event::default()
        .event("change")
        .retry(RETRY)
        .data(StreamMessage::Event(event).encode())
}

/// What a board or screen of `pipeline` hears beside the log: each change to its name or
/// stages and, for a screen (`display`), its presenter's cues.
fn signals(
    hub: &Hub,
    pipeline: PipelineId,
    display: Option<DisplayId>,
) -> impl Stream<Item = Event> + Send {
    futures_util::stream::unfold(hub.signals(), |mut signals| async move {
        loop {
            match signals.recv().await {
                Ok(signal) => return Some((signal, signals)),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return None,
            }
        }
    })
    .filter_map(move |signal| async move {
        match signal {
            Signal::Cue(to, cue) if Some(to) == display => Some(
                Event::default()
                    .event("cue")
                    .data(StreamMessage::Cue(cue).encode()),
            ),
            Signal::Shape(event @ LiveEvent::Reshaped { pipeline_id, .. })
                if pipeline_id == pipeline =>
            {
                Some(
                    Event::default()
                        .event("change")
                        .data(StreamMessage::Event(event).encode()),
                )
            }
            _ => None,
        }
    })
}

/// A browser's stream: it ends when the server stops or the caller's access does.
fn browser_sse<F, Fut>(
    state: &AppState,
    stream: impl Stream<Item = Event> + Send + 'static,
    still_allowed: F,
) -> Response
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let hub = state.hub.clone();
    sse(stream
        .map(Ok::<_, Infallible>)
        .take_until(async move { hub.closing().await })
        .take_until(access_ends(still_allowed)))
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
