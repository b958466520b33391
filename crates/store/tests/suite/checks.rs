//! Migration 0007: the database itself refuses what the code would refuse (enum-like TEXT
//! columns, currencies, amounts and durations that cannot be negative), on both backends,
//! with the rule's name (`check_<table>_<column>`) in the error.

use tollgate_store::rating::{self as sr, CdrRow};
use tollgate_store::{Store, Tx};

use super::{cdr, seed};

/// Runs `sql` in its own transaction (rolled back) and asserts the database refuses it
/// naming `check`.
async fn refused(store: &Store, sql: &str, check: &str) {
    let mut tx = store.begin().await.unwrap();
    match sqlx::query(sql).execute(&mut *tx).await {
        Ok(_) => panic!("the database took `{sql}`; expected {check}"),
        Err(e) => assert!(
            e.to_string().contains(check),
            "`{sql}` was refused, but not by {check}: {e}"
        ),
    }
}

/// Runs `sql` and commits: the valid twin of a refused statement is taken.
async fn taken(store: &Store, sql: &str) {
    let mut tx = store.begin().await.unwrap();
    sqlx::query(sql)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("`{sql}` was refused: {e}"));
    tollgate_store::commit(tx).await.unwrap();
}

async fn insert_cdr(store: &Store, row: CdrRow) -> Result<u64, String> {
    let mut tx: Tx = store.begin().await.unwrap();
    let r = sr::insert_cdrs(&mut tx, &[row]).await;
    match r {
        Ok(n) => {
            tollgate_store::commit(tx).await.unwrap();
            Ok(n)
        }
        Err(e) => Err(e.to_string()),
    }
}

pub(crate) async fn the_database_refuses_invalid_enums_and_negative_amounts(store: Store) {
    seed(&store).await;

    // Invalid enum values, on insert and on update.
    for (sql, check) in [
        (
            "UPDATE partners SET tier = 'titanium' WHERE id = 'ptn_1'",
            "check_partners_tier",
        ),
        (
            "INSERT INTO users (id, email, name, role, created_at) \
             VALUES ('usr_x', 'x@example.com', 'X', 'superuser', 1)",
            "check_users_role",
        ),
        (
            "UPDATE billing_accounts SET currency = 'eur' WHERE id = 'ba_1'",
            "check_billing_accounts_currency",
        ),
        (
            "INSERT INTO numbers (id, e164, country, number_type, capabilities, state, routing, \
             origin, created_at, updated_at) VALUES ('num_x', '442079460009', 'GB', 'geographic', \
             'voice', 'borrowed', 'direct', 'inventory', 1, 1)",
            "check_numbers_state",
        ),
        (
            "INSERT INTO numbers (id, e164, country, number_type, capabilities, state, routing, \
             origin, created_at, updated_at) VALUES ('num_y', '442079460008', 'GB', 'geographic', \
             'voice', 'available', 'pbx', 'inventory', 1, 1)",
            "check_numbers_routing",
        ),
        (
            "INSERT INTO suspensions (id, billing_account_id, scope, rule, clause, reason, \
             created_at, created_by) VALUES ('sus_x', 'ba_1', 'everything', 'F4', 'c', 'r', 1, 'guard')",
            "check_suspensions_scope",
        ),
    ] {
        refused(&store, sql, check).await;
    }

    // Negative amounts and counts.
    for (sql, check) in [
        (
            "UPDATE billing_accounts SET included_seconds = -60 WHERE id = 'ba_1'",
            "check_billing_accounts_included_seconds",
        ),
        (
            "INSERT INTO guard_policies (billing_account_id, validated, licensed_calls, \
             home_country, international_allowlist, updated_at) VALUES ('ba_1', 1, -1, 'FR', '', 1)",
            "check_guard_policies_licensed_calls",
        ),
        (
            "INSERT INTO guard_policies (billing_account_id, validated, licensed_calls, \
             home_country, international_allowlist, credit_limit_micros, updated_at) \
             VALUES ('ba_1', 1, 2, 'FR', '', -5, 1)",
            "check_guard_policies_credit_limit_micros",
        ),
    ] {
        refused(&store, sql, check).await;
    }

    // CDRs through the store's own insert (the bulk path; rebuilt with CHECKs on SQLite).
    for (row, check) in [
        (
            CdrRow {
                duration_s: -1,
                ..cdr("neg-duration")
            },
            "check_cdrs_duration_s",
        ),
        (
            CdrRow {
                amount_micros: -1,
                ..cdr("neg-amount")
            },
            "check_cdrs_amount_micros",
        ),
        (
            CdrRow {
                disposition: "maybe".into(),
                ..cdr("bad-disposition")
            },
            "check_cdrs_disposition",
        ),
    ] {
        let e = insert_cdr(&store, row).await.expect_err(check);
        assert!(e.contains(check), "refused, but not by {check}: {e}");
    }

    // Nothing refused was written; the valid twins are taken (the guard's own
    // `created_by`, a NULL credit limit, zero licences, a zero-second call).
    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            tollgate_store::testing::texts(&store, sql)
                .await
                .unwrap()
                .join(",")
        }
    };
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM cdrs").await,
        "0",
        "no refused CDR was stored"
    );
    assert_eq!(
        count("SELECT tier FROM partners WHERE id = 'ptn_1'").await,
        "gold"
    );
    for sql in [
        "UPDATE partners SET tier = 'silver' WHERE id = 'ptn_1'",
        "INSERT INTO users (id, email, name, role, created_at) \
         VALUES ('usr_edge', 'edge@example.com', 'Edge', 'sip_edge', 1)",
        "UPDATE billing_accounts SET included_seconds = 0 WHERE id = 'ba_1'",
        "INSERT INTO suspensions (id, billing_account_id, scope, rule, clause, reason, \
         created_at, created_by) VALUES ('sus_ok', 'ba_1', 'international', 'F4', 'c', 'r', 1, 'guard')",
        "INSERT INTO guard_policies (billing_account_id, validated, licensed_calls, \
         home_country, international_allowlist, credit_limit_micros, updated_at) \
         VALUES ('ba_1', 0, 0, 'FR', '', NULL, 1)",
    ] {
        taken(&store, sql).await;
    }
    assert_eq!(
        insert_cdr(
            &store,
            CdrRow {
                duration_s: 0,
                billed_s: 0,
                amount_micros: 0,
                disposition: "no_answer".into(),
                ..cdr("zero")
            }
        )
        .await,
        Ok(1)
    );
}
