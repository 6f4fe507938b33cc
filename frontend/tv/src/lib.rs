#![recursion_limit = "256"]
//! The meeting-room screen's entry point: hydrate the screen the server rendered
//! (`app::ui::tv::shell`). It is built apart from the main wasm (`frontend`) so that a
//! screen opened cold loads the screen's code and nothing of the other pages';
//! `make build` builds it after cargo-leptos (see the Makefile's `tv` step).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let path = leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default();
    let token = app::ui::tv::token_in(&path);
    leptos::mount::hydrate_body(move || {
        leptos::view! { <app::ui::tv::TvApp token/> }
    });
}
