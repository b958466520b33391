//! Messaging delivery through the API (issue 15): an SMPP session to a local SMSC and the
//! signed-webhook connector to a local gateway, receipts, deferred messages released at the
//! first allowed minute, the usage close of what was delivered.

mod common;

use axum::http::StatusCode;
use common::setup;
use messaging_support::*;
use serde_json::{json, Value};

mod messaging_support;

#[tokio::test]
async fn b8_delivered_segments_surcharges_and_fees_go_on_the_next_invoice_once() {
    use tollgate_app::messaging::smpp::{smsc::LocalSmsc, SmppClient, SmppConfig};
    let t = setup().await;
    let ba = direct_corp(&t).await;
    let smsc = LocalSmsc::start("tollgate", "secret").await.unwrap();
    smsc.set_receipts(true, "DELIVRD");
    let (client, inbound) = SmppClient::start(SmppConfig::new(
        &smsc.addr().to_string(),
        "tollgate",
        "secret",
    ));
    let delivery = t.app.start_delivery(client.clone(), inbound).await.unwrap();
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    // 161 GSM-7 characters are two segments (153 + 8); "ok" is one.
    let (_, a) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "transactional",
        &"a".repeat(161),
        false,
    )
    .await;
    assert_eq!(a["segments"], 2);
    let (_, b) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "transactional",
        "ok",
        false,
    )
    .await;
    let mut states = Vec::new();
    for _ in 0..200 {
        states.clear();
        for id in [&a["id"], &b["id"]] {
            let (_, m) = t
                .get(
                    &format!("/v1/messages/{}", id.as_str().unwrap()),
                    "operator",
                )
                .await;
            states.push(m["state"].as_str().unwrap().to_string());
        }
        if states.iter().all(|s| s == "delivered") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(states, vec!["delivered", "delivered"]);
    delivery.stop().await;
    smsc.stop().await;
    t.app.clock.set(at("2026-12-01T06:00:00Z"));
    let (s, v) = t
        .post(
            "/v1/messaging/usage-close",
            "operator",
            json!({"month": "2026-11"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let acct = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["billing_account_id"] == ba.as_str())
        .unwrap()
        .clone();
    // Delivered in November: these two (2 + 1 segments) and the demo's queued ones the
    // worker sent too: the appointment confirmation and the STOP confirmation (1 segment
    // each) = 5 segments. The campaign's surcharge (0.003) applies to the three admitted
    // messages sent under it (not the system's STOP confirmation): 0.009.
    assert_eq!(acct["segments"], 5, "{acct}");
    assert_eq!(acct["surcharges"], "0.009000", "{acct}");
    assert_eq!(acct["monthly_fees"], "10.000000", "{acct}");
    let (_, again) = t
        .post(
            "/v1/messaging/usage-close",
            "operator",
            json!({"month": "2026-11"}),
        )
        .await;
    assert!(
        again["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["billing_account_id"] != ba.as_str()),
        "{again}"
    );
}

/// A messaging gateway on 127.0.0.1 for the webhook connector: checks each request's
/// signature (HMAC-SHA256 of `<t>.<body>` under the secret, computed here with the `hmac`
/// crate) and answers `{"id": "gw-<n>"}`; returns the address and what it received.
async fn gateway(
    secret: &'static str,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(bool, Value)>>>) {
    use hmac::{Hmac, Mac};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for n in 1.. {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let k = s.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..k]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((h, b)) = text.split_once("\r\n\r\n") {
                    let len: usize = h
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap();
                    if b.len() >= len {
                        break (h.to_string(), b[..len].to_string());
                    }
                }
            };
            let sig = head
                .lines()
                .find_map(|l| l.strip_prefix("X-Tollgate-Signature: "))
                .unwrap_or_default()
                .to_string();
            let (t, v1) = sig.split_once(",v1=").unwrap_or_default();
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(format!("{}.{body}", t.trim_start_matches("t=")).as_bytes());
            let hex: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            log.lock()
                .unwrap()
                .push((hex == v1, serde_json::from_str(&body).unwrap()));
            let answer = format!("{{\"id\":\"gw-{n}\"}}");
            let _ = s.write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}", answer.len()).as_bytes()).await;
        }
    });
    (format!("http://{addr}/sms"), seen)
}

#[tokio::test]
async fn the_signed_webhook_connector_delivers_and_takes_the_gateways_receipt() {
    use tollgate_app::messaging::connector::{Connector, WebhookConnector};
    let t = setup().await;
    let ba = direct_corp(&t).await;
    let (url, seen) = gateway("gw-secret").await;
    let delivery = t
        .app
        .start_connector(
            Connector::Webhook(WebhookConnector {
                url,
                secret: "gw-secret".into(),
            }),
            None,
        )
        .await
        .unwrap();
    t.app.clock.set(at("2026-11-18T18:00:00Z"));
    let (_, m) = send(
        &t,
        "operator",
        &ba,
        "+14155550199",
        "transactional",
        "Your code is 777",
        false,
    )
    .await;
    let id = m["id"].as_str().unwrap();
    assert_eq!(wait_state(&t, id, "submitted").await, "submitted");
    let (_, got) = t.get(&format!("/v1/messages/{id}"), "operator").await;
    let smsc_id = got["smsc_id"].as_str().unwrap().to_string();
    assert!(smsc_id.starts_with("gw-"), "{got}");
    {
        let seen = seen.lock().unwrap();
        let ours = seen
            .iter()
            .find(|(_, b)| b["id"] == id)
            .expect("the gateway got the message");
        assert!(ours.0, "the signature verifies with the shared secret");
        assert_eq!(
            (ours.1["to"].as_str(), ours.1["body"].as_str()),
            (Some("14155550199"), Some("Your code is 777"))
        );
    }
    let (s, v) = t
        .post(
            "/v1/messages/receipts",
            "operator",
            json!({"smsc_id": smsc_id, "state": "delivered"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(wait_state(&t, id, "delivered").await, "delivered");
    // The demo's two queued messages went out with ours: three submitted, one receipt.
    let (_, _, metrics) = t.call("GET", "/metrics", None, "", vec![]).await;
    for line in [
        "tollgate_messages_total{kind=\"submitted\"} 3",
        "tollgate_messages_total{kind=\"delivered\"} 1",
    ] {
        assert!(metrics.contains(line), "missing {line}");
    }
    let (s, v) = t
        .post(
            "/v1/messages/receipts",
            "operator",
            json!({"smsc_id": "x", "state": "lost"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("state_invalid"))
    );
    delivery.stop().await;
}
