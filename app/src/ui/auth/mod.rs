//! The sign-in page.

use crate::api::auth::{needs_first_user, SignIn};
use crate::ui::sheets::{Sheet, ADMIN};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let first = Resource::new(|| (), |_| needs_first_user());
    let error = move || {
        sign_in.value().get().and_then(|r| r.err()).map(|e| {
            e.field("password")
                .or(e.field("email"))
                .unwrap_or_else(|| e.to_string())
        })
    };
    view! {
        <Title text="Sign in · Tend"/>
        <Sheet sheet=ADMIN/>
        <main class="signin">
            <div class="signin-card">
                <div class="brand big">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    "Tend"
                </div>
                <p class="tagline">"A pipeline is of no use unless you tend to it every single day."</p>
                <Suspense>
                    {move || Suspend::new(async move {
                        first
                            .await
                            .ok()
                            .filter(|none_yet| *none_yet)
                            .map(|_| {
                                view! {
                                    <p class="hint" role="note">
                                        "No one can sign in yet. Create the first admin on the server with "
                                        <code>"tend user add you@example.com --admin"</code>
                                        "."
                                    </p>
                                }
                            })
                    })}
                </Suspense>
                <ActionForm action=sign_in attr:class="stack">
                    <label>
                        "Email"
                        <input type="email" name="email" autocomplete="username" required maxlength="254"/>
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="current-password" required maxlength="1000"/>
                    </label>
                    {move || error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    <button type="submit" class="primary" disabled=move || sign_in.pending().get()>
                        {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
