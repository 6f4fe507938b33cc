//! `make bench` (or `cargo run --release -p server --example bench`): prints the figures
//! kept in BENCHMARKS.md. Run `make build` first so the asset sizes are current;
//! `-- --sizes-only` prints only those; `-- --forecast-only 1000000` only the forecast
//! and the statistics over that many logged events, on SQLite and (with TEND_TEST_POSTGRES_URL) PostgreSQL;
//! `-- --duplicates-only 100000` only the search for likely duplicates over that many
//! people (and a tenth as many organizations), on each engine; `-- --import-only 50000`
//! only a CSV import of that many deals (a Pipedrive export, `;` and Swedish amounts).

#![recursion_limit = "256"]

use app::domain::deal::{Deal, DealChange, DealDraft};
use app::domain::event::instant;
use app::domain::ids::{DealId, StageId};
use app::ssr::db::{deal_events, deals, Db};
use app::ssr::ops;
use app::ssr::state::{AppState, Site};
use app::ssr::testing::TestDb;
use chrono::Utc;
use std::time::{Duration, Instant};

const MOVES: usize = 2_000;
const MOVE_RATE_PER_SEC: u64 = 200;
const BOARD_DEALS: usize = 10_000;
const BOARD_RENDERS: usize = 30;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--flood-only") {
        let test_db = TestDb::sqlite().await;
        sign_in_flood(&test_db.db).await;
        test_db.drop_now().await;
        return;
    }
    if let Some(rows) = arg_after("--import-only") {
        import_bench(rows.parse().expect("a number of rows")).await;
        return;
    }
    if let Some(people) = arg_after("--duplicates-only") {
        duplicates_bench(people.parse().expect("a number of people")).await;
        return;
    }
    if let Some(events) = arg_after("--forecast-only") {
        forecast_bench(events.parse().expect("a number of events")).await;
        return;
    }
    asset_sizes();
    if std::env::args().any(|a| a == "--sizes-only") {
        return;
    }
    let test_db = TestDb::sqlite().await;
    let db = test_db.db.clone();
    let now = Utc::now();
    let (admin, pipeline) = test_db.with_admin().await;
    let stages: Vec<StageId> = pipeline.stages.iter().map(|s| s.id).collect();
    let token = ops::auth::create_token(&db, app::ssr::testing::ADMIN_EMAIL, "bench", now)
        .await
        .expect("token");
    let attempt = ops::auth::SignIn {
        email: app::ssr::testing::ADMIN_EMAIL,
        password: app::ssr::testing::ADMIN_PASSWORD,
        address: std::net::Ipv4Addr::LOCALHOST.into(),
        previous: None,
    };
    let (_, session) = ops::auth::sign_in(&db, &Default::default(), attempt, now)
        .await
        .expect("session");
    let (base, _) = spawn(db.clone(), Site::default()).await;
    let http = reqwest::Client::new();

    println!(
        "\n## Move a deal (SQLite, {MOVES} moves each way, each way at {MOVE_RATE_PER_SEC}/s, taking turns)"
    );
    // The three ways take turns at each tick, each on a deal of its own, so a noisy
    // moment on the machine lands on all three alike.
    let mut deal = Vec::new();
    for way in ["API", "use-case", "bare"] {
        let d = ops::deals::create(&db, &admin, draft(way, stages[0]), now)
            .await
            .expect("deal")
            .deal;
        deal.push((d.id, d.version));
    }
    let (mut api, mut op, mut bare) = (Vec::new(), Vec::new(), Vec::new());
    let mut caller = Vec::new();
    // Each way runs at MOVE_RATE_PER_SEC; the three share the clock.
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / MOVE_RATE_PER_SEC / 3));
    for i in 0..MOVES {
        let to = stages[(i + 1) % 2];

        tick.tick().await;
        let (id, version) = deal[0];
        let started = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/deals/{id}/move"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"stage_id": to, "version": version}))
            .send()
            .await
            .expect("request");
        assert!(r.status().is_success(), "move refused: {}", r.status());
        let moved: serde_json::Value = r.json().await.expect("json");
        api.push(started.elapsed());
        deal[0].1 = moved["version"].as_i64().expect("version");

        tick.tick().await;
        let (id, version) = deal[1];
        let started = Instant::now();
        let moved = ops::deals::change(&db, &admin, id, version, DealChange::Move(to), Utc::now())
            .await
            .expect("move")
            .deal;
        op.push(started.elapsed());
        deal[1].1 = moved.version;

        tick.tick().await;
        let started = Instant::now();
        bare_move(&db, deal[2].0, to).await;
        bare.push(started.elapsed());

        // What every API call pays to learn who is calling (looked up afresh each
        // time, so a revoked token stops at once).
        let started = Instant::now();
        ops::auth::token_user(&db, &token).await.expect("caller");
        caller.push(started.elapsed());
    }
    let api = row("API POST /api/v1/deals/{id}/move", &mut api);
    row("the use-case alone (ops::deals::change, no HTTP)", &mut op);
    let bare = row("bare transaction (SELECT, UPDATE, INSERT event)", &mut bare);
    row(
        "the caller's lookup by token, part of every API call",
        &mut caller,
    );
    println!(
        "| API ÷ bare transaction | p50 {:.1}× | p90 {:.1}× | p99 {:.1}× | |",
        api[0] / bare[0],
        api[1] / bare[1],
        api[2] / bare[2]
    );

    println!("\n## Board with {BOARD_DEALS} open deals ({BOARD_RENDERS} renders)");
    seed_open_deals(&db, &admin, &stages).await;
    let mut render = Vec::new();
    for _ in 0..BOARD_RENDERS {
        let started = Instant::now();
        let page = http
            .get(format!("{base}/board"))
            .header("cookie", format!("tend_session={session}"))
            .send()
            .await
            .expect("board");
        assert!(page.status().is_success());
        let html = page.text().await.expect("html");
        assert!(html.contains("Prospect/lead"));
        render.push(started.elapsed());
    }
    let mut raw = Vec::new();
    for _ in 0..BOARD_RENDERS {
        let started = Instant::now();
        let mut tx = db.read().await.expect("read");
        let filter = deals::BoardFilter::default();
        let sums = deals::board_sums(&mut tx, pipeline.id, &filter)
            .await
            .expect("sums");
        let cards = deals::board_cards(&mut tx, pipeline.id, &filter, ops::board::CARDS_PER_STAGE)
            .await
            .expect("cards");
        assert!(!sums.is_empty() && !cards.is_empty());
        raw.push(started.elapsed());
    }
    row("server render of GET /board (HTML)", &mut render);
    row("raw queries for the same rows (sums + cards)", &mut raw);
    sign_in_flood(&db).await;
    test_db.drop_now().await;
}

const FLOOD: u32 = 10_000;

/// Memory under a sign-in flood: every attempt a made-up email from a made-up address
/// (a proxy header lets each claim its own), the worst case for the throttle's memory.
async fn sign_in_flood(db: &Db) {
    println!("\n## Sign-in flood ({FLOOD} attempts, each a new email from a new address)");
    let site = Site {
        client_ip_header: Some("x-forwarded-for".into()),
        ..Site::default()
    };
    let (base, state) = spawn(db.clone(), site).await;
    let http = reqwest::Client::new();
    let before = rss_kib();
    let started = Instant::now();
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    let mut sent = 0u32;
    let mut along = Vec::new();
    while sent < FLOOD {
        if sent % 2_000 == 0 && sent > 0 {
            along.push(format!("{sent}: {} MiB", rss_kib() / 1024));
        }
        let batch: Vec<_> = (sent..(sent + 16).min(FLOOD))
            .map(|i| {
                let address = std::net::Ipv4Addr::from(0x0a00_0000 + i);
                http.post(format!("{base}/api/sign_in"))
                    .header("origin", &base)
                    .header("x-forwarded-for", address.to_string())
                    .form(&[
                        ("email", format!("flood-{i}@example.com")),
                        ("password", "a guess at it".into()),
                    ])
                    .send()
            })
            .collect();
        sent += batch.len() as u32;
        for r in futures_util::future::join_all(batch).await {
            *statuses
                .entry(r.expect("answer").status().as_u16())
                .or_default() += 1;
        }
    }
    let after = rss_kib();
    let (emails, addresses) = state.sign_in_throttle.remembered();
    println!("| RSS before | {} MiB |", before / 1024);
    println!("| RSS along the way | {} |", along.join(", "));
    println!(
        "| RSS after {FLOOD} attempts | {} MiB | {:.0} s, answers {statuses:?} |",
        after / 1024,
        started.elapsed().as_secs_f64()
    );
    println!(
        "| remembered | {emails} emails, {addresses} addresses (each capped at {}) |",
        app::ssr::throttle::MAX_KEYS
    );

    // The throttle alone, far past its cap.
    let throttle = app::ssr::throttle::SignInThrottle::default();
    let before = rss_kib();
    let now = Utc::now();
    for i in 0..1_000_000u32 {
        let address = std::net::Ipv4Addr::from(i).into();
        let _ = throttle.reserve(&format!("made-up-{i}@example.com"), address, now);
    }
    let (emails, addresses) = throttle.remembered();
    println!(
        "| throttle alone, 1,000,000 made-up emails | RSS {} → {} MiB | {emails} emails, {addresses} addresses kept |",
        before / 1024,
        rss_kib() / 1024
    );
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn draft(title: &str, stage: StageId) -> DealDraft {
    DealDraft {
        title: title.into(),
        value: 1_000_000,
        currency: "SEK".into(),
        stage_id: stage,
        ..Default::default()
    }
}

/// The transaction a move performs, without HTTP, auth or JSON.
async fn bare_move(db: &Db, id: DealId, to: StageId) {
    let mut tx = db.write().await.expect("tx");
    let mut deal: Deal = deals::find(&mut tx, id).await.expect("find").expect("deal");
    let read = deal.version;
    let at = instant(Utc::now());
    let stage = app::ssr::db::stages::find(&mut tx, to)
        .await
        .expect("stage")
        .expect("stage");
    let event = deal.move_to(&stage, at).expect("move").expect("moved");
    assert!(deals::update(&mut tx, &deal, read).await.expect("update"));
    deal_events::append(&mut tx, id, at, None, &event, None)
        .await
        .expect("event");
    tx.commit().await.expect("commit");
}

async fn seed_open_deals(db: &Db, admin: &app::domain::user::User, stages: &[StageId]) {
    let at = instant(Utc::now());
    let mut tx = db.write().await.expect("tx");
    for i in 0..BOARD_DEALS {
        let stage = app::ssr::db::stages::find(&mut tx, stages[i % stages.len()])
            .await
            .expect("stage")
            .expect("stage");
        let (new, _) = draft(&format!("Deal {i}"), stage.id)
            .parse(admin.id)
            .expect("draft");
        let (deal, event) = Deal::create(new, &stage, at);
        deals::insert(&mut tx, &deal).await.expect("insert");
        deal_events::append(&mut tx, deal.id, at, Some(admin.id), &event, None)
            .await
            .expect("event");
    }
    tx.commit().await.expect("commit");
}

/// Starts Tend on its own runtime and thread, so the measuring client does not share
/// the server's scheduler (as a real client would not).
async fn spawn(db: Db, site: Site) -> (String, AppState) {
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("tend")
        .site_root("target/site")
        .build();
    let state = AppState::new(db, leptos_options, site);
    let serving = state.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            server::serve(listener, serving, std::future::pending()).await
        })
    });
    (format!("http://{addr}"), state)
}

/// Prints p50, p90 and p99 of `samples` and returns them, in milliseconds.
fn row(what: &str, samples: &mut [Duration]) -> [f64; 3] {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {what} | p50 {:.2} ms | p90 {:.2} ms | p99 {:.2} ms | n = {} |",
        ms(p(0.50)),
        ms(p(0.90)),
        ms(p(0.99)),
        samples.len()
    );
    [ms(p(0.50)), ms(p(0.90)), ms(p(0.99))]
}

/// Sizes of what a browser downloads, as built (raw) and as served (the .gz and .br
/// files the release build writes beside them): first the board's first load (the main
/// wasm, its js and the css), then each page split off into chunks of its own, which a
/// browser fetches when it first opens that page.
fn asset_sizes() {
    println!("## First-load assets (target/site/pkg)");
    let dir = std::path::Path::new("target/site/pkg");
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("(no build found: run `make build` first)");
        return;
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    let name = |p: &std::path::Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string()
    };
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let sizes = |f: &std::path::Path| {
        let n = name(f);
        (
            size(f),
            size(&f.with_file_name(format!("{n}.gz"))),
            size(&f.with_file_name(format!("{n}.br"))),
        )
    };
    let kb = |b: u64| format!("{:.1} KB", b as f64 / 1024.0);
    let first_load = files.iter().filter(|f| {
        let n = name(f);
        let main = n.starts_with("tend.")
            && (n.ends_with(".wasm") || n.ends_with(".js") || n.ends_with(".css"));
        main || (n.starts_with("__wasm_split.") && n.ends_with(".js"))
    });
    // Prints a row per file; answers their brotli bytes in all.
    let listed = |files: &[&std::path::PathBuf]| -> u64 {
        files
            .iter()
            .map(|f| {
                let (raw, gz, br) = sizes(f);
                println!(
                    "| {} | raw {} | gzip {} | brotli {} |",
                    name(f),
                    kb(raw),
                    kb(gz),
                    kb(br)
                );
                br
            })
            .sum()
    };
    let total_br = listed(&first_load.collect::<Vec<_>>());
    println!(
        "| first load of the board, brotli | {} ({total_br} bytes) | | |",
        kb(total_br)
    );

    // The meeting-room screen: its own wasm and script (frontend/tv), the main
    // stylesheet and the screen's own (served compressed as it goes out; brotli here).
    let screen: Vec<_> = files
        .iter()
        .filter(|f| {
            let n = name(f);
            (n.starts_with("tv.") && (n.ends_with(".wasm") || n.ends_with(".js")))
                || (n.starts_with("tend.") && n.ends_with(".css"))
        })
        .collect();
    let mut screen_br = listed(&screen);
    let sheet = include_str!("../../style/tv.css");
    let mut sheet_br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams::default();
    if brotli::BrotliCompress(&mut sheet.as_bytes(), &mut sheet_br, &params).is_ok() {
        screen_br += sheet_br.len() as u64;
        println!(
            "| /styles/tv-….css | raw {} | | brotli {} |",
            kb(sheet.len() as u64),
            kb(sheet_br.len() as u64)
        );
    }
    if screen.iter().any(|f| name(f).ends_with(".wasm")) {
        println!(
            "| first load of the meeting-room screen, brotli | {} ({screen_br} bytes) | | |",
            kb(screen_br)
        );
    } else {
        println!("(no meeting-room screen bundle: `make build` builds it)");
    }

    // Which chunks each split-off page needs, from the manifest the split build writes.
    let manifest = files
        .iter()
        .find(|f| name(f).starts_with("__wasm_split_manifest.") && name(f).ends_with(".json"))
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|text| {
            serde_json::from_str::<std::collections::BTreeMap<String, Vec<String>>>(&text).ok()
        })
        .unwrap_or_default();
    for (page, chunks) in manifest {
        let br: u64 = chunks
            .iter()
            .map(|c| size(&dir.join(format!("{c}.wasm.br"))))
            .sum();
        // `__deal_route_view_<hash>` is a page; `lost_form_<hash>` a piece of one.
        let name = page.trim_start_matches("__");
        let name = name.rsplit_once('_').map_or(name, |(n, _)| n);
        let what = match name.strip_suffix("_route_view") {
            Some(page) => format!(
                "on first opening the {page} page (its first load when opened directly: {})",
                kb(total_br + br)
            ),
            None => format!("when first needed: {name}"),
        };
        println!("| then, {what} | | | + {} |", kb(br));
    }
}

fn arg_after(flag: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The forecast (what the API, the forecast page and every board's widgets read) over
/// a log of `events` events: deals created over two years, moved on through the stages,
/// about half of them won or lost, the rest open.
async fn forecast_bench(events: usize) {
    use app::domain::dice::Dice;
    let mut engines = vec![TestDb::sqlite().await];
    engines.extend(TestDb::postgres().await);
    for test_db in engines {
        let db = test_db.db.clone();
        let (admin, pipeline) = test_db.with_admin().await;
        let mut stages = pipeline.stages.clone();
        stages.sort_by_key(|s| s.position);
        let now = instant(Utc::now());
        let started = Instant::now();
        let mut dice = Dice(7);
        let mut logged = 0;
        while logged < events {
            let mut tx = db.write().await.expect("write");
            for _ in 0..2_000 {
                let created = now - chrono::Duration::minutes(dice.below(2 * 365 * 24 * 60) as i64);
                let mut d = draft("Bench deal", stages[0].id);
                d.expected_close_date = Some((created + chrono::Duration::days(45)).date_naive());
                let (new, _) = d.parse(admin.id).expect("draft");
                let (mut deal, first) = Deal::create(new, &stages[0], created);
                let mut steps = vec![(created, first)];
                let mut at = created;
                for stage in stages.iter().skip(1) {
                    at += chrono::Duration::hours(1 + dice.below(24 * 20) as i64);
                    if at >= now || !dice.chance(60) {
                        break;
                    }
                    if let Some(e) = deal.move_to(stage, at).expect("move") {
                        steps.push((at, e));
                    }
                }
                at += chrono::Duration::hours(1 + dice.below(24 * 20) as i64);
                if at < now && dice.chance(80) {
                    let e = if dice.chance(40) {
                        deal.win(at).expect("win")
                    } else {
                        deal.lose("Price", at).expect("lose")
                    };
                    steps.push((at, e));
                }
                deals::insert(&mut tx, &deal).await.expect("insert");
                for (at, e) in &steps {
                    deal_events::append(&mut tx, deal.id, *at, Some(admin.id), e, None)
                        .await
                        .expect("append");
                }
                logged += steps.len();
            }
            tx.commit().await.expect("commit");
        }
        let open = {
            let mut tx = db.read().await.expect("read");
            deals::count_in_pipeline(&mut tx, pipeline.id)
                .await
                .expect("count")
        };
        println!(
            "\n## Forecast over {logged} logged events ({}, {open} deals; made in {:.0} s)",
            db.engine(),
            started.elapsed().as_secs_f64()
        );
        let forecast = || {
            let (db, admin) = (db.clone(), admin.clone());
            async move {
                let started = Instant::now();
                let rows =
                    ops::forecast::forecast(&db, &admin, Some(pipeline.id), None, None, Utc::now())
                        .await
                        .expect("forecast");
                assert!(!rows.is_empty());
                started.elapsed()
            }
        };
        let asked = ops::stats::Asked {
            pipeline: Some(pipeline.id),
            ..Default::default()
        };
        let first = forecast().await;
        let (mut forecasts, mut funnels, mut summaries) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..5 {
            // A deal comes in, then every open board reads the forecast again.
            ops::deals::create(
                &db,
                &admin,
                draft(&format!("New {i}"), stages[0].id),
                Utc::now(),
            )
            .await
            .expect("create");
            forecasts.push(forecast().await);
            let started = Instant::now();
            let f = ops::stats::funnel(&db, &admin, &asked, Utc::now())
                .await
                .expect("funnel");
            assert!(f.deals > 0);
            funnels.push(started.elapsed());
            let started = Instant::now();
            ops::stats::summary(&db, &admin, &asked, Utc::now())
                .await
                .expect("summary");
            summaries.push(started.elapsed());
        }
        let kept = {
            let mut tx = db.read().await.expect("read");
            app::ssr::replays::as_of(&mut tx, pipeline.id, Utc::now())
                .await
                .expect("replay")
        };
        let mut simulations = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            app::domain::forecast::as_it_stood(
                &kept,
                &pipeline.stages,
                Utc::now(),
                app::domain::forecast::PeriodKind::Month,
                ops::forecast::PERIODS_AHEAD,
                None,
            );
            simulations.push(started.elapsed());
        }
        let open = kept
            .deals
            .iter()
            .filter(|d| d.status == app::domain::deal::DealStatus::Open)
            .count();
        let median = |mut v: Vec<Duration>| {
            v.sort();
            ms(v[v.len() / 2])
        };
        println!(
            "| first forecast after start (the whole log replayed) | {:.0} ms |\n\
             | forecast after a new deal, median of 5 | {:.0} ms |\n\
             | of which the simulation ({} futures of {open} open deals) | {:.0} ms |\n\
             | funnel (last 90 days) after a new deal, median of 5 | {:.0} ms |\n\
             | summary (last 90 days, 13 weekly points), median of 5 | {:.0} ms |",
            ms(first),
            median(forecasts),
            app::domain::forecast::RUNS,
            median(simulations),
            median(funnels),
            median(summaries),
        );
        test_db.drop_now().await;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The duplicate search over `people` people, one in twenty a second record of someone
/// (the same email, phone or a near name), and a tenth as many organizations.
async fn duplicates_bench(people: usize) {
    use app::domain::contact::{OrganizationDraft, PersonDraft};
    use app::ssr::db::{organizations, persons};
    const FIRST: [&str; 20] = [
        "Anna", "Erik", "Karin", "Lars", "Maja", "Nils", "Olga", "Per", "Rut", "Sven", "Tova",
        "Ulf", "Vera", "Axel", "Berit", "Carl", "Disa", "Elin", "Frej", "Greta",
    ];
    const LAST: [&str; 10] = [
        "Berg", "Lind", "Ek", "Holm", "Sjöberg", "Nyström", "Åkesson", "Wallin", "Falk", "Dahl",
    ];
    for test_db in TestDb::all().await {
        let db = test_db.db.clone();
        let (admin, _) = test_db.with_admin().await;
        let now = Utc::now();
        let mut tx = db.write().await.expect("tx");
        let orgs = (people / 10).max(1);
        for i in 0..orgs {
            let name = format!("{} {} AB", LAST[i % 10], i);
            let org = OrganizationDraft {
                name,
                ..OrganizationDraft::default()
            };
            organizations::insert(&mut tx, &org.parse(now).expect("org"))
                .await
                .expect("insert");
        }
        for i in 0..people {
            let n = if i % 20 == 19 { i - 1 } else { i };
            let name = format!("{} {} {}", FIRST[n % 20], LAST[(n / 20) % 10], n / 200);
            let draft = PersonDraft {
                name,
                email: (n % 3 == 0).then(|| format!("p{n}@example.se")),
                phone: (n % 3 == 1).then(|| format!("070-{:07}", n)),
                ..PersonDraft::default()
            };
            let (person, _) = draft.parse(now).expect("person");
            persons::insert(&mut tx, &person).await.expect("insert");
        }
        tx.commit().await.expect("commit");
        let mut took = Vec::new();
        let mut found = None;
        for _ in 0..5 {
            let started = Instant::now();
            found = Some(
                ops::contacts::duplicates(&db, &admin)
                    .await
                    .expect("duplicates"),
            );
            took.push(started.elapsed());
        }
        took.sort();
        let found = found.expect("ran");
        println!(
            "\n## Likely duplicates ({}, {people} people, {orgs} organizations)\n\n\
             median {:.0} ms, slowest {:.0} ms over 5 searches; {} people pairs and {} organization pairs reported",
            db.engine(),
            took[2].as_secs_f64() * 1000.0,
            took[4].as_secs_f64() * 1000.0,
            found.people.len(),
            found.organizations.len(),
        );
        test_db.drop_now().await;
    }
}

/// Imports a made-up Pipedrive export of `rows` deals (a fifth won or lost, 500
/// organizations and people) into an empty database, on each engine.
async fn import_bench(rows: usize) {
    use app::domain::import::{ImportKind, Mapping};
    use app::ssr::ops::import::{run, ImportOptions};
    let stages = ["Prospect/lead", "Qualification", "Proposal", "Commitment"];
    let mut file = String::from(
        "Deal - Title;Deal - Value;Deal - Currency;Deal - Stage;Deal - Status;Deal - Lost reason;\
         Deal - Organization;Deal - Contact person;Deal - Expected close date;Deal - Deal created\r\n",
    );
    for i in 0..rows {
        let status = match i % 10 {
            0 => "won",
            1 => "lost",
            _ => "open",
        };
        file.push_str(&format!(
            "Deal {i};{} {:03},50;SEK;{};{status};{};Company {};Person {};2027-0{}-15;2026-0{}-0{} 10:00:00\r\n",
            1 + i % 90,
            i % 1000,
            stages[i % 4],
            if status == "lost" { "Price" } else { "" },
            i % 500,
            i % 500,
            1 + i % 9,
            1 + i % 9,
            1 + i % 9,
        ));
    }
    println!(
        "\n## CSV import ({rows} deals, {:.1} MB)",
        file.len() as f64 / 1e6
    );
    for test_db in TestDb::all().await {
        let db = test_db.db.clone();
        let (admin, _) = test_db.with_admin().await;
        let options = ImportOptions {
            kind: ImportKind::Deals,
            mapping: Mapping::Pipedrive,
            currency: app::domain::money::Currency::parse("SEK").expect("SEK"),
            dry_run: false,
            fields: None,
        };
        let started = Instant::now();
        let mut ticks = 0;
        let mut progress = |_: usize, _: usize| ticks += 1;
        let report = run(
            &db,
            &admin,
            &options,
            file.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .expect("import");
        let took = started.elapsed();
        assert_eq!((report.created, report.error_count), (rows, 0));
        println!(
            "{}: {:.1} s, {:.0} rows/s ({} progress reports)",
            db.engine(),
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64(),
            ticks
        );
        test_db.drop_now().await;
    }
}
