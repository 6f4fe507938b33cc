//! Administering pipelines and stages (admins only). A change to a pipeline's name or
//! stages moves its version on and says so as `LiveEvent::Reshaped`, which open boards
//! and screens of that pipeline follow by loading themselves again.

use super::require_admin;
use crate::domain::event::{instant, DealEventKind};
use crate::domain::ids::{DealId, PipelineId, StageId};
use crate::domain::live::{LiveEvent, Snapshot};
use crate::domain::pipeline::{self, Pipeline, Stage, StageInput, DEFAULT_STAGES};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, deals, pipelines, stages, Db, Tx};
use chrono::{DateTime, Utc};

pub async fn list(db: &Db, _caller: &User) -> AppResult<Vec<Pipeline>> {
    let mut tx = db.read().await?;
    pipelines::list(&mut tx).await
}

/// The version a pipeline is at (`None` once deleted): where its shape stands.
pub async fn version(db: &Db, _caller: &User, id: PipelineId) -> AppResult<Option<i64>> {
    let mut tx = db.read().await?;
    pipelines::version(&mut tx, id).await
}

/// Creates a pipeline with the brief's default stages.
pub async fn create(db: &Db, caller: &User, name: &str, at: DateTime<Utc>) -> AppResult<Pipeline> {
    require_admin(caller)?;
    let name = pipeline::pipeline_name(name)?;
    let mut tx = db.write().await?;
    let id = insert_default(&mut tx, &name, instant(at)).await?;
    let created = pipelines::find(&mut tx, id).await?;
    tx.commit().await?;
    created.ok_or_else(|| AppError::NotFound("The pipeline".into()))
}

/// Inserts a pipeline with the default stages; used by set-up and the demo too.
pub async fn insert_default(tx: &mut Tx, name: &str, at: DateTime<Utc>) -> AppResult<PipelineId> {
    let id = PipelineId::new();
    let position = pipelines::next_position(tx).await?;
    pipelines::insert(tx, id, name, position, at).await?;
    for (i, (stage_name, probability, rotting)) in DEFAULT_STAGES.iter().enumerate() {
        stages::insert(
            tx,
            &Stage {
                id: StageId::new(),
                pipeline_id: id,
                name: stage_name.to_string(),
                position: i as i64,
                probability: *probability,
                rotting_days: *rotting,
                version: 1,
            },
        )
        .await?;
    }
    Ok(id)
}

pub async fn rename(
    db: &Db,
    caller: &User,
    id: PipelineId,
    version: i64,
    name: &str,
) -> AppResult<LiveEvent> {
    require_admin(caller)?;
    let name = pipeline::pipeline_name(name)?;
    let mut tx = db.write().await?;
    found(pipelines::find(&mut tx, id).await?)?;
    if !pipelines::rename(&mut tx, id, version, &name).await? {
        return Err(AppError::Conflict(
            "Someone changed this pipeline since you loaded it.".into(),
        ));
    }
    tx.commit().await?;
    Ok(reshaped(id, version + 1))
}

/// Sets the weekday of the team's sales meeting (0 = Monday … 6 = Sunday; none: a week
/// back), where "since last meeting" and the screen's scene of it look back to.
pub async fn set_meeting_weekday(
    db: &Db,
    caller: &User,
    id: PipelineId,
    day: Option<i64>,
) -> AppResult<()> {
    require_admin(caller)?;
    let day = pipeline::meeting_weekday(day)?;
    let mut tx = db.write().await?;
    if !pipelines::set_meeting_weekday(&mut tx, id, day).await? {
        return Err(AppError::NotFound("The pipeline".into()));
    }
    tx.commit().await?;
    Ok(())
}

/// Moves a pipeline one place up (`step` = -1) or down (1) in the list.
pub async fn reorder(db: &Db, caller: &User, id: PipelineId, step: i64) -> AppResult<()> {
    require_admin(caller)?;
    let mut tx = db.write().await?;
    let mut all = pipelines::list(&mut tx).await?;
    let i = all
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| AppError::NotFound("The pipeline".into()))?;
    let j = i as i64 + step.signum();
    if j < 0 || j as usize >= all.len() {
        return Ok(());
    }
    all.swap(i, j as usize);
    for (position, p) in all.iter().enumerate() {
        pipelines::set_position(&mut tx, p.id, position as i64).await?;
    }
    tx.commit().await
}

/// Deletes a pipeline that holds no deals.
pub async fn delete(db: &Db, caller: &User, id: PipelineId) -> AppResult<LiveEvent> {
    require_admin(caller)?;
    let mut tx = db.write().await?;
    let p = found(pipelines::find(&mut tx, id).await?)?;
    let held = deals::count_in_pipeline(&mut tx, id).await?;
    if held > 0 {
        return Err(AppError::Refused(format!(
            "This pipeline holds {held} deals: move them or delete its stages with a target first."
        )));
    }
    if pipelines::list(&mut tx).await?.len() <= 1 {
        return Err(AppError::Refused(
            "Tend needs at least one pipeline.".into(),
        ));
    }
    pipelines::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(reshaped(id, p.version + 1))
}

pub async fn add_stage(
    db: &Db,
    caller: &User,
    pipeline_id: PipelineId,
    input: StageInput,
) -> AppResult<(Stage, LiveEvent)> {
    require_admin(caller)?;
    let (name, probability, rotting_days) = input.parse()?;
    let mut tx = db.write().await?;
    let p = found(pipelines::find(&mut tx, pipeline_id).await?)?;
    let stage = Stage {
        id: StageId::new(),
        pipeline_id,
        name,
        position: p.stages.iter().map(|s| s.position + 1).max().unwrap_or(0),
        probability,
        rotting_days,
        version: 1,
    };
    stages::insert(&mut tx, &stage).await?;
    let version = pipelines::reshaped(&mut tx, pipeline_id).await?;
    tx.commit().await?;
    Ok((stage, reshaped(pipeline_id, version)))
}

pub async fn update_stage(
    db: &Db,
    caller: &User,
    id: StageId,
    version: i64,
    input: StageInput,
) -> AppResult<(Stage, LiveEvent)> {
    require_admin(caller)?;
    let (name, probability, rotting_days) = input.parse()?;
    let mut tx = db.write().await?;
    let mut stage = stages::find(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The stage".into()))?;
    stage.version = version;
    stage.name = name;
    stage.probability = probability;
    stage.rotting_days = rotting_days;
    if !stages::update(&mut tx, &stage).await? {
        return Err(AppError::Conflict(
            "Someone changed this stage since you loaded it.".into(),
        ));
    }
    let version = pipelines::reshaped(&mut tx, stage.pipeline_id).await?;
    tx.commit().await?;
    stage.version += 1;
    let pipeline_id = stage.pipeline_id;
    Ok((stage, reshaped(pipeline_id, version)))
}

/// Moves a stage one place left (`step` = -1) or right (1).
pub async fn move_stage(db: &Db, caller: &User, id: StageId, step: i64) -> AppResult<LiveEvent> {
    require_admin(caller)?;
    let mut tx = db.write().await?;
    let stage = stages::find(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The stage".into()))?;
    let mut ordered = stages::list(&mut tx, stage.pipeline_id).await?;
    let i = ordered.iter().position(|s| s.id == id).unwrap_or(0);
    let j = i as i64 + step.signum();
    if j < 0 || j as usize >= ordered.len() {
        // Already first or last: nothing changes.
        let version = pipelines::version(&mut tx, stage.pipeline_id).await?;
        return Ok(reshaped(stage.pipeline_id, version.unwrap_or_default()));
    }
    ordered.swap(i, j as usize);
    for (position, s) in ordered.iter_mut().enumerate() {
        if s.position != position as i64 {
            s.position = position as i64;
            if !stages::update(&mut tx, s).await? {
                return Err(AppError::Conflict(
                    "Someone changed these stages since you loaded them.".into(),
                ));
            }
        }
    }
    let version = pipelines::reshaped(&mut tx, stage.pipeline_id).await?;
    tx.commit().await?;
    Ok(reshaped(stage.pipeline_id, version))
}

/// Deletes a stage; its deals move to `target` first, each move logged.
pub async fn delete_stage(
    db: &Db,
    caller: &User,
    id: StageId,
    target: Option<StageId>,
    at: DateTime<Utc>,
) -> AppResult<LiveEvent> {
    require_admin(caller)?;
    let at = instant(at);
    let mut tx = db.write().await?;
    let stage = stages::find(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The stage".into()))?;
    let p = found(pipelines::find(&mut tx, stage.pipeline_id).await?)?;
    let held = deals::count_in_stage(&mut tx, id).await?;
    pipeline::check_stage_delete(&p, id, held, target)?;
    if let Some(to) = target.filter(|_| held > 0) {
        for deal in deals::reassign_stage(&mut tx, id, to, p.id).await? {
            let event = DealEventKind::Moved { from: id, to };
            let snapshot = moved_snapshot(&mut tx, deal, id).await?;
            deal_events::append(
                &mut tx,
                deal,
                at,
                Some(caller.id),
                &event,
                snapshot.as_ref(),
            )
            .await?;
        }
    }
    stages::delete(&mut tx, id).await?;
    let version = pipelines::reshaped(&mut tx, p.id).await?;
    tx.commit().await?;
    Ok(reshaped(p.id, version))
}

fn reshaped(pipeline_id: PipelineId, version: i64) -> LiveEvent {
    LiveEvent::Reshaped {
        pipeline_id,
        version,
    }
}

/// A deal moved out of a deleted stage, before (in `from`, one version back) and after.
async fn moved_snapshot(tx: &mut Tx, id: DealId, from: StageId) -> AppResult<Option<Snapshot>> {
    let after = deals::card(tx, id).await?;
    let before = after.clone().map(|mut c| {
        c.stage_id = from;
        c.version -= 1;
        c
    });
    Ok(Some(Snapshot {
        before,
        after,
        deal: deals::find(tx, id).await?,
    }))
}

fn found(p: Option<Pipeline>) -> AppResult<Pipeline> {
    p.ok_or_else(|| AppError::NotFound("The pipeline".into()))
}

/// A fresh database gets the brief's pipeline so the first user sees a board.
pub async fn ensure_default(db: &Db, at: DateTime<Utc>) -> AppResult<()> {
    let mut tx = db.write().await?;
    if pipelines::list(&mut tx).await?.is_empty() {
        insert_default(&mut tx, "Sales", instant(at)).await?;
        tx.commit().await?;
    }
    Ok(())
}
