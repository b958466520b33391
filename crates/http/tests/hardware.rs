//! Hardware through the API (issue 18), HWaaS: leases with their Annex A, the 6-month hold
//! on reductions and exchanges (E3) and its E8 exception, invoicing 14 days after the order
//! (E4), replacement claims (E5, E6), non-return at the end of a lease (E7), and what each
//! caller reads (CAPEX devices: `hardware_capex.rs`). On the demo (NOW =
//! 2026-11-18T11:06:40Z): Acme Dental HQ leases five WP480G desk phones (five_years,
//! HWAAS-PHONE at 7.90 EUR a month each), the first replaced after a fire by
//! WP480G-DEMO-101; Bayview Bakery owns the CAPEX headset MHS-DEMO-2021.

mod common;

use axum::http::StatusCode;
use common::browser::account_id;
use common::json::{conflict, items, micros, model_id, refused, text};
use common::{refusal, setup, unprocessable, T};
use jiff::civil::Date;
use jiff::Span;
use serde_json::{json, Value};

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn day(v: &Value) -> Date {
    v.as_str()
        .unwrap_or_else(|| panic!("not a day: {v}"))
        .parse()
        .unwrap()
}

/// Calendar months as the core adds them (a missing day clamps to the month's end).
fn plus_months(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().months(n)).unwrap()
}

fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).unwrap()
}

/// Acme Dental HQ's lease with its Annex A, as the operator reads it.
async fn acme_lease(t: &T) -> Value {
    let hq = account_id(t, "operator", "Acme Dental HQ").await;
    let (s, v) = t.get("/v1/hardware/leases", "operator").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let l = items(&v)
        .into_iter()
        .find(|l| l["billing_account_id"] == hq.as_str())
        .unwrap_or_else(|| panic!("{v}"));
    let (s, v) = t
        .get(
            &format!("/v1/hardware/leases/{}", text(&l["id"])),
            "operator",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// The (last) Annex A line of `serial` in a lease answer.
fn line(lease: &Value, serial: &str) -> Value {
    lease["annex_a"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|l| l["serial"] == serial)
        .cloned()
        .unwrap_or_else(|| panic!("{serial}: {lease}"))
}

async fn claim(t: &T, body: Value) -> (StatusCode, Value) {
    t.post("/v1/hardware/claims", "customer_a", body).await
}

#[tokio::test]
async fn e3_a_reduction_or_exchange_within_6_months_of_delivery_is_refused_with_the_first_allowed_date(
) {
    let t = setup().await;
    let lease = acme_lease(&t).await;
    let (two, three) = (
        line(&lease, "WP480G-DEMO-002"),
        line(&lease, "WP480G-DEMO-003"),
    );
    // Changes are allowed from delivery + 6 calendar months, the same day of the month
    // (issue 18: delivered 2026-06-01 → 2026-12-01, refused on 2026-11-30; a 31st clamps:
    // 2026-08-31 → 2027-02-28). The demo's phones were delivered on 2026-11-18: 2026-11-18
    // + 6 months = 2027-05-18.
    assert_eq!(two["delivered_on"].as_str(), Some("2026-11-18"), "{two}");
    let first: Date = "2027-05-18".parse().unwrap();
    assert_eq!(day(&two["changes_from"]), first, "{two}");
    assert_eq!(plus_months(day(&two["delivered_on"]), 6), first);
    let reduce = format!("/v1/hardware/devices/{}/reduce", text(&two["device_id"]));
    let (s, v) = t.post(&reduce, "customer_a", json!({})).await;
    refused(s, &v, "within_six_months", Some("E3"), Some("quantity"));
    let msg = text(&v["error"]["message"]);
    assert!(msg.contains(&first.to_string()), "{v}");

    // An exchange for another model within the 6 months: refused the same way (field model).
    let (wp480, wp490) = (model_id(&t, "WP480G").await, model_id(&t, "WP490G").await);
    let three_id = text(&three["device_id"]);
    let exchange = format!("/v1/hardware/devices/{three_id}/exchange");
    let body = json!({"model_id": wp490, "serial": "WP490G-NEW-1"});
    let (s, v) = t.post(&exchange, "customer_a", body.clone()).await;
    refused(s, &v, "within_six_months", Some("E3"), Some("model"));
    let first3 = plus_months(day(&three["delivered_on"]), 6);
    assert!(
        text(&v["error"]["message"]).contains(&first3.to_string()),
        "{v}"
    );

    // E8: the WP490G offered as the WP480G's free replacement; every lessee is told.
    let (s, v) = t
        .post(
            &format!("/v1/hardware/models/{wp480}/upgrade"),
            "operator",
            json!({"replacement_model_id": wp490}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["replaced_by"], wp490.as_str(), "{v}");
    assert!(
        v["device_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(three_id)),
        "{v}"
    );
    let (_, out) = t.get("/v1/outbox?limit=500", "operator").await;
    assert!(
        items(&out)
            .iter()
            .any(|m| m["rule"] == "E8"
                && m["subject"] == "A free upgrade of your WorkForce desk phone"),
        "{out}"
    );
    // The same exchange is now accepted, within the 6 months: the new device joins Annex A
    // delivered today, 2026-11-18 (its own hold: 2026-11-18 + 6 months = 2027-05-18).
    let (s, v) = t.post(&exchange, "customer_a", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let new = line(&v, "WP490G-NEW-1");
    assert_eq!(
        (
            new["model_id"].as_str(),
            new["state"].as_str(),
            new["delivered_on"].as_str(),
            new["changes_from"].as_str()
        ),
        (
            Some(wp490.as_str()),
            Some("active"),
            Some("2026-11-18"),
            Some("2027-05-18")
        ),
        "{new}"
    );
    assert_eq!(line(&v, "WP480G-DEMO-003")["state"], "exchanged", "{v}");

    // The day before the first allowed date, at noon: still refused.
    let eve = first.yesterday().unwrap();
    t.app.clock.set(at(&format!("{eve}T12:00:00Z")));
    let (s, v) = t.post(&reduce, "customer_a", json!({})).await;
    refused(s, &v, "within_six_months", Some("E3"), Some("quantity"));
    // On the first allowed date at 00:00Z: accepted; the line is removed that instant.
    t.app.clock.set(at(&format!("{first}T00:00:00Z")));
    let (s, v) = t.post(&reduce, "customer_a", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let gone = line(&v, "WP480G-DEMO-002");
    assert_eq!(
        (gone["state"].as_str(), gone["removed_on"].as_str()),
        (Some("removed"), Some(format!("{first}T00:00:00Z").as_str())),
        "{gone}"
    );
    // The device is back in the provider's hands: returned, on no lease, out of Acme's scope.
    let dev = format!("/v1/hardware/devices/{}", text(&two["device_id"]));
    let (s, d) = t.get(&dev, "operator").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        (
            d["state"].as_str(),
            d["lease_id"].is_null(),
            d["customer_id"].is_null()
        ),
        (Some("returned"), true, true),
        "{d}"
    );
    let (s, d) = t.get(&dev, "customer_a").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{d}");
    // The HWAAS-PHONE subscription bills one device fewer: 5 - 1 = 4.
    let (s, sub) = t
        .get(
            &format!("/v1/subscriptions/{}", text(&two["subscription_id"])),
            "customer_a",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    assert_eq!(
        (sub["kind"].as_str(), sub["quantity"].as_i64()),
        (Some("leased_device"), Some(4)),
        "{sub}"
    );
}

#[tokio::test]
async fn e4_a_delivered_device_is_invoiced_from_14_days_after_its_order() {
    let t = setup().await;
    let lease = acme_lease(&t).await;
    // E1: Acme Dental HQ is billed in France (FR, an EU member): the Estonian entity owns the
    // devices; E2: the demo lease runs for five years.
    assert_eq!(
        (
            lease["entity"].as_str(),
            lease["term"].as_str(),
            lease["state"].as_str()
        ),
        (Some("estonian_entity"), Some("five_years"), Some("active")),
        "{lease}"
    );
    let lines = lease["annex_a"].as_array().unwrap().clone();
    // Five delivered, the first replaced by WP480G-DEMO-101 after the fire: six lines.
    let mut serials: Vec<String> = lines.iter().map(|l| text(&l["serial"])).collect();
    serials.sort();
    assert_eq!(
        serials,
        [
            "WP480G-DEMO-001",
            "WP480G-DEMO-002",
            "WP480G-DEMO-003",
            "WP480G-DEMO-004",
            "WP480G-DEMO-005",
            "WP480G-DEMO-101"
        ],
        "{lease}"
    );
    let sub_id = text(&lines[0]["subscription_id"]);
    let (s, sub) = t
        .get(&format!("/v1/subscriptions/{sub_id}"), "customer_a")
        .await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    for l in &lines {
        // Invoiced from the order + 14 days (issue 18: ordered 2026-11-03 → 3 + 14 = 17 →
        // 2026-11-17; across a month end: ordered 2026-11-18 → 18 + 14 = 32, November has 30
        // days → 2026-12-02), the day the HWAAS-PHONE subscription's charges start (B2, E4).
        assert_eq!(
            (l["ordered_on"].as_str(), l["invoicing_from"].as_str()),
            (Some("2026-11-18"), Some("2026-12-02")),
            "{l}"
        );
        let ordered = day(&l["ordered_on"]);
        assert_eq!(day(&l["invoicing_from"]), plus_days(ordered, 14), "{l}");
        assert_eq!(l["invoicing_from"], sub["charges_from"], "{l} {sub}");
        assert_eq!(l["subscription_id"], sub_id.as_str(), "{l}");
        // The demo delivers on its own day (an order of today cannot be delivered in three
        // days' time yet); WP480G-DEMO-001 was replaced after the fire by WP480G-DEMO-101.
        let state = if l["serial"] == "WP480G-DEMO-001" {
            "replaced"
        } else {
            "active"
        };
        assert_eq!(
            (l["delivered_on"].as_str(), l["state"].as_str()),
            (Some("2026-11-18"), Some(state)),
            "{l}"
        );
    }
    assert_eq!(
        (sub["kind"].as_str(), sub["quantity"].as_i64()),
        (Some("leased_device"), Some(5)),
        "{sub}"
    );
    // A sixth phone ordered on 2026-11-20: 20 + 14 = 34, November has 30 days → invoiced
    // from 2026-12-04 (E4), on Annex A as on the subscription's quantity change.
    t.app.clock.set(at("2026-11-20T10:00:00Z"));
    let (s, q) = t
        .post(
            &format!("/v1/subscriptions/{sub_id}/quantity"),
            "operator",
            json!({"quantity": 6}),
        )
        .await;
    assert_eq!(
        (s, q["quantity"].as_i64()),
        (StatusCode::OK, Some(6)),
        "{q}"
    );
    let wp480 = model_id(&t, "WP480G").await;
    let (s, v) = t
        .post(
            &format!("/v1/hardware/leases/{}/devices", text(&lease["id"])),
            "operator",
            json!({"subscription_id": sub_id, "serial": "WP480G-NEW-6", "model_id": wp480,
                   "ordered_on": "2026-11-20", "delivered_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let six = line(&v, "WP480G-NEW-6");
    assert_eq!(
        (six["ordered_on"].as_str(), six["invoicing_from"].as_str()),
        (Some("2026-11-20"), Some("2026-12-04")),
        "{six}"
    );
    // A seventh is beyond the subscription's quantity.
    let (s, v) = t
        .post(
            &format!("/v1/hardware/leases/{}/devices", text(&lease["id"])),
            "operator",
            json!({"subscription_id": sub_id, "serial": "WP480G-NEW-7", "model_id": wp480,
                   "delivered_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "subscription_id"),
        unprocessable("quantity_exceeded"),
        "{v}"
    );
}

#[tokio::test]
async fn e5_e6_claims_fire_with_a_label_is_free_theft_needs_a_police_report_loss_is_charged() {
    let t = setup().await;
    let lease = acme_lease(&t).await;
    let four = text(&line(&lease, "WP480G-DEMO-004")["device_id"]);
    let five = text(&line(&lease, "WP480G-DEMO-005")["device_id"]);
    // The demo's fire with an identifiable label: free (E5), replaced by WP480G-DEMO-101,
    // transport 12.50 at cost.
    let (s, v) = t.get("/v1/hardware/claims", "customer_a").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let fire = items(&v)
        .into_iter()
        .find(|c| c["cause"] == "fire")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        (
            fire["outcome"].as_str(),
            fire["rule"].as_str(),
            fire["label_identifiable"].as_bool(),
            micros(&fire["charge"]),
            micros(&fire["transport"]),
            fire["replacement_device_id"].clone()
        ),
        (
            Some("free"),
            Some("E5"),
            Some(true),
            0,
            12_500_000,
            line(&lease, "WP480G-DEMO-101")["device_id"].clone()
        ),
        "{fire}"
    );
    // Theft without a police report: refused (E5: theft needs one naming model and serial).
    let (s, v) = claim(&t, json!({"device_id": four, "cause": "theft"})).await;
    refused(
        s,
        &v,
        "police_report_required",
        Some("E5"),
        Some("police_report"),
    );
    // With one naming the device's model and serial: free.
    let (s, theft) = claim(
        &t,
        json!({"device_id": four, "cause": "theft",
               "police_report": {"model": "WP480G", "serial": "WP480G-DEMO-004"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{theft}");
    // Requested Wednesday 2026-11-18 11:06:40Z = 12:06:40 in Berlin (emea support hours
    // 09:00-18:00): one working day = 9 support hours = 5 h 53 min 20 s to Wednesday's close
    // + 3 h 06 min 40 s from Thursday 09:00 → Thursday 12:06:40 CET = 2026-11-19T11:06:40Z.
    assert_eq!(
        (
            theft["outcome"].as_str(),
            theft["rule"].as_str(),
            micros(&theft["charge"]),
            theft["requested_at"].as_str(),
            theft["ship_by"].as_str(),
            theft["late"].as_bool()
        ),
        (
            Some("free"),
            Some("E5"),
            0,
            Some("2026-11-18T11:06:40Z"),
            Some("2026-11-19T11:06:40Z"),
            Some(false)
        ),
        "{theft}"
    );
    // A second request for the same device while the first has not shipped: a conflict.
    let (s, v) = claim(
        &t,
        json!({"device_id": four, "cause": "defect", "label_identifiable": true}),
    )
    .await;
    conflict(s, &v, "claim_open");
    // A police report naming another device's serial: refused.
    let (s, v) = claim(
        &t,
        json!({"device_id": five, "cause": "theft",
               "police_report": {"model": "WP480G", "serial": "WP480G-DEMO-004"}}),
    )
    .await;
    refused(
        s,
        &v,
        "police_report_mismatch",
        Some("E5"),
        Some("police_report"),
    );
    // Complete loss not by fire or theft: charged the WP480G's casualty value, 180.00 (E6).
    let (s, loss) = claim(&t, json!({"device_id": five, "cause": "loss"})).await;
    assert_eq!(s, StatusCode::CREATED, "{loss}");
    assert_eq!(
        (
            loss["outcome"].as_str(),
            loss["rule"].as_str(),
            micros(&loss["charge"]),
            loss["currency"].as_str()
        ),
        (Some("charged"), Some("E6"), 180_000_000, Some("EUR")),
        "{loss}"
    );
    // The stolen one's replacement ships at once, transport 9.90 at cost: on time.
    let (s, v) = t
        .post(
            &format!("/v1/hardware/claims/{}/ship", text(&theft["id"])),
            "operator",
            json!({"serial": "WP480G-NEW-9", "transport": "9.90"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["shipped_at"].as_str(),
            v["late"].as_bool(),
            micros(&v["transport"]),
            v["replacement_device_id"].is_string()
        ),
        (Some("2026-11-18T11:06:40Z"), Some(false), 9_900_000, true),
        "{v}"
    );
    // It takes the stolen device's place on Annex A; the stolen one is lost.
    let after = acme_lease(&t).await;
    assert_eq!(
        line(&after, "WP480G-DEMO-004")["state"],
        "replaced",
        "{after}"
    );
    assert_eq!(line(&after, "WP480G-NEW-9")["state"], "active", "{after}");
    let (_, d) = t
        .get(&format!("/v1/hardware/devices/{four}"), "operator")
        .await;
    assert_eq!(d["state"], "lost", "{d}");
    // Three days on (2026-11-21T11:06:40Z, past 2026-11-19T11:06:40Z) the loss's replacement
    // has not shipped: it is listed late; the shipped ones are not.
    t.app.clock.set(at("2026-11-21T11:06:40Z"));
    let (s, v) = t.get("/v1/hardware/claims?late=true", "operator").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let late: Vec<(String, bool)> = items(&v)
        .iter()
        .map(|c| (text(&c["id"]), c["late"].as_bool().unwrap()))
        .collect();
    assert_eq!(late, [(text(&loss["id"]), true)], "{v}");
}

#[tokio::test]
async fn e7_a_device_not_returned_is_invoiced_its_unpaid_term_casualty_value_and_10_percent() {
    let t = setup().await;
    let lease = acme_lease(&t).await;
    let id = text(&lease["id"]);
    let (s, v) = t
        .post(
            &format!("/v1/hardware/leases/{id}/end"),
            "customer_a",
            json!({"return_due_on": "2026-12-15"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["return_due_on"].as_str()),
        (Some("ending"), Some("2026-12-15")),
        "{v}"
    );
    // Every active device comes back but WP480G-DEMO-005.
    let kept = line(&lease, "WP480G-DEMO-005");
    for l in lease["annex_a"].as_array().unwrap() {
        if l["state"] != "active" || l["serial"] == "WP480G-DEMO-005" {
            continue;
        }
        let (s, v) = t
            .post(
                &format!("/v1/hardware/devices/{}/return", text(&l["device_id"])),
                "operator",
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(line(&v, &text(&l["serial"]))["state"], "returned", "{v}");
    }
    let settle = format!("/v1/hardware/leases/{id}/settle");
    // Devices may come back until 2026-12-15 included: not settled now, nor that evening.
    let (s, v) = t.post(&settle, "operator", json!({})).await;
    refused(s, &v, "return_not_due", Some("E7"), None);
    t.app.clock.set(at("2026-12-15T23:59:59Z"));
    let (s, v) = t.post(&settle, "operator", json!({})).await;
    refused(s, &v, "return_not_due", Some("E7"), None);
    // Nothing of the phones is invoiced yet: ordered with the demo on 2026-11-18, invoiced
    // from 2026-12-02 (E4), and the November run (on 2026-12-01) has not run in the demo.
    let (_, sub) = t
        .get(
            &format!("/v1/subscriptions/{}", text(&kept["subscription_id"])),
            "operator",
        )
        .await;
    assert_eq!(
        (
            sub["billed_until"].is_null(),
            kept["invoicing_from"].as_str()
        ),
        (true, Some("2026-12-02")),
        "{sub} {kept}"
    );
    t.app.clock.set(at("2026-12-16T00:00:00Z"));
    let (s, v) = t.post(&settle, "operator", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let nr = v["not_returned"].as_array().unwrap();
    assert_eq!(nr.len(), 1, "{v}");
    let n = &nr[0];
    assert_eq!(
        (n["serial"].as_str(), n["device_id"].clone()),
        (Some("WP480G-DEMO-005"), kept["device_id"].clone()),
        "{n}"
    );
    // The returned phones were delivered 2026-11-18: billed up to 6 months, to 2027-05-18, so
    // the subscription bills all its phones until then and the one kept owes its fees from
    // there. The five-year term runs from the first invoiced day, 2026-12-02 → 2031-12-02.
    // Unpaid: 2027-05-18 → 2031-11-18 is 54 months, to 2031-12-02 a partial 55th: 55 × 7.90
    // = 434.50. Casualty value 180.00; 10 % of it = 18.00; total 434.50 + 180.00 + 18.00 =
    // 632.50.
    assert_eq!(
        (
            n["months_unpaid"].as_i64(),
            micros(&n["unpaid_fees"]),
            micros(&n["casualty_value"]),
            micros(&n["surcharge"]),
            micros(&n["total"])
        ),
        (Some(55), 434_500_000, 180_000_000, 18_000_000, 632_500_000),
        "{n}"
    );
    // The subscription stops there (its last day in service 2027-05-17): nothing is billed
    // twice.
    let (_, sub) = t
        .get(
            &format!("/v1/subscriptions/{}", text(&kept["subscription_id"])),
            "operator",
        )
        .await;
    assert_eq!(sub["ends_on"].as_str(), Some("2027-05-17"), "{sub}");
    assert!(
        n["pending_charge_id"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{n}"
    );
    // Once: the lease has ended.
    let (s, v) = t.post(&settle, "operator", json!({})).await;
    conflict(s, &v, "lease_not_ending");
    let (_, l) = t
        .get(&format!("/v1/hardware/leases/{id}"), "customer_a")
        .await;
    assert_eq!(
        (
            l["state"].as_str(),
            line(&l, "WP480G-DEMO-005")["state"].as_str()
        ),
        (Some("ended"), Some("not_returned")),
        "{l}"
    );
    // Ownership passes to the lessee.
    let (s, d) = t
        .get(
            &format!("/v1/hardware/devices/{}", text(&kept["device_id"])),
            "customer_a",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        (d["owner"].as_str(), d["lease_id"].is_null()),
        (Some("customer"), true),
        "{d}"
    );
    assert!(
        d["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "not_returned"),
        "{d}"
    );
}

#[tokio::test]
async fn hardware_is_read_in_scope() {
    let t = setup().await;
    let lease = acme_lease(&t).await;
    let (s, v) = t
        .get(
            &format!("/v1/hardware/leases/{}", text(&lease["id"])),
            "customer_b",
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let acme_device = text(&line(&lease, "WP480G-DEMO-002")["device_id"]);
    let (s, v) = t
        .get(&format!("/v1/hardware/devices/{acme_device}"), "customer_b")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let serials =
        |v: &Value| -> Vec<String> { items(v).iter().map(|d| text(&d["serial"])).collect() };
    // Bayview Bakery sees its headset only; its partner Bronze Bay IT none of Acme's.
    let (_, v) = t.get("/v1/hardware/devices?limit=100", "customer_b").await;
    assert_eq!(serials(&v), ["MHS-DEMO-2021"], "{v}");
    let (_, v) = t
        .get("/v1/hardware/devices?limit=100", "partner_bronze")
        .await;
    assert_eq!(serials(&v), ["MHS-DEMO-2021"], "{v}");
    for path in ["/v1/hardware/leases", "/v1/hardware/claims"] {
        for who in ["customer_b", "partner_bronze"] {
            let (s, v) = t.get(path, who).await;
            assert_eq!(
                (s, items(&v).len()),
                (StatusCode::OK, 0),
                "{who} {path}: {v}"
            );
        }
    }
    // Acme's partner sees its lease.
    let (_, v) = t.get("/v1/hardware/leases", "partner_gold").await;
    assert_eq!(items(&v).len(), 1, "{v}");
    // The catalog is read by all, written by the operator only.
    let (s, v) = t.get("/v1/hardware/models", "customer_a").await;
    assert_eq!((s, items(&v).len()), (StatusCode::OK, 3), "{v}");
    let (s, v) = t
        .post(
            "/v1/hardware/models",
            "customer_a",
            json!({"code": "X-1", "name": "X", "kind": "other", "casualty_value": "1.00",
                   "currency": "EUR"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = t
        .post(
            &format!("/v1/hardware/leases/{}/settle", text(&lease["id"])),
            "customer_a",
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
}
