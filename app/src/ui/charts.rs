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
