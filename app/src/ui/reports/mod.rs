//! The reports page (`/reports?pipeline=&from=&to=&owner=&lead_source=`): what a
//! period brought, to look back on and see what needs doing. Win rate, sales cycle,
//! won value and velocity; the funnel; the open pipeline week by week; time in each
//! stage; why deals were lost; how each lead source does. The figures are the
//! domain's (`domain::stats`); this page only shows them.

use crate::api::stats::load_reports;
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::money::whole_units;
use crate::domain::stats::{lines, scale, Funnel, ReportsPage, Summary, LINE_HEIGHT};
use crate::ui::charts::{BarList, LineChart};
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::tables::WideTable;
use crate::ui::widgets::{money, urlencode, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportsRoutePage() -> impl IntoView {
    let query = use_query_map();
    let source = move || {
        query.with(|q| {
            let text = |k: &str| q.get(k).filter(|s| !s.is_empty());
            (
                q.get("pipeline").and_then(|p| p.parse::<PipelineId>().ok()),
                text("from"),
                text("to"),
                q.get("owner").and_then(|o| o.parse::<UserId>().ok()),
                text("lead_source"),
            )
        })
    };
    let data = Resource::<_, PostcardCodec>::new_with_options(
        source,
        |(pipeline, from, to, owner, source)| load_reports(pipeline, from, to, owner, source),
        false,
    );
    view! {
        <Title text="Reports · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Reports page/> }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A share in percent as people read it: "60%", "66.7%", or a dash for none.
fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}%"),
        Some(v) => format!("{v:.1}%"),
        None => "–".into(),
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

#[component]
fn Reports(page: ReportsPage) -> impl IntoView {
    let scope = page.scope.clone();
    let query = format!(
        "pipeline={}&from={}&to={}&owner={}&lead_source={}",
        page.funnel.pipeline_id,
        scope.from,
        scope.to,
        scope.owner.map(|o| o.to_string()).unwrap_or_default(),
        urlencode(scope.lead_source.as_deref().unwrap_or_default()),
    );
    view! {
        <Frame user=page.me.clone()>
            <div class="reports-page">
                <h1>"Reports"</h1>
                <form class="since-pick" method="get" action="/reports">
                    <label>
                        "Pipeline"
                        <select name="pipeline">
                            {page.pipelines.iter().map(|(id, name)| {
                                view! { <option value=id.to_string() selected=*id == page.funnel.pipeline_id>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        "From"
                        <input type="date" name="from" value=scope.from.to_string() max=scope.to.to_string() required/>
                    </label>
                    <label>
                        "To"
                        <input type="date" name="to" value=scope.to.to_string() required/>
                    </label>
                    <label>
                        "For"
                        <select name="owner">
                            <option value="" selected=scope.owner.is_none()>"The team"</option>
                            {page.users.iter().map(|(id, name)| {
                                view! { <option value=id.to_string() selected=scope.owner == Some(*id)>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        "Lead source"
                        <select name="lead_source">
                            <option value="" selected=scope.lead_source.is_none()>"Every source"</option>
                            {page.lead_sources.iter().map(|s| {
                                view! { <option value=s.clone() selected=scope.lead_source.as_ref() == Some(s)>{s.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">"Show"</button>
                </form>
                <p class="hint">
                    {format!(
                        "From {} to {}, as things stood at the end of {}. Won, lost and cycle count the deals closed in the period; the funnel follows the deals created in it.",
                        scope.from, scope.to, scope.to
                    )}
                </p>
                <Tiles summary=page.summary.clone()/>
                <FunnelPanel funnel=page.funnel.clone() csv=format!("/funnel.csv?{query}")/>
                <OpenOverTime summary=page.summary.clone()/>
                <div class="reports-grid">
                    <StageTimes summary=page.summary.clone()/>
                    <LostReasons summary=page.summary.clone()/>
                </div>
                <Sources summary=page.summary.clone()/>
                <p class="since-links">
                    <a class="download" href=format!("/summary.csv?{query}") download>"Download every figure as CSV"</a>
                    <a class="download" href="/export/deals.csv" download>"Export every deal as CSV"</a>
                    <a class="download" href="/import">"Import deals from CSV"</a>
                </p>
            </div>
        </Frame>
    }
}

/// The headline figures: win rate, sales cycle, and per currency what was won and the
/// velocity.
#[component]
fn Tiles(summary: Summary) -> impl IntoView {
    let cycle = summary.cycle.clone();
    view! {
        <ul class="stat-tiles" aria-label="Headline figures">
            <li class="stat-tile">
                <span class="stat-name">"Win rate"</span>
                <strong class="stat-value">{percent(summary.win_rate_pct)}</strong>
                <span class="stat-note">{format!("{} won, {} lost", summary.won, summary.lost)}</span>
            </li>
            <li class="stat-tile">
                <span class="stat-name">"Sales cycle"</span>
                <strong class="stat-value">{cycle.as_ref().map(|c| days(c.median)).unwrap_or_else(|| "–".into())}</strong>
                <span class="stat-note">
                    {cycle.as_ref().map(|c| format!("median; 8 in 10 within {}", days(c.p80))).unwrap_or_else(|| "no deal won yet".into())}
                </span>
            </li>
            {summary.currencies.iter().map(|c| {
                let code = c.currency.clone();
                let whole = |v: i64| money(whole_units(v, &code), &code);
                view! {
                    <li class="stat-tile">
                        <span class="stat-name">{format!("Won · {}", code.code())}</span>
                        <strong class="stat-value">{money(c.won_value, &code)}</strong>
                        <span class="stat-note">
                            {c.average_won_value.map(|a| format!("{} deals, {} on average", c.won_deals, whole(a))).unwrap_or_else(|| "none won".into())}
                        </span>
                    </li>
                    <li class="stat-tile">
                        <span class="stat-name">{format!("Velocity a day · {}", code.code())}</span>
                        <strong class="stat-value">{c.velocity_per_day.map(whole).unwrap_or_else(|| "–".into())}</strong>
                        <span class="stat-note">{format!("{} open deals worth {}", c.open_deals, money(c.open_value, &code))}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn FunnelPanel(funnel: Funnel, csv: String) -> impl IntoView {
    let widths = scale(&funnel.stages.iter().map(|s| s.reached).collect::<Vec<_>>());
    let bars: Vec<(String, f64, String)> = funnel
        .stages
        .iter()
        .zip(widths)
        .map(|(s, w)| {
            (
                s.name.clone(),
                w,
                format!(
                    "{} reached · {} went on",
                    s.reached,
                    percent(s.conversion_pct)
                ),
            )
        })
        .collect();
    view! {
        <section class="card-panel" aria-labelledby="funnel-title">
            <div class="panel-head">
                <h2 id="funnel-title">"Funnel"</h2>
                <a class="download" href=csv download>"Download CSV"</a>
            </div>
            <p class="hint">
                {format!(
                    "{} deals created in the period: {} won, {} lost, {} still open.",
                    funnel.deals, funnel.won, funnel.lost, funnel.open
                )}
            </p>
            <BarList bars title="Funnel"/>
            <WideTable label="Funnel by stage" class="stats-table" head=&["Stage", "Reached", "Went on", "Lost here", "Still here", "Conversion", "Drop-off"]>
                        {funnel.stages.iter().map(|s| view! {
                            <tr>
                                <th scope="row">{s.name.clone()}</th>
                                <td class="num">{s.reached}</td>
                                <td class="num">{s.moved_on}</td>
                                <td class="num">{s.lost}</td>
                                <td class="num">{s.open}</td>
                                <td class="num strong">{percent(s.conversion_pct)}</td>
                                <td class="num">{percent(s.drop_off_pct)}</td>
                            </tr>
                        }).collect_view()}
            </WideTable>
        </section>
    }
}

#[component]
fn OpenOverTime(summary: Summary) -> impl IntoView {
    let lines = lines(&summary.value_over_time);
    view! {
        <section class="card-panel" aria-labelledby="open-title">
            <h2 id="open-title">"Open pipeline, week by week"</h2>
            {if lines.is_empty() {
                view! { <p class="hint">"No open deals in the period."</p> }.into_any()
            } else {
                lines.into_iter().map(|l| {
                    let code = l.currency.clone();
                    let said: Vec<String> = summary
                        .value_over_time
                        .iter()
                        .filter(|p| p.currency == code)
                        .map(|p| format!("{}: {}", p.day, money(p.open_value, &code)))
                        .collect();
                    view! {
                        <LineChart
                            points=l.points
                            height=LINE_HEIGHT
                            title=format!("In {}", code.code())
                            top=money(l.top, &code)
                            first=l.first.to_string()
                            last=l.last.to_string()
                            summary=format!("Open pipeline in {}. {}", code.code(), said.join("; "))
                        />
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn StageTimes(summary: Summary) -> impl IntoView {
    let medians: Vec<i64> = summary
        .stages
        .iter()
        .map(|s| s.days.as_ref().map(|d| d.median).unwrap_or(0))
        .collect();
    let bars: Vec<(String, f64, String)> = summary
        .stages
        .iter()
        .zip(scale(&medians))
        .map(|(s, w)| {
            let note = s
                .days
                .as_ref()
                .map(|d| format!("{} median · P80 {}", days(d.median), days(d.p80)))
                .unwrap_or_else(|| "no stays ended".into());
            (s.name.clone(), w, note)
        })
        .collect();
    view! {
        <section class="card-panel" aria-labelledby="stage-time-title">
            <h2 id="stage-time-title">"Time in each stage"</h2>
            <p class="hint">"Stays that ended in the period, moving on or closing."</p>
            <BarList bars title="Time in each stage"/>
        </section>
    }
}

#[component]
fn LostReasons(summary: Summary) -> impl IntoView {
    let counts: Vec<i64> = summary.lost_reasons.iter().map(|r| r.deals).collect();
    let bars: Vec<(String, f64, String)> = summary
        .lost_reasons
        .iter()
        .zip(scale(&counts))
        .map(|(r, w)| {
            let name = if r.reason.is_empty() {
                "No reason given".to_string()
            } else {
                r.reason.clone()
            };
            (
                name,
                w,
                format!("{} · {}", r.deals, percent(Some(r.share_pct))),
            )
        })
        .collect();
    view! {
        <section class="card-panel" aria-labelledby="lost-title">
            <h2 id="lost-title">"Why deals were lost"</h2>
            {if bars.is_empty() {
                view! { <p class="hint">"No deal was lost in the period."</p> }.into_any()
            } else {
                view! { <BarList bars title="Lost reasons"/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Sources(summary: Summary) -> impl IntoView {
    view! {
        <section class="card-panel" aria-labelledby="sources-title">
            <h2 id="sources-title">"Lead sources"</h2>
            {if summary.sources.is_empty() {
                view! { <p class="hint">"No deal was created or closed in the period."</p> }.into_any()
            } else {
                view! {
                    <WideTable label="Lead sources" class="stats-table" head=&["Source", "New deals", "Won", "Lost", "Win rate", "Won value", "Cycle"]>
                                {summary.sources.iter().map(|s| {
                                    let value = s
                                        .won_value
                                        .iter()
                                        .map(|(c, v)| money(*v, c))
                                        .collect::<Vec<_>>()
                                        .join(" + ");
                                    view! {
                                        <tr>
                                            <th scope="row">{s.lead_source.clone().unwrap_or_else(|| "No source".into())}</th>
                                            <td class="num">{s.created}</td>
                                            <td class="num">{s.won}</td>
                                            <td class="num">{s.lost}</td>
                                            <td class="num strong">{percent(s.win_rate_pct)}</td>
                                            <td class="num">{if value.is_empty() { "–".to_string() } else { value }}</td>
                                            <td class="num">{s.median_cycle_days.map(days).unwrap_or_else(|| "–".into())}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                    </WideTable>
                }.into_any()
            }}
        </section>
    }
}
