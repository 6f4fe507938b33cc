//! Charts drawn as SVG by our own small components (no chart library in the wasm). The
//! figures come scaled from `domain`; these only draw them.

use crate::domain::forecast::RangeBar;
use leptos::prelude::*;

/// One row per period: the likely range (P10–P90) as a band, what is already won as a
/// solid bar, the forecast as a mark and the goal as a dashed line. `summary` says it
/// in words for screen readers; the table beside it has the numbers.
#[component]
pub fn RangeChart(bars: Vec<RangeBar>, summary: String) -> impl IntoView {
    view! {
        <div class="range-chart" role="img" aria-label=summary>
            {bars
                .into_iter()
                .map(|b| {
                    view! {
                        <div class="range-row">
                            <span class="range-label" aria-hidden="true">{b.period.clone()}</span>
                            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect class="range-track" x="0" y="2" width="100" height="6" rx="1"/>
                                <rect class="range-band" x=b.low y="2" width=(b.high - b.low).max(0.4) height="6"/>
                                <rect class="range-won" x="0" y="3.5" width=b.won height="3"/>
                                <line class="range-expected" x1=b.expected x2=b.expected y1="0.5" y2="9.5"/>
                                {b.goal.map(|g| view! {
                                    <line class="range-goal" x1=g x2=g y1="0" y2="10"/>
                                })}
                            </svg>
                        </div>
                    }
                })
                .collect_view()}
            <p class="range-key" aria-hidden="true">
                <span class="key-won">"Won"</span>
                <span class="key-band">"Likely range"</span>
                <span class="key-expected">"Forecast"</span>
                <span class="key-goal">"Goal"</span>
            </p>
        </div>
    }
}

/// Horizontal bars, one per row: a name, a bar as long as its share of the largest
/// (0–100, scaled in `domain`), and what it stands for in words. Screen readers hear
/// the title, then each row's name and words.
#[component]
pub fn BarList(bars: Vec<(String, f64, String)>, title: &'static str) -> impl IntoView {
    let said: Vec<String> = bars
        .iter()
        .map(|(name, _, note)| format!("{name}: {note}"))
        .collect();
    let summary = format!("{title}. {}", said.join("; "));
    view! {
        <div class="bar-list" role="img" aria-label=summary>
            {bars
                .into_iter()
                .map(|(name, width, note)| {
                    view! {
                        <div class="bar-row" aria-hidden="true">
                            <span class="bar-name">{name}</span>
                            <svg viewBox="0 0 100 6" preserveAspectRatio="none">
                                <rect class="bar-track" x="0" y="0" width="100" height="6" rx="1"/>
                                <rect class="bar-fill" x="0" y="0" width=width.max(0.5) height="6" rx="1"/>
                            </svg>
                            <span class="bar-note">{note}</span>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A line over time in a box 100 wide and `height` high, its points placed by
/// `domain`, with the largest value and the first and last day written beside it.
#[component]
pub fn LineChart(
    points: String,
    height: f64,
    title: String,
    top: String,
    first: String,
    last: String,
    summary: String,
) -> impl IntoView {
    let area = format!("0,{height} {points} 100,{height}");
    view! {
        <figure class="line-chart" role="img" aria-label=summary>
            <figcaption aria-hidden="true">
                <span>{title}</span>
                <span class="line-top">{format!("Top: {top}")}</span>
            </figcaption>
            <svg viewBox=format!("0 0 100 {height}") preserveAspectRatio="none" aria-hidden="true">
                <polygon class="line-area" points=area/>
                <polyline class="line-stroke" points=points vector-effect="non-scaling-stroke"/>
            </svg>
            <div class="line-days" aria-hidden="true">
                <span>{first}</span>
                <span>{last}</span>
            </div>
        </figure>
    }
}
