//! The board's forecast widgets: this month and this quarter (won so far, the forecast
//! with its likely range, the goal), read again after every change the board hears of.

use crate::api::forecast::load_widgets;
use crate::domain::display::Period;
use crate::domain::forecast::Method;
use crate::domain::ids::{PipelineId, UserId};
use crate::ui::widgets::{ranges, totals, GoalBar};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Reads the widgets' figures again, at most one request at a time: changes that arrive
/// while one is out are answered by one more request after it. What arrives while
/// `what_if` lasts is not shown (the widgets show what is imagined).
pub(super) fn refresher(
    pipeline: PipelineId,
    owner: Option<UserId>,
    periods: RwSignal<Vec<Period>>,
    what_if: RwSignal<Option<super::what_if::Hooks>>,
) -> Callback<()> {
    let out = StoredValue::new(false);
    let again = StoredValue::new(false);
    Callback::new(move |()| {
        if out.get_value() {
            again.set_value(true);
            return;
        }
        out.set_value(true);
        spawn_local(async move {
            loop {
                again.set_value(false);
                if let Ok(fresh) = load_widgets(pipeline, owner).await {
                    if what_if.get_untracked().is_none() {
                        periods.set(fresh);
                    }
                }
                if !again.get_value() {
                    break;
                }
            }
            out.set_value(false);
        });
    })
}

#[component]
pub(super) fn ForecastStrip(periods: RwSignal<Vec<Period>>) -> impl IntoView {
    view! {
        <section class="forecast-strip" aria-label="Forecast">
            {move || periods.get().into_iter().map(|p| view! { <Tile p/> }).collect_view()}
        </section>
    }
}

#[component]
fn Tile(p: Period) -> impl IntoView {
    let progress = p.progress();
    view! {
        <article class="forecast-tile">
            <h2>{p.label.clone()}</h2>
            <dl>
                <div>
                    <dt>"Won"</dt>
                    <dd class="won">{totals(&p.won)}</dd>
                </div>
                <div>
                    <dt>"Forecast"</dt>
                    <dd>{totals(&p.expected)}</dd>
                </div>
                <div class="forecast-range">
                    <dt>"Likely"</dt>
                    <dd>{ranges(&p.low, &p.high)}</dd>
                </div>
                {(!p.goal.is_empty()).then(|| view! {
                    <div class="forecast-goal">
                        <dt>"Goal"</dt>
                        <dd>{totals(&p.goal)}</dd>
                    </div>
                })}
            </dl>
            {progress.map(|g| view! {
                <GoalBar progress=g/>
            })}
            {(p.method == Method::StageProbability).then(|| view! {
                <p class="forecast-note">"Range from stage chances: too little history yet."</p>
            })}
        </article>
    }
}
