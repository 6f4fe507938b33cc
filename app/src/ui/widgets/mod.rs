//! Small pieces shared by pages: the frame with navigation, error notes, money.

use crate::api::auth::SignOut;
use crate::domain::display::Progress;
use crate::domain::money::{format_minor, Currency, Locale, Totals};
use crate::domain::user::User;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{Redirect, A};

/// The locale money and dates are shown in; Swedish arrives with the translation layer.
pub const LOCALE: Locale = Locale::En;

/// The brand's diamond as a page's icon, inline: no request, no 404 for /favicon.ico.
pub const BRAND_ICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M8 1l7 7-7 7-7-7z' fill='%230f5c4d'/%3E%3C/svg%3E";

pub fn money(minor: impl Into<i128>, currency: &Currency) -> String {
    format_minor(minor, currency, LOCALE)
}

/// A query-string value, percent-encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Sums per currency, one line each.
pub fn totals(t: &Totals) -> impl IntoView {
    if t.0.is_empty() {
        return view! { <span class="sum">"–"</span> }.into_any();
    }
    t.0.iter()
        .map(|(currency, minor)| view! { <span class="sum">{money(*minor, currency)}</span> })
        .collect_view()
        .into_any()
}

/// A likely range per currency, one line each: "low – high".
pub fn ranges(low: &Totals, high: &Totals) -> impl IntoView {
    if high.0.is_empty() {
        return view! { <span class="sum">"–"</span> }.into_any();
    }
    high.0
        .iter()
        .map(|(currency, h)| {
            let l = low.0.get(currency).copied().unwrap_or(0);
            view! { <span class="sum">{format!("{} – {}", money(l, currency), money(*h, currency))}</span> }
        })
        .collect_view()
        .into_any()
}

/// Won so far over the forecast, against the goal (in the goal's first currency). An
/// SVG: the page's security policy allows no inline styles.
#[component]
pub fn GoalBar(progress: Progress) -> impl IntoView {
    let said = format!(
        "{}% of the goal won, {}% forecast",
        progress.won_percent, progress.expected_percent
    );
    view! {
        <svg class="goal-bar" viewBox="0 0 100 4" preserveAspectRatio="none" role="img" aria-label=said>
            <rect class="goal-track" width="100" height="4" rx="2"/>
            <rect class="goal-expected" width=progress.expected_percent height="4" rx="2"/>
            <rect class="goal-won" width=progress.won_percent height="4" rx="2"/>
        </svg>
    }
}

/// What the last refusal said about one field, shown under that field.
pub fn field_note(error: RwSignal<Option<AppError>>, name: &'static str) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|e| e.field(name))
            .map(|m| view! { <p class="field-error">{m}</p> })
    }
}

pub fn days(n: i64) -> String {
    match n {
        0 => "today".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

/// The page frame: brand, navigation and who is signed in.
#[component]
pub fn Frame(user: User, children: Children) -> impl IntoView {
    let initials = User::initials(&user.name);
    // A page in a frame may arrive as a chunk of its own after the app has hydrated:
    // this marks the page itself as ready (for tests that must not type too early).
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-page-ready", "true");
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/board" aria-label="Tend home">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Tend"
            </a>
            <nav class="topnav" aria-label="Main">
                <A href="/board">"Board"</A>
                <A href="/leads">"Leads"</A>
                <A href="/people">"People"</A>
                <A href="/forecast">"Forecast"</A>
                <A href="/reports">"Reports"</A>
                <A href="/present">"Present"</A>
                {user.is_admin.then(|| view! { <A href="/admin/pipelines">"Pipelines"</A> })}
            </nav>
            <a class="capture-link" href="/leads/new">"+ Lead"</a>
            <div class="me">
                <span class="avatar" title=user.name.clone()>{initials}</span>
                <span class="me-name">{user.name.clone()}</span>
                // A plain form: the server ends the session and sends the browser to
                // sign-in, with or without the app's code loaded.
                <form method="post" action=SignOut::url()>
                    <button type="submit" class="link">"Sign out"</button>
                </form>
            </div>
        </header>
        <main class="page">{children()}</main>
    }
}

/// Sets the page's HTTP status while it is rendered on the server.
pub(crate) fn respond_with(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(
            axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// The page's Content-Security-Policy, sent as a header while the page is rendered on
/// the server: scripts only from this site and with this response's nonce (which
/// Leptos puts on its own inline scripts), wasm compiled by those, and nothing framed.
#[component]
pub fn SecurityPolicy() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// What a failed page load shows: sign-in for a stranger, a sentence for the rest. On
/// the server the page answers with the failure's status.
#[component]
pub fn Failure(error: AppError) -> impl IntoView {
    if !matches!(error, AppError::Unauthenticated) {
        respond_with(error.status());
    }
    match error {
        AppError::Unauthenticated => view! { <Redirect path="/login"/> }.into_any(),
        e => view! {
            <div class="failure" role="alert">
                <h1>"That did not work"</h1>
                <p>{e.to_string()}</p>
                <a href="/board">"Back to the board"</a>
            </div>
        }
        .into_any(),
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    respond_with(404);
    view! {
        <div class="failure">
            <h1>"Page not found"</h1>
            <a href="/board">"Go to the board"</a>
        </div>
    }
}

/// A message that appears at the bottom of the screen, e.g. when the server refused a move.
/// `children` (such as an offer to undo) stack above it in the same live region.
#[component]
pub fn Toast(
    message: RwSignal<Option<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="toast-region" role="status" aria-live="polite">
            {children.map(|c| c())}
            {move || {
                message
                    .get()
                    .map(|m| {
                        view! {
                            <div class="toast">
                                <span>{m}</span>
                                <button class="link" on:click=move |_| message.set(None)>
                                    "Dismiss"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
