//! Probes of real sockets on 127.0.0.1 (issue 17): a SIP server written in the test answers
//! OPTIONS over UDP and TCP; stopped, the probe's consecutive failures open an incident; back,
//! the probe's success closes it. Also an HTTP probe with a body match against a local server.

mod common;

use axum::http::StatusCode;
use common::{setup, T};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

/// The answer to an OPTIONS request: 200 OK with its Via, From, To, Call-ID and CSeq.
fn answer(req: &str) -> String {
    let mut out = String::from("SIP/2.0 200 OK\r\n");
    for l in req.lines() {
        let k = l.split(':').next().unwrap_or("").to_ascii_lowercase();
        if ["via", "from", "to", "call-id", "cseq"].contains(&k.as_str()) {
            out.push_str(l);
            out.push_str("\r\n");
        }
    }
    out.push_str("Allow: INVITE, ACK, OPTIONS, BYE\r\nContent-Length: 0\r\n\r\n");
    out
}

/// A SIP server on `port` (0: any) answering OPTIONS over UDP; returns its task and port.
async fn sip_udp(port: u16) -> (JoinHandle<()>, u16) {
    let sock = UdpSocket::bind(("127.0.0.1", port)).await.unwrap();
    let port = sock.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            if req.starts_with("OPTIONS ") {
                let _ = sock.send_to(answer(&req).as_bytes(), from).await;
            }
        }
    });
    (task, port)
}

async fn sip_tcp(port: u16) -> (JoinHandle<()>, u16) {
    let l = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let port = l.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        let req = String::from_utf8_lossy(&got).to_string();
                        let _ = s.write_all(answer(&req).as_bytes()).await;
                        got.clear();
                    }
                }
            });
        }
    });
    (task, port)
}

async fn component(t: &T) -> String {
    let (_, v) = t.get("/v1/assurance/services", "operator").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["components"].as_array().cloned().unwrap())
        .find(|c| c["name"] == "Edge EU")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// One round: the clock moves past the interval, the due probes run; the probe as it is then.
async fn round(t: &T, id: &str) -> Value {
    t.app.clock.set(t.app.now() + 10);
    let (s, v) = t
        .post("/v1/assurance/probes/run", "operator", json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = t.get("/v1/assurance/probes", "operator").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap()
}

async fn sip_probe_opens_and_closes(kind: &str) {
    let t = setup().await;
    let (server, port) = if kind == "sip_udp" {
        sip_udp(0).await
    } else {
        sip_tcp(0).await
    };
    let c = component(&t).await;
    let (s, p) = t
        .post(
            "/v1/assurance/probes",
            "operator",
            json!({"component_id": c, "name": "Edge OPTIONS", "kind": kind, "target": format!("127.0.0.1:{port}"),
                   "interval_s": 10, "timeout_ms": 1000, "fail_threshold": 2, "recover_threshold": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let p = round(&t, &id).await;
    assert_eq!(
        (p["last_ok"].as_bool(), p["last_detail"].as_str()),
        (Some(true), Some("SIP 200 OK")),
        "{p}"
    );
    // The server stops: one failure is not an incident, two in a row are.
    server.abort();
    let _ = server.await;
    let first_failure = t.app.now() + 10;
    let p = round(&t, &id).await;
    assert_eq!(
        (p["last_ok"].as_bool(), p["open_incident_id"].as_str()),
        (Some(false), None),
        "{p}"
    );
    let p = round(&t, &id).await;
    let incident = p["open_incident_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{p}"))
        .to_string();
    let (_, i) = t
        .get(&format!("/v1/assurance/incidents/{incident}"), "operator")
        .await;
    assert_eq!(
        (
            i["state"].as_str(),
            i["cause"].as_str(),
            i["component_ids"][0].as_str(),
            i["started_at"].as_str()
        ),
        (
            Some("open"),
            Some("provider"),
            Some(c.as_str()),
            Some(common_ts(first_failure).as_str())
        ),
        "{i}"
    );
    // Resolved by hand while still failing: the probe lets go of it, and two more failures
    // open a new incident (the outage is not lost).
    let (s, v) = t
        .post(
            &format!("/v1/assurance/incidents/{incident}/updates"),
            "operator",
            json!({"status": "resolved", "message": "Looks fine from here."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    round(&t, &id).await;
    let p = round(&t, &id).await;
    let second = p["open_incident_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{p}"))
        .to_string();
    assert_ne!(second, incident);
    let incident = second;
    // The server returns on the same port: the next success closes the incident at that time.
    let (server, _) = if kind == "sip_udp" {
        sip_udp(port).await
    } else {
        sip_tcp(port).await
    };
    let p = round(&t, &id).await;
    assert_eq!(
        (p["last_ok"].as_bool(), p["open_incident_id"].as_str()),
        (Some(true), None),
        "{p}"
    );
    let (_, i) = t
        .get(&format!("/v1/assurance/incidents/{incident}"), "operator")
        .await;
    assert_eq!(
        (i["state"].as_str(), i["resolved_at"].as_str()),
        (Some("resolved"), Some(common_ts(t.app.now()).as_str())),
        "{i}"
    );
    server.abort();
}

fn common_ts(t: i64) -> String {
    jiff::Timestamp::from_second(t).unwrap().to_string()
}

#[tokio::test]
async fn s2_a_sip_options_probe_over_udp_opens_an_incident_when_the_server_stops_and_closes_it_when_it_returns(
) {
    sip_probe_opens_and_closes("sip_udp").await;
}

#[tokio::test]
async fn s2_a_sip_options_probe_over_tcp_opens_an_incident_when_the_server_stops_and_closes_it_when_it_returns(
) {
    sip_probe_opens_and_closes("sip_tcp").await;
}

#[tokio::test]
async fn s2_an_http_probe_checks_the_status_and_the_body() {
    let t = setup().await;
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = s.read(&mut buf).await;
            let body = "{\"status\":\"degraded\"}";
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    let c = component(&t).await;
    let mut ids = Vec::new();
    for want in ["\"status\":\"degraded\"", "\"status\":\"ok\""] {
        let (s, p) = t
            .post(
                "/v1/assurance/probes",
                "operator",
                json!({"component_id": c, "name": format!("health {want}"), "kind": "http",
                       "target": format!("http://127.0.0.1:{port}/health"), "expect_status": 200,
                       "expect_body": want, "interval_s": 10, "timeout_ms": 1000}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        ids.push(p["id"].as_str().unwrap().to_string());
    }
    round(&t, &ids[0]).await;
    let (_, v) = t.get("/v1/assurance/probes", "operator").await;
    let by = |id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by(&ids[0])["last_ok"].as_bool(), Some(true), "{v}");
    assert_eq!(by(&ids[1])["last_ok"].as_bool(), Some(false), "{v}");
    let (_, r) = t
        .get(
            &format!("/v1/assurance/probes/{}/results", ids[1]),
            "operator",
        )
        .await;
    assert!(
        r["items"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("does not contain"),
        "{r}"
    );
    server.abort();
}
