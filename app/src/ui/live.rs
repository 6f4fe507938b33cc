//! A page's live link: one Server-Sent Events stream per tab (`GET /api/live`),
//! opened once the page is running in the browser. Every change arrives as a
//! `LiveEvent` for the page to apply, and, on a board, who else has it open as a list
//! of names. The browser reconnects by itself after a network hiccup or a server restart,
//! sending the id of the last change it got, so the server replays exactly what was
//! missed. When the server refuses the stream (signed out, an error) the link tries
//! again every few seconds from where it was.

use crate::domain::display::Cue;
use crate::domain::ids::PipelineId;
use crate::domain::live::{LiveEvent, StreamMessage, Viewer};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// How the board's link to the server stands. Times are local "HH:MM".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    /// Lost a moment ago; the browser is reconnecting.
    Reconnecting {
        since: String,
    },
    /// Lost for longer than `OFFLINE_AFTER`.
    Offline {
        since: String,
    },
}

/// A link lost for this long is shown as offline.
const OFFLINE_AFTER: Duration = Duration::from_secs(6);
/// How soon a stream the server refused is asked for again.
const TRY_AGAIN: Duration = Duration::from_secs(4);

/// What the board shows of the link.
#[derive(Clone, Copy)]
pub struct LiveSignals {
    pub connection: RwSignal<Connection>,
    pub viewers: RwSignal<Vec<Viewer>>,
}

impl LiveSignals {
    pub fn new() -> Self {
        Self {
            connection: RwSignal::new(Connection::Connecting),
            viewers: RwSignal::new(Vec::new()),
        }
    }
}

struct Link {
    /// What the stream is for (`pipeline=…` for a board, `display=…` for a screen).
    query: String,
    /// The last change received (where a new stream starts).
    last: Cell<i64>,
    source: RefCell<Option<EventSource>>,
    listeners: RefCell<Vec<Closure<dyn FnMut(MessageEvent)>>>,
    stopped: Cell<bool>,
    signals: LiveSignals,
    on: Handlers,
}

/// What a page does with what its stream brings.
#[derive(Clone, Copy)]
pub struct Handlers {
    /// A change, at its position in the event log.
    pub change: Callback<(i64, LiveEvent)>,
    /// The server turned the stream down (signed out, a revoked link).
    pub refused: Option<Callback<()>>,
    /// A presenter's cue (meeting-room screens).
    pub cue: Option<Callback<Cue>>,
}

impl Handlers {
    pub fn changes(change: Callback<(i64, LiveEvent)>) -> Self {
        Self {
            change,
            refused: None,
            cue: None,
        }
    }
}

/// Which stream a page follows.
pub enum Source {
    /// Every change the user may see.
    Changes,
    /// The same, on a board: who else has it open is told too.
    Board(PipelineId),
    /// A meeting-room screen's, by its link's secret.
    Screen(String),
    /// The leads inbox's: a `Refetch` each time leads change, its positions counting
    /// those changes.
    Leads,
}

/// Follows the changes after `after` until the component that calls this is gone.
/// Does nothing on the server.
pub fn follow(source: Source, after: i64, signals: LiveSignals, on: Handlers) {
    let query = match source {
        Source::Changes => String::new(),
        Source::Board(p) => format!("pipeline={p}&"),
        Source::Screen(secret) => format!("display={}&", url_encode(&secret)),
        Source::Leads => "leads&".into(),
    };
    Effect::new(move |_| {
        let link = Rc::new(Link {
            query: query.clone(),
            last: Cell::new(after),
            source: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            stopped: Cell::new(false),
            signals,
            on,
        });
        // The stream's code arrives as a chunk of its own, once the page is showing.
        let first = link.clone();
        leptos::task::spawn_local(async move { open(first).await });
        let link = leptos::__reexports::send_wrapper::SendWrapper::new(link);
        on_cleanup(move || {
            link.stopped.set(true);
            close(&link);
        });
    });
}

/// Opens the stream. Its code (EventSource, reconnecting, reading messages) is fetched
/// after the page's first load: a page is useful a moment before it is live.
#[cfg(feature = "pages")]
#[lazy]
fn open(link: Rc<Link>) {
    connect(link)
}

/// Opens the stream (the meeting-room screen's wasm, which is not split, holds it).
#[cfg(not(feature = "pages"))]
async fn open(link: Rc<Link>) {
    connect(link)
}

fn close(link: &Link) {
    if let Some(source) = link.source.borrow_mut().take() {
        source.close();
    }
    link.listeners.borrow_mut().clear();
}

fn connect(link: Rc<Link>) {
    close(&link);
    if link.stopped.get() {
        return;
    }
    let url = format!("/api/live?{}after={}", link.query, link.last.get());
    let Ok(source) = EventSource::new(&url) else {
        return try_again(link);
    };
    let on_change = {
        let link = link.clone();
        move |ev: MessageEvent| {
            // A message from outside the log (a pipeline's shape) carries no id of its
            // own: it stands where the stream is.
            let id = ev
                .last_event_id()
                .parse::<i64>()
                .unwrap_or_else(|_| link.last.get());
            let message = ev
                .data()
                .as_string()
                .and_then(|t| StreamMessage::decode(&t));
            if let Some(StreamMessage::Event(event)) = message {
                link.last.set(id);
                link.on.change.run((id, event));
            }
        }
    };
    let on_viewers = {
        let signals = link.signals;
        move |ev: MessageEvent| {
            let message = ev
                .data()
                .as_string()
                .and_then(|t| StreamMessage::decode(&t));
            if let Some(StreamMessage::Viewers(v)) = message {
                signals.viewers.set(v);
            }
        }
    };
    let on_cue = {
        let cue = link.on.cue;
        move |ev: MessageEvent| {
            let message = ev
                .data()
                .as_string()
                .and_then(|t| StreamMessage::decode(&t));
            if let (Some(heard), Some(StreamMessage::Cue(c))) = (cue, message) {
                heard.run(c);
            }
        }
    };
    let on_open = {
        let signals = link.signals;
        move |_: MessageEvent| signals.connection.set(Connection::Live)
    };
    let on_error = {
        let link = link.clone();
        move |_: MessageEvent| lost(link.clone())
    };
    let mut listeners = link.listeners.borrow_mut();
    for (name, handler) in [
        (
            "change",
            Box::new(on_change) as Box<dyn FnMut(MessageEvent)>,
        ),
        ("viewers", Box::new(on_viewers)),
        ("cue", Box::new(on_cue)),
        ("open", Box::new(on_open)),
        ("error", Box::new(on_error)),
    ] {
        let closure = Closure::wrap(handler);
        let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        listeners.push(closure);
    }
    drop(listeners);
    *link.source.borrow_mut() = Some(source);
}

/// The stream broke. The browser reconnects by itself unless the server refused it, in
/// which case the link asks again shortly. Either way the board says so, and says
/// offline once it has lasted.
fn lost(link: Rc<Link>) {
    let signals = link.signals;
    let since = match signals.connection.get_untracked() {
        Connection::Reconnecting { since } | Connection::Offline { since } => since,
        _ => now_hh_mm(),
    };
    if !matches!(
        signals.connection.get_untracked(),
        Connection::Offline { .. }
    ) {
        signals.connection.set(Connection::Reconnecting {
            since: since.clone(),
        });
        set_timeout(
            move || {
                let still = Connection::Reconnecting {
                    since: since.clone(),
                };
                if signals.connection.get_untracked() == still {
                    signals.connection.set(Connection::Offline { since });
                }
            },
            OFFLINE_AFTER,
        );
    }
    let refused = link
        .source
        .borrow()
        .as_ref()
        .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
    if refused {
        if let Some(heard) = link.on.refused {
            heard.run(());
        }
        try_again(link);
    }
}

/// Secrets are made of letters, digits and `_`; anything else is escaped all the same.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn try_again(link: Rc<Link>) {
    set_timeout(move || connect(link), TRY_AGAIN);
}

/// The local time as "HH:MM".
pub fn now_hh_mm() -> String {
    use chrono::Timelike;
    let t = chrono::Local::now();
    format!("{:02}:{:02}", t.hour(), t.minute())
}
