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
