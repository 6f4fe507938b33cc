//! Meeting-room screens: admins make, list and revoke display links; a screen opens its
//! link and gets what its scenes show, read-only, with no user behind it.

use super::Operator;
use crate::domain::board::{self, Board, BoardFilter};
use crate::domain::display::{
    display_name, month_of, parse_scenes, rank_leaders, seconds_per_scene, week_of, Cue, Display,
    Figures, Leader, Presentable, Screen, SinceFigures,
};
use crate::domain::event::instant;
use crate::domain::history::last_meeting;
use crate::domain::ids::{DisplayId, PipelineId, UserId};
use crate::domain::money::Totals;
use crate::error::{AppError, AppResult};
use crate::ssr::auth::{digest, new_secret};
use crate::ssr::db::{deal_events, deals, displays, pipelines, Db, Tx};
use chrono::{DateTime, Utc};

/// The prefix of a display link's secret, so one is recognised when pasted.
pub const SECRET_PREFIX: &str = "tv_";
/// Cards a TV board shows per stage: what fits on a screen from across the room.
const CARDS_PER_STAGE: i64 = 4;
/// Wins the wins scene lists.
const WINS_SHOWN: i64 = 8;

/// What an admin asks for.
pub struct NewDisplay<'a> {
    pub name: &'a str,
    /// A pipeline's name or id.
    pub pipeline: &'a str,
    /// Scene names, comma-separated; empty for all of them.
    pub scenes: &'a str,
    pub seconds_per_scene: i64,
}

/// Makes a display link; returns it and its secret, which is shown this once.
pub async fn create(
    db: &Db,
    by: Operator<'_>,
    new: NewDisplay<'_>,
    at: DateTime<Utc>,
) -> AppResult<(Display, String)> {
    by.require_admin()?;
    let name = display_name(new.name)?;
    let scenes = parse_scenes(new.scenes)?;
    let seconds = seconds_per_scene(new.seconds_per_scene)?;
    let mut tx = db.write().await?;
    let pipeline = find_pipeline(&mut tx, new.pipeline).await?;
    // Names tell live links apart (they are revoked by name).
    let taken = displays::list(&mut tx)
        .await?
        .iter()
        .any(|d| d.revoked_at.is_none() && d.name.eq_ignore_ascii_case(&name));
    if taken {
        return Err(AppError::invalid("name", "is taken by another screen link"));
    }
    let display = Display {
        id: DisplayId::new(),
        name,
        pipeline_id: pipeline.0,
        pipeline_name: pipeline.1,
        scenes,
        seconds_per_scene: seconds,
        created_at: instant(at),
        revoked_at: None,
    };
    let secret = new_secret(SECRET_PREFIX);
    displays::insert(&mut tx, &display, &digest(&secret))
        .await
        .map_err(|e| match e {
            AppError::Conflict(_) => AppError::invalid("name", "is taken by another display link"),
            e => e,
        })?;
    tx.commit().await?;
    let link = &display.name;
    tracing::info!(target: super::auth::SECURITY_LOG, event = "display_created", link = %link, by = %by);
    Ok((display, secret))
}

async fn find_pipeline(tx: &mut Tx, name_or_id: &str) -> AppResult<(PipelineId, String)> {
    pipelines::list(tx)
        .await?
        .into_iter()
        .find(|p| p.answers_to(name_or_id))
        .map(|p| (p.id, p.name))
        .ok_or_else(|| AppError::invalid("pipeline", "does not exist"))
}

pub async fn list(db: &Db, by: Operator<'_>) -> AppResult<Vec<Display>> {
    by.require_admin()?;
    let mut tx = db.read().await?;
    displays::list(&mut tx).await
}

/// Revokes a link named by its name or id: screens showing it stop within seconds.
pub async fn revoke(
    db: &Db,
    by: Operator<'_>,
    name_or_id: &str,
    at: DateTime<Utc>,
) -> AppResult<Display> {
    by.require_admin()?;
    let wanted = name_or_id.trim();
    let mut tx = db.write().await?;
    let found = displays::list(&mut tx)
        .await?
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .find(|d| d.id.to_string() == wanted || d.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| AppError::NotFound(format!("A live display link {wanted:?}")))?;
    displays::revoke(&mut tx, found.id, instant(at)).await?;
    tx.commit().await?;
    tracing::info!(target: super::auth::SECURITY_LOG, event = "display_revoked", link = %found.name, by = %by);
    Ok(found)
}

/// The link a screen holds, while it has not been revoked.
pub async fn opened(db: &Db, secret: &str) -> AppResult<Display> {
    let mut tx = db.read().await?;
    displays::by_token(&mut tx, &digest(secret))
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The version the pipeline of an opened screen is at (`None` once deleted).
pub async fn shape(db: &Db, display: &Display) -> AppResult<Option<i64>> {
    let mut tx = db.read().await?;
    pipelines::version(&mut tx, display.pipeline_id).await
}

/// What the screen of the link `secret` shows now.
pub async fn screen(db: &Db, secret: &str, now: DateTime<Utc>) -> AppResult<Screen> {
    let display = opened(db, secret).await?;
    let mut tx = db.read().await?;
    let position = deal_events::position(&mut tx).await?;
    let pipeline = pipelines::find(&mut tx, display.pipeline_id)
        .await?
        .ok_or_else(|| AppError::NotFound("The pipeline".into()))?;
    let everything = deals::BoardFilter::default();
    let sums = deals::board_sums(&mut tx, pipeline.id, &everything).await?;
    let cards = deals::board_cards(&mut tx, pipeline.id, &everything, CARDS_PER_STAGE).await?;
    let columns = board::columns(&pipeline, &sums, cards);
    let wins = deals::recent_wins(&mut tx, pipeline.id, WINS_SHOWN).await?;
    let figures = figures(&mut tx, pipeline.id, now).await?;
    Ok(Screen {
        board: Board {
            pipeline,
            columns,
            filter: BoardFilter::default(),
            position,
            ahead: Vec::new(),
            now,
        },
        display,
        wins,
        figures,
    })
}

/// The leaderboard: each rep's wins this month and deals moved forward this week.
pub async fn leaders(
    tx: &mut Tx,
    pipeline: PipelineId,
    now: DateTime<Utc>,
) -> AppResult<Vec<Leader>> {
    let today = now.date_naive();
    let midnight = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    let (month, next_month) = month_of(today);
    let mut by_rep = std::collections::BTreeMap::<UserId, Leader>::new();
    fn rep(
        all: &mut std::collections::BTreeMap<UserId, Leader>,
        user_id: UserId,
        name: String,
    ) -> &mut Leader {
        all.entry(user_id).or_insert_with(|| Leader {
            user_id,
            name,
            won: Totals::default(),
            won_deals: 0,
            moved_forward: 0,
        })
    }
    for (user_id, name, currency, deals, won) in
        deals::won_by_owner(tx, pipeline, midnight(month), midnight(next_month)).await?
    {
        let leader = rep(&mut by_rep, user_id, name);
        leader.won.add(&currency, won);
        leader.won_deals += deals;
    }
    let since = midnight(week_of(today).0);
    for (user_id, name, deals) in deal_events::moved_forward_by_owner(tx, pipeline, since).await? {
        rep(&mut by_rep, user_id, name).moved_forward = deals;
    }
    Ok(rank_leaders(by_rep.into_values().collect()))
}

/// What a screen reads again after every change: its numbers and its leaderboard.
pub async fn figures(tx: &mut Tx, pipeline: PipelineId, now: DateTime<Utc>) -> AppResult<Figures> {
    let Some(p) = pipelines::find(tx, pipeline).await? else {
        return Ok(Figures {
            leaders: leaders(tx, pipeline, now).await?,
            ..Figures::default()
        });
    };
    let day = last_meeting(now.date_naive(), p.meeting_weekday);
    // Too much to read since then leaves the scene empty rather than the screen dark.
    let since = match super::history::changes(tx, &p, day).await {
        Ok(changes) => SinceFigures::of(day, &changes),
        Err(AppError::Refused(_)) => SinceFigures {
            since: day,
            groups: Vec::new(),
        },
        Err(e) => return Err(e),
    };
    Ok(Figures {
        periods: super::forecast::periods(tx, &p, None, now).await?,
        leaders: leaders(tx, pipeline, now).await?,
        since,
    })
}

/// A screen's figures alone, for it to refresh after a change.
pub async fn screen_figures(db: &Db, secret: &str, now: DateTime<Utc>) -> AppResult<Figures> {
    let display = opened(db, secret).await?;
    let mut tx = db.read().await?;
    figures(&mut tx, display.pipeline_id, now).await
}

/// The live screens a signed-in user can drive during a meeting, with their stages.
pub async fn presentable(
    db: &Db,
    _caller: &crate::domain::user::User,
) -> AppResult<Vec<Presentable>> {
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    Ok(displays::list(&mut tx)
        .await?
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .map(|display| Presentable {
            stages: stages_of(&all, display.pipeline_id),
            display,
        })
        .collect())
}

fn stages_of(
    all: &[crate::domain::pipeline::Pipeline],
    id: PipelineId,
) -> Vec<crate::domain::pipeline::Stage> {
    let mut stages = all
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.stages.clone())
        .unwrap_or_default();
    stages.sort_by_key(|s| s.position);
    stages
}

/// Passes a presenter's cue to a live screen. Any signed-in user may present; the
/// stage to focus must be one of the screen's pipeline.
pub async fn present(
    db: &Db,
    hub: &crate::ssr::live::Hub,
    _caller: &crate::domain::user::User,
    display: DisplayId,
    cue: Cue,
) -> AppResult<()> {
    let mut tx = db.read().await?;
    let screen = displays::live(&mut tx, display)
        .await?
        .ok_or_else(|| AppError::invalid("display", "is not a live screen"))?;
    if let Cue::Focus(Some(stage)) = cue {
        let stages = pipelines::find(&mut tx, screen.pipeline_id)
            .await?
            .map(|p| p.stages)
            .unwrap_or_default();
        if !stages.iter().any(|s| s.id == stage) {
            return Err(AppError::invalid(
                "stage",
                "is not a stage of this screen's pipeline",
            ));
        }
    }
    drop(tx);
    hub.publish(crate::ssr::live::Signal::Cue(display, cue))
        .await
}
