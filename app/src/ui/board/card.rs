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
    let touch = TouchDrag::new(actions, id, version, stage.id);
    let title_for_menu = title.clone();
    let title_for_lost = title.clone();
    view! {
        <li
            class="card"
            class:rotting=rotting
            class:arrived=move || actions.arrived.with(|a| a.contains(&id))
            id=dom_id(id)
            tabindex="0"
            draggable="true"
            aria-label=format!("{title}, {}", money(card.value, &card.currency))
            aria-keyshortcuts="Shift+ArrowRight Shift+ArrowLeft"
            class:lifted=move || touch.lifted.get()
            on:touchstart=move |ev| touch.start(&ev)
            on:touchmove=move |ev| touch.moved(&ev)
            on:touchend=move |_| touch.end()
            on:touchcancel=move |_| touch.cancel()
            on:contextmenu=move |ev| {
                if touch.lifted.get_untracked() {
                    ev.prevent_default();
                }
            }
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
                menu_open().then(|| {
                    Suspend::new(card_menu(actions, id, version, title_for_lost.clone(), others.clone()))
                })
            }}
        </li>
    }
    .into_any()
}

/// A card's menu: the other stages, won, lost, and in what-if an imagined close date.
/// Its code is fetched the first time someone opens a card's menu.
#[lazy]
fn card_menu(
    actions: BoardActions,
    id: DealId,
    version: i64,
    title: String,
    others: Vec<Stage>,
) -> AnyView {
    view! {
        <div class="menu">
            <div role="menu" aria-label="Move to…">
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
            // Beside the menu's items, not among them: a menu holds only items.
            {move || actions.what_if.get().map(|hooks| view! {
                <div class="menu-date">
                    <label>
                        "Expected close"
                        <input
                            type="date"
                            prop:value=hooks.close_date.run(id)
                            on:change=move |ev| hooks.redate.run((id, event_target_value(&ev)))
                        />
                    </label>
                </div>
            })}
        </div>
    }
    .into_any()
}

/// Long-press to lift a card on a touch screen, then drag it to another column. A finger
/// that moves before the press is long enough is scrolling, and the board scrolls.
#[derive(Clone, Copy)]
struct TouchDrag {
    actions: BoardActions,
    deal: DealId,
    version: i64,
    home: crate::domain::ids::StageId,
    lifted: RwSignal<bool>,
    start: StoredValue<Option<(i32, i32)>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

const LONG_PRESS: std::time::Duration = std::time::Duration::from_millis(450);
const SCROLL_SLOP_PX: i32 = 10;
/// A lifted card held this close to either side of the screen scrolls the board that way,
/// by `EDGE_STEP_PX` each time the finger moves.
const EDGE_PX: i32 = 32;
const EDGE_STEP_PX: i32 = 24;

impl TouchDrag {
    fn new(
        actions: BoardActions,
        deal: DealId,
        version: i64,
        home: crate::domain::ids::StageId,
    ) -> Self {
        Self {
            actions,
            deal,
            version,
            home,
            lifted: RwSignal::new(false),
            start: StoredValue::new(None),
            timer: StoredValue::new(None),
        }
    }

    fn point(ev: &leptos::ev::TouchEvent) -> Option<(i32, i32)> {
        let t = ev.touches().get(0)?;
        Some((t.client_x(), t.client_y()))
    }

    fn start(self, ev: &leptos::ev::TouchEvent) {
        if ev.touches().length() != 1 {
            return self.cancel();
        }
        self.start.set_value(Self::point(ev));
        let handle = set_timeout_with_handle(
            move || {
                self.lifted.set(true);
                self.actions.touch_over.set(Some(self.home));
            },
            LONG_PRESS,
        )
        .ok();
        self.timer.set_value(handle);
    }

    fn moved(self, ev: &leptos::ev::TouchEvent) {
        let Some((x, y)) = Self::point(ev) else {
            return;
        };
        if !self.lifted.get_untracked() {
            let far = self.start.get_value().is_some_and(|(sx, sy)| {
                (x - sx).abs() > SCROLL_SLOP_PX || (y - sy).abs() > SCROLL_SLOP_PX
            });
            if far {
                self.clear_timer();
            }
            return;
        }
        // Lifted: the finger drags the card, so the board must not scroll.
        ev.prevent_default();
        let over = document()
            .element_from_point(x as f32, y as f32)
            .and_then(|el| el.closest("[data-stage-id]").ok().flatten())
            .and_then(|el| el.get_attribute("data-stage-id"))
            .and_then(|id| id.parse().ok());
        if over.is_some() {
            self.actions.touch_over.set(over);
        }
        Self::scroll_near_edge(x);
    }

    /// Brings the far columns within reach of a finger that holds a card at the edge.
    fn scroll_near_edge(x: i32) {
        let width = window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .unwrap_or_default() as i32;
        let step = if x < EDGE_PX {
            -EDGE_STEP_PX
        } else if x > width - EDGE_PX {
            EDGE_STEP_PX
        } else {
            return;
        };
        if let Ok(Some(board)) = document().query_selector(".board") {
            board.scroll_by_with_x_and_y(step as f64, 0.0);
        }
    }

    fn end(self) {
        let target = self.actions.touch_over.get_untracked();
        let was_lifted = self.lifted.get_untracked();
        self.cancel();
        if let (true, Some(to)) = (was_lifted, target) {
            if to != self.home {
                self.actions.move_deal(self.deal, self.version, to, false);
            }
        }
    }

    fn cancel(self) {
        self.clear_timer();
        if self.lifted.get_untracked() {
            self.lifted.set(false);
            self.actions.touch_over.set(None);
        }
    }

    fn clear_timer(self) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        self.timer.set_value(None);
    }
}
