//! Limits that must hold under concurrency (review issue, item 6 and "tests that can fail"):
//! credit is reserved by live calls (B5); licences are counted atomically (T3).

use tollgate_app::guard::{CallRequest, Guard, PolicyPatch};
use tollgate_app::{Actor, Caller};
use tollgate_core::guard::Thresholds;

mod support;
use support::{app_with, NOW};

fn call(hq: &str, id: &str) -> CallRequest {
    CallRequest {
        billing_account: Some(hq.into()),
        from: "+33170000001".into(),
        to: "+33142685300".into(),
        source_ip: None,
        at: None,
        call_id: Some(id.into()),
    }
}

#[tokio::test]
async fn b5_simultaneous_calls_share_the_credit_instead_of_each_getting_all_of_it() {
    let (app, hq) = app_with(Guard::default()).await;
    // What the account already spent this month (the demo's calls), from the stored CDRs.
    let spent: i64 = tollgate_store::testing::texts(
        &app.store,
        &format!(
            "SELECT CAST(COALESCE(SUM(amount_micros), 0) AS TEXT) FROM cdrs WHERE billing_account_id = '{hq}' AND start_at >= 1793491200"
        ),
    )
    .await
    .unwrap()[0]
        .parse()
        .unwrap();
    // Credit left: 10 minutes to Paris at 0.015/min (60/60) = 0.150000 = 150,000 micros.
    let sys = Caller::system(Actor::cli());
    app.patch_guard_policy(
        &sys,
        &hq,
        PolicyPatch {
            credit_limit_micros: Some(Some(spent + 150_000)),
            ..PolicyPatch::default()
        },
    )
    .await
    .unwrap();
    let mut granted = Vec::new();
    for n in 0..5 {
        let d = app
            .guard_call(&Actor::cli(), call(&hq, &format!("c-{n}")))
            .await
            .unwrap();
        granted.push((d.verdict.code, d.verdict.max_duration_s));
    }
    let total: u32 = granted.iter().map(|(_, s)| s).sum();
    assert!(
        total <= 600,
        "5 live calls were granted {total} s: {granted:?}"
    );
    assert_eq!(
        granted[0],
        ("allowed", 600),
        "the first call may use all of it"
    );
    assert!(granted[1..]
        .iter()
        .all(|(c, _)| *c == "insufficient_credit"));
    // When the first call ends its hold is released. Its 2 minutes to Paris came from the
    // account's included minutes (area1), so it cost nothing and the whole credit is free
    // again: 600 s. (The guard holds the worst case, ignoring included minutes.)
    app.guard_answer("c-0", Some(NOW)).await.unwrap();
    app.guard_end(&Actor::cli(), "c-0", Some(NOW + 120))
        .await
        .unwrap();
    let d = app
        .guard_call(&Actor::cli(), call(&hq, "c-after"))
        .await
        .unwrap();
    assert_eq!((d.verdict.code, d.verdict.max_duration_s), ("allowed", 600));
    let cost = tollgate_store::testing::texts(
        &app.store,
        "SELECT CAST(amount_micros AS TEXT) FROM cdrs WHERE call_id = 'c-0'",
    )
    .await
    .unwrap();
    assert_eq!(cost, vec!["0".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn t3_sixty_four_racing_calls_win_exactly_ten_licences() {
    // Thresholds out of the way: this test is about the licence count alone.
    let t = Thresholds {
        attempts_per_minute: 10_000,
        ..Thresholds::default()
    };
    let (app, hq) = app_with(Guard::with_thresholds(t)).await;
    let sys = Caller::system(Actor::cli());
    app.patch_guard_policy(
        &sys,
        &hq,
        PolicyPatch {
            licensed_calls: Some(10),
            site_bandwidth_kbps: Some(None),
            ..PolicyPatch::default()
        },
    )
    .await
    .unwrap();
    let live_before = app.live_calls(&hq).calls;
    assert_eq!(live_before, 0);
    let mut tasks = Vec::new();
    for n in 0..64 {
        let (app, hq) = (app.clone(), hq.clone());
        tasks.push(tokio::spawn(async move {
            app.guard_call(&Actor::cli(), call(&hq, &format!("race-{n}")))
                .await
                .unwrap()
                .verdict
                .code
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    let won = codes.iter().filter(|c| **c == "allowed").count();
    let busy = codes
        .iter()
        .filter(|c| **c == "over_licensed_calls")
        .count();
    assert_eq!((won, busy), (10, 54), "{codes:?}");
    assert_eq!(app.live_calls(&hq).calls, 10);
}

#[tokio::test]
async fn b5_a_retried_decision_never_leaks_a_credit_hold() {
    let (app, hq) = app_with(Guard::default()).await;
    let spent: i64 = tollgate_store::testing::texts(
        &app.store,
        &format!(
            "SELECT CAST(COALESCE(SUM(amount_micros), 0) AS TEXT) FROM cdrs WHERE billing_account_id = '{hq}' AND start_at >= 1793491200"
        ),
    )
    .await
    .unwrap()[0]
        .parse()
        .unwrap();
    // Credit for exactly two 4-hour calls to Paris: 2 × 14,400 s × 0.015/min = 7.200000.
    let sys = Caller::system(Actor::cli());
    app.patch_guard_policy(
        &sys,
        &hq,
        PolicyPatch {
            credit_limit_micros: Some(Some(spent + 7_200_000)),
            ..PolicyPatch::default()
        },
    )
    .await
    .unwrap();
    let a = app
        .guard_call(&Actor::cli(), call(&hq, "r-a"))
        .await
        .unwrap();
    assert_eq!(a.verdict.max_duration_s, 14_400);
    // The edge resends the INVITE of the live call: refused, and the hold stays as it was.
    assert!(app
        .guard_call(&Actor::cli(), call(&hq, "r-a"))
        .await
        .is_err());
    app.guard_end(&Actor::cli(), "r-a", Some(NOW + 5))
        .await
        .unwrap();
    // All of the credit is free again: two more 4-hour calls fit.
    for id in ["r-b", "r-c"] {
        let d = app.guard_call(&Actor::cli(), call(&hq, id)).await.unwrap();
        assert_eq!(
            (d.verdict.code, d.verdict.max_duration_s),
            ("allowed", 14_400),
            "{id}"
        );
    }
}

fn emergency(hq: &str, id: &str) -> CallRequest {
    CallRequest {
        to: "112".into(),
        ..call(hq, id)
    }
}

#[tokio::test]
async fn t13_emergency_calls_are_no_evidence_of_fraud() {
    let (app, hq) = app_with(Guard::default()).await;
    // Twenty-five 112 calls ended at once would be a dialer signature if they counted.
    for n in 0..25 {
        let id = format!("sos-{n}");
        let d = app
            .guard_call(&Actor::cli(), emergency(&hq, &id))
            .await
            .unwrap();
        assert_eq!(d.verdict.code, "emergency_call");
        let end = app.guard_end(&Actor::cli(), &id, Some(NOW)).await.unwrap();
        assert_eq!(end["incidents"], serde_json::json!([]), "call {n}");
    }
    let d = app
        .guard_call(&Actor::cli(), call(&hq, "after-sos"))
        .await
        .unwrap();
    assert_eq!(d.verdict.code, "allowed");
}

#[tokio::test]
async fn f4_an_end_reported_too_far_ahead_is_refused_not_released_unbilled() {
    let (app, hq) = app_with(Guard::default()).await;
    app.guard_call(&Actor::cli(), call(&hq, "early"))
        .await
        .unwrap();
    let e = app
        .guard_end(&Actor::cli(), "early", Some(NOW + 4_000))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "at_out_of_range");
    // Still live: the edge can report the end again with a sane time, and it is rated.
    assert_eq!(app.live_calls(&hq).calls, 1);
    let end = app
        .guard_end(&Actor::cli(), "early", Some(NOW + 60))
        .await
        .unwrap();
    assert_eq!(end["rated"], true);
}
