//! "Since last meeting" (`/since?since=YYYY-MM-DD&pipeline=`): the page a sales meeting
//! walks through. Every deal added, moved forward, moved back, won, lost, or whose value
//! or close date changed since a day, with each group's count and total. The groups are
//! the domain's (`domain::history`); this page only shows them.

pub mod as_of;

use crate::api::history::load_since;
use crate::domain::history::{groups, total, weekday_name, ChangedDeal, SincePage};
use crate::domain::ids::{PipelineId, StageId};
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{money, totals, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SinceMeetingPage() -> impl IntoView {
    let query = use_query_map();
    let source = move || {
        query.with(|q| {
            (
                q.get("pipeline").and_then(|p| p.parse::<PipelineId>().ok()),
                q.get("since").filter(|s| !s.is_empty()),
            )
        })
    };
    let data = Resource::<_, PostcardCodec>::new_with_options(
        source,
        |(pipeline, since)| load_since(pipeline, since),
        false,
    );
    view! {
        <Title text="Since last meeting · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Since page/> }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Since(page: SincePage) -> impl IntoView {
    let stages = StoredValue::new(page.stages.clone());
    let stage_name = move |id: Option<StageId>| {
        id.and_then(|id| {
            stages.with_value(|all| all.iter().find(|(s, _)| *s == id).map(|(_, n)| n.clone()))
        })
        .unwrap_or_else(|| "a removed stage".into())
    };
    let pipeline_id = page.pipeline_id;
    let since = page.since.to_string();
    let pipelines = page.pipelines.clone();
    view! {
        <Frame user=page.me.clone()>
            <div class="since">
                <h1>"Since last meeting"</h1>
                <form class="since-pick" method="get" action="/since">
                    <label>
                        "Since"
                        <input type="date" name="since" value=since.clone() max=page.today.to_string() required/>
                    </label>
                    <label>
                        "Pipeline"
                        <select name="pipeline">
                            {pipelines
                                .into_iter()
                                .map(|(id, name)| {
                                    view! { <option value=id.to_string() selected=id == pipeline_id>{name}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit">"Show"</button>
                </form>
                <p class="hint">
                    {match page.meeting_weekday {
                        Some(day) => format!("The team meets on {}s: without a day picked, this looks back to the last meeting.", weekday_name(day)),
                        None => "Without a day picked, this looks back a week. An admin can set the team's meeting day on the Pipelines page.".to_string(),
                    }}
                </p>
                <p class="since-links">
                    <a href=format!("/as-of?day={since}&pipeline={pipeline_id}")>
                        {format!("See the board as it stood on {since}")}
                    </a>
                    <a class="download" href=format!("/since.csv?since={since}&pipeline={pipeline_id}") download>
                        "Download CSV"
                    </a>
                </p>
                {groups(&page.changes)
                    .into_iter()
                    .enumerate()
                    .map(|(i, (title, deals))| {
                        view! { <Group id=format!("group-{i}") title deals=deals.to_vec() stage_name/> }
                    })
                    .collect_view()}
            </div>
        </Frame>
    }
}

#[component]
fn Group(
    id: String,
    title: &'static str,
    deals: Vec<ChangedDeal>,
    stage_name: impl Fn(Option<StageId>) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let sum = total(&deals);
    let count = deals.len();
    let moves = deals.iter().any(|d| d.from_stage_id.is_some());
    let labelled = id.clone();
    view! {
        <section class="card-panel since-group" aria-labelledby=labelled>
            <h2 id=id>
                {title} <span class="since-count">{count}</span>
                <span class="since-total">{totals(&sum)}</span>
            </h2>
            {if deals.is_empty() {
                view! { <p class="hint">"None."</p> }.into_any()
            } else {
                view! {
                    <table class="since-table">
                        <thead>
                            <tr>
                                <th scope="col">"Deal"</th>
                                {moves.then(|| view! { <th scope="col">"From → to"</th> })}
                                <th scope="col" class="num">"Value"</th>
                                <th scope="col">"When"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {deals
                                .into_iter()
                                .map(|d| {
                                    view! {
                                        <tr>
                                            <td><a href=format!("/deals/{}", d.deal_id)>{d.title.clone()}</a></td>
                                            {moves.then(|| view! {
                                                <td>{stage_name(d.from_stage_id)} " → " {stage_name(d.to_stage_id)}</td>
                                            })}
                                            <td class="num">{money(d.value, &d.currency)}</td>
                                            <td>{d.at.format("%Y-%m-%d").to_string()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}
