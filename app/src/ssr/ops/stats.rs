//! Statistics: a pipeline's log replayed to the end of a period, then read by
//! `domain::stats`.

use super::history::choose;
use crate::domain::history::end_of;
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::pipeline::{Pipeline, Stage};
use crate::domain::replay::{open_over_time_since, Entry, Facts, Replayed};
use crate::domain::stats::{
    funnel as funnel_of, summary as summary_of, value_points, Funnel, ReportsPage, Scope, Summary,
};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::deal_events::Touched;
use crate::ssr::db::{deal_events, deals, pipelines, users, Db, Tx};
use crate::ssr::replays;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What statistics are asked for, as given: the pipeline (the first when none is
/// named), the period's first and last day (the last 90 days when none is named), one
/// owner and one lead source (everyone's and every source when none is named).
#[derive(Clone, Debug, Default)]
pub struct Asked<'a> {
    pub pipeline: Option<PipelineId>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub owner: Option<UserId>,
    pub lead_source: Option<&'a str>,
}

/// A pipeline's log, read for statistics over a scope.
struct Read {
    pipeline: Pipeline,
    stages: Vec<Stage>,
    /// The deals as they stood at the end of the period,
    replayed: Arc<Replayed>,
    /// and as they stand now;
    latest: Arc<Replayed>,
    /// the instants of the weekly points (the end of each week's last day),
    instants: Vec<DateTime<Utc>>,
    /// and the deals logged since the first of them, with their whole logs.
    touched: Vec<Facts>,
    log: Vec<Entry>,
    scope: Scope,
}

impl Read {
    fn funnel(&self) -> Funnel {
        funnel_of(&self.replayed, &self.stages, self.pipeline.id, &self.scope)
    }

    /// The summary, with the open pipeline's value week by week.
    fn summary(&self) -> Summary {
        let sums = open_over_time_since(
            &self.latest,
            &self.touched,
            &self.log,
            &self.instants,
            |f| self.scope.holds(f),
        );
        let points = value_points(&self.scope.weeks(), &sums);
        summary_of(
            &self.replayed,
            &self.stages,
            self.pipeline.id,
            &self.scope,
            points,
        )
    }
}

/// The pipeline asked for (its stages in board order) and the scope.
fn asked_for(
    all: &[Pipeline],
    asked: &Asked<'_>,
    now: DateTime<Utc>,
) -> AppResult<(Pipeline, Vec<Stage>, Scope)> {
    let scope = Scope::parse(
        asked.from,
        asked.to,
        asked.owner,
        asked.lead_source,
        now.date_naive(),
    )?;
    let pipeline = choose(all, asked.pipeline)?.clone();
    let mut stages = pipeline.stages.clone();
    stages.sort_by_key(|s| s.position);
    Ok((pipeline, stages, scope))
}

/// The owner asked for must exist.
async fn check_owner(tx: &mut Tx, asked: &Asked<'_>) -> AppResult<()> {
    if let Some(owner) = asked.owner {
        if users::find(tx, owner).await?.is_none() {
            return Err(AppError::NotFound("The owner".into()));
        }
    }
    Ok(())
}

async fn read(
    tx: &mut Tx,
    all: &[Pipeline],
    asked: &Asked<'_>,
    now: DateTime<Utc>,
) -> AppResult<Read> {
    let (pipeline, stages, scope) = asked_for(all, asked, now)?;
    check_owner(tx, asked).await?;
    let replayed = replays::as_of(tx, pipeline.id, scope.until()).await?;
    let latest = replays::as_of(tx, pipeline.id, DateTime::<Utc>::MAX_UTC).await?;
    let instants: Vec<DateTime<Utc>> = scope.weeks().iter().map(|d| end_of(*d)).collect();
    let since = Touched::After(instants.first().copied().unwrap_or(scope.until()));
    // Read after the replay: a deal logged in between is among them.
    let touched = deals::facts_of_touched(tx, pipeline.id, since).await?;
    let log = deal_events::entries_of_touched(tx, pipeline.id, true, since).await?;
    Ok(Read {
        pipeline,
        stages,
        replayed,
        latest,
        instants,
        touched,
        log,
        scope,
    })
}

/// The funnel of the deals created in the period.
pub async fn funnel(
    db: &Db,
    _caller: &User,
    asked: &Asked<'_>,
    now: DateTime<Utc>,
) -> AppResult<Funnel> {
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let (pipeline, stages, scope) = asked_for(&all, asked, now)?;
    check_owner(&mut tx, asked).await?;
    let replayed = replays::as_of(&mut tx, pipeline.id, scope.until()).await?;
    Ok(funnel_of(&replayed, &stages, pipeline.id, &scope))
}

/// The period's summary: win rate, cycle, money, time per stage, lost reasons, lead
/// sources, and the open pipeline week by week.
pub async fn summary(
    db: &Db,
    _caller: &User,
    asked: &Asked<'_>,
    now: DateTime<Utc>,
) -> AppResult<Summary> {
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    Ok(read(&mut tx, &all, asked, now).await?.summary())
}

/// Lead sources the filter offers at most.
const SOURCES_OFFERED: usize = 200;

/// The reports page: the funnel and the summary, with what its filters offer.
pub async fn page(
    db: &Db,
    caller: &User,
    asked: &Asked<'_>,
    now: DateTime<Utc>,
) -> AppResult<ReportsPage> {
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let read = read(&mut tx, &all, asked, now).await?;
    let mut lead_sources: Vec<String> = (read.latest.deals.iter())
        .filter_map(|d| d.facts.lead_source.clone())
        .collect();
    lead_sources.sort();
    lead_sources.dedup();
    lead_sources.truncate(SOURCES_OFFERED);
    Ok(ReportsPage {
        me: caller.clone(),
        pipelines: all.iter().map(|p| (p.id, p.name.clone())).collect(),
        users: users::list(&mut tx)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect(),
        lead_sources,
        funnel: read.funnel(),
        summary: read.summary(),
        scope: read.scope,
    })
}
