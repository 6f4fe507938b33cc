//! `make bench` (or `cargo run --release -p server --example streams`, after `make
//! build`): how fast a change reaches every open live stream, and what an idle stream
//! costs. Tend runs as its own process (`target/release/tend`) on a fresh SQLite file,
//! so its memory is measured apart from this client's.
//!
//! For 100, 1,000 and 5,000 open streams: the delay from sending a move until each
//! stream has it (p50 / p99 / max over every stream and move), beside the move's own
//! answer time. Then the server's memory with 10,000 idle streams open.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const MOVES: usize = 20;
const LOADS: [usize; 3] = [100, 1_000, 5_000];
const IDLE: usize = 10_000;

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("tend-streams-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let db = format!("sqlite://{}/tend.db", dir.display());
    let token = admin_token(&db);
    let port = free_port();
    let mut tend = start(&db, port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_healthy(&http, &base).await;

    let pipelines: serde_json::Value = http
        .get(format!("{base}/api/v1/pipelines"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("pipelines")
        .json()
        .await
        .expect("json");
    let stages: Vec<String> = pipelines[0]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect();
    let deal: serde_json::Value = http
        .post(format!("{base}/api/v1/deals"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Streamed", "value": 100, "currency": "SEK", "stage_id": stages[0]}))
        .send()
        .await
        .expect("deal")
        .json()
        .await
        .expect("json");
    let id = deal["id"].as_str().expect("deal id").to_string();
    let mut version = deal["version"].as_i64().expect("version");

    println!("## Live streams (Tend as its own process, SQLite; {MOVES} moves per row)");
    println!("| open streams | move answered p50 | delivered to every stream p50 | p99 | max | server RSS growth per stream |");
    println!("|---|---|---|---|---|---|");
    for n in LOADS {
        let before = rss_kib(tend.id());
        let (streams, mut arrivals) = open_streams(&base, &token, n).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let per_stream = (rss_kib(tend.id()).saturating_sub(before)) as f64 / n as f64;
        let mut answered = Vec::new();
        let mut delivered = Vec::new();
        for i in 0..MOVES {
            let to = &stages[(i + 1) % 2];
            let sent = Instant::now();
            let r = http
                .post(format!("{base}/api/v1/deals/{id}/move"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"stage_id": to, "version": version}))
                .send()
                .await
                .expect("move");
            answered.push(sent.elapsed());
            assert!(r.status().is_success(), "move refused: {}", r.status());
            version += 1;
            for _ in 0..n {
                let at = tokio::time::timeout(Duration::from_secs(30), arrivals.recv())
                    .await
                    .expect("every stream hears of the move")
                    .expect("arrival");
                delivered.push(at.saturating_duration_since(sent));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(streams);
        answered.sort();
        delivered.sort();
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        let p = |v: &[Duration], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {n} | {} | {} | {} | {} | {:.1} KiB |",
            ms(p(&answered, 0.5)),
            ms(p(&delivered, 0.5)),
            ms(p(&delivered, 0.99)),
            ms(*delivered.last().expect("samples")),
            per_stream
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let before = rss_kib(tend.id());
    let (streams, _arrivals) = open_streams(&base, &token, IDLE).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_kib(tend.id());
    println!(
        "| {IDLE} idle | | | | | RSS {} → {} MiB: {:.1} MiB for them, {:.1} KiB each |",
        before / 1024,
        after / 1024,
        after.saturating_sub(before) as f64 / 1024.0,
        after.saturating_sub(before) as f64 / IDLE as f64
    );
    drop(streams);
    let _ = tend.kill();
    let _ = tend.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Opens `n` streams; each reports the moment a change message reaches it.
async fn open_streams(
    base: &str,
    token: &str,
    n: usize,
) -> (
    Vec<tokio::task::JoinHandle<()>>,
    mpsc::UnboundedReceiver<Instant>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut handles = Vec::with_capacity(n);
    // HTTP/1.1: one connection per open stream, as browsers and integrations have.
    let http = reqwest::Client::new();
    for chunk in 0..n.div_ceil(200) {
        let opened: Vec<_> = (chunk * 200..((chunk + 1) * 200).min(n))
            .map(|_| {
                let http = http.clone();
                let url = format!("{base}/api/v1/events");
                let token = token.to_string();
                async move { http.get(url).bearer_auth(token).send().await }
            })
            .collect();
        for r in futures_util::future::join_all(opened).await {
            let r = r.expect("a stream opens");
            assert!(r.status().is_success(), "stream refused: {}", r.status());
            let tx = tx.clone();
            handles.push(tokio::spawn(async move {
                use futures_util::StreamExt;
                let mut body = r.bytes_stream();
                while let Some(Ok(chunk)) = body.next().await {
                    // A change message carries `id:`; keep-alives are comments.
                    if chunk.windows(4).any(|w| w == b"\nid:" || w == b"id: ")
                        || chunk.starts_with(b"id:")
                    {
                        let _ = tx.send(Instant::now());
                    }
                }
            }));
        }
    }
    (handles, rx)
}

fn admin_token(db: &str) -> String {
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new("target/release/tend")
            .args(args)
            .env("DATABASE_URL", db)
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("target/release/tend runs (make build first)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("stdin written");
        let out = child.wait_with_output().expect("tend finishes");
        assert!(out.status.success(), "tend {args:?} failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    run(
        &["user", "add", "bench@example.com", "--admin"],
        "a long password\n",
    );
    run(&["token", "create", "--user", "bench@example.com"], "")
}

fn start(db: &str, port: u16) -> Child {
    Command::new("target/release/tend")
        .arg("serve")
        .env("DATABASE_URL", db)
        .env("TEND_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "tend")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("tend starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("tend did not start");
}

/// A process's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
