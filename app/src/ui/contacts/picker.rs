//! Finding a person or an organization by typing part of a name, email or phone, and
//! picking one; one not found can be made on the spot. Used to link them to a deal
//! and a person to an organization.

use crate::api::contacts::{create_organization, create_person, pick_contacts};
use crate::domain::contact::{OrganizationDraft, PersonDraft};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// `on_pick` receives the id and name of the one picked (or made).
#[component]
pub fn Picker(
    organizations: bool,
    label: &'static str,
    on_pick: Callback<(Uuid, String)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let found = RwSignal::new(Vec::<(Uuid, String, Option<String>)>::new());
    let error = RwSignal::new(None::<AppError>);
    // Answers come back in any order: only the one for the latest text is shown.
    let asked = StoredValue::new(0u32);
    let search = move |q: String| {
        text.set(q.clone());
        asked.update_value(|n| *n += 1);
        let this = asked.get_value();
        if q.trim().is_empty() {
            found.set(Vec::new());
            return;
        }
        spawn_local(async move {
            let answer = pick_contacts(organizations, q).await;
            if asked.get_value() == this {
                match answer {
                    Ok(list) => {
                        error.set(None);
                        found.set(list);
                    }
                    Err(e) => error.set(Some(e)),
                }
            }
        });
    };
    let make = move |_| {
        let name = text.get_untracked().trim().to_string();
        spawn_local(async move {
            let made = if organizations {
                let draft = OrganizationDraft {
                    name: name.clone(),
                    ..OrganizationDraft::default()
                };
                create_organization(draft).await.map(|o| (o.id.0, o.name))
            } else {
                let draft = PersonDraft {
                    name: name.clone(),
                    ..PersonDraft::default()
                };
                create_person(draft).await.map(|p| (p.id.0, p.name))
            };
            match made {
                Ok(picked) => on_pick.run(picked),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let kind = if organizations {
        "organization"
    } else {
        "person"
    };
    view! {
        <div class="picker">
            <label>
                {label}
                <input
                    type="search"
                    autocomplete="off"
                    maxlength="100"
                    placeholder="Type a name, email or phone"
                    prop:value=move || text.get()
                    on:input=move |ev| search(event_target_value(&ev))
                />
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })}
            <ul class="picker-list" aria-live="polite">
                {move || {
                    found
                        .get()
                        .into_iter()
                        .map(|(id, name, note)| {
                            let picked = name.clone();
                            view! {
                                <li>
                                    <button type="button" on:click=move |_| on_pick.run((id, picked.clone()))>
                                        <span class="picker-name">{name}</span>
                                        {note.map(|n| view! { <span class="contact-sub">{n}</span> })}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <div class="actions">
                {move || {
                    let typed = text.get().trim().to_string();
                    let exact = found.with(|f| f.iter().any(|(_, n, _)| n.eq_ignore_ascii_case(&typed)));
                    (!typed.is_empty() && !exact)
                        .then(|| view! {
                            <button type="button" on:click=make>{format!("New {kind} “{typed}”")}</button>
                        })
                }}
                <button type="button" class="link" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </div>
    }
}
