//! What the messaging API tests share: the demo's Direct Corp (US) with its 10DLC number,
//! sending, consents, state registrations, waiting for a delivery state.
#![allow(dead_code)]

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::T;

pub const FROM: &str = "+14155550142";
pub const PROMO: &str = "Winter sale: 20% off. Reply STOP to opt out";

pub fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

pub async fn direct_corp(t: &T) -> String {
    let (s, v) = t.get("/v1/billing-accounts?limit=100", "operator").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Direct Corp")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn send(
    t: &T,
    who: &str,
    account: &str,
    to: &str,
    category: &str,
    body: &str,
    defer: bool,
) -> (StatusCode, Value) {
    t.post(
        "/v1/messages",
        who,
        json!({"billing_account": account, "from": FROM, "to": to, "category": category, "body": body, "defer_if_quiet": defer}),
    )
    .await
}

pub async fn consent(t: &T, account: &str, to: &str) {
    let (s, v) = t
        .post(
            "/v1/messaging/consents",
            "operator",
            json!({"billing_account": account, "recipient": to, "action": "granted", "method": "web_form", "text_shown": "Yes, text me offers. Reply STOP to opt out.", "evidence": "form 42"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

pub async fn register_state(t: &T, account: &str, region: &str) {
    let (s, v) = t
        .post(
            "/v1/messaging/registrations",
            "operator",
            json!({"billing_account": account, "kind": "state", "reference": format!("{region}-0001"), "region": region, "fee": "200.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap();
    let (s, v) = t
        .post(
            &format!("/v1/messaging/registrations/{id}/status"),
            "operator",
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{v}"
    );
}

pub async fn wait_state(t: &T, id: &str, want: &str) -> String {
    let mut state = String::new();
    for _ in 0..200 {
        let (_, m) = t.get(&format!("/v1/messages/{id}"), "operator").await;
        state = m["state"].as_str().unwrap_or_default().to_string();
        if state == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    state
}
