//! The leads inbox (`/leads?status=new|qualified|discarded`): every new lead waits
//! here until a rep qualifies it into a deal or discards it. New leads that have waited
//! too long are flagged, and the new leads per source show where they come from. The
//! capture page (`/leads/new`) is in `capture`; both arrive in one chunk.

pub mod capture;
mod offline;

use crate::api::leads::bulk_leads;
use crate::api::leads::{discard_lead, load_leads, qualify_lead};
use crate::domain::ids::{DealId, LeadId, PipelineId, UserId};
use crate::domain::lead::{
    keep_held, Bulk, Lead, LeadCounts, LeadStatus, LeadsPage, Qualification,
};
use crate::domain::live::LiveEvent;
use crate::domain::money::{major_text, Currency};
use crate::error::AppError;
use crate::ui::board::LiveBar;
use crate::ui::live::{self, Handlers, LiveSignals, Source};
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{days, field_note, money, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

/// `/leads` is the inbox and `/leads/new` the capture page: one chunk, two pages.
#[component]
pub fn LeadsRoutePage() -> impl IntoView {
    let path = use_location().pathname;
    move || {
        if path.get().ends_with("/new") {
            view! { <capture::CapturePage/> }.into_any()
        } else {
            view! { <LeadsInbox/> }.into_any()
        }
    }
}

#[component]
fn LeadsInbox() -> impl IntoView {
    let query = use_query_map();
    // Bumped after a bulk action: the page is read again.
    let reload = RwSignal::new(0u32);
    // What the last bulk action did: kept here, as the list is drawn afresh after it.
    let said = RwSignal::new(None::<String>);
    let status = move || (query.with(|q| q.get("status")), reload.get());
    let data = Resource::<_, PostcardCodec>::new_with_options(
        status,
        |(status, _)| load_leads(status),
        false,
    );
    view! {
        <Title text="Leads · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let query = query.with_untracked(|q| q.get("status"));
                        view! { <Inbox page query reload said/> }.into_any()
                    }
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

const TABS: [(LeadStatus, &str, &str); 3] = [
    (LeadStatus::New, "New", "/leads"),
    (
        LeadStatus::Qualified,
        "Qualified",
        "/leads?status=qualified",
    ),
    (
        LeadStatus::Discarded,
        "Discarded",
        "/leads?status=discarded",
    ),
];

/// The inbox follows every change to leads, whoever makes it (a rep, a web form, the
/// API): new leads appear, settled ones leave and the counts change, without a reload.
/// A lead the rep is in the middle of (ticked, a form open, an answer shown) stays put.
#[component]
fn Inbox(
    page: LeadsPage,
    query: Option<String>,
    reload: RwSignal<u32>,
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    let counts = RwSignal::new(page.counts);
    let leads = RwSignal::new(page.leads);
    let sources = RwSignal::new(page.sources);
    let now = RwSignal::new(page.now);
    let selected = RwSignal::new(Vec::<LeadId>::new());
    // Leads with a form open or an answer shown here.
    let held = RwSignal::new(Vec::<LeadId>::new());
    let users = StoredValue::new(page.users.clone());
    let status = page.status;
    let untouched_after = page.untouched_days;
    let reasons = StoredValue::new(page.discard_reasons.clone());
    let pipelines = StoredValue::new(page.pipelines.clone());
    // Reads answer in any order: only the last one asked for is shown.
    let asked = StoredValue::new(0u32);
    let refresh = move || {
        let n = asked.get_value() + 1;
        asked.set_value(n);
        let query = query.clone();
        spawn_local(async move {
            let Ok(fresh) = load_leads(query).await else {
                return;
            };
            // None once the page has gone (its signals with it).
            if asked.try_get_value() != Some(n) {
                return;
            }
            let keep: Vec<LeadId> = held
                .get_untracked()
                .into_iter()
                .chain(selected.get_untracked())
                .collect();
            leads.update(|shown| *shown = keep_held(shown, fresh.leads, &keep));
            counts.set(fresh.counts);
            sources.set(fresh.sources);
            now.set(fresh.now);
        });
    };
    let link = LiveSignals::new();
    live::follow(
        Source::Leads,
        page.seen,
        link,
        Handlers::changes(Callback::new(move |(_, event)| {
            if matches!(event, LiveEvent::Refetch) {
                refresh();
            }
        })),
    );
    let empty = move || leads.with(Vec::is_empty);
    view! {
        <Frame user=page.me.clone()>
            <div class="leads">
                <div class="leads-head">
                    <h1>"Leads"</h1>
                    <span class="since-links">
                        <LiveBar signals=link/>
                        <a class="download" href="/export/leads.csv" download>"Export as CSV"</a>
                        <a class="button primary" href="/leads/new">"+ New lead"</a>
                    </span>
                </div>
                <nav class="lead-tabs" aria-label="Leads by state">
                    {TABS
                        .into_iter()
                        .map(|(s, label, href)| {
                            view! {
                                <a href=href aria-current=(s == status).then_some("page")>
                                    {label}
                                    " "
                                    <span class="lead-count">{move || counts.get().of(s)}</span>
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                {move || {
                    (status == LeadStatus::New && !sources.with(Vec::is_empty))
                        .then(|| view! { <Sources sources=sources.get()/> })
                }}
                {move || {
                    empty()
                        .then(|| {
                            view! {
                                <p class="card-panel empty-leads">
                                    {match status {
                                        LeadStatus::New => "No new leads: the inbox is empty. Capture one with “+ New lead”.",
                                        LeadStatus::Qualified => "No lead has been qualified yet.",
                                        LeadStatus::Discarded => "No lead has been discarded.",
                                    }}
                                </p>
                            }
                        })
                }}
                <Show when=move || status == LeadStatus::New && !empty()>
                    <BulkBar selected reload said reasons pipelines users/>
                </Show>
                <ul class="lead-list">
                    <For
                        each=move || leads.get()
                        key=|lead| (lead.id, lead.version)
                        children=move |lead| {
                            let now = now.get_untracked();
                            view! { <LeadItem lead now untouched_after counts reasons pipelines selected held users/> }
                        }
                    />
                </ul>
            </div>
        </Frame>
    }
}

#[component]
fn Sources(sources: Vec<crate::domain::lead::SourceCount>) -> impl IntoView {
    view! {
        <section class="card-panel lead-sources" aria-labelledby="lead-sources">
            <h2 id="lead-sources">"New leads by source"</h2>
            <ul>
                {sources
                    .into_iter()
                    .map(|s| {
                        let name = s.source.unwrap_or_else(|| "No source".into());
                        view! {
                            <li>
                                <span class="source-name">{name}</span>
                                <span class="source-new">{s.new}</span>
                                <span class="source-age">{format!("oldest {}", days(s.oldest_days))}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// What became of a lead acted on here.
#[derive(Clone, Debug, PartialEq)]
enum Settled {
    Qualified(DealId),
    Discarded(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Acting {
    Qualify,
    Discard,
}

#[component]
fn LeadItem(
    lead: Lead,
    now: chrono::DateTime<chrono::Utc>,
    /// New leads untouched for this many days are flagged.
    untouched_after: i64,
    counts: RwSignal<LeadCounts>,
    reasons: StoredValue<Vec<String>>,
    pipelines: StoredValue<Vec<(PipelineId, String)>>,
    selected: RwSignal<Vec<LeadId>>,
    held: RwSignal<Vec<LeadId>>,
    users: StoredValue<Vec<(UserId, String)>>,
) -> impl IntoView {
    let settled = RwSignal::new(None::<Settled>);
    let acting = RwSignal::new(None::<Acting>);
    let lead_id = lead.id;
    // While its form is open or its answer shown, the inbox keeps this lead in place.
    Effect::new(move |_| {
        let busy = acting.get().is_some() || settled.get().is_some();
        held.update(|h| {
            h.retain(|id| *id != lead_id);
            if busy {
                h.push(lead_id);
            }
        });
    });
    let owner = lead.owner_id.and_then(|o| {
        users.with_value(|u| u.iter().find(|(id, _)| *id == o).map(|(_, n)| n.clone()))
    });
    let age = lead.age_days(now);
    let waiting = lead.is_waiting_too_long(now, untouched_after);
    let untouched = lead.untouched_days(now);
    let heading = format!("lead-{}", lead.id);
    let labelled = heading.clone();
    let when = match age {
        0 => "Came in today".to_string(),
        n => format!("Came in {} ago", days(n)),
    };
    let value = lead
        .value
        .zip(lead.currency.clone())
        .map(|(v, c)| money(v, &c));
    let is_new = lead.status == LeadStatus::New;
    let lead = StoredValue::new(lead);
    let l = lead.get_value();
    view! {
        <li class="card-panel lead" class:waiting=waiting aria-labelledby=labelled>
            <div class="lead-top">
                {is_new.then(|| view! {
                    <input
                        type="checkbox"
                        class="lead-pick"
                        aria-label=format!("Select {}", l.name)
                        prop:checked=move || selected.with(|s| s.contains(&lead_id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|id| *id != lead_id);
                                if on {
                                    s.push(lead_id);
                                }
                            });
                        }
                    />
                })}
                <h2 id=heading>{l.name.clone()}</h2>
                {l.company.clone().map(|c| view! { <span class="lead-company">{c}</span> })}
                {value.map(|v| view! { <span class="lead-value">{v}</span> })}
            </div>
            <p class="lead-meta">
                {l.source.clone().map(|s| view! { <span class="lead-source">{s}</span> })}
                {l.campaign().map(|c| view! { <span class="lead-campaign">{format!("via {c}")}</span> })}
                {l.job_title.clone().map(|t| view! { <span class="lead-title">{t}</span> })}
                {owner.map(|o| view! { <span class="lead-owner">{format!("For {o}")}</span> })}
                <span class="lead-age" class:warn=waiting>
                    {if waiting { format!("Untouched for {}", days(untouched)) } else { when }}
                </span>
            </p>
            <p class="lead-contact">
                {l.email.clone().map(|e| view! { <a href=format!("mailto:{e}")>{e.clone()}</a> })}
                {l.phone.clone().map(|p| view! { <a href=format!("tel:{}", p.replace(' ', ""))>{p.clone()}</a> })}
                {l.website.clone().map(|w| {
                    let href = if w.starts_with("https://") || w.starts_with("http://") { w.clone() } else { format!("https://{w}") };
                    view! { <a href=href rel="noopener noreferrer" target="_blank">{w.clone()}</a> }
                })}
            </p>
            {l.note.clone().map(|n| view! { <p class="lead-note">{n}</p> })}
            {match l.status {
                LeadStatus::Qualified => l.deal_id.map(|d| view! {
                    <p class="lead-done"><a href=format!("/deals/{d}")>"Open the deal"</a></p>
                }.into_any()),
                LeadStatus::Discarded => Some(view! {
                    <p class="lead-done">{format!("Discarded: {}", l.discard_reason.clone().unwrap_or_default())}</p>
                }.into_any()),
                LeadStatus::New => None,
            }}
            {is_new.then(|| view! {
                {move || match settled.get() {
                    Some(Settled::Qualified(deal)) => view! {
                        <p class="lead-done" role="status">
                            "Qualified into a deal. "
                            <a href=format!("/deals/{deal}")>"Open the deal"</a>
                        </p>
                    }.into_any(),
                    Some(Settled::Discarded(reason)) => view! {
                        <p class="lead-done" role="status">{format!("Discarded: {reason}")}</p>
                    }.into_any(),
                    None => match acting.get() {
                        None => view! {
                            <div class="lead-actions">
                                <button type="button" class="primary" on:click=move |_| acting.set(Some(Acting::Qualify))>
                                    "Qualify"
                                </button>
                                <button type="button" on:click=move |_| acting.set(Some(Acting::Discard))>
                                    "Discard"
                                </button>
                            </div>
                        }.into_any(),
                        Some(Acting::Qualify) => view! { <QualifyForm lead acting settled counts pipelines/> }.into_any(),
                        Some(Acting::Discard) => view! { <DiscardForm lead acting settled counts reasons/> }.into_any(),
                    },
                }}
            })}
        </li>
    }
}

#[component]
fn QualifyForm(
    lead: StoredValue<Lead>,
    acting: RwSignal<Option<Acting>>,
    settled: RwSignal<Option<Settled>>,
    counts: RwSignal<LeadCounts>,
    pipelines: StoredValue<Vec<(PipelineId, String)>>,
) -> impl IntoView {
    let l = lead.get_value();
    let pipeline = RwSignal::new(
        pipelines
            .with_value(|p| p.first().map(|(id, _)| id.to_string()))
            .unwrap_or_default(),
    );
    let currency = l
        .currency
        .clone()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| "SEK".into());
    let value = RwSignal::new(
        l.value
            .zip(l.currency.clone())
            .map(|(v, c)| major_text(v, &c))
            .unwrap_or_default(),
    );
    let currency = RwSignal::new(currency);
    let close = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let id = l.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        let q = Qualification {
            pipeline_id: pipeline.get_untracked().parse().ok(),
            currency: Some(currency.get_untracked()),
            expected_close: close.get_untracked().parse().ok(),
            ..Default::default()
        };
        spawn_local(async move {
            match qualify_lead(id, q, value.get_untracked()).await {
                Ok(deal) => {
                    counts.update(|c| {
                        c.new -= 1;
                        c.qualified += 1;
                    });
                    settled.set(Some(Settled::Qualified(deal)));
                }
                Err(e) => {
                    error.set(Some(e));
                    saving.set(false);
                }
            }
        });
    };
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <form class="lead-form" on:submit=submit novalidate>
            <div class="row">
                <label class="grow">
                    "Pipeline"
                    <select on:change=move |ev| pipeline.set(event_target_value(&ev))>
                        {pipelines.get_value()
                            .into_iter()
                            .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="grow">
                    "Expected close"
                    <input type="date" bind:value=close/>
                </label>
            </div>
            <div class="row">
                <label class="grow">
                    "Value"
                    <input type="text" inputmode="decimal" bind:value=value placeholder="0"/>
                </label>
                <CurrencyPicker currency/>
            </div>
            {field_note(error, "value")}
            {field_note(error, "currency")}
            {field_note(error, "expected_close")}
            {general}
            <div class="actions">
                <button type="button" on:click=move |_| acting.set(None)>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || saving.get()>"Create deal"</button>
            </div>
        </form>
    }
}

#[component]
fn DiscardForm(
    lead: StoredValue<Lead>,
    acting: RwSignal<Option<Acting>>,
    settled: RwSignal<Option<Settled>>,
    counts: RwSignal<LeadCounts>,
    reasons: StoredValue<Vec<String>>,
) -> impl IntoView {
    let reason = RwSignal::new(
        reasons
            .with_value(|r| r.first().cloned())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let id = lead.with_value(|l| l.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        spawn_local(async move {
            match discard_lead(id, reason.get_untracked()).await {
                Ok(lead) => {
                    counts.update(|c| {
                        c.new -= 1;
                        c.discarded += 1;
                    });
                    settled.set(Some(Settled::Discarded(
                        lead.discard_reason.unwrap_or_default(),
                    )));
                }
                Err(e) => {
                    error.set(Some(e));
                    saving.set(false);
                }
            }
        });
    };
    view! {
        <form class="lead-form" on:submit=submit novalidate>
            <label>
                "Why discard it?"
                <select on:change=move |ev| reason.set(event_target_value(&ev))>
                    {reasons.get_value()
                        .into_iter()
                        .map(|r| view! { <option value=r.clone()>{r.clone()}</option> })
                        .collect_view()}
                </select>
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })}
            <div class="actions">
                <button type="button" on:click=move |_| acting.set(None)>"Cancel"</button>
                <button type="submit" class="danger" disabled=move || saving.get()>"Discard lead"</button>
            </div>
        </form>
    }
}

/// Acts on the leads ticked in the list: assign, discard or qualify them all at once.
#[component]
fn BulkBar(
    selected: RwSignal<Vec<LeadId>>,
    reload: RwSignal<u32>,
    said: RwSignal<Option<String>>,
    reasons: StoredValue<Vec<String>>,
    pipelines: StoredValue<Vec<(PipelineId, String)>>,
    users: StoredValue<Vec<(UserId, String)>>,
) -> impl IntoView {
    let owner = RwSignal::new(
        users
            .with_value(|u| u.first().map(|(id, _)| id.to_string()))
            .unwrap_or_default(),
    );
    let reason = RwSignal::new(
        reasons
            .with_value(|r| r.first().cloned())
            .unwrap_or_default(),
    );
    let pipeline = RwSignal::new(
        pipelines
            .with_value(|p| p.first().map(|(id, _)| id.to_string()))
            .unwrap_or_default(),
    );
    let currency = RwSignal::new("SEK".to_string());
    let busy = RwSignal::new(false);
    let run = move |action: Bulk, done: &'static str| {
        let ids = selected.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match bulk_leads(ids, action).await {
                Ok(n) => {
                    said.set(Some(format!(
                        "{n} {} {done}.",
                        if n == 1 { "lead" } else { "leads" }
                    )));
                    selected.set(Vec::new());
                    reload.update(|n| *n += 1);
                }
                Err(e) => said.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let count = move || selected.with(Vec::len);
    view! {
        <section class="card-panel bulk-bar" aria-labelledby="bulk-title">
            <h2 id="bulk-title">
                {move || match count() {
                    0 => "Tick leads to act on several at once".to_string(),
                    1 => "1 lead ticked".to_string(),
                    n => format!("{n} leads ticked"),
                }}
            </h2>
            <p class="bulk-said" role="status">{move || said.get()}</p>
            <div class="bulk-actions">
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    if let Ok(id) = owner.get_untracked().parse() {
                        run(Bulk::Assign(id), "assigned");
                    }
                }>
                    <label>
                        "Give to"
                        <select on:change=move |ev| owner.set(event_target_value(&ev))>
                            {users.get_value().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" disabled=move || busy.get() || count() == 0>"Assign"</button>
                </form>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    run(Bulk::Discard(reason.get_untracked()), "discarded");
                }>
                    <label>
                        "Discard as"
                        <select on:change=move |ev| reason.set(event_target_value(&ev))>
                            {reasons.get_value().into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="danger" disabled=move || busy.get() || count() == 0>"Discard"</button>
                </form>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    let q = Qualification {
                        pipeline_id: pipeline.get_untracked().parse().ok(),
                        currency: Some(currency.get_untracked()),
                        ..Default::default()
                    };
                    run(Bulk::Qualify(q), "qualified into deals");
                }>
                    <label>
                        "Qualify into"
                        <select on:change=move |ev| pipeline.set(event_target_value(&ev))>
                            {pipelines.get_value().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <CurrencyPicker currency/>
                    <button type="submit" class="primary" disabled=move || busy.get() || count() == 0>"Qualify"</button>
                </form>
            </div>
        </section>
    }
}

/// "Currency": a choice of the currencies Tend keeps, starting at `currency`'s.
#[component]
pub(crate) fn CurrencyPicker(currency: RwSignal<String>) -> impl IntoView {
    view! {
        <label>
            "Currency"
            <select on:change=move |ev| currency.set(event_target_value(&ev))>
                {Currency::all()
                    .map(|c| {
                        let code = c.code().to_string();
                        let selected = code == currency.get_untracked();
                        view! { <option value=code.clone() selected=selected>{code.clone()}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
