//! HTTP API: tenancy (P1-P3, B1, B11 flags), input checks and the audit log.

mod common;

use axum::http::StatusCode;
use serde_json::{json, Value};
use tollgate_http::DEFAULT_MAX_BODY_BYTES;

use common::*;

#[tokio::test]
async fn p_tenancy_customers_and_partners_see_only_their_own() {
    let t = setup().await;
    let (s, v) = t.get("/v1/customers", "customer_a").await;
    assert_eq!(
        (s, names(&v)),
        (StatusCode::OK, vec!["Acme Dental".to_string()])
    );
    let (_, v) = t.get("/v1/customers", "customer_b").await;
    assert_eq!(names(&v), vec!["Bayview Bakery".to_string()]);
    let (_, v) = t.get("/v1/customers", "partner_gold").await;
    let gold = names(&v);
    assert!(
        gold.contains(&"Acme Dental".to_string()) && !gold.contains(&"Bayview Bakery".to_string()),
        "{gold:?}"
    );
    // Northwind is the assigned partner of the reseller, so it sees the reseller's customer (P3).
    assert!(gold.contains(&"Harbor Logistics".to_string()));
    let (_, v) = t.get("/v1/customers", "partner_bronze").await;
    assert_eq!(names(&v), vec!["Bayview Bakery".to_string()]);
    let (_, v) = t.get("/v1/customers", "operator").await;
    assert_eq!(names(&v).len(), 4);
    // Fetching another tenant's customer by id looks exactly like a missing one.
    let b_id = t.get("/v1/customers", "customer_b").await.1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = t
        .get(&format!("/v1/customers/{b_id}"), "partner_gold")
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, _) = t
        .get(&format!("/v1/customers/{b_id}"), "partner_bronze")
        .await;
    assert_eq!(s, StatusCode::OK);
    // Billing accounts follow the same scope.
    let (_, v) = t.get("/v1/billing-accounts", "customer_a").await;
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["name"].as_str().unwrap().starts_with("Acme")));
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_written() {
    let t = setup().await;
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    let before = count(&t.get("/v1/customers", "operator").await.1);
    let op = t.token("operator").to_string();
    let cases: Vec<(Vec<u8>, StatusCode, &str, Option<&str>)> = vec![
        (
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "json_invalid",
            Some("body"),
        ),
        (
            br#"{"name":"X","bogus":1}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
            Some("bogus"),
        ),
        (
            br#"{"name":42}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            Some("name"),
        ),
        (
            br#"{}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_field",
            Some("name"),
        ),
        (
            br#"{"name":"X","terms_profile":"nope"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "terms_profile_unknown",
            Some("terms_profile"),
        ),
        (
            format!(r#"{{"name":"{}"}}"#, "x".repeat(DEFAULT_MAX_BODY_BYTES)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            Some("body"),
        ),
    ];
    for (body, status, code, field) in cases {
        let (s, v, _) = t
            .call("POST", "/v1/customers", Some(&op), "application/json", body)
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
        assert_error_shape(&v);
        if let Some(f) = field {
            assert!(
                v["error"]["fields"].get(f).is_some(),
                "field {f} not named: {v}"
            );
        }
    }
    let (s, v) = t.get("/v1/customers?limit=100000", "operator").await;
    assert_eq!(
        (s, v["error"]["fields"].get("limit").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (s, v) = t.get("/v1/customers?colour=red", "operator").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field"))
    );
    assert_eq!(
        count(&t.get("/v1/customers", "operator").await.1),
        before,
        "a refused request wrote something"
    );
}

#[tokio::test]
async fn b1_x_hoppers_accounts_bill_in_gbp_only() {
    let t = setup().await;
    let (_, v) = t.get("/v1/customers", "operator").await;
    let harbor = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Harbor Logistics")
        .unwrap()["id"]
        .clone();
    let (s, v) = t
        .post(
            "/v1/billing-accounts",
            "operator",
            json!({"customer_id": harbor, "name": "EU", "currency": "EUR"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("currency_not_allowed"),
            Some("B1")
        )
    );
}

#[tokio::test]
async fn p3_bronze_partner_without_assigned_partner_is_refused() {
    let t = setup().await;
    let (s, v) = t
        .post(
            "/v1/partners",
            "operator",
            json!({"name": "Lone Bronze", "tier": "bronze"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("assigned_partner_required"),
            Some("P3")
        )
    );
    assert_eq!(v["error"]["clause"].as_str(), Some("W 15.2"));
}

#[tokio::test]
async fn state_changes_are_audited() {
    let t = setup().await;
    let (s, _) = t
        .post(
            "/v1/customers",
            "partner_gold",
            json!({"name": "Audited Ltd"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = t.get("/v1/audit-log?limit=500", "operator").await;
    let hit = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "customer.create" && a["detail"]["name"] == "Audited Ltd")
        .cloned()
        .unwrap();
    assert!(hit["actor"].as_str().unwrap().starts_with("user:"));
    assert!(hit["request_id"].as_str().unwrap().starts_with("req_"));
    assert_eq!(hit["source"], "unknown"); // no peer address through oneshot
}

#[tokio::test]
async fn b11_partner_shows_its_nonresponsive_flags() {
    let t = setup().await;
    let (_, v) = t.get("/v1/partners", "partner_gold").await;
    let id = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["tier"] == "gold")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, p) = t.get(&format!("/v1/partners/{id}"), "partner_gold").await;
    assert_eq!(
        (s, p["nonresponsive"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert!(p["nonresponsive_flags"].as_array().unwrap().is_empty());
    let (s, _) = t.get(&format!("/v1/partners/{id}"), "partner_bronze").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
