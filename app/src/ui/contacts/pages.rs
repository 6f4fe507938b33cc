//! A person's page and an organization's page: the details to edit, their deals and
//! leads, the people at an organization, and the log.

use super::picker::Picker;
use super::{website_link, ContactHistory, ContactLinks, DealLines, LeadLines};
use crate::api::contacts::{change_organization, change_person, load_organization, load_person};
use crate::domain::contact::{OrganizationPage, OrganizationPatch, PersonPage, PersonPatch};
use crate::domain::ids::{OrganizationId, PersonId};
use crate::error::AppError;
use crate::ui::sheets::{Sheet, DEAL, PAGES};
use crate::ui::widgets::{field_note, Failure, Frame, Toast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// Text typed into a field: blank clears it.
fn typed(s: RwSignal<String>) -> Option<String> {
    Some(s.get_untracked()).filter(|v| !v.trim().is_empty())
}

#[component]
pub fn PersonView(id: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let data = Resource::new(
        move || (id.clone(), reload.get()),
        |(id, _)| async move {
            let id: PersonId = id
                .parse()
                .map_err(|_| AppError::NotFound("The person".into()))?;
            load_person(id).await
        },
    );
    view! {
        <Sheet sheet=PAGES/>
        <Sheet sheet=DEAL/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((me, page)) => view! {
                        <Title text=format!("{} · Tend", page.person.name)/>
                        <Frame user=me><Person page reload notice/></Frame>
                    }
                        .into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Toast message=notice/>
    }
}

#[component]
fn Person(
    page: PersonPage,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let p = page.person.clone();
    let id = p.id;
    let version = p.version;
    let name = RwSignal::new(p.name.clone());
    let title = RwSignal::new(p.job_title.clone().unwrap_or_default());
    let email = RwSignal::new(p.email.clone().unwrap_or_default());
    let phone = RwSignal::new(p.phone.clone().unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let picking = RwSignal::new(false);
    let send = move |patch: PersonPatch, done: &'static str| {
        spawn_local(async move {
            match change_person(id, patch).await {
                Ok(_) => {
                    error.set(None);
                    notice.set(Some(done.into()));
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    notice.set(Some(e.to_string()));
                    error.set(Some(e));
                }
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let patch = PersonPatch {
            version: Some(version),
            name: Some(name.get_untracked()),
            job_title: Some(typed(title)),
            email: Some(typed(email)),
            phone: Some(typed(phone)),
            organization_id: None,
        };
        send(patch, "Saved.");
    };
    let link = move |org: Option<OrganizationId>, done: &'static str| {
        let patch = PersonPatch {
            version: Some(version),
            organization_id: Some(org),
            ..PersonPatch::default()
        };
        send(patch, done);
    };
    let field = move |name: &'static str| field_note(error, name);
    let org = page.organization.clone();
    let has_org = org.is_some();
    view! {
        <nav class="crumbs"><a href="/people">"← People"</a></nav>
        <div class="deal-head">
            <div>
                <h1>{p.name.clone()}</h1>
                <p class="deal-sub">
                    {p.job_title.clone()}
                    {org.clone().map(|o| view! {
                        {p.job_title.is_some().then_some(" at ")}
                        <a href=format!("/organizations/{}", o.id)>{o.name}</a>
                    })}
                </p>
                <ContactLinks email=p.email.clone() phone=p.phone.clone()/>
            </div>
        </div>
        <div class="deal-grid">
            <div class="stack">
                <form class="card-panel stack" novalidate on:submit=save>
                    <h2>"Details"</h2>
                    <label>"Name" <input type="text" maxlength="120" bind:value=name/></label>
                    {field("name")}
                    <label>"Job title" <input type="text" maxlength="120" bind:value=title/></label>
                    {field("job_title")}
                    <label>"Email" <input type="email" maxlength="254" bind:value=email/></label>
                    {field("email")}
                    <label>"Phone" <input type="tel" maxlength="40" bind:value=phone/></label>
                    {field("phone")}
                    <div class="actions"><button type="submit" class="primary">"Save"</button></div>
                </form>
                <section class="card-panel stack">
                    <h2>"Organization"</h2>
                    {match org.clone() {
                        Some(o) => view! {
                            <p class="contact-at">
                                <a href=format!("/organizations/{}", o.id)>{o.name}</a>
                                {o.website.map(|w| view! { <span class="contact-sub">{w}</span> })}
                            </p>
                        }
                            .into_any(),
                        None => view! { <p class="record-held">"Not linked to an organization."</p> }.into_any(),
                    }}
                    <Show
                        when=move || picking.get()
                        fallback=move || view! {
                            <div class="actions">
                                <button type="button" on:click=move |_| picking.set(true)>
                                    {if has_org { "Change organization" } else { "Link an organization" }}
                                </button>
                                {has_org.then(|| view! {
                                    <button type="button" class="link" on:click=move |_| link(None, "Organization removed.")>"Remove"</button>
                                })}
                            </div>
                        }
                    >
                        <Picker
                            organizations=true
                            label="Find an organization"
                            on_pick=Callback::new(move |(org, _): (uuid::Uuid, String)| {
                                picking.set(false);
                                link(Some(OrganizationId(org)), "Organization linked.");
                            })
                            on_cancel=Callback::new(move |_| picking.set(false))
                        />
                    </Show>
                    {field("organization_id")}
                </section>
            </div>
            <div class="stack">
                <section class="card-panel">
                    <h2>{format!("Deals ({})", page.deals.len())}</h2>
                    <DealLines deals=page.deals.clone() with_person=false/>
                </section>
                <section class="card-panel">
                    <h2>"Leads"</h2>
                    <LeadLines leads=page.leads.clone()/>
                </section>
                <section class="card-panel">
                    <h2>"History"</h2>
                    <ContactHistory history=page.history.clone()/>
                </section>
            </div>
        </div>
    }
}

#[component]
pub fn OrganizationView(id: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let data = Resource::new(
        move || (id.clone(), reload.get()),
        |(id, _)| async move {
            let id: OrganizationId = id
                .parse()
                .map_err(|_| AppError::NotFound("The organization".into()))?;
            load_organization(id).await
        },
    );
    view! {
        <Sheet sheet=PAGES/>
        <Sheet sheet=DEAL/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((me, page)) => view! {
                        <Title text=format!("{} · Tend", page.organization.name)/>
                        <Frame user=me><Organization page reload notice/></Frame>
                    }
                        .into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Toast message=notice/>
    }
}

#[component]
fn Organization(
    page: OrganizationPage,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let o = page.organization.clone();
    let id = o.id;
    let version = o.version;
    let name = RwSignal::new(o.name.clone());
    let website = RwSignal::new(o.website.clone().unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let patch = OrganizationPatch {
            version: Some(version),
            name: Some(name.get_untracked()),
            website: Some(typed(website)),
        };
        spawn_local(async move {
            match change_organization(id, patch).await {
                Ok(_) => {
                    error.set(None);
                    notice.set(Some("Saved.".into()));
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    notice.set(Some(e.to_string()));
                    error.set(Some(e));
                }
            }
        });
    };
    let field = move |name: &'static str| field_note(error, name);
    view! {
        <nav class="crumbs"><a href="/organizations">"← Organizations"</a></nav>
        <div class="deal-head">
            <div>
                <h1>{o.name.clone()}</h1>
                <p class="deal-sub">{o.website.clone().map(website_link)}</p>
            </div>
        </div>
        <div class="deal-grid">
            <div class="stack">
                <form class="card-panel stack" novalidate on:submit=save>
                    <h2>"Details"</h2>
                    <label>"Name" <input type="text" maxlength="120" bind:value=name/></label>
                    {field("name")}
                    <label>"Website" <input type="url" maxlength="200" bind:value=website/></label>
                    {field("website")}
                    <div class="actions"><button type="submit" class="primary">"Save"</button></div>
                </form>
                <section class="card-panel">
                    <h2>{format!("People ({})", page.people.len())}</h2>
                    {page.people.is_empty().then(|| view! { <p class="record-held">"No one here yet."</p> })}
                    <ul class="contact-deals">
                        {page
                            .people
                            .iter()
                            .map(|p| view! {
                                <li>
                                    <a href=format!("/people/{}", p.id)>{p.name.clone()}</a>
                                    {p.job_title.clone().map(|t| view! { <span class="contact-sub">{t}</span> })}
                                    <ContactLinks email=p.email.clone() phone=p.phone.clone()/>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                </section>
            </div>
            <div class="stack">
                <section class="card-panel">
                    <h2>{format!("Deals ({})", page.deals.len())}</h2>
                    <DealLines deals=page.deals.clone() with_person=true/>
                </section>
                <section class="card-panel">
                    <h2>"Leads"</h2>
                    <LeadLines leads=page.leads.clone()/>
                </section>
                <section class="card-panel">
                    <h2>"History"</h2>
                    <ContactHistory history=page.history.clone()/>
                </section>
            </div>
        </div>
    }
}
