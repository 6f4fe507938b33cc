#![recursion_limit = "256"]
//! `tend`: the server binary. `tend serve` (the default) starts the web server; `tend
//! user` and `tend token` manage who may sign in and call the API.

use app::ssr::db::Db;
use app::ssr::state::AppState;
use app::ssr::{demo, ops};
use clap::Parser;
use server::config::{sqlite_dir, Cli, Command, ServeArgs, TokenCommand, UserCommand};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tend: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let db = open(&cli.database_url).await?;
    let now = chrono::Utc::now();
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve(db, args).await,
        Command::User(UserCommand::Add { email, name, admin }) => {
            let password = read_password(&email)?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let user = ops::auth::create_user(&db, &email, &name, &password, admin, now)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Created {}{} <{}>.",
                if user.is_admin { "admin " } else { "" },
                user.name,
                user.email
            );
            Ok(())
        }
        Command::User(UserCommand::List) => {
            for u in ops::auth::list_users(&db)
                .await
                .map_err(|e| e.to_string())?
            {
                println!(
                    "{}\t{}\t{}",
                    u.email,
                    u.name,
                    if u.is_admin { "admin" } else { "" }
                );
            }
            Ok(())
        }
        Command::Token(TokenCommand::Create { user, name }) => {
            let token = ops::auth::create_token(&db, &user, &name, now)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
    }
}

async fn open(url: &str) -> Result<Db, String> {
    if let Some(dir) = sqlite_dir(url) {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("DATABASE_URL: cannot create {}: {e}", dir.display()))?;
        }
    }
    Db::connect(url)
        .await
        .map_err(|e| format!("DATABASE_URL: {e}"))
}

/// At a terminal, prompts without echo; otherwise reads one line from standard input.
fn read_password(email: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(format!(
            "Password for {email} (at least 10 characters): "
        ))
        .map_err(|e| format!("could not read the password: {e}"));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("could not read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn serve(db: Db, args: ServeArgs) -> Result<(), String> {
    let conf = leptos::config::get_configuration(None)
        .map_err(|e| format!("Leptos configuration: {e}"))?;
    let mut leptos_options = conf.leptos_options;
    let addr = args.addr.unwrap_or(leptos_options.site_addr);
    leptos_options.site_addr = addr;
    let now = chrono::Utc::now();
    ops::pipelines::ensure_default(&db, now)
        .await
        .map_err(|e| e.to_string())?;
    if args.demo && demo::seed(&db, now).await.map_err(|e| e.to_string())? {
        tracing::info!("filled the empty database with the demo workspace");
    }
    let users = ops::auth::user_count(&db)
        .await
        .map_err(|e| e.to_string())?;
    let state = AppState::new(db.clone(), leptos_options, args.secure_cookies);
    let app = server::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("TEND_ADDR: cannot listen on {addr}: {e}"))?;
    println!("Tend is running at http://{addr} on {} ", db.engine());
    if args.demo {
        println!(
            "Sign in as {} with password {}",
            demo::DEMO_ADMIN,
            demo::DEMO_PASSWORD
        );
    } else if users == 0 {
        println!(
            "No users yet. Create the first admin with: tend user add you@example.com --admin"
        );
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server stopped: {e}"))
}
