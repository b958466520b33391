//! Issue 11 #9, the inputs a review found still accepted: an emergency address in a country
//! that does not exist or with a postcode its country cannot have, a port-out dated years
//! ahead, an announcement of unusual activity starting years ahead. Each is refused with its
//! field, and nothing is written.

mod common;

use serde_json::json;

use common::*;

/// The first number of Acme Dental (customer_a) in the demo.
async fn acme_number(t: &T) -> String {
    let (_, v) = t.get("/v1/numbers?limit=5", "customer_a").await;
    v["items"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn i11_9_an_emergency_address_needs_a_real_country_and_a_plausible_postcode() {
    let t = setup().await;
    let n = format!("/v1/numbers/{}/emergency-address", acme_number(&t).await);
    for (country, postcode, field, code) in [
        ("ZZ", "75007", "country", "country_invalid"),
        ("FR", "7500", "postcode", "postcode_invalid"),
        ("GB", "75007", "postcode", "postcode_invalid"),
    ] {
        let addr = json!({"street": "5 Rue du Bac", "city": "Paris", "postcode": postcode, "country": country});
        let (s, v) = t.post(&n, "customer_a", addr).await;
        assert_eq!(
            refusal(s, &v, field),
            unprocessable(code),
            "{country} {postcode}: {v}"
        );
    }
    // The same address with a French postcode in France is taken.
    let ok =
        json!({"street": "5 Rue du Bac", "city": "Paris", "postcode": "75007", "country": "FR"});
    let (s, v) = t.post(&n, "customer_a", ok).await;
    assert!(s.is_success(), "{v}");
}

#[tokio::test]
async fn i11_9_a_port_out_dated_more_than_a_year_ahead_is_refused() {
    let t = setup().await;
    let n = acme_number(&t).await;
    // 366 days ahead of the fixed test clock.
    let far = NOW + 366 * 86_400;
    let body = json!({"gaining_provider": "Other Telecom", "authorisation_ref": "LOA-1", "port_date": far.to_string()});
    let (s, v) = t
        .post(&format!("/v1/numbers/{n}/port-out"), "operator", body)
        .await;
    assert_eq!(
        refusal(s, &v, "port_date"),
        unprocessable("port_date_too_far"),
        "{v}"
    );
    let (_, num) = t.get(&format!("/v1/numbers/{n}"), "operator").await;
    assert!(num["pending_port_out"].is_null(), "nothing written: {num}");
}

#[tokio::test]
async fn i11_9_an_announcement_must_start_within_a_year() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts?limit=100", "customer_a").await;
    let hq = v["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/billing-accounts/{hq}/announcements");
    let from = NOW + 400 * 86_400;
    let body = json!({"from": from.to_string(), "until": (from + 3_600).to_string(), "note": "trade fair"});
    let (s, v) = t.post(&path, "customer_a", body).await;
    assert_eq!(
        refusal(s, &v, "from"),
        unprocessable("window_out_of_range"),
        "{v}"
    );
    let body = json!({"from": (NOW + 60).to_string(), "until": (NOW + 3_600).to_string(), "note": "trade fair"});
    let (s, v) = t.post(&path, "customer_a", body).await;
    assert!(s.is_success(), "{v}");
}
