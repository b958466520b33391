//! Fresh stores for tests: a temporary SQLite file, or a new PostgreSQL schema.
//!
//! Behind the `testing` feature, enabled only by the `[dev-dependencies]` of the crates whose
//! tests use it: no binary carries it.

use sqlx::Row;

use crate::{commit, Result, Store, Tx};
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

/// The URL of a new SQLite database in a temporary file (created on first open).
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("tollgate-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("t{}.db", unique()));
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A migrated SQLite store in a new temporary file.
pub async fn sqlite() -> Store {
    Store::open(&sqlite_url()).await.expect("sqlite store")
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

/// The URL of a new, empty schema of the PostgreSQL test database.
pub async fn postgres_schema_url() -> String {
    let url = postgres_url();
    let schema = format!("t{}", unique());
    let admin = Store::connect(&url).await.expect("postgres reachable");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin.read)
        .await
        .expect("schema");
    admin.close().await;
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// A migrated PostgreSQL store in a new schema of the test database.
pub async fn postgres() -> Store {
    Store::open(&postgres_schema_url().await)
        .await
        .expect("postgres store")
}
