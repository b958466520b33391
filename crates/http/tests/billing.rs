//! HTTP tests of billing (issue 12) over the real router and store with the demo, whose
//! October (the month before `NOW`) is invoiced at both levels when it is seeded.

mod common;

use axum::http::StatusCode;
use common::{refusal, setup, unprocessable, T};
use serde_json::{json, Value};

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn invoices(t: &T, who: &str) -> Vec<Value> {
    let (s, v) = t.get("/v1/invoices?period=2026-10", who).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    items(&v)
}

fn billed(list: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["level"].as_str().unwrap(),
                i["billed_name"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

async fn account_id(t: &T, who: &str, name: &str) -> String {
    let (_, v) = t.get("/v1/billing-accounts", who).await;
    items(&v)
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no account {name}: {v}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn p5_invoices_are_scoped_customer_own_partner_issued_and_received_operator_all() {
    let t = setup().await;
    assert_eq!(invoices(&t, "operator").await.len(), 8);
    assert_eq!(
        billed(&invoices(&t, "customer_a").await),
        [
            "retail Acme Dental / Acme Dental Branch",
            "retail Acme Dental / Acme Dental HQ"
        ]
    );
    // Northwind: the retail invoices it issued, those of the reseller it is the assigned
    // partner of (P3), and the wholesale invoice billed to itself, not the reseller's.
    assert_eq!(
        billed(&invoices(&t, "partner_gold").await),
        [
            "retail Acme Dental / Acme Dental Branch",
            "retail Acme Dental / Acme Dental HQ",
            "retail Harbor Logistics / Harbor Logistics UK",
            "wholesale Northwind Communications",
        ]
    );
    // Another customer's invoice is not found, in any format.
    let other = invoices(&t, "customer_b").await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for suffix in ["", ".pdf", ".html", ".csv"] {
        let (s, _) = t
            .get(&format!("/v1/invoices/{other}{suffix}"), "customer_a")
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{suffix}");
    }
    // Customers see their subscriptions, never the wholesale prices of their orders.
    let (s, v) = t.get("/v1/orders", "customer_a").await;
    assert_eq!(s, StatusCode::OK);
    let id = items(&v)[0]["id"].as_str().unwrap().to_string();
    let (_, o) = t.get(&format!("/v1/orders/{id}"), "customer_a").await;
    assert!(
        o["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["wholesale_price"].is_null()),
        "{o}"
    );
    let (_, o) = t.get(&format!("/v1/orders/{id}"), "partner_gold").await;
    assert!(o["lines"][0]["wholesale_price"].is_string(), "{o}");
}

#[tokio::test]
async fn b5_the_pdf_opens_and_pdftotext_finds_the_total_and_the_due_date() {
    let t = setup().await;
    let list = invoices(&t, "customer_a").await;
    let hq = list
        .iter()
        .find(|i| i["billed_name"].as_str().unwrap().ends_with("HQ"))
        .unwrap();
    let id = hq["id"].as_str().unwrap();
    let (s, v) = t.get(&format!("/v1/invoices/{id}"), "customer_a").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Every line names its rule and clause; the total is the sum of the rounded lines and taxes.
    let cents = |s: &Value| -> i64 { s.as_str().unwrap().replace('.', "").parse().unwrap() };
    let lines: i64 = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| cents(&l["amount"]))
        .sum();
    let taxes: i64 = v["taxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| cents(&t["amount"]))
        .sum();
    assert_eq!(cents(&v["total"]), lines + taxes, "{v}");
    assert!(v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["rule"].is_string() && l["clause"].is_string()));
    // The PDF as bytes, through the router.
    let req = axum::http::Request::builder()
        .uri(format!("/v1/invoices/{id}.pdf"))
        .header("authorization", format!("Bearer {}", t.token("customer_a")))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(
        tollgate_http::router(t.app.clone(), tollgate_http::DEFAULT_MAX_BODY_BYTES),
        req,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(body.starts_with(b"%PDF-"));
    let path = std::env::temp_dir().join(format!("{id}.pdf"));
    std::fs::write(&path, &body).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: .ci/run installs it");
    let text = String::from_utf8_lossy(&out.stdout);
    let total = v["total"].as_str().unwrap();
    assert!(text.contains(total), "total {total} not in:\n{text}");
    assert!(text.contains("2026-12-01"), "due date not in:\n{text}");
    assert!(text.contains("Page 1 of"), "{text}");
    let _ = std::fs::remove_file(path);
    // HTML and CSV.
    let (s, _, html) = t
        .call(
            "GET",
            &format!("/v1/invoices/{id}.html"),
            Some(t.token("customer_a")),
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(total));
    let (s, _, csv) = t
        .call(
            "GET",
            "/v1/invoices?period=2026-10&format=csv",
            Some(t.token("customer_a")),
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        csv.starts_with("invoice_number,issuer,billed,level"),
        "{csv}"
    );
    assert!(
        csv.contains("revenue:licence") && csv.contains("tax:FR"),
        "{csv}"
    );
}

#[tokio::test]
async fn b4_bad_run_periods_and_roles_are_refused_and_a_rerun_returns_the_same_invoices() {
    let t = setup().await;
    for (p, code) in [
        ("2026-13", "period_invalid"),
        ("2026-11", "period_not_closed"),
        ("next", "period_invalid"),
    ] {
        let (s, v) = t
            .post("/v1/billing/runs", "operator", json!({ "period": p }))
            .await;
        assert_eq!(refusal(s, &v, "period"), unprocessable(code), "{v}");
    }
    let (s, _) = t
        .post(
            "/v1/billing/runs",
            "customer_a",
            json!({"period": "2026-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = t
        .post("/v1/billing/runs", "operator", json!({"period": "2026-10"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["issued"].as_u64(),
            v["invoices"].as_array().unwrap().len()
        ),
        (Some(0), 8)
    );
    let (s, v) = t.get("/v1/ledger/verify", "operator").await;
    assert_eq!((s, v["ok"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
}

#[tokio::test]
async fn c1_b1_orders_refuse_bad_lines_then_run_draft_executed_fulfilled() {
    let t = setup().await;
    let hq = account_id(&t, "operator", "Acme Dental HQ").await;
    let harbor = account_id(&t, "operator", "Harbor Logistics UK").await;
    let (_, before) = t.get("/v1/orders", "operator").await;
    let order = |acct: &str, cur: &str, line: Value| json!({"billing_account_id": acct, "currency": cur, "lines": [line]});
    let lic = |q: i64| json!({"product": "UC-BUSINESS", "quantity": q, "term": "monthly"});
    for (body, field, code) in [
        (
            order(
                &hq,
                "EUR",
                json!({"product": "NOPE", "quantity": 1, "term": "monthly"}),
            ),
            "lines[0].product",
            "product_unknown",
        ),
        (
            order(&hq, "EUR", lic(0)),
            "lines[0].quantity",
            "quantity_invalid",
        ),
        (
            order(&hq, "EUR", lic(-3)),
            "lines[0].quantity",
            "quantity_invalid",
        ),
        (order(&hq, "GBP", lic(1)), "currency", "currency_mismatch"),
        (
            order(
                &hq,
                "EUR",
                json!({"product": "UC-BUSINESS", "quantity": 1, "term": "2_year"}),
            ),
            "lines[0].term",
            "term_invalid",
        ),
    ] {
        let (s, v) = t.post("/v1/orders", "partner_gold", body).await;
        assert_eq!(refusal(s, &v, field), unprocessable(code), "{v}");
    }
    // B1: x-hoppers-2025 bills in GBP only; the refusal names the rule.
    let (s, v) = t
        .post("/v1/orders", "operator", order(&harbor, "EUR", lic(1)))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        (v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (Some("currency_not_allowed"), Some("B1"))
    );
    // A product with no price in force in the list.
    let (s, _) = t
        .post(
            "/v1/products",
            "operator",
            json!({"code": "NEW-THING", "name": "New", "kind": "fax"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = t
        .post(
            "/v1/orders",
            "partner_gold",
            order(
                &hq,
                "EUR",
                json!({"product": "NEW-THING", "quantity": 1, "term": "monthly"}),
            ),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "lines[0].product"),
        unprocessable("no_price_in_force"),
        "{v}"
    );
    let (_, after) = t.get("/v1/orders", "operator").await;
    assert_eq!(
        items(&after).len(),
        items(&before).len(),
        "a refused order wrote nothing"
    );
    // C1: drafted by the partner, executed by the customer, fulfilled by the provider
    // (which accepts it by starting the work).
    let (s, o) = t
        .post(
            "/v1/orders",
            "partner_gold",
            order(
                &hq,
                "EUR",
                json!({"product": "EXTRA-CHANNEL", "quantity": 2, "term": "monthly"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["lines"][0]["unit_price"], "6.00");
    let id = o["id"].as_str().unwrap();
    let (s, v) = t
        .post(&format!("/v1/orders/{id}/fulfil"), "operator", json!({}))
        .await;
    assert_eq!(
        (s, v["error"]["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("C1")),
        "{v}"
    );
    let (s, v) = t
        .post(&format!("/v1/orders/{id}/execute"), "customer_a", json!({}))
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("executed")),
        "{v}"
    );
    let (s, v) = t
        .post(&format!("/v1/orders/{id}/fulfil"), "operator", json!({}))
        .await;
    assert_eq!(
        (s, v["state"].as_str(), v["accepted_how"].as_str()),
        (StatusCode::OK, Some("fulfilled"), Some("work_started")),
        "{v}"
    );
    let (_, subs) = t
        .get(
            &format!("/v1/subscriptions?billing_account_id={hq}"),
            "customer_a",
        )
        .await;
    assert!(
        items(&subs)
            .iter()
            .any(|s| s["kind"] == "extra_channel" && s["quantity"] == 2),
        "{subs}"
    );
}

#[tokio::test]
async fn c2_a_late_non_renewal_and_c3_an_x_hoppers_mid_term_increase_are_refused() {
    let t = setup().await;
    let harbor = account_id(&t, "operator", "Harbor Logistics UK").await;
    let (_, subs) = t
        .get(
            &format!("/v1/subscriptions?billing_account_id={harbor}"),
            "operator",
        )
        .await;
    let lic = items(&subs)
        .into_iter()
        .find(|s| s["kind"] == "licence")
        .unwrap();
    let id = lic["id"].as_str().unwrap();
    // The monthly licence started on 1 October renews on 1 December: a notice on
    // 17 November is 14 days before, not the 30 the terms ask.
    let (s, v) = t
        .post(
            &format!("/v1/subscriptions/{id}/non-renewal"),
            "operator",
            json!({"received_on": "2026-11-17"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        (v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (Some("non_renewal_too_late"), Some("C2")),
        "{v}"
    );
    // A notice is recorded on the day it arrives: not three weeks back, where it would pass.
    let (s, v) = t
        .post(
            &format!("/v1/subscriptions/{id}/non-renewal"),
            "operator",
            json!({"received_on": "2026-10-25"}),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "received_on"),
        unprocessable("received_on_invalid")
    );
    // x-hoppers-2025: a price increase mid-term is refused.
    let (s, v) = t
        .post(
            &format!("/v1/subscriptions/{id}/price-changes"),
            "operator",
            json!({"unit_price": "99.00", "effective_from": "2026-11-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        (v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (Some("price_increase_mid_term"), Some("C3")),
        "{v}"
    );
    // A decrease applies.
    let (s, v) = t
        .post(
            &format!("/v1/subscriptions/{id}/price-changes"),
            "operator",
            json!({"unit_price": "1.00", "effective_from": "2026-11-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}
