//! A restart does not reset fraud state (review issue, item 9): the detector windows are
//! rebuilt from the persisted recent calls.

use tollgate_app::guard::CallRequest;
use tollgate_app::{Actor, App, Clock};

const NOW: i64 = 1_795_000_000;

fn short_call(hq: &str, n: i64) -> CallRequest {
    CallRequest {
        billing_account: Some(hq.into()),
        from: "+33170000001".into(),
        to: format!("+331426{:05}", 10_000 + n * 37),
        source_ip: Some("192.0.2.10".into()),
        at: None,
        call_id: Some(format!("short-{n}")),
    }
}

/// Places, answers and ends a 10-second call `n`, 30 s after the previous one.
async fn place(app: &App, hq: &str, n: i64) -> Vec<String> {
    let at = NOW + n * 30;
    app.clock.set(at);
    let d = app
        .guard_call(&Actor::cli(), short_call(hq, n))
        .await
        .unwrap();
    if d.verdict.code != "allowed" {
        return vec![format!("refused:{}", d.verdict.code)];
    }
    app.guard_answer(&d.call_id, Some(at + 2)).await.unwrap();
    app.clock.set(at + 12);
    let end = app
        .guard_end(&Actor::cli(), &d.call_id, Some(at + 12))
        .await
        .unwrap();
    end["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn f3_the_dialer_signature_survives_a_restart() {
    let store = tollgate_store::testing::any().await;
    let before = App::new(store.clone(), Clock::fixed(NOW)).unwrap();
    before.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-rs-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&before, &dir).await.unwrap();
    let hq = tollgate_store::testing::texts(
        &before.store,
        "SELECT id FROM billing_accounts WHERE name = 'Acme Dental HQ'",
    )
    .await
    .unwrap()
    .remove(0);
    // 15 calls of 10 s: not yet a dialer (the detector wants 20 of the recent calls).
    for n in 0..15 {
        assert!(place(&before, &hq, n).await.is_empty(), "call {n}");
    }
    before.flush_guard().await.unwrap();
    // A new process on the same database.
    let after = App::new(store, Clock::fixed(NOW + 15 * 30)).unwrap();
    after.load_rates().await.unwrap();
    after.start_guard().await.unwrap();
    let mut incidents = Vec::new();
    for n in 15..23 {
        incidents.extend(place(&after, &hq, n).await);
    }
    after.flush_guard().await.unwrap();
    // 22 short calls of the last 23 (the demo's one answered call lasted 175 s): 95 % under
    // 60 s with an average of 17 s, so the signature fires on the 20th short call.
    let detectors = tollgate_store::testing::texts(
        &after.store,
        "SELECT detector FROM incidents WHERE detector = 'dialer_short_calls'",
    )
    .await
    .unwrap();
    assert_eq!(
        detectors.len(),
        1,
        "incidents after the restart: {incidents:?}"
    );
}

#[tokio::test]
async fn f2_policies_stored_with_calling_codes_name_iso_countries_after_a_restart() {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store.clone(), Clock::fixed(NOW)).unwrap();
    let dir = std::env::temp_dir().join(format!("tg-up-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    let id = |name: &'static str| {
        let store = store.clone();
        async move {
            tollgate_store::testing::texts(
                &store,
                &format!("SELECT id FROM billing_accounts WHERE name = '{name}'"),
            )
            .await
            .unwrap()
            .remove(0)
        }
    };
    let (hq, direct) = (id("Acme Dental HQ").await, id("Direct Corp").await);
    // As stored before the ISO change: calling codes.
    let mut tx = store.begin().await.unwrap();
    for (account, home, allow) in [(&hq, "33", "49,44"), (&direct, "1", "44,1")] {
        tollgate_store::guard::put_policy(
            &mut tx,
            &tollgate_store::guard::PolicyRow {
                billing_account_id: account.clone(),
                validated: true,
                licensed_calls: 10,
                site_bandwidth_kbps: None,
                home_country: home.into(),
                international_allowlist: allow.into(),
                credit_limit_micros: None,
                updated_at: NOW,
            },
        )
        .await
        .unwrap();
    }
    tollgate_store::commit(tx).await.unwrap();
    let after = App::new(store.clone(), Clock::fixed(NOW)).unwrap();
    after.start_guard().await.unwrap();
    let sys = tollgate_app::Caller::system(Actor::cli());
    let p = after.get_guard_policy(&sys, &hq).await.unwrap().unwrap();
    assert_eq!(
        (p.home_country.as_str(), p.international_allowlist.as_str()),
        ("FR", "DE,GB")
    );
    // Direct Corp's number is in San Francisco: home US; a legacy `1` in the allowlist (all
    // of NANP) narrows to US, the safe side for fraud.
    let p = after
        .get_guard_policy(&sys, &direct)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (p.home_country.as_str(), p.international_allowlist.as_str()),
        ("US", "GB,US")
    );
    // Idempotent: a second start changes nothing.
    assert!(after.upgrade_policy_countries().await.unwrap().is_empty());
}
