//! Tollgate storage: SQLite embedded by default, PostgreSQL when the URL says `postgres://`.
//!
//! One code path for both backends through sqlx's `Any` driver: SQL uses `$N` placeholders
//! (both backends accept them), only `BIGINT` and `TEXT` columns, and `CAST(SUM(..) AS
//! BIGINT)` where PostgreSQL would return `NUMERIC`. Where the DDL must differ, each backend
//! has its own migration file with the same number.
//!
//! Architecture invariant: every read of tenant data takes a [`ScopeFilter`] (or lives in a
//! domain's `system` module, documented as system-wide);
//! storage errors never leak into domain errors (the app maps [`StoreError`]).

pub mod assurance;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod frontline;
pub mod guard;
pub mod hardware;
pub mod ledger;
mod marks;
pub mod messaging;
pub mod migrate;
pub mod numbers;
pub mod outbox;
pub mod query;
pub mod rating;
pub mod receivables;
mod row_macro;
pub mod support;
pub mod tenancy;
#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

pub use query::{
    fetch_dynamic, push_page, push_sorted, Arg, Page, ScopeFilter, ScopedQuery, SortedPage,
};

pub use tollgate_core::tenancy::Scope;

/// Connections in the read pool (SQLite) or the single pool (PostgreSQL).
pub const MAX_POOL_CONNECTIONS: u32 = 8;
/// How long SQLite waits on a lock before it answers "busy".
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// SQLite page cache per connection, KiB: large batches (CDR intake) stay in memory until
/// commit instead of spilling pages mid-transaction.
pub const SQLITE_CACHE_KIB: u32 = 65_536;
/// WAL pages (4 KiB each) after which a committing SQLite writer checkpoints on its own. A
/// served node checkpoints in the background ([`Store::spawn_checkpointer`]), so the one
/// writer does not pay for a checkpoint (and its fsyncs) inside a commit; other commands
/// (CDR import, benchmarks) checkpoint at this size and when they close.
pub const SQLITE_AUTOCHECKPOINT_PAGES: u32 = 16_384;
/// How often the background checkpointer folds the WAL into the database.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
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
    /// A migration applied to the database differs from the one embedded in this binary
    /// (migrations are never edited after they land).
    MigrationChanged {
        version: i64,
        name: String,
        database: String,
        binary: String,
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
            StoreError::MigrationChanged {
                version,
                name,
                database,
                binary,
            } => write!(
                f,
                "migration {version} ({name}) was applied to this database with checksum \
                 {database}, but this tollgate embeds it with checksum {binary}: the migration \
                 file was edited after it landed (or the database's record of it was changed); \
                 run a tollgate built from the original file (migrations are never edited; \
                 changes go in a new migration)"
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
    /// Where it connected ([`Store::dedicated`] connects there again).
    url: std::sync::Arc<str>,
}

/// Whether `table` (a name in code, never input) has the row `id`: checked before an insert
/// that may repeat, rather than tolerating the insert's failure (on PostgreSQL a failed
/// statement aborts the whole transaction).
pub async fn row_exists(tx: &mut Tx, table: &'static str, id: &str) -> Result<bool> {
    let r = sqlx::query(&format!("SELECT 1 AS one FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(r.is_some())
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
        let backend = Backend::from_url(url)?;
        // A connection to a local SQLite file cannot go stale, and the check before each
        // acquire is a round trip to the connection's worker thread (on a busy node, a thread
        // wake-up each time). A network connection (PostgreSQL) is still checked.
        Store::connect_with(url, MAX_POOL_CONNECTIONS, backend == Backend::Postgres).await
    }

    /// A store of its own for a writer running on another runtime: on PostgreSQL one new
    /// connection to the same database (a connection belongs to the runtime that opened it),
    /// not checked before each use (a broken one fails its statement and is replaced); on
    /// SQLite this store (its connections live on their own worker threads).
    pub async fn dedicated(&self) -> Result<Store> {
        match self.backend {
            Backend::Sqlite => Ok(self.clone()),
            Backend::Postgres => Store::connect_with(&self.url, 1, false).await,
        }
    }

    async fn connect_with(url: &str, max: u32, check: bool) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let opts = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .test_before_acquire(check)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            let pragmas = format!(
                                "PRAGMA journal_mode=WAL; PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}; \
                                 PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; \
                                 PRAGMA cache_size=-{SQLITE_CACHE_KIB}; PRAGMA temp_store=MEMORY; \
                                 PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES};"
                            );
                            conn.execute(sqlx::raw_sql(&pragmas)).await?;
                        }
                        Ok(())
                    })
                })
        };
        let read = opts(max).connect(url).await?;
        let write = match backend {
            Backend::Sqlite => opts(1).connect(url).await?,
            Backend::Postgres => read.clone(),
        };
        Ok(Store {
            backend,
            read,
            write,
            url: url.into(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// The pool for single-statement writes outside a transaction (SQLite: the one writer).
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// SQLite: folds the write-ahead log into the database file and empties it (after a bulk
    /// load, so the next writes do not pay for the load's checkpoint); nothing on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// SQLite: checkpoints the WAL every [`CHECKPOINT_EVERY`] from a reading connection
    /// (passive: it never waits for the writer or readers), so commits stay short; nothing on
    /// PostgreSQL. The task ends with the runtime.
    pub fn spawn_checkpointer(&self) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let read = self.read.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CHECKPOINT_EVERY).await;
                if read.is_closed() {
                    return;
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&read)
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint");
                }
            }
        });
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin().await?)
    }

    /// A new, empty PostgreSQL schema `name` on the database of `url`, and the URL that uses
    /// it (benchmarks run in a schema of their own and drop it after).
    pub async fn postgres_schema(url: &str, name: &str) -> Result<String> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Config(format!("schema name `{name}`")));
        }
        let admin = Store::connect(url).await?;
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin.read)
            .await?;
        admin.close().await;
        let sep = if url.contains('?') { '&' } else { '?' };
        Ok(format!("{url}{sep}options=-c%20search_path%3D{name}"))
    }

    /// Drops a schema made by [`Store::postgres_schema`] with everything in it.
    pub async fn drop_postgres_schema(url: &str, name: &str) -> Result<()> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Config(format!("schema name `{name}`")));
        }
        let admin = Store::connect(url).await?;
        sqlx::query(&format!("DROP SCHEMA {name} CASCADE"))
            .execute(&admin.read)
            .await?;
        admin.close().await;
        Ok(())
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

/// Commits a write transaction.
pub async fn commit(tx: Tx) -> Result<()> {
    Ok(tx.commit().await?)
}
