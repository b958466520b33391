//! Migration checksums: a database whose applied migration differs from the embedded file is
//! refused by `Store::open`, naming the migration; a database from before checksums (no
//! column, or rows without one) gets them recorded on first start. These tests reopen the
//! database by URL, so they run on both backends here rather than through `suite!`.

use tollgate_store::migrate::{self, MIGRATIONS};
use tollgate_store::{testing, Store, StoreError};

async fn exec(store: &Store, sql: &str) {
    testing::exec(store, sql)
        .await
        .unwrap_or_else(|e| panic!("`{sql}`: {e}"));
}

async fn recorded(store: &Store) -> Vec<String> {
    testing::texts(
        store,
        "SELECT COALESCE(checksum, 'none') FROM tollgate_schema ORDER BY version",
    )
    .await
    .unwrap()
}

fn embedded(store: &Store) -> Vec<String> {
    MIGRATIONS
        .iter()
        .map(|m| m.checksum(store.backend()))
        .collect()
}

async fn a_changed_migration_is_refused_and_old_databases_get_checksums(url: String) {
    let store = Store::open(&url).await.unwrap();
    assert_eq!(
        recorded(&store).await,
        embedded(&store),
        "recorded at apply"
    );

    // A database from before checksums: no column at all.
    exec(&store, "ALTER TABLE tollgate_schema DROP COLUMN checksum").await;
    store.close().await;
    let store = Store::open(&url).await.expect("an old database opens");
    assert_eq!(
        recorded(&store).await,
        embedded(&store),
        "filled on first start"
    );

    // Rows without a checksum (column present) are filled too.
    exec(
        &store,
        "UPDATE tollgate_schema SET checksum = NULL WHERE version = 2",
    )
    .await;
    store.close().await;
    let store = Store::open(&url).await.unwrap();
    assert_eq!(recorded(&store).await, embedded(&store));

    // An applied migration that differs from the embedded file: refused, naming it.
    exec(
        &store,
        "UPDATE tollgate_schema SET checksum = 'edited' WHERE version = 3",
    )
    .await;
    store.close().await;
    match Store::open(&url).await {
        Err(e @ StoreError::MigrationChanged { .. }) => {
            let StoreError::MigrationChanged { version, name, .. } = &e else {
                unreachable!()
            };
            assert_eq!((*version, name.as_str()), (3, "0003_numbers"));
            let message = e.to_string();
            assert!(
                message.contains("migration 3 (0003_numbers)") && message.contains("edited"),
                "{message}"
            );
        }
        Err(e) => panic!("refused, but not as a changed migration: {e}"),
        Ok(_) => panic!("a database with a changed migration was opened"),
    }
    // Nothing was applied or filled by the refused start.
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(recorded(&store).await[2], "edited");
    assert_eq!(
        migrate::current_version(&store).await.unwrap(),
        migrate::latest_version()
    );
    store.close().await;
}

mod sqlite {
    #[tokio::test]
    async fn a_changed_migration_is_refused_and_old_databases_get_checksums() {
        super::a_changed_migration_is_refused_and_old_databases_get_checksums(
            tollgate_store::testing::sqlite_url(),
        )
        .await
    }
}

mod postgres {
    #[tokio::test]
    #[ignore = "needs TOLLGATE_TEST_POSTGRES_URL; run with --ignored"]
    async fn a_changed_migration_is_refused_and_old_databases_get_checksums() {
        super::a_changed_migration_is_refused_and_old_databases_get_checksums(
            tollgate_store::testing::postgres_schema_url().await,
        )
        .await
    }
}
