//! The meeting-room screen (`/tv/{secret}`): no sign-in, dark, full screen, type that
//! scales with the screen. It rotates through the scenes its link names, follows every
//! change live, celebrates a win as it happens, recovers from outages by itself, and
//! says so when its link is revoked.
//!
//! The screen is a small app of its own: the server renders it with `shell` (not
//! through the app's router), and the browser hydrates it with a wasm built from
//! `frontend/tv`, which holds this screen's code and nothing of the other pages. So a
//! screen opened cold in a meeting room downloads a third of what a signed-in page does.

use crate::api::displays::{load_figures, load_screen};
use crate::domain::board::{Board, Column};
use crate::domain::deal::DealStatus;
use crate::domain::display::{next_scene, Cue, Figures, Scene, Screen, Win};
use crate::domain::forecast::Method;
use crate::domain::ids::{DealId, StageId};
use crate::domain::live::{Applied, LiveEvent};
use crate::domain::user::User;
use crate::error::AppError;
use crate::ui::live::{follow, now_hh_mm, Connection, Handlers, LiveSignals, Source};
use crate::ui::widgets::{money, ranges, respond_with, totals, GoalBar, LOCALE};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long a live win is celebrated on screen.
const CELEBRATE_FOR: Duration = Duration::from_secs(8);
/// Wins the wins scene lists.
const WINS_SHOWN: usize = 8;
/// Where the screen's pages live: `/tv/{secret}`.
pub const PATH_PREFIX: &str = "/tv/";

/// The whole page for the screen at `/tv/{token}`. Its body is `TvApp`, which the
/// screen's own wasm hydrates (see `TvScripts`).
pub fn shell(options: LeptosOptions, token: String) -> impl IntoView {
    use crate::ui::sheets::TV;
    use crate::ui::widgets::SecurityPolicy;
    use leptos_meta::HashedStylesheet;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0c1116"/>
                <link
                    rel="icon"
                    href=crate::ui::widgets::BRAND_ICON
                />
                <title>"Tend · Meeting room"</title>
                <SecurityPolicy/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <link rel="stylesheet" href=TV.href()/>
                <TvScripts options/>
            </head>
            <body>
                <TvApp token/>
            </body>
        </html>
    }
}

/// The screen's own wasm and its loader, by the names `make build` gave them (see
/// `frontend/tv`; the names are read from `tv-hash.txt` in the site's root). A build
/// without them (the Rust tests) serves the page as it was rendered, without updates.
#[component]
fn TvScripts(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let files = bundle_files(&options);
    #[cfg(not(feature = "ssr"))]
    let files: Option<(String, String)> = {
        let _ = options;
        None
    };
    let nonce = leptos::nonce::use_nonce();
    files.map(|(js, wasm)| {
        let pkg = "/pkg";
        let start = format!(
            "import('{pkg}/{js}').then(m => m.default({{module_or_path: '{pkg}/{wasm}'}}).then(() => m.hydrate()));"
        );
        view! {
            <link rel="modulepreload" href=format!("{pkg}/{js}")/>
            <link rel="preload" href=format!("{pkg}/{wasm}") r#as="fetch" r#type="application/wasm" crossorigin=""/>
            <script type="module" nonce=nonce>{start}</script>
        }
    })
}

/// The screen's script and wasm file names, read once from `tv-hash.txt` (`js: …`,
/// `wasm: …`), which `make build` writes beside the site's `pkg` folder.
#[cfg(feature = "ssr")]
fn bundle_files(options: &LeptosOptions) -> Option<(String, String)> {
    use std::sync::OnceLock;
    static FILES: OnceLock<Option<(String, String)>> = OnceLock::new();
    FILES
        .get_or_init(|| {
            let path = std::path::Path::new(options.site_root.as_ref()).join("tv-hash.txt");
            let text = std::fs::read_to_string(&path)
                .inspect_err(|e| {
                    tracing::warn!(path = %path.display(), error = %e, "no meeting-room screen bundle: screens will not update live (run `make build`)")
                })
                .ok()?;
            parse_bundle_files(&text)
        })
        .clone()
}

/// `js: NAME` and `wasm: NAME` lines: the two file names.
pub fn parse_bundle_files(text: &str) -> Option<(String, String)> {
    let field = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
            })
    };
    Some((field("js")?, field("wasm")?))
}

/// The secret in a screen's path (`/tv/{token}`), as the browser sees it.
pub fn token_in(path: &str) -> String {
    path.strip_prefix(PATH_PREFIX)
        .unwrap_or_default()
        .to_string()
}

/// The screen: its data loads with the page (the server waits for it), then follows
/// the stream.
#[component]
pub fn TvApp(token: String) -> impl IntoView {
    // Marks the page as hydrated, as `App` does for the other pages.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let key = token.clone();
    let data =
        Resource::<_, PostcardCodec>::new_with_options(move || key.clone(), load_screen, false);
    view! {
        <Suspense fallback=|| view! { <div class="tv"><p class="tv-note">"Loading…"</p></div> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(screen) => view! { <Tv screen token/> }.into_any(),
                        Err(e) => view! { <Closed error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A link that does not (or no longer) open anything.
#[component]
fn Closed(error: AppError) -> impl IntoView {
    respond_with(error.status());
    let text = match error {
        AppError::Unauthenticated => {
            "This screen's link was revoked or is not valid. Ask an admin for a new one."
                .to_string()
        }
        e => e.to_string(),
    };
    view! {
        <main class="tv tv-closed">
            <h1>"◆ Tend"</h1>
            <p class="tv-note" role="alert">{text}</p>
        </main>
    }
}

#[component]
fn Tv(screen: Screen, token: String) -> impl IntoView {
    let display = screen.display.clone();
    let board = RwSignal::new(screen.board.clone());
    let wins = RwSignal::new(screen.wins.clone());
    let figures = RwSignal::new(screen.figures.clone());
    let scenes = StoredValue::new(display.scenes.clone());
    let scene = RwSignal::new(display.scenes.first().copied().unwrap_or(Scene::Board));
    let celebrating = RwSignal::new(None::<Win>);
    let arrived = RwSignal::new(Vec::new());
    let revoked = RwSignal::new(false);
    let updated = RwSignal::new(String::new());
    let live = LiveSignals::new();
    let token = StoredValue::new(token);

    // The rotation: a scene stays `seconds_per_scene`, unless a presenter paused it.
    let paused = RwSignal::new(false);
    let focus = RwSignal::new(None::<StageId>);
    let shown_for = StoredValue::new(0i64);
    let turn = move |step: i64| {
        shown_for.set_value(0);
        scene.update(|s| *s = scenes.with_value(|all| next_scene(all, *s, step)));
    };
    let every = display.seconds_per_scene.max(1);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if paused.get_untracked() {
                    return;
                }
                shown_for.update_value(|n| *n += 1);
                if shown_for.get_value() >= every {
                    turn(1);
                }
            },
            Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let cue = Callback::new(move |cue: Cue| match cue {
        Cue::Next => turn(1),
        Cue::Previous => turn(-1),
        Cue::Pause => paused.set(true),
        Cue::Resume => paused.set(false),
        Cue::Focus(Some(stage)) => {
            focus.set(Some(stage));
            paused.set(true);
            shown_for.set_value(0);
            scene.set(Scene::Board);
        }
        Cue::Focus(None) => {
            focus.set(None);
            paused.set(false);
        }
    });
    Effect::new(move |_| updated.set(now_hh_mm()));

    let refresh_figures = move || {
        spawn_local(async move {
            if let Ok(fresh) = load_figures(token.get_value()).await {
                figures.set(fresh);
            }
        })
    };
    let reload = move || {
        spawn_local(async move {
            match load_screen(token.get_value()).await {
                Ok(fresh) => {
                    board.set(fresh.board);
                    wins.set(fresh.wins);
                    figures.set(fresh.figures);
                }
                Err(AppError::Unauthenticated) => revoked.set(true),
                Err(_) => {}
            }
        })
    };
    let receive = Callback::new(move |(log_id, event): (i64, LiveEvent)| {
        updated.set(now_hh_mm());
        let applied = board
            .try_update(|b| {
                let applied = b.apply(&event);
                b.reached(log_id);
                applied
            })
            .unwrap_or(Applied::Nothing);
        if applied == Applied::Reload {
            return reload();
        }
        if let LiveEvent::Deal(change) = &event {
            if let (Applied::Columns(_), Some(_)) = (&applied, &change.after) {
                arrived.set(vec![change.deal_id]);
            }
            let was_won = change.before.as_ref().map(|b| b.status) == Some(DealStatus::Won);
            if let Some(after) = change
                .after
                .as_ref()
                .filter(|a| a.status == DealStatus::Won)
            {
                if !was_won {
                    let win = Win {
                        card: after.clone(),
                        won_at: chrono::Utc::now(),
                    };
                    wins.update(|w| {
                        w.retain(|x| x.card.id != win.card.id);
                        w.insert(0, win.clone());
                        w.truncate(WINS_SHOWN);
                    });
                    celebrating.set(Some(win));
                    set_timeout(move || celebrating.set(None), CELEBRATE_FOR);
                }
            } else if was_won {
                // Reopened or deleted: it is no longer a win.
                wins.update(|w| w.retain(|x| x.card.id != change.deal_id));
            }
        }
        refresh_figures();
    });
    follow(
        Source::Screen(token.get_value()),
        screen.board.position,
        live,
        Handlers {
            change: receive,
            // Turned down: find out whether the link was revoked.
            refused: Some(Callback::new(move |()| reload())),
            cue: Some(cue),
        },
    );

    let pipeline_name = display.pipeline_name.clone();
    view! {
        <main class="tv" data-scene=move || scene.get().name()>
            {move || {
                if revoked.get() {
                    view! {
                        <div class="tv-revoked" role="alert">
                            <h1>"This screen's link was revoked"</h1>
                            <p>"Ask an admin for a new link to show the pipeline here again."</p>
                        </div>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }
            }}
            <header class="tv-head">
                <span class="tv-brand" aria-hidden="true">"◆ Tend"</span>
                <h1>{move || scene.get().title()}</h1>
                <span class="tv-pipeline">{pipeline_name}</span>
                {move || paused.get().then(|| view! { <span class="tv-paused">"Paused"</span> })}
                <span class=move || format!("tv-link {}", link_class(&live.connection.get()))>
                    {move || link_text(&live.connection.get())}
                    {move || format!(" · updated {}", updated.get())}
                </span>
            </header>
            {move || match scene.get() {
                Scene::Board => view! { <BoardScene board arrived focus/> }.into_any(),
                Scene::Numbers => view! { <NumbersScene figures/> }.into_any(),
                Scene::Wins => view! { <WinsScene wins/> }.into_any(),
                Scene::Leaders => view! { <LeadersScene figures/> }.into_any(),
                Scene::Since => view! { <SinceScene figures/> }.into_any(),
            }}
            <nav class="tv-dots" aria-label="Scenes">
                {scenes
                    .get_value()
                    .into_iter()
                    .map(|s| {
                        view! {
                            <span
                                class="tv-dot"
                                class:current=move || scene.get() == s
                                title=s.title()
                            >
                                {s.title()}
                            </span>
                        }
                    })
                    .collect_view()}
            </nav>
            {move || celebrating.get().map(|w| view! { <Celebration win=w/> })}
        </main>
    }
}

/// What happened since the team's last sales meeting: each group's count and value.
#[component]
fn SinceScene(figures: RwSignal<Figures>) -> impl IntoView {
    view! {
        <section class="tv-since" aria-label="Since last meeting">
            {move || {
                let since = figures.get().since;
                view! {
                    <p class="tv-since-day">{format!("Since {}", since.since.format("%A %-d %B"))}</p>
                    <ul>
                        {since.groups.into_iter().map(|(title, count, total)| view! {
                            <li class="tv-since-group">
                                <span class="tv-since-title">{title}</span>
                                <span class="tv-since-count">{count}</span>
                                <span class="tv-since-total">{totals(&total)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }
            }}
        </section>
    }
}

fn link_class(c: &Connection) -> &'static str {
    match c {
        Connection::Connecting => "connecting",
        Connection::Live => "live",
        Connection::Reconnecting { .. } => "reconnecting",
        Connection::Offline { .. } => "offline",
    }
}

fn link_text(c: &Connection) -> String {
    match c {
        Connection::Connecting => "Connecting…".into(),
        Connection::Live => "Live".into(),
        Connection::Reconnecting { .. } => "Reconnecting…".into(),
        Connection::Offline { since } => format!("Offline since {since}"),
    }
}

/// The board, or one stage of it when a presenter focuses it.
#[component]
fn BoardScene(
    board: RwSignal<Board>,
    arrived: RwSignal<Vec<DealId>>,
    focus: RwSignal<Option<StageId>>,
) -> impl IntoView {
    view! {
        <section class="tv-board" class:focused=move || focus.get().is_some() aria-label="Pipeline">
            {move || {
                let only = focus.get();
                board
                    .with(|b| {
                        b.columns
                            .iter()
                            .filter(|c| only.is_none_or(|s| s == c.stage.id))
                            .map(|c| view! { <TvColumn column=c.clone() arrived/> })
                            .collect_view()
                    })
            }}
        </section>
    }
}

#[component]
fn TvColumn(column: Column, arrived: RwSignal<Vec<DealId>>) -> impl IntoView {
    let weighted = column.weighted();
    let more = column.deals - column.cards.len() as i64;
    view! {
        <div class="tv-column" data-stage=column.stage.name.clone()>
            <h2>{column.stage.name.clone()}</h2>
            <p class="tv-count">{format!("{} open", column.deals)}</p>
            <p class="tv-value">{totals(&column.value)}</p>
            <p class="tv-weighted">"Weighted " {totals(&weighted)}</p>
            <ul>
                {column
                    .cards
                    .iter()
                    .map(|card| {
                        let id = card.id;
                        view! {
                            <li class="tv-card" class:arrived=move || arrived.with(|a| a.contains(&id))>
                                <span class="tv-card-title">{card.title.clone()}</span>
                                <span class="tv-card-meta">
                                    {money(card.value, &card.currency)} " · " {User::initials(&card.owner_name)}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="tv-more">{format!("+ {more} more")}</p> })}
        </div>
    }
}

#[component]
fn NumbersScene(figures: RwSignal<Figures>) -> impl IntoView {
    view! {
        <section class="tv-numbers" aria-label="This month and quarter">
            {move || {
                figures
                    .get()
                    .periods
                    .into_iter()
                    .map(|p| {
                        view! {
                            <div class="tv-period">
                                <h2>{p.label.clone()}</h2>
                                <p class="tv-figure-label">"Won so far"</p>
                                <p class="tv-figure won">{totals(&p.won)}</p>
                                <p class="tv-figure-label">"Forecast"</p>
                                <p class="tv-figure">{totals(&p.expected)}</p>
                                <p class="tv-range">"likely " {ranges(&p.low, &p.high)}</p>
                                {p.progress().map(|g| view! {
                                    <p class="tv-figure-label">"Goal " {totals(&p.goal)}</p>
                                    <GoalBar progress=g/>
                                })}
                                <p class="tv-small">
                                    {format!("Weighted pipeline {} · {} open deals expected to close", p.weighted.format(LOCALE), p.open_deals)}
                                    {(p.method == Method::StageProbability).then_some(" · range from stage chances: too little history yet")}
                                </p>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </section>
    }
}

#[component]
fn WinsScene(wins: RwSignal<Vec<Win>>) -> impl IntoView {
    view! {
        <section class="tv-wins" aria-label="Recent wins">
            {move || {
                let all = wins.get();
                if all.is_empty() {
                    return view! { <p class="tv-note">"No wins yet. The next one shows here."</p> }.into_any();
                }
                view! {
                    <ol>
                        {all
                            .into_iter()
                            .map(|w| {
                                view! {
                                    <li>
                                        <span class="tv-win-title">{w.card.title.clone()}</span>
                                        <span class="tv-win-value">{money(w.card.value, &w.card.currency)}</span>
                                        <span class="tv-win-who">
                                            {w.card.owner_name.clone()} " · " {w.won_at.format("%Y-%m-%d").to_string()}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Reps by what they won this month, with the deals they moved forward this week.
#[component]
fn LeadersScene(figures: RwSignal<Figures>) -> impl IntoView {
    view! {
        <section class="tv-leaders" aria-label="Leaderboard">
            {move || {
                let leaders = figures.get().leaders;
                if leaders.is_empty() {
                    return view! {
                        <p class="tv-note">"No wins this month and no deals moved forward this week yet."</p>
                    }
                        .into_any();
                }
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"#"</th>
                                <th scope="col">"Rep"</th>
                                <th scope="col" class="num">"Won this month"</th>
                                <th scope="col" class="num">"Moved forward this week"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {leaders
                                .into_iter()
                                .enumerate()
                                .map(|(i, l)| {
                                    let deals = if l.won_deals == 1 { "1 deal".to_string() } else { format!("{} deals", l.won_deals) };
                                    view! {
                                        <tr>
                                            <td class="tv-rank">{i + 1}</td>
                                            <th scope="row" class="tv-rep">
                                                <span class="tv-initials" aria-hidden="true">{User::initials(&l.name)}</span>
                                                {l.name.clone()}
                                            </th>
                                            <td class="num">
                                                <span class="tv-leader-won">{totals(&l.won)}</span>
                                                <span class="tv-small">{deals}</span>
                                            </td>
                                            <td class="num tv-leader-moved">{l.moved_forward}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Celebration(win: Win) -> impl IntoView {
    view! {
        <div class="tv-celebration" role="status">
            <div class="tv-confetti" aria-hidden="true">
                {(0..24).map(|_| view! { <i></i> }).collect_view()}
            </div>
            <p class="tv-celebration-kicker">"Won!"</p>
            <p class="tv-celebration-title">{win.card.title.clone()}</p>
            <p class="tv-celebration-value">{money(win.card.value, &win.card.currency)}</p>
            <p class="tv-celebration-who">{win.card.owner_name.clone()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_page_names_the_bundle_the_build_wrote() {
        let text = "js: tv.0123456789abcdef.js\nwasm: tv.fedcba9876543210.wasm\n";
        assert_eq!(
            parse_bundle_files(text),
            Some((
                "tv.0123456789abcdef.js".to_string(),
                "tv.fedcba9876543210.wasm".to_string()
            ))
        );
    }

    #[test]
    fn a_damaged_bundle_list_names_no_script_rather_than_a_broken_one() {
        assert_eq!(parse_bundle_files("js: tv.1.js\n"), None);
        assert_eq!(parse_bundle_files(""), None);
        // Nothing that could leave the attribute or the script's string.
        assert_eq!(parse_bundle_files("js: a'.js\nwasm: tv.1.wasm"), None);
        assert_eq!(parse_bundle_files("js: tv.1.js\nwasm: ../x\"y.wasm"), None);
    }

    #[test]
    fn the_screen_reads_its_secret_from_its_path() {
        assert_eq!(token_in("/tv/tv_abc123"), "tv_abc123");
        assert_eq!(token_in("/board"), "");
    }
}
