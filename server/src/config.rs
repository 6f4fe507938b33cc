//! Typed configuration, read once: command-line flags with environment fallbacks. A
//! bad value stops start-up with a message naming it.

use clap::{Args, Parser, Subcommand};
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
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: the site address cargo-leptos gives, else 127.0.0.1:3000]
    #[arg(long, env = "TEND_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Fill an empty database with the demo workspace
    #[arg(long, env = "TEND_DEMO")]
    pub demo: bool,

    /// Mark session cookies Secure (set when Tend is served over https)
    #[arg(long, env = "TEND_SECURE_COOKIES")]
    pub secure_cookies: bool,
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
}
