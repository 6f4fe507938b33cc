//! The deal page: every field editable, Won / Lost / Reopen, and the history from the
//! event log.
//!
//! It is live: a change someone else saves shows at once. If the user is in the middle
//! of editing, their work is kept and the page says what the other person changed; a
//! save based on a version that is no longer current is refused by the server, and the
//! page then shows what changed and offers to apply the user's own changes on top.

use crate::api::deals::{change_deal, load_deal, DealPage as Page};
use crate::domain::deal::{Deal, DealChange, DealEdit, DealField, DealStatus, ForecastCategory};
use crate::domain::event::{DealEvent, DealEventKind};
use crate::domain::ids::{DealId, OrganizationId, PersonId, StageId};
use crate::domain::live::LiveEvent;
use crate::domain::money::{Currency, Money};
use crate::domain::pipeline::Pipeline;
use crate::error::AppError;
use crate::ui::contacts::picker::Picker;
use crate::ui::live::{follow, Handlers, LiveSignals, Source};
use crate::ui::sheets::{Sheet, DEAL};
use crate::ui::widgets::{field_note, money, Failure, Frame, Toast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let reload = RwSignal::new(0u32);
    // Outlives each reload of the deal, so "Saved." stays after the page refreshes.
    let notice = RwSignal::new(None::<String>);
    let data = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            let id: DealId = id
                .parse()
                .map_err(|_| AppError::NotFound("The deal".into()))?;
            load_deal(id).await
        },
    );
    view! {
        // Linked before the deal is read, so the styles arrive while it loads.
        <Sheet sheet=DEAL/>
        <Transition fallback=|| view! { <p class="loading">"Loading the deal…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        view! {
                            <Title text=format!("{} · Tend", page.deal.title)/>
                            <Frame user=page.me.clone()>
                                <DealView page reload notice/>
                            </Frame>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Toast message=notice/>
    }
}

#[component]
fn DealView(page: Page, reload: RwSignal<u32>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let deal = page.deal.clone();
    let error = RwSignal::new(None::<AppError>);
    let losing = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let title = RwSignal::new(deal.title.clone());
    let value = RwSignal::new(major_text(&deal));
    let currency = RwSignal::new(deal.currency.code().to_string());
    let close_date = RwSignal::new(
        deal.expected_close_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let probability = RwSignal::new(deal.probability.map(|p| p.to_string()).unwrap_or_default());
    let owner = RwSignal::new(deal.owner_id.to_string());
    let source = RwSignal::new(deal.lead_source.clone().unwrap_or_default());
    let category = RwSignal::new(
        deal.forecast_category
            .map(|c| c.name().to_string())
            .unwrap_or_default(),
    );
    // What the deal's chance stands for, when the rep sets no category.
    let by_chance = page
        .pipeline
        .stage(deal.stage_id)
        .map(|s| ForecastCategory::from_chance(deal.probability.unwrap_or(s.probability)).label())
        .unwrap_or("Pipeline");
    let (id, version) = (deal.id, deal.version);
    let base = StoredValue::new(page.clone());
    let form = Form {
        title,
        value,
        currency,
        close_date,
        probability,
        owner,
        source,
        category,
    };
    let shown = StoredValue::new(form.read());
    // Edited and not yet saved.
    let dirty = move || shown.with_value(|s| form.read() != *s);
    let saving = RwSignal::new(false);
    let conflict = RwSignal::new(None::<Conflict>);

    // Reads the deal as it now is and shows what someone else changed: at once when the
    // user has nothing unsaved, else beside their work. `mine` is a change the server
    // refused because of it, for the user to apply again.
    let changed_elsewhere = move |mine: Option<DealChange>| {
        spawn_local(async move {
            match load_deal(id).await {
                Ok(newer) if newer.deal.version == version => {
                    if mine.is_some() {
                        notice.set(Some("The change was refused; nothing was saved.".into()));
                    }
                }
                Ok(newer) => {
                    if mine.is_none() && !dirty() {
                        notice.set(Some(format!(
                            "{} changed this deal just now.",
                            latest_actor(&newer)
                        )));
                        reload.update(|n| *n += 1);
                    } else {
                        conflict.set(Some(Conflict { newer, mine }));
                    }
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };
    let act = move |change: DealChange, done: &'static str| {
        saving.set(true);
        spawn_local(async move {
            match change_deal(id, version, change.clone()).await {
                Ok(_) => {
                    error.set(None);
                    notice.set(Some(done.to_string()));
                    reload.update(|n| *n += 1);
                }
                Err(AppError::Conflict(_)) => changed_elsewhere(Some(change)),
                Err(e) => {
                    notice.set(Some(e.to_string()));
                    error.set(Some(e));
                }
            }
            saving.set(false);
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.edit() {
            Ok(edit) => {
                let edit = base.with_value(|b| edit.against(&b.deal));
                if edit.is_empty() {
                    notice.set(Some("Nothing to save: no field was changed.".into()));
                } else {
                    act(DealChange::Edit(edit), "Saved.")
                }
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let live = LiveSignals::new();
    follow(
        Source::Changes,
        page.position,
        live,
        Handlers::changes(Callback::new(move |(_, event): (i64, LiveEvent)| {
            let LiveEvent::Deal(change) = event else {
                return;
            };
            let newer = change.after.as_ref().map_or(i64::MAX, |a| a.version);
            // The answer to the user's own save reloads the page anyway.
            if change.deal_id == id && newer > version && !saving.get_untracked() {
                changed_elsewhere(None);
            }
        })),
    );
    let field = move |name: &'static str| field_note(error, name);
    let stage_name = page
        .pipeline
        .stage(deal.stage_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let status = deal.status;
    let reasons = page.lost_reasons.clone();
    let pipeline = page.pipeline.clone();
    view! {
        <nav class="crumbs"><a href=format!("/board?pipeline={}", deal.pipeline_id)>"← " {page.pipeline.name.clone()}</a></nav>
        <div class="deal-head">
            <div>
                <h1>{deal.title.clone()}</h1>
                <p class="deal-sub">
                    <span class=format!("status {}", status_class(status))>{status_text(status)}</span>
                    " · " {stage_name} " · " {money(deal.value, &deal.currency)}
                    {page.organization.clone().map(|o| view! { " · " <span>{o}</span> })}
                    {deal.lost_reason.clone().map(|r| view! { " · Lost: " <span>{r}</span> })}
                </p>
            </div>
            <div class="deal-actions">
                {match status {
                    DealStatus::Open => view! {
                        <button class="won" on:click=move |_| act(DealChange::Win, "Marked as won.")>"Won"</button>
                        <button class="lost" on:click=move |_| losing.set(true)>"Lost…"</button>
                    }.into_any(),
                    _ => view! {
                        <button on:click=move |_| act(DealChange::Reopen, "Reopened.")>"Reopen"</button>
                    }.into_any(),
                }}
            </div>
        </div>
        {move || {
            conflict
                .get()
                .map(|c| {
                    view! { <ConflictPanel conflict=c base form reload notice error open=conflict/> }
                })
        }}
        <StageBar pipeline=page.pipeline.clone() deal=deal.clone() on_move=Callback::new(move |to| act(DealChange::Move(to), "Moved."))/>
        <Show when=move || losing.get()>
            <form class="inline-lost" novalidate on:submit=move |ev| {
                ev.prevent_default();
                let r = reason.get_untracked();
                if r.trim().is_empty() {
                    error.set(Some(AppError::invalid("reason", "Choose why the deal was lost.")));
                    return;
                }
                losing.set(false);
                act(DealChange::Lose(r), "Marked as lost.");
            }>
                <label>"Reason"
                    <select on:change=move |ev| reason.set(event_target_value(&ev))>
                        <option value="">"Choose a reason…"</option>
                        {reasons.iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                    </select>
                </label>
                {field("reason")}
                <button type="submit" class="danger">"Mark as lost"</button>
                <button type="button" on:click=move |_| losing.set(false)>"Cancel"</button>
            </form>
        </Show>
        <div class="deal-grid">
            <form class="card-panel stack" on:submit=save novalidate>
                <h2>"Details"</h2>
                <label>"Title" <input type="text" bind:value=title maxlength="200"/></label>
                {field("title")}
                <div class="row">
                    <label class="grow">"Value" <input type="text" inputmode="decimal" bind:value=value/></label>
                    <label>"Currency"
                        <select on:change=move |ev| currency.set(event_target_value(&ev))>
                            {Currency::all().map(|c| {
                                let code = c.code().to_string();
                                let selected = code == currency.get_untracked();
                                view! { <option value=code.clone() selected=selected>{code.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                {field("value")}
                {field("currency")}
                <label>"Expected close date" <input type="date" bind:value=close_date/></label>
                {field("expected_close_date")}
                <label>"Probability override (%)"
                    <input type="number" min="0" max="100" bind:value=probability placeholder="stage default"/>
                </label>
                {field("probability")}
                <label>"Owner"
                    <select on:change=move |ev| owner.set(event_target_value(&ev))>
                        {page.users.iter().map(|u| {
                            let selected = u.id.to_string() == owner.get_untracked();
                            view! { <option value=u.id.to_string() selected=selected>{u.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Lead source" <input type="text" bind:value=source maxlength="60"/></label>
                {field("lead_source")}
                <label>"Forecast category"
                    <select on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="" selected=category.get_untracked().is_empty()>
                            {format!("From its chance ({by_chance})")}
                        </option>
                        {ForecastCategory::ALL.map(|c| {
                            let selected = c.name() == category.get_untracked();
                            view! { <option value=c.name() selected=selected>{c.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {field("forecast_category")}
                <div class="actions">
                    <button type="submit" class="primary">"Save"</button>
                </div>
            </form>
            <div class="stack">
                <Who
                    organization=deal.organization_id.zip(page.organization.clone())
                    person=deal.person_id.zip(page.person.clone())
                    on_change=Callback::new(move |(edit, done): (DealEdit, &'static str)| act(DealChange::Edit(edit), done))
                />
                <section class="card-panel">
                    <h2>"History"</h2>
                    <ol class="timeline">
                        {page.history.iter().rev().map(|e| view! { <HistoryItem event=e.clone() pipeline=pipeline.clone()/> }).collect_view()}
                    </ol>
                </section>
            </div>
        </div>
    }
}

/// Who the deal is with: its organization and person, each a link to their page,
/// changed by finding another (or making one) or removed.
#[component]
fn Who(
    organization: Option<(OrganizationId, String)>,
    person: Option<(PersonId, String)>,
    on_change: Callback<(DealEdit, &'static str)>,
) -> impl IntoView {
    // Which picker is open: the organization's (true) or the person's (false).
    let picking = RwSignal::new(None::<bool>);
    let line = move |orgs: bool, linked: Option<(String, String)>| {
        let what = if orgs { "organization" } else { "person" };
        let has = linked.is_some();
        let remove = move |_| {
            let edit = if orgs {
                DealEdit {
                    organization_id: Some(None),
                    ..DealEdit::default()
                }
            } else {
                DealEdit {
                    person_id: Some(None),
                    ..DealEdit::default()
                }
            };
            on_change.run((edit, "Removed."));
        };
        view! {
            <dt>{if orgs { "Organization" } else { "Person" }}</dt>
            <dd>
                {match linked {
                    Some((href, name)) => view! { <a href=href>{name}</a> }.into_any(),
                    None => view! { <span class="contact-sub">"None"</span> }.into_any(),
                }}
                <span class="who-actions">
                    <button type="button" class="link" on:click=move |_| picking.set(Some(orgs))>
                        {if has { format!("Change {what}") } else { format!("Link a {what}") }}
                    </button>
                    {has.then(|| view! {
                        <button type="button" class="link" on:click=remove>{format!("Remove {what}")}</button>
                    })}
                </span>
            </dd>
        }
    };
    let pick = move |orgs: bool| {
        Callback::new(move |(id, _): (uuid::Uuid, String)| {
            picking.set(None);
            let edit = if orgs {
                DealEdit {
                    organization_id: Some(Some(OrganizationId(id))),
                    ..DealEdit::default()
                }
            } else {
                DealEdit {
                    person_id: Some(Some(PersonId(id))),
                    ..DealEdit::default()
                }
            };
            on_change.run((edit, "Linked."));
        })
    };
    view! {
        <section class="card-panel">
            <h2>"Who"</h2>
            <dl class="who">
                {line(true, organization.map(|(id, n)| (format!("/organizations/{id}"), n)))}
                {line(false, person.map(|(id, n)| (format!("/people/{id}"), n)))}
            </dl>
            {move || picking.get().map(|orgs| view! {
                <Picker
                    organizations=orgs
                    label=if orgs { "Find an organization" } else { "Find a person" }
                    on_pick=pick(orgs)
                    on_cancel=Callback::new(move |_| picking.set(None))
                />
            })}
        </section>
    }
}

/// The pipeline as a row of steps with this deal's stage marked; a click moves it.
#[component]
fn StageBar(pipeline: Pipeline, deal: Deal, on_move: Callback<StageId>) -> impl IntoView {
    let mut stages = pipeline.stages.clone();
    stages.sort_by_key(|s| s.position);
    let here = stages
        .iter()
        .position(|s| s.id == deal.stage_id)
        .unwrap_or(0);
    let closed = deal.is_closed();
    view! {
        <ol class="stagebar" aria-label="Stage">
            {stages
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    let to = s.id;
                    let current = i == here;
                    view! {
                        <li class:passed=i < here class:current=current>
                            <button
                                type="button"
                                aria-current=current.then_some("step")
                                title=if closed { "Reopen the deal to move it" } else { "Move here" }
                                disabled=closed || current
                                on:click=move |_| on_move.run(to)
                            >
                                {s.name.clone()}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

fn major_text(deal: &Deal) -> String {
    crate::domain::money::major_text(deal.value, &deal.currency)
}

/// The details form's fields, as typed.
#[derive(Clone, Copy)]
struct Form {
    title: RwSignal<String>,
    value: RwSignal<String>,
    currency: RwSignal<String>,
    close_date: RwSignal<String>,
    probability: RwSignal<String>,
    owner: RwSignal<String>,
    source: RwSignal<String>,
    category: RwSignal<String>,
}

impl Form {
    fn read(self) -> [String; 8] {
        [
            self.title,
            self.value,
            self.currency,
            self.close_date,
            self.probability,
            self.owner,
            self.source,
            self.category,
        ]
        .map(|f| f.get_untracked())
    }

    /// The form as an edit, parsed in the browser with the same rules the server uses.
    fn edit(self) -> Result<DealEdit, AppError> {
        let parsed_currency = Currency::parse(&self.currency.get_untracked())?;
        let minor = Money::parse_major(&self.value.get_untracked(), parsed_currency)?.minor;
        let date = self.close_date.get_untracked();
        let expected_close_date = if date.trim().is_empty() {
            None
        } else {
            Some(
                date.parse()
                    .map_err(|_| AppError::invalid("expected_close_date", "must be a date"))?,
            )
        };
        let p = self.probability.get_untracked();
        let probability = if p.trim().is_empty() {
            None
        } else {
            Some(p.trim().parse::<i64>().map_err(|_| {
                AppError::invalid("probability", "must be a whole number from 0 to 100")
            })?)
        };
        Ok(DealEdit {
            title: Some(self.title.get_untracked()),
            value: Some(minor),
            currency: Some(self.currency.get_untracked()),
            expected_close_date: Some(expected_close_date),
            probability: Some(probability),
            owner_id: self.owner.get_untracked().parse().ok(),
            organization_id: None,
            person_id: None,
            lead_source: Some(Some(self.source.get_untracked())),
            forecast_category: Some(Some(self.category.get_untracked())),
        })
    }
}

/// Someone else saved the deal while this user had changes of their own.
#[derive(Clone)]
struct Conflict {
    /// The deal as it is now.
    newer: Page,
    /// The user's change the server refused, if they tried to save.
    mine: Option<DealChange>,
}

/// Who made the deal's latest change.
fn latest_actor(page: &Page) -> String {
    page.history
        .last()
        .and_then(|e| e.actor_name.clone())
        .unwrap_or_else(|| "Someone else".into())
}

/// How a deal page says what a field holds.
fn describe(field: DealField, page: &Page) -> String {
    let deal = &page.deal;
    let none = || "none".to_string();
    match field {
        DealField::Title => deal.title.clone(),
        DealField::Value => money(deal.value, &deal.currency),
        DealField::Stage => page
            .pipeline
            .stage(deal.stage_id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        DealField::Status => match &deal.lost_reason {
            Some(r) => format!("{} ({r})", status_text(deal.status)),
            None => status_text(deal.status).to_string(),
        },
        DealField::ExpectedCloseDate => deal
            .expected_close_date
            .map(|d| d.to_string())
            .unwrap_or_else(none),
        DealField::Probability => deal
            .probability
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "stage default".into()),
        DealField::Owner => page
            .users
            .iter()
            .find(|u| u.id == deal.owner_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        DealField::Organization => page.organization.clone().unwrap_or_else(none),
        DealField::Person => page.person.clone().unwrap_or_else(none),
        DealField::LeadSource => deal.lead_source.clone().unwrap_or_else(none),
        DealField::ForecastCategory => deal
            .forecast_category
            .map(|c| c.label().to_string())
            .unwrap_or_else(|| "from its chance".into()),
    }
}

fn field_name(field: DealField) -> &'static str {
    match field {
        DealField::Title => "Title",
        DealField::Value => "Value",
        DealField::Stage => "Stage",
        DealField::Status => "Status",
        DealField::ExpectedCloseDate => "Expected close date",
        DealField::Probability => "Probability",
        DealField::Owner => "Owner",
        DealField::Organization => "Organization",
        DealField::Person => "Person",
        DealField::LeadSource => "Lead source",
        DealField::ForecastCategory => "Forecast category",
    }
}

/// What someone else changed, and the user's way on: their own changes applied on top
/// of the new version, or dropped in favour of it.
#[component]
fn ConflictPanel(
    conflict: Conflict,
    base: StoredValue<Page>,
    form: Form,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    error: RwSignal<Option<AppError>>,
    open: RwSignal<Option<Conflict>>,
) -> impl IntoView {
    let newer = conflict.newer.clone();
    let fields = base.with_value(|b| b.deal.changed_fields(&newer.deal));
    let rows = base.with_value(|b| {
        fields
            .iter()
            .map(|f| (field_name(*f), describe(*f, b), describe(*f, &newer)))
            .collect::<Vec<_>>()
    });
    let who = latest_actor(&newer);
    let (id, version) = (newer.deal.id, newer.deal.version);
    let tried = conflict.mine.is_some();
    // The user's own change: what they tried to save, else what the form holds now.
    let mine = StoredValue::new(conflict.mine.clone());
    let apply_mine = move |_| {
        let change = match mine.get_value() {
            Some(c) => Some(c),
            None => match form.edit() {
                Ok(edit) => {
                    let edit = base.with_value(|b| edit.against(&b.deal));
                    (!edit.is_empty()).then_some(DealChange::Edit(edit))
                }
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            },
        };
        spawn_local(async move {
            let result = match change {
                Some(change) => change_deal(id, version, change).await.map(|_| ()),
                None => Ok(()),
            };
            match result {
                Ok(()) => {
                    open.set(None);
                    notice.set(Some("Saved: your changes on top of theirs.".into()));
                    reload.update(|n| *n += 1);
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };
    let take_theirs = move |_| {
        open.set(None);
        notice.set(Some(
            "Showing their version; your changes were dropped.".into(),
        ));
        reload.update(|n| *n += 1);
    };
    view! {
        <section class="conflict" role="alert" aria-labelledby="conflict-title">
            <h2 id="conflict-title">
                {if tried {
                    format!("Not saved: {who} changed this deal while you were editing")
                } else {
                    format!("{who} changed this deal while you were editing")
                }}
            </h2>
            <table>
                <thead>
                    <tr><th scope="col">"Field"</th><th scope="col">"Was"</th><th scope="col">"Now"</th></tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(name, was, now)| view! { <tr><th scope="row">{name}</th><td>{was}</td><td>{now}</td></tr> })
                        .collect_view()}
                </tbody>
            </table>
            <p>"Your changes are kept in the form below until you choose."</p>
            <div class="actions">
                <button type="button" class="primary" on:click=apply_mine>"Apply my changes on top"</button>
                <button type="button" on:click=take_theirs>"Discard mine"</button>
            </div>
        </section>
    }
}

pub(crate) fn status_text(s: DealStatus) -> &'static str {
    match s {
        DealStatus::Open => "Open",
        DealStatus::Won => "Won",
        DealStatus::Lost => "Lost",
    }
}

pub(crate) fn status_class(s: DealStatus) -> &'static str {
    match s {
        DealStatus::Open => "open",
        DealStatus::Won => "won",
        DealStatus::Lost => "lost",
    }
}

#[component]
fn HistoryItem(event: DealEvent, pipeline: Pipeline) -> impl IntoView {
    let stage = |id| {
        pipeline
            .stage(id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| "a stage no longer in this pipeline".into())
    };
    let text = match &event.kind {
        DealEventKind::Created {
            value,
            currency,
            stage_id,
            ..
        } => {
            format!(
                "Created in {} at {}",
                stage(*stage_id),
                money(*value, currency)
            )
        }
        DealEventKind::Moved { from, to } => {
            format!("Moved from {} to {}", stage(*from), stage(*to))
        }
        DealEventKind::Changed { changes } => format!(
            "Changed {}",
            changes
                .iter()
                .map(|c| c.field.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        DealEventKind::Won => "Won".into(),
        DealEventKind::Lost { reason } => format!("Lost: {reason}"),
        DealEventKind::Reopened => "Reopened".into(),
        DealEventKind::Deleted => "Deleted".into(),
    };
    let when = event.at.format("%Y-%m-%d %H:%M").to_string();
    view! {
        <li class=format!("event {}", event.kind.name())>
            <span class="what">{text}</span>
            <span class="who">{event.actor_name.clone().unwrap_or_else(|| "Tend".into())} " · " <time datetime=event.at.to_rfc3339()>{when}</time></span>
        </li>
    }
}
