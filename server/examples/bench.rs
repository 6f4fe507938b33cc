//! `make bench` (or `cargo run --release -p server --example bench`): prints the figures
//! kept in BENCHMARKS.md. Run `make build` first so the asset sizes are current.

#![recursion_limit = "256"]

use app::domain::deal::{Deal, DealChange, DealDraft};
use app::domain::event::instant;
use app::domain::ids::{DealId, StageId};
use app::ssr::db::{deal_events, deals, Db};
use app::ssr::ops;
use app::ssr::state::AppState;
use app::ssr::testing::TestDb;
use chrono::Utc;
use std::time::{Duration, Instant};

const MOVES: usize = 2_000;
const MOVE_RATE_PER_SEC: u64 = 200;
const BOARD_DEALS: usize = 10_000;
const BOARD_RENDERS: usize = 30;

#[tokio::main]
async fn main() {
    asset_sizes();
    let test_db = TestDb::sqlite().await;
    let db = test_db.db.clone();
    let now = Utc::now();
    let (admin, pipeline) = test_db.with_admin().await;
    let stages: Vec<StageId> = pipeline.stages.iter().map(|s| s.id).collect();
    let token = ops::auth::create_token(&db, app::ssr::testing::ADMIN_EMAIL, "bench", now)
        .await
        .expect("token");
    let (_, session) = ops::auth::sign_in(
        &db,
        app::ssr::testing::ADMIN_EMAIL,
        app::ssr::testing::ADMIN_PASSWORD,
        now,
    )
    .await
    .expect("session");
    let base = spawn(db.clone()).await;
    let http = reqwest::Client::new();

    println!("\n## Move a deal (SQLite, {MOVES} moves, one at a time at {MOVE_RATE_PER_SEC}/s)");
    let deal = ops::deals::create(&db, &admin, draft("Bench deal", stages[0]), now)
        .await
        .expect("deal");
    let mut version = deal.version;
    let mut api = Vec::with_capacity(MOVES);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / MOVE_RATE_PER_SEC));
    for i in 0..MOVES {
        tick.tick().await;
        let to = stages[(i + 1) % 2];
        let started = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/deals/{}/move", deal.id))
            .bearer_auth(&token)
            .json(&serde_json::json!({"stage_id": to, "version": version}))
            .send()
            .await
            .expect("request");
        assert!(r.status().is_success(), "move refused: {}", r.status());
        let moved: serde_json::Value = r.json().await.expect("json");
        api.push(started.elapsed());
        version = moved["version"].as_i64().expect("version");
    }
    let mut bare = Vec::with_capacity(MOVES);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / MOVE_RATE_PER_SEC));
    for i in 0..MOVES {
        tick.tick().await;
        let started = Instant::now();
        bare_move(&db, deal.id, stages[(i + 1) % 2]).await;
        bare.push(started.elapsed());
    }
    let mut version = ops::deals::get(&db, &admin, deal.id)
        .await
        .expect("deal")
        .version;
    let mut op = Vec::with_capacity(MOVES);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / MOVE_RATE_PER_SEC));
    for i in 0..MOVES {
        tick.tick().await;
        let started = Instant::now();
        let to = stages[(i + 1) % 2];
        let moved = ops::deals::change(
            &db,
            &admin,
            deal.id,
            version,
            DealChange::Move(to),
            Utc::now(),
        )
        .await
        .expect("move");
        version = moved.version;
        op.push(started.elapsed());
    }
    row("API POST /api/v1/deals/{id}/move", &mut api);
    row("the use-case alone (ops::deals::change, no HTTP)", &mut op);
    row("bare transaction (SELECT, UPDATE, INSERT event)", &mut bare);

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
    test_db.drop_now().await;
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
    deal_events::append(&mut tx, id, at, None, &event)
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
        deal_events::append(&mut tx, deal.id, at, Some(admin.id), &event)
            .await
            .expect("event");
    }
    tx.commit().await.expect("commit");
}

/// Starts Tend on its own runtime and thread, so the measuring client does not share
/// the server's scheduler (as a real client would not).
async fn spawn(db: Db) -> String {
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("tend")
        .site_root("target/site")
        .build();
    let state = AppState {
        db,
        leptos_options,
        secure_cookies: false,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, server::router(state)).await });
    format!("http://{addr}")
}

fn row(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {what} | p50 {:.2} ms | p99 {:.2} ms | n = {} |",
        ms(p(0.50)),
        ms(p(0.99)),
        samples.len()
    );
}

/// Sizes of what a browser downloads on first load, as built (raw) and as served
/// (the .gz and .br files the release build writes beside them).
fn asset_sizes() {
    println!("## First-load assets (target/site/pkg)");
    let dir = std::path::Path::new("target/site/pkg");
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("(no build found: run `make build` first)");
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css")
            )
        })
        .collect();
    files.sort();
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let kb = |b: Option<u64>| {
        b.map(|b| format!("{:.1} KB", b as f64 / 1024.0))
            .unwrap_or("–".into())
    };
    let mut total_br = 0;
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let gz = size(&f.with_file_name(format!("{name}.gz")));
        let br = size(&f.with_file_name(format!("{name}.br")));
        total_br += br.unwrap_or(0);
        println!(
            "| {name} | raw {} | gzip {} | brotli {} |",
            kb(size(f)),
            kb(gz),
            kb(br)
        );
    }
    println!("| first load, brotli | {} | | |", kb(Some(total_br)));
}
