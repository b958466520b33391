//! Frontline inputs and figures (issue 19): the video webhook's signature (a forged, old or
//! missing one refused before anything is written; a replaced secret or a source out of
//! service), headset and app seats (L1, L2), the call points' rate limits with every scan
//! logged, the manager's statistics adding up from the event log (and their CSV), and scope.
//! NOW = 2026-11-18T11:06:40Z.

mod common;
mod frontline_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::json::{items, refused, text};
use common::{setup, NOW};
use frontline_support::{alert, as_staff, camera, public, scan, shop, sign, staff};
use serde_json::json;

#[tokio::test]
async fn q_a_forged_or_replayed_video_alert_is_refused_and_nothing_is_written() {
    let t = setup().await;
    let s = shop(&t).await;
    let (src, secret) = camera(&t, &s.broadcast_id, "Camera1").await;
    let body = r#"{"alert_id":"cam1-000042","kind":"theft_suspicion","camera":"Camera1"}"#;

    let cases = [
        (None, "signature_missing"),
        (
            Some(sign("whsec_not-the-secret", NOW, body)),
            "signature_invalid",
        ),
        // Signed 301 s ago: a replay.
        (Some(sign(&secret, NOW - 301, body)), "signature_expired"),
        (
            Some(sign(
                &secret,
                NOW,
                r#"{"alert_id":"cam1-000042","kind":"queue_too_long","camera":"Camera1"}"#,
            )),
            "signature_invalid",
        ),
    ];
    for (sig, code) in cases {
        let (st, v) = alert(&t, &src, sig, body).await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(code)),
            "{v}"
        );
    }
    // An unknown source looks like a wrong signature.
    let (st, v) = alert(&t, "fl_vid_unknown", Some(sign(&secret, NOW, body)), body).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("signature_invalid"))
    );
    let (_, v) = t
        .get(
            &format!(
                "/v1/frontline/notifications?broadcast_id={}",
                s.broadcast_id
            ),
            "operator",
        )
        .await;
    assert!(items(&v).is_empty(), "nothing written: {v}");

    // Signed right: a theft alert from Camera1 in the queue; sent again, the same one.
    let (st, v) = alert(&t, &src, Some(sign(&secret, NOW, body)), body).await;
    assert_eq!(
        (st, v["outcome"].as_str()),
        (StatusCode::OK, Some("raised")),
        "{v}"
    );
    let id = text(&v["notification_id"]);
    let (st, v) = alert(&t, &src, Some(sign(&secret, NOW + 2, body)), body).await;
    assert_eq!(
        (st, v["outcome"].as_str(), v["notification_id"].as_str()),
        (StatusCode::OK, Some("joined"), Some(id.as_str()))
    );
    let (_, n) = t
        .get(&format!("/v1/frontline/notifications/{id}"), "operator")
        .await;
    assert_eq!(
        (
            n["event"].as_str(),
            n["from"].as_str(),
            n["source"].as_str()
        ),
        (Some("theft"), Some("Camera1"), Some("video"))
    );
    // The event log has the one `raised` entry (written by the database with the
    // notification, migration 0020; the resent alert wrote no second one).
    let (_, v) = t
        .get(
            &format!("/v1/frontline/stats?store_id={}", s.store_id),
            "operator",
        )
        .await;
    assert_eq!(v["stores"][0]["raised"].as_i64(), Some(1), "{v}");
    // Signed right but not an alert: the body's refusal.
    let bad = r#"{"alert_id":"x","kind":"fire","camera":"Camera1"}"#;
    let (st, v) = alert(&t, &src, Some(sign(&secret, NOW, bad)), bad).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind_invalid")),
        "{v}"
    );
}

#[tokio::test]
async fn q_a_source_out_of_service_is_refused_and_a_replaced_secret_stops_the_old_one() {
    let t = setup().await;
    let s = shop(&t).await;
    let (src, old) = camera(&t, &s.broadcast_id, "Camera2").await;
    // An alert signed with the first secret (the node now holds the source in its cache).
    let body0 = r#"{"alert_id":"cam2-0","kind":"queue_too_long","camera":"Camera2"}"#;
    let (st, v) = alert(&t, &src, Some(sign(&old, NOW, body0)), body0).await;
    assert_eq!(
        (st, v["outcome"].as_str()),
        (StatusCode::OK, Some("raised"))
    );
    // The secret leaked: a new one is shown once, and the old one signs nothing any more.
    let (st, v) = t
        .post(
            &format!("/v1/frontline/video-sources/{src}/secret"),
            "operator",
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let new = text(&v["secret"]);
    assert_ne!(new, old);
    let body = r#"{"alert_id":"cam2-1","kind":"queue_too_long","camera":"Camera2"}"#;
    let (st, v) = alert(&t, &src, Some(sign(&old, NOW, body)), body).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("signature_invalid"))
    );
    let (st, v) = alert(&t, &src, Some(sign(&new, NOW, body)), body).await;
    assert_eq!(
        (st, v["outcome"].as_str()),
        (StatusCode::OK, Some("raised"))
    );
    // Out of service: even a rightly signed alert is refused (as an unknown source).
    let path = format!("/v1/frontline/video-sources/{src}/active");
    let (st, v) = t.post(&path, "operator", json!({"active": false})).await;
    assert_eq!((st, v["active"].as_bool()), (StatusCode::OK, Some(false)));
    let body2 = r#"{"alert_id":"cam2-2","kind":"dwell_time_exceeded","camera":"Camera2"}"#;
    let (st, v) = alert(&t, &src, Some(sign(&new, NOW, body2)), body2).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("signature_invalid"))
    );
    // Another customer's user can neither switch the camera on nor take its secret.
    let (st, _) = t.post(&path, "customer_b", json!({"active": true})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let secret_path = format!("/v1/frontline/video-sources/{src}/secret");
    let (st, _) = t.post(&secret_path, "customer_b", json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = t.post(&path, "operator", json!({"active": true})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = alert(&t, &src, Some(sign(&new, NOW, body2)), body2).await;
    assert_eq!(
        (st, v["outcome"].as_str()),
        (StatusCode::OK, Some("raised"))
    );
    // A call point scanned (and so cached), then taken down: its code scans as unknown.
    let scan_path = format!("/v1/frontline/call-points/{}/scan", s.till);
    let (st, v) = public(&t, &scan_path).await;
    assert_eq!(
        (st, v["outcome"].as_str()),
        (StatusCode::OK, Some("raised"))
    );
    let open = text(&v["notification_id"]);
    let (_, v) = t
        .get(
            &format!("/v1/frontline/call-points?store_id={}", s.store_id),
            "operator",
        )
        .await;
    let point = text(&items(&v)[0]["id"]);
    let path = format!("/v1/frontline/call-points/{point}/active");
    let (st, v) = t.post(&path, "operator", json!({"active": false})).await;
    assert_eq!((st, v["active"].as_bool()), (StatusCode::OK, Some(false)));
    let (st, _) = public(&t, &scan_path).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = t.post(&path, "customer_b", json!({"active": true})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Back in service: the alert it raised before stayed open, and a scan joins it.
    let (st, _) = t.post(&path, "operator", json!({"active": true})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = public(&t, &scan_path).await;
    assert_eq!(
        (st, v["outcome"].as_str(), v["notification_id"].as_str()),
        (StatusCode::OK, Some("joined"), Some(open.as_str()))
    );
    // Each change has its audit entry, and no entry holds a secret.
    let actions = tollgate_store::testing::texts(
        &t.app.store,
        &format!(
            "SELECT action FROM audit_log WHERE target IN ('{src}', '{point}') \
             AND detail NOT LIKE '%whsec%' ORDER BY action"
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "frontline.call_point_active",
            "frontline.call_point_active",
            "frontline.call_point_created",
            "frontline.video_source_active",
            "frontline.video_source_active",
            "frontline.video_source_created",
            "frontline.video_source_secret_replaced",
        ]
    );
}

#[tokio::test]
async fn l1_headset_and_app_seats_are_limited_by_the_stores_subscriptions() {
    let t = setup().await;
    let s = shop(&t).await;
    // Direct Corp's licence subscription has 5: the shop's three members hold three.
    for name in ["Fourth", "Fifth"] {
        let (st, v) = staff(&t, &s.store_id, name, "app", false).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let (st, v) = staff(&t, &s.store_id, "Sixth", "app", false).await;
    refused(st, &v, "seats_exhausted", Some("L1"), Some("device"));
    // No headset subscription named: no headset seat (a seat lives with its subscription).
    let (st, v) = staff(&t, &s.store_id, "Headset user", "headset", false).await;
    refused(st, &v, "no_seat_subscription", Some("L2"), Some("device"));
    // A second store on the same subscription shares its seats: none left there either.
    let customer = frontline_support::customer_id(&t, "Direct Corp").await;
    let licence = frontline_support::licence_of(&t, "Direct Corp").await;
    let (st, v) = t
        .post(
            "/v1/frontline/stores",
            "operator",
            json!({"customer_id": customer, "name": "High Street", "app_subscription_id": licence}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = staff(&t, &text(&v["id"]), "Elsewhere", "app", false).await;
    refused(st, &v, "seats_exhausted", Some("L1"), Some("device"));
    // One subscription never serves both kinds.
    let (st, v) = t
        .post(
            &format!("/v1/frontline/stores/{}/seats", s.store_id),
            "operator",
            json!({"headset_subscription_id": licence, "app_subscription_id": licence}),
        )
        .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("subscription_invalid")
        ),
        "{v}"
    );
    // Tom leaves the company: his seat is free and his device's token stops working.
    let (st, v) = t
        .post(
            &format!("/v1/frontline/staff/{}/active", s.tom.id),
            "operator",
            json!({"active": false}),
        )
        .await;
    assert_eq!(
        (st, v["active"].as_bool(), v["broadcast_id"].is_null()),
        (StatusCode::OK, Some(false), true),
        "{v}"
    );
    let (st, _) = as_staff(&t, "GET", "/v1/frontline/me", &s.tom.token, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, v) = staff(&t, &s.store_id, "Sixth", "app", false).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // …and coming back would need a seat again.
    let (st, v) = t
        .post(
            &format!("/v1/frontline/staff/{}/active", s.tom.id),
            "operator",
            json!({"active": true}),
        )
        .await;
    refused(st, &v, "seats_exhausted", Some("L1"), Some("device"));
}

#[tokio::test]
async fn q_call_points_are_rate_limited_and_every_scan_is_logged() {
    let t = setup().await;
    let s = shop(&t).await;
    // Ten scans a minute from one address: the first raises, the nine others join it.
    let first = scan(&t, &s.till).await;
    for _ in 1..10 {
        assert_eq!(scan(&t, &s.till).await, first);
    }
    let req = Request::builder()
        .method("POST")
        .uri(format!("/v1/frontline/call-points/{}/scan", s.till))
        .body(Body::empty())
        .unwrap();
    let (st, headers, v) = t.send(req).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("scan_rate_limited")),
        "{v}"
    );
    // 11:06:40 in the window [11:06:00, 11:07:00): 20 s to wait.
    assert_eq!(headers["retry-after"], "20");
    let (_, v) = t
        .get(
            &format!("/v1/frontline/stats?store_id={}", s.store_id),
            "operator",
        )
        .await;
    assert_eq!(
        (
            v["stores"][0]["scans"].as_i64(),
            v["stores"][0]["raised"].as_i64()
        ),
        (Some(10), Some(1)),
        "{v}"
    );
    let hour = &v["scans_per_point_hour"][0];
    assert_eq!(
        (hour["hour"].as_str(), hour["scans"].as_i64()),
        (Some("2026-11-18T11:00:00Z"), Some(10))
    );
    // An unknown code is not found (after the limiter, so it cannot be probed fast).
    t.app.clock.advance(60);
    let (st, _) = public(&t, "/v1/frontline/call-points/nosuchcode/scan").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn q_the_managers_statistics_add_up_from_the_event_log() {
    let t = setup().await;
    let s = shop(&t).await;
    let accept = |id: String, token: String| {
        let t = &t;
        async move {
            let (st, v) = as_staff(
                t,
                "POST",
                &format!("/v1/frontline/notifications/{id}/accept"),
                &token,
                None,
            )
            .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
    };
    // Tom and Aisha joined at 0 s. 0 s: a scan, Aisha takes it at 5 s (5 s).
    let n1 = scan(&t, &s.till).await;
    t.app.clock.advance(5);
    accept(n1, s.aisha.token.clone()).await;
    // 10 s: Tom asks for help; Aisha takes it at 25 s (15 s).
    t.app.clock.advance(5);
    let (_, v) = as_staff(
        &t,
        "POST",
        "/v1/frontline/me/requests",
        &s.tom.token,
        Some(json!({})),
    )
    .await;
    let n2 = text(&v["notification_id"]);
    t.app.clock.advance(15);
    accept(n2, s.aisha.token.clone()).await;
    // 30 s: another scan; escalated at 90 s; Tom takes it at 100 s (70 s).
    t.app.clock.advance(5);
    let n3 = scan(&t, &s.till).await;
    t.app.clock.advance(70);
    t.app.frontline_tick().await.unwrap();
    accept(n3, s.tom.token.clone()).await;
    // 110 s: Tom asks again; nobody takes it: escalated at 170 s, missed at 410 s.
    t.app.clock.advance(10);
    as_staff(
        &t,
        "POST",
        "/v1/frontline/me/requests",
        &s.tom.token,
        Some(json!({"text": "Forklift needed"})),
    )
    .await;
    t.app.clock.advance(300);
    t.app.frontline_tick().await.unwrap();
    // 420 s: Tom leaves; Aisha stays.
    t.app.clock.advance(10);
    as_staff(&t, "POST", "/v1/frontline/me/leave", &s.tom.token, None).await;

    let (st, v) = t
        .get(
            &format!(
                "/v1/frontline/stats?store_id={}&from=2026-11-18",
                s.store_id
            ),
            "operator",
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let x = &v["stores"][0];
    // 4 raised = 3 accepted + 1 missed; escalated 2 (n3, n4). Responses 5, 15, 70 s: p50 is
    // rank ⌈1.5⌉ = 2 → 15 s, p90 rank ⌈2.7⌉ = 3 → 70 s.
    let got: Vec<Option<i64>> = [
        "raised",
        "accepted",
        "missed",
        "escalated",
        "open",
        "response_p50_ms",
        "response_p90_ms",
    ]
    .iter()
    .map(|k| x[*k].as_i64())
    .collect();
    assert_eq!(
        got,
        [
            Some(4),
            Some(3),
            Some(1),
            Some(2),
            Some(0),
            Some(15_000),
            Some(70_000)
        ],
        "{v}"
    );
    // Staff time: Tom 0–420 s, Aisha 0 s to now (420 s): 840 s. Joins 2, leaves 1; 2 scans.
    let got: Vec<Option<i64>> = ["staff_time_ms", "joins", "leaves", "scans"]
        .iter()
        .map(|k| x[*k].as_i64())
        .collect();
    assert_eq!(got, [Some(840_000), Some(2), Some(1), Some(2)], "{v}");

    // The log agrees with the notifications' own states and times.
    let (_, n) = t
        .get(
            &format!(
                "/v1/frontline/notifications?broadcast_id={}",
                s.broadcast_id
            ),
            "operator",
        )
        .await;
    let rows = items(&n);
    let count = |state: &str| rows.iter().filter(|r| r["state"] == state).count() as i64;
    assert_eq!(
        (rows.len() as i64, count("accepted"), count("missed")),
        (4, 3, 1)
    );
    let mut responses: Vec<i64> = rows
        .iter()
        .filter_map(|r| r["response_ms"].as_i64())
        .collect();
    responses.sort_unstable();
    assert_eq!(responses, [5_000, 15_000, 70_000]);
    assert_eq!(
        rows.iter()
            .filter(|r| r["escalated_at"].is_string())
            .count(),
        2
    );
    // Across stores (the demo's store too), the total is the sum of the stores.
    let (_, all) = t
        .get("/v1/frontline/stats?from=2026-11-18", "operator")
        .await;
    for k in [
        "raised",
        "accepted",
        "missed",
        "escalated",
        "joins",
        "leaves",
        "scans",
        "staff_time_ms",
    ] {
        let sum: i64 = all["stores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s[k].as_i64().unwrap())
            .sum();
        assert_eq!(all["total"][k].as_i64(), Some(sum), "{k}: {all}");
    }
    // The CSV says the same: staff minutes 840 s → 14; p50 15.000 s, p90 70.000 s.
    let (st, _, csv) = t
        .call(
            "GET",
            &format!(
                "/v1/frontline/stats.csv?store_id={}&from=2026-11-18",
                s.store_id
            ),
            Some(t.token("operator")),
            "",
            vec![],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "store_id,store,raised,accepted,missed,escalated,open,response_p50_s,response_p90_s,staff_minutes,joins,leaves,scans");
    assert_eq!(
        lines[1],
        format!(
            "{},Main Street,4,3,1,2,0,15.000,70.000,14,2,1,2",
            s.store_id
        )
    );
    // A period that cannot be read is refused with its field.
    let (st, v) = t
        .get(
            "/v1/frontline/stats?from=2026-11-18&to=2026-11-17",
            "operator",
        )
        .await;
    assert_eq!(
        (st, v["error"]["fields"]["to"].is_string()),
        (StatusCode::UNPROCESSABLE_ENTITY, true),
        "{v}"
    );
}

#[tokio::test]
async fn q_each_caller_sees_only_its_own_stores_and_staff_only_their_stores_alerts() {
    let t = setup().await;
    let s = shop(&t).await;
    let (_, v) = t.get("/v1/frontline/stores", "customer_b").await;
    assert!(items(&v).is_empty(), "{v}");
    let (st, _) = t
        .get(
            &format!("/v1/frontline/stores/{}", s.store_id),
            "customer_b",
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = t
        .post(
            "/v1/frontline/staff",
            "customer_b",
            json!({"store_id": s.store_id, "name": "X", "device": "app"}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The demo's Harbor Logistics alert is not Tom's to take, nor its broadcast his to join.
    let (_, v) = t.get("/v1/frontline/notifications", "operator").await;
    let harbor = items(&v)
        .into_iter()
        .find(|n| n["store_id"] != s.store_id.as_str())
        .unwrap();
    let (st, _) = as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{}/accept", text(&harbor["id"])),
        &s.tom.token,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = as_staff(
        &t,
        "POST",
        "/v1/frontline/me/join",
        &s.tom.token,
        Some(json!({"broadcast_id": harbor["broadcast_id"]})),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Bad timing is refused with its field.
    let (st, v) = t
        .post(
            "/v1/frontline/broadcasts",
            "operator",
            json!({"store_id": s.store_id, "name": "Fast", "repeat_s": 2}),
        )
        .await;
    assert_eq!(
        (st, v["error"]["fields"]["repeat_s"].is_string()),
        (StatusCode::UNPROCESSABLE_ENTITY, true),
        "{v}"
    );
}

#[tokio::test]
async fn l1_headset_seats_are_limited_by_the_stores_headset_subscription() {
    let t = setup().await;
    // Acme Dental HQ leases 5 devices (HWAAS-PHONE x 5): a store naming that subscription
    // for its headsets has 5 headset seats, and none for the app (no app subscription).
    let customer = frontline_support::customer_id(&t, "Acme Dental").await;
    let lease = frontline_support::subscription_of(&t, "Acme Dental HQ", "leased_device").await;
    let (_, sub) = t
        .get(&format!("/v1/subscriptions/{lease}"), "operator")
        .await;
    assert_eq!(sub["quantity"].as_i64(), Some(5), "{sub}");
    let (st, v) = t
        .post(
            "/v1/frontline/stores",
            "operator",
            json!({"customer_id": customer, "name": "Surgery front desk", "headset_subscription_id": lease}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let store = text(&v["id"]);
    let mut first = String::new();
    for i in 1..=5 {
        let (st, v) = staff(&t, &store, &format!("Headset {i}"), "headset", false).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        if i == 1 {
            first = text(&v["id"]);
        }
    }
    // 5 of 5 taken: the sixth headset is refused, with the clause and the field.
    let (st, v) = staff(&t, &store, "Headset 6", "headset", false).await;
    refused(st, &v, "seats_exhausted", Some("L1"), Some("device"));
    // The store names no app subscription: an app user has no seat to take.
    let (st, v) = staff(&t, &store, "App user", "app", false).await;
    refused(st, &v, "no_seat_subscription", Some("L2"), Some("device"));
    // One headset handed back frees its seat for the sixth.
    let (st, v) = t
        .post(
            &format!("/v1/frontline/staff/{first}/active"),
            "operator",
            json!({"active": false}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = staff(&t, &store, "Headset 6", "headset", false).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn l1_a_stores_seats_move_only_where_they_fit_and_l2_a_lapsed_subscription_stops_the_devices()
{
    let t = setup().await;
    let s = shop(&t).await;
    let licence = frontline_support::licence_of(&t, "Direct Corp").await;
    // Three members use app seats: the store cannot drop its app subscription (L2).
    let (st, v) = t
        .post(
            &format!("/v1/frontline/stores/{}/seats", s.store_id),
            "operator",
            json!({"headset_subscription_id": null, "app_subscription_id": null}),
        )
        .await;
    refused(
        st,
        &v,
        "seats_in_use",
        Some("L2"),
        Some("app_subscription_id"),
    );
    // The licence cannot go below the seats taken (3 of 5): 2 is refused, 3 is not.
    let (st, v) = t
        .post(
            &format!("/v1/subscriptions/{licence}/quantity"),
            "operator",
            json!({"quantity": 2}),
        )
        .await;
    refused(st, &v, "seats_in_use", Some("L1"), Some("quantity"));
    let (st, v) = t
        .post(
            &format!("/v1/subscriptions/{licence}/quantity"),
            "operator",
            json!({"quantity": 3}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = staff(&t, &s.store_id, "Fourth", "app", false).await;
    refused(st, &v, "seats_exhausted", Some("L1"), Some("device"));
    // The licence ends: the devices' tokens stop with it (a seat lives with its subscription).
    tollgate_store::testing::exec(
        &t.app.store,
        &format!("UPDATE subscriptions SET ends_on = {NOW} WHERE id = '{licence}'"),
    )
    .await
    .unwrap();
    let (st, v) = as_staff(&t, "GET", "/v1/frontline/me", &s.tom.token, None).await;
    refused(st, &v, "seat_lapsed", Some("L2"), None);
}

#[tokio::test]
async fn q_an_accept_after_the_miss_time_is_refused_and_a_repeated_request_joins_the_open_one() {
    let t = setup().await;
    let s = shop(&t).await;
    let (_, v) = as_staff(
        &t,
        "POST",
        "/v1/frontline/me/requests",
        &s.tom.token,
        Some(json!({})),
    )
    .await;
    let first = text(&v["notification_id"]);
    // Tom presses again before anyone answered: the same request, not a second one.
    let (st, v) = as_staff(
        &t,
        "POST",
        "/v1/frontline/me/requests",
        &s.tom.token,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (st, v["outcome"].as_str(), v["notification_id"].as_str()),
        (StatusCode::OK, Some("joined"), Some(first.as_str()))
    );
    // 300 s: missed, even before the engine's tick wrote it.
    t.app.clock.advance(300);
    let (st, v) = as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{first}/accept"),
        &s.aisha.token,
        None,
    )
    .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("notification_closed")),
        "{v}"
    );
}
