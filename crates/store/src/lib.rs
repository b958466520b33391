//! Tollgate storage: SQLite embedded by default, PostgreSQL when the URL says `postgres://`.
//!
//! One code path for both backends through sqlx's `Any` driver: SQL uses `$N` placeholders
//! (both backends accept them), only `BIGINT` and `TEXT` columns, and `CAST(SUM(..) AS
//! BIGINT)` where PostgreSQL would return `NUMERIC`. Where the DDL must differ, each backend
//! has its own migration file with the same number.
//!
//! Architecture invariant: every query that lists tenant data takes a [`ScopeFilter`];
//! storage errors never leak into domain errors (the app maps [`StoreError`]).

pub mod audit;
pub mod auth;
pub mod guard;
pub mod migrate;
pub mod numbers;
pub mod outbox;
pub mod query;
pub mod rating;
pub mod tenancy;

use std::fmt;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

pub use query::{fetch_dynamic, push_page, Arg, Page, ScopeFilter, ScopedQuery};

pub use tollgate_core::tenancy::Scope;

/// Connections in the read pool (SQLite) or the single pool (PostgreSQL).
pub const MAX_POOL_CONNECTIONS: u32 = 8;
/// How long SQLite waits on a lock before it answers "busy".
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// SQLite page cache per connection, KiB: large batches (CDR intake) stay in memory until
/// commit instead of spilling pages mid-transaction.
pub const SQLITE_CACHE_KIB: u32 = 65_536;
/// Largest page a list query returns.
pub const MAX_PAGE_LIMIT: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::Config(format!(
                "database URL `{}` must start with sqlite: or postgres://",
                redact_url(url)
            )))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug)]
pub enum StoreError {
    /// A unique or foreign-key constraint refused the write; carries the constraint text.
    Conflict(String),
    NotFound,
    /// The database was written by a newer Tollgate.
    SchemaTooNew {
        database: i64,
        binary: i64,
    },
    Config(String),
    Db(sqlx::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Conflict(c) => write!(f, "conflict: {c}"),
            StoreError::NotFound => write!(f, "not found"),
            StoreError::SchemaTooNew { database, binary } => write!(
                f,
                "the database schema is at version {database}, but this tollgate knows only up to \
                 {binary}: it was written by a newer tollgate; run that version or a newer one"
            ),
            StoreError::Config(m) => write!(f, "{m}"),
            StoreError::Db(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        if let Some(db) = e.as_database_error() {
            if db.is_unique_violation() || db.is_foreign_key_violation() {
                return StoreError::Conflict(db.message().to_string());
            }
        }
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            e => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A transaction on the write pool.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Reads. For PostgreSQL, also writes.
    read: AnyPool,
    /// Writes. SQLite has one writer at a time, so its write pool holds one connection and
    /// writers queue here instead of failing with "database is locked".
    write: AnyPool,
}

impl Store {
    /// Connects and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        migrate::apply(&store).await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let opts = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            let pragmas = format!(
                                "PRAGMA journal_mode=WAL; PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}; \
                                 PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; \
                                 PRAGMA cache_size=-{SQLITE_CACHE_KIB}; PRAGMA temp_store=MEMORY;"
                            );
                            conn.execute(sqlx::raw_sql(&pragmas)).await?;
                        }
                        Ok(())
                    })
                })
        };
        let read = opts(MAX_POOL_CONNECTIONS).connect(url).await?;
        let write = match backend {
            Backend::Sqlite => opts(1).connect(url).await?,
            Backend::Postgres => read.clone(),
        };
        Ok(Store {
            backend,
            read,
            write,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin().await?)
    }

    /// `/readyz`: the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    row.try_get::<Option<String>, _>(col)
}

/// Hides the password of a database URL (`postgres://u:secret@h` → `postgres://u:***@h`).
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.split_once('@') {
            if let Some((user, _)) = creds.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

pub mod testing {
    //! Fresh stores for tests: a temporary SQLite file, or a new PostgreSQL schema.

    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    static COUNTER: AtomicU64 = AtomicU64::new(0);

    fn unique() -> String {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{}_{t}_{n}", std::process::id())
    }

    /// Runs one statement outside any transaction (tests that break and heal the schema to
    /// inject real database errors).
    pub async fn exec(store: &Store, sql: &str) -> Result<()> {
        let mut tx = store.begin().await?;
        sqlx::query(sql).execute(&mut *tx).await?;
        commit(tx).await
    }

    /// Begins a transaction that has written (so on SQLite it holds the single writer) and
    /// keeps it open until dropped: the test's "long bulk write".
    pub async fn hold_writer(store: &Store) -> Result<Tx> {
        let mut tx = store.begin().await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS test_hold (x BIGINT)")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO test_hold (x) VALUES (1)")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Rows of a query's first column, as text (assertions on what was stored).
    pub async fn texts(store: &Store, sql: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(sql).fetch_all(store.reader()).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?)
    }

    /// A migrated SQLite store in a new temporary file.
    pub async fn sqlite() -> Store {
        let dir = std::env::temp_dir().join("tollgate-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("t{}.db", unique()));
        Store::open(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("sqlite store")
    }

    /// The backend the app and HTTP tests run on: SQLite, or PostgreSQL when
    /// `TOLLGATE_TEST_BACKEND=postgres` (with `TOLLGATE_TEST_POSTGRES_URL`). CI runs both.
    pub async fn any() -> Store {
        match std::env::var("TOLLGATE_TEST_BACKEND").as_deref() {
            Ok("postgres") => postgres().await,
            _ => sqlite().await,
        }
    }

    /// The PostgreSQL URL for tests; panics with a clear message when unset.
    pub fn postgres_url() -> String {
        std::env::var("TOLLGATE_TEST_POSTGRES_URL").expect(
            "TOLLGATE_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)",
        )
    }

    /// A migrated PostgreSQL store in a new schema of the test database.
    pub async fn postgres() -> Store {
        let url = postgres_url();
        let schema = format!("t{}", unique());
        let admin = Store::connect(&url).await.expect("postgres reachable");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin.read)
            .await
            .expect("schema");
        admin.close().await;
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        Store::open(&url).await.expect("postgres store")
    }
}

/// Commits a write transaction.
pub async fn commit(tx: Tx) -> Result<()> {
    Ok(tx.commit().await?)
}
