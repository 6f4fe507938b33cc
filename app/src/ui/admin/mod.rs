//! Pipelines and stages, for admins: create, rename, reorder and delete; stage
//! probability and rotting days.

use crate::api::auth::me;
use crate::api::pipelines::{change_pipelines, list_lost_reasons, list_pipelines, PipelineChange};
use crate::domain::pipeline::{Pipeline, Stage, StageInput};
use crate::error::AppError;
use crate::ui::widgets::{Failure, Frame, Toast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Admin {
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
}

impl Admin {
    fn apply(self, change: PipelineChange, done: &'static str) {
        spawn_local(async move {
            match change_pipelines(change).await {
                Ok(()) => {
                    self.notice.set(Some(done.into()));
                    self.reload.update(|n| *n += 1);
                }
                Err(e) => self.notice.set(Some(e.to_string())),
            }
        });
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let data = Resource::new(
        move || reload.get(),
        |_| async move {
            let user = me().await?.ok_or(AppError::Unauthenticated)?;
            if !user.is_admin {
                return Err(AppError::Forbidden);
            }
            Ok((user, list_pipelines().await?, list_lost_reasons().await?))
        },
    );
    let admin = Admin { reload, notice };
    view! {
        <Title text="Pipelines · Tend"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((user, pipelines, reasons)) => view! {
                        <Frame user>
                            <h1>"Pipelines"</h1>
                            <NewPipeline admin/>
                            {pipelines.into_iter().map(|p| view! { <PipelineEditor pipeline=p admin/> }).collect_view()}
                            <LostReasons reasons admin/>
                        </Frame>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Toast message=notice/>
    }
}

#[component]
fn NewPipeline(admin: Admin) -> impl IntoView {
    let name = RwSignal::new(String::new());
    view! {
        <form class="card-panel row" on:submit=move |ev| {
            ev.prevent_default();
            admin.apply(PipelineChange::Create { name: name.get_untracked() }, "Pipeline created.");
            name.set(String::new());
        }>
            <label class="grow">"New pipeline" <input type="text" bind:value=name placeholder="e.g. Partnerships" maxlength="80"/></label>
            <button type="submit" class="primary">"Create pipeline"</button>
        </form>
    }
}

#[component]
fn PipelineEditor(pipeline: Pipeline, admin: Admin) -> impl IntoView {
    let name = RwSignal::new(pipeline.name.clone());
    let (id, version) = (pipeline.id, pipeline.version);
    let mut stages = pipeline.stages.clone();
    stages.sort_by_key(|s| s.position);
    let all = StoredValue::new(stages.clone());
    view! {
        <section class="card-panel pipeline-editor" aria-label=format!("Pipeline {}", pipeline.name)>
            <form class="row" on:submit=move |ev| {
                ev.prevent_default();
                admin.apply(PipelineChange::Rename { id, version, name: name.get_untracked() }, "Renamed.");
            }>
                <label class="grow">"Pipeline name" <input type="text" bind:value=name maxlength="80"/></label>
                <button type="submit">"Rename"</button>
                <button type="button" aria-label="Move pipeline up" on:click=move |_| admin.apply(PipelineChange::Reorder { id, step: -1 }, "Moved.")>"↑"</button>
                <button type="button" aria-label="Move pipeline down" on:click=move |_| admin.apply(PipelineChange::Reorder { id, step: 1 }, "Moved.")>"↓"</button>
                <button type="button" class="danger" on:click=move |_| admin.apply(PipelineChange::Delete { id }, "Pipeline deleted.")>"Delete"</button>
            </form>
            <table class="stages">
                <thead><tr><th>"Stage"</th><th>"Win %"</th><th>"Rotting after (days)"</th><th>"Order"</th><th></th></tr></thead>
                <tbody>
                    {stages.into_iter().map(|s| view! { <StageRow stage=s all=all.get_value() admin/> }).collect_view()}
                </tbody>
            </table>
            <NewStage pipeline_id=id admin/>
        </section>
    }
}

fn rotting_value(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

#[component]
fn StageRow(stage: Stage, all: Vec<Stage>, admin: Admin) -> impl IntoView {
    let name = RwSignal::new(stage.name.clone());
    let probability = RwSignal::new(stage.probability.to_string());
    let rotting = RwSignal::new(
        stage
            .rotting_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let target = RwSignal::new(String::new());
    let (id, version) = (stage.id, stage.version);
    let save = move |_| {
        let input = StageInput {
            name: name.get_untracked(),
            probability: probability.get_untracked().trim().parse().unwrap_or(-1),
            rotting_days: rotting_value(&rotting.get_untracked()),
        };
        admin.apply(
            PipelineChange::UpdateStage { id, version, input },
            "Stage saved.",
        );
    };
    let others: Vec<Stage> = all.into_iter().filter(|s| s.id != id).collect();
    view! {
        <tr>
            <td><input type="text" aria-label="Stage name" bind:value=name maxlength="60"/></td>
            <td><input type="number" min="0" max="100" aria-label="Win probability" bind:value=probability/></td>
            <td><input type="number" min="1" max="365" aria-label="Rotting days" bind:value=rotting placeholder="never"/></td>
            <td class="order">
                <button type="button" aria-label="Move stage left" on:click=move |_| admin.apply(PipelineChange::MoveStage { id, step: -1 }, "Moved.")>"←"</button>
                <button type="button" aria-label="Move stage right" on:click=move |_| admin.apply(PipelineChange::MoveStage { id, step: 1 }, "Moved.")>"→"</button>
            </td>
            <td class="row-actions">
                <button type="button" on:click=save>"Save"</button>
                <select aria-label="Move its deals to" on:change=move |ev| target.set(event_target_value(&ev))>
                    <option value="">"Deals go to…"</option>
                    {others.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view()}
                </select>
                <button type="button" class="danger" on:click=move |_| {
                    let target = target.get_untracked().parse().ok();
                    admin.apply(PipelineChange::DeleteStage { id, target }, "Stage deleted.");
                }>"Delete"</button>
            </td>
        </tr>
    }
}

#[component]
fn NewStage(pipeline_id: crate::domain::ids::PipelineId, admin: Admin) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let probability = RwSignal::new("50".to_string());
    let rotting = RwSignal::new(String::new());
    view! {
        <form class="row new-stage" on:submit=move |ev| {
            ev.prevent_default();
            let input = StageInput {
                name: name.get_untracked(),
                probability: probability.get_untracked().trim().parse().unwrap_or(-1),
                rotting_days: rotting_value(&rotting.get_untracked()),
            };
            admin.apply(PipelineChange::AddStage { pipeline_id, input }, "Stage added.");
            name.set(String::new());
        }>
            <label class="grow">"New stage" <input type="text" bind:value=name maxlength="60"/></label>
            <label>"Win %" <input type="number" min="0" max="100" bind:value=probability/></label>
            <label>"Rotting days" <input type="number" min="1" max="365" bind:value=rotting placeholder="never"/></label>
            <button type="submit">"Add stage"</button>
        </form>
    }
}

/// The reasons a person picks from when a deal is lost.
#[component]
fn LostReasons(reasons: Vec<String>, admin: Admin) -> impl IntoView {
    let label = RwSignal::new(String::new());
    view! {
        <section class="card-panel" aria-labelledby="lost-reasons-title">
            <h2 id="lost-reasons-title">"Reasons for losing a deal"</h2>
            <ul class="chips">
                {reasons
                    .into_iter()
                    .map(|r| {
                        let remove = r.clone();
                        view! {
                            <li class="chip">
                                <span>{r.clone()}</span>
                                <button
                                    type="button"
                                    class="link"
                                    aria-label=format!("Remove {r}")
                                    on:click=move |_| admin.apply(PipelineChange::RemoveLostReason { label: remove.clone() }, "Reason removed.")
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form class="row" on:submit=move |ev| {
                ev.prevent_default();
                admin.apply(PipelineChange::AddLostReason { label: label.get_untracked() }, "Reason added.");
                label.set(String::new());
            }>
                <label class="grow">"New reason" <input type="text" bind:value=label maxlength="200"/></label>
                <button type="submit">"Add reason"</button>
            </form>
        </section>
    }
}
