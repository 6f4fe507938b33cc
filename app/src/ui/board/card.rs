//! One deal on the board.

use super::BoardActions;
use crate::domain::board::DealCard;
use crate::domain::deal::DealChange;
use crate::domain::ids::DealId;
use crate::domain::pipeline::{Pipeline, Stage};
use crate::domain::user::User;
use crate::ui::widgets::{days, money};
use leptos::prelude::*;

pub fn dom_id(id: DealId) -> String {
    format!("card-{id}")
}

#[component]
pub fn Card(
    card: DealCard,
    stage: Stage,
    actions: BoardActions,
    pipeline: Pipeline,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let id = card.id;
    let version = card.version;
    let title = card.title.clone();
    let age = card.days_in_stage(now);
    let rotting = card.is_rotting(&stage, now);
    let next = pipeline.neighbour(stage.id, 1).map(|s| s.id);
    let previous = pipeline.neighbour(stage.id, -1).map(|s| s.id);
    let others: Vec<Stage> = {
        let mut s: Vec<Stage> = pipeline
            .stages
            .iter()
            .filter(|s| s.id != stage.id)
            .cloned()
            .collect();
        s.sort_by_key(|s| s.position);
        s
    };
    let menu_open = move || actions.menu.get() == Some(id);
    let title_for_menu = title.clone();
    let title_for_lost = title.clone();
    view! {
        <li
            class="card"
            class:rotting=rotting
            id=dom_id(id)
            tabindex="0"
            draggable="true"
            aria-label=format!("{title}, {}", money(card.value, &card.currency))
            aria-keyshortcuts="Shift+ArrowRight Shift+ArrowLeft"
            on:dragstart=move |ev| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                    dt.set_effect_allowed("move");
                }
                actions.dragging.set(Some((id, version)));
            }
            on:dragend=move |_| actions.dragging.set(None)
            on:keydown=move |ev| {
                if ev.target() != ev.current_target() {
                    return;
                }
                let to = match (ev.shift_key(), ev.key().as_str()) {
                    (true, "ArrowRight") => next,
                    (true, "ArrowLeft") => previous,
                    _ => return,
                };
                ev.prevent_default();
                if let Some(to) = to {
                    actions.move_deal(id, version, to, true);
                }
            }
        >
            <a class="card-title" href=format!("/deals/{id}") draggable="false">{title.clone()}</a>
            {card.organization_name.clone().map(|o| view! { <span class="org">{o}</span> })}
            <div class="card-meta">
                <span class="amount">{money(card.value, &card.currency)}</span>
                <span class="age" title="Days in this stage">{days(age)}</span>
                <span class="avatar small" title=card.owner_name.clone()>{User::initials(&card.owner_name)}</span>
            </div>
            <button
                class="card-menu"
                type="button"
                aria-haspopup="menu"
                aria-expanded=move || menu_open().to_string()
                aria-label=format!("Move {title_for_menu}")
                on:click=move |_| actions.menu.update(|m| *m = if *m == Some(id) { None } else { Some(id) })
            >
                "⋯"
            </button>
            {move || {
                menu_open()
                    .then(|| {
                        let title = title_for_lost.clone();
                        view! {
                            <div class="menu" role="menu" aria-label="Move to…">
                                <p class="menu-label">"Move to…"</p>
                                {others
                                    .iter()
                                    .map(|s| {
                                        let to = s.id;
                                        view! {
                                            <button
                                                type="button"
                                                role="menuitem"
                                                on:click=move |_| actions.move_deal(id, version, to, false)
                                            >
                                                {s.name.clone()}
                                            </button>
                                        }
                                    })
                                    .collect_view()}
                                <hr/>
                                <button
                                    type="button"
                                    role="menuitem"
                                    class="won"
                                    on:click=move |_| actions.close(id, version, DealChange::Win)
                                >
                                    "Won"
                                </button>
                                <button
                                    type="button"
                                    role="menuitem"
                                    class="lost"
                                    on:click=move |_| {
                                        actions.menu.set(None);
                                        actions.losing.set(Some((id, version, title.clone())));
                                    }
                                >
                                    "Lost…"
                                </button>
                            </div>
                        }
                    })
            }}
        </li>
    }
    .into_any()
}
