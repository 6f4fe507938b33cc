//! The forecast page (`/forecast?pipeline=&period=month|quarter&owner=`): per period and
//! currency, what is won, the weighted and the empirical forecast with its likely range,
//! and the goal; a chart per currency; admins set goals here. The figures are the
//! domain's (`domain::forecast`); this page only shows them.

use crate::api::forecast::{load_forecast, remove_goal, save_goal};
use crate::domain::forecast::{range_bars, ForecastPage, ForecastRow, Method, PeriodKind};
use crate::domain::goal::GoalDraft;
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::money::Currency;
use crate::domain::track_record::{RecordRow, Said, TrackRecord};
use crate::error::AppError;
use crate::ui::charts::RangeChart;
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::tables::WideTable;
use crate::ui::widgets::{field_note, money, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForecastRoutePage() -> impl IntoView {
    let query = use_query_map();
    let source = move || {
        query.with(|q| {
            (
                q.get("pipeline").and_then(|p| p.parse::<PipelineId>().ok()),
                q.get("period").filter(|s| !s.is_empty()),
                q.get("owner").and_then(|o| o.parse::<UserId>().ok()),
            )
        })
    };
    let data = Resource::<_, PostcardCodec>::new_with_options(
        source,
        |(pipeline, period, owner)| load_forecast(pipeline, period, owner),
        false,
    );
    view! {
        <Title text="Forecast · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Forecast page reload=Callback::new(move |()| data.refetch())/> }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
    }
}

#[component]
fn Forecast(page: ForecastPage, reload: Callback<()>) -> impl IntoView {
    let kind = page.kind;
    let currencies: Vec<Currency> = {
        let mut c: Vec<Currency> = page.rows.iter().map(|r| r.currency.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let empirical = page
        .rows
        .first()
        .is_some_and(|r| r.method == Method::Empirical);
    let rows = page.rows.clone();
    let csv_link = format!(
        "/forecast.csv?pipeline={}&period={}&owner={}",
        page.pipeline_id,
        kind_name(kind),
        page.owner.map(|o| o.to_string()).unwrap_or_default()
    );
    let who = page
        .owner
        .and_then(|o| {
            page.users
                .iter()
                .find(|(id, _)| *id == o)
                .map(|(_, n)| n.clone())
        })
        .unwrap_or_else(|| "the team".into());
    view! {
        <Frame user=page.me.clone()>
            <div class="forecast-page">
                <h1>"Forecast"</h1>
                <form class="since-pick" method="get" action="/forecast">
                    <label>
                        "Pipeline"
                        <select name="pipeline">
                            {page.pipelines.iter().map(|(id, name)| {
                                view! { <option value=id.to_string() selected=*id == page.pipeline_id>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        "By"
                        <select name="period">
                            <option value="month" selected=kind == PeriodKind::Month>"Month"</option>
                            <option value="quarter" selected=kind == PeriodKind::Quarter>"Quarter"</option>
                        </select>
                    </label>
                    <label>
                        "For"
                        <select name="owner">
                            <option value="" selected=page.owner.is_none()>"The team"</option>
                            {page.users.iter().map(|(id, name)| {
                                view! { <option value=id.to_string() selected=page.owner == Some(*id)>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">"Show"</button>
                </form>
                <p class="hint forecast-method">
                    {if empirical {
                        format!(
                            "The forecast reads how {} finished deals fared: how often deals that sat in the same stage as long were won, and how long that took, with business still to come from what the past six months brought in. The likely range holds 8 in 10 outcomes.",
                            page.history_deals
                        )
                    } else if page.history_deals < page.min_history {
                        format!(
                            "Too little history for a forecast from experience yet ({} finished deals; {} needed): the range comes from each deal's stage chance and close date.",
                            page.history_deals,
                            page.min_history
                        )
                    } else {
                        format!(
                            "Too little history for a forecast from experience yet (the log covers {} finished months; {} needed): the range comes from each deal's stage chance and close date.",
                            page.history_months,
                            page.min_months
                        )
                    }}
                </p>
                {if rows.is_empty() {
                    view! { <p class="card-panel">{format!("No open or won deals to forecast for {who} yet.")}</p> }.into_any()
                } else {
                    view! {
                        <section class="card-panel" aria-labelledby="forecast-table-title">
                            <div class="panel-head">
                                <h2 id="forecast-table-title">{format!("By {} for {who}", kind_name(kind))}</h2>
                                <a class="download" href=csv_link.clone() download>"Download CSV"</a>
                            </div>
                            <ForecastTable rows=rows.clone()/>
                        </section>
                        <div class="forecast-charts">
                            {currencies.into_iter().map(|c| {
                                let bars = range_bars(&rows, &c);
                                let summary = summary(&rows, &c);
                                view! {
                                    <section class="card-panel">
                                        <h2>{format!("In {}", c.code())}</h2>
                                        <RangeChart bars summary/>
                                    </section>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }}
                <TrackRecordPanel record=page.track_record.clone() kind team=page.owner.is_none() pipeline=page.pipeline_id/>
                {page.me.is_admin.then(|| view! { <Goals page=page.clone() reload/> })}
            </div>
        </Frame>
    }
}

/// What a chart shows, in words.
fn summary(rows: &[ForecastRow], currency: &Currency) -> String {
    rows.iter()
        .filter(|r| &r.currency == currency)
        .map(|r| {
            format!(
                "{}: won {}, forecast {} (likely {} to {}){}",
                r.period,
                money(r.won, currency),
                money(r.expected, currency),
                money(r.p10, currency),
                money(r.p90, currency),
                r.goal
                    .map(|g| format!(", goal {}", money(g, currency)))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
fn ForecastTable(rows: Vec<ForecastRow>) -> impl IntoView {
    view! {
        <WideTable label="Forecast by period" class="forecast-table" head=&["Period", "Won", "Forecast", "Likely range", "Weighted", "Commit", "Best case", "Pipeline", "Goal"]>
                    {rows.into_iter().map(|r| {
                        let c = r.currency.clone();
                        view! {
                            <tr>
                                <th scope="row">{format!("{} · {}", r.period, c.code())}</th>
                                <td class="num">{money(r.won, &c)}</td>
                                <td class="num strong">{money(r.expected, &c)}</td>
                                <td class="num">{format!("{} – {}", money(r.p10, &c), money(r.p90, &c))}</td>
                                <td class="num">{money(r.weighted, &c)}</td>
                                <td class="num">{money(r.commit, &c)}</td>
                                <td class="num">{money(r.best_case, &c)}</td>
                                <td class="num">{money(r.pipeline, &c)}</td>
                                <td class="num">{r.goal.map(|g| money(g, &c)).unwrap_or_else(|| "–".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
        </WideTable>
    }
}

/// What the team's forecast said 1, 4 and 8 weeks before each recent closed period
/// began, against what was won in it.
#[component]
fn TrackRecordPanel(
    record: TrackRecord,
    kind: PeriodKind,
    team: bool,
    pipeline: PipelineId,
) -> impl IntoView {
    let csv_link = format!(
        "/track-record.csv?pipeline={pipeline}&period={}",
        kind_name(kind)
    );
    let has_rows = team && !record.rows.is_empty();
    let body = if !team {
        view! { <p class="hint">"The track record is kept for the team's forecast: choose the team to see it."</p> }.into_any()
    } else if record.rows.is_empty() {
        view! {
            <p class="hint">{format!(
                "Tend writes the forecast down every day. Once a {} has ended, this shows what was said 1, 4 and 8 weeks before it began against what was won.",
                kind_name(kind)
            )}</p>
        }.into_any()
    } else {
        let held = record
            .leads
            .iter()
            .zip(&record.held)
            .filter(|(_, h)| h.said > 0)
            .map(|(w, h)| format!("{} of {} {} before", h.inside, h.said, weeks(*w)))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <p class="record-held">{format!("What was won fell inside the likely range: {held}.")}</p>
            <WideTable label="Track record" class="forecast-table record-table" head=&["Period", "Won", "1 week before", "4 weeks before", "8 weeks before"]>
                {record.rows.into_iter().map(|r| view! { <RecordLine r/> }).collect_view()}
            </WideTable>
        }.into_any()
    };
    view! {
        <section class="card-panel" aria-labelledby="record-title">
            <div class="panel-head">
                <h2 id="record-title">"Track record"</h2>
                {has_rows.then(|| view! { <a class="download" href=csv_link download>"Download CSV"</a> })}
            </div>
            {body}
        </section>
    }
}

fn weeks(n: i64) -> String {
    if n == 1 {
        "1 week".into()
    } else {
        format!("{n} weeks")
    }
}

#[component]
fn RecordLine(r: RecordRow) -> impl IntoView {
    let c = r.currency.clone();
    view! {
        <tr>
            <th scope="row">{format!("{} · {}", r.period, c.code())}</th>
            <td class="num strong">{money(r.won, &c)}</td>
            {r.said.into_iter().map(|s| match s {
                Some(s) => view! { <SaidCell s currency=c.clone()/> }.into_any(),
                None => view! { <td class="num said-none">"No snapshot"</td> }.into_any(),
            }).collect_view()}
        </tr>
    }
}

#[component]
fn SaidCell(s: Said, currency: Currency) -> impl IntoView {
    let c = currency;
    view! {
        <td class="num">
            <span class="said">{money(s.expected, &c)}</span>
            <span class="said-range">{format!("{} – {}", money(s.p10, &c), money(s.p90, &c))}</span>
            {if s.inside {
                view! { <span class="said-in">"✓ inside"</span> }.into_any()
            } else {
                view! { <span class="said-out">"✗ outside"</span> }.into_any()
            }}
        </td>
    }
}

/// Admins set and remove goals for the team or a rep, per period and currency.
#[component]
fn Goals(page: ForecastPage, reload: Callback<()>) -> impl IntoView {
    let pipeline = page.pipeline_id;
    let owner = RwSignal::new(String::new());
    let period = RwSignal::new(page.goal_periods.first().cloned().unwrap_or_default());
    let currency = RwSignal::new("SEK".to_string());
    let amount = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(None::<String>);
    let draft = move || GoalDraft {
        owner_id: owner.get_untracked().parse().ok(),
        period: period.get_untracked(),
        currency: currency.get_untracked(),
        amount: amount.get_untracked(),
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let goal = draft();
        spawn_local(async move {
            match save_goal(pipeline, goal.clone()).await {
                Ok(()) => {
                    error.set(None);
                    amount.set(String::new());
                    saved.set(Some(format!("Goal for {} saved.", goal.period)));
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = move |f: &'static str| field_note(error, f);
    let users = StoredValue::new(page.users.clone());
    let name_of = move |o: Option<UserId>| match o {
        None => "The team".to_string(),
        Some(id) => users.with_value(|u| {
            u.iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        }),
    };
    let kind = page.kind;
    view! {
        <section class="card-panel goals" aria-labelledby="goals-title">
            <h2 id="goals-title">"Goals"</h2>
            <form class="row" novalidate on:submit=save>
                <label>
                    "For"
                    <select on:change=move |ev| owner.set(event_target_value(&ev))>
                        <option value="">"The team"</option>
                        {page.users.iter().map(|(id, n)| view! { <option value=id.to_string()>{n.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    {if kind == PeriodKind::Month { "Month" } else { "Quarter" }}
                    <select on:change=move |ev| period.set(event_target_value(&ev))>
                        {page.goal_periods.iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "Currency"
                    <input type="text" bind:value=currency maxlength="3" size="4" autocomplete="off"/>
                </label>
                <label class="grow">
                    "Amount"
                    <input type="text" inputmode="decimal" bind:value=amount placeholder="e.g. 600000"/>
                </label>
                <div class="actions">
                    <button type="submit" class="primary">"Save goal"</button>
                </div>
            </form>
            {field("period")}
            {field("currency")}
            {field("amount")}
            {field("owner_id")}
            // A refusal that names no field (not an admin, say) is said here.
            {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| view! { <p class="field-error">{e.to_string()}</p> })}
            <p role="status" class="saved">{move || saved.get()}</p>
            {if page.goals.is_empty() {
                view! { <p class="hint">"No goals set from this period on."</p> }.into_any()
            } else {
                view! {
                    <table class="since-table">
                        <thead>
                            <tr>
                                <th scope="col">"For"</th>
                                <th scope="col">"Period"</th>
                                <th scope="col" class="num">"Goal"</th>
                                <th scope="col"><span class="sr-only">"Remove"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.goals.iter().map(|g| {
                                let period = kind.name(g.period_start);
                                let draft = GoalDraft {
                                    owner_id: g.owner_id,
                                    period: period.clone(),
                                    currency: g.currency.code().to_string(),
                                    amount: String::new(),
                                };
                                let label = format!("Remove the goal for {} in {}", name_of(g.owner_id), period);
                                view! {
                                    <tr>
                                        <td>{name_of(g.owner_id)}</td>
                                        <td>{period.clone()}</td>
                                        <td class="num">{money(g.amount, &g.currency)}</td>
                                        <td>
                                            <button type="button" class="link" aria-label=label on:click=move |_| {
                                                let draft = draft.clone();
                                                spawn_local(async move {
                                                    match remove_goal(pipeline, draft).await {
                                                        Ok(()) => reload.run(()),
                                                        Err(e) => error.set(Some(e)),
                                                    }
                                                });
                                            }>"Remove"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
