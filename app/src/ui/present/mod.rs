//! Presenting: during the meeting, a laptop or a phone drives a meeting-room screen:
//! next or previous scene, pause and resume, one stage in focus. The screen follows at
//! once, over its live stream.

use crate::api::auth::me;
use crate::api::displays::{list_presentable, present};
use crate::domain::display::{Cue, Presentable};
use crate::error::AppError;
use crate::ui::sheets::{Sheet, TV};
use crate::ui::widgets::{Failure, Frame, Toast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn PresentPage() -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let data = Resource::new(
        || (),
        |_| async move {
            let user = me().await?.ok_or(AppError::Unauthenticated)?;
            Ok((user, list_presentable().await?))
        },
    );
    view! {
        <Title text="Present · Tend"/>
        <Sheet sheet=TV/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((user, screens)) => view! {
                        <Frame user>
                            <h1>"Present on a screen"</h1>
                            {if screens.is_empty() {
                                view! {
                                    <p class="hint">"No meeting-room screens yet: an admin makes one on the Pipelines page."</p>
                                }.into_any()
                            } else {
                                screens
                                    .into_iter()
                                    .map(|s| view! { <Remote screen=s notice/> })
                                    .collect_view()
                                    .into_any()
                            }}
                        </Frame>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Toast message=notice/>
    }
}

/// The controls for one screen.
#[component]
fn Remote(screen: Presentable, notice: RwSignal<Option<String>>) -> impl IntoView {
    let id = screen.display.id;
    let paused = RwSignal::new(false);
    let focused = RwSignal::new(None::<String>);
    let send = move |cue: Cue| {
        spawn_local(async move {
            if let Err(e) = present(id, cue).await {
                notice.set(Some(e.to_string()));
            }
        })
    };
    let heading = format!("remote-{id}");
    let labelled_by = heading.clone();
    view! {
        <section class="card-panel remote" aria-labelledby=labelled_by>
            <h2 id=heading>{screen.display.name.clone()} <span class="remote-pipeline">{screen.display.pipeline_name.clone()}</span></h2>
            <div class="remote-main">
                <button type="button" on:click=move |_| send(Cue::Previous)>"◀ Previous"</button>
                <button
                    type="button"
                    aria-pressed=move || paused.get().to_string()
                    on:click=move |_| {
                        let now = !paused.get_untracked();
                        paused.set(now);
                        send(if now { Cue::Pause } else { Cue::Resume });
                    }
                >
                    {move || if paused.get() { "▶ Resume" } else { "❚❚ Pause" }}
                </button>
                <button type="button" on:click=move |_| send(Cue::Next)>"Next ▶"</button>
            </div>
            <p class="remote-label" id=format!("focus-{id}")>"Focus one stage"</p>
            <div class="remote-stages" role="group" aria-labelledby=format!("focus-{id}")>
                <button
                    type="button"
                    aria-pressed=move || focused.get().is_none().to_string()
                    on:click=move |_| {
                        focused.set(None);
                        paused.set(false);
                        send(Cue::Focus(None));
                    }
                >
                    "All stages"
                </button>
                {screen
                    .stages
                    .iter()
                    .map(|stage| {
                        let (stage_id, name) = (stage.id, stage.name.clone());
                        let mine = name.clone();
                        view! {
                            <button
                                type="button"
                                aria-pressed=move || (focused.get().as_deref() == Some(mine.as_str())).to_string()
                                on:click=move |_| {
                                    focused.set(Some(name.clone()));
                                    paused.set(true);
                                    send(Cue::Focus(Some(stage_id)));
                                }
                            >
                                {stage.name.clone()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}
