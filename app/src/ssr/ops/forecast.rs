//! Forecasts and the board as of a past day: the log replayed, then read by
//! `domain::forecast` and `domain::history`.

use super::history::choose;
use super::{require_admin, Operator};
use crate::domain::display::Period;
use crate::domain::forecast::{
    as_it_stood, backtest as backtest_log, finished_deals, finished_months, goal_periods,
    history_from, won_deals, ForecastPage, ForecastRow, History, PeriodKind, Standing, Trial,
    LEADS, MIN_HISTORY, MIN_LOOK_BACK,
};
use crate::domain::goal::{with_goals, Goal, GoalDraft};
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::pipeline::Pipeline;
use crate::domain::replay::{replay, Replayed};
use crate::domain::track_record::{
    days_wanted, track_record, Snapshot, TrackRecord, CLOSED_PERIODS, SNAPSHOT_PERIODS,
};
use crate::domain::user::User;
use crate::domain::what_if::Model;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, deals, forecast_snapshots, goals, pipelines, users, Db, Tx};
use crate::ssr::replays;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Periods a forecast looks at: the current one and the two after it.
pub const PERIODS_AHEAD: usize = 3;

/// The forecast of `pipeline` (the first one when none is named) by month or quarter
/// (month when none is named), for one owner's deals or everyone's.
pub async fn forecast(
    db: &Db,
    _caller: &User,
    pipeline: Option<PipelineId>,
    period: Option<&str>,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Vec<ForecastRow>> {
    let kind = kind_of(period)?;
    let mut tx = db.read().await?;
    if let Some(owner) = owner {
        if users::find(&mut tx, owner).await?.is_none() {
            return Err(AppError::NotFound("The owner".into()));
        }
    }
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let replayed = as_now(&mut tx, chosen.id, now).await?;
    let (rows, _) = rows_with_goals(&mut tx, chosen, &replayed, kind, owner, now).await?;
    Ok(rows)
}

/// Month when no period is named.
fn kind_of(period: Option<&str>) -> AppResult<PeriodKind> {
    Ok(period
        .map(PeriodKind::parse)
        .transpose()?
        .unwrap_or(PeriodKind::Month))
}

/// The forecast rows from today's period on, each with its goal, and the goals they
/// were read from.
async fn rows_with_goals(
    tx: &mut Tx,
    pipeline: &Pipeline,
    replayed: &Replayed,
    kind: PeriodKind,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<(Vec<ForecastRow>, Vec<Goal>)> {
    let rows = as_it_stood(replayed, &pipeline.stages, now, kind, PERIODS_AHEAD, owner);
    let goals = goals::from(tx, pipeline.id, kind.span(now.date_naive()).0).await?;
    Ok((with_goals(rows, &goals, kind, owner), goals))
}

/// The forecast page: the rows with their goals, and the goals set from this period
/// on, for the team or one owner.
pub async fn page(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    period: Option<&str>,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<ForecastPage> {
    let kind = kind_of(period)?;
    let mut tx = db.read().await?;
    let everyone = users::list(&mut tx).await?;
    if owner.is_some_and(|o| !everyone.iter().any(|u| u.id == o)) {
        return Err(AppError::NotFound("The owner".into()));
    }
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let replayed = as_now(&mut tx, chosen.id, now).await?;
    let (rows, goals) = rows_with_goals(&mut tx, chosen, &replayed, kind, owner, now).await?;
    let history_deals = finished_deals(&replayed, &chosen.stages) as i64;
    // Snapshots are of the team's forecast.
    let record = match owner {
        Some(_) => TrackRecord::default(),
        None => record_of(&mut tx, chosen, &replayed, kind, now).await?,
    };
    Ok(ForecastPage {
        me: caller.clone(),
        pipelines: all.iter().map(|p| (p.id, p.name.clone())).collect(),
        pipeline_id: chosen.id,
        users: everyone.into_iter().map(|u| (u.id, u.name)).collect(),
        kind,
        owner,
        rows,
        goals: goals.into_iter().filter(|g| g.kind == kind).collect(),
        history_deals,
        min_history: MIN_HISTORY as i64,
        history_months: finished_months(history_from(&replayed), now.date_naive())
            .try_into()
            .unwrap_or(i64::MAX),
        min_months: MIN_LOOK_BACK as i64,
        goal_periods: goal_periods(kind, now.date_naive()),
        track_record: record,
    })
}

/// The track record of `pipeline`'s team forecast (the first pipeline when none is
/// named) by month or quarter: the last closed periods, what was said before each
/// began and what was won.
pub async fn track_record_of(
    db: &Db,
    _caller: &User,
    pipeline: Option<PipelineId>,
    period: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<TrackRecord> {
    let kind = kind_of(period)?;
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let replayed = as_now(&mut tx, chosen.id, now).await?;
    record_of(&mut tx, chosen, &replayed, kind, now).await
}

async fn record_of(
    tx: &mut Tx,
    pipeline: &Pipeline,
    replayed: &Replayed,
    kind: PeriodKind,
    now: DateTime<Utc>,
) -> AppResult<TrackRecord> {
    let this = kind.span(now.date_naive()).0;
    let from = kind.before(this, CLOSED_PERIODS);
    let snapshots = forecast_snapshots::for_periods(tx, pipeline.id, kind, from, this).await?;
    let won = won_deals(replayed, &pipeline.stages, None);
    Ok(track_record(&snapshots, &won, kind, now.date_naive()))
}

/// The deals of `pipeline` as they stand now, replayed from the log.
async fn as_now(tx: &mut Tx, pipeline: PipelineId, now: DateTime<Utc>) -> AppResult<Arc<Replayed>> {
    replays::as_of(tx, pipeline, now).await
}

/// This month's and this quarter's figures for `pipeline` (one owner's, or the team's):
/// what the meeting-room screen's numbers scene and the board's forecast widgets show.
/// Every open board and screen asks again after each change; they share one reading
/// (made once, the others waiting for it) per state of the log, the pipeline, the
/// goals and the day.
pub async fn periods(
    tx: &mut Tx,
    pipeline: &Pipeline,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Period>> {
    let today = now.date_naive();
    let goals = goals::from(tx, pipeline.id, PeriodKind::Quarter.span(today).0).await?;
    let key = Reading {
        pipeline: pipeline.id,
        shape: pipeline.version,
        owner,
        log: deal_events::position(tx).await?,
        today,
        goals: goals.clone(),
    };
    let cell = READINGS.cell(key);
    let reading = cell
        .get_or_try_init(|| async {
            let replayed = as_now(tx, pipeline.id, now).await?;
            let standing = Standing::of(&replayed, &pipeline.stages, now, owner);
            let history = History::new(&replayed.stays);
            let out =
                standing.this_month_and_quarter(&replayed.stays, &history, today, &goals, owner);
            Ok::<_, AppError>(out)
        })
        .await?;
    Ok(reading.clone())
}

/// What a reading of the periods was made from.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Reading {
    pipeline: PipelineId,
    shape: i64,
    owner: Option<UserId>,
    log: i64,
    today: chrono::NaiveDate,
    goals: Vec<Goal>,
}

/// Recent readings; forgotten all at once when there are many (a new change makes the
/// old ones stale anyway).
struct Readings(std::sync::Mutex<HashMap<Reading, Arc<OnceCell<Vec<Period>>>>>);

const READINGS_KEPT: usize = 256;

impl Readings {
    fn cell(&self, key: Reading) -> Arc<OnceCell<Vec<Period>>> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= READINGS_KEPT && !all.contains_key(&key) {
            all.clear();
        }
        all.entry(key).or_default().clone()
    }
}

static READINGS: std::sync::LazyLock<Readings> =
    std::sync::LazyLock::new(|| Readings(std::sync::Mutex::new(HashMap::new())));

async fn existing(tx: &mut Tx, pipeline: PipelineId) -> AppResult<Pipeline> {
    pipelines::find(tx, pipeline)
        .await?
        .ok_or_else(|| AppError::NotFound("The pipeline".into()))
}

/// The board's forecast widgets, read again after a change.
pub async fn widgets(
    db: &Db,
    _caller: &User,
    pipeline: PipelineId,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Period>> {
    let mut tx = db.read().await?;
    let chosen = existing(&mut tx, pipeline).await?;
    periods(&mut tx, &chosen, owner, now).await
}

/// What the board's what-if mode figures from: the pipeline's deals as they stand now
/// (one owner's, or the team's), its goals and its history.
pub async fn what_if(
    db: &Db,
    _caller: &User,
    pipeline: PipelineId,
    owner: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<Model> {
    let mut tx = db.read().await?;
    let chosen = existing(&mut tx, pipeline).await?;
    let today = now.date_naive();
    let goals = goals::from(&mut tx, chosen.id, PeriodKind::Quarter.span(today).0).await?;
    let replayed = as_now(&mut tx, chosen.id, now).await?;
    let standing = Standing::of(&replayed, &chosen.stages, now, owner);
    Ok(Model::new(
        standing,
        &replayed.stays,
        &chosen.stages,
        goals,
        today,
        owner,
    ))
}

/// A pipeline's goals from this quarter on.
pub async fn goals(
    db: &Db,
    _caller: &User,
    pipeline: PipelineId,
    now: DateTime<Utc>,
) -> AppResult<Vec<Goal>> {
    let mut tx = db.read().await?;
    let from = PeriodKind::Quarter.span(now.date_naive()).0;
    goals::from(&mut tx, pipeline, from).await
}

/// Sets a goal (admins only), replacing the one for the same owner, period and
/// currency.
pub async fn set_goal(
    db: &Db,
    caller: &User,
    pipeline: PipelineId,
    draft: &GoalDraft,
    now: DateTime<Utc>,
) -> AppResult<Goal> {
    require_admin(caller)?;
    let goal = draft.parse(pipeline, now.date_naive())?;
    let mut tx = db.write().await?;
    if pipelines::find(&mut tx, pipeline).await?.is_none() {
        return Err(AppError::NotFound("The pipeline".into()));
    }
    if let Some(owner) = goal.owner_id {
        if users::find(&mut tx, owner).await?.is_none() {
            return Err(AppError::invalid("owner_id", "is not a user"));
        }
    }
    goals::set(&mut tx, &goal, now).await?;
    tx.commit().await?;
    Ok(goal)
}

/// Removes the goal for a draft's owner, period and currency (admins only; its amount
/// is not read). Removing one that is not set changes nothing.
pub async fn clear_goal(
    db: &Db,
    caller: &User,
    pipeline: PipelineId,
    draft: &GoalDraft,
    now: DateTime<Utc>,
) -> AppResult<()> {
    require_admin(caller)?;
    let goal = GoalDraft {
        amount: "0".into(),
        ..draft.clone()
    }
    .parse(pipeline, now.date_naive())?;
    let mut tx = db.write().await?;
    goals::clear(&mut tx, &goal).await?;
    tx.commit().await?;
    Ok(())
}

/// The pipeline a console command names, by name or id.
fn named<'a>(all: &'a [Pipeline], wanted: &str) -> AppResult<&'a Pipeline> {
    all.iter()
        .find(|p| p.answers_to(wanted))
        .ok_or_else(|| AppError::invalid("pipeline", "does not exist"))
}

/// `tend forecast backtest`: the log replayed as of 1, 4 and 8 weeks before each of the
/// last `periods` closed periods, each method's forecast against what was won. The
/// pipeline is named by name or id (the first one when none is named).
pub async fn backtest(
    db: &Db,
    by: Operator<'_>,
    pipeline: Option<&str>,
    kind: PeriodKind,
    periods: usize,
    now: DateTime<Utc>,
) -> AppResult<(Pipeline, Vec<Trial>)> {
    by.require_admin()?;
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let chosen = match pipeline {
        Some(wanted) => named(&all, wanted)?,
        None => choose(&all, None)?,
    };
    let facts = deals::facts(&mut tx, chosen.id).await?;
    let log = deal_events::entries(&mut tx, chosen.id, true).await?;
    let trials = backtest_log(&facts, &log, &chosen.stages, now, kind, periods, &LEADS);
    Ok((chosen.clone(), trials))
}

/// Writes down `pipeline`'s team forecast as it stands at `now`, by month and by
/// quarter: what the track record will read once those periods have ended.
async fn snapshot(db: &Db, pipeline: &Pipeline, now: DateTime<Utc>) -> AppResult<()> {
    let replayed = {
        let mut tx = db.read().await?;
        as_now(&mut tx, pipeline.id, now).await?
    };
    let taken = taken_at(&replayed, pipeline, now);
    let mut tx = db.write().await?;
    forecast_snapshots::record(&mut tx, pipeline.id, &taken).await?;
    tx.commit().await?;
    Ok(())
}

/// The snapshots of both period kinds, from the deals as they stood at `at`.
fn taken_at(replayed: &Replayed, pipeline: &Pipeline, at: DateTime<Utc>) -> Vec<Snapshot> {
    [PeriodKind::Month, PeriodKind::Quarter]
        .into_iter()
        .flat_map(|kind| {
            let rows = as_it_stood(replayed, &pipeline.stages, at, kind, SNAPSHOT_PERIODS, None);
            Snapshot::of(&rows, kind, at.date_naive())
        })
        .collect()
}

/// Replays every pipeline's log and keeps it (see `ssr::replays`), so that the first
/// page to read a forecast after a start does not wait for it. The server calls this
/// when it starts.
pub async fn warm_up(db: &Db, now: DateTime<Utc>) -> AppResult<()> {
    let mut tx = db.read().await?;
    for p in pipelines::list(&mut tx).await? {
        as_now(&mut tx, p.id, now).await?;
    }
    Ok(())
}

/// The day's snapshot of every pipeline that has none yet (the server calls this every
/// hour). How many were taken.
pub async fn snapshot_due(db: &Db, now: DateTime<Utc>) -> AppResult<usize> {
    let all = {
        let mut tx = db.read().await?;
        let mut due = Vec::new();
        for p in pipelines::list(&mut tx).await? {
            if !forecast_snapshots::taken_on(&mut tx, p.id, now.date_naive()).await? {
                due.push(p);
            }
        }
        due
    };
    for p in &all {
        snapshot(db, p, now).await?;
    }
    Ok(all.len())
}

/// `tend forecast snapshot`: today's snapshot of a pipeline (by name or id; every
/// pipeline when none is named), taken again if one was taken already.
pub async fn snapshot_now(
    db: &Db,
    by: Operator<'_>,
    pipeline: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Pipeline>> {
    by.require_admin()?;
    let all = {
        let mut tx = db.read().await?;
        pipelines::list(&mut tx).await?
    };
    let chosen: Vec<Pipeline> = match pipeline {
        Some(wanted) => vec![named(&all, wanted)?.clone()],
        None => all,
    };
    for p in &chosen {
        snapshot(db, p, now).await?;
    }
    Ok(chosen)
}

/// The snapshots the server would have taken on the days the track record reads, made
/// by replaying the log as of each (the demo's made-up history has no server that
/// took them).
pub async fn backfill_snapshots(db: &Db, now: DateTime<Utc>) -> AppResult<()> {
    let mut taken = Vec::new();
    {
        let mut tx = db.read().await?;
        for p in pipelines::list(&mut tx).await? {
            let facts = deals::facts(&mut tx, p.id).await?;
            let log = deal_events::entries(&mut tx, p.id, true).await?;
            for kind in [PeriodKind::Month, PeriodKind::Quarter] {
                for day in days_wanted(kind, now.date_naive()) {
                    let at = day.and_time(chrono::NaiveTime::MIN).and_utc();
                    let then = replay(&facts, &log, at);
                    let rows = as_it_stood(&then, &p.stages, at, kind, SNAPSHOT_PERIODS, None);
                    taken.push((p.id, Snapshot::of(&rows, kind, day)));
                }
            }
        }
    }
    let mut tx = db.write().await?;
    for (pipeline, snapshots) in &taken {
        forecast_snapshots::record(&mut tx, *pipeline, snapshots).await?;
    }
    tx.commit().await?;
    Ok(())
}
