#![recursion_limit = "256"]
//! The browser entry point: hydrate the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics in the console while developing; the release wasm leaves the
    // hook's formatting out of everyone's first load (a panic there still stops with
    // an error in the console, and the server's log says what it was asked).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}

/// Room for wasm-split (run by `cargo leptos build --split`) to lay out the read-only
/// data. It gives each page's chunk the strings that page alone uses, copying data two
/// chunks share and padding each chunk's part for alignment; when the result is longer
/// than the linker's segment, even by a few bytes, it gives up and leaves *every*
/// page's strings in the first load (`Overlong segment … putting it in main module`:
/// that cost the board 35 KB brotli). These bytes lengthen the segment and are used by
/// nothing, so no chunk copies them: they are the slack. A run of one byte value, they
/// add next to nothing where nothing is split.
#[used]
static SPLIT_SLACK: [u8; 16 * 1024] = [0x5a; 16 * 1024];
