//! The live hub: hands every change in the event log to every open stream, in log order.
//!
//! The log is the only source. After a commit, whoever made the change nudges the hub
//! (`wake`); on PostgreSQL every instance is also nudged by `NOTIFY` from the commit, so
//! a change made through one instance reaches streams on all of them; and the hub looks
//! at the log every second anyway, so a nudge that never comes delays a change, it does
//! not lose it. The hub reads what is new once and broadcasts it to the streams.
//!
//! A stream that starts after a position (a browser's `Last-Event-ID`) first replays
//! the log from there, then follows the broadcast, skipping what it already sent: no gap
//! and no duplicate, because log ids follow commit order on both engines (see
//! `db::deal_events::append`). A stream more than `REPLAY_LIMIT` changes behind is told
//! to refetch instead.

use super::db::deal_events::{self, Logged};
use super::db::Db;
use crate::domain::display::Cue;
use crate::domain::ids::{DisplayId, PipelineId};
use crate::domain::live::{LiveEvent, Viewer};
use crate::error::AppResult;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch, Notify};

/// How far behind a reconnecting stream may be and still be replayed.
pub const REPLAY_LIMIT: i64 = 10_000;
/// Rows read from the log at a time.
const BATCH: i64 = 500;
/// Changes the broadcast holds for a slow stream before it must catch up from the log.
const BROADCAST: usize = 1_024;
/// How often the hub looks at the log without being nudged.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// `broadcast_head` before the hub has read the log.
const UNREAD: i64 = -1;
/// The PostgreSQL channel commits notify.
pub const CHANNEL: &str = "tend_log";
/// The PostgreSQL channel signals travel on (presenters' cues, pipelines reshaped), so
/// that a screen or board connected to any instance follows them.
pub const SIGNALS: &str = "tend_signal";

/// What is not in the event log but every open board or screen it concerns hears at
/// once, on every instance.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Signal {
    /// A presenter's cue, for the screens of one display link.
    Cue(DisplayId, Cue),
    /// A pipeline's name or stages changed (`LiveEvent::Reshaped`): its boards and
    /// screens load themselves again. A stream that starts says where its pipeline
    /// stands, so one that was away learns of what it missed.
    Shape(LiveEvent),
    /// The leads' log has grown to this many changes: open inboxes read themselves
    /// again. Each instance's hub sends it on seeing the log grow, whoever wrote to it.
    Leads(i64),
}

/// What a stream receives.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    Change(Arc<Logged>),
    /// Too far behind to replay: load everything again, then follow from here.
    Refetch {
        head: i64,
    },
}

#[derive(Clone, Debug)]
pub struct Hub(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    db: Db,
    changes: broadcast::Sender<Arc<Logged>>,
    /// The last log id broadcast (`UNREAD` until the hub first reads the log): where a
    /// stream that starts "from now" starts.
    broadcast_head: AtomicI64,
    wake: Notify,
    closed: watch::Sender<bool>,
    /// Who has which board open on this instance, by seat.
    seats: watch::Sender<Vec<(u64, PipelineId, Viewer)>>,
    next_seat: AtomicU64,
    signals: broadcast::Sender<Signal>,
}

/// A place at a board, kept while its stream is open: dropping it leaves.
#[derive(Debug)]
pub struct Seat {
    hub: Hub,
    id: u64,
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.hub
            .0
            .seats
            .send_modify(|seats| seats.retain(|(id, _, _)| *id != self.id));
    }
}

impl Hub {
    /// Starts the hub's reader (and on PostgreSQL its listener) on the current runtime.
    pub fn start(db: Db) -> Hub {
        let hub = Hub(Arc::new(Inner {
            changes: broadcast::channel(BROADCAST).0,
            broadcast_head: AtomicI64::new(UNREAD),
            wake: Notify::new(),
            closed: watch::channel(false).0,
            seats: watch::channel(Vec::new()).0,
            next_seat: AtomicU64::new(0),
            signals: broadcast::channel(64).0,
            db,
        }));
        tokio::spawn(hub.clone().read_forever());
        if let Db::Postgres(pool) = &hub.0.db {
            tokio::spawn(listen(pool.clone(), hub.clone()));
        }
        hub
    }

    /// Tells the hub the log has grown (call after a commit).
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Notes that `viewer` has the board of `pipeline` open, until the seat is dropped.
    pub fn sit(&self, pipeline: PipelineId, viewer: Viewer) -> Seat {
        let id = self.0.next_seat.fetch_add(1, Ordering::Relaxed);
        self.0
            .seats
            .send_modify(|seats| seats.push((id, pipeline, viewer)));
        Seat {
            hub: self.clone(),
            id,
        }
    }

    /// Who has which board open on this instance, as it changes.
    pub fn seats(&self) -> watch::Receiver<Vec<(u64, PipelineId, Viewer)>> {
        self.0.seats.subscribe()
    }

    /// Passes a signal to every stream it concerns, on every instance.
    pub async fn publish(&self, signal: Signal) -> AppResult<()> {
        match &self.0.db {
            // Every instance hears it back through `listen`, this one included.
            Db::Postgres(pool) => {
                let payload = serde_json::to_string(&signal)
                    .map_err(|e| crate::error::AppError::internal(&e))?;
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(SIGNALS)
                    .bind(payload)
                    .execute(pool)
                    .await?;
            }
            Db::Sqlite { .. } => {
                let _ = self.0.signals.send(signal);
            }
        }
        Ok(())
    }

    /// Signals, for every stream, as they come.
    pub fn signals(&self) -> broadcast::Receiver<Signal> {
        self.0.signals.subscribe()
    }

    /// Completes once the hub closes.
    pub async fn closing(&self) {
        let mut closed = self.0.closed.subscribe();
        while !*closed.borrow_and_update() {
            if closed.changed().await.is_err() {
                return;
            }
        }
    }

    /// Waits until the hub has read where the log ends. A stream opened before that
    /// would take "now" only when its own task first ran, and could miss a change
    /// committed in between; the server serves nobody until then.
    pub async fn ready(&self) {
        while self.0.broadcast_head.load(Ordering::SeqCst) == UNREAD && !*self.0.closed.borrow() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Ends every stream and the hub's own tasks (the server is stopping).
    pub fn close(&self) {
        self.0.closed.send_replace(true);
    }

    async fn read_forever(self) {
        let mut closed = self.0.closed.subscribe();
        let mut head = self.read_head().await.unwrap_or(0);
        let mut leads = self.read_leads().await.unwrap_or(0);
        self.0.broadcast_head.store(head, Ordering::SeqCst);
        loop {
            tokio::select! {
                _ = self.0.wake.notified() => {}
                _ = tokio::time::sleep(LOOK_EVERY) => {}
                _ = closed.changed() => return,
            }
            if *closed.borrow() {
                return;
            }
            match self.broadcast_after(head).await {
                Ok(h) => head = h,
                Err(e) => tracing::warn!(error = %e, "the live hub could not read the log"),
            }
            match self.read_leads().await {
                Ok(n) if n != leads => {
                    leads = n;
                    let _ = self.0.signals.send(Signal::Leads(n));
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the live hub could not read the leads' log"),
            }
        }
    }

    async fn read_leads(&self) -> AppResult<i64> {
        let mut tx = self.0.db.read().await?;
        super::db::lead_events::count(&mut tx).await
    }

    async fn read_head(&self) -> AppResult<i64> {
        let mut tx = self.0.db.read().await?;
        deal_events::position(&mut tx).await
    }

    /// Broadcasts what the log holds after `head`; returns the new head.
    async fn broadcast_after(&self, mut head: i64) -> AppResult<i64> {
        loop {
            let rows = self.read_after(head).await?;
            let more = rows.len() as i64 == BATCH;
            for row in rows {
                head = row.id;
                self.0.broadcast_head.store(head, Ordering::SeqCst);
                // No stream listening is fine: they read the log when they start.
                let _ = self.0.changes.send(Arc::new(row));
            }
            if !more {
                return Ok(head);
            }
        }
    }

    async fn read_after(&self, after: i64) -> AppResult<Vec<Logged>> {
        let mut tx = self.0.db.read().await?;
        deal_events::after(&mut tx, after, BATCH).await
    }

    /// A stream of every change after `after` (the log's head when `None`): replayed
    /// from the log, then live. It ends when the hub closes or the receiver is dropped.
    pub fn subscribe(&self, after: Option<i64>) -> mpsc::Receiver<Delivery> {
        let (send, receive) = mpsc::channel(64);
        // Subscribed before the position is taken, so whatever is broadcast past it
        // reaches this stream: a change committed once the caller has its stream is
        // never missed.
        let live = self.0.changes.subscribe();
        let after = after.or_else(|| {
            Some(self.0.broadcast_head.load(Ordering::SeqCst)).filter(|h| *h != UNREAD)
        });
        tokio::spawn(self.clone().feed(after, live, send));
        receive
    }

    async fn feed(
        self,
        after: Option<i64>,
        mut live: broadcast::Receiver<Arc<Logged>>,
        send: mpsc::Sender<Delivery>,
    ) {
        let mut closed = self.0.closed.subscribe();
        // The log itself says where it ends (the hub may not have read that far yet).
        // Reads are boxed: a stream waits far longer than it reads, and what it holds
        // while waiting is what 10,000 idle streams cost.
        let Ok(head) = Box::pin(self.read_head()).await else {
            return;
        };
        let mut last = after.unwrap_or(head);
        // Too far behind, or a position the log never reached.
        if head - last > REPLAY_LIMIT || last > head {
            if send.send(Delivery::Refetch { head }).await.is_err() {
                return;
            }
            last = head;
        }
        if Box::pin(self.replay(&mut last, &send)).await.is_err() {
            return;
        }
        loop {
            let next = tokio::select! {
                next = live.recv() => next,
                _ = closed.changed() => return,
            };
            let sent = match next {
                Ok(row) if row.id > last => {
                    last = row.id;
                    send.send(Delivery::Change(row)).await.is_ok()
                }
                Ok(_) => true,
                // Too slow for the broadcast: catch up from the log.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    Box::pin(self.replay(&mut last, &send)).await.is_ok()
                }
                Err(broadcast::error::RecvError::Closed) => false,
            };
            if !sent || send.is_closed() {
                return;
            }
        }
    }

    /// Sends what the log holds after `last`, moving `last` along. `Err` when the
    /// receiver is gone or the log cannot be read (the stream then ends and the client
    /// reconnects).
    async fn replay(&self, last: &mut i64, send: &mpsc::Sender<Delivery>) -> Result<(), ()> {
        loop {
            let rows = self.read_after(*last).await.map_err(|_| ())?;
            let more = rows.len() as i64 == BATCH;
            for row in rows {
                *last = row.id;
                send.send(Delivery::Change(Arc::new(row)))
                    .await
                    .map_err(|_| ())?;
            }
            if !more {
                return Ok(());
            }
        }
    }
}

/// Wakes the hub whenever a commit on any instance notifies `CHANNEL`.
async fn listen(pool: sqlx::PgPool, hub: Hub) {
    let mut closed = hub.0.closed.subscribe();
    loop {
        let listener = async {
            let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
            l.listen_all([CHANNEL, SIGNALS]).await?;
            Ok::<_, sqlx::Error>(l)
        };
        match listener.await {
            Ok(mut l) => loop {
                tokio::select! {
                    n = l.recv() => match n {
                        Ok(n) if n.channel() == SIGNALS => {
                            if let Ok(signal) = serde_json::from_str(n.payload()) {
                                let _ = hub.0.signals.send(signal);
                            }
                        }
                        Ok(_) => hub.wake(),
                        Err(e) => {
                            tracing::warn!(error = %e, "lost the log's notifications; listening again");
                            break;
                        }
                    },
                    _ = closed.changed() => return,
                }
            },
            Err(e) => tracing::warn!(error = %e, "cannot listen for the log's notifications"),
        }
        // Until then the hub's own look every second keeps streams going.
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = closed.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    /// What a waiting stream holds is what 10,000 idle streams cost: its reads of the
    /// log are boxed, so the wait itself stays small.
    #[tokio::test]
    async fn an_idle_stream_holds_well_under_a_kilobyte_of_state() {
        let t = crate::ssr::testing::TestDb::sqlite().await;
        let hub = super::Hub::start(t.db.clone());
        let live = hub.0.changes.subscribe();
        let (send, _receive) = tokio::sync::mpsc::channel(64);
        let feed = hub.clone().feed(None, live, send);
        assert!(
            std::mem::size_of_val(&feed) < 1024,
            "{}",
            std::mem::size_of_val(&feed)
        );
    }

    /// A client that has its stream may act at once: what it does next is on the stream,
    /// however late the stream's own task gets to run.
    #[tokio::test]
    async fn a_stream_from_now_has_the_change_committed_right_after_it_was_opened() {
        use crate::domain::deal::DealDraft;
        use std::sync::atomic::Ordering;
        let t = crate::ssr::testing::TestDb::sqlite().await;
        let (me, pipeline) = t.with_admin().await;
        let draft = DealDraft {
            title: "Streamed".into(),
            value: 1_000,
            currency: "EUR".into(),
            stage_id: pipeline.stages[0].id,
            ..Default::default()
        };
        let deal = crate::ssr::ops::deals::create(&t.db, &me, draft, chrono::Utc::now())
            .await
            .unwrap()
            .deal;
        let hub = super::Hub::start(t.db.clone());
        while hub.0.broadcast_head.load(Ordering::SeqCst) == super::UNREAD {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let mut stream = hub.subscribe(None);
        crate::ssr::testing::append_events(&t.db, deal.id, 1).await;
        hub.wake();
        let last = *crate::ssr::testing::log_ids_after(&t.db, 0)
            .await
            .last()
            .unwrap();
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), stream.recv())
            .await
            .expect("a delivery in time")
            .expect("the stream is open");
        match got {
            super::Delivery::Change(row) => assert_eq!(row.id, last),
            other => panic!("expected the change, got {other:?}"),
        }
    }
}
