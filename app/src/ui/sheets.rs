//! Stylesheets only some pages need, kept out of the board's first load: the look-back
//! pages', the meeting-room screen's, the deal page's, and sign-in's and the admin
//! pages'. The server serves each at a name that carries
//! a hash of its text, so browsers may keep it for a year; a page that needs one puts
//! `<Sheet sheet=…/>` in its view and the link goes into the page's head.

use leptos::prelude::*;
use leptos_meta::Stylesheet;

/// One stylesheet: its name and a hash of its text, worked out as Tend is compiled (the
/// text itself is built into the server only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StyleSheet {
    pub name: &'static str,
    pub hash: u64,
}

const PAGES_CSS: &str = include_str!("../../../style/pages.css");
const TV_CSS: &str = include_str!("../../../style/tv.css");
const DEAL_CSS: &str = include_str!("../../../style/deal.css");
const ADMIN_CSS: &str = include_str!("../../../style/admin.css");

/// Since last meeting, the board as of a day, the forecast and reports.
pub const PAGES: StyleSheet = StyleSheet::of("pages", PAGES_CSS);
/// The meeting-room screen and the presenter's remote.
pub const TV: StyleSheet = StyleSheet::of("tv", TV_CSS);
/// The deal page.
pub const DEAL: StyleSheet = StyleSheet::of("deal", DEAL_CSS);
/// Sign-in and the admin pages.
pub const ADMIN: StyleSheet = StyleSheet::of("admin", ADMIN_CSS);

impl StyleSheet {
    const fn of(name: &'static str, text: &str) -> Self {
        // FNV-1a: a cache key, not a defence.
        let bytes = text.as_bytes();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        StyleSheet { name, hash }
    }

    /// Where the server serves it.
    pub fn href(self) -> String {
        format!("/styles/{}-{:016x}.css", self.name, self.hash)
    }
}

/// The text of the stylesheet served at `file` (the last part of its `href`).
#[cfg(feature = "ssr")]
pub fn text_of(file: &str) -> Option<&'static str> {
    [
        (PAGES, PAGES_CSS),
        (TV, TV_CSS),
        (ADMIN, ADMIN_CSS),
        (DEAL, DEAL_CSS),
    ]
    .into_iter()
    .find(|(sheet, _)| sheet.href().strip_prefix("/styles/") == Some(file))
    .map(|(_, text)| text)
}

/// Links `sheet` from the page's head for as long as the page is shown.
#[component]
pub fn Sheet(sheet: StyleSheet) -> impl IntoView {
    view! { <Stylesheet href=sheet.href() id=format!("sheet-{}", sheet.name)/> }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn each_sheet_is_served_at_its_own_hashed_name_and_nothing_else_is() {
        let pages = PAGES.href();
        assert!(pages.starts_with("/styles/pages-") && pages.ends_with(".css"));
        assert_ne!(PAGES.hash, TV.hash);
        assert!(text_of(ADMIN.href().trim_start_matches("/styles/"))
            .unwrap()
            .contains(".signin"));
        assert!(text_of(DEAL.href().trim_start_matches("/styles/"))
            .unwrap()
            .contains(".stagebar"));
        let text = text_of(pages.trim_start_matches("/styles/")).unwrap();
        assert!(text.contains(".forecast-page"));
        assert!(text_of(TV.href().trim_start_matches("/styles/"))
            .unwrap()
            .contains(".tv {"));
        assert_eq!(text_of("pages-0000000000000000.css"), None);
        assert_eq!(text_of("../main.css"), None);
    }
}
