//! Capture a lead (`/leads/new`), made for one thumb on a phone: the fields a rep has at
//! hand, the keyboards that fit them, the last source used already picked, one tap to
//! save, then a blank form for the next one.

use super::offline::{self, Queued};
use crate::api::leads::{add_to_lead, capture_lead, likely_duplicates, load_capture};
use crate::domain::card::{read_card, CardFields};
use crate::domain::ids::LeadId;
use crate::domain::lead::{CapturePage as Page, Duplicate, LeadDraft, LeadStatus};
use crate::error::AppError;
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{field_note, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use std::time::Duration;

/// How often captures kept on the phone are tried again while it seems online.
const RETRY_EVERY: Duration = Duration::from_secs(30);

#[component]
pub fn CapturePage() -> impl IntoView {
    let data = Resource::<_, PostcardCodec>::new_with_options(|| (), |_| load_capture(), false);
    view! {
        <Title text="New lead · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Capture page/> }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The form's fields, as typed.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    company: RwSignal<String>,
    job_title: RwSignal<String>,
    website: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    value: RwSignal<String>,
    note: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            name: RwSignal::new(String::new()),
            company: RwSignal::new(String::new()),
            job_title: RwSignal::new(String::new()),
            website: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
        }
    }

    fn clear(self) {
        for f in [
            self.name,
            self.company,
            self.job_title,
            self.website,
            self.email,
            self.phone,
            self.value,
            self.note,
        ] {
            f.set(String::new());
        }
    }

    /// Fills what a pasted signature or vCard says; returns the fields it filled, as
    /// people read them.
    fn fill_from(self, card: CardFields) -> Vec<&'static str> {
        let mut filled = Vec::new();
        for (value, field, label) in [
            (card.name, self.name, "name"),
            (card.job_title, self.job_title, "title"),
            (card.company, self.company, "company"),
            (card.phone, self.phone, "phone"),
            (card.email, self.email, "email"),
            (card.website, self.website, "website"),
        ] {
            if let Some(v) = value {
                field.set(v);
                filled.push(label);
            }
        }
        filled
    }
}

#[component]
fn Capture(page: Page) -> impl IntoView {
    let fields = Fields::new();
    let source = RwSignal::new(page.last_source.clone().unwrap_or_default());
    let currency = RwSignal::new(
        page.last_currency
            .as_ref()
            .map(|c| c.code().to_string())
            .unwrap_or_else(|| "SEK".into()),
    );
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    // The id is made here, so a capture sent twice is stored once.
    let id = RwSignal::new(LeadId::new());
    let name_input = NodeRef::<html::Input>::new();
    let text = |s: RwSignal<String>| Some(s.get_untracked());
    let draft = move || LeadDraft {
        id: Some(id.get_untracked()),
        name: fields.name.get_untracked(),
        company: text(fields.company),
        job_title: text(fields.job_title),
        website: text(fields.website),
        email: text(fields.email),
        phone: text(fields.phone),
        value: None,
        currency: text(currency),
        note: text(fields.note),
        source: text(source),
    };
    let duplicates = RwSignal::new(Vec::<Duplicate>::new());
    // After each saved capture the form starts afresh.
    let done = move |message: String| {
        saved.set(Some(message));
        error.set(None);
        duplicates.set(Vec::new());
        fields.clear();
        id.set(LeadId::new());
        if let Some(input) = name_input.get_untracked() {
            let _ = input.focus();
        }
    };
    // Once a field that identifies someone is left, look for them among the leads.
    let look = move |_| {
        let (name, company, email, phone) = (
            fields.name.get_untracked(),
            fields.company.get_untracked(),
            fields.email.get_untracked(),
            fields.phone.get_untracked(),
        );
        if name.trim().chars().count() < 3 && email.trim().is_empty() && phone.trim().is_empty() {
            duplicates.set(Vec::new());
            return;
        }
        spawn_local(async move {
            if let Ok(found) = likely_duplicates(name, company, email, phone).await {
                duplicates.set(found);
            }
        });
    };
    let add_to = move |lead: crate::domain::ids::LeadId, name: String| {
        saving.set(true);
        spawn_local(async move {
            match add_to_lead(lead, draft(), fields.value.get_untracked()).await {
                Ok(_) => done(format!("Added to {name}. ")),
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    // Captures kept on the phone while there was no connection, sent when it returns.
    let waiting = RwSignal::new(Vec::<Queued>::new());
    let works_offline = RwSignal::new(false);
    let sending = StoredValue::new(false);
    let send_waiting = move || {
        if sending.get_value() || waiting.with_untracked(|w| w.iter().all(|q| q.refused.is_some()))
        {
            return;
        }
        sending.set_value(true);
        spawn_local(async move {
            let mut queue = offline::queued();
            let (mut i, mut sent) = (0, Vec::new());
            while i < queue.len() {
                if queue[i].refused.is_some() {
                    i += 1;
                    continue;
                }
                match capture_lead(queue[i].draft.clone(), queue[i].value.clone()).await {
                    Ok(lead) => {
                        sent.push(lead.name);
                        queue.remove(i);
                    }
                    Err(AppError::Network(_)) => break,
                    Err(e) => {
                        queue[i].refused = Some(e.to_string());
                        i += 1;
                    }
                }
                offline::keep(&queue);
            }
            waiting.set(queue);
            if !sent.is_empty() {
                saved.set(Some(format!(
                    "Sent now that you are online: {}. ",
                    sent.join(", ")
                )));
            }
            sending.set_value(false);
        });
    };
    Effect::new(move |_| {
        waiting.set(offline::queued());
        send_waiting();
        spawn_local(async move {
            if offline::works_offline().await {
                works_offline.set(true);
                if let Some(body) = document().body() {
                    let _ = body.set_attribute("data-works-offline", "true");
                }
            }
        });
        let back_online = window_event_listener(leptos::ev::online, move |_| send_waiting());
        let retry = set_interval_with_handle(send_waiting, RETRY_EVERY).ok();
        on_cleanup(move || {
            back_online.remove();
            if let Some(r) = retry {
                r.clear();
            }
        });
    });
    // No connection: checked here by the server's own rules, then kept on the phone.
    let keep_for_later = move |draft: LeadDraft, value: String, e: AppError| {
        if let Err(refused) = draft.clone().parse(None, chrono::Utc::now()) {
            return error.set(Some(refused.into()));
        }
        let name = draft.name.trim().to_string();
        let mut queue = offline::queued();
        queue.push(Queued {
            draft,
            value,
            refused: None,
        });
        if !offline::keep(&queue) {
            return error.set(Some(e));
        }
        waiting.set(queue);
        done(format!(
            "No connection: {name} is kept on this phone and sent when you are online. "
        ));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = draft();
        let value = fields.value.get_untracked();
        saving.set(true);
        saved.set(None);
        spawn_local(async move {
            match capture_lead(draft.clone(), value.clone()).await {
                Ok(lead) => done(format!("Saved {}. ", lead.name)),
                Err(e @ AppError::Network(_)) => keep_for_later(draft, value, e),
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })
    };
    let sources = page.sources.clone();
    let pasted = RwSignal::new(String::new());
    // The fields a rep seldom has at hand wait folded, unless something fills them or
    // a refusal concerns them.
    let more = RwSignal::new(false);
    Effect::new(move |_| {
        let about_more = error.with(|e| {
            e.as_ref().is_some_and(|e| {
                ["job_title", "website", "value", "currency"]
                    .iter()
                    .any(|f| e.field(f).is_some())
            })
        });
        if about_more {
            more.set(true);
        }
    });
    let filled = RwSignal::new(None::<String>);
    let read_paste = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if text.trim().is_empty() {
            return;
        }
        let got = fields.fill_from(read_card(&text));
        if got.contains(&"title") || got.contains(&"website") {
            more.set(true);
        }
        filled.set(Some(if got.is_empty() {
            "Nothing recognised: type the details below.".to_string()
        } else {
            format!("Filled in: {}.", got.join(", "))
        }));
        pasted.set(String::new());
    };
    view! {
        <Frame user=page.me.clone()>
            <div class="capture">
                <h1>"New lead"</h1>
                {move || works_offline.get().then(|| view! {
                    <p class="capture-offline">"Works offline: a lead saved without a connection is kept on this phone and sent when it returns."</p>
                })}
                <p class="capture-saved" role="status">
                    {move || saved.get().map(|said| view! {
                        <span>{said}</span>
                        <a href="/leads">"See the inbox"</a>
                    })}
                </p>
                {move || {
                    let queue = waiting.get();
                    (!queue.is_empty()).then(|| view! { <Waiting queue waiting/> })
                }}
                <form class="capture-form" on:submit=submit novalidate>
                    <details class="paste">
                        <summary>"Paste a signature or vCard"</summary>
                        <label>
                            "Paste here to fill the fields"
                            <textarea rows="3" prop:value=move || pasted.get() on:input=read_paste
                                maxlength="5000"></textarea>
                        </label>
                        <p class="paste-result" role="status">{move || filled.get()}</p>
                    </details>
                    <label>
                        "Name"
                        <input type="text" node_ref=name_input bind:value=fields.name on:change=look required maxlength="120"
                            autocomplete="name" enterkeyhint="next" autocapitalize="words"/>
                    </label>
                    {field_note(error, "name")}
                    <label>
                        "Company"
                        <input type="text" bind:value=fields.company on:change=look maxlength="120"
                            autocomplete="organization" enterkeyhint="next"/>
                    </label>
                    {field_note(error, "company")}
                    <label>
                        "Phone"
                        <input type="tel" bind:value=fields.phone on:change=look maxlength="40" autocomplete="tel" enterkeyhint="next"/>
                    </label>
                    {field_note(error, "phone")}
                    <label>
                        "Email"
                        <input type="email" bind:value=fields.email on:change=look maxlength="254" autocomplete="email"
                            autocapitalize="off" enterkeyhint="next"/>
                    </label>
                    {field_note(error, "email")}
                    {move || {
                        let found = duplicates.get();
                        (!found.is_empty()).then(|| view! {
                            <section class="duplicates" aria-labelledby="duplicates-title">
                                <h2 id="duplicates-title">"Likely already in Tend"</h2>
                                <ul>
                                    {found.into_iter().map(|d| view! { <Likely d add_to/> }).collect_view()}
                                </ul>
                            </section>
                        })
                    }}
                    <label>
                        "Source"
                        <input type="text" bind:value=source maxlength="60"
                            placeholder="Where did you meet them?"/>
                    </label>
                    {(!sources.is_empty()).then(|| view! {
                        <div class="source-picks" role="group" aria-label="Used before">
                            {sources
                                .into_iter()
                                .take(6)
                                .map(|s| {
                                    let pick = s.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="source-pick"
                                            aria-pressed=move || (source.get() == pick).to_string()
                                            on:click={
                                                let s = s.clone();
                                                move |_| source.set(s.clone())
                                            }
                                        >
                                            {s.clone()}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    })}
                    {field_note(error, "source")}
                    <label>
                        "Note"
                        <textarea bind:value=fields.note maxlength="2000" rows="3"></textarea>
                    </label>
                    {field_note(error, "note")}
                    <details class="more" prop:open=move || more.get()>
                        <summary>"More: title, website, value"</summary>
                        <label>
                            "Title"
                            <input type="text" bind:value=fields.job_title maxlength="120"
                                autocomplete="organization-title" enterkeyhint="next"/>
                        </label>
                        {field_note(error, "job_title")}
                        <label>
                            "Website"
                            <input type="url" bind:value=fields.website maxlength="200" autocapitalize="off"
                                inputmode="url" enterkeyhint="next"/>
                        </label>
                        {field_note(error, "website")}
                        <div class="row">
                            <label class="grow">
                                "Value (optional)"
                                <input type="text" inputmode="decimal" bind:value=fields.value placeholder="0"/>
                            </label>
                            <super::CurrencyPicker currency/>
                        </div>
                        {field_note(error, "value")}
                        {field_note(error, "currency")}
                    </details>
                    {general}
                    <button type="submit" class="primary capture-save" disabled=move || saving.get()>
                        "Save lead"
                    </button>
                </form>
            </div>
        </Frame>
    }
}

/// One lead that is likely the person being captured, with what can be done about it.
/// The captures kept on this phone, each until Tend has it; one Tend refused says why
/// and can be removed.
#[component]
fn Waiting(queue: Vec<Queued>, waiting: RwSignal<Vec<Queued>>) -> impl IntoView {
    let remove = move |id| {
        let mut queue = offline::queued();
        queue.retain(|q| q.draft.id != id);
        offline::keep(&queue);
        waiting.set(queue);
    };
    view! {
        <section class="capture-queue" aria-labelledby="queue-title">
            <h2 id="queue-title">{format!("Waiting to be sent ({})", queue.len())}</h2>
            <ul>
                {queue
                    .into_iter()
                    .map(|q| {
                        let id = q.draft.id;
                        view! {
                            <li>
                                <span class="queued-name">{q.draft.name.clone()}</span>
                                {match q.refused {
                                    Some(why) => view! {
                                        <span class="field-error">{format!("Not saved: {why}")}</span>
                                        <button type="button" class="link" on:click=move |_| remove(id)>"Remove"</button>
                                    }
                                        .into_any(),
                                    None => view! { <span class="queued-note">"sent when you are online"</span> }.into_any(),
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Likely(
    d: Duplicate,
    add_to: impl Fn(crate::domain::ids::LeadId, String) + Copy + 'static,
) -> impl IntoView {
    let lead = d.lead;
    let who = match &lead.company {
        Some(c) => format!("{} · {c}", lead.name),
        None => lead.name.clone(),
    };
    let state = match lead.status {
        LeadStatus::New => "a new lead",
        LeadStatus::Qualified => "qualified into a deal",
        LeadStatus::Discarded => "a discarded lead",
    };
    let (id, name) = (lead.id, lead.name.clone());
    view! {
        <li>
            <p><strong>{who}</strong>{format!(": {state}, with {}.", d.why.label())}</p>
            {match (lead.status, lead.deal_id) {
                (LeadStatus::New, _) => Some(view! {
                    <button type="button" on:click=move |_| add_to(id, name.clone())>
                        {format!("Add to {}", lead.name)}
                    </button>
                }.into_any()),
                (LeadStatus::Qualified, Some(deal)) => Some(view! {
                    <a href=format!("/deals/{deal}")>"Open their deal"</a>
                }.into_any()),
                _ => None,
            }}
        </li>
    }
}
