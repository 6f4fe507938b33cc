//! People and organizations: the lists with search (`/people`, `/organizations`), each
//! one's page (`/people/{id}`, `/organizations/{id}`), likely duplicates (`/duplicates`)
//! and importing a CSV file (`/import`). All arrive in one chunk; the picker that links
//! a person or an organization is shared with the deal page.

mod duplicates;
mod import;
mod pages;
pub mod picker;

use crate::api::contacts::{create_organization, create_person, load_contacts, LIST_MAX};
use crate::domain::contact::{
    ContactEvent, ContactEventKind, DealLine, LeadLine, OrganizationDraft, PersonDraft,
};
use crate::domain::lead::LeadStatus;
use crate::error::AppError;
use crate::ui::deal::{status_class, status_text};
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{field_note, money, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// Which page of the chunk the address asks for.
#[component]
pub fn ContactsRoutePage() -> impl IntoView {
    let path = use_location().pathname;
    move || {
        let path = path.get();
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["people"] => view! { <ContactList organizations=false/> }.into_any(),
            ["organizations"] => view! { <ContactList organizations=true/> }.into_any(),
            ["people", id] => view! { <pages::PersonView id=id.to_string()/> }.into_any(),
            ["organizations", id] => {
                view! { <pages::OrganizationView id=id.to_string()/> }.into_any()
            }
            ["import"] => view! { <import::ImportPage/> }.into_any(),
            _ => view! { <duplicates::DuplicatesPage/> }.into_any(),
        }
    }
}

/// The tabs over both lists.
#[component]
fn Tabs(organizations: bool) -> impl IntoView {
    view! {
        <nav class="lead-tabs" aria-label="People or organizations">
            <a href="/people" aria-current=(!organizations).then_some("page")>"People"</a>
            <a href="/organizations" aria-current=organizations.then_some("page")>"Organizations"</a>
        </nav>
    }
}

#[component]
fn ContactList(organizations: bool) -> impl IntoView {
    let query = use_query_map();
    let search = move || query.with(|q| q.get("q"));
    let data = Resource::<_, PostcardCodec>::new_with_options(
        search,
        move |q| load_contacts(organizations, q),
        false,
    );
    let (title, what) = if organizations {
        ("Organizations", "organizations")
    } else {
        ("People", "people")
    };
    view! {
        <Title text=format!("{title} · Tend")/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => {
                        let count = list.people.len().max(list.organizations.len());
                        let cut = count as i64 >= LIST_MAX;
                        let searched = search().unwrap_or_default();
                        let typed = searched.clone();
                        view! {
                            <Frame user=list.me.clone()>
                                <div class="contacts">
                                    <div class="leads-head">
                                        <h1>{title}</h1>
                                        <span class="since-links">
                                            <a class="download" href=format!("/export/{what}.csv") download>"Export as CSV"</a>
                                            <a class="button" href="/import">"Import"</a>
                                            <a class="button" href="/duplicates">"Likely duplicates"</a>
                                        </span>
                                    </div>
                                    <Tabs organizations/>
                                    <div class="contact-tools">
                                        <Form method="GET" action=if organizations { "/organizations" } else { "/people" }>
                                            <div class="contact-search" role="search">
                                                <label>
                                                    {format!("Search {what}")}
                                                    <input type="search" name="q" value=typed maxlength="100"/>
                                                </label>
                                                <button type="submit">"Search"</button>
                                            </div>
                                        </Form>
                                        <NewContact organizations/>
                                    </div>
                                    {(count == 0)
                                        .then(|| {
                                            let text = if searched.is_empty() {
                                                format!("No {what} yet. Qualifying a lead adds them, or add one with “New”.")
                                            } else {
                                                format!("No {what} match “{searched}”.")
                                            };
                                            view! { <p class="card-panel empty-leads">{text}</p> }
                                        })}
                                    {if organizations {
                                        view! { <OrganizationRows rows=list.organizations/> }.into_any()
                                    } else {
                                        view! { <PeopleRows rows=list.people/> }.into_any()
                                    }}
                                    {cut.then(|| view! {
                                        <p class="record-held">{format!("The first {LIST_MAX} by name; search to find others.")}</p>
                                    })}
                                </div>
                            </Frame>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PeopleRows(rows: Vec<crate::domain::contact::PersonRow>) -> impl IntoView {
    view! {
        <ul class="contact-list" aria-label="People">
            {rows
                .into_iter()
                .map(|r| {
                    let p = r.person;
                    view! {
                        <li class="contact-row">
                            <span class="contact-who">
                                <a class="contact-name" href=format!("/people/{}", p.id)>{p.name.clone()}</a>
                                {p.job_title.clone().map(|t| view! { <span class="contact-sub">{t}</span> })}
                            </span>
                            <span class="contact-org">
                                {p.organization_id.zip(r.organization).map(|(id, name)| view! {
                                    <a href=format!("/organizations/{id}")>{name}</a>
                                })}
                            </span>
                            <ContactLinks email=p.email.clone() phone=p.phone.clone()/>
                            <span class="contact-count">{open_deals(r.open_deals)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn OrganizationRows(rows: Vec<crate::domain::contact::OrganizationRow>) -> impl IntoView {
    view! {
        <ul class="contact-list" aria-label="Organizations">
            {rows
                .into_iter()
                .map(|r| {
                    let o = r.organization;
                    let people = match r.people {
                        1 => "1 person".to_string(),
                        n => format!("{n} people"),
                    };
                    view! {
                        <li class="contact-row">
                            <span class="contact-who">
                                <a class="contact-name" href=format!("/organizations/{}", o.id)>{o.name.clone()}</a>
                            </span>
                            <span class="contact-org">{people}</span>
                            <span class="lead-contact">{o.website.clone().map(website_link)}</span>
                            <span class="contact-count">{open_deals(r.open_deals)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

fn open_deals(n: i64) -> String {
    match n {
        0 => String::new(),
        1 => "1 open deal".into(),
        n => format!("{n} open deals"),
    }
}

/// Email and phone as links that write or call.
#[component]
pub(crate) fn ContactLinks(email: Option<String>, phone: Option<String>) -> impl IntoView {
    view! {
        <span class="lead-contact">
            {email.map(|e| view! { <a href=format!("mailto:{e}")>{e.clone()}</a> })}
            {phone.map(|p| {
                let dial: String = p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                view! { <a href=format!("tel:{dial}")>{p.clone()}</a> }
            })}
        </span>
    }
}

/// A website as a link that opens it (always over http or https).
pub(crate) fn website_link(site: String) -> impl IntoView {
    let href = if site.starts_with("http://") || site.starts_with("https://") {
        site.clone()
    } else {
        format!("https://{site}")
    };
    view! { <a href=href rel="noopener noreferrer" target="_blank">{site}</a> }
}

/// "+ New person" (or organization): a short form that opens in place; the new
/// record's page opens when it is saved.
#[component]
fn NewContact(organizations: bool) -> impl IntoView {
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let second = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let navigate = use_navigate();
    let blank = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        spawn_local(async move {
            let made = if organizations {
                let draft = OrganizationDraft {
                    id: None,
                    name: name.get_untracked(),
                    website: blank(second),
                };
                create_organization(draft)
                    .await
                    .map(|o| format!("/organizations/{}", o.id))
            } else {
                let draft = PersonDraft {
                    name: name.get_untracked(),
                    job_title: blank(second),
                    email: blank(email),
                    phone: blank(phone),
                    organization: blank(company),
                    ..PersonDraft::default()
                };
                create_person(draft)
                    .await
                    .map(|p| format!("/people/{}", p.id))
            };
            match made {
                Ok(href) => navigate(&href, Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = move |name: &'static str| field_note(error, name);
    view! {
        <Show
            when=move || open.get()
            fallback=move || view! {
                <button type="button" class="primary" on:click=move |_| open.set(true)>
                    {if organizations { "+ New organization" } else { "+ New person" }}
                </button>
            }
        >
            <form class="card-panel new-contact" novalidate on:submit=save.clone()>
                <h2>{if organizations { "New organization" } else { "New person" }}</h2>
                <label>"Name" <input type="text" required maxlength="120" bind:value=name/></label>
                {field("name")}
                {if organizations {
                    view! {
                        <label>"Website" <input type="url" maxlength="200" bind:value=second placeholder="www.example.se"/></label>
                        {field("website")}
                    }
                        .into_any()
                } else {
                    view! {
                        <label>"Job title" <input type="text" maxlength="120" bind:value=second/></label>
                        {field("job_title")}
                        <label>"Organization" <input type="text" maxlength="120" bind:value=company/></label>
                        {field("organization")}
                        <label>"Email" <input type="email" maxlength="254" bind:value=email/></label>
                        {field("email")}
                        <label>"Phone" <input type="tel" maxlength="40" bind:value=phone/></label>
                        {field("phone")}
                    }
                        .into_any()
                }}
                <div class="actions">
                    <button type="submit" class="primary">"Save"</button>
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
}

/// A person's or organization's deals, open ones first.
#[component]
fn DealLines(deals: Vec<DealLine>, with_person: bool) -> impl IntoView {
    if deals.is_empty() {
        return view! { <p class="record-held">"No deals yet."</p> }.into_any();
    }
    view! {
        <ul class="contact-deals">
            {deals
                .into_iter()
                .map(|d| {
                    view! {
                        <li>
                            <a href=format!("/deals/{}", d.id)>{d.title.clone()}</a>
                            <span class=format!("status {}", status_class(d.status))>{status_text(d.status)}</span>
                            <span class="contact-sub">
                                {d.stage.clone()} " · " {money(d.value, &d.currency)}
                                {d.person.clone().filter(|_| with_person).map(|p| format!(" · {p}"))}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
        .into_any()
}

/// Leads that became (or carry) this person or organization.
#[component]
fn LeadLines(leads: Vec<LeadLine>) -> impl IntoView {
    if leads.is_empty() {
        return view! { <p class="record-held">"No leads."</p> }.into_any();
    }
    view! {
        <ul class="contact-deals">
            {leads
                .into_iter()
                .map(|l| {
                    let state = match l.status {
                        LeadStatus::New => "New",
                        LeadStatus::Qualified => "Qualified",
                        LeadStatus::Discarded => "Discarded",
                    };
                    view! {
                        <li>
                            <span>{l.name.clone()}</span>
                            <span class="contact-sub">
                                {state} {l.source.clone().map(|s| format!(" · {s}"))} " · "
                                {l.created_at.format("%Y-%m-%d").to_string()}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The log, newest first.
#[component]
fn ContactHistory(history: Vec<ContactEvent>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {history
                .into_iter()
                .rev()
                .map(|e| {
                    let fields = |changes: &[crate::domain::event::FieldChange]| {
                        changes.iter().map(|c| c.field.replace('_', " ")).collect::<Vec<_>>().join(", ")
                    };
                    let text = match &e.kind {
                        ContactEventKind::Created { name } => format!("Created as {name}"),
                        ContactEventKind::Changed { changes } => format!("Changed {}", fields(changes)),
                        ContactEventKind::Absorbed { name, filled, .. } if filled.is_empty() => {
                            format!("Merged with {name}")
                        }
                        ContactEventKind::Absorbed { name, filled, .. } => {
                            format!("Merged with {name}, which gave its {}", fields(filled))
                        }
                        ContactEventKind::MergedInto { name, .. } => format!("Merged into {name}"),
                    };
                    let when = e.at.format("%Y-%m-%d %H:%M").to_string();
                    view! {
                        <li class=format!("event {}", e.kind.name())>
                            <span class="what">{text}</span>
                            <span class="who">
                                {e.actor_name.clone().unwrap_or_else(|| "Tend".into())} " · "
                                <time datetime=e.at.to_rfc3339()>{when}</time>
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
