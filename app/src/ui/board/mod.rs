//! The pipeline board: one column per stage with exact sums, cards that move by mouse
//! drag, keyboard (Shift+→ / Shift+←) or the "Move to…" menu. A move shows at once and
//! is rolled back with a message when the server refuses it.
//!
//! Every change reaches the board as a `LiveEvent`, the user's own included: the answer
//! to a move, a win or a new deal carries the event, everyone else's arrive on the live
//! stream (`ui::live`), and `Board::apply` (in `domain`) brings the counts and cards up to
//! date. A change from the stream waits while the user is dragging a card or has a
//! card's menu or a dialog open, so nothing moves under their hand; it applies when
//! they let go. Each column has signals of its own, so a
//! change re-renders only the columns it touched. (Within a column the cards are drawn
//! again as a list: Leptos's keyed `<For>` would redraw only the changed card, but costs
//! 24 KB of the board's first download, and a column holds at most 200 cards.)

mod card;
mod forecast;
mod quick_add;
mod what_if;

use crate::api::deals::{change_deal, load_board};
use crate::domain::board::DealCard;
use crate::domain::board::{Board as BoardState, BoardPage as Page};
use crate::domain::deal::DealChange;
use crate::domain::deal::DealStatus;
use crate::domain::ids::{DealId, PipelineId, StageId, UserId};
use crate::domain::live::{Applied, LiveEvent};
use crate::domain::money::Totals;
use crate::domain::pipeline::Stage;
use crate::domain::what_if::Imagined;
use crate::ui::live::{self as live, Connection, LiveSignals};
use crate::ui::widgets::{totals, urlencode, Failure, Frame, Toast};
use card::Card;
use codee::binary::PostcardCodec;
use forecast::ForecastStrip;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use quick_add::QuickAdd;
use what_if::WhatIfBar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Filters {
    pipeline: Option<PipelineId>,
    owner: Option<UserId>,
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let query = use_query_map();
    let read = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let source = move || {
        (
            read("pipeline").parse::<PipelineId>().ok(),
            read("owner").parse::<UserId>().ok(),
            read("q"),
        )
    };
    // Embedded in the page as postcard, like the server function's answers.
    let data = Resource::<_, PostcardCodec>::new_with_options(
        source,
        |(p, o, q)| load_board(p, o, q),
        false,
    );
    // The pipeline's stages changed: the board is drawn again around its new columns.
    let reshape = Callback::new(move |()| data.refetch());
    view! {
        <Title text="Board · Tend"/>
        <Transition fallback=|| view! { <p class="loading">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let (p, o, q) = source();
                        view! {
                            <Frame user=page.me.clone()>
                                <Board page filters=Filters { pipeline: p, owner: o } text=q reshape/>
                            </Frame>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A column's head: its count and sums.
#[derive(Clone, Debug, PartialEq)]
struct Head {
    deals: i64,
    value: Totals,
    weighted: Totals,
}

/// What one column renders from: set only when a change touches that column.
#[derive(Clone, Copy)]
struct ColumnSignals {
    stage_id: StageId,
    head: RwSignal<Head>,
    cards: RwSignal<Vec<DealCard>>,
}

/// What a card needs to ask for a change.
#[derive(Clone, Copy)]
pub(crate) struct BoardActions {
    /// The board as the domain keeps it; the signals below show it.
    board: StoredValue<BoardState>,
    columns: StoredValue<Vec<ColumnSignals>>,
    pub notice: RwSignal<Option<String>>,
    pub menu: RwSignal<Option<DealId>>,
    pub losing: RwSignal<Option<(DealId, i64, String)>>,
    pub dragging: RwSignal<Option<(DealId, i64)>>,
    /// The stage a finger is holding a lifted card over (touch drag).
    pub touch_over: RwSignal<Option<StageId>>,
    /// The last move, while it can still be taken back.
    pub undo: RwSignal<Option<Undo>>,
    /// Loads the whole board again (when a change cannot be followed).
    pub reload: Callback<()>,
    /// Changes from the stream waiting for the user to let go (or for a reload).
    held: StoredValue<Vec<(i64, LiveEvent)>>,
    reloading: RwSignal<bool>,
    /// Cards someone else just changed, highlighted for a moment.
    pub arrived: RwSignal<Vec<DealId>>,
    /// While the what-if mode lasts: what it does with a change instead of saving it.
    pub what_if: RwSignal<Option<what_if::Hooks>>,
}

/// A move that can be taken back: the deal, the version the move left it at, and the
/// stage it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Undo {
    deal: DealId,
    version: i64,
    back_to: StageId,
    said: String,
}

/// How long "Undo" is offered after a move.
const UNDO_FOR: std::time::Duration = std::time::Duration::from_secs(8);
/// How long a card someone else changed stays highlighted.
const HIGHLIGHT_FOR: std::time::Duration = std::time::Duration::from_millis(2_500);

impl BoardActions {
    /// Brings the board up to date with one change and re-renders what it touched.
    pub fn apply(self, event: &LiveEvent) {
        let applied = self
            .board
            .try_update_value(|b| b.apply(event))
            .unwrap_or(Applied::Nothing);
        self.show(applied);
    }

    /// A change from the live stream, at `log_id`: applied now, or held while the user
    /// is in the middle of something on the board.
    fn receive(self, log_id: i64, event: LiveEvent) {
        if self.busy() {
            self.held.update_value(|h| h.push((log_id, event)));
        } else {
            self.apply_from_stream(log_id, &event);
        }
    }

    /// Dragging a card, holding one on a phone, a card's menu or the lost dialog open,
    /// the board loading again, or imagining in what-if.
    fn busy(self) -> bool {
        self.dragging.get_untracked().is_some()
            || self.touch_over.get_untracked().is_some()
            || self.menu.get_untracked().is_some()
            || self.losing.get_untracked().is_some()
            || self.reloading.get_untracked()
            || self.what_if.get_untracked().is_some()
    }

    fn apply_from_stream(self, log_id: i64, event: &LiveEvent) {
        let applied = self
            .board
            .try_update_value(|b| {
                let applied = b.apply(event);
                b.reached(log_id);
                applied
            })
            .unwrap_or(Applied::Nothing);
        if let (Applied::Columns(_), LiveEvent::Deal(change)) = (&applied, event) {
            if change.after.is_some() {
                self.highlight(change.deal_id);
            }
        }
        self.show(applied);
    }

    /// Applies what was held, once the user has let go.
    fn release(self) {
        if self.busy() {
            return;
        }
        let held = self
            .held
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for (log_id, event) in held {
            self.apply_from_stream(log_id, &event);
        }
    }

    fn highlight(self, deal: DealId) {
        self.arrived.update(|a| a.push(deal));
        set_timeout(
            move || {
                self.arrived.update(|a| {
                    if let Some(i) = a.iter().position(|d| *d == deal) {
                        a.remove(i);
                    }
                })
            },
            HIGHLIGHT_FOR,
        );
    }

    fn show(self, applied: Applied) {
        match applied {
            Applied::Nothing => {}
            Applied::Reload => self.reload.run(()),
            Applied::Columns(stages) => self.refresh_columns(|s| stages.contains(&s)),
        }
    }

    fn refresh_columns(self, touched: impl Fn(StageId) -> bool) {
        paint(self.board, self.columns, touched);
    }

    /// Shows the move at once, then asks the server; undoes it if refused. A move that
    /// is made offers to be taken back for a few seconds.
    pub fn move_deal(self, deal: DealId, version: i64, to: StageId, keep_focus: bool) {
        self.move_and_offer_undo(deal, version, to, keep_focus, true);
    }

    /// Takes the last move back (itself a move, kept in the deal's history).
    pub fn undo(self) {
        if let Some(u) = self.undo.get_untracked() {
            self.undo.set(None);
            self.move_and_offer_undo(u.deal, u.version, u.back_to, false, false);
        }
    }

    fn move_and_offer_undo(
        self,
        deal: DealId,
        version: i64,
        to: StageId,
        keep_focus: bool,
        offer_undo: bool,
    ) {
        self.menu.set(None);
        let now = chrono::Utc::now();
        // Dropped where it is, or a second gesture for a move already made: no preview.
        let Some(preview) = self.board.with_value(|b| b.move_preview(deal, to, now)) else {
            return;
        };
        if let Some(hooks) = self.what_if.get_untracked() {
            // The board shows the move here; what-if figures it.
            self.apply(&preview);
            hooks.imagine.run(Imagined::Move(deal, to));
            if keep_focus {
                focus_card(deal);
            }
            return;
        }
        let from = self.board.with_value(|b| b.card(deal).map(|c| c.stage_id));
        let to_name = self.board.with_value(|b| {
            b.pipeline
                .stages
                .iter()
                .find(|s| s.id == to)
                .map(|s| s.name.clone())
        });
        self.apply(&preview);
        if keep_focus {
            focus_card(deal);
        }
        self.undo.set(None);
        spawn_local(async move {
            match change_deal(deal, version, DealChange::Move(to)).await {
                Ok(saved) => {
                    if let Some(event) = &saved.event {
                        self.apply(event);
                    }
                    if let (true, Some(back_to), Some(to_name)) = (offer_undo, from, to_name) {
                        self.undo.set(Some(Undo {
                            deal,
                            version: saved.version,
                            back_to,
                            said: format!("Moved “{}” to {to_name}.", saved.title),
                        }));
                    }
                }
                Err(e) => {
                    let reverted = self
                        .board
                        .try_update_value(|b| b.revert(&preview))
                        .unwrap_or(Applied::Nothing);
                    self.show(reverted);
                    self.notice.set(Some(format!("The move was undone: {e}")));
                }
            }
        });
    }

    pub fn close(self, deal: DealId, version: i64, change: DealChange) {
        self.menu.set(None);
        self.undo.set(None);
        if let Some(hooks) = self.what_if.get_untracked() {
            hooks.imagine.run(match change {
                DealChange::Win => Imagined::Win(deal),
                _ => Imagined::Lose(deal),
            });
            return;
        }
        spawn_local(async move {
            match change_deal(deal, version, change).await {
                Ok(d) => {
                    if let Some(event) = &d.event {
                        self.apply(event);
                    }
                    self.notice.set(Some(format!(
                        "“{}” is {}.",
                        d.title,
                        match d.status {
                            DealStatus::Won => "won",
                            DealStatus::Lost => "lost",
                            DealStatus::Open => "open",
                        }
                    )));
                }
                Err(e) => self.notice.set(Some(e.to_string())),
            }
        });
    }
}

/// Sets the signals of the columns `touched` picks from the board.
fn paint(
    board: StoredValue<BoardState>,
    columns: StoredValue<Vec<ColumnSignals>>,
    touched: impl Fn(StageId) -> bool,
) {
    board.with_value(|b| {
        columns.with_value(|signals| {
            for (signal, column) in signals.iter().zip(&b.columns) {
                if touched(signal.stage_id) {
                    signal.head.set(head(column));
                    signal.cards.set(column.cards.clone());
                }
            }
        })
    });
}

fn head(column: &crate::domain::board::Column) -> Head {
    Head {
        deals: column.deals,
        value: column.value.clone(),
        weighted: column.weighted(),
    }
}

/// Gives the keyboard focus to a deal's card once it has been drawn where it now is.
fn focus_card(deal: DealId) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(&card::dom_id(deal)) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

#[component]
fn Board(page: Page, filters: Filters, text: String, reshape: Callback<()>) -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let pipeline = page.board.pipeline.clone();
    let pipeline_id = pipeline.id;
    let signals: Vec<ColumnSignals> = page
        .board
        .columns
        .iter()
        .map(|c| ColumnSignals {
            stage_id: c.stage.id,
            head: RwSignal::new(head(c)),
            cards: RwSignal::new(c.cards.clone()),
        })
        .collect();
    let columns = StoredValue::new(signals.clone());
    let board = StoredValue::new(page.board.clone());
    let periods = RwSignal::new(page.forecast.clone());
    let what_if = RwSignal::new(None);
    let refigure = forecast::refresher(pipeline_id, filters.owner, periods, what_if);
    let text_for_toolbar = text.clone();
    let reloading = RwSignal::new(false);
    let reload = Callback::new(move |()| {
        if reloading.get_untracked() {
            return;
        }
        reloading.set(true);
        let text = text.clone();
        spawn_local(async move {
            match load_board(Some(pipeline_id), filters.owner, text).await {
                // Other stages (added, renamed, moved, deleted): other columns.
                Ok(fresh) if board.with_value(|b| b.pipeline != fresh.board.pipeline) => {
                    reshape.run(())
                }
                // The same stages: the columns keep their signals.
                Ok(fresh) => {
                    board.set_value(fresh.board);
                    periods.set(fresh.forecast);
                    paint(board, columns, |_| true);
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
            // Held changes the fresh board already holds are skipped as copies.
            reloading.set(false);
        });
    });
    let actions = BoardActions {
        board,
        columns,
        notice,
        menu: RwSignal::new(None),
        losing: RwSignal::new(None),
        dragging: RwSignal::new(None),
        touch_over: RwSignal::new(None),
        undo: RwSignal::new(None),
        reload,
        held: StoredValue::new(Vec::new()),
        reloading,
        arrived: RwSignal::new(Vec::new()),
        what_if,
    };
    // Whatever the stream brought while the user was busy applies when they let go.
    Effect::new(move |_| {
        let busy = actions.dragging.get().is_some()
            || actions.touch_over.get().is_some()
            || actions.menu.get().is_some()
            || actions.losing.get().is_some()
            || actions.reloading.get();
        if !busy {
            actions.release();
        }
    });
    let live_signals = LiveSignals::new();
    live::follow(
        live::Source::Board(pipeline_id),
        page.board.position,
        live_signals,
        live::Handlers::changes(Callback::new(move |(log_id, event)| {
            actions.receive(log_id, event);
            refigure.run(());
        })),
    );
    let imagining = RwSignal::new(false);
    let reasons = page.lost_reasons.clone();
    let now = page.board.now;
    let stages: Vec<Stage> = page.board.columns.iter().map(|c| c.stage.clone()).collect();
    view! {
        <div class="board-top">
            <Toolbar page=page.clone() filters text=text_for_toolbar/>
            <a class="since-link" href=format!("/since?pipeline={pipeline_id}")>"Since last meeting"</a>
            // Hidden by the style sheet while the mode's banner shows, as are the quick
            // forms to add deals.
            <button type="button" class="link since-link what-if-start" on:click=move |_| imagining.set(true)>
                "What if…"
            </button>
            <LiveBar signals=live_signals/>
        </div>
        <WhatIfBar scope=what_if::Scope {
            actions,
            periods,
            refigure,
            on: imagining,
            pipeline: pipeline_id,
            owner: filters.owner,
        }/>
        <ForecastStrip periods/>
        <div class="board" role="list" aria-label=format!("{} board", pipeline.name)>
            {signals
                .into_iter()
                .zip(stages)
                .map(|(column, stage)| {
                    view! { <StageColumn column stage actions pipeline=pipeline.clone() now/> }
                })
                .collect_view()}
        </div>
        <LostDialog actions reasons/>
        <Toast message=notice>
            <UndoOffer actions/>
        </Toast>
    }
}

/// The link's state, and who else has this board open.
#[component]
pub(crate) fn LiveBar(signals: LiveSignals) -> impl IntoView {
    let state = move || match signals.connection.get() {
        Connection::Connecting => ("connecting", "Connecting…".to_string()),
        Connection::Live => ("live", "Live".to_string()),
        Connection::Reconnecting { .. } => ("reconnecting", "Reconnecting…".to_string()),
        Connection::Offline { since } => ("offline", format!("Offline since {since}")),
    };
    // Others come and go after the page has loaded: their avatars' code comes later.
    let others = move || {
        let viewers = signals.viewers.get();
        (!viewers.is_empty()).then(|| Suspend::new(viewers_view(viewers)))
    };
    view! {
        <div class="live-bar">
            {others}
            <span class=move || format!("link {}", state().0) aria-live="polite">
                {move || state().1}
            </span>
        </div>
    }
}

#[lazy]
fn viewers_view(viewers: Vec<crate::domain::live::Viewer>) -> AnyView {
    let names: Vec<String> = viewers.iter().map(|v| v.name.clone()).collect();
    let label = match names.len() {
        0 => String::new(),
        1 => format!("{} is here too", names[0]),
        n => format!("{} and {} more are here too", names[0], n - 1),
    };
    view! {
        <span class="viewers" title=names.join(", ")>
            <span class="sr-only">{label}</span>
            {viewers
                .iter()
                .take(4)
                .map(|v| {
                    view! {
                        <span class="avatar small" aria-hidden="true">
                            {crate::domain::user::User::initials(&v.name)}
                        </span>
                    }
                })
                .collect_view()}
            {(viewers.len() > 4).then(|| view! { <span class="more-viewers" aria-hidden="true">{format!("+{}", viewers.len() - 4)}</span> })}
        </span>
    }
    .into_any()
}

/// "Moved … to …" with an Undo button, for a few seconds after each move.
#[component]
fn UndoOffer(actions: BoardActions) -> impl IntoView {
    // Each offer clears itself unless a newer one has replaced it.
    Effect::new(move |_| {
        if let Some(offer) = actions.undo.get() {
            set_timeout(
                move || {
                    if actions.undo.get_untracked().as_ref() == Some(&offer) {
                        actions.undo.set(None);
                    }
                },
                UNDO_FOR,
            );
        }
    });
    move || {
        actions.undo.get().map(|offer| {
            view! {
                <div class="toast">
                    <span>{offer.said}</span>
                    <button class="link" on:click=move |_| actions.undo()>
                        "Undo"
                    </button>
                </div>
            }
        })
    }
}

#[component]
fn Toolbar(page: Page, filters: Filters, text: String) -> impl IntoView {
    let navigate = use_navigate();
    let search = RwSignal::new(text);
    let pipeline = RwSignal::new(filters.pipeline.or(Some(page.board.pipeline.id)));
    let owner = RwSignal::new(filters.owner);
    let go = move || {
        let mut query = Vec::new();
        if let Some(p) = pipeline.get_untracked() {
            query.push(format!("pipeline={p}"));
        }
        if let Some(o) = owner.get_untracked() {
            query.push(format!("owner={o}"));
        }
        let q = search.get_untracked();
        if !q.trim().is_empty() {
            query.push(format!("q={}", urlencode(q.trim())));
        }
        navigate(&format!("/board?{}", query.join("&")), Default::default());
    };
    let go = StoredValue::new(go);
    view! {
        <form
            class="toolbar"
            role="search"
            on:submit=move |ev| {
                ev.prevent_default();
                go.with_value(|g| g());
            }
        >
            <label class="sr-only" for="pipeline-select">"Pipeline"</label>
            <select
                id="pipeline-select"
                on:change=move |ev| {
                    pipeline.set(event_target_value(&ev).parse().ok());
                    go.with_value(|g| g());
                }
            >
                {page
                    .pipelines
                    .iter()
                    .map(|(id, name)| {
                        let selected = Some(*id) == pipeline.get_untracked();
                        view! {
                            <option value=id.to_string() selected=selected>
                                {name.clone()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label class="sr-only" for="owner-select">"Owner"</label>
            <select
                id="owner-select"
                on:change=move |ev| {
                    owner.set(event_target_value(&ev).parse().ok());
                    go.with_value(|g| g());
                }
            >
                <option value="">"Everyone"</option>
                {page
                    .users
                    .iter()
                    .map(|u| {
                        let selected = Some(u.id) == owner.get_untracked();
                        view! {
                            <option value=u.id.to_string() selected=selected>
                                {u.name.clone()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <input
                type="search"
                aria-label="Search deals"
                placeholder="Search deals or organizations"
                maxlength="200"
                bind:value=search
            />
            <button type="submit">"Search"</button>
        </form>
    }
}

#[component]
fn StageColumn(
    column: ColumnSignals,
    stage: Stage,
    actions: BoardActions,
    pipeline: crate::domain::pipeline::Pipeline,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let stage_id = stage.id;
    let over = RwSignal::new(false);
    let heading_id = format!("stage-{}", stage.id);
    let pipeline = StoredValue::new(pipeline);
    let stage_for_cards = StoredValue::new(stage.clone());
    let hidden = move || column.head.with(|h| h.deals) - column.cards.with(|c| c.len()) as i64;
    view! {
        <section
            class="column"
            class:drop-target=move || over.get() || actions.touch_over.get() == Some(stage_id)
            role="listitem"
            data-stage-id=stage_id.to_string()
            aria-labelledby=heading_id.clone()
            data-stage=stage.name.clone()
            on:dragover=move |ev| {
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                over.set(false);
                if let Some((deal, version)) = actions.dragging.get_untracked() {
                    actions.dragging.set(None);
                    actions.move_deal(deal, version, stage_id, false);
                }
            }
        >
            <header class="column-head">
                <h2 id=heading_id.clone()>{stage.name.clone()}</h2>
                <span class="count" aria-label="Open deals">{move || column.head.with(|h| h.deals)}</span>
                <dl class="sums">
                    <dt>"Value"</dt>
                    <dd class="value">{move || column.head.with(|h| totals(&h.value))}</dd>
                    <dt>{format!("Weighted ({}%)", stage.probability)}</dt>
                    <dd class="weighted">{move || column.head.with(|h| totals(&h.weighted))}</dd>
                </dl>
            </header>
            <QuickAdd stage_id on_saved=Callback::new(move |event: LiveEvent| actions.apply(&event))/>
            <ul class="cards">
                {move || {
                    column
                        .cards
                        .get()
                        .into_iter()
                        .map(|c| {
                            view! {
                                <Card
                                    card=c
                                    stage=stage_for_cards.get_value()
                                    actions
                                    pipeline=pipeline.get_value()
                                    now
                                />
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                let hidden = hidden();
                (hidden > 0).then(|| view! { <p class="more">{format!("+ {hidden} older deals")}</p> })
            }}
        </section>
    }
    .into_any()
}

#[component]
fn LostDialog(actions: BoardActions, reasons: Vec<String>) -> impl IntoView {
    let reasons = StoredValue::new(reasons);
    move || {
        actions.losing.get().map(|(deal, version, title)| {
            Suspend::new(lost_form(
                actions,
                deal,
                version,
                title,
                reasons.get_value(),
            ))
        })
    }
}

/// Its code is fetched the first time someone marks a deal lost from the board; most
/// visits to the board never do.
#[lazy]
fn lost_form(
    actions: BoardActions,
    deal: DealId,
    version: i64,
    title: String,
    reasons: Vec<String>,
) -> AnyView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="scrim">
            <form
                class="dialog"
                novalidate
                role="dialog"
                aria-modal="true"
                aria-labelledby="lost-title"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let r = reason.get_untracked();
                    if r.trim().is_empty() {
                        error.set(Some("Choose why the deal was lost.".into()));
                        return;
                    }
                    error.set(None);
                    actions.losing.set(None);
                    actions.close(deal, version, DealChange::Lose(r));
                }
            >
                <h2 id="lost-title">"Mark “" {title} "” as lost"</h2>
                <label>
                    "Reason"
                    <select
                        name="reason"
                        required
                        on:change=move |ev| reason.set(event_target_value(&ev))
                    >
                        <option value="">"Choose a reason…"</option>
                        {reasons
                            .into_iter()
                            .map(|r| view! { <option value=r.clone()>{r.clone()}</option> })
                            .collect_view()}
                    </select>
                </label>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <div class="actions">
                    <button
                        type="button"
                        on:click=move |_| {
                            error.set(None);
                            actions.losing.set(None);
                        }
                    >
                        "Cancel"
                    </button>
                    <button type="submit" class="danger">"Mark as lost"</button>
                </div>
            </form>
        </div>
    }
    .into_any()
}
