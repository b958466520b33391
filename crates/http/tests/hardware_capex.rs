//! CAPEX devices through the API (issue 18): warranty from the dates (K2), RMAs on support
//! tickets with the verifier's exclusions and the credit note's cap (K3, K4), conversion to
//! HWaaS of an operational device only (K5), bad input named by its field. On the demo (NOW =
//! 2026-11-18T11:06:40Z): Bayview Bakery (Ireland) owns the headset MHS-DEMO-2021 (MHS-DUO,
//! casualty value 90.00 EUR), bought 2021-03-01 with a signed 5-year agreement on file.

mod common;

use axum::http::StatusCode;
use common::browser::account_id;
use common::json::{conflict, items, micros, model_id, refused, text};
use common::{refusal, setup, unprocessable, T};
use serde_json::{json, Value};

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

async fn device_id(t: &T, who: &str, serial: &str) -> String {
    let (s, v) = t.get("/v1/hardware/devices?limit=100", who).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    text(
        &items(&v)
            .into_iter()
            .find(|d| d["serial"] == serial)
            .unwrap_or_else(|| panic!("{serial}: {v}"))["id"],
    )
}

/// A CAPEX sale to Bayview Bakery, as the operator records it (`extra` fields merged in).
async fn sale(t: &T, serial: &str, purchased_on: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({
        "billing_account_id": account_id(t, "operator", "Bayview Bakery").await,
        "serial": serial,
        "model_id": model_id(t, "MHS-DUO").await,
        "purchased_on": purchased_on,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    t.post("/v1/hardware/sales", "operator", body).await
}

async fn sold(t: &T, serial: &str, purchased_on: &str) -> String {
    let (s, v) = sale(t, serial, purchased_on, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    text(&v["id"])
}

async fn warranty(t: &T, device: &str, on: &str) -> (StatusCode, Value) {
    t.get(
        &format!("/v1/hardware/devices/{device}/warranty?on={on}"),
        "customer_b",
    )
    .await
}

/// Bayview Bakery's partner, Bronze Bay IT, opens an RMA for its customer (W 22.5 a, K4).
async fn open_rma(t: &T, device: &str) -> (StatusCode, Value) {
    t.post(
        "/v1/hardware/rmas",
        "partner_bronze",
        json!({"device_id": device, "fault": "No audio on the left ear",
               "proof_of_purchase": "INV-2026-0601"}),
    )
    .await
}

async fn move_rma(t: &T, id: &str, body: Value) -> (StatusCode, Value) {
    t.post(&format!("/v1/hardware/rmas/{id}/state"), "operator", body)
        .await
}

#[tokio::test]
async fn k2_warranty_follows_the_dates() {
    let t = setup().await;
    let headset = device_id(&t, "customer_b", "MHS-DEMO-2021").await;
    // Bought 2021-03-01 with a signed 5-year agreement: covered through 2026-02-28 (ends_on,
    // the first day not covered: 2021-03-01 + 60 months = 2026-03-01). Over a year old from
    // 2022-03-01: the agreement's copy is required (it is on file).
    let (s, v) = warranty(&t, &headset, "2025-02-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["warranty"].as_str(),
            v["ends_on"].as_str(),
            v["agreement_copy_required"].as_bool(),
            v["rule"].as_str()
        ),
        (
            Some("five_years"),
            Some("2026-03-01"),
            Some(true),
            Some("K2")
        ),
        "{v}"
    );
    // 2022-02-28: less than a year old, no copy needed.
    let (_, v) = warranty(&t, &headset, "2022-02-28").await;
    assert_eq!(v["agreement_copy_required"].as_bool(), Some(false), "{v}");
    let (s, v) = warranty(&t, &headset, "2026-02-28").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for on in ["2026-03-01", "2026-03-02"] {
        let (s, v) = warranty(&t, &headset, on).await;
        refused(s, &v, "warranty_expired", Some("K2"), None);
        assert!(text(&v["error"]["message"]).contains("2026-02-28"), "{v}");
    }
    // Bought 2022-07-01 (the cutoff day itself): the standard year, covered through
    // 2023-06-30 (2022-07-01 + 12 months = 2023-07-01, the first day not covered).
    let k2 = sold(&t, "MHS-K2-1", "2022-07-01").await;
    let (s, v) = warranty(&t, &k2, "2023-06-30").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["warranty"].as_str(),
            v["ends_on"].as_str(),
            v["agreement_copy_required"].as_bool()
        ),
        (Some("one_year"), Some("2023-07-01"), Some(false)),
        "{v}"
    );
    let (s, v) = warranty(&t, &k2, "2023-07-01").await;
    refused(s, &v, "warranty_expired", Some("K2"), None);
    // A 5-year agreement on a device bought on or after 2022-07-01 is not one the terms know.
    let (s, v) = sale(
        &t,
        "MHS-K2-2",
        "2022-07-01",
        json!({"five_year_agreement": true}),
    )
    .await;
    refused(
        s,
        &v,
        "agreement_not_applicable",
        Some("K2"),
        Some("five_year_agreement"),
    );
    // Bought 2022-06-30 with one but no copy on file: five years, and from 2023-06-30 (a year
    // old) an RMA needs the copy: refused.
    let (s, v) = sale(
        &t,
        "MHS-K2-3",
        "2022-06-30",
        json!({"five_year_agreement": true}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let k3 = text(&v["id"]);
    let (s, v) = warranty(&t, &k3, "2023-06-29").await;
    assert_eq!(
        (s, v["warranty"].as_str(), v["ends_on"].as_str()),
        (StatusCode::OK, Some("five_years"), Some("2027-06-30")),
        "{v}"
    );
    let (s, v) = warranty(&t, &k3, "2023-06-30").await;
    refused(
        s,
        &v,
        "agreement_copy_required",
        Some("K2"),
        Some("agreement"),
    );
    // The signed copy uploaded (a PDF): on file, the same day is covered, the copy noted.
    let pdf = "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDw+PgplbmRvYmoKdHJhaWxlcgo8PD4+CiUlRU9GCg==";
    let doc = |kind: &str| {
        json!({"kind": kind, "filename": "agreement.pdf", "content_type": "application/pdf",
               "content_base64": pdf})
    };
    let (s, v) = t
        .post(
            &format!("/v1/hardware/devices/{k3}/documents"),
            "customer_b",
            doc("warranty_agreement"),
        )
        .await;
    assert_eq!(
        (s, v["kind"].as_str(), v["content_type"].as_str()),
        (
            StatusCode::CREATED,
            Some("warranty_agreement"),
            Some("application/pdf")
        ),
        "{v}"
    );
    let (s, v) = warranty(&t, &k3, "2023-06-30").await;
    assert_eq!(
        (
            s,
            v["warranty"].as_str(),
            v["agreement_copy_required"].as_bool()
        ),
        (StatusCode::OK, Some("five_years"), Some(true)),
        "{v}"
    );
    let (_, docs) = t
        .get(
            &format!("/v1/hardware/devices/{k3}/documents"),
            "customer_b",
        )
        .await;
    assert_eq!(items(&docs).len(), 1, "{docs}");
    // A device sold without an agreement takes no agreement copy (K2); other documents go.
    let (s, v) = t
        .post(
            &format!("/v1/hardware/devices/{k2}/documents"),
            "customer_b",
            doc("warranty_agreement"),
        )
        .await;
    refused(s, &v, "agreement_not_applicable", Some("K2"), Some("kind"));
    let (s, v) = t
        .post(
            &format!("/v1/hardware/devices/{k2}/documents"),
            "customer_b",
            doc("proof_of_purchase"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn k4_an_rma_runs_on_a_ticket_and_the_verifiers_exclusions_refuse_it() {
    let t = setup().await;
    // Bought 2026-06-01: under the 1-year warranty until 2027-06-01.
    let one = sold(&t, "MHS-K4-1", "2026-06-01").await;
    // W 22.5 a): the customer or its partner opens it; here the customer.
    let (s, r) = t
        .post(
            "/v1/hardware/rmas",
            "customer_b",
            json!({"device_id": one, "fault": "No audio on the left ear",
                   "proof_of_purchase": "INV-2026-0601"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (
            r["state"].as_str(),
            r["proof_of_purchase"].as_str(),
            r["fault"].as_str()
        ),
        (
            Some("requested"),
            Some("INV-2026-0601"),
            Some("No audio on the left ear")
        ),
        "{r}"
    );
    let ticket = text(&r["ticket_id"]);
    let (s, tk) = t.get(&format!("/v1/tickets/{ticket}"), "customer_b").await;
    assert_eq!(
        (s, tk["kind"].as_str()),
        (StatusCode::OK, Some("rma_capex")),
        "{tk}"
    );
    let (s, v) = open_rma(&t, &one).await;
    conflict(s, &v, "rma_open");
    // Approved (Ireland: no US return label), received, verified with normal wear: refused
    // under K3, answered with the refused RMA.
    let id = text(&r["id"]);
    for state in ["approved", "unit_received"] {
        let (s, v) = move_rma(&t, &id, json!({"state": state})).await;
        assert_eq!(
            (s, v["state"].as_str()),
            (StatusCode::OK, Some(state)),
            "{v}"
        );
    }
    let (s, v) = move_rma(
        &t,
        &id,
        json!({"state": "verified", "exclusions": ["wear"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["state"].as_str(),
            v["refused_rule"].as_str(),
            v["refused_code"].as_str(),
            v["exclusions"].clone()
        ),
        (
            Some("refused"),
            Some("K3"),
            Some("not_covered"),
            json!(["wear"])
        ),
        "{v}"
    );
    // Refused is closed: a new RMA may open; it cannot jump to a credit note (K4).
    let (s, again) = open_rma(&t, &one).await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    let (s, v) = move_rma(
        &t,
        &text(&again["id"]),
        json!({"state": "credit_note", "credit": "45.00"}),
    )
    .await;
    refused(s, &v, "rma_transition_invalid", Some("K4"), Some("state"));
    // A second device through verification to a credit note (no replacement available).
    let two = sold(&t, "MHS-K4-2", "2026-06-01").await;
    let (s, r) = open_rma(&t, &two).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = text(&r["id"]);
    for state in ["approved", "unit_received", "verified"] {
        let (s, v) = move_rma(&t, &id, json!({"state": state})).await;
        assert_eq!(
            (s, v["state"].as_str()),
            (StatusCode::OK, Some(state)),
            "{v}"
        );
    }
    // At most the MHS-DUO's casualty value, 90.00: 90.01 is refused, nothing moves.
    let (s, v) = move_rma(&t, &id, json!({"state": "credit_note", "credit": "90.01"})).await;
    assert_eq!(
        refusal(s, &v, "credit"),
        unprocessable("credit_invalid"),
        "{v}"
    );
    let (s, v) = move_rma(&t, &id, json!({"state": "credit_note", "credit": "45.00"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["state"].as_str(),
            micros(&v["credit"]),
            v["pending_charge_id"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        ),
        (Some("credit_note"), 45_000_000, true),
        "{v}"
    );
    // The credit note is a credit line on Bayview's next invoice (the November run on
    // 2026-12-02): −45.00 under K4, and the ledger still balances.
    let bay = account_id(&t, "operator", "Bayview Bakery").await;
    t.app.clock.set(at("2026-12-02T09:00:00Z"));
    let (s, run) = t
        .post("/v1/billing/runs", "operator", json!({"period": "2026-11"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{run}");
    let inv = run["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["billing_account_id"] == bay.as_str() && i["level"] == "retail")
        .cloned()
        .unwrap_or_else(|| panic!("{run}"));
    let (_, inv) = t
        .get(&format!("/v1/invoices/{}", text(&inv["id"])), "operator")
        .await;
    let line = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "credit" && l["rule"] == "K4")
        .cloned()
        .unwrap_or_else(|| panic!("{inv}"));
    assert_eq!(micros(&line["amount"]), -45_000_000, "{line}");
    let (_, ok) = t.get("/v1/ledger/verify", "operator").await;
    assert_eq!(ok["ok"].as_bool(), Some(true), "{ok}");
    // A third device: the partner gives logistics the return label's data (W 22.5 b), and
    // an equivalent refurbished unit comes back in its place (W 22.5 c).
    let three = sold(&t, "MHS-K4-3", "2026-06-01").await;
    let (s, r) = open_rma(&t, &three).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = text(&r["id"]);
    let (s, v) = t
        .post(
            &format!("/v1/hardware/rmas/{id}/label"),
            "partner_bronze",
            json!({"rma_number": "RMA-7781", "weight_g": 450, "length_mm": 220,
                   "width_mm": 160, "height_mm": 90}),
        )
        .await;
    assert_eq!(
        (s, v["rma_number"].as_str(), v["weight_g"].as_i64()),
        (StatusCode::OK, Some("RMA-7781"), Some(450)),
        "{v}"
    );
    let (_, out) = t.get("/v1/outbox?limit=500", "operator").await;
    assert!(
        items(&out)
            .iter()
            .any(|m| m["subject"] == "Return label for RMA RMA-7781" && m["rule"] == "K4"),
        "{out}"
    );
    for state in ["approved", "unit_received", "verified"] {
        let (s, v) = move_rma(&t, &id, json!({"state": state})).await;
        assert_eq!(
            (s, v["state"].as_str()),
            (StatusCode::OK, Some(state)),
            "{v}"
        );
    }
    let (s, v) = move_rma(
        &t,
        &id,
        json!({"state": "refurbished_shipped", "serial": "MHS-REFURB-1"}),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["shipped_serial"].as_str()),
        (
            StatusCode::OK,
            Some("refurbished_shipped"),
            Some("MHS-REFURB-1")
        ),
        "{v}"
    );
    // Bayview now holds the refurbished unit, bought 2026-06-01 like the one it replaces;
    // the faulty one went back to the provider.
    let (_, devices) = t.get("/v1/hardware/devices?limit=100", "customer_b").await;
    let serials: Vec<(String, String)> = items(&devices)
        .iter()
        .map(|d| (text(&d["serial"]), text(&d["state"])))
        .collect();
    assert!(
        serials.contains(&("MHS-REFURB-1".into(), "refurbished".into()))
            && !serials.iter().any(|(s, _)| s == "MHS-K4-3"),
        "{devices}"
    );
}

#[tokio::test]
async fn k5_a_non_operational_capex_device_cannot_be_converted() {
    let t = setup().await;
    let headset = device_id(&t, "customer_b", "MHS-DEMO-2021").await;
    let (s, v) = t
        .post(
            &format!("/v1/hardware/devices/{headset}/operational"),
            "operator",
            json!({"operational": false}),
        )
        .await;
    assert_eq!(
        (s, v["operational"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    let convert = format!("/v1/hardware/devices/{headset}/convert");
    let body = json!({"lease_id": "lse_none", "subscription_id": "sub_none"});
    let (s, v) = t.post(&convert, "customer_b", body.clone()).await;
    refused(
        s,
        &v,
        "device_not_operational",
        Some("K5"),
        Some("operational"),
    );
    // Working again, it passes K5; the made-up lease is not found; nothing changed.
    let (s, _) = t
        .post(
            &format!("/v1/hardware/devices/{headset}/operational"),
            "operator",
            json!({"operational": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = t.post(&convert, "customer_b", body).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found")),
        "{v}"
    );
    let (_, d) = t
        .get(&format!("/v1/hardware/devices/{headset}"), "customer_b")
        .await;
    assert_eq!(
        (
            d["ownership"].as_str(),
            d["owner"].as_str(),
            d["lease_id"].is_null()
        ),
        (Some("capex"), Some("customer"), true),
        "{d}"
    );
}

#[tokio::test]
async fn hardware_bad_input_names_its_field() {
    let t = setup().await;
    let (s, v) = sale(&t, "bad serial!", "2022-07-01", json!({})).await;
    assert_eq!(
        refusal(s, &v, "serial"),
        unprocessable("serial_invalid"),
        "{v}"
    );
    let (s, v) = sale(&t, "MHS-BAD-1", "2026-13-01", json!({})).await;
    assert_eq!(
        refusal(s, &v, "purchased_on"),
        unprocessable("date_invalid"),
        "{v}"
    );
    // Tomorrow (NOW is 2026-11-18): not a purchase yet.
    let (s, v) = sale(&t, "MHS-BAD-2", "2026-11-19", json!({})).await;
    assert_eq!(
        refusal(s, &v, "purchased_on"),
        unprocessable("purchased_on_invalid"),
        "{v}"
    );
    let (s, v) = sale(
        &t,
        "MHS-BAD-3",
        "2022-07-01",
        json!({"model_id": "mdl_none"}),
    )
    .await;
    assert_eq!(
        refusal(s, &v, "model_id"),
        unprocessable("model_unknown"),
        "{v}"
    );
    let (s, v) = sale(&t, "MHS-BAD-4", "2022-07-01", json!({"colour": "red"})).await;
    assert_eq!(
        refusal(s, &v, "colour"),
        unprocessable("unknown_field"),
        "{v}"
    );
    // A serial already known.
    let (s, v) = sale(&t, "MHS-DEMO-2021", "2022-07-01", json!({})).await;
    conflict(s, &v, "serial_exists");
    // A cause the terms do not know; an RMA state that does not exist.
    let dev = device_id(&t, "customer_a", "WP480G-DEMO-002").await;
    let (s, v) = t
        .post(
            "/v1/hardware/claims",
            "customer_a",
            json!({"device_id": dev, "cause": "meteor"}),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "cause"),
        unprocessable("cause_invalid"),
        "{v}"
    );
    let one = sold(&t, "MHS-BAD-5", "2026-06-01").await;
    let (_, r) = open_rma(&t, &one).await;
    let (s, v) = move_rma(&t, &text(&r["id"]), json!({"state": "lost"})).await;
    assert_eq!(
        refusal(s, &v, "state"),
        unprocessable("rma_state_invalid"),
        "{v}"
    );
}
