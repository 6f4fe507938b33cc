//! "Add deal" at the top of a column: title, value and organization, nothing more.

use crate::api::deals::create_deal;
use crate::domain::deal::DealDraft;
use crate::domain::ids::{DealId, StageId};
use crate::domain::live::LiveEvent;
use crate::domain::money::Currency;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn QuickAdd(stage_id: StageId, on_saved: Callback<LiveEvent>) -> impl IntoView {
    let open = RwSignal::new(false);
    move || {
        if open.get() {
            Suspend::new(quick_add_form(stage_id, on_saved, open)).into_any()
        } else {
            view! {
                <button type="button" class="add-deal" on:click=move |_| open.set(true)>
                    "+ Add deal"
                </button>
            }
            .into_any()
        }
    }
}

/// The form's code is fetched the first time someone opens it.
#[lazy]
fn quick_add_form(
    stage_id: StageId,
    on_saved: Callback<LiveEvent>,
    open: RwSignal<bool>,
) -> AnyView {
    let title = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let currency = RwSignal::new("SEK".to_string());
    let organization = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    // The id is made here, so a retried save creates the deal once.
    let id = RwSignal::new(DealId::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = DealDraft {
            id: Some(id.get_untracked()),
            title: title.get_untracked(),
            currency: currency.get_untracked(),
            stage_id,
            organization: Some(organization.get_untracked()),
            ..Default::default()
        };
        saving.set(true);
        spawn_local(async move {
            match create_deal(draft, Some(value.get_untracked())).await {
                // Closing disposes of this form and its signals: nothing is set after.
                Ok(saved) => {
                    if let Some(event) = saved.event {
                        on_saved.run(event);
                    }
                    open.set(false);
                }
                Err(e) => {
                    error.set(Some(e));
                    saving.set(false);
                }
            }
        });
    };
    let field_error = move |name: &'static str| move || error.get().and_then(|e| e.field(name));
    let general_error = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|e| e.to_string())
    };
    view! {
        <form class="quick-add" on:submit=submit novalidate>
            <label>
                "Title"
                <input type="text" bind:value=title required autofocus maxlength="200"/>
            </label>
            {move || field_error("title")().map(|e| view! { <p class="field-error">{e}</p> })}
            <div class="row">
                <label class="grow">
                    "Value"
                    <input type="text" inputmode="decimal" bind:value=value placeholder="0"/>
                </label>
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
            </div>
            {move || field_error("value")().map(|e| view! { <p class="field-error">{e}</p> })}
            <label>
                "Organization"
                <input type="text" bind:value=organization maxlength="120"/>
            </label>
            {move || general_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || saving.get()>"Add deal"</button>
            </div>
        </form>
    }
    .into_any()
}
