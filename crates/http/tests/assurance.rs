//! Service assurance through the API (issue 17): availability from incidents and notified
//! maintenance (S1), the S3 tiers into SLA credits on the next invoice (B12), restoration
//! time (T5), NOC tickets (S4), a SIP OPTIONS probe against a real SIP socket, the public
//! status feed. On the demo (NOW = 2026-11-17): last month, October 2026 (31 days, 44,640
//! minutes), the EU PBX cluster was down 6 h by the provider's fault and in maintenance 2 h
//! noticed an hour before; Acme Dental uses it.

mod common;

use axum::http::StatusCode;
use common::browser::account_id;
use common::{refusal, setup, unprocessable, T};
use serde_json::{json, Value};

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn micros(v: &Value) -> i64 {
    tollgate_core::money::parse_scaled(v.as_str().unwrap(), 6).unwrap()
}

async fn component(t: &T, name: &str) -> String {
    let (_, v) = t.get("/v1/assurance/services", "operator").await;
    items(&v)
        .iter()
        .flat_map(|s| s["components"].as_array().cloned().unwrap_or_default())
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A new service with one component, mapped as the only component of `customer`.
async fn lab(t: &T, customer: &str) -> String {
    let (s, svc) = t
        .post(
            "/v1/assurance/services",
            "operator",
            json!({"name": "Lab", "description": "A test cluster"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{svc}");
    let (s, c) = t
        .post(
            "/v1/assurance/components",
            "operator",
            json!({"service_id": svc["id"], "name": "Lab 1", "classound": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = c["id"].as_str().unwrap().to_string();
    let (_, v) = t.get("/v1/customers?limit=100", "operator").await;
    let cust = items(&v)
        .into_iter()
        .find(|c| c["name"] == customer)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = t
        .put(
            &format!("/v1/customers/{cust}/components"),
            "operator",
            json!({"component_ids": [cid]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    cust
}

async fn outage(t: &T, component: &str, cause: &str, from: &str, to: &str) -> String {
    let (s, v) = t
        .post(
            "/v1/assurance/incidents",
            "operator",
            json!({"title": format!("{cause} outage"), "cause": cause, "component_ids": [component],
                   "started_at": from, "message": "Investigating."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .post(
            &format!("/v1/assurance/incidents/{id}/updates"),
            "operator",
            json!({"status": "resolved", "message": "Restored.", "resolved_at": to}),
        )
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("resolved")),
        "{v}"
    );
    id
}

/// A window planned at `notice` (the clock set there) with its notice sent then.
async fn maintenance(t: &T, component: &str, from: &str, to: &str, notice: &str) {
    t.app.clock.set(at(notice));
    let (s, v) = t
        .post(
            "/v1/assurance/maintenance",
            "operator",
            json!({"title": "Upgrade", "starts_at": from, "ends_at": to, "component_ids": [component],
                   "notify": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["notice_at"].as_str(), Some(notice), "{v}");
}

async fn december(t: &T, customer: &str) -> Value {
    let (s, v) = t
        .get(
            &format!("/v1/assurance/availability/month?month=2026-12&customer_id={customer}"),
            "operator",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// December 2026 on Bayview Bakery's only component: 360 minutes of provider outage on the
/// 10th and a 120-minute window on the 20th, noticed at `notice`.
async fn december_with_notice(t: &T, notice: &str) -> (String, Value) {
    let cust = lab(t, "Bayview Bakery").await;
    let c = component(t, "Lab 1").await;
    t.app.clock.set(at("2026-12-11T00:00:00Z"));
    outage(
        t,
        &c,
        "provider",
        "2026-12-10T10:00:00Z",
        "2026-12-10T16:00:00Z",
    )
    .await;
    maintenance(
        t,
        &c,
        "2026-12-20T02:00:00Z",
        "2026-12-20T04:00:00Z",
        notice,
    )
    .await;
    t.app.clock.set(at("2027-01-02T00:00:00Z"));
    let v = december(t, &cust).await;
    (cust, v)
}

#[tokio::test]
async fn s1_s3_maintenance_notified_72_h_ahead_is_excluded_99_19_pays_100() {
    let t = setup().await;
    // 44,640 minutes; counted 360 (the outage), excluded 120 (maintenance noticed 72 h ahead,
    // lead 48 h): (44,640 - 360) / 44,640 = 99.193 % -> "99.19", tier >= 99 -> 100 % payable.
    let (_, v) = december_with_notice(&t, "2026-12-17T02:00:00Z").await;
    let m = &v["measure"];
    assert_eq!(
        (
            m["period_s"].as_i64(),
            m["counted_s"].as_i64(),
            m["excluded_maintenance_s"].as_i64(),
            m["availability_pct"].as_str()
        ),
        (
            Some(44_640 * 60),
            Some(360 * 60),
            Some(120 * 60),
            Some("99.19")
        ),
        "{v}"
    );
    assert_eq!(v["maintenance_notice_h"].as_i64(), Some(48));
    // The notice went to Bayview's admins and its partner's by e-mail, under S1.
    let (_, out) = t.get("/v1/outbox?limit=500", "operator").await;
    let notices: Vec<Value> = items(&out)
        .into_iter()
        .filter(|m| m["subject"] == "Scheduled maintenance: Upgrade")
        .collect();
    assert!(
        !notices.is_empty() && notices.iter().all(|m| m["rule"] == "S1"),
        "{out}"
    );
    let (s, v) = t
        .post("/v1/sla/close", "operator", json!({"month": "2026-12"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let bay = account_id(&t, "operator", "Bayview Bakery").await;
    let mine: Vec<Value> = v["credits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["billing_account_id"] == bay.as_str())
        .cloned()
        .collect();
    assert!(!mine.is_empty(), "{v}");
    for c in &mine {
        assert_eq!(
            (
                c["payable_pct"].as_i64(),
                c["credit"].as_str(),
                c["pending_charge_id"].as_str()
            ),
            (Some(100), Some("0.000000"), None),
            "{c}"
        );
    }
}

#[tokio::test]
async fn s1_s3_b12_maintenance_noticed_too_late_counts_98_92_pays_90_and_credits_10_percent() {
    let t = setup().await;
    // The same 120 minutes noticed 1 h before (lead 48 h): counted 480;
    // (44,640 - 480) / 44,640 = 98.925 % -> "98.92", tier [90, 99) -> 90 % payable.
    let (_, v) = december_with_notice(&t, "2026-12-20T01:00:00Z").await;
    let m = &v["measure"];
    assert_eq!(
        (
            m["counted_s"].as_i64(),
            m["excluded_maintenance_s"].as_i64(),
            m["availability_pct"].as_str()
        ),
        (Some(480 * 60), Some(0), Some("98.92")),
        "{v}"
    );
    let (s, v) = t
        .post("/v1/sla/close", "operator", json!({"month": "2026-12"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let bay = account_id(&t, "operator", "Bayview Bakery").await;
    let retail = v["credits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["billing_account_id"] == bay.as_str() && c["level"] == "retail")
        .cloned()
        .unwrap();
    // Bayview's licences: 5 x UC Business at a monthly unit price, billed annually in
    // advance; December's share is the whole month: unit x 5; the credit 10 % of it, half up.
    let (_, subs) = t
        .get(
            &format!("/v1/subscriptions?billing_account_id={bay}&limit=100"),
            "operator",
        )
        .await;
    let lic = items(&subs)
        .into_iter()
        .find(|s| s["kind"] == "licence")
        .unwrap();
    let unit = micros(&lic["unit_price"]);
    let fee = unit * lic["quantity"].as_i64().unwrap(); // a whole month of the monthly unit price
    assert_eq!(micros(&retail["fee"]), fee, "{retail}");
    assert_eq!(micros(&retail["credit"]), (fee + 5) / 10, "{retail}");
    assert_eq!(
        (
            retail["payable_pct"].as_i64(),
            retail["credit_pct"].as_i64(),
            retail["rule"].as_str(),
            retail["measure"]["availability_pct"].as_str()
        ),
        (Some(90), Some(10), Some("S3"), Some("98.92"))
    );
    assert!(retail["pending_charge_id"].is_string());
    // The partner's wholesale fee is credited the same share.
    let wholesale = v["credits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["billing_account_id"] == bay.as_str() && c["level"] == "wholesale")
        .cloned()
        .unwrap();
    assert_eq!(wholesale["credit_pct"].as_i64(), Some(10), "{wholesale}");
    // Idempotent: a second close writes nothing more.
    let (_, again) = t
        .post("/v1/sla/close", "operator", json!({"month": "2026-12"}))
        .await;
    assert_eq!(
        again["credits"].as_array().map(Vec::len),
        Some(0),
        "{again}"
    );
    assert!(again["already"].as_u64().unwrap() >= 2);
    // The month must be over.
    let (s, v) = t
        .post("/v1/sla/close", "operator", json!({"month": "2027-01"}))
        .await;
    assert_eq!(refusal(s, &v, "month"), unprocessable("month_not_closed"));
}

#[tokio::test]
async fn s3_force_majeure_does_not_count_and_overlapping_incidents_count_once() {
    let t = setup().await;
    let cust = lab(&t, "Bayview Bakery").await;
    let c = component(&t, "Lab 1").await;
    t.app.clock.set(at("2026-12-31T00:00:00Z"));
    // Provider 10:00-12:00 and 11:00-13:00 overlap: 180 minutes, not 240.
    outage(
        &t,
        &c,
        "provider",
        "2026-12-05T10:00:00Z",
        "2026-12-05T12:00:00Z",
    )
    .await;
    outage(
        &t,
        &c,
        "provider",
        "2026-12-05T11:00:00Z",
        "2026-12-05T13:00:00Z",
    )
    .await;
    // Force majeure (W 9.8) 300 minutes and a customer-caused outage 60: excluded.
    outage(
        &t,
        &c,
        "force_majeure",
        "2026-12-08T00:00:00Z",
        "2026-12-08T05:00:00Z",
    )
    .await;
    outage(
        &t,
        &c,
        "customer",
        "2026-12-09T00:00:00Z",
        "2026-12-09T01:00:00Z",
    )
    .await;
    t.app.clock.set(at("2027-01-01T00:00:00Z"));
    let v = december(&t, &cust).await;
    let m = &v["measure"];
    // (44,640 - 180) / 44,640 = 99.596 % -> "99.59".
    assert_eq!(
        (
            m["counted_s"].as_i64(),
            m["excluded_other_s"].as_i64(),
            m["availability_pct"].as_str()
        ),
        (Some(180 * 60), Some(360 * 60), Some("99.59")),
        "{v}"
    );
}

#[tokio::test]
async fn s3_b12_the_demo_october_credit_lands_on_the_november_invoice_and_the_ledger_verifies() {
    let t = setup().await;
    // Acme Dental HQ uses PBX EU-1: 360 + 120 (noticed an hour before) minutes counted in
    // October -> 98.92 % -> 90 % payable; the demo closed October.
    let hq = account_id(&t, "operator", "Acme Dental HQ").await;
    let (s, v) = t
        .get(
            &format!("/v1/sla/credits?month=2026-10&billing_account={hq}"),
            "customer_a",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let retail = items(&v)
        .into_iter()
        .find(|c| c["level"] == "retail")
        .unwrap();
    assert_eq!(
        (
            retail["measure"]["counted_s"].as_i64(),
            retail["measure"]["availability_pct"].as_str(),
            retail["payable_pct"].as_i64()
        ),
        (Some(480 * 60), Some("98.92"), Some(90)),
        "{retail}"
    );
    // Scope: another customer sees none of Acme's credits.
    let (_, other) = t.get("/v1/sla/credits?month=2026-10", "customer_b").await;
    assert!(
        items(&other)
            .iter()
            .all(|c| c["billing_account_id"] != hq.as_str()),
        "{other}"
    );
    // The November run puts the credit on Acme HQ's invoice as a negative line under B12.
    t.app.clock.set(at("2026-12-02T09:00:00Z"));
    let (s, run) = t
        .post("/v1/billing/runs", "operator", json!({"period": "2026-11"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{run}");
    let inv = run["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["billing_account_id"] == hq.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{run}"));
    let (_, inv) = t
        .get(
            &format!("/v1/invoices/{}", inv["id"].as_str().unwrap()),
            "operator",
        )
        .await;
    let line = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "credit" && l["rule"] == "B12")
        .cloned()
        .unwrap_or_else(|| panic!("{inv}"));
    // The line is the credit rounded half up to the cent, negative.
    let credit = micros(&retail["credit"]);
    assert_eq!(
        micros(&line["amount"]),
        -((credit + 5_000) / 10_000 * 10_000),
        "{line}"
    );
    let (_, ok) = t.get("/v1/ledger/verify", "operator").await;
    assert_eq!(ok["ok"].as_bool(), Some(true), "{ok}");
}

#[tokio::test]
async fn t5_s4_the_demo_outage_breaches_the_4_h_restoration_time_and_reached_the_partner() {
    let t = setup().await;
    let (s, v) = t
        .get("/v1/assurance/restoration?month=2026-10", "operator")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let i = v["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "PBX EU-1: calls fail to register")
        .cloned()
        .unwrap();
    // The month's totals per profile of the customers using the cluster (Acme Dental
    // wildix-2026, Bayview Bakery wildix-earlier, Harbor Logistics x-hoppers-2025).
    let total = |p: &str| {
        let t = v["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["profile"] == p)
            .cloned()
            .unwrap();
        (t["incidents"].as_u64(), t["breached"].as_u64())
    };
    assert_eq!(
        (
            total("wildix-2026"),
            total("wildix-earlier"),
            total("x-hoppers-2025")
        ),
        ((Some(1), Some(1)), (Some(1), Some(1)), (Some(1), Some(0))),
        "{v}"
    );
    // 10:00 -> 16:00 = 6 h: beyond 4 h (wildix-2026), within 8 h (x-hoppers-2025).
    let breached = |p: &str| {
        i["restoration"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["profile"] == p)
            .unwrap()["breached"]
            .as_bool()
    };
    assert_eq!(
        (breached("wildix-2026"), breached("x-hoppers-2025")),
        (Some(true), Some(false)),
        "{i}"
    );
    // S4: Acme Dental's partner got a ticket about it; the operator's NOC opened it.
    let (_, tickets) = t.get("/v1/tickets?limit=100", "partner_gold").await;
    assert!(
        items(&tickets)
            .iter()
            .any(|k| k["subject"] == "NOC: PBX EU-1: calls fail to register"),
        "{tickets}"
    );
}

#[tokio::test]
async fn s2_the_status_feed_badge_and_atom_are_public_and_show_the_incident() {
    let t = setup().await;
    let c = component(&t, "API").await;
    let (s, v) = t
        .post(
            "/v1/assurance/incidents",
            "operator",
            json!({"title": "API errors", "cause": "provider", "component_ids": [c], "message": "Elevated errors."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v, _) = t.call("GET", "/status.json", None, "", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let api = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "API")
        .cloned()
        .unwrap();
    assert_eq!(
        (api["state"].as_str(), api["days"].as_array().map(Vec::len)),
        (Some("major_outage"), Some(90)),
        "{api}"
    );
    assert_eq!(
        v["incidents"][0]["title"].as_str(),
        Some("API errors"),
        "{v}"
    );
    let (s, _, atom) = t.call("GET", "/status/feed.atom", None, "", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        atom.contains("<title>API errors (investigating)</title>"),
        "{atom}"
    );
    let (s, _, svg) = t
        .call(
            "GET",
            &format!("/status/badge/{}", api["id"].as_str().unwrap()),
            None,
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(svg.starts_with("<svg") && svg.contains("uptime"), "{svg}");
}

#[tokio::test]
async fn s2_bad_input_is_refused_with_its_field_and_customers_cannot_open_incidents() {
    let t = setup().await;
    let c = component(&t, "API").await;
    for (body, field, code) in [
        (
            json!({"component_id": c, "name": "x", "kind": "http", "target": "https://example.test/"}),
            "target",
            "https_not_supported",
        ),
        (
            json!({"component_id": c, "name": "x", "kind": "dns", "target": "127.0.0.1:53"}),
            "dns_name",
            "dns_name_required",
        ),
        (
            json!({"component_id": c, "name": "x", "kind": "tcp", "target": "127.0.0.1:0"}),
            "target",
            "port_invalid",
        ),
        (
            json!({"component_id": "cmp_nope", "name": "x", "kind": "tcp", "target": "127.0.0.1:80"}),
            "component_id",
            "component_unknown",
        ),
    ] {
        let (s, v) = t.post("/v1/assurance/probes", "operator", body).await;
        assert_eq!(refusal(s, &v, field), unprocessable(code), "{v}");
    }
    let (s, v) = t
        .post(
            "/v1/assurance/incidents",
            "operator",
            json!({"title": "x", "cause": "gremlins", "component_ids": [c], "message": "m"}),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "cause"),
        unprocessable("cause_invalid"),
        "{v}"
    );
    let (s, v) = t
        .post("/v1/assurance/maintenance", "operator", json!({"title": "x", "starts_at": "2026-12-01T02:00:00Z", "ends_at": "2026-12-01T01:00:00Z", "component_ids": [c]}))
        .await;
    assert_eq!(
        refusal(s, &v, "ends_at"),
        unprocessable("window_invalid"),
        "{v}"
    );
    let (s, _) = t
        .post(
            "/v1/assurance/incidents",
            "customer_a",
            json!({"title": "x", "cause": "provider", "component_ids": [c], "message": "m"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn s3_a_closed_month_stands_and_customers_never_see_the_partners_wholesale_outcome() {
    let t = setup().await;
    let hq = account_id(&t, "operator", "Acme Dental HQ").await;
    // The demo closed October: a new outage in October is refused, with the rule.
    let c = component(&t, "PBX EU-1").await;
    let (s, v) = t
        .post(
            "/v1/assurance/incidents",
            "operator",
            json!({"title": "late", "cause": "provider", "component_ids": [c],
                   "started_at": "2026-10-30T00:00:00Z", "message": "m"}),
        )
        .await;
    assert_eq!(
        (
            s,
            v["error"]["code"].as_str(),
            v["error"]["rule"].as_str(),
            v["error"]["clause"].as_str(),
            v["error"]["fields"]["started_at"].is_string()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("month_closed"),
            Some("S3"),
            Some("W 20.3"),
            true
        ),
        "{v}"
    );
    // The customer sees its retail outcome only; its partner also the wholesale one.
    let (_, mine) = t
        .get(
            &format!("/v1/sla/credits?billing_account={hq}"),
            "customer_a",
        )
        .await;
    assert!(
        !items(&mine).is_empty() && items(&mine).iter().all(|c| c["level"] == "retail"),
        "{mine}"
    );
    let (_, partner) = t
        .get(
            &format!("/v1/sla/credits?billing_account={hq}"),
            "partner_gold",
        )
        .await;
    assert!(
        items(&partner).iter().any(|c| c["level"] == "wholesale"),
        "{partner}"
    );
    // Filters are checked.
    let (s, v) = t.get("/v1/sla/credits?level=both", "operator").await;
    assert_eq!(refusal(s, &v, "level"), unprocessable("level_invalid"));
    // A customer whose components are not mapped is left out of a close, and named.
    let (_, custs) = t.get("/v1/customers?limit=100", "operator").await;
    let direct = items(&custs)
        .into_iter()
        .find(|c| c["name"] == "Direct Corp")
        .unwrap();
    let (s, _) = t
        .put(
            &format!(
                "/v1/customers/{}/components",
                direct["id"].as_str().unwrap()
            ),
            "operator",
            json!({"component_ids": []}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    t.app.clock.set(at("2026-12-01T00:00:00Z"));
    let (s, v) = t
        .post("/v1/sla/close", "operator", json!({"month": "2026-11"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, accts) = t
        .get(
            &format!(
                "/v1/billing-accounts?customer_id={}",
                direct["id"].as_str().unwrap()
            ),
            "operator",
        )
        .await;
    let direct_acct = items(&accts)[0]["id"].as_str().unwrap().to_string();
    assert!(
        v["unmapped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == direct_acct.as_str()),
        "{v}"
    );
    assert!(v["credits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["billing_account_id"] != direct_acct.as_str()));
}

#[tokio::test]
async fn s2_the_status_page_shows_an_open_incident_however_many_were_resolved_since() {
    let t = setup().await;
    let api = component(&t, "API").await;
    let portal = component(&t, "Portal").await;
    // An outage of the API opened first, then 60 short portal incidents resolved after it.
    t.app.clock.set(at("2026-11-17T00:00:00Z"));
    let (s, v) = t
        .post("/v1/assurance/incidents", "operator", json!({"title": "API down", "cause": "provider", "component_ids": [api], "message": "m"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for k in 0..60 {
        t.app.clock.set(at("2026-11-17T01:00:00Z") + k * 60);
        let from = jiff::Timestamp::from_second(t.app.now() - 30)
            .unwrap()
            .to_string();
        let to = jiff::Timestamp::from_second(t.app.now())
            .unwrap()
            .to_string();
        outage(&t, &portal, "provider", &from, &to).await;
    }
    let (_, v, _) = t.call("GET", "/status.json", None, "", vec![]).await;
    let state = |n: &str| {
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(
        (state("API").as_str(), state("Portal").as_str()),
        (Some("major_outage"), Some("operational")),
        "{v}"
    );
    assert_eq!(v["incidents"][0]["title"].as_str(), Some("API down"));
    assert!(v["incidents"][0]["probe_id"].is_null());
}
