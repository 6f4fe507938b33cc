//! Each pipeline's log replayed to its end, kept in memory and brought up to date by
//! replaying again only the deals logged since. The forecast, the board's widgets, the
//! funnel and today's board read it in time proportional to what changed, not to the
//! whole log; what they read is the same as a replay of everything (`Replayed::renew`).

use crate::domain::ids::{DealId, PipelineId};
use crate::domain::replay::{replay, Replayed};
use crate::error::AppResult;
use crate::ssr::db::deal_events::Touched;
use crate::ssr::db::{deal_events, deals, Tx};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Past this many entries logged since the kept replay, replaying everything again is
/// as cheap as renewing the deals they touched.
const RENEW_AT_MOST: i64 = 50_000;

/// Pipelines kept at once; past that all are forgotten, each replayed again when next
/// read.
const PIPELINES_KEPT: usize = 16;

/// A pipeline's replay and how far into the log it reaches.
struct Kept {
    /// The last log entry replayed, and the deal it is about: a log that no longer has
    /// that entry there (another database, or one restored from an older backup) is
    /// replayed afresh.
    position: i64,
    deal_at_position: Option<DealId>,
    /// The latest instant of any entry up to the position (field changes too, which
    /// a replay to an earlier instant would undo): the replay stands for every instant
    /// from then on.
    latest: DateTime<Utc>,
    replayed: Arc<Replayed>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Kept>>>;

static KEPT: LazyLock<Mutex<HashMap<PipelineId, Slot>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn slot(pipeline: PipelineId) -> Slot {
    let mut all = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if all.len() >= PIPELINES_KEPT && !all.contains_key(&pipeline) {
        all.clear();
    }
    all.entry(pipeline).or_default().clone()
}

/// The deals of `pipeline` as they stood at `until`. From the kept replay, brought up
/// to date, when no entry is later than `until` (the usual case: now, or the end of
/// today); otherwise replayed from the log as it was then.
pub async fn as_of(
    tx: &mut Tx,
    pipeline: PipelineId,
    until: DateTime<Utc>,
) -> AppResult<Arc<Replayed>> {
    let slot = slot(pipeline);
    let mut kept = slot.lock().await;
    let position = deal_events::position(tx).await?;
    let known = match kept.take() {
        Some(k) if k.position <= position && position - k.position <= RENEW_AT_MOST => {
            if deal_events::deal_at(tx, k.position).await? == k.deal_at_position {
                Some(k)
            } else {
                None
            }
        }
        _ => None,
    };
    let fresh = match known {
        Some(k) if k.position == position => k,
        Some(k) => renew(tx, pipeline, k, position).await?,
        None => everything(tx, pipeline, position).await?,
    };
    let out = (fresh.latest <= until).then(|| fresh.replayed.clone());
    *kept = Some(fresh);
    drop(kept);
    match out {
        Some(replayed) => Ok(replayed),
        None => {
            let facts = deals::facts(tx, pipeline).await?;
            let log = deal_events::entries(tx, pipeline, true).await?;
            Ok(Arc::new(replay(&facts, &log, until)))
        }
    }
}

/// The whole log up to `position`, replayed.
async fn everything(tx: &mut Tx, pipeline: PipelineId, position: i64) -> AppResult<Kept> {
    let all = Touched::All { upto: position };
    let facts = deals::facts_of_touched(tx, pipeline, all).await?;
    let log = deal_events::entries_of_touched(tx, pipeline, false, all).await?;
    Ok(Kept {
        position,
        deal_at_position: deal_events::deal_at(tx, position).await?,
        latest: deal_events::latest_between(tx, 0, position)
            .await?
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
        replayed: Arc::new(replay(&facts, &log, DateTime::<Utc>::MAX_UTC)),
    })
}

/// `kept` brought up to `position`: the deals logged since replayed again, whole.
async fn renew(
    tx: &mut Tx,
    pipeline: PipelineId,
    mut kept: Kept,
    position: i64,
) -> AppResult<Kept> {
    let after = kept.position;
    let touched = deal_events::touched(tx, after, position).await?;
    let since = Touched::Between {
        after,
        upto: position,
    };
    let facts = deals::facts_of_touched(tx, pipeline, since).await?;
    let log = deal_events::entries_of_touched(tx, pipeline, false, since).await?;
    let fresh = replay(&facts, &log, DateTime::<Utc>::MAX_UTC);
    Arc::make_mut(&mut kept.replayed).renew(&touched, fresh);
    Ok(Kept {
        position,
        deal_at_position: deal_events::deal_at(tx, position).await?,
        latest: deal_events::latest_between(tx, after, position)
            .await?
            .map_or(kept.latest, |l| l.max(kept.latest)),
        replayed: kept.replayed,
    })
}
