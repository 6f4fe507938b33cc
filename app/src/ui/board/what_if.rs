//! What-if on the board: moves, wins, losses and close dates made here are only
//! imagined. The forecast widgets are figured again at once in the browser, by the
//! forecast's own engine (`domain::what_if`); nothing reaches the server, and leaving
//! puts the board back as it was, with whatever changed meanwhile.
//!
//! Its code is fetched the first time someone starts it: most visits never do.

use super::{paint, BoardActions};
use crate::api::forecast::load_what_if;
use crate::domain::deal::DealStatus;
use crate::domain::display::Period;
use crate::domain::ids::{DealId, PipelineId, UserId};
use crate::domain::what_if::{Imagined, WhatIf};
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::totals;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the board does with a change while the mode lasts, instead of saving it.
#[derive(Clone, Copy)]
pub(crate) struct Hooks {
    /// Imagines a change the board already shows.
    pub imagine: Callback<Imagined>,
    /// A deal's expected close date as a date input writes it ("" when it has none).
    pub close_date: Callback<DealId, String>,
    /// Imagines a new expected close date, as a date input wrote it.
    pub redate: Callback<(DealId, String)>,
}

/// What the mode works on: the board, its widgets, and whose forecast they show.
#[derive(Clone, Copy)]
pub(super) struct Scope {
    pub actions: BoardActions,
    pub periods: RwSignal<Vec<Period>>,
    /// Reads the widgets again from the server.
    pub refigure: Callback<()>,
    /// Whether the mode is on (set by the board's "What if…" button).
    pub on: RwSignal<bool>,
    pub pipeline: PipelineId,
    pub owner: Option<UserId>,
}

/// The mode's banner while it lasts.
#[component]
pub(super) fn WhatIfBar(scope: Scope) -> impl IntoView {
    move || scope.on.get().then(|| Suspend::new(what_if_bar(scope)))
}

#[lazy]
fn what_if_bar(scope: Scope) -> AnyView {
    let Scope {
        actions,
        periods,
        refigure,
        on,
        pipeline,
        owner,
    } = scope;
    let state = StoredValue::new_local(None::<WhatIf>);
    // Changes imagined while the model is on its way, figured in when it arrives.
    let pending = StoredValue::new(Vec::<Imagined>::new());
    let ready = RwSignal::new(false);
    let imagined = RwSignal::new(0usize);
    let failed = RwSignal::new(None::<String>);
    // How long the last change took to imagine and figure, for the benchmark (`make
    // bench-what-if`).
    let took = RwSignal::new(String::new());
    // Imagines `change` (kept for later while the model is on its way) and figures the
    // widgets again.
    let figure = move |change: Option<Imagined>| {
        let clock = window().performance();
        let start = clock.as_ref().map_or(0.0, |c| c.now());
        let fresh = state.try_update_value(|w| match w {
            Some(w) => {
                if let Some(change) = change {
                    w.imagine(change);
                }
                Some(w.periods())
            }
            None => {
                if let Some(change) = change {
                    pending.update_value(|p| p.push(change));
                }
                None
            }
        });
        let end = clock.as_ref().map_or(0.0, |c| c.now());
        if let Some(fresh) = fresh.flatten() {
            periods.set(fresh);
            took.set(format!("{:.2}", end - start));
        }
    };
    // The board and widgets as they were, put back on leaving.
    let before = StoredValue::new(None::<(crate::domain::board::Board, Vec<Period>)>);
    let imagine = move |change: Imagined| {
        // A win or a loss takes the card off the board here; a move the board has shown.
        let closed = match change {
            Imagined::Win(deal) => Some((deal, DealStatus::Won)),
            Imagined::Lose(deal) => Some((deal, DealStatus::Lost)),
            _ => None,
        };
        if let Some((deal, status)) = closed {
            match actions.board.with_value(|b| b.close_preview(deal, status)) {
                Some(preview) => actions.apply(&preview),
                None => return,
            }
        }
        imagined.update(|n| *n += 1);
        figure(Some(change));
    };
    let hooks = Hooks {
        imagine: Callback::new(imagine),
        close_date: Callback::new(move |deal: DealId| {
            state.with_value(|w| {
                w.as_ref()
                    .and_then(|w| w.expected_close(deal))
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            })
        }),
        redate: Callback::new(move |(deal, text): (DealId, String)| {
            if let Ok(day) = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                imagine(Imagined::Redate(deal, day));
            }
        }),
    };
    // From the first moment, the board's changes are imagined, not saved.
    before.set_value(Some((actions.board.get_value(), periods.get_untracked())));
    actions.what_if.set(Some(hooks));
    spawn_local(async move {
        match load_what_if(pipeline, owner).await {
            Ok(model) if on.get_untracked() => {
                let mut what_if = WhatIf::new(model);
                for change in pending.try_update_value(std::mem::take).unwrap_or_default() {
                    what_if.imagine(change);
                }
                state.set_value(Some(what_if));
                ready.set(true);
                figure(None);
            }
            Ok(_) => {}
            Err(e) => failed.set(Some(format!("What-if could not start: {e}"))),
        }
    });
    let leave = move |_| {
        if let Some((board, figures)) = before.get_value() {
            actions.board.set_value(board);
            paint(actions.board, actions.columns, |_| true);
            periods.set(figures);
        }
        // Changes that arrived meanwhile apply now, and the widgets are read again.
        actions.what_if.set(None);
        actions.release();
        refigure.run(());
        on.set(false);
    };
    let said = move || match (failed.get(), ready.get(), imagined.get()) {
        (Some(e), _, _) => e,
        (None, false, _) => "Starting what-if…".into(),
        (None, true, 0) => "Move, win, lose or re-date deals to see the forecast change.".into(),
        (None, true, 1) => "1 change imagined.".into(),
        (None, true, n) => format!("{n} changes imagined."),
    };
    view! {
        <Sheet sheet=PAGES/>
        <section class="what-if-bar" aria-label="What-if mode" data-took-ms=move || took.get()>
            <p>
                <strong>"What if: nothing here is saved."</strong>
                " "
                <span aria-live="polite">{said}</span>
            </p>
            <button type="button" on:click=leave>"Leave what-if"</button>
            // The stage-weighted sum follows imagined close dates; the forecast from
            // experience reads how long deals like each one took instead.
            <dl class="what-if-dated">
                {move || {
                    periods
                        .get()
                        .into_iter()
                        .map(|p| view! {
                            <div>
                                <dt>{format!("{} by close date", p.label)}</dt>
                                <dd class="weighted">{totals(&p.weighted)}</dd>
                            </div>
                        })
                        .collect_view()
                }}
            </dl>
        </section>
    }
    .into_any()
}
