//! Issue 11 #6: a page of an account's CDRs is an index range in call order, never a sort of
//! the account's CDRs, on both backends.

use tollgate_store::rating as sr;
use tollgate_store::{Backend, Scope, ScopeFilter, Store};

pub(crate) async fn i11_6_a_cdr_page_is_an_index_range_not_a_sort(store: Store) {
    let scopes = [
        Scope::All,
        Scope::Customer("cus_1".into()),
        Scope::Partners(vec!["ptn_1".into()]),
    ];
    for scope in &scopes {
        for (range, after) in [
            ((None, None), None),
            ((Some(10), Some(20)), Some((15, "cdr_9"))),
        ] {
            let q = sr::account_cdrs_query(ScopeFilter::of(scope), "ba_1", range, after, 50);
            let mut tx = store.begin().await.unwrap();
            if store.backend() == Backend::Postgres {
                // With sorting and full scans priced out, a plan without a Sort node exists
                // only if an index hands the rows over in (start_at, id) order.
                for set in [
                    "SET LOCAL enable_sort = off",
                    "SET LOCAL enable_seqscan = off",
                ] {
                    sqlx::query(set).execute(&mut *tx).await.unwrap();
                }
            }
            let plan = q
                .explain(&mut tx, store.backend())
                .await
                .unwrap()
                .join("\n");
            drop(tx);
            assert!(plan.contains("cdrs_account_start_id"), "{scope:?}: {plan}");
            match store.backend() {
                Backend::Sqlite => assert!(!plan.contains("TEMP B-TREE"), "{scope:?}: {plan}"),
                Backend::Postgres => assert!(!plan.contains("Sort"), "{scope:?}: {plan}"),
            }
        }
    }
}
