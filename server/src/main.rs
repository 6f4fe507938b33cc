#![recursion_limit = "256"]
//! `tend`: the server binary. `tend serve` (the default) starts the web server; `tend
//! user` and `tend token` manage who may sign in and call the API.

use app::domain::ids::ApiTokenId;
use app::ssr::db::{Db, Durability};
use app::ssr::ops::Operator;
use app::ssr::state::{AppState, Site};
use app::ssr::{demo, ops};
use clap::Parser;
use server::config::{
    sqlite_dir, Cli, Command, DisplayCommand, ForecastCommand, FormCommand, LogFormat, ServeArgs,
    Synchronous, TokenCommand, UserCommand,
};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

/// How long requests in flight get to finish after a stop signal.
const DRAIN: Duration = Duration::from_secs(20);

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tend: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let durability = match cli.sqlite_synchronous {
        Synchronous::Normal => Durability::Normal,
        Synchronous::Full => Durability::Full,
    };
    let db = open(&cli.database_url, durability).await?;
    let now = chrono::Utc::now();
    let said = |e: app::error::AppError| e.to_string();
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve(db, args).await,
        Command::User(UserCommand::Add { email, name, admin }) => {
            let password = read_password(&email)?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let user = ops::auth::create_user(&db, &email, &name, &password, admin, now)
                .await
                .map_err(said)?;
            println!(
                "Created {}{} <{}>.",
                if user.is_admin { "admin " } else { "" },
                user.name,
                user.email
            );
            Ok(())
        }
        Command::User(UserCommand::List) => {
            for a in ops::auth::accounts(&db, Operator::Console)
                .await
                .map_err(said)?
            {
                let mut marks = Vec::new();
                if a.user.is_admin {
                    marks.push("admin".to_string());
                }
                if let Some(at) = a.disabled_at {
                    marks.push(format!("disabled {}", at.format("%Y-%m-%d %H:%M UTC")));
                }
                println!("{}\t{}\t{}", a.user.email, a.user.name, marks.join(", "));
            }
            Ok(())
        }
        Command::User(UserCommand::Disable { email }) => {
            let a = ops::auth::disable_user(&db, Operator::Console, &email, now)
                .await
                .map_err(said)?;
            println!(
                "Disabled {}: their sessions have ended and their API tokens are revoked.",
                a.user.email
            );
            Ok(())
        }
        Command::User(UserCommand::Enable { email }) => {
            let a = ops::auth::enable_user(&db, Operator::Console, &email)
                .await
                .map_err(said)?;
            println!("Enabled {}: they can sign in again.", a.user.email);
            Ok(())
        }
        Command::User(UserCommand::Password { email }) => {
            let password = read_password(&email)?;
            let a = ops::auth::set_password(&db, Operator::Console, &email, &password)
                .await
                .map_err(said)?;
            println!(
                "Set a new password for {}; their other sessions have ended.",
                a.user.email
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create { user, name }) => {
            let token = ops::auth::create_token(&db, &user, &name, now)
                .await
                .map_err(said)?;
            println!("{token}");
            Ok(())
        }
        Command::Token(TokenCommand::List { user }) => {
            let tokens = ops::auth::list_tokens(&db, Operator::Console, user.as_deref())
                .await
                .map_err(said)?;
            for t in tokens {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "live".to_string(),
                };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    t.id,
                    t.user_email,
                    t.name,
                    t.created_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(())
        }
        Command::Display(DisplayCommand::Create {
            name,
            pipeline,
            scenes,
            seconds,
            public_url,
        }) => {
            let origin = public_url.unwrap_or_else(|| "http://127.0.0.1:3000".into());
            let new = ops::displays::NewDisplay {
                name: &name,
                pipeline: &pipeline,
                scenes: &scenes,
                seconds_per_scene: seconds,
            };
            let (display, secret) = ops::displays::create(&db, Operator::Console, new, now)
                .await
                .map_err(said)?;
            eprintln!(
                "Made the screen link {:?} for the pipeline {:?}; its URL is shown this once:",
                display.name, display.pipeline_name
            );
            println!("{origin}/tv/{secret}");
            Ok(())
        }
        Command::Display(DisplayCommand::List) => {
            for d in ops::displays::list(&db, Operator::Console)
                .await
                .map_err(said)?
            {
                let state = match d.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "live".to_string(),
                };
                println!(
                    "{}\t{}\t{}\t{}\tevery {} s\tcreated {}\t{state}",
                    d.id,
                    d.name,
                    d.pipeline_name,
                    app::domain::display::scenes_text(&d.scenes),
                    d.seconds_per_scene,
                    d.created_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(())
        }
        Command::Display(DisplayCommand::Revoke { name_or_id }) => {
            let d = ops::displays::revoke(&db, Operator::Console, &name_or_id, now)
                .await
                .map_err(said)?;
            println!(
                "Revoked the screen link {:?}; its screen stops within seconds.",
                d.name
            );
            Ok(())
        }
        Command::Form(FormCommand::Create {
            source,
            name,
            redirect,
            public_url,
        }) => {
            let origin = public_url.unwrap_or_else(|| "http://127.0.0.1:3000".into());
            let name = name.unwrap_or_else(|| source.clone());
            let form = ops::lead_forms::create(
                &db,
                Operator::Console,
                &name,
                &source,
                redirect.as_deref(),
                now,
            )
            .await
            .map_err(said)?;
            eprintln!(
                "Made the web form {:?} for the source {:?}. Its key:",
                form.name, form.source
            );
            println!("{}", form.key);
            eprintln!("Paste this into your website:");
            println!("{}", form.snippet(&origin));
            Ok(())
        }
        Command::Form(FormCommand::List) => {
            for f in ops::lead_forms::list(&db, Operator::Console)
                .await
                .map_err(said)?
            {
                let state = match f.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "live".to_string(),
                };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    f.key,
                    f.name,
                    f.source,
                    f.created_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(())
        }
        Command::Form(FormCommand::Revoke { key_or_name }) => {
            ops::lead_forms::revoke(&db, Operator::Console, &key_or_name, now)
                .await
                .map_err(said)?;
            println!("Revoked the web form {key_or_name:?}; it takes no more leads.");
            Ok(())
        }
        Command::Import {
            kind,
            file,
            dry_run,
            mapping,
            currency,
            user,
        } => {
            use app::domain::import::{ImportKind, Mapping};
            use app::ssr::ops::import::{importer, run, ImportOptions};
            let bytes =
                std::fs::read(&file).map_err(|e| format!("Cannot read {}: {e}", file.display()))?;
            let rule = |e: app::domain::validation::RuleError| e.to_string();
            let options = ImportOptions {
                kind: ImportKind::parse(&kind).map_err(rule)?,
                mapping: Mapping::parse(&mapping).map_err(rule)?,
                currency: app::domain::money::Currency::parse(&currency).map_err(rule)?,
                dry_run,
                fields: None,
            };
            let caller = importer(&db, user.as_deref()).await.map_err(said)?;
            let mut progress = |done: usize, total: usize| {
                eprint!("\rWritten {done} of {total} rows");
                if done == total {
                    eprintln!();
                }
            };
            let report = run(&db, &caller, &options, &bytes, now, &mut progress)
                .await
                .map_err(said)?;
            for (heading, field) in &report.columns {
                match field {
                    Some(f) => eprintln!("  {heading:?} → {f}"),
                    None => eprintln!("  {heading:?} (left out)"),
                }
            }
            for e in &report.errors {
                println!("{e}");
            }
            if report.error_count > report.errors.len() {
                println!(
                    "… and {} more errors",
                    report.error_count - report.errors.len()
                );
            }
            let summary = format!(
                "{} rows: {} to make, {} kept already (left as they are)",
                report.rows, report.created, report.kept
            );
            if report.error_count > 0 {
                return Err(format!(
                    "{summary}. {} errors: nothing was imported; fix them and run again.",
                    report.error_count
                ));
            }
            if report.written {
                println!("Imported: {summary}.");
            } else {
                println!("Dry run, nothing written: {summary}.");
            }
            Ok(())
        }
        Command::Demo => {
            if demo::seed(&db, now).await.map_err(said)? {
                println!(
                    "Filled the database with the demo workspace: sign in as {} / {}.",
                    demo::DEMO_ADMIN,
                    demo::DEMO_PASSWORD
                );
                Ok(())
            } else {
                Err("the database already has users; the demo fills only an empty one".into())
            }
        }
        Command::Forecast(ForecastCommand::Backtest {
            pipeline,
            period,
            periods,
        }) => {
            let kind =
                app::domain::forecast::PeriodKind::parse(&period).map_err(|e| said(e.into()))?;
            let (pipeline, trials) = ops::forecast::backtest(
                &db,
                Operator::Console,
                pipeline.as_deref(),
                kind,
                usize::from(periods),
                now,
            )
            .await
            .map_err(said)?;
            print!(
                "{}",
                server::report::backtest(&pipeline.name, &period, &trials)
            );
            Ok(())
        }
        Command::Forecast(ForecastCommand::Snapshot { pipeline }) => {
            let taken =
                ops::forecast::snapshot_now(&db, Operator::Console, pipeline.as_deref(), now)
                    .await
                    .map_err(said)?;
            for p in taken {
                println!(
                    "Wrote down the forecast of {:?} for {}.",
                    p.name,
                    now.format("%Y-%m-%d")
                );
            }
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let id: ApiTokenId = id
                .trim()
                .parse()
                .map_err(|_| format!("{id:?} is not a token id (see tend token list)"))?;
            ops::auth::revoke_token(&db, Operator::Console, id, now)
                .await
                .map_err(said)?;
            println!("Revoked token {id}.");
            Ok(())
        }
    }
}

async fn open(url: &str, durability: Durability) -> Result<Db, String> {
    if let Some(dir) = sqlite_dir(url) {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("DATABASE_URL: cannot create {}: {e}", dir.display()))?;
        }
    }
    Db::connect_with(url, durability)
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
    let site = Site {
        public_origin: args.public_url,
        secure_cookies: args.secure_cookies,
        client_ip_header: args.client_ip_header.map(|h| h.to_ascii_lowercase()),
    };
    let state = AppState::new(db.clone(), leptos_options, site);
    let hub = state.hub.clone();
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
    tokio::spawn(server::snapshot_daily(db.clone(), hub.clone()));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let server = server::serve(listener, state, async move {
        let signal = stop_signal().await;
        tracing::info!("{signal}: finishing the requests in flight");
        // Live streams never finish on their own: end them, and browsers reconnect to
        // whichever instance serves next.
        hub.close();
        let _ = stopping.send(true);
    });
    let mut stop = stop.clone();
    let deadline = async move {
        let _ = stop.wait_for(|s| *s).await;
        tokio::time::sleep(DRAIN).await;
    };
    tokio::select! {
        done = server => done.map_err(|e| format!("server stopped: {e}"))?,
        _ = deadline => tracing::warn!("requests still open after {DRAIN:?}; stopping anyway"),
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C, or SIGTERM (what service managers and `kill` send).
async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = tokio::signal::ctrl_c() => "interrupted",
            _ = term.recv() => "terminated",
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch for SIGTERM; Ctrl-C still stops Tend");
            let _ = tokio::signal::ctrl_c().await;
            "interrupted"
        }
    }
}
