//! Tables of figures.

use leptos::prelude::*;

/// A table that may be wider than a phone: it scrolls sideways, and so can be reached
/// by keyboard. `head` names the columns: the first heads the rows, the rest hold
/// numbers. `children` are its rows.
#[component]
pub fn WideTable(
    label: &'static str,
    class: &'static str,
    head: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{label}, scrolls sideways")>
            <table class=format!("since-table {class}")>
                <thead>
                    <tr>
                        {head
                            .iter()
                            .enumerate()
                            .map(|(i, h)| view! { <th scope="col" class=(i > 0).then_some("num")>{*h}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
