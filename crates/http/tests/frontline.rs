//! Frontline live behaviour (issue 19, RULEBOOK Q **Decision**): an alert repeats at its
//! frequency until one associate accepts it and the others are told who; it escalates to the
//! store manager after the configured time; one nobody accepts is counted missed; a restart
//! re-announces what is open; a manager hears escalations until deactivated; the live stream
//! over a real HTTP connection. The clock is pinned (NOW = 2026-11-18T11:06:40Z); the engine's
//! ticks are driven by the test. The demo's own open alert (Harbor Logistics' Paint aisle,
//! raised at NOW with the same timing) ticks alongside, so what a test counts is what its
//! listeners hear.

mod common;
mod frontline_support;

use std::time::Duration;

use axum::http::StatusCode;
use common::json::{conflict, text};
use common::{setup, NOW};
use frontline_support::{as_staff, drain, kinds, row, scan, shop, staff};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn q_an_alert_repeats_at_its_frequency_until_one_associate_accepts_and_the_others_are_told_who(
) {
    let t = setup().await;
    let s = shop(&t).await;
    let mut tom = t.app.frontline_listen(&row(&t, &s.tom).await).unwrap();
    let mut aisha = t.app.frontline_listen(&row(&t, &s.aisha).await).unwrap();
    drain(&mut tom);
    drain(&mut aisha);

    let id = scan(&t, &s.till).await;
    // Announced at once to everyone in the broadcast (repeat 0), with the words to speak.
    let heard = drain(&mut tom);
    assert_eq!(kinds(&heard), ["announce"]);
    assert_eq!(heard[0].1["notification_id"], id.as_str());
    assert_eq!(heard[0].1["repeat"], 0);
    assert_eq!(
        heard[0].1["speech"],
        "Till Point 4: A customer needs help at Till Point 4"
    );
    assert_eq!(kinds(&drain(&mut aisha)), ["announce"]);

    // Repeat every 20 s: nothing at 19 s, the first repeat at 20 s, the second at 40 s.
    t.app.clock.advance(19);
    t.app.frontline_tick().await.unwrap();
    assert!(drain(&mut tom).is_empty());
    t.app.clock.advance(1);
    t.app.frontline_tick().await.unwrap();
    let heard = drain(&mut tom);
    assert_eq!(
        (kinds(&heard), heard[0].1["repeat"].as_i64()),
        (vec!["announce"], Some(1))
    );
    t.app.clock.advance(20);
    t.app.frontline_tick().await.unwrap();
    assert_eq!(drain(&mut tom)[0].1["repeat"], 2);
    drain(&mut aisha);

    // Aisha double-presses at 45 s: she takes it; Tom is told who.
    t.app.clock.advance(5);
    let (st, v) = as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{id}/accept"),
        &s.aisha.token,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["response_ms"].as_i64()),
        (Some("accepted"), Some(45_000))
    );
    let told = drain(&mut tom);
    assert_eq!(kinds(&told), ["accepted"]);
    assert_eq!(told[0].1["by"]["name"], "Aisha Khan");
    // Tom's own press comes second: refused, naming who took it.
    let (st, v) = as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{id}/accept"),
        &s.tom.token,
        None,
    )
    .await;
    conflict(st, &v, "already_accepted");
    assert!(text(&v["error"]["message"]).contains("Aisha Khan"), "{v}");

    // Accepted: no more repeats, no escalation, no miss.
    t.app.clock.advance(600);
    t.app.frontline_tick().await.unwrap();
    assert!(drain(&mut tom).is_empty());
    let (_, v) = t
        .get(&format!("/v1/frontline/notifications/{id}"), "operator")
        .await;
    assert_eq!(
        (v["escalated_at"].is_null(), v["missed_at"].is_null()),
        (true, true),
        "{v}"
    );
}

#[tokio::test]
async fn q_an_unaccepted_alert_escalates_to_the_store_manager_after_the_configured_time() {
    let t = setup().await;
    let s = shop(&t).await;
    let mut manager = t.app.frontline_listen(&row(&t, &s.manager).await).unwrap();
    let mut tom = t.app.frontline_listen(&row(&t, &s.tom).await).unwrap();
    drain(&mut manager);
    drain(&mut tom);
    let id = scan(&t, &s.till).await;
    // The manager is not in the broadcast: the announcement is not theirs to hear.
    assert!(drain(&mut manager).is_empty());

    // 59 s: announced at 0, 20, 40; not escalated yet.
    t.app.clock.advance(59);
    t.app.frontline_tick().await.unwrap();
    assert!(drain(&mut manager).is_empty());
    // 60 s: escalated to the manager, once; the broadcast hears it too, with the manager.
    t.app.clock.advance(1);
    t.app.frontline_tick().await.unwrap();
    let m = drain(&mut manager);
    assert_eq!(kinds(&m), ["escalated"]);
    assert_eq!(
        (m[0].1["manager"]["name"].as_str(), m[0].1["rule"].as_str()),
        (Some("Maya Manager"), Some("Q"))
    );
    assert_eq!(
        kinds(&drain(&mut tom))
            .iter()
            .filter(|k| **k == "escalated")
            .count(),
        1
    );
    t.app.clock.advance(120);
    t.app.frontline_tick().await.unwrap();
    assert!(drain(&mut manager).is_empty());

    // Recorded at raise + 60 s exactly (2026-11-18T11:07:40Z).
    let (st, v) = t
        .get(&format!("/v1/frontline/notifications/{id}"), "operator")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["escalated_at"].as_str()),
        (Some("open"), Some("2026-11-18T11:07:40Z"))
    );
}

#[tokio::test]
async fn q_an_alert_nobody_accepts_is_missed_at_its_time_and_counted() {
    let t = setup().await;
    let s = shop(&t).await;
    let mut tom = t.app.frontline_listen(&row(&t, &s.tom).await).unwrap();
    let id = scan(&t, &s.till).await;
    drain(&mut tom);
    // Announced at 0, 20, …, 280 s (15 times); at 300 s it is missed, not announced.
    t.app.clock.advance(299);
    t.app.frontline_tick().await.unwrap();
    let before = drain(&mut tom);
    assert_eq!(
        before.iter().filter(|(k, _)| k == "announce").count(),
        14,
        "{before:?}"
    );
    t.app.clock.advance(1);
    t.app.frontline_tick().await.unwrap();
    assert_eq!(kinds(&drain(&mut tom)), ["missed"]);

    let (st, v) = as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{id}/accept"),
        &s.tom.token,
        None,
    )
    .await;
    conflict(st, &v, "notification_closed");
    let (_, v) = t
        .get(
            &format!("/v1/frontline/stats?store_id={}", s.store_id),
            "operator",
        )
        .await;
    let st = &v["stores"][0];
    assert_eq!(
        (
            st["raised"].as_i64(),
            st["missed"].as_i64(),
            st["accepted"].as_i64()
        ),
        (Some(1), Some(1), Some(0)),
        "{v}"
    );
    // A scan after the miss raises a new alert (the point's open one is gone).
    assert_ne!(scan(&t, &s.till).await, id);
}

#[tokio::test]
async fn q_a_restart_re_announces_unaccepted_notifications_and_keeps_their_rhythm() {
    let t = setup().await;
    let s = shop(&t).await;
    let open = scan(&t, &s.till).await;
    let (st, v) = as_staff(
        &t,
        "POST",
        "/v1/frontline/me/requests",
        &s.tom.token,
        Some(serde_json::json!({"text": "Need a hand at the paint mixer"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let taken = text(&v["notification_id"]);
    as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{taken}/accept"),
        &s.aisha.token,
        None,
    )
    .await;

    // The process stops; another starts 45 s later on the same database.
    let again = tollgate_app::App::new(
        t.app.store.clone(),
        tollgate_app::Clock::fixed(common::NOW + 45),
    )
    .unwrap();
    // Ours and the demo's open alert are read back; the accepted one is not.
    assert_eq!(again.start_frontline().await.unwrap(), 2);
    let mut aisha = again.frontline_listen(&row(&t, &s.aisha).await).unwrap();
    // A member connecting hears the open queue first.
    let snap = drain(&mut aisha);
    assert_eq!(
        (kinds(&snap), snap[0].1["notification_id"].as_str()),
        (vec!["announce"], Some(open.as_str()))
    );
    assert_eq!(snap[0].1["snapshot"], true);
    // The first tick announces it again (announcements were due at 0, 20, 40 s: this is the
    // third, repeat 2); the accepted one is not.
    again.frontline_tick().await.unwrap();
    let heard = drain(&mut aisha);
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(
        (
            heard[0].1["notification_id"].as_str(),
            heard[0].1["reannounced"].as_bool(),
            heard[0].1["repeat"].as_i64()
        ),
        (Some(open.as_str()), Some(true), Some(2))
    );
    // The rhythm goes on: the next repeat at 60 s (with the escalation), none before.
    again.clock.advance(14);
    again.frontline_tick().await.unwrap();
    assert!(drain(&mut aisha).is_empty());
    again.clock.advance(1);
    again.frontline_tick().await.unwrap();
    let heard = drain(&mut aisha);
    // The repeat goes out at once; the escalation once it is written.
    assert_eq!(kinds(&heard), ["announce", "escalated"], "{heard:?}");
    assert_eq!(heard[0].1["repeat"], 3);
}

#[tokio::test]
async fn q_a_restart_after_the_miss_time_counts_the_alert_missed_without_announcing_it() {
    let t = setup().await;
    let s = shop(&t).await;
    let id = scan(&t, &s.till).await;
    let again = tollgate_app::App::new(
        t.app.store.clone(),
        tollgate_app::Clock::fixed(common::NOW + 3_600),
    )
    .unwrap();
    assert_eq!(again.start_frontline().await.unwrap(), 2);
    let r = again.frontline_tick().await.unwrap();
    // Each (ours and the demo's) escalated at 60 s and missed at 300 s, at their own times,
    // never announced again.
    assert_eq!((r.announced, r.escalated, r.missed), (0, 2, 2));
    let (_, v) = t
        .get(&format!("/v1/frontline/notifications/{id}"), "operator")
        .await;
    assert_eq!(
        (v["escalated_at"].as_str(), v["missed_at"].as_str()),
        (Some("2026-11-18T11:07:40Z"), Some("2026-11-18T11:11:40Z")),
        "{v}"
    );
}

#[tokio::test]
async fn q_the_live_stream_announces_over_http_and_tells_who_took_it() {
    let t = setup().await;
    let s = shop(&t).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = tollgate_http::router(t.app.clone(), tollgate_http::DEFAULT_MAX_BODY_BYTES);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET /v1/frontline/me/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream\r\n\r\n",
        s.tom.token
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    // The headers arrive first: then the alert is raised and must come down the stream.
    while !seen.contains("text/event-stream") {
        let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let id = scan(&t, &s.till).await;
    as_staff(
        &t,
        "POST",
        &format!("/v1/frontline/notifications/{id}/accept"),
        &s.aisha.token,
        None,
    )
    .await;
    while !seen.contains("event: accepted") {
        let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("event: announce"), "{seen}");
    assert!(seen.contains(&id), "{seen}");
    assert!(seen.contains("Aisha Khan"), "{seen}");
    // Without a staff token the stream is refused.
    let (st, _, _) = t
        .call(
            "GET",
            "/v1/frontline/me/live",
            Some(t.token("operator")),
            "",
            vec![],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    server.abort();
}

#[tokio::test]
async fn q_a_manager_named_through_the_api_hears_escalations_even_when_connecting_late_until_deactivated(
) {
    let t = setup().await;
    let s = shop(&t).await;
    let (st, v) = staff(&t, &s.store_id, "Nora Lead", "app", false).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let nora = text(&v["token"]);
    let (st, v) = t
        .post(
            &format!("/v1/frontline/stores/{}/manager", s.store_id),
            "operator",
            json!({"staff_id": v["id"]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // The alert escalates at 60 s while Nora is not connected.
    let id = scan(&t, &s.till).await;
    t.app.clock.advance(60);
    t.app.frontline_tick().await.unwrap();
    // Connecting afterwards she is told of it; the former manager hears nothing any more.
    let me = t.app.staff_by_token(&nora).await.unwrap();
    let mut l = t.app.frontline_listen(&me).unwrap();
    let told = drain(&mut l);
    assert_eq!(kinds(&told), ["escalated"], "{told:?}");
    assert_eq!(
        (
            told[0].1["notification_id"].as_str(),
            told[0].1["at_ms"].as_i64()
        ),
        (Some(id.as_str()), Some((NOW + 60) * 1_000))
    );
    let maya = t.app.staff_by_token(&s.manager.token).await.unwrap();
    assert_eq!(maya.manager, 0);
    let (st, v) = as_staff(&t, "GET", "/v1/frontline/me/live", &s.manager.token, None).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_in_broadcast")),
        "{v}"
    );
    // A later escalation reaches her live.
    t.app.clock.advance(1);
    let (_, v) = as_staff(
        &t,
        "POST",
        "/v1/frontline/me/requests",
        &s.tom.token,
        Some(json!({"text": "Spill in aisle 3"})),
    )
    .await;
    let second = text(&v["notification_id"]);
    t.app.clock.advance(60);
    t.app.frontline_tick().await.unwrap();
    let heard = drain(&mut l);
    assert!(
        heard
            .iter()
            .any(|(k, e)| k == "escalated" && e["notification_id"] == second.as_str()),
        "{heard:?}"
    );
    // Nora is deactivated: her stream, in no broadcast, ends with a last event.
    // (The listener is already waiting when the change lands, as the served stream is.)
    let path = format!("/v1/frontline/staff/{}/active", me.id);
    let (last, (st, _)) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(5), l.next()),
        t.post(&path, "operator", json!({"active": false}))
    );
    assert_eq!(st, StatusCode::OK);
    assert_eq!(last.ok().flatten().map(|e| e.kind), Some("deactivated"));
    assert!(l.next().await.is_none(), "the stream is over");
    // A stream opened with the row read before the deactivation is refused, not left open.
    let refused = t.app.frontline_listen_live(&me).await;
    assert!(matches!(
        refused,
        Err(tollgate_app::AppError::Unauthenticated {
            code: "staff_token_invalid",
            ..
        })
    ));
}
