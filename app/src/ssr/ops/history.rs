//! Looking back over the event log.

use crate::domain::history::{
    as_of_day, board_then, cards_then, changes_since, end_of, last_meeting, since_day, AsOfPage,
    BoardThen, Changes, SincePage,
};
use crate::domain::ids::PipelineId;
use crate::domain::pipeline::{Pipeline, Stage};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, pipelines, Db, Tx};
use crate::ssr::replays;
use chrono::{DateTime, Utc};

/// Changes the "since" view reads at most.
const EVENTS_READ: i64 = 200_000;

/// "Since last meeting": what happened to the deals of `pipeline` (the first one when
/// none is named) since the start of `since` (UTC; a week ago when none is named).
pub async fn since(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    since: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Changes> {
    Ok(page(db, caller, pipeline, since, now).await?.changes)
}

/// The same, with what its page shows around it.
pub async fn page(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    since: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<SincePage> {
    let today = now.date_naive();
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let day = match since {
        Some(text) => since_day(text, today)?,
        None => last_meeting(today, chosen.meeting_weekday),
    };
    let changes = changes(&mut tx, chosen, day).await?;
    let mut stages = chosen.stages.clone();
    stages.sort_by_key(|s| s.position);
    Ok(SincePage {
        me: caller.clone(),
        pipelines: all.iter().map(|p| (p.id, p.name.clone())).collect(),
        pipeline_id: chosen.id,
        stages: stages.into_iter().map(|s| (s.id, s.name)).collect(),
        since: day,
        today,
        meeting_weekday: chosen.meeting_weekday,
        changes,
    })
}

/// What happened to the deals of `pipeline` since the start of `day` (UTC).
pub async fn changes(
    tx: &mut Tx,
    pipeline: &Pipeline,
    day: chrono::NaiveDate,
) -> AppResult<Changes> {
    let from = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let (events, deals) = deal_events::since(tx, pipeline.id, from, EVENTS_READ + 1).await?;
    if events.len() as i64 > EVENTS_READ {
        return Err(AppError::Refused(format!(
            "More than {EVENTS_READ} changes since {day}: choose a later day."
        )));
    }
    let position = pipeline.stages.iter().map(|s| (s.id, s.position)).collect();
    Ok(changes_since(&events, &deals, &position))
}

/// The pipeline named, or the first one when none is.
pub fn choose(all: &[Pipeline], id: Option<PipelineId>) -> AppResult<&Pipeline> {
    match id {
        Some(id) => all.iter().find(|p| p.id == id),
        None => all.first(),
    }
    .ok_or_else(|| AppError::NotFound("The pipeline".into()))
}

/// The board of `pipeline` (the first one when none is named) as it stood at the end
/// of `as_of` (UTC; today when none is named), rebuilt from the log.
pub async fn board_as_of(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    as_of: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<BoardThen> {
    Ok(as_of_page(db, caller, pipeline, as_of, now).await?.board)
}

/// The same, with each stage's cards and what its page shows around it.
pub async fn as_of_page(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    as_of: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<AsOfPage> {
    let today = now.date_naive();
    let day = as_of
        .map(|d| as_of_day(d, today))
        .transpose()?
        .unwrap_or(today);
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let chosen = choose(&all, pipeline)?;
    let replayed = replays::as_of(&mut tx, chosen.id, end_of(day)).await?;
    let mut stages: Vec<Stage> = chosen.stages.clone();
    stages.sort_by_key(|s| s.position);
    Ok(AsOfPage {
        me: caller.clone(),
        pipelines: all.iter().map(|p| (p.id, p.name.clone())).collect(),
        pipeline_id: chosen.id,
        today,
        board: board_then(&replayed, &stages, day),
        cards: cards_then(&replayed, &stages),
        stages: stages.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}
