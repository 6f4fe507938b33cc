//! Forecasts and the board as of a past day: the log replayed, then read by
//! `domain::forecast` and `domain::history`.

use super::history::choose;
use super::Operator;
use crate::domain::forecast::{
    as_it_stood, backtest as backtest_log, ForecastRow, PeriodKind, Trial, LEADS,
};
use crate::domain::history::{as_of_day, board_then, end_of, BoardThen};
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::pipeline::Pipeline;
use crate::domain::replay::replay;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, deals, pipelines, users, Db};
use chrono::{DateTime, Utc};

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
    let kind = period
        .map(PeriodKind::parse)
        .transpose()?
        .unwrap_or(PeriodKind::Month);
    let mut tx = db.read().await?;
    if let Some(owner) = owner {
        if users::find(&mut tx, owner).await?.is_none() {
            return Err(AppError::NotFound("The owner".into()));
        }
    }
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let facts = deals::facts(&mut tx, chosen.id).await?;
    let log = deal_events::entries(&mut tx, chosen.id, false).await?;
    Ok(as_it_stood(
        &replay(&facts, &log, now),
        &chosen.stages,
        now,
        kind,
        PERIODS_AHEAD,
        owner,
    ))
}

/// The board of `pipeline` (the first one when none is named) as it stood at the end
/// of `as_of` (UTC; today when none is named), rebuilt from the log.
pub async fn board_as_of(
    db: &Db,
    _caller: &User,
    pipeline: Option<PipelineId>,
    as_of: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<BoardThen> {
    let today = now.date_naive();
    let day = as_of
        .map(|d| as_of_day(d, today))
        .transpose()?
        .unwrap_or(today);
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let facts = deals::facts(&mut tx, chosen.id).await?;
    let log = deal_events::entries(&mut tx, chosen.id, day < today).await?;
    let mut stages = chosen.stages.clone();
    stages.sort_by_key(|s| s.position);
    Ok(board_then(&replay(&facts, &log, end_of(day)), &stages, day))
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
        Some(wanted) => all
            .iter()
            .find(|p| p.answers_to(wanted))
            .ok_or_else(|| AppError::invalid("pipeline", "does not exist"))?,
        None => choose(&all, None)?,
    };
    let facts = deals::facts(&mut tx, chosen.id).await?;
    let log = deal_events::entries(&mut tx, chosen.id, true).await?;
    let trials = backtest_log(&facts, &log, &chosen.stages, now, kind, periods, &LEADS);
    Ok((chosen.clone(), trials))
}
