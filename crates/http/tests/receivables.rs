//! HTTP tests of receivables (issue 13) over the real router and store with the demo: Acme
//! Dental buys from Northwind (partner_gold) under wildix-2026; its October invoices are
//! dated 2026-11-01; `NOW` is 2026-11-18.

mod common;

use axum::http::StatusCode;
use common::{refusal, setup, unprocessable, T};
use serde_json::{json, Value};

async fn acme_hq_invoice(t: &T) -> Value {
    let (s, v) = t
        .get("/v1/invoices?period=2026-10&level=retail", "customer_a")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["billed_name"]
                .as_str()
                .unwrap()
                .ends_with("Acme Dental HQ")
        })
        .cloned()
        .unwrap()
}

/// `"12.34"` → 1234.
fn cents(s: &str) -> i64 {
    let (units, frac) = s.split_once('.').unwrap();
    units.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

#[tokio::test]
async fn b9_payments_disputes_and_statements_are_the_issuers_and_the_customers_own() {
    let t = setup().await;
    let inv = acme_hq_invoice(&t).await;
    let (number, account) = (
        inv["number"].as_str().unwrap(),
        inv["billing_account_id"].as_str().unwrap(),
    );
    let payment = json!({"invoice": number, "amount": "10.00", "currency": inv["currency"], "bank_reference": "NW-1"});
    // The customer cannot record payments; the issuer (Northwind) can.
    let (s, _) = t.post("/v1/payments", "customer_a", payment.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = t
        .post("/v1/payments", "partner_gold", payment.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["allocations"][0]["amount"], "10.00");
    // Bad input names the field and writes nothing.
    let bad = json!({"invoice": number, "amount": "-1", "currency": inv["currency"], "bank_reference": "NW-2"});
    let (s, v) = t.post("/v1/payments", "partner_gold", bad).await;
    assert_eq!(refusal(s, &v, "amount"), unprocessable("amount_invalid"));
    // The customer sees its statement; another customer does not.
    let path = format!("/v1/billing-accounts/{account}/statement");
    let (s, st) = t.get(&path, "customer_a").await;
    assert_eq!(s, StatusCode::OK, "{st}");
    // Owed: the invoice's total less the 10.00 paid (amounts in cents, exact).
    let total = cents(inv["total"].as_str().unwrap());
    let closing = cents(st["items"][0]["closing_balance"].as_str().unwrap());
    assert_eq!(closing, total - 1_000, "{st}");
    let (s, _) = t.get(&path, "customer_b").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The customer disputes a line of its own invoice (within 30 days of 2026-11-01).
    let (s, d) = t
        .post(
            &format!("/v1/invoices/{}/disputes", inv["id"].as_str().unwrap()),
            "customer_a",
            json!({"lines": [1], "amount": "1.00", "reason": "not ordered"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(
        (d["state"].as_str(), d["rule"].as_str()),
        (Some("open"), Some("B9"))
    );
    // Only its issuer resolves it: to another partner it does not exist.
    let resolve = format!("/v1/disputes/{}/resolve", d["id"].as_str().unwrap());
    let (s, _) = t
        .post(
            &resolve,
            "partner_bronze",
            json!({"upheld": "1.00", "note": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, r) = t
        .post(
            &resolve,
            "partner_gold",
            json!({"upheld": "1.00", "note": "agreed"}),
        )
        .await;
    assert_eq!(
        (s, r["state"].as_str()),
        (StatusCode::OK, Some("upheld")),
        "{r}"
    );
    let (_, notes) = t.get("/v1/credit-notes", "customer_a").await;
    assert_eq!(notes["items"].as_array().unwrap().len(), 1, "{notes}");
    let (_, notes) = t.get("/v1/credit-notes", "customer_b").await;
    assert_eq!(notes["items"].as_array().unwrap().len(), 0, "{notes}");
    // Aged receivables: the issuer's own; never a customer's business.
    let (s, aged) = t.get("/v1/receivables/aged", "partner_gold").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!aged["items"].as_array().unwrap().is_empty(), "{aged}");
    assert!(
        aged["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["issuer_id"] == inv["issuer_id"]),
        "{aged}"
    );
    let (s, _) = t.get("/v1/receivables/aged", "customer_a").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = t.get("/v1/ledger/verify", "operator").await;
    assert_eq!((s, v["ok"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
}
