//! The signed-in app's page and router: the board in the first load, every other page
//! a lazy route.

use super::{
    admin, auth, board, contacts, deal, forecast, history, leads, present, reports, widgets,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{lazy_route, Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0f5c4d"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link
                    rel="icon"
                    href=widgets::BRAND_ICON
                />
                <widgets::SecurityPolicy/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as hydrated, for people
    // (styles can rely on it) and for tests that must not click too early.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title text="Tend"/>
        <Router>
            <Routes fallback=|| view! { <widgets::NotFound/> }>
                <Route path=StaticSegment("") view=|| view! { <Redirect path="/board"/> }/>
                // Pages that load data render whole before they answer (`Async`), so a
                // page whose data failed carries the failure's status, not a 200.
                <Route path=StaticSegment("login") view={Lazy::<SignInRoute>::new()}/>
                <Route path=StaticSegment("board") view=board::BoardPage ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("deals"), ParamSegment("id"))
                    view={Lazy::<DealRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=StaticSegment("since")
                    view={Lazy::<SinceRoute>::new()}
                    ssr=SsrMode::Async
                />
                // The inbox and capture: one chunk for both.
                <Route path=StaticSegment("leads") view={Lazy::<LeadsRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("leads"), StaticSegment("new"))
                    view={Lazy::<LeadsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("people") view={Lazy::<ContactsRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("people"), ParamSegment("id"))
                    view={Lazy::<ContactsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("organizations") view={Lazy::<ContactsRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("organizations"), ParamSegment("id"))
                    view={Lazy::<ContactsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("duplicates") view={Lazy::<ContactsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("import") view={Lazy::<ContactsRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=StaticSegment("forecast")
                    view={Lazy::<ForecastRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=StaticSegment("as-of")
                    view={Lazy::<AsOfRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=StaticSegment("reports")
                    view={Lazy::<ReportsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=StaticSegment("present")
                    view={Lazy::<PresentRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("admin"), StaticSegment("pipelines"))
                    view={Lazy::<AdminRoute>::new()}
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}

// The board is what people open all day, so its code is in the first download; the other
// pages arrive as separate wasm chunks when first visited (`cargo leptos build --split`).
// Each page loads its own data, so a route's data half is empty. The meeting-room screen
// (`/tv/…`) is not among them: it is an app of its own (`tv::shell`).

struct SignInRoute;

#[lazy_route]
impl LazyRoute for SignInRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <auth::SignInPage/> }.into_any()
    }
}

struct DealRoute;

#[lazy_route]
impl LazyRoute for DealRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <deal::DealPage/> }.into_any()
    }
}

struct SinceRoute;

#[lazy_route]
impl LazyRoute for SinceRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <history::SinceMeetingPage/> }.into_any()
    }
}

/// The leads inbox and the capture page: one chunk for both.
struct LeadsRoute;

#[lazy_route]
impl LazyRoute for LeadsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <leads::LeadsRoutePage/> }.into_any()
    }
}

/// People, organizations, duplicates and import: one chunk for all six pages.
struct ContactsRoute;

#[lazy_route]
impl LazyRoute for ContactsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <contacts::ContactsRoutePage/> }.into_any()
    }
}

struct ForecastRoute;

#[lazy_route]
impl LazyRoute for ForecastRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <forecast::ForecastRoutePage/> }.into_any()
    }
}

struct AsOfRoute;

#[lazy_route]
impl LazyRoute for AsOfRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <history::as_of::AsOfRoutePage/> }.into_any()
    }
}

struct ReportsRoute;

#[lazy_route]
impl LazyRoute for ReportsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <reports::ReportsRoutePage/> }.into_any()
    }
}

struct AdminRoute;

#[lazy_route]
impl LazyRoute for AdminRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <admin::AdminPage/> }.into_any()
    }
}

struct PresentRoute;

#[lazy_route]
impl LazyRoute for PresentRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <present::PresentPage/> }.into_any()
    }
}
