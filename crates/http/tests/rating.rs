//! HTTP API: rating: CDR intake, quotes, account rating (B4), rate-table privacy.

mod common;

use axum::http::StatusCode;
use serde_json::{json, Value};

use common::*;

#[tokio::test]
async fn cdr_intake_is_idempotent_keeps_rejects_and_is_scoped() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let b_acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let csv = format!(
        "source,call_id,billing_account,from,to,start,end,duration_s\n\
         sbc,x1,{b_acct},+33170000001,+442079460000,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n\
         sbc,x2,{b_acct},+33170000001,not-a-number,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n\
         sbc,x3,{b_acct},+33170000001,+4930123456,2026-11-16T11:00:00Z,2026-11-16T10:02:00Z,5\n\
         sbc,x4,ba_missing,+33170000001,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,5\n\
         sbc,x5,{b_acct},+33170000001,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,-3\n\
         sbc,x6,{b_acct},+33170000001,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:01:00Z,47\n"
    );
    let op = t.token("operator").to_string();
    let (s, first, _) = t
        .call(
            "POST",
            "/v1/cdrs",
            Some(&op),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(
        (first["inserted"].as_u64(), first["rejected"].as_u64()),
        (Some(2), Some(4))
    );
    let lines: Vec<(u64, &str)> = first["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (3, "number_invalid"),
            (4, "end_before_start"),
            (5, "account_unknown"),
            (6, "duration_negative")
        ]
    );
    // 95 s to UK at 0.0120/min in 60/60 = 120 s = 0.024; 47 s to DE at 0.0140 in 1/1 = 0.010967
    assert_eq!(first["totals"]["EUR"]["amount_exact"], "0.034967");
    let (s, second, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (second["inserted"].as_u64(), second["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    let (_, rej) = t.get("/v1/cdrs/rejects?limit=100", "operator").await;
    // Issue 11 #14: the second send reports its rejects but stores no copy of them.
    assert_eq!(rej["items"].as_array().unwrap().len(), 4);
    // T12: customer_b sees its calls in full; customer_a sees none of them and cannot ask.
    // The demo seeds last month's calls for the October invoices; this window holds only the
    // two calls sent above.
    let window = "from=2026-11-16T00:00:00Z&to=2026-11-17T00:00:00Z";
    let (_, mine) = t
        .get(
            &format!("/v1/cdrs?billing_account={b_acct}&{window}"),
            "customer_b",
        )
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    assert_eq!(mine["items"][0]["from"], "+33170000001");
    let (s, _) = t
        .get(&format!("/v1/cdrs?billing_account={b_acct}"), "customer_a")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, a_all) = t.get("/v1/cdrs?limit=500", "customer_a").await;
    assert!(a_all["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["billing_account"] != b_acct.as_str()));
    let (s, _, csv_out) = t
        .call(
            "GET",
            &format!("/v1/cdrs?billing_account={b_acct}&format=csv&{window}"),
            Some(t.token("customer_b")),
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(csv_out.lines().count(), 3);
}

#[tokio::test]
async fn quote_equals_the_rated_cdr_and_rate_import_keeps_history() {
    let t = setup().await;
    let (s, q) = t.get("/v1/rate-tables/demo-retail/quote?number=%2B447700900123&at=2026-11-16T10:00:00Z&duration_s=37", "partner_gold").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    // 37 s in 30/6 = 42 s at 0.09/min = 0.063 + 0.01 connection fee
    assert_eq!(
        (
            q["billed_duration_s"].as_u64(),
            q["amount_exact"].as_str(),
            q["rule"].as_str()
        ),
        (Some(42), Some("0.073000"), Some("B4"))
    );
    let op = t.token("operator").to_string();
    let bad = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n44,UK,abc,60,60,2026-01-01,EUR\n";
    let (s, v, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/demo-retail",
            Some(&op),
            "text/csv",
            bad.into(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rate_table_invalid"))
    );
    let good = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n447,UK mobile,0.05,60,60,2026-11-01,EUR\n";
    let (s, v, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/demo-retail",
            Some(&op),
            "text/csv",
            good.into(),
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::CREATED, Some(2)));
    let (_, q2) = t.get("/v1/rate-tables/demo-retail/quote?number=%2B447700900123&at=2026-11-16T10:00:00Z&duration_s=37", "partner_gold").await;
    assert_eq!(
        (q2["rate"].as_str(), q2["version"].as_u64()),
        (Some("0.050000"), Some(2))
    );
    // Before the new row's validity the old version still prices the call.
    let (_, q3) = t.get("/v1/rate-tables/demo-retail/quote?number=%2B447700900123&at=2026-10-16T10:00:00Z&duration_s=37", "partner_gold").await;
    assert_eq!(q3["rate"].as_str(), Some("0.090000"));
    let (_, list) = t.get("/v1/rate-tables", "operator").await;
    // demo-retail (two versions now) and the demo's GBP and USD tables.
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "demo-retail").count(),
        2,
        "{names:?}"
    );
}

#[tokio::test]
async fn cdrs_without_an_account_resolve_through_the_calling_number() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_a").await;
    let hq = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Acme Dental HQ")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let number = t
        .app
        .numbers_of_account(
            &tollgate_app::Caller::system(tollgate_app::Actor::cli()),
            &hq,
        )
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let csv = format!(
        "source,call_id,from,to,start,end,duration_s\n\
         sbc,n1,+{number},+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:01:00Z,30\n\
         sbc,n2,+33999000111,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:01:00Z,30\n"
    );
    let op = t.token("operator").to_string();
    let (s, r, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["inserted"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["rejects"][0]["code"], "field_missing"); // an unknown number resolves to nothing
    let (_, mine) = t
        .get(
            &format!("/v1/cdrs?billing_account={hq}&limit=500"),
            "customer_a",
        )
        .await;
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["call_id"] == "n1"));
}

#[tokio::test]
async fn b4_an_account_rate_table_and_bundle_are_set_by_api() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let op = t.token("operator").to_string();
    let put = |body: Value| {
        let (op, acct) = (op.clone(), acct.clone());
        let t = &t;
        async move {
            t.call(
                "PUT",
                &format!("/v1/billing-accounts/{acct}/rating"),
                Some(&op),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await
        }
    };
    let (s, v, _) = put(json!({"rate_table": "nope", "included": null})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rate_table_unknown"))
    );
    let (s, v, _) = put(json!({"rate_table": "demo-retail", "included_zone": "area1"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("included_minutes_required")
        )
    );
    let (s, v, _) =
        put(json!({"rate_table": "demo-retail", "included_zone": "area1", "included_minutes": 1}))
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // 95 s to the UK (area1, 60/60) bills 120 s: 60 s from the bundle, 60 s paid.
    let csv = format!("source,call_id,billing_account,from,to,start,end,duration_s\nsbc,b1,{acct},+33170000001,+442079460000,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n");
    let (_, r, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(r["inserted"], 1, "{r}");
    let (_, mine) = t
        .get(&format!("/v1/cdrs?billing_account={acct}"), "customer_b")
        .await;
    let c = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == "b1")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            c["billed_s"].as_i64(),
            c["bundle_s"].as_i64(),
            c["amount_exact"].as_str()
        ),
        (Some(120), Some(60), Some("0.012000"))
    );
}

#[tokio::test]
async fn rate_tables_are_private_to_the_accounts_priced_with_them() {
    let t = setup().await;
    let op = t.token("operator").to_string();
    let wholesale = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n33,France,0.001,1,1,2026-01-01,EUR\n";
    let (s, _, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/wholesale",
            Some(&op),
            "text/csv",
            wholesale.into(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, all) = t.get("/v1/rate-tables", "operator").await;
    // The demo's three retail tables (EUR, GBP, USD) and this one.
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let (_, mine) = t.get("/v1/rate-tables", "partner_gold").await;
    let names: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    // Acme (EUR) and, through its reseller, Harbor Logistics UK (GBP); never `wholesale`.
    assert_eq!(names, ["demo-retail", "demo-retail-gbp"]);
    let (s, _) = t
        .get(
            "/v1/rate-tables/wholesale/quote?number=%2B33142685300",
            "partner_gold",
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .get(
            "/v1/rate-tables/demo-retail/quote?number=%2B33142685300&duration_s=4294967295",
            "operator",
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("duration_invalid"))
    );
    // A partner cannot choose the table its customer is priced with.
    let (_, c) = t.get("/v1/customers", "customer_a").await;
    let acme = c["items"][0]["id"].clone();
    let (s, _) = t.post("/v1/billing-accounts", "partner_gold", json!({"customer_id": acme, "name": "Cheap", "currency": "EUR", "rate_table": "wholesale"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t
        .post(
            "/v1/billing-accounts",
            "partner_gold",
            json!({"customer_id": acme, "name": "Plain", "currency": "EUR"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}
