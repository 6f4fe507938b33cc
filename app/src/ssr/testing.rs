//! Test support: the same test body runs on a fresh SQLite file and, when
//! `TEND_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database that is dropped
//! afterwards. Database names are made here from a UUID, never from input, which is
//! why the two statements that name one are built as text.

use super::db::Db;
use super::ops;
use crate::domain::pipeline::Pipeline;
use crate::domain::user::User;
use sqlx::Connection;

pub const ADMIN_EMAIL: &str = "anna@example.com";
pub const ADMIN_PASSWORD: &str = "long enough secret";

pub const POSTGRES_ENV: &str = "TEND_TEST_POSTGRES_URL";

/// A throw-away database; `drop_now` removes it, and so does dropping it when a test
/// panicked before it got there.
pub struct TestDb {
    pub db: Db,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join("tend-tests");
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        let path = dir.join(format!("{}.db", uuid::Uuid::now_v7().simple()));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("a fresh SQLite file opens");
        TestDb {
            db,
            cleanup: Some(Cleanup::File(path)),
        }
    }

    /// A fresh PostgreSQL database, or `None` when no test server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())?;
        let name = format!("tend_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("the PostgreSQL test server accepts connections");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("a test database can be created");
        admin.close().await.ok();
        let url = with_database(&admin_url, &name);
        let db = Db::connect(&url).await.expect("the fresh database opens");
        Some(TestDb {
            db,
            cleanup: Some(Cleanup::Postgres { admin_url, name }),
        })
    }

    /// SQLite always; PostgreSQL too when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut all = vec![TestDb::sqlite().await];
        all.extend(TestDb::postgres().await);
        all
    }

    /// Makes the first admin (`ADMIN_EMAIL`, `ADMIN_PASSWORD`) and the default pipeline.
    pub async fn with_admin(&self) -> (User, Pipeline) {
        let now = chrono::Utc::now();
        let admin = ops::auth::create_user(
            &self.db,
            ADMIN_EMAIL,
            "Anna Berg",
            ADMIN_PASSWORD,
            true,
            now,
        )
        .await
        .expect("the admin is created");
        ops::pipelines::ensure_default(&self.db, now)
            .await
            .expect("the default pipeline is created");
        let pipeline = ops::pipelines::list(&self.db, &admin)
            .await
            .expect("pipelines are listed")
            .remove(0);
        (admin, pipeline)
    }

    /// The URL a server process would be given for this database.
    pub fn url(&self) -> String {
        match &self.cleanup {
            Some(Cleanup::File(path)) => format!("sqlite://{}", path.display()),
            Some(Cleanup::Postgres { admin_url, name }) => with_database(admin_url, name),
            None => String::new(),
        }
    }

    pub async fn drop_now(mut self) {
        self.db.close().await;
        if let Some(cleanup) = self.cleanup.take() {
            cleanup.run().await;
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            // The test panicked before `drop_now`: clean up on a runtime of our own.
            let _ = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    runtime.block_on(cleanup.run());
                }
            })
            .join();
        }
    }
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            }
        }
    }
}

/// `postgres://u@h:5432/test` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[prefix_end..].rfind('/') {
        Some(i) => &base[..prefix_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// Sets a deal's value in storage directly, past every check, as data written by an
/// older version could be.
pub async fn force_value(db: &Db, id: crate::domain::ids::DealId, value: i64) {
    let mut tx = db.write().await.expect("a write transaction");
    super::db::on!(&mut tx, |c| sqlx::query(
        "UPDATE deals SET value = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(value)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .expect("the value is written");
    tx.commit().await.expect("committed");
}

/// The kinds of a deal's logged events, oldest first, deleted deals included.
pub async fn event_kinds(db: &Db, id: crate::domain::ids::DealId) -> Vec<String> {
    let mut tx = db.read().await.expect("a read transaction");
    super::db::deal_events::for_deal(&mut tx, id)
        .await
        .expect("the log is read")
        .into_iter()
        .map(|e| e.kind.name().to_string())
        .collect()
}

/// Appends `n` logged changes to deal `id` in one transaction, as a busy day would.
pub async fn append_events(db: &Db, id: crate::domain::ids::DealId, n: usize) {
    let mut tx = db.write().await.expect("a write transaction");
    let kind = crate::domain::event::DealEventKind::Reopened;
    for _ in 0..n {
        super::db::deal_events::append(&mut tx, id, chrono::Utc::now(), None, &kind, None)
            .await
            .expect("appended");
    }
    tx.commit().await.expect("committed");
}

/// The ids in the log after `after`, in order.
pub async fn log_ids_after(db: &Db, after: i64) -> Vec<i64> {
    let mut tx = db.read().await.expect("a read transaction");
    super::db::deal_events::after(&mut tx, after, 1_000_000)
        .await
        .expect("the log is read")
        .into_iter()
        .map(|l| l.id)
        .collect()
}
