//! Embedded, numbered migrations, applied at start in one transaction.
//!
//! Invariant: a migration is never edited after it lands; each has a file per backend with the
//! same number. A database whose schema is newer than this binary is refused.

use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

/// One schema step.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }
    };
}

/// Every migration, in order. `tests::numbering_is_dense` checks none is forgotten.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_rating"),
    migration!(3, "0003_numbers"),
    migration!(4, "0004_guard"),
    migration!(5, "0005_intake_speed"),
    migration!(6, "0006_guard_recent_calls"),
];

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Applies pending migrations in one transaction; refuses a database from a newer binary.
/// Returns the versions applied.
pub async fn apply(store: &Store) -> Result<Vec<i64>> {
    let mut tx = store.begin().await?;
    if store.backend() == Backend::Postgres {
        // Several nodes may start at once: one migrates, the others wait here.
        sqlx::query("SELECT pg_advisory_xact_lock(7406)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS tollgate_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let current: i64 =
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM tollgate_schema")
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
    if current > latest_version() {
        return Err(StoreError::SchemaTooNew {
            database: current,
            binary: latest_version(),
        });
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let sql = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO tollgate_schema (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    tx.commit().await?;
    Ok(applied)
}

/// The schema version of the database.
pub async fn current_version(store: &Store) -> Result<i64> {
    Ok(
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM tollgate_schema")
            .fetch_one(store.reader())
            .await?
            .try_get("v")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_is_dense_and_files_match() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{} is out of sequence", m.name);
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{}",
                m.name
            );
        }
        for backend in ["sqlite", "postgres"] {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/").to_string() + backend;
            let files = std::fs::read_dir(&dir).unwrap().count();
            assert_eq!(
                files,
                MIGRATIONS.len(),
                "{dir} has a migration not listed in MIGRATIONS"
            );
        }
    }
}
