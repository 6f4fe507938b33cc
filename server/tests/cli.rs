//! The `tend` binary's commands, run as a person would run them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tend(db: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tend starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("password is written");
    child.wait_with_output().expect("tend finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_admin_is_added_with_a_password_from_stdin_and_gets_an_api_token() {
    let dir = std::env::temp_dir().join(format!("tend-cli-{}", uuid::Uuid::now_v7().simple()));
    let db = format!("sqlite://{}/tend.db", dir.display());

    let short = tend(
        &db,
        &["user", "add", "ops@example.com", "--admin"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("Password must be at least 10 characters"));

    let added = tend(
        &db,
        &[
            "user",
            "add",
            "Ops@Example.com",
            "--admin",
            "--name",
            "Ops Team",
        ],
        "a long password\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("Created admin Ops Team <ops@example.com>"));

    let listed = tend(&db, &["user", "list"], "");
    assert!(text(&listed.stdout).contains("ops@example.com\tOps Team\tadmin"));

    let token = tend(&db, &["token", "create", "--user", "ops@example.com"], "");
    assert!(token.status.success());
    assert!(text(&token.stdout).trim().starts_with("tend_"));

    let unknown = tend(
        &db,
        &["token", "create", "--user", "nobody@example.com"],
        "",
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("nobody@example.com"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_web_form_made_at_the_console_prints_its_snippet_and_is_listed_until_revoked() {
    let dir = std::env::temp_dir().join(format!("tend-cli-{}", uuid::Uuid::now_v7().simple()));
    let db = format!("sqlite://{}/tend.db", dir.display());
    let made = tend(
        &db,
        &[
            "form",
            "create",
            "--source",
            "Website",
            "--name",
            "Contact page",
            "--public-url",
            "https://tend.example.com",
        ],
        "",
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let out = text(&made.stdout);
    let key = out.lines().next().unwrap().trim().to_string();
    assert!(key.starts_with("tf_"), "{out}");
    assert!(out.contains(&format!(r#"action="https://tend.example.com/f/{key}""#)));

    let bad = tend(
        &db,
        &[
            "form",
            "create",
            "--source",
            "Website",
            "--redirect",
            "ftp://x",
        ],
        "",
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("Redirect url"),
        "{}",
        text(&bad.stderr)
    );

    let listed = text(&tend(&db, &["form", "list"], "").stdout);
    assert!(
        listed.contains(&format!("{key}\tContact page\tWebsite")),
        "{listed}"
    );
    assert!(listed.contains("live"));
    let revoked = tend(&db, &["form", "revoke", "Contact page"], "");
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(text(&tend(&db, &["form", "list"], "").stdout).contains("revoked"));
    let again = tend(&db, &["form", "revoke", "Contact page"], "");
    assert!(!again.status.success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_demo_fills_an_empty_database_once_and_the_backtest_scores_both_methods_on_it() {
    let dir = std::env::temp_dir().join(format!("tend-cli-{}", uuid::Uuid::now_v7().simple()));
    let db = format!("sqlite://{}/tend.db", dir.display());

    let empty = tend(&db, &["forecast", "backtest"], "");
    assert!(text(&empty.stderr).contains("pipeline was not found"));

    let demo = tend(&db, &["demo"], "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    assert!(text(&demo.stdout).contains("anna@example.com"));
    let again = tend(&db, &["demo"], "");
    assert!(
        !again.status.success(),
        "the demo fills only an empty database"
    );

    let run = tend(&db, &["forecast", "backtest", "--pipeline", "sales"], "");
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(out.starts_with("Backtest of \"Sales\" by month"), "{out}");
    // One row per closed month, currency and lead; then the summary by lead.
    let rows = out.lines().filter(|l| l.contains(" empirical")).count();
    assert!(rows > 40, "{out}");
    for lead in ["1 ", "4 ", "8 ", "all "] {
        assert!(
            out.lines().any(|l| l.starts_with(lead) && l.ends_with('%')),
            "{lead}: {out}"
        );
    }
    let same = tend(&db, &["forecast", "backtest", "--pipeline", "sales"], "");
    assert_eq!(
        text(&same.stdout),
        out,
        "the same log gives the same numbers"
    );

    let snapshot = tend(&db, &["forecast", "snapshot"], "");
    assert!(snapshot.status.success(), "{}", text(&snapshot.stderr));
    assert!(
        text(&snapshot.stdout).starts_with("Wrote down the forecast of \"Sales\" for "),
        "{}",
        text(&snapshot.stdout)
    );
    let nowhere = tend(&db, &["forecast", "snapshot", "--pipeline", "Nope"], "");
    assert!(text(&nowhere.stderr).contains("Pipeline does not exist"));

    let bad = tend(&db, &["forecast", "backtest", "--period", "week"], "");
    assert!(text(&bad.stderr).contains("Period must be month or quarter"));
    let unknown = tend(&db, &["forecast", "backtest", "--pipeline", "Nope"], "");
    assert!(
        text(&unknown.stderr).contains("Pipeline does not exist"),
        "{}",
        text(&unknown.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_database_url_stops_start_up_naming_it() {
    let out = tend("mysql://localhost/tend", &["user", "list"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("DATABASE_URL"));
}

#[test]
fn help_documents_the_configuration() {
    let out = tend("sqlite::memory:", &["--help"], "");
    let help = text(&out.stdout);
    for needle in ["DATABASE_URL", "serve", "user", "token"] {
        assert!(help.contains(needle), "--help mentions {needle}");
    }
    let serve = text(&tend("sqlite::memory:", &["serve", "--help"], "").stdout);
    for needle in ["TEND_ADDR", "TEND_DEMO", "TEND_SECURE_COOKIES"] {
        assert!(serve.contains(needle), "serve --help mentions {needle}");
    }
}

#[test]
fn the_demo_setting_is_read_from_the_environment_when_tend_runs_alone() {
    let dir = std::env::temp_dir().join(format!("tend-demo-{}", uuid::Uuid::now_v7().simple()));
    let db = format!("sqlite://{}/tend.db", dir.display());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut server = Command::new(env!("CARGO_BIN_EXE_tend"))
        .env("DATABASE_URL", &db)
        .env("TEND_DEMO", "true")
        .env("TEND_ADDR", addr.to_string())
        .env("LEPTOS_OUTPUT_NAME", "tend")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tend starts");
    let mut first_line = String::new();
    let mut reader = std::io::BufReader::new(server.stdout.take().unwrap());
    let mut second_line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut first_line).unwrap();
    std::io::BufRead::read_line(&mut reader, &mut second_line).unwrap();
    server.kill().ok();
    server.wait().ok();
    assert!(
        first_line.contains(&format!("Tend is running at http://{addr}")),
        "{first_line}"
    );
    assert!(
        second_line.contains("Sign in as anna@example.com"),
        "{second_line}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A `tend serve` process on a free port over `db`, stopped when dropped.
struct Running {
    child: std::process::Child,
    base: String,
    db: String,
}

impl Running {
    async fn start(db: &str) -> Running {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let child = Command::new(env!("CARGO_BIN_EXE_tend"))
            .env("DATABASE_URL", db)
            .env("TEND_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "tend")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tend starts");
        let running = Running {
            child,
            base: format!("http://{addr}"),
            db: db.to_string(),
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = http.get(running.url("/healthz")).send().await {
                if r.status().is_success() {
                    return running;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("tend did not answer on {}", running.base);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `kill -9`: no chance to finish anything.
    fn kill_hard(&mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-s", name, &pid]).status();
        assert!(sent.expect("kill runs").success());
    }

    async fn restart(mut self) -> Running {
        self.kill_hard();
        Running::start(&self.db).await
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL of a fresh database per engine (PostgreSQL when configured), with an admin.
async fn fresh_databases() -> Vec<app::ssr::testing::TestDb> {
    let all = app::ssr::testing::TestDb::all().await;
    for t in &all {
        t.with_admin().await;
    }
    all
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in as a browser would; the session cookie, or the refusal's status.
async fn sign_in(tend: &Running, email: &str, password: &str) -> Result<String, u16> {
    let r = client()
        .post(tend.url("/api/sign_in"))
        .header("origin", &tend.base)
        .header("accept", "application/json")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    match r.headers().get("set-cookie") {
        Some(c) if r.status().is_success() => {
            Ok(c.to_str().unwrap().split(';').next().unwrap().to_string())
        }
        _ => Err(r.status().as_u16()),
    }
}

async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> serde_json::Value {
    let r = http.get(url).bearer_auth(token).send().await.unwrap();
    r.json().await.unwrap()
}

async fn board_status(tend: &Running, cookie: &str) -> u16 {
    let r = client()
        .get(tend.url("/board"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

async fn api_status(tend: &Running, token: &str) -> u16 {
    let r = client()
        .get(tend.url("/api/v1/pipelines"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn access_ended_at_the_console_stops_a_running_server_at_once() {
    for test_db in fresh_databases().await {
        let db = test_db.url();
        let pw = "sara's long secret";
        assert!(tend(
            &db,
            &["user", "add", "sara@example.com"],
            &format!("{pw}\n")
        )
        .status
        .success());
        let token = text(
            &tend(
                &db,
                &[
                    "token",
                    "create",
                    "--user",
                    "sara@example.com",
                    "--name",
                    "zapier",
                ],
                "",
            )
            .stdout,
        )
        .trim()
        .to_string();
        let server = Running::start(&db).await;
        let session = sign_in(&server, "sara@example.com", pw)
            .await
            .expect("signed in");
        assert_eq!(board_status(&server, &session).await, 200);
        assert_eq!(api_status(&server, &token).await, 200);

        let disabled = tend(&db, &["user", "disable", "sara@example.com"], "");
        assert!(disabled.status.success(), "{}", text(&disabled.stderr));
        assert_eq!(
            board_status(&server, &session).await,
            303,
            "the session ended"
        );
        assert_eq!(api_status(&server, &token).await, 401, "the token stopped");
        assert_eq!(sign_in(&server, "sara@example.com", pw).await, Err(409));
        let listed = text(&tend(&db, &["user", "list"], "").stdout);
        assert!(
            listed.contains("sara@example.com\tsara\tdisabled"),
            "{listed}"
        );

        assert!(tend(&db, &["user", "enable", "sara@example.com"], "")
            .status
            .success());
        let session = sign_in(&server, "sara@example.com", pw)
            .await
            .expect("signed in again");
        assert_eq!(
            api_status(&server, &token).await,
            401,
            "revoked tokens stay revoked"
        );

        let fresh = text(&tend(&db, &["token", "create", "--user", "sara@example.com"], "").stdout)
            .trim()
            .to_string();
        assert_eq!(api_status(&server, &fresh).await, 200);
        let listed = text(&tend(&db, &["token", "list", "--user", "sara@example.com"], "").stdout);
        let live = listed
            .lines()
            .find(|l| l.ends_with("live"))
            .unwrap_or_else(|| panic!("a live token in {listed}"));
        assert!(!listed.contains(&fresh), "secrets are never listed");
        let id = live.split('\t').next().unwrap();
        assert!(tend(&db, &["token", "revoke", id], "").status.success());
        assert_eq!(api_status(&server, &fresh).await, 401, "revoked at once");

        let changed = tend(
            &db,
            &["user", "password", "sara@example.com"],
            "a whole new secret\n",
        );
        assert!(changed.status.success(), "{}", text(&changed.stderr));
        assert_eq!(
            board_status(&server, &session).await,
            303,
            "other sessions ended"
        );
        assert!(sign_in(&server, "sara@example.com", "a whole new secret")
            .await
            .is_ok());
        drop(server);
        test_db.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_server_cleanly() {
    let test_db = app::ssr::testing::TestDb::sqlite().await;
    let mut server = Running::start(&test_db.url()).await;
    server.signal("TERM");
    let mut exited = None;
    for _ in 0..100 {
        if let Some(status) = server.child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(exited.expect("tend exits on SIGTERM").success());
    test_db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_moves_loses_no_move_it_acknowledged() {
    use serde_json::{json, Value};
    for test_db in fresh_databases().await {
        let db = test_db.url();
        let token = text(&tend(&db, &["token", "create", "--user", "anna@example.com"], "").stdout)
            .trim()
            .to_string();
        let server = Running::start(&db).await;
        let http = client();
        let pipelines = get_json(&http, &server.url("/api/v1/pipelines"), &token).await;
        let stages: Vec<String> = pipelines[0]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        // Eight clients, each moving its own deal round the stages as fast as it can,
        // noting every move the server answered 200.
        let mut clients = Vec::new();
        for c in 0..8 {
            let deal: Value = http
                .post(server.url("/api/v1/deals"))
                .bearer_auth(&token)
                .json(&json!({"title": format!("Client {c}"), "value": 1, "currency": "SEK", "stage_id": stages[0]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = deal["id"].as_str().unwrap().to_string();
            let (base, token, stages, http) = (
                server.base.clone(),
                token.clone(),
                stages.clone(),
                http.clone(),
            );
            clients.push(tokio::spawn(async move {
                let mut acked: Vec<String> = Vec::new();
                loop {
                    let to = &stages[(acked.len() + 1) % stages.len()];
                    let version = acked.len() + 1;
                    let r = http
                        .post(format!("{base}/api/v1/deals/{id}/move"))
                        .bearer_auth(&token)
                        .json(&json!({"stage_id": to, "version": version}))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => acked.push(to.clone()),
                        Ok(r) => panic!("move refused: {}", r.status()),
                        Err(_) => return (id, acked),
                    }
                }
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let server = server.restart().await;
        let mut total = 0;
        for c in clients {
            let (id, acked) = c.await.unwrap();
            total += acked.len();
            let deal = get_json(&http, &server.url(&format!("/api/v1/deals/{id}")), &token).await;
            let version = deal["version"].as_u64().unwrap() as usize;
            assert!(
                version == acked.len() + 1 || version == acked.len() + 2,
                "version {version} after {} acknowledged moves",
                acked.len()
            );
            let events = get_json(
                &http,
                &server.url(&format!("/api/v1/deals/{id}/events")),
                &token,
            )
            .await;
            let moved_to: Vec<String> = events
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"]["type"] == "moved")
                .map(|e| e["kind"]["to"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(moved_to.len(), version - 1, "one logged move per version");
            assert_eq!(
                moved_to[..acked.len()],
                acked[..],
                "every acknowledged move is kept"
            );
        }
        assert!(total > 40, "the clients made {total} moves before the kill");
        drop(server);
        if db.starts_with("sqlite") {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&db).await.unwrap();
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(check, "ok");
        }
        println!("{}: {total} acknowledged moves survived kill -9", &db[..8]);
        test_db.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_screen_link_made_at_the_console_shows_its_pipeline_until_revoked_there() {
    use futures_util::StreamExt;
    for test_db in fresh_databases().await {
        let db = test_db.url();
        let running = Running::start(&db).await;
        let made = tend(
            &db,
            &[
                "display",
                "create",
                "--name",
                "Meeting room",
                "--pipeline",
                "sales",
                "--scenes",
                "board,wins",
                "--public-url",
                "https://tend.example.com",
            ],
            "",
        );
        assert!(made.status.success(), "{}", text(&made.stderr));
        let url = text(&made.stdout).trim().to_string();
        assert!(url.starts_with("https://tend.example.com/tv/tv_"), "{url}");
        let secret = url.rsplit('/').next().unwrap().to_string();

        let no_pipeline = tend(
            &db,
            &["display", "create", "--name", "Hall", "--pipeline", "Nope"],
            "",
        );
        assert!(!no_pipeline.status.success());
        assert!(text(&no_pipeline.stderr)
            .to_lowercase()
            .contains("pipeline"));
        let no_scene = tend(
            &db,
            &[
                "display",
                "create",
                "--name",
                "Hall",
                "--pipeline",
                "Sales",
                "--scenes",
                "karaoke",
            ],
            "",
        );
        assert!(text(&no_scene.stderr).to_lowercase().contains("scenes"));
        let taken = tend(
            &db,
            &[
                "display",
                "create",
                "--name",
                "meeting room",
                "--pipeline",
                "Sales",
            ],
            "",
        );
        assert!(!taken.status.success(), "names are unique");

        let listed = text(&tend(&db, &["display", "list"], "").stdout);
        assert!(
            listed.contains("Meeting room\tSales\tboard,wins\tevery 20 s"),
            "{listed}"
        );
        assert!(listed.trim_end().ends_with("live"), "{listed}");
        assert!(!listed.contains(&secret), "secrets are never listed");

        // The link opens its screen and nothing else.
        let http = client();
        let page = http
            .get(running.url(&format!("/tv/{secret}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Sales"));
        let wrong = http.get(running.url("/tv/tv_wrong")).send().await.unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(api_status(&running, &secret).await, 401);
        assert_eq!(board_status(&running, "tend_session=x").await, 303);

        let stream = http
            .get(running.url(&format!("/api/live?display={secret}")))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let mut body = stream.bytes_stream();
        assert!(body.next().await.is_some(), "the stream says hello");

        let revoked = tend(&db, &["display", "revoke", "Meeting room"], "");
        assert!(revoked.status.success(), "{}", text(&revoked.stderr));
        let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while let Some(Ok(_)) = body.next().await {}
        })
        .await;
        assert!(ended.is_ok(), "the screen's stream ended within 10 s");
        let again = http
            .get(running.url(&format!("/tv/{secret}")))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 401);
        assert!(text(&tend(&db, &["display", "list"], "").stdout).contains("revoked"));
        drop(running);
        test_db.drop_now().await;
    }
}

#[test]
fn a_csv_file_is_checked_by_a_dry_run_then_imported_and_a_bad_one_refused_whole() {
    let dir = std::env::temp_dir().join(format!("tend-cli-{}", uuid::Uuid::now_v7().simple()));
    let db = format!("sqlite://{}/tend.db", dir.display());
    let added = tend(
        &db,
        &["user", "add", "ops@example.com", "--admin"],
        "a long password\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let file = dir.join("deals.csv");
    std::fs::write(
        &file,
        "\u{feff}Deal - Title;Deal - Value;Deal - Stage;Deal - Organization\r\n\
         Acme renewal;12 500,50;Proposal;Acme AB\r\n\
         Beta;300;Qualification;\r\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let dry = tend(&db, &["import", "deals", path, "--dry-run"], "");
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("Dry run, nothing written: 2 rows: 2 to make"),
        "{}",
        text(&dry.stdout)
    );
    assert!(
        text(&dry.stderr).contains("\"Deal - Stage\" → stage"),
        "{}",
        text(&dry.stderr)
    );

    let done = tend(
        &db,
        &["import", "deals", path, "--mapping", "pipedrive"],
        "",
    );
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(
        text(&done.stdout).contains("Imported: 2 rows: 2 to make"),
        "{}",
        text(&done.stdout)
    );

    std::fs::write(&file, "title,stage\nGood,Proposal\nBad,Nowhere\n").unwrap();
    let bad = tend(&db, &["import", "deals", path], "");
    assert!(!bad.status.success());
    assert!(
        text(&bad.stdout).contains("line 3: Stage: “Sales” has no stage called “Nowhere”"),
        "{}",
        text(&bad.stdout)
    );
    assert!(
        text(&bad.stderr).contains("nothing was imported"),
        "{}",
        text(&bad.stderr)
    );
}
