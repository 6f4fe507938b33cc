//! The board as of a day (`/as-of?day=YYYY-MM-DD&pipeline=`): read-only, rebuilt from
//! the log, each stage with its count, value and weighted value as they stood at the
//! end of that day (UTC), and its deals as they were. The board is the domain's
//! (`domain::history::board_then`); this page only shows it.

use crate::api::history::load_as_of;
use crate::domain::history::{AsOfPage, CardThen, StageThen, CARDS_LISTED};
use crate::domain::ids::PipelineId;
use crate::domain::money::{Currency, Totals};
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{money, totals, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

#[component]
pub fn AsOfRoutePage() -> impl IntoView {
    let query = use_query_map();
    let source = move || {
        query.with(|q| {
            (
                q.get("pipeline").and_then(|p| p.parse::<PipelineId>().ok()),
                q.get("day").filter(|s| !s.is_empty()),
            )
        })
    };
    let data = Resource::<_, PostcardCodec>::new_with_options(
        source,
        |(pipeline, day)| load_as_of(pipeline, day),
        false,
    );
    view! {
        <Title text="The board as of a day · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <AsOf page/> }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn sums(by: &BTreeMap<Currency, i64>) -> Totals {
    Totals(
        by.iter()
            .map(|(c, v)| (c.clone(), i128::from(*v)))
            .collect(),
    )
}

#[component]
fn AsOf(page: AsOfPage) -> impl IntoView {
    let day = page.board.as_of;
    let columns: Vec<((String, StageThen), Vec<CardThen>)> = page
        .stages
        .iter()
        .map(|(_, name)| name.clone())
        .zip(page.board.stages.clone())
        .zip(page.cards.clone())
        .collect();
    view! {
        <Frame user=page.me.clone()>
            <div class="as-of">
                <h1>{format!("The board as of {day}")}</h1>
                <form class="since-pick" method="get" action="/as-of">
                    <label>
                        "Day"
                        <input type="date" name="day" value=day.to_string() max=page.today.to_string() required/>
                    </label>
                    <label>
                        "Pipeline"
                        <select name="pipeline">
                            {page.pipelines.iter().map(|(id, name)| {
                                view! { <option value=id.to_string() selected=*id == page.pipeline_id>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">"Show"</button>
                </form>
                <p class="hint">
                    {format!("Read-only: the open deals as they stood at the end of {day} (UTC), rebuilt from the log. Titles and values are as they were then.")}
                </p>
                <p>
                    <a class="download" href=format!("/as-of.csv?day={day}&pipeline={}", page.pipeline_id) download>"Download CSV"</a>
                </p>
                <div class="as-of-board">
                    {columns.into_iter().enumerate().map(|(i, ((name, column), cards))| {
                        let id = format!("as-of-{i}");
                        let labelled = id.clone();
                        let more = (column.count as usize).saturating_sub(cards.len());
                        view! {
                            <section class="card-panel as-of-column" aria-labelledby=labelled>
                                <h2 id=id>{name} <span class="since-count">{column.count}</span></h2>
                                <dl class="as-of-sums">
                                    <dt>"Value"</dt>
                                    <dd>{totals(&sums(&column.value_by_currency))}</dd>
                                    <dt>"Weighted"</dt>
                                    <dd>{totals(&sums(&column.weighted_by_currency))}</dd>
                                </dl>
                                {if cards.is_empty() {
                                    view! { <p class="hint">"No open deals."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="as-of-cards">
                                            {cards.into_iter().map(|c| view! {
                                                <li>
                                                    <a href=format!("/deals/{}", c.deal_id)>{c.title}</a>
                                                    <span class="num">{money(c.value, &c.currency)}</span>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                {(more > 0).then(|| view! {
                                    <p class="hint">{format!("and {more} more (the {CARDS_LISTED} largest are listed)")}</p>
                                })}
                            </section>
                        }
                    }).collect_view()}
                </div>
            </div>
        </Frame>
    }
}
