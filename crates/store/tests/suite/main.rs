//! The store suite: the same tests against SQLite (always) and PostgreSQL (`--ignored`, with
//! `TOLLGATE_TEST_POSTGRES_URL` set; `.ci/run` does both). One test binary (`--test suite`);
//! the test functions live here and in the modules below, and `suite!` runs each on both.

mod cdr_pages;
mod checks;
mod checksums;
mod frontline_log;

use cdr_pages::*;
use checks::*;
use frontline_log::*;

use tollgate_store::rating::{self as sr, CdrRow, RateVersionRow, StoredRate};
use tollgate_store::tenancy::{
    self as st, BillingAccountRow, CustomerRow, OperatorRow, PartnerRow,
};
use tollgate_store::{audit, auth, migrate, Page, Scope, ScopeFilter, Store, StoreError};

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(tollgate_store::testing::sqlite().await).await })*
        }
        mod postgres {
            $(#[tokio::test] #[ignore = "needs TOLLGATE_TEST_POSTGRES_URL; run with --ignored"]
              async fn $name() { super::$name(tollgate_store::testing::postgres().await).await })*
        }
    };
}

suite!(
    migrations_are_idempotent_and_newer_schemas_refused,
    audit_log_is_append_only,
    tenancy_scope_filters,
    unique_email_is_a_conflict,
    cdr_insert_is_idempotent,
    sql_longest_prefix_baseline,
    numbers_scope_state_and_emergency_history,
    guard_state_round_trips,
    the_database_refuses_invalid_enums_and_negative_amounts,
    i11_6_a_cdr_page_is_an_index_range_not_a_sort,
    q_a_notification_gets_one_raised_entry_from_the_database,
);

pub(crate) async fn seed(
    store: &Store,
) -> (
    PartnerRow,
    PartnerRow,
    CustomerRow,
    CustomerRow,
    BillingAccountRow,
) {
    let mut tx = store.begin().await.unwrap();
    st::insert_operator(
        &mut tx,
        &OperatorRow {
            id: "op".into(),
            name: "Op".into(),
            created_at: 1,
        },
    )
    .await
    .unwrap();
    let p1 = PartnerRow {
        id: "ptn_1".into(),
        operator_id: "op".into(),
        name: "P1".into(),
        tier: "gold".into(),
        assigned_partner_id: None,
        created_at: 1,
    };
    let p2 = PartnerRow {
        id: "ptn_2".into(),
        operator_id: "op".into(),
        name: "P2".into(),
        tier: "bronze".into(),
        assigned_partner_id: Some("ptn_1".into()),
        created_at: 1,
    };
    st::insert_partner(&mut tx, &p1).await.unwrap();
    st::insert_partner(&mut tx, &p2).await.unwrap();
    let c1 = CustomerRow {
        id: "cus_1".into(),
        operator_id: "op".into(),
        partner_id: Some("ptn_1".into()),
        name: "C1".into(),
        created_at: 1,
    };
    let c2 = CustomerRow {
        id: "cus_2".into(),
        operator_id: "op".into(),
        partner_id: Some("ptn_2".into()),
        name: "C2".into(),
        created_at: 1,
    };
    st::insert_customer(&mut tx, &c1).await.unwrap();
    st::insert_customer(&mut tx, &c2).await.unwrap();
    let ba = BillingAccountRow {
        id: "ba_1".into(),
        customer_id: "cus_1".into(),
        name: "B".into(),
        currency: "EUR".into(),
        rate_table: Some("t".into()),
        created_at: 1,
    };
    st::insert_billing_account(&mut tx, &ba).await.unwrap();
    tollgate_store::commit(tx).await.unwrap();
    (p1, p2, c1, c2, ba)
}

async fn migrations_are_idempotent_and_newer_schemas_refused(store: Store) {
    assert_eq!(migrate::apply(&store).await.unwrap(), Vec::<i64>::new());
    assert_eq!(
        migrate::current_version(&store).await.unwrap(),
        migrate::latest_version()
    );
    let mut tx = store.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO tollgate_schema (version, name, applied_at) VALUES (999, 'future', 0)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tollgate_store::commit(tx).await.unwrap();
    match migrate::apply(&store).await {
        Err(StoreError::SchemaTooNew { database: 999, .. }) => {}
        other => panic!("expected SchemaTooNew, got {:?}", other.map(|_| ())),
    }
}

async fn audit_log_is_append_only(store: Store) {
    let row = audit::AuditRow {
        id: "aud_1".into(),
        at: 1,
        actor: "cli".into(),
        action: "x".into(),
        target: "t".into(),
        source: "cli".into(),
        request_id: "r".into(),
        detail: "{}".into(),
    };
    let mut tx = store.begin().await.unwrap();
    audit::append(&mut tx, &row).await.unwrap();
    tollgate_store::commit(tx).await.unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let mut tx = store.begin().await.unwrap();
        assert!(
            sqlx::query(sql).execute(&mut *tx).await.is_err(),
            "{sql} must be refused"
        );
    }
    assert_eq!(
        audit::list(&store, ScopeFilter::of(&Scope::All), &Page::first(10))
            .await
            .unwrap(),
        vec![row]
    );
}

async fn tenancy_scope_filters(store: Store) {
    seed(&store).await;
    let page = Page::first(10);
    let ids = |v: Vec<CustomerRow>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(
            st::list_customers(&store, ScopeFilter::of(&Scope::All), &page)
                .await
                .unwrap()
        ),
        ["cus_1", "cus_2"]
    );
    assert_eq!(
        ids(st::list_customers(
            &store,
            ScopeFilter::of(&Scope::Partners(vec!["ptn_1".into()])),
            &page
        )
        .await
        .unwrap()),
        ["cus_1"]
    );
    assert_eq!(
        ids(st::list_customers(
            &store,
            ScopeFilter::of(&Scope::Customer("cus_2".into())),
            &page
        )
        .await
        .unwrap()),
        ["cus_2"]
    );
    assert!(st::get_customer(
        &store,
        ScopeFilter::of(&Scope::Partners(vec!["ptn_1".into()])),
        "cus_2"
    )
    .await
    .is_err());
    assert_eq!(
        st::list_billing_accounts(
            &store,
            ScopeFilter::of(&Scope::Customer("cus_2".into())),
            None,
            &page
        )
        .await
        .unwrap()
        .len(),
        0
    );
    // Pagination by cursor.
    let first = st::list_customers(&store, ScopeFilter::of(&Scope::All), &Page::first(1))
        .await
        .unwrap();
    let next = st::list_customers(
        &store,
        ScopeFilter::of(&Scope::All),
        &Page {
            limit: 1,
            after: Some(first[0].id.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(next), ["cus_2"]);
}

async fn unique_email_is_a_conflict(store: Store) {
    let u = auth::UserRow {
        id: "usr_1".into(),
        email: "a@b.test".into(),
        name: "A".into(),
        role: "operator_admin".into(),
        partner_id: None,
        customer_id: None,
        password_hash: None,
        totp_secret: None,
        totp_enabled: false,
        created_at: 1,
    };
    let mut tx = store.begin().await.unwrap();
    auth::insert_user(&mut tx, &u).await.unwrap();
    tollgate_store::commit(tx).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let dup = auth::UserRow {
        id: "usr_2".into(),
        ..u
    };
    assert!(matches!(
        auth::insert_user(&mut tx, &dup).await,
        Err(StoreError::Conflict(_))
    ));
}

pub(crate) fn cdr(call_id: &str) -> CdrRow {
    CdrRow {
        id: format!("cdr_{call_id}"),
        source: "sbc".into(),
        call_id: call_id.into(),
        billing_account_id: "ba_1".into(),
        customer_id: "cus_1".into(),
        from_number: "331".into(),
        to_number: "442".into(),
        start_at: 10,
        answer_at: None,
        end_at: 20,
        duration_s: 10,
        disposition: "answered".into(),
        direction: "outbound".into(),
        prefix: Some("44".into()),
        destination: Some("UK".into()),
        rate_micros: 10,
        billed_s: 60,
        bundle_s: 0,
        amount_micros: 1_234,
        currency: "EUR".into(),
        rate_table: Some("t".into()),
        rate_version: Some(1),
        ingested_at: 30,
    }
}

async fn cdr_insert_is_idempotent(store: Store) {
    seed(&store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        sr::insert_cdrs(&mut tx, &[cdr("a"), cdr("b")])
            .await
            .unwrap(),
        2
    );
    tollgate_store::commit(tx).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        sr::existing_call_ids(&mut tx, "sbc", &["a", "c"])
            .await
            .unwrap(),
        ["a"]
    );
    let again = CdrRow {
        id: "cdr_other".into(),
        ..cdr("a")
    };
    assert_eq!(
        sr::insert_cdrs(&mut tx, &[again, cdr("c")]).await.unwrap(),
        1
    );
    tollgate_store::commit(tx).await.unwrap();
    assert_eq!(
        sr::system::cdr_totals(&store).await.unwrap(),
        vec![("EUR".to_string(), 3, 3 * 1_234)]
    );
    let scoped = sr::list_account_cdrs(
        &store,
        ScopeFilter::of(&Scope::Customer("cus_2".into())),
        &cdr("a").billing_account_id,
        (None, None),
        None,
        10,
    )
    .await
    .unwrap();
    assert!(scoped.is_empty());
    // The daily rollup the portal charts counts each CDR once: a, b and c on day 0 (start at
    // 10 s), the duplicate of a not at all: 3 calls, 3 answered (their disposition), 3 x 60
    // billed seconds, 3 x 1,234 micros; none for a customer out of scope.
    let all = sr::daily_usage(&store, ScopeFilter::of(&Scope::All), 0, 86_400)
        .await
        .unwrap();
    assert_eq!(
        all,
        vec![sr::DailyUsage {
            day: 0,
            currency: "EUR".into(),
            calls: 3,
            answered: 3,
            billed_s: 180,
            amount_micros: 3 * 1_234,
        }]
    );
    let other = sr::daily_usage(
        &store,
        ScopeFilter::of(&Scope::Customer("cus_2".into())),
        0,
        86_400,
    )
    .await
    .unwrap();
    assert!(other.is_empty());
}

async fn sql_longest_prefix_baseline(store: Store) {
    let rate = |prefix: &str, from: i64, until: Option<i64>, micros: i64| StoredRate {
        version: 1,
        prefix: prefix.into(),
        destination: "d".into(),
        rate_micros: micros,
        connection_fee_micros: 0,
        initial_s: 60,
        subsequent_s: 60,
        min_billed_s: 0,
        valid_from: from,
        valid_until: until,
        currency: "EUR".into(),
        zone: None,
    };
    let v = RateVersionRow {
        id: "rtv_1".into(),
        table_name: "t".into(),
        version: 1,
        imported_at: 1,
        imported_by: "cli".into(),
        row_count: 3,
    };
    let mut tx = store.begin().await.unwrap();
    sr::insert_rate_version(
        &mut tx,
        &v,
        &[
            rate("44", 0, None, 1),
            rate("447", 0, Some(100), 2),
            rate("447", 100, None, 3),
        ],
    )
    .await
    .unwrap();
    tollgate_store::commit(tx).await.unwrap();
    assert_eq!(
        sr::system::lookup_rate_sql(&store, "t", "447700900000", 50)
            .await
            .unwrap()
            .unwrap()
            .rate_micros,
        2
    );
    assert_eq!(
        sr::system::lookup_rate_sql(&store, "t", "447700900000", 100)
            .await
            .unwrap()
            .unwrap()
            .rate_micros,
        3
    );
    assert_eq!(
        sr::system::lookup_rate_sql(&store, "t", "442070000000", 100)
            .await
            .unwrap()
            .unwrap()
            .prefix,
        "44"
    );
    assert!(sr::system::lookup_rate_sql(&store, "t", "33100000000", 100)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        sr::system::load_rate_rows(&store, "t").await.unwrap().len(),
        3
    );
}

async fn numbers_scope_state_and_emergency_history(store: Store) {
    use tollgate_store::numbers::{self as sn, AddressRow, NumberFilter, NumberRow, TransitionRow};
    seed(&store).await;
    let num = |id: &str, e164: &str, customer: Option<&str>, state: &str| NumberRow {
        id: id.into(),
        e164: e164.into(),
        country: "GB".into(),
        number_type: "geographic".into(),
        capabilities: "voice".into(),
        state: state.into(),
        customer_id: customer.map(str::to_string),
        billing_account_id: customer.map(|_| "ba_1".to_string()),
        reserved_at: None,
        provider_verified_at: None,
        provider_verified_by: None,
        customer_confirmed_at: None,
        customer_confirmed_by: None,
        confirm_method: None,
        activated_at: Some(10),
        quarantine_until: None,
        suspended_reason: None,
        suspension_ref: None,
        cnam: None,
        no_trunking: true,
        routing: "direct".into(),
        origin: "inventory".into(),
        created_at: 1,
        updated_at: 1,
        partner_id: None,
    };
    let mut tx = store.begin().await.unwrap();
    sn::insert_number(
        &mut tx,
        &num("num_1", "442079460001", Some("cus_1"), "active"),
    )
    .await
    .unwrap();
    sn::insert_number(&mut tx, &num("num_2", "442079460002", None, "available"))
        .await
        .unwrap();
    sn::insert_number(
        &mut tx,
        &num("num_3", "442079460003", Some("cus_2"), "active"),
    )
    .await
    .unwrap();
    for (i, (eff, street)) in [(0, "Old St"), (100, "New St")].into_iter().enumerate() {
        sn::insert_address(
            &mut tx,
            &AddressRow {
                id: format!("ead_{i}"),
                number_id: "num_1".into(),
                street: street.into(),
                city: "London".into(),
                postcode: "E1".into(),
                country: "GB".into(),
                region: None,
                floor: Some("2".into()),
                room: None,
                registered_at: i as i64,
                registered_by: "cli".into(),
                effective_at: eff,
                withdrawn_at: None,
            },
        )
        .await
        .unwrap();
    }
    sn::insert_transition(
        &mut tx,
        &TransitionRow {
            id: "ntr_1".into(),
            subject_type: "number".into(),
            subject_id: "num_1".into(),
            e164: Some("442079460001".into()),
            from_state: "reserved".into(),
            to_state: "active".into(),
            event: "activate".into(),
            actor: "cli".into(),
            at: 10,
            reason: "r".into(),
            rule: "B2".into(),
            clause: "W 7.9.1".into(),
        },
    )
    .await
    .unwrap();
    tollgate_store::commit(tx).await.unwrap();

    // The guard's lookup, and the billing account's active numbers.
    let n = sn::system::find_by_e164(&store, "442079460001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            n.state.as_str(),
            n.activated_at,
            n.no_trunking,
            n.partner_id.as_deref()
        ),
        ("active", Some(10), true, Some("ptn_1"))
    );
    assert!(sn::system::find_by_e164(&store, "1")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        sn::system::active_numbers_of_account(&store, "ba_1")
            .await
            .unwrap(),
        vec!["442079460001".to_string(), "442079460003".to_string()]
    );
    // Scope: a customer sees its own; a partner its customers' and the unassigned inventory.
    let list = |scope: Scope| {
        let store = store.clone();
        async move {
            sn::list_numbers(
                &store,
                ScopeFilter::of(&scope),
                &NumberFilter::default(),
                &Page::first(10),
            )
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(Scope::Customer("cus_1".into())).await, ["num_1"]);
    assert_eq!(
        list(Scope::Partners(vec!["ptn_2".into()])).await,
        ["num_2", "num_3"]
    );
    assert_eq!(list(Scope::All).await, ["num_1", "num_2", "num_3"]);
    let c2 = Scope::Customer("cus_2".into());
    assert!(matches!(
        sn::get_number(&store, ScopeFilter::of(&c2), "num_1", true).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        sn::get_number(&store, ScopeFilter::of(&c2), "442079460003", true)
            .await
            .unwrap()
            .id,
        "num_3"
    );
    // Optimistic state check on update.
    let mut tx = store.begin().await.unwrap();
    let mut m = n.clone();
    m.state = "suspended".into();
    assert!(matches!(
        sn::update_number(&mut tx, &m, "reserved").await,
        Err(StoreError::Conflict(_))
    ));
    sn::update_number(&mut tx, &m, "active").await.unwrap();
    assert_eq!(
        sn::withdraw_pending_addresses(&mut tx, "num_1", 50)
            .await
            .unwrap(),
        1
    );
    tollgate_store::commit(tx).await.unwrap();
    let addrs = sn::addresses_of(&store, ScopeFilter::of(&Scope::All), "num_1")
        .await
        .unwrap();
    assert_eq!(addrs.len(), 2);
    assert_eq!(addrs[1].withdrawn_at, Some(50));
    let t = sn::transitions_of(&store, ScopeFilter::of(&Scope::All), "num_1")
        .await
        .unwrap();
    assert_eq!(
        (t[0].rule.as_str(), t[0].clause.as_str()),
        ("B2", "W 7.9.1")
    );
}

async fn guard_state_round_trips(store: Store) {
    use tollgate_store::guard::{self as sg, CallRow, IncidentRow, PolicyRow, SuspensionRow};
    seed(&store).await;
    let mut tx = store.begin().await.unwrap();
    let mut p = PolicyRow {
        billing_account_id: "ba_1".into(),
        validated: true,
        licensed_calls: 4,
        site_bandwidth_kbps: Some(300),
        home_country: "FR".into(),
        international_allowlist: "DE,GB".into(),
        credit_limit_micros: None,
        updated_at: 1,
    };
    sg::put_policy(&mut tx, &p).await.unwrap();
    p.licensed_calls = 6;
    sg::put_policy(&mut tx, &p).await.unwrap(); // upsert
    let call = |id: &str| CallRow {
        call_id: id.into(),
        billing_account_id: "ba_1".into(),
        from_number: "33170000001".into(),
        to_number: "4930123456".into(),
        international: true,
        source: "198.51.100.1".into(),
        started_at: 100,
        answered_at: None,
        ended_at: None,
    };
    sg::record_calls(
        &mut tx,
        &[call("c1"), call("c2"), call("c1")],
        &[("c1".into(), 105)],
        &[("c2".into(), 110)],
    )
    .await
    .unwrap();
    let s = SuspensionRow {
        id: "sus_1".into(),
        billing_account_id: "ba_1".into(),
        scope: "international".into(),
        rule: "F4".into(),
        clause: "W 8.6".into(),
        reason: "test".into(),
        created_at: 100,
        created_by: "cli".into(),
        until_at: Some(200),
        incident_id: None,
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
    };
    sg::insert_suspension(&mut tx, &s).await.unwrap();
    sg::insert_incident(
        &mut tx,
        &IncidentRow {
            id: "inc_1".into(),
            at: 100,
            billing_account_id: Some("ba_1".into()),
            customer_id: Some("cus_1".into()),
            source: None,
            detector: "dialer_short_calls".into(),
            rule: "F3".into(),
            clause: "W 8.2".into(),
            count: 19,
            window_s: 0,
            threshold: 90,
            detail: "d".into(),
            action: "suspend_outbound".into(),
        },
    )
    .await
    .unwrap();
    sg::put_ban(&mut tx, "203.0.113.9", 300).await.unwrap();
    sg::put_ban(&mut tx, "203.0.113.9", 400).await.unwrap();
    sg::put_destination_prefix(&mut tx, "4490", "premium_rate", "UK", 1, "cli")
        .await
        .unwrap();
    tollgate_store::commit(tx).await.unwrap();

    assert_eq!(
        sg::get_policy(&store, ScopeFilter::of(&Scope::All), "ba_1")
            .await
            .unwrap()
            .unwrap()
            .licensed_calls,
        6
    );
    let open = sg::system::open_calls(&store).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].call_id.as_str(), open[0].answered_at),
        ("c1", Some(105))
    );
    assert_eq!(
        sg::system::active_suspensions(&store, "ba_1", 150)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(sg::system::active_suspensions(&store, "ba_1", 200)
        .await
        .unwrap()
        .is_empty()); // expired by itself
    let mut tx = store.begin().await.unwrap();
    assert!(sg::lift_suspension(&mut tx, "sus_1", 160, "cli", "ok")
        .await
        .unwrap());
    assert!(!sg::lift_suspension(&mut tx, "sus_1", 161, "cli", "again")
        .await
        .unwrap());
    tollgate_store::commit(tx).await.unwrap();
    assert!(sg::system::active_suspensions(&store, "ba_1", 150)
        .await
        .unwrap()
        .is_empty());
    let page = Page::first(10);
    assert_eq!(
        sg::list_incidents(
            &store,
            ScopeFilter::of(&Scope::Customer("cus_1".into())),
            &page
        )
        .await
        .unwrap()
        .len(),
        1
    );
    assert!(sg::list_incidents(
        &store,
        ScopeFilter::of(&Scope::Customer("cus_2".into())),
        &page
    )
    .await
    .unwrap()
    .is_empty());
    assert_eq!(
        sg::list_suspensions(
            &store,
            ScopeFilter::of(&Scope::Partners(vec!["ptn_1".into()])),
            &page
        )
        .await
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        sg::system::active_bans(&store, 350).await.unwrap(),
        vec![("203.0.113.9".to_string(), 400)]
    );
    assert_eq!(
        sg::system::destination_prefixes(&store).await.unwrap(),
        vec![("4490".to_string(), "premium_rate".to_string())]
    );
    assert_eq!(sg::system::spend_since(&store, "ba_1", 0).await.unwrap(), 0);
}
