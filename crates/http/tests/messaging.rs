//! Messaging through the API (issue 15): admission with its rule and clause, quiet hours in
//! the recipient's local time, inbound keywords, idempotency, scope, the audit export and the
//! usage close. On the demo: Direct Corp (US) owns +1 415 555 0142 under an approved 10DLC
//! campaign; +1 415 555 0199 and +1 214 555 0142 gave written consent.

mod common;

use axum::http::StatusCode;
use common::setup;
use messaging_support::*;
use serde_json::{json, Value};

mod messaging_support;

#[tokio::test]
async fn m4_texas_marketing_at_0830_on_sunday_is_deferred_to_noon_and_allowed_at_1230() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    // Without the Texas telemarketer registration, marketing to Texas is refused (M5).
    t.app.clock.set(at("2026-11-22T18:30:00Z"));
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+12145550142",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(
        (v["code"].as_str(), v["rule"].as_str()),
        (Some("state_registration_missing"), Some("M5")),
        "{v}"
    );
    register_state(&t, &ba, "US-TX").await;
    // Sunday 2026-11-22 08:30 CST (UTC-6) = 14:30Z: Texas allows Sundays from noon.
    t.app.clock.set(at("2026-11-22T14:30:00Z"));
    let (s, v) = send(
        &t,
        "operator",
        &ba,
        "+12145550142",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            v["status"].as_str(),
            v["code"].as_str(),
            v["rule"].as_str(),
            v["clause"].as_str()
        ),
        (
            Some("refused"),
            Some("quiet_hours"),
            Some("M4"),
            Some("W 23.5")
        ),
        "{v}"
    );
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+12145550142",
        "marketing",
        PROMO,
        true,
    )
    .await;
    // Deferred to 12:00 CST = 18:00Z, queued for then.
    assert_eq!(
        (
            v["status"].as_str(),
            v["send_at"].as_str(),
            v["state"].as_str()
        ),
        (
            Some("deferred"),
            Some("2026-11-22T18:00:00Z"),
            Some("queued")
        ),
        "{v}"
    );
    // 12:30 CST = 18:30Z is inside.
    t.app.clock.set(at("2026-11-22T18:30:00Z"));
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+12145550142",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(
        (v["status"].as_str(), v["state"].as_str()),
        (Some("accepted"), Some("queued")),
        "{v}"
    );
}

#[tokio::test]
async fn m4_a_florida_number_at_2030_local_is_refused() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    consent(&t, &ba, "+13055550142").await;
    register_state(&t, &ba, "US-FL").await;
    // 20:30 EST (UTC-5) on Wednesday 2026-11-18 = 01:30Z on the 19th: Florida ends at 20:00.
    t.app.clock.set(at("2026-11-19T01:30:00Z"));
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+13055550142",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(
        (v["code"].as_str(), v["rule"].as_str()),
        (Some("quiet_hours"), Some("M4")),
        "{v}"
    );
    assert!(v["reason"].as_str().unwrap().contains("US-FL"), "{v}");
    // A transactional message at the same time is no marketing: accepted.
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+13055550142",
        "transactional",
        "Your order shipped",
        false,
    )
    .await;
    assert_eq!(v["status"], "accepted", "{v}");
}

#[tokio::test]
async fn m3_inbound_stop_opts_out_at_once_and_start_opts_in_again() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    // 10:00 PST (UTC-8) = 18:00Z: inside every window for California.
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(v["status"], "accepted", "{v}");
    let (s, v) = t
        .post(
            "/v1/messages/inbound",
            "operator",
            json!({"from": "+14155550199", "to": FROM, "body": " Stop "}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["message"]["keyword"], "opt_out");
    assert_eq!(v["reply"]["code"], "opt_out_confirmation", "{v}");
    // A second STOP changes nothing and is not confirmed again (one confirmation at most).
    let (_, v2) = t
        .post(
            "/v1/messages/inbound",
            "operator",
            json!({"from": "+14155550199", "to": FROM, "body": "STOP"}),
        )
        .await;
    assert!(v2["reply"].is_null(), "{v2}");
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(
        (v["status"].as_str(), v["code"].as_str(), v["rule"].as_str()),
        (Some("refused"), Some("recipient_opted_out"), Some("M3")),
        "{v}"
    );
    let (_, v) = t
        .post(
            "/v1/messages/inbound",
            "operator",
            json!({"from": "+14155550199", "to": FROM, "body": "START"}),
        )
        .await;
    assert_eq!(
        (
            v["message"]["keyword"].as_str(),
            v["reply"]["code"].as_str()
        ),
        (Some("opt_in"), Some("opt_in_confirmation")),
        "{v}"
    );
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(v["status"], "accepted", "{v}");
    // The ledger holds grant, revocation and grant again, with the keyword as the method.
    let (_, c) = t
        .get(
            &format!("/v1/messaging/consents?billing_account={ba}&recipient=%2B14155550199"),
            "operator",
        )
        .await;
    let events: Vec<(String, String)> = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["method"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            ("granted".into(), "web_form".into()),
            ("revoked".into(), "keyword".into()),
            ("granted".into(), "keyword".into())
        ]
    );
}

#[tokio::test]
async fn m3_a_request_to_stop_without_a_keyword_is_flagged_for_review() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    let (_, v) = t
        .post(
            "/v1/messages/inbound",
            "operator",
            json!({"from": "+14155550199", "to": FROM, "body": "please stop texting me"}),
        )
        .await;
    assert_eq!(
        (
            v["message"]["keyword"].as_str(),
            v["message"]["review"].as_str()
        ),
        (Some("stop_request"), Some("pending")),
        "{v}"
    );
    let id = v["message"]["id"].as_str().unwrap();
    let (_, l) = t.get("/v1/messages?review_pending=true", "operator").await;
    assert!(
        l["items"].as_array().unwrap().iter().any(|m| m["id"] == id),
        "{l}"
    );
    let (s, r) = t
        .post(
            &format!("/v1/messages/{id}/review"),
            "operator",
            json!({"decision": "opt_out"}),
        )
        .await;
    assert_eq!(
        (s, r["review"].as_str()),
        (StatusCode::OK, Some("opt_out")),
        "{r}"
    );
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "informational",
        "Hello",
        false,
    )
    .await;
    assert_eq!(v["code"], "recipient_opted_out", "{v}");
}

#[tokio::test]
async fn m2_m3_marketing_without_consent_or_without_an_opt_out_instruction_is_refused() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550123",
        "marketing",
        PROMO,
        false,
    )
    .await;
    assert_eq!(
        (v["code"].as_str(), v["rule"].as_str()),
        (Some("consent_missing"), Some("M2")),
        "{v}"
    );
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "marketing",
        "Winter sale: 20% off!",
        false,
    )
    .await;
    assert_eq!(
        (v["code"].as_str(), v["rule"].as_str()),
        (Some("opt_out_instruction_missing"), Some("M3")),
        "{v}"
    );
    // Granting consent without the text shown is refused, nothing written.
    let (s, v) = t.post("/v1/messaging/consents", "operator", json!({"billing_account": ba, "recipient": "+14155550123", "action": "granted", "method": "paper"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("consent_text_required"),
            Some("M2")
        ),
        "{v}"
    );
}

#[tokio::test]
async fn m5_f8_an_unregistered_10dlc_number_and_a_spoofed_sender_are_refused() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    // A number Direct Corp does not own: spoofed (F8; the wildix-2026 profile cites W 23.6).
    let (_, v) = t.post("/v1/messages", "operator", json!({"billing_account": ba, "from": "+12125550000", "to": "+14155550199", "category": "transactional", "body": "Code 1"})).await;
    assert_eq!(
        (v["code"].as_str(), v["rule"].as_str(), v["clause"].as_str()),
        (Some("sender_not_owned"), Some("F8"), Some("W 23.6")),
        "{v}"
    );
    // The campaign covering its own number suspended: no approved 10DLC campaign (M5).
    let (_, regs) = t
        .get(
            &format!("/v1/messaging/registrations?billing_account={ba}"),
            "operator",
        )
        .await;
    let campaign = regs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "tendlc_campaign")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = t
        .post(
            &format!("/v1/messaging/registrations/{campaign}/status"),
            "operator",
            json!({"status": "suspended"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "transactional",
        "Code 1",
        false,
    )
    .await;
    assert_eq!(
        (v["code"].as_str(), v["rule"].as_str()),
        (Some("tendlc_unregistered"), Some("M5")),
        "{v}"
    );
}

#[tokio::test]
async fn a_key_sends_at_most_once_and_another_tenant_cannot_send_for_the_account() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    let body = json!({"billing_account": ba, "from": FROM, "to": "+14155550199", "category": "transactional", "body": "Code 9", "idempotency_key": "k-1"});
    let (_, a) = t.post("/v1/messages", "operator", body.clone()).await;
    let (_, b) = t.post("/v1/messages", "operator", body.clone()).await;
    assert_eq!(a["id"], b["id"]);
    assert_eq!(b["duplicate"], true);
    let (_, l) = t
        .get(
            &format!("/v1/messages?billing_account={ba}&recipient=14155550199&state=queued"),
            "operator",
        )
        .await;
    let with_body: Vec<&Value> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == a["id"])
        .collect();
    assert_eq!(with_body.len(), 1);
    // Acme Dental's admin does not see Direct Corp's account.
    let (s, v) = t.post("/v1/messages", "customer_a", body).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    // Bad input is a 422 naming the field, nothing written.
    let (s, v) = t.post("/v1/messages", "operator", json!({"billing_account": ba, "from": FROM, "to": "+1415", "category": "promo", "body": "x"})).await;
    assert_eq!(
        (
            s,
            v["error"]["code"].as_str(),
            v["error"]["fields"]["category"].is_string()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("category_invalid"),
            true
        ),
        "{v}"
    );
}

#[tokio::test]
async fn m7_the_audit_export_holds_consents_registrations_and_the_message_log() {
    let t = setup().await;
    let ba = direct_corp(&t).await;
    let (s, v) = t.get(&format!("/v1/messaging/export?billing_account={ba}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"), "operator").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The demo: two consents granted, one opt-out by keyword (+1 415 555 0177).
    assert_eq!(v["consents"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(v["registrations"].as_array().unwrap().len(), 2);
    let codes: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"sender_not_owned")
            && codes.contains(&"keyword_opt_out")
            && codes.contains(&"opt_out_confirmation"),
        "{codes:?}"
    );
    let (s, _, csv) = t.call("GET", &format!("/v1/messaging/export?billing_account={ba}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=csv&kind=consents"), Some(t.token("operator")), "", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        csv.starts_with("id,at,recipient,action,method,text_shown"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // Consent records are kept four years after the last message (M2, C8).
    let (s, v) = t
        .post(
            "/v1/messaging/consents/erase",
            "operator",
            json!({"billing_account": ba, "recipient": "+14155550199"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("consent_retained"),
            Some("M2")
        ),
        "{v}"
    );
}

#[tokio::test]
async fn m4_m3_a_deferred_message_goes_at_the_first_allowed_minute_unless_a_stop_came_first() {
    use tollgate_app::messaging::smpp::{smsc::LocalSmsc, SmppClient, SmppConfig};
    let t = setup().await;
    let ba = direct_corp(&t).await;
    register_state(&t, &ba, "US-TX").await;
    consent(&t, &ba, "+12145550143").await;
    let smsc = LocalSmsc::start("tollgate", "secret").await.unwrap();
    smsc.set_receipts(true, "DELIVRD");
    let (client, inbound) = SmppClient::start(SmppConfig::new(
        &smsc.addr().to_string(),
        "tollgate",
        "secret",
    ));
    let delivery = t.app.start_delivery(client, inbound).await.unwrap();
    // Sunday 08:30 CST (14:30Z): both deferred to 12:00 CST (18:00Z).
    t.app.clock.set(at("2026-11-22T14:30:00Z"));
    let (_, a) = send(
        &t,
        "operator",
        &ba,
        "+12145550142",
        "marketing",
        PROMO,
        true,
    )
    .await;
    let (_, b) = send(
        &t,
        "operator",
        &ba,
        "+12145550143",
        "marketing",
        PROMO,
        true,
    )
    .await;
    assert_eq!(
        (a["status"].as_str(), b["send_at"].as_str()),
        (Some("deferred"), Some("2026-11-22T18:00:00Z")),
        "{a} {b}"
    );
    // The second recipient writes STOP at 10:00 CST, before the release.
    t.app.clock.set(at("2026-11-22T16:00:00Z"));
    let (_, r) = t
        .post(
            "/v1/messages/inbound",
            "operator",
            json!({"from": "+12145550143", "to": FROM, "body": "STOP"}),
        )
        .await;
    assert_eq!(r["message"]["keyword"], "opt_out", "{r}");
    let first_seen = smsc.submitted().iter().filter(|s| s.body == PROMO).count();
    t.app.clock.set(at("2026-11-22T18:00:00Z"));
    t.app.messaging.wake.notify_one();
    assert_eq!(
        wait_state(&t, a["id"].as_str().unwrap(), "delivered").await,
        "delivered"
    );
    let (_, m) = t
        .get(
            &format!("/v1/messages/{}", b["id"].as_str().unwrap()),
            "operator",
        )
        .await;
    assert_eq!(
        (m["state"].as_str(), m["code"].as_str(), m["rule"].as_str()),
        (Some("refused"), Some("recipient_opted_out"), Some("M3")),
        "{m}"
    );
    // Before noon nothing promotional went out; after it, the one still wanted.
    assert_eq!(first_seen, 0);
    assert_eq!(
        smsc.submitted().iter().filter(|s| s.body == PROMO).count(),
        1
    );
    delivery.stop().await;
    smsc.stop().await;
}

#[tokio::test]
async fn b8_a_customer_files_a_registration_but_the_provider_sets_its_fees() {
    let t = setup().await;
    let (_, accounts) = t.get("/v1/billing-accounts?limit=100", "customer_a").await;
    let ba = accounts["items"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = t.post("/v1/messaging/registrations", "customer_a", json!({"billing_account": ba, "kind": "sender_id", "reference": "AcmeDent", "fee": "0.00", "surcharge": "0.01"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("fees_set_by_provider")
        ),
        "{v}"
    );
    let (s, v) = t
        .post(
            "/v1/messaging/registrations",
            "customer_a",
            json!({"billing_account": ba, "kind": "sender_id", "reference": "AcmeDent"}),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::CREATED, Some("pending")),
        "{v}"
    );
    let id = v["id"].as_str().unwrap();
    // The registry's answer with the provider's fees: 25.00 once, 0.05 per message.
    let (s, v) = t
        .post(
            &format!("/v1/messaging/registrations/{id}/status"),
            "operator",
            json!({"status": "approved", "fee": "25.00", "surcharge": "0.05"}),
        )
        .await;
    assert_eq!(
        (s, v["fee"].as_str(), v["surcharge"].as_str()),
        (StatusCode::OK, Some("25.000000"), Some("0.050000")),
        "{v}"
    );
    // The customer cannot approve its own registration.
    let (s, _) = t
        .post(
            &format!("/v1/messaging/registrations/{id}/status"),
            "customer_a",
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
