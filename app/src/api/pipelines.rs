//! Administering pipelines and stages.

use crate::domain::ids::{PipelineId, StageId};
use crate::domain::pipeline::{Pipeline, StageInput};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "pipelines")]
pub async fn list_pipelines() -> Result<Vec<Pipeline>, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::pipelines::list(&state.db, &user).await
        }
        .await,
    )
}

#[server(endpoint = "lost_reasons")]
pub async fn list_lost_reasons() -> Result<Vec<String>, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::lost_reasons::list(&state.db, &user).await
        }
        .await,
    )
}

/// One administrative change to pipelines, stages and the lost-reason list.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PipelineChange {
    Create {
        name: String,
    },
    Rename {
        id: PipelineId,
        version: i64,
        name: String,
    },
    Reorder {
        id: PipelineId,
        step: i64,
    },
    /// The team's sales meeting weekday, 0 = Monday … 6 = Sunday; none: a week back.
    MeetingWeekday {
        id: PipelineId,
        day: Option<i64>,
    },
    Delete {
        id: PipelineId,
    },
    AddStage {
        pipeline_id: PipelineId,
        input: StageInput,
    },
    UpdateStage {
        id: StageId,
        version: i64,
        input: StageInput,
    },
    MoveStage {
        id: StageId,
        step: i64,
    },
    DeleteStage {
        id: StageId,
        target: Option<StageId>,
    },
    AddLostReason {
        label: String,
    },
    RemoveLostReason {
        label: String,
    },
}

#[server(endpoint = "change_pipelines", input = Json)]
pub async fn change_pipelines(change: PipelineChange) -> Result<(), AppError> {
    use super::context::{caller, settle};
    use crate::domain::live::LiveEvent;
    use crate::ssr::live::Signal;
    use crate::ssr::ops::pipelines as ops;
    settle(
        async {
            let (state, user) = caller().await?;
            let (db, now) = (&state.db, chrono::Utc::now());
            // What changed a pipeline's shape says so, for its open boards and screens.
            let shaped = |r: Result<LiveEvent, AppError>| r.map(Some);
            let done = match change {
                PipelineChange::Create { name } => {
                    ops::create(db, &user, &name, now).await.map(|_| None)
                }
                PipelineChange::Rename { id, version, name } => {
                    shaped(ops::rename(db, &user, id, version, &name).await)
                }
                PipelineChange::Reorder { id, step } => {
                    ops::reorder(db, &user, id, step).await.map(|_| None)
                }
                PipelineChange::MeetingWeekday { id, day } => {
                    ops::set_meeting_weekday(db, &user, id, day)
                        .await
                        .map(|_| None)
                }
                PipelineChange::Delete { id } => shaped(ops::delete(db, &user, id).await),
                PipelineChange::AddStage { pipeline_id, input } => {
                    ops::add_stage(db, &user, pipeline_id, input)
                        .await
                        .map(|(_, event)| Some(event))
                }
                PipelineChange::UpdateStage { id, version, input } => {
                    ops::update_stage(db, &user, id, version, input)
                        .await
                        .map(|(_, event)| Some(event))
                }
                PipelineChange::MoveStage { id, step } => {
                    shaped(ops::move_stage(db, &user, id, step).await)
                }
                PipelineChange::AddLostReason { label } => {
                    crate::ssr::ops::lost_reasons::add(db, &user, &label)
                        .await
                        .map(|_| None)
                }
                PipelineChange::RemoveLostReason { label } => {
                    crate::ssr::ops::lost_reasons::remove(db, &user, &label)
                        .await
                        .map(|_| None)
                }
                PipelineChange::DeleteStage { id, target } => {
                    shaped(ops::delete_stage(db, &user, id, target, now).await)
                }
            };
            // Deleting a stage logs a move for each of its deals.
            state.hub.wake();
            if let Some(event) = done? {
                state.hub.publish(Signal::Shape(event)).await?;
            }
            Ok(())
        }
        .await,
    )
}
