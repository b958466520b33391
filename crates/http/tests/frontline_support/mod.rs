//! Shared set-up of the frontline tests: a store of Direct Corp (its UC Business licences, 5,
//! are the app seats) with a shop-floor broadcast (repeat 20 s, escalate 60 s, missed 300 s),
//! a manager and two associates who joined it, and a call point.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tollgate_app::records::FrontlineStaffRow;

use crate::common::json::{items, text};
use crate::common::T;

pub struct Member {
    pub token: String,
    pub id: String,
    pub name: String,
}

pub struct Shop {
    pub store_id: String,
    pub broadcast_id: String,
    pub manager: Member,
    pub tom: Member,
    pub aisha: Member,
    /// The call point's code.
    pub till: String,
}

/// A customer's id by name, as the operator reads it.
pub async fn customer_id(t: &T, name: &str) -> String {
    let (_, v) = t.get("/v1/customers?limit=100", "operator").await;
    text(
        &items(&v)
            .into_iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {v}"))["id"],
    )
}

/// The active licence subscription of a billing account.
pub async fn licence_of(t: &T, account: &str) -> String {
    subscription_of(t, account, "licence").await
}

/// A billing account's subscription of a kind (`licence`, `leased_device`, …).
pub async fn subscription_of(t: &T, account: &str, kind: &str) -> String {
    let acc = crate::common::browser::account_id(t, "operator", account).await;
    let (_, v) = t
        .get(
            &format!("/v1/subscriptions?billing_account_id={acc}&limit=100"),
            "operator",
        )
        .await;
    text(
        &items(&v)
            .into_iter()
            .find(|s| s["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind}: {v}"))["id"],
    )
}

/// A staff device's request.
pub async fn as_staff(
    t: &T,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let (s, v, _) = t
        .call(method, path, Some(token), "application/json", bytes)
        .await;
    (s, v)
}

/// A public request (no token).
pub async fn public(t: &T, path: &str) -> (StatusCode, Value) {
    let (s, v, _) = t.call("POST", path, None, "", vec![]).await;
    (s, v)
}

pub async fn staff(
    t: &T,
    store: &str,
    name: &str,
    device: &str,
    manager: bool,
) -> (StatusCode, Value) {
    t.post(
        "/v1/frontline/staff",
        "operator",
        json!({"store_id": store, "name": name, "device": device, "manager": manager}),
    )
    .await
}

async fn member(t: &T, store: &str, broadcast: &str, name: &str, manager: bool) -> Member {
    let (s, v) = staff(t, store, name, "app", manager).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = text(&v["token"]);
    if !manager {
        let (s, v) = as_staff(
            t,
            "POST",
            "/v1/frontline/me/join",
            &token,
            Some(json!({"broadcast_id": broadcast})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    Member {
        token,
        id: text(&v["id"]),
        name: name.into(),
    }
}

/// Direct Corp's store as described above.
pub async fn shop(t: &T) -> Shop {
    let customer = customer_id(t, "Direct Corp").await;
    let licence = licence_of(t, "Direct Corp").await;
    let (s, v) = t
        .post(
            "/v1/frontline/stores",
            "operator",
            json!({"customer_id": customer, "name": "Main Street", "app_subscription_id": licence}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let store_id = text(&v["id"]);
    let (s, v) = t
        .post(
            "/v1/frontline/broadcasts",
            "operator",
            json!({"store_id": store_id, "name": "Shop floor", "repeat_s": 20, "escalate_after_s": 60, "miss_after_s": 300}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let broadcast_id = text(&v["id"]);
    let manager = member(t, &store_id, &broadcast_id, "Maya Manager", true).await;
    let tom = member(t, &store_id, &broadcast_id, "Tom Reed", false).await;
    let aisha = member(t, &store_id, &broadcast_id, "Aisha Khan", false).await;
    let (s, v) = t
        .post(
            "/v1/frontline/call-points",
            "operator",
            json!({"broadcast_id": broadcast_id, "label": "Till Point 4"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    Shop {
        store_id,
        broadcast_id,
        manager,
        tom,
        aisha,
        till: text(&v["code"]),
    }
}

/// The staff row a member's token names (to listen as them).
pub async fn row(t: &T, m: &Member) -> FrontlineStaffRow {
    t.app.staff_by_token(&m.token).await.unwrap()
}

/// Every event waiting for a listener, as (kind, data).
pub fn drain(l: &mut tollgate_app::frontline::live::Listener) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    while let Some(e) = l.try_next() {
        out.push((e.kind.to_string(), e.json()));
    }
    out
}

/// The kinds of events, in order.
pub fn kinds(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(k, _)| k.as_str()).collect()
}

/// Scans a call point; the notification's id.
pub async fn scan(t: &T, code: &str) -> String {
    let (s, v) = public(t, &format!("/v1/frontline/call-points/{code}/scan")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    text(&v["notification_id"])
}

/// A video source registered on a broadcast: its id and signing secret.
pub async fn camera(t: &T, broadcast: &str, name: &str) -> (String, String) {
    let (s, v) = t
        .post(
            "/v1/frontline/video-sources",
            "operator",
            json!({"broadcast_id": broadcast, "name": name}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (text(&v["id"]), text(&v["secret"]))
}

/// A video alert to `source`'s webhook, with the signature header when given.
pub async fn alert(t: &T, source: &str, sig: Option<String>, body: &str) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method("POST")
        .uri(format!("/v1/frontline/video/{source}/alerts"))
        .header("content-type", "application/json");
    if let Some(sig) = sig {
        req = req.header("x-tollgate-signature", sig);
    }
    let (s, _, v) = t
        .send(req.body(Body::from(body.to_string())).unwrap())
        .await;
    (s, v)
}

/// The signature header of `body` at `t_s` under `secret`.
pub fn sign(secret: &str, t_s: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t_s}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t_s},v1={hex}")
}
