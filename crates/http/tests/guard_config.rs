//! Guard configuration over HTTP: policies and rating by PUT and PATCH (issue 9, item 15),
//! currencies (B1), and the teardown list a suspension fills (F4).

use axum::http::StatusCode;
use serde_json::{json, Value};

mod guard_support;
use guard_support::*;

#[tokio::test]
async fn i15_put_policy_needs_every_field_and_patch_changes_only_what_is_given() {
    let t = setup().await;
    let path = format!("/v1/billing-accounts/{}/guard-policy", t.hq);
    let (s, p) = t
        .call(
            "PATCH",
            &path,
            "operator",
            json!({"credit_limit": "25.00", "site_bandwidth_kbps": 600}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    // Changing the licences leaves the credit limit, bandwidth and allowlist alone.
    let (s, p) = t
        .call("PATCH", &path, "operator", json!({"licensed_calls": 3}))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (
            p["licensed_calls"].as_i64(),
            p["credit_limit"].as_str(),
            p["site_bandwidth_kbps"].as_i64(),
            p["home_country"].as_str(),
            p["international_allowlist"].clone()
        ),
        (
            Some(3),
            Some("25.000000"),
            Some(600),
            Some("FR"),
            json!(["DE", "GB"])
        )
    );
    // A PUT that leaves a field out is refused, naming it; nothing changes.
    let (s, e) = t
        .call(
            "PUT",
            &path,
            "operator",
            json!({"validated": true, "licensed_calls": 5, "home_country": "FR", "international_allowlist": [], "site_bandwidth_kbps": null}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_field"))
    );
    assert!(e["error"]["fields"].get("credit_limit").is_some(), "{e}");
    // Negative amounts are refused with the field named.
    for (body, field) in [
        (json!({"site_bandwidth_kbps": -1}), "site_bandwidth_kbps"),
        (json!({"credit_limit": "-5.00"}), "credit_limit"),
        (json!({"licensed_calls": -2}), "licensed_calls"),
    ] {
        let (s, e) = t.call("PATCH", &path, "operator", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(e["error"]["fields"].get(field).is_some(), "{e}");
    }
    // Null clears a nullable field explicitly.
    let (_, p) = t
        .call("PATCH", &path, "operator", json!({"credit_limit": null}))
        .await;
    assert_eq!(
        (p["credit_limit"].clone(), p["licensed_calls"].as_i64()),
        (Value::Null, Some(3))
    );
    let (_, g) = t.call("GET", &path, "customer_a", Value::Null).await;
    assert_eq!(g["policy"]["site_bandwidth_kbps"], 600);
}

#[tokio::test]
async fn i15_rating_get_and_patch_keep_what_is_not_given() {
    let t = setup().await;
    let path = format!("/v1/billing-accounts/{}/rating", t.hq);
    let (s, r) = t.call("GET", &path, "operator", Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["rate_table"].as_str(), r["included"].clone()),
        (
            Some("demo-retail"),
            json!({"zone": "area1", "minutes": 5000})
        )
    );
    let (s, r) = t
        .call(
            "PATCH",
            &path,
            "operator",
            json!({"included": {"zone": "area1", "minutes": 1000}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["rate_table"].as_str(), r["included"]["minutes"].as_i64()),
        (Some("demo-retail"), Some(1000))
    );
    let (s, e) = t
        .call(
            "PUT",
            &path,
            "operator",
            json!({"rate_table": "demo-retail"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"].get("included").is_some(), "{e}");
}

#[tokio::test]
async fn b1_a_rate_table_in_another_currency_is_refused_and_unbillable_calls_are_denied() {
    let t = setup().await;
    // The EUR account cannot be pointed at the demo's GBP table.
    let (s, e) = t
        .call(
            "PATCH",
            &format!("/v1/billing-accounts/{}/rating", t.hq),
            "operator",
            json!({"rate_table": "demo-retail-gbp"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("rate_table_currency_mismatch"),
            Some("B1")
        )
    );
    // An account left in that state (data from before the check) has its calls denied,
    // never admitted to be rejected at intake.
    let mut tx = t.app.store.begin().await.unwrap();
    tollgate_store::tenancy::set_rate_table(&mut tx, &t.hq, Some("demo-retail-gbp"))
        .await
        .unwrap();
    tollgate_store::commit(tx).await.unwrap();
    t.app.invalidate_guard_account(&t.hq);
    let v = t.decide("+33142685306", json!({})).await;
    assert_eq!(dcr(&v), ("deny", "rate_currency_mismatch", "B1"));
}

#[tokio::test]
async fn b1_every_demo_account_is_priced_in_its_own_currency() {
    let t = setup().await;
    let sys = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let page = tollgate_store::Page::first(100);
    let accounts = t
        .app
        .list_billing_accounts(&sys, None, &page)
        .await
        .unwrap();
    assert!(accounts.len() >= 5);
    for ba in accounts {
        let table = ba
            .rate_table
            .as_deref()
            .expect("every demo account is rated");
        let rows = t.app.rates.get(table).unwrap();
        assert!(
            rows.rows()
                .iter()
                .all(|r| r.currency.as_str() == ba.currency),
            "{} ({}) is priced with {table}",
            ba.name,
            ba.currency
        );
    }
}

#[tokio::test]
async fn f4_a_suspension_orders_the_live_calls_in_its_scope_cut_but_never_emergency_calls() {
    let t = setup().await;
    // Two live calls: one to Germany (international), one to Paris; and an emergency call.
    for (to, id) in [
        ("+4930123456", "cut-intl"),
        ("+33142685307", "cut-dom"),
        ("112", "cut-112"),
    ] {
        let v = t.decide(to, json!({"call_id": id})).await;
        assert_eq!(v["decision"], "allow", "{v}");
    }
    let (s, _) = t
        .call(
            "POST",
            &format!("/v1/billing-accounts/{}/suspensions", t.hq),
            "operator",
            json!({"scope": "international", "reason": "IRSF suspected"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = t
        .call("GET", "/v1/guard/teardowns", "operator", Value::Null)
        .await;
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cut-intl"], "{v}");
    assert_eq!(v["items"][0]["rule"], "F4");
    // A full suspension adds the domestic call, never the emergency call.
    t.call(
        "POST",
        &format!("/v1/billing-accounts/{}/suspensions", t.hq),
        "operator",
        json!({"scope": "all", "reason": "confirmed"}),
    )
    .await;
    let (_, v) = t
        .call("GET", "/v1/guard/teardowns", "operator", Value::Null)
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
    // The edge tears the call down and reports its end: it leaves the list.
    let (s, _) = t
        .call(
            "POST",
            "/v1/guard/calls/cut-intl/end",
            "operator",
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = t
        .call("GET", "/v1/guard/teardowns", "operator", Value::Null)
        .await;
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cut-dom"]);
}

#[tokio::test]
async fn t13_an_emergency_call_dialled_with_the_country_code_is_never_charged() {
    let t = setup().await;
    let v = t.decide("+33 112", json!({"call_id": "e-intl"})).await;
    assert_eq!(dcr(&v), ("allow", "emergency_call", "T13"));
    t.call(
        "POST",
        "/v1/guard/calls/e-intl/answer",
        "operator",
        json!({"at": (NOW + 1).to_string()}),
    )
    .await;
    let (s, end) = t
        .call(
            "POST",
            "/v1/guard/calls/e-intl/end",
            "operator",
            json!({"at": (NOW + 201).to_string()}),
        )
        .await;
    assert_eq!(
        (s, end["rated"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{end}"
    );
    let cdr = tollgate_store::testing::texts(
        &t.app.store,
        "SELECT direction || ' ' || to_number || ' ' || CAST(amount_micros AS TEXT) FROM cdrs WHERE call_id = 'e-intl'",
    )
    .await
    .unwrap();
    assert_eq!(cdr, vec!["emergency 112 0".to_string()]);
}

#[tokio::test]
async fn t13_f8_a_suspended_account_cannot_pass_directory_enquiries_off_as_an_emergency() {
    let t = setup().await;
    let sys = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let harbor = tollgate_store::testing::texts(
        &t.app.store,
        "SELECT id FROM billing_accounts WHERE name = 'Harbor Logistics UK'",
    )
    .await
    .unwrap()
    .remove(0);
    t.app
        .suspend(&sys, &harbor, "all", "unpaid", None, Some("F1"))
        .await
        .unwrap();
    // Right after the suspension, with a caller ID the UK account does not own.
    for (from, to) in [
        ("+390612345678", "118"),
        ("+442079460100", "118"),
        ("+442079460100", "101"),
    ] {
        let v = t
            .decide(to, json!({"billing_account": harbor, "from": from}))
            .await;
        assert_eq!(dcr(&v).1, "account_suspended", "{from} -> {to}: {v}");
    }
    let v = t
        .decide(
            "999",
            json!({"billing_account": harbor, "from": "+442079460100"}),
        )
        .await;
    assert_eq!(dcr(&v), ("allow", "emergency_call", "T13"));
}
