//! Pipelines and stages, for admins: create, rename, reorder and delete; stage
//! probability and rotting days. And the links of meeting-room screens.

use crate::api::auth::me;
use crate::api::displays::{create_display, list_displays, revoke_display};
use crate::api::leads::{
    change_discard_reason, create_lead_form, lead_untouched_days, list_discard_reasons,
    list_lead_forms, revoke_lead_form, set_lead_untouched_days,
};
use crate::api::pipelines::{change_pipelines, list_lost_reasons, list_pipelines, PipelineChange};
use crate::domain::display::{scenes_text, Display, Scene, DEFAULT_SECONDS};
use crate::domain::history::weekday_name;
use crate::domain::lead::UNTOUCHED_DAYS_MAX;
use crate::domain::lead_form::LeadForm;
use crate::domain::pipeline::{Pipeline, Stage, StageInput};
use crate::error::AppError;
use crate::ui::sheets::{Sheet, ADMIN};
use crate::ui::widgets::{field_note, Failure, Frame, Toast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Admin {
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    /// A screen link just made, shown until the page is left (it is not kept anywhere).
    made_link: RwSignal<Option<String>>,
}

impl Admin {
    /// Runs a change that is not a pipeline's, then says `done` and reloads.
    fn run<F>(self, change: F, done: &'static str)
    where
        F: std::future::Future<Output = Result<(), AppError>> + 'static,
    {
        spawn_local(async move {
            match change.await {
                Ok(()) => {
                    self.notice.set(Some(done.into()));
                    self.reload.update(|n| *n += 1);
                }
                Err(e) => self.notice.set(Some(e.to_string())),
            }
        });
    }

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
            Ok((
                user,
                list_pipelines().await?,
                list_lost_reasons().await?,
                list_displays().await?,
                (
                    list_discard_reasons().await?,
                    list_lead_forms().await?,
                    lead_untouched_days().await?,
                ),
            ))
        },
    );
    let admin = Admin {
        reload,
        notice,
        made_link: RwSignal::new(None),
    };
    view! {
        <Title text="Pipelines · Tend"/>
        <Sheet sheet=ADMIN/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((user, pipelines, reasons, displays, (discards, forms, untouched))) => view! {
                        <Frame user>
                            <h1>"Pipelines"</h1>
                            <NewPipeline admin/>
                            {pipelines.iter().cloned().map(|p| view! { <PipelineEditor pipeline=p admin/> }).collect_view()}
                            <LostReasons reasons admin/>
                            <ScreenLinks displays pipelines admin/>
                            <DiscardReasons reasons=discards admin/>
                            <LeadsWaiting days=untouched admin/>
                            <WebForms forms admin/>
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
            <label class="meeting-day">
                "Sales meeting on"
                <select on:change=move |ev| {
                    let day = event_target_value(&ev).parse().ok();
                    admin.apply(PipelineChange::MeetingWeekday { id, day }, "Meeting day saved.");
                }>
                    <option value="" selected=pipeline.meeting_weekday.is_none()>"No set day (look a week back)"</option>
                    {(0..7).map(|d| view! {
                        <option value=d.to_string() selected=pipeline.meeting_weekday == Some(d)>{weekday_name(d)}</option>
                    }).collect_view()}
                </select>
            </label>
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

/// Meeting-room screen links: make one (its URL is shown once), see them, revoke one.
#[component]
fn ScreenLinks(displays: Vec<Display>, pipelines: Vec<Pipeline>, admin: Admin) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let pipeline = RwSignal::new(
        pipelines
            .first()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
    );
    let chosen = RwSignal::new(Scene::ALL.to_vec());
    let seconds = RwSignal::new(DEFAULT_SECONDS.to_string());
    let made = admin.made_link;
    let error = RwSignal::new(None::<AppError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(every) = seconds.get_untracked().trim().parse::<i64>() else {
            error.set(Some(AppError::invalid(
                "seconds_per_scene",
                "must be a whole number of seconds",
            )));
            return;
        };
        let (n, p, s) = (
            name.get_untracked(),
            pipeline.get_untracked(),
            scenes_text(&chosen.get_untracked()),
        );
        spawn_local(async move {
            match create_display(n, p, s, every).await {
                Ok(path) => {
                    let origin = window().location().origin().unwrap_or_default();
                    error.set(None);
                    name.set(String::new());
                    made.set(Some(format!("{origin}{path}")));
                    admin.reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = move |f: &'static str| field_note(error, f);
    view! {
        <section class="card-panel screens" aria-labelledby="screens-title">
            <h2 id="screens-title">"Meeting-room screens"</h2>
            <p class="hint">
                "A screen link shows one pipeline on a TV without anyone signing in. Anyone with the link can watch that pipeline, so share it like a key, and revoke it when a screen is retired."
            </p>
            {move || {
                made.get()
                    .map(|url| {
                        view! {
                            <div class="made-link" role="status">
                                <label>
                                    "The new screen's link (shown this once):"
                                    <input type="text" readonly value=url/>
                                </label>
                            </div>
                        }
                    })
            }}
            <form class="stack" novalidate on:submit=create>
                <div class="row">
                    <label class="grow">
                        "Screen name"
                        <input type="text" bind:value=name maxlength="60" placeholder="e.g. Meeting room"/>
                    </label>
                    <label>
                        "Pipeline"
                        <select on:change=move |ev| pipeline.set(event_target_value(&ev))>
                            {pipelines
                                .iter()
                                .map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Seconds per scene"
                        <input type="number" min="5" max="3600" bind:value=seconds/>
                    </label>
                </div>
                {field("name")}
                {field("pipeline")}
                {field("seconds_per_scene")}
                <fieldset class="scenes">
                    <legend>"Scenes"</legend>
                    {Scene::ALL
                        .into_iter()
                        .map(|scene| {
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        checked=true
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|c| {
                                                c.retain(|s| *s != scene);
                                                if on {
                                                    c.push(scene);
                                                    c.sort_by_key(|s| Scene::ALL.iter().position(|a| a == s));
                                                }
                                            });
                                        }
                                    />
                                    {scene.title()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                {field("scenes")}
                <div class="actions">
                    <button type="submit" class="primary">"Make screen link"</button>
                </div>
            </form>
            <table class="screen-list">
                <caption class="sr-only">"Screen links"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Screen"</th>
                        <th scope="col">"Pipeline"</th>
                        <th scope="col">"Scenes"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {displays
                        .into_iter()
                        .map(|d| {
                            let id = d.id.to_string();
                            let live = d.revoked_at.is_none();
                            let name = d.name.clone();
                            view! {
                                <tr>
                                    <th scope="row">{d.name.clone()}</th>
                                    <td>{d.pipeline_name.clone()}</td>
                                    <td>
                                        {d.scenes.iter().map(|s| s.title()).collect::<Vec<_>>().join(", ")}
                                        {format!(" · every {} s", d.seconds_per_scene)}
                                    </td>
                                    <td>
                                        {match d.revoked_at {
                                            Some(at) => format!("Revoked {}", at.format("%Y-%m-%d")),
                                            None => "Live".to_string(),
                                        }}
                                    </td>
                                    <td>
                                        {live
                                            .then(|| {
                                                let id = id.clone();
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="danger"
                                                        aria-label=format!("Revoke {name}")
                                                        on:click=move |_| {
                                                            let id = id.clone();
                                                            spawn_local(async move {
                                                                match revoke_display(id).await {
                                                                    Ok(()) => {
                                                                        admin.notice.set(Some("Screen link revoked: the screen stops within seconds.".into()));
                                                                        admin.reload.update(|n| *n += 1);
                                                                    }
                                                                    Err(e) => admin.notice.set(Some(e.to_string())),
                                                                }
                                                            });
                                                        }
                                                    >
                                                        "Revoke"
                                                    </button>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn DiscardReasons(reasons: Vec<String>, admin: Admin) -> impl IntoView {
    let label = RwSignal::new(String::new());
    view! {
        <section class="card-panel" aria-labelledby="discard-reasons-title">
            <h2 id="discard-reasons-title">"Reasons for discarding a lead"</h2>
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
                                    on:click=move |_| admin.run(change_discard_reason(remove.clone(), false), "Reason removed.")
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
                admin.run(change_discard_reason(label.get_untracked(), true), "Reason added.");
                label.set(String::new());
            }>
                <label class="grow">"New reason to discard" <input type="text" bind:value=label maxlength="80"/></label>
                <button type="submit">"Add reason"</button>
            </form>
        </section>
    }
}

/// After how many days nobody has touched a new lead the inbox flags it.
#[component]
fn LeadsWaiting(days: i64, admin: Admin) -> impl IntoView {
    let text = RwSignal::new(days.to_string());
    view! {
        <section class="card-panel" aria-labelledby="leads-waiting-title">
            <h2 id="leads-waiting-title">"Leads that wait too long"</h2>
            <form class="row" on:submit=move |ev| {
                ev.prevent_default();
                // Not a number: sent as 0, which the server refuses with the rule.
                let days = text.get_untracked().trim().parse::<i64>().unwrap_or(0);
                admin.run(set_lead_untouched_days(days), "Saved: the inbox flags leads by the new number of days.");
            }>
                <label class="grow">
                    "Flag a new lead in the inbox when nobody has touched it for (days)"
                    <input type="number" inputmode="numeric" min="1" max=UNTOUCHED_DAYS_MAX.to_string() required bind:value=text/>
                </label>
                <button type="submit">"Save"</button>
            </form>
        </section>
    }
}

/// Web forms for a company's own website: make one per lead source, copy its HTML,
/// revoke it.
#[component]
fn WebForms(forms: Vec<(LeadForm, String)>, admin: Admin) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let source = RwSignal::new("Website".to_string());
    let redirect = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, s, r) = (
            name.get_untracked(),
            source.get_untracked(),
            redirect.get_untracked(),
        );
        spawn_local(async move {
            match create_lead_form(n, s, r).await {
                Ok(_) => {
                    error.set(None);
                    name.set(String::new());
                    redirect.set(String::new());
                    admin
                        .notice
                        .set(Some("Web form made: copy its HTML below.".into()));
                    admin.reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = move |f: &'static str| field_note(error, f);
    view! {
        <section class="card-panel web-forms" aria-labelledby="web-forms-title">
            <h2 id="web-forms-title">"Web forms"</h2>
            <p class="hint">
                "Put a form on your website and every message sent through it lands in the leads inbox, with the form's lead source and the campaign the visitor came from. Bots are kept out; revoke a form to stop it."
            </p>
            <ul class="form-list">
                {forms
                    .into_iter()
                    .map(|(f, snippet)| {
                        let key = f.key.clone();
                        let live = f.revoked_at.is_none();
                        view! {
                            <li class="form-item">
                                <div class="row">
                                    <strong class="grow">{f.name.clone()}</strong>
                                    <span class="form-source">{f.source.clone()}</span>
                                    {if live {
                                        view! {
                                            <button type="button" class="danger" on:click=move |_| admin.run(revoke_lead_form(key.clone()), "Web form revoked.")>
                                                "Revoke"
                                            </button>
                                        }.into_any()
                                    } else {
                                        view! { <span class="form-revoked">"Revoked"</span> }.into_any()
                                    }}
                                </div>
                                {live.then(|| view! {
                                    <details>
                                        <summary>"HTML for your website"</summary>
                                        <p class="snippet-hint">{format!("Paste this into the page that should carry the form “{}”:", f.name)}</p>
                                        <pre class="snippet"><code>{snippet}</code></pre>
                                    </details>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form class="stack" novalidate on:submit=create>
                <div class="row">
                    <label class="grow">
                        "Lead source"
                        <input type="text" bind:value=source maxlength="60"/>
                    </label>
                    <label class="grow">
                        "Form name (optional)"
                        <input type="text" bind:value=name maxlength="80" placeholder="e.g. Contact page"/>
                    </label>
                </div>
                {field("source")}
                {field("name")}
                <label>
                    "Thank-you page (optional)"
                    <input type="url" bind:value=redirect maxlength="200" placeholder="https://www.example.com/thanks"/>
                </label>
                {field("redirect_url")}
                <div class="row">
                    <button type="submit" class="primary">"Make web form"</button>
                </div>
            </form>
        </section>
    }
}
