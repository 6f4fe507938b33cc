//! Likely duplicates across the database (`/duplicates`): pairs of people and of
//! organizations that look like one, each with why, and a merge that keeps the one
//! chosen. A merge asks once more before it is made: it cannot be undone.

use super::ContactLinks;
use crate::api::contacts::{load_duplicates, merge};
use crate::domain::contact::{Duplicates, OrganizationPair, PeoplePair};
use crate::domain::duplicate::Alike;
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{Failure, Frame, Toast};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use uuid::Uuid;

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let data = Resource::<_, PostcardCodec>::new_with_options(
        move || reload.get(),
        |_| load_duplicates(),
        false,
    );
    view! {
        <Title text="Likely duplicates · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Looking for duplicates…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((me, found)) => view! {
                        <Frame user=me><Found found reload notice/></Frame>
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
fn Found(
    found: Duplicates,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let people = found.people.len();
    let orgs = found.organizations.len();
    view! {
        <div class="contacts">
            <nav class="crumbs"><a href="/people">"← People"</a></nav>
            <h1>"Likely duplicates"</h1>
            <p class="record-held">
                "People with the same email or phone number, or a very similar name that no email, phone or \
                 organization tells apart; organizations with the same website or nearly the same name. \
                 Merging keeps the one you choose: the other's deals (and an organization's people) move \
                 to it, it takes the details only the other has, and both logs say so."
            </p>
            <section>
                <h2>{format!("People ({people})")}</h2>
                {(people == 0).then(|| view! { <p class="card-panel empty-leads">"No likely duplicates among people."</p> })}
                <ul class="dup-list">
                    {found.people.into_iter().map(|pair| view! { <PersonPair pair reload notice/> }).collect_view()}
                </ul>
            </section>
            <section>
                <h2>{format!("Organizations ({orgs})")}</h2>
                {(orgs == 0).then(|| view! { <p class="card-panel empty-leads">"No likely duplicates among organizations."</p> })}
                <ul class="dup-list">
                    {found.organizations.into_iter().map(|pair| view! { <OrganizationPairItem pair reload notice/> }).collect_view()}
                </ul>
            </section>
        </div>
    }
}

/// One side of a pair as the page shows it.
#[derive(Clone)]
struct Side {
    id: Uuid,
    name: String,
    href: String,
    details: AnyViewFn,
}

type AnyViewFn = std::sync::Arc<dyn Fn() -> AnyView + Send + Sync>;

#[component]
fn PersonPair(
    pair: PeoplePair,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let side = |r: crate::domain::contact::PersonRow| {
        let p = r.person;
        let org = r.organization;
        let title = p.job_title.clone();
        let (email, phone) = (p.email.clone(), p.phone.clone());
        let added = p.created_at.format("%Y-%m-%d").to_string();
        Side {
            id: p.id.0,
            href: format!("/people/{}", p.id),
            name: p.name,
            details: std::sync::Arc::new(move || {
                view! {
                    <span class="contact-sub">
                        {[title.clone(), org.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")}
                    </span>
                    <ContactLinks email=email.clone() phone=phone.clone()/>
                    <span class="contact-sub">{format!("Added {added}")}</span>
                }
                    .into_any()
            }),
        }
    };
    view! { <Pair organizations=false a=side(pair.a) b=side(pair.b) why=pair.why reload notice/> }
}

#[component]
fn OrganizationPairItem(
    pair: OrganizationPair,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let side = |r: crate::domain::contact::OrganizationRow| {
        let o = r.organization;
        let site = o.website.clone();
        let added = o.created_at.format("%Y-%m-%d").to_string();
        Side {
            id: o.id.0,
            href: format!("/organizations/{}", o.id),
            name: o.name,
            details: std::sync::Arc::new(move || {
                view! {
                    <span class="contact-sub">{site.clone()}</span>
                    <span class="contact-sub">{format!("Added {added}")}</span>
                }
                .into_any()
            }),
        }
    };
    view! { <Pair organizations=true a=side(pair.a) b=side(pair.b) why=pair.why reload notice/> }
}

#[component]
fn Pair(
    organizations: bool,
    a: Side,
    b: Side,
    why: Alike,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    // The side to keep, once chosen: the merge waits for a second click.
    let keeping = RwSignal::new(None::<bool>);
    let ids = (a.id, b.id);
    let kind = if organizations {
        "organization"
    } else {
        "person"
    };
    let run = move |keep_a: bool| {
        let (keep, gone) = if keep_a { ids } else { (ids.1, ids.0) };
        spawn_local(async move {
            match merge(organizations, keep, gone).await {
                Ok(name) => {
                    notice.set(Some(format!("Merged into {name}.")));
                    reload.update(|n| *n += 1);
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };
    let column = move |s: Side, is_a: bool| {
        let details = s.details.clone();
        view! {
            <div class="dup-side" class:chosen=move || keeping.get() == Some(is_a)>
                <a class="contact-name" href=s.href.clone()>{s.name.clone()}</a>
                {details()}
                <button type="button" on:click=move |_| keeping.set(Some(is_a))>"Keep this one"</button>
            </div>
        }
    };
    view! {
        <li class="card-panel dup-pair">
            <p class="dup-why">{format!("Likely the same: {}", why.label())}</p>
            <div class="dup-sides">
                {column(a, true)}
                {column(b, false)}
            </div>
            {move || keeping.get().map(|keep_a| {
                let side = if keep_a { "first" } else { "second" };
                view! {
                    <div class="dup-confirm" role="group" aria-label="Confirm the merge">
                        <p>{format!("Keep the {side} {kind} and merge the other into it? Its deals move over. This cannot be undone.")}</p>
                        <button type="button" class="primary" on:click=move |_| run(keep_a)>"Merge"</button>
                        <button type="button" on:click=move |_| keeping.set(None)>"Cancel"</button>
                    </div>
                }
            })}
        </li>
    }
}
