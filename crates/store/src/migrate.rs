//! Embedded, numbered migrations, applied at start in one transaction.
//!
//! Invariant: a migration is never edited after it lands; each has a file per backend with the
//! same number. A database whose schema is newer than this binary is refused.
//!
//! Each applied migration is recorded in `tollgate_schema` with the SHA-256 of its file (the
//! backend's own file, line endings normalised). At start the recorded checksums are compared
//! with the embedded files and a database whose applied migration differs is refused
//! ([`StoreError::MigrationChanged`], naming the migration). The `checksum` column is added by
//! the migrator itself: rows applied by a binary from before checksums have none, and get the
//! embedded file's checksum on first start.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError, Tx};

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
    migration!(7, "0007_checks"),
    migration!(8, "0008_reject_fingerprint"),
    migration!(9, "0009_cdr_listing"),
    migration!(10, "0010_billing"),
    migration!(11, "0011_receivables"),
    migration!(12, "0012_webhooks"),
    migration!(13, "0013_support"),
    migration!(14, "0014_usage_daily"),
    migration!(15, "0015_messaging"),
    migration!(16, "0016_assurance"),
    migration!(17, "0017_hardware"),
    migration!(18, "0018_suspension_scopes"),
    migration!(19, "0019_frontline"),
    migration!(20, "0020_frontline_raised_log"),
];

impl Migration {
    /// The file text for `backend`.
    pub fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    /// SHA-256 (lower-case hex) of the file text for `backend`, with CRLF line endings read as
    /// LF (a checkout with CRLF is not an edit).
    pub fn checksum(&self, backend: Backend) -> String {
        let text = self.sql(backend).replace("\r\n", "\n");
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Applies pending migrations in one transaction; refuses a database from a newer binary or
/// one whose applied migrations differ from the embedded files. Returns the versions applied.
pub async fn apply(store: &Store) -> Result<Vec<i64>> {
    let mut tx = store.begin().await?;
    if store.backend() == Backend::Postgres {
        // Several nodes may start at once: one migrates, the others wait here.
        sqlx::query("SELECT pg_advisory_xact_lock(7406)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS tollgate_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT)",
    )
    .execute(&mut *tx)
    .await?;
    add_checksum_column(store.backend(), &mut tx).await?;
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
    verify_checksums(store.backend(), &mut tx).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        sqlx::raw_sql(m.sql(store.backend()))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO tollgate_schema (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(now)
        .bind(m.checksum(store.backend()))
        .execute(&mut *tx)
        .await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    tx.commit().await?;
    Ok(applied)
}

/// Adds `tollgate_schema.checksum` to a bookkeeping table created before checksums existed.
async fn add_checksum_column(backend: Backend, tx: &mut Tx) -> Result<()> {
    match backend {
        Backend::Postgres => {
            sqlx::query("ALTER TABLE tollgate_schema ADD COLUMN IF NOT EXISTS checksum TEXT")
                .execute(&mut **tx)
                .await?;
        }
        Backend::Sqlite => {
            let has: i64 = sqlx::query(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM pragma_table_info('tollgate_schema') WHERE name = 'checksum'",
            )
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?;
            if has == 0 {
                sqlx::query("ALTER TABLE tollgate_schema ADD COLUMN checksum TEXT")
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Compares the checksum of every applied migration with the embedded file; records it where
/// none was (applied before checksums). Runs after the too-new check, so every recorded
/// version has an embedded migration.
async fn verify_checksums(backend: Backend, tx: &mut Tx) -> Result<()> {
    let rows = sqlx::query("SELECT version, checksum FROM tollgate_schema ORDER BY version")
        .fetch_all(&mut **tx)
        .await?;
    for r in rows {
        let version: i64 = r.try_get("version")?;
        let recorded: Option<String> = r.try_get("checksum")?;
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == version) else {
            continue;
        };
        let embedded = m.checksum(backend);
        match recorded {
            None => {
                sqlx::query("UPDATE tollgate_schema SET checksum = $1 WHERE version = $2")
                    .bind(&embedded)
                    .bind(version)
                    .execute(&mut **tx)
                    .await?;
                tracing::info!(version, name = m.name, "recorded migration checksum");
            }
            Some(c) if c != embedded => {
                return Err(StoreError::MigrationChanged {
                    version,
                    name: m.name.to_string(),
                    database: c,
                    binary: embedded,
                })
            }
            Some(_) => {}
        }
    }
    Ok(())
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
    fn checksums_are_sha256_of_the_text_with_crlf_read_as_lf() {
        let m = Migration {
            version: 1,
            name: "0001_x",
            sqlite: "a\r\nb\n",
            postgres: "a\nb\n",
        };
        // `printf 'a\nb\n' | sha256sum`
        let want = "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2";
        assert_eq!(m.checksum(Backend::Postgres), want);
        assert_eq!(m.checksum(Backend::Sqlite), want);
    }

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
