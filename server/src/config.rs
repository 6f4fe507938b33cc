//! Typed configuration, read once: command-line flags with environment fallbacks. A
//! bad value stops start-up with a message naming it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

#[derive(Debug, Parser)]
#[command(
    name = "tend",
    version,
    about = "Tend: a real-time sales pipeline",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Where the data lives: sqlite://path/to/file.db or postgres://user@host/db
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/tend.db",
        global = true
    )]
    pub database_url: String,

    /// SQLite only: `normal` loses nothing acknowledged when the process is killed, but a
    /// power cut may undo the last moments; `full` syncs every commit to disk first
    #[arg(
        long,
        env = "TEND_SQLITE_SYNCHRONOUS",
        value_enum,
        default_value = "normal",
        global = true
    )]
    pub sqlite_synchronous: Synchronous,

    /// How log lines are written: `text` for people, `json` for log collectors
    #[arg(
        long,
        env = "TEND_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// `tend` alone serves, with these settings.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (the default)
    Serve(ServeArgs),
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage meeting-room screen links
    #[command(subcommand)]
    Display(DisplayCommand),
    /// Manage web forms that post leads into the inbox
    #[command(subcommand)]
    Form(FormCommand),
    /// Check the forecast against history
    #[command(subcommand)]
    Forecast(ForecastCommand),
    /// Fill an empty database with the demo workspace (a year of history) and stop
    Demo,
    /// Import deals, people or organizations from a CSV file (Tend's own export,
    /// Pipedrive's or HubSpot's): every row is checked first and the file is written
    /// only when no row has an error, all rows or none
    Import {
        /// deals, people or organizations
        #[arg(value_parser = ["deals", "people", "organizations"])]
        kind: String,
        /// The CSV file (UTF-8; `;`, `,` or tab between fields)
        file: std::path::PathBuf,
        /// Check every row and say what would be made, writing nothing
        #[arg(long)]
        dry_run: bool,
        /// Whose column headings to recognise besides Tend's own
        #[arg(long, default_value = "auto", value_parser = ["auto", "pipedrive", "hubspot"])]
        mapping: String,
        /// The currency of deals whose row names none
        #[arg(long, default_value = "SEK")]
        currency: String,
        /// Who imports (the owner of deals that name none) [default: the first admin]
        #[arg(long = "as", value_name = "EMAIL")]
        user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ForecastCommand {
    /// Replay the log as of 1, 4 and 8 weeks before each closed period began and print
    /// what each method forecast against what was won, with each method's error
    Backtest {
        /// The pipeline, by name or id [default: the first]
        #[arg(long)]
        pipeline: Option<String>,
        /// month or quarter
        #[arg(long, default_value = "month")]
        period: String,
        /// How many closed periods to look back over
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=48))]
        periods: u16,
    },
    /// Write down today's forecast now, as the server does once a day: what the
    /// forecast page's track record compares with what is won
    Snapshot {
        /// The pipeline, by name or id [default: every pipeline]
        #[arg(long)]
        pipeline: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: the site address cargo-leptos gives, else 127.0.0.1:3000]
    #[arg(long, env = "TEND_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Fill an empty database with the demo workspace
    #[arg(long, env = "TEND_DEMO")]
    pub demo: bool,

    /// The address people open, e.g. https://tend.example.com. When it is https,
    /// cookies are Secure with the __Host- prefix and browsers are told to keep to https
    #[arg(long, env = "TEND_PUBLIC_URL", value_parser = public_origin)]
    pub public_url: Option<String>,

    /// Mark session cookies Secure (implied by an https public URL)
    #[arg(long, env = "TEND_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Behind a reverse proxy: the header in which it names the client's address (for
    /// example x-forwarded-for, whose last entry is used). Trust only your own proxy
    #[arg(long, env = "TEND_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Synchronous {
    Normal,
    Full,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `https://tend.example.com/` → `https://tend.example.com`: a scheme and a host, with a
/// port perhaps, and nothing else.
fn public_origin(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err("must look like https://tend.example.com".into());
    };
    if scheme != "http" && scheme != "https" {
        return Err("must start with https:// or http://".into());
    }
    let valid_host = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid_host {
        return Err("must be a scheme and a host only, e.g. https://tend.example.com".into());
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input (or prompted for)
    Add {
        email: String,
        /// Display name [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
        /// May administer pipelines and users
        #[arg(long)]
        admin: bool,
    },
    /// List users
    List,
    /// Stop a user: they cannot sign in, their sessions end and their API tokens are revoked
    Disable { email: String },
    /// Let a disabled user sign in again
    Enable { email: String },
    /// Set a user's password (read from standard input, or prompted for); ends their sessions
    Password { email: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (shown once)
    Create {
        #[arg(long)]
        user: String,
        /// What the token is for
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// List API tokens (never their secrets)
    List {
        /// Only this user's tokens
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke an API token by its id (from `tend token list`); it stops working at once
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum DisplayCommand {
    /// Make a link for a meeting-room screen and print its URL (shown once)
    Create {
        /// What the screen is, e.g. "Meeting room"
        #[arg(long)]
        name: String,
        /// The pipeline it shows, by name or id
        #[arg(long)]
        pipeline: String,
        /// Scenes in order, comma-separated: board, numbers, wins, leaders [default: all]
        #[arg(long, default_value = "")]
        scenes: String,
        /// Seconds each scene stays on screen
        #[arg(long, default_value_t = app::domain::display::DEFAULT_SECONDS)]
        seconds: i64,
        /// The address people open Tend at, for the printed URL [default: http://127.0.0.1:3000]
        #[arg(long, env = "TEND_PUBLIC_URL", value_parser = public_origin)]
        public_url: Option<String>,
    },
    /// List screen links (never their secrets)
    List,
    /// Revoke a screen link by its name or id; the screen stops within seconds
    Revoke { name_or_id: String },
}

#[derive(Debug, Subcommand)]
pub enum FormCommand {
    /// Make a web form for a lead source; prints its key and the HTML to paste into a website
    Create {
        /// The lead source its leads get, e.g. "Website"
        #[arg(long)]
        source: String,
        /// What the form is, e.g. "Contact page" [default: the source]
        #[arg(long)]
        name: Option<String>,
        /// Where to send a visitor after sending the form [default: Tend's thank-you page]
        #[arg(long)]
        redirect: Option<String>,
        /// The address Tend is reached at from the internet, for the form's action
        #[arg(long, env = "TEND_PUBLIC_URL", value_parser = public_origin)]
        public_url: Option<String>,
    },
    /// List web forms with their keys
    List,
    /// Revoke a web form by its key or name; it takes no more leads
    Revoke { key_or_name: String },
}

/// The directory a SQLite URL's file lives in, to create before opening it.
pub fn sqlite_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    std::path::Path::new(path).parent().map(|p| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_directory_comes_from_the_sqlite_url() {
        assert_eq!(
            sqlite_dir("sqlite://data/tend.db").unwrap(),
            std::path::PathBuf::from("data")
        );
        assert_eq!(sqlite_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_dir("postgres://x/y"), None);
    }

    #[test]
    fn serve_is_the_default_command_and_reads_its_settings() {
        let cli = Cli::try_parse_from(["tend", "--demo", "--addr", "127.0.0.1:4000"]).unwrap();
        assert!(cli.command.is_none());
        assert!(cli.serve.demo);
        assert_eq!(cli.serve.addr.unwrap().port(), 4000);
        assert!(Cli::try_parse_from(["tend", "--addr", "nowhere"]).is_err());
        let cli = Cli::try_parse_from(["tend", "user", "add", "a@example.com", "--admin"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::User(UserCommand::Add { admin: true, .. }))
        ));
    }

    #[test]
    fn a_public_url_is_kept_as_its_origin_and_nonsense_is_refused() {
        let cli =
            Cli::try_parse_from(["tend", "--public-url", "https://Tend.Example.com/"]).unwrap();
        assert_eq!(
            cli.serve.public_url.as_deref(),
            Some("https://tend.example.com")
        );
        assert!(Cli::try_parse_from(["tend", "--public-url", "tend.example.com"]).is_err());
        assert!(Cli::try_parse_from(["tend", "--public-url", "https://x.com/app"]).is_err());
        assert!(Cli::try_parse_from(["tend", "--public-url", "ftp://x.com"]).is_err());
    }

    #[test]
    fn sqlite_durability_is_normal_unless_full_is_asked_for() {
        let cli = Cli::try_parse_from(["tend"]).unwrap();
        assert_eq!(cli.sqlite_synchronous, Synchronous::Normal);
        let cli = Cli::try_parse_from(["tend", "--sqlite-synchronous", "full"]).unwrap();
        assert_eq!(cli.sqlite_synchronous, Synchronous::Full);
        assert!(Cli::try_parse_from(["tend", "--sqlite-synchronous", "off"]).is_err());
    }
}
