//! Storage on two engines behind one seam. Every repository function takes a `Tx` and
//! runs one SQL text that SQLite and PostgreSQL both accept; `on!` expands it per engine.
//! Reads run in a read transaction too, so a page sees one consistent snapshot.

use crate::error::AppResult;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub mod api_tokens;
pub mod contact_events;
pub mod deal_events;
pub mod deals;
pub mod discard_reasons;
pub mod displays;
pub mod forecast_snapshots;
pub mod goals;
pub mod lead_events;
pub mod lead_forms;
pub mod leads;
pub mod lost_reasons;
pub mod organizations;
pub mod persons;
pub mod pipelines;
pub mod sessions;
pub mod settings;
pub mod stages;
pub mod users;

/// Runs `$body` with `$c` bound to the transaction's connection, once per engine.
macro_rules! on {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::ssr::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::ssr::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on;

/// Runs `$body` with `$c` bound to a reading pool, once per engine: for a lookup that is
/// one statement, which needs no transaction around it (and so saves a BEGIN and a
/// COMMIT on every request that only asks who is calling).
macro_rules! on_reader {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::ssr::db::Db::Sqlite { reader: $c, .. } => $body,
            $crate::ssr::db::Db::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_reader;

#[derive(Clone, Debug)]
pub enum Db {
    /// One writer connection (SQLite allows one writer at a time) and a pool of readers.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
        /// Copies the WAL back into the database file in the background.
        checkpointer: SqlitePool,
    },
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://, not {0:?}")]
    Scheme(String),
    #[error("could not open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("could not apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How hard SQLite works to keep the last commits through a power cut. With `Normal`
/// (in WAL mode) a process that is killed loses nothing it acknowledged, but losing
/// power can undo the last moments' commits; `Full` syncs every commit to the disk
/// first, at some cost per write. PostgreSQL follows its own `synchronous_commit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    #[default]
    Normal,
    Full,
}

impl Db {
    /// Opens the database named by `url` and applies any pending migrations.
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        Self::connect_with(url, Durability::default()).await
    }

    pub async fn connect_with(url: &str, durability: Durability) -> Result<Db, ConnectError> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(match durability {
                    Durability::Normal => SqliteSynchronous::Normal,
                    Durability::Full => SqliteSynchronous::Full,
                })
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Checkpoints run in the background (see `checkpoint_in_background`), not
                // in the commit that happens to fill the WAL; this far larger limit only
                // bounds the WAL should that ever stop.
                .pragma("wal_autocheckpoint", "20000");
            // A connection to a local file does not go stale, so the pools hand theirs
            // out without pinging them first: one round trip less per request.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            sqlx::migrate!("../migrations/sqlite").run(&writer).await?;
            let checkpointer = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            checkpoint_in_background(checkpointer.clone());
            let reader = reader_pool(options).await?;
            Db::Sqlite {
                writer,
                reader,
                checkpointer,
            }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            sqlx::migrate!("../migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(ConnectError::Scheme(url.to_string()));
        };
        Ok(db)
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A read-only snapshot.
    pub async fn read(&self) -> AppResult<Tx> {
        Ok(match self {
            Db::Sqlite { reader, .. } => Tx::Sqlite(reader.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a second writer waits instead of failing half-way.
    pub async fn write(&self) -> AppResult<Tx> {
        Ok(match self {
            Db::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite {
                writer,
                reader,
                checkpointer,
            } => {
                checkpointer.close().await;
                reader.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

async fn reader_pool(options: SqliteConnectOptions) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(4)
        .test_before_acquire(false)
        .connect_with(options.read_only(true))
        .await
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Copies the WAL into the database file on a connection of its own, every
/// `CHECKPOINT_EVERY`, until the pool is closed. A PASSIVE checkpoint waits for no reader
/// or writer, so no request ever pays for one (left to SQLite, the commit that fills the
/// WAL does the copying and its caller waits: the slowest 1–2 % of moves).
fn checkpoint_in_background(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            let done = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await;
            if let Err(e) = done {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "could not checkpoint the WAL");
            }
        }
    });
}

impl Tx {
    pub async fn commit(self) -> AppResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
