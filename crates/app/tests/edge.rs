//! The guard's side of the SIP edge protocol (issue 14), against a test edge speaking
//! Kamailio's evapi framing on 127.0.0.1 (the whole path through a real Kamailio and SIPp is
//! `tests/e2e/sip`, run by `.ci/run`).

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tollgate_app::edge::netstring;
use tollgate_app::guard::Guard;
use tollgate_app::{Actor, App, Caller};

mod support;
use support::{app_with, NOW};

/// How long a test waits for one message before it fails.
const WAIT: Duration = Duration::from_secs(5);

struct Edge {
    sock: TcpStream,
    buf: Vec<u8>,
}

impl Edge {
    /// Listens where the app connects, starts the app's edge loop, accepts it.
    async fn accept(app: &App) -> Edge {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let a = app.clone();
        tokio::spawn(async move { a.run_edge(addr).await });
        let (sock, _) = tokio::time::timeout(WAIT, listener.accept())
            .await
            .unwrap()
            .unwrap();
        Edge {
            sock,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, v: Value) {
        let mut out = Vec::new();
        netstring::encode(v.to_string().as_bytes(), &mut out);
        self.sock.write_all(&out).await.unwrap();
    }

    /// The next command, or `None` when the app closed the connection.
    async fn recv(&mut self) -> Option<Value> {
        loop {
            if let Some(m) = netstring::decode(&mut self.buf).unwrap() {
                return Some(serde_json::from_slice(&m).unwrap());
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout(WAIT, self.sock.read(&mut chunk))
                .await
                .expect("a message in time")
                .unwrap();
            if n == 0 {
                return None;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// The next command of kind `cmd`, skipping others (bans pushed meanwhile).
    async fn recv_cmd(&mut self, cmd: &str) -> Value {
        loop {
            let v = self.recv().await.expect("connection open");
            if v["cmd"] == cmd {
                return v;
            }
        }
    }
}

async fn edge_token(app: &App) -> String {
    let sys = Caller::system(Actor::cli());
    let u = app
        .create_user(
            &sys,
            tollgate_app::tenancy::NewUser {
                email: "sip-edge@tollgate.invalid".into(),
                name: "SIP edge".into(),
                role: "sip_edge".into(),
                partner_id: None,
                customer_id: None,
                password: None,
            },
        )
        .await
        .unwrap();
    app.create_token(&sys, Some(&u.id), "edge", None)
        .await
        .unwrap()
        .token
}

fn invite(tindex: u64, call_id: &str, to: &str) -> Value {
    json!({"event": "invite", "tindex": tindex, "tlabel": 1000 + tindex, "call_id": call_id,
           "from": "+33170000001", "to": to, "src_ip": "127.0.0.1"})
}

async fn cdrs_of(app: &App, call_id: &str) -> usize {
    tollgate_store::testing::texts(
        &app.store,
        &format!("SELECT id FROM cdrs WHERE call_id = '{call_id}'"),
    )
    .await
    .unwrap()
    .len()
}

#[tokio::test]
async fn a11_an_edge_without_the_sip_edge_credential_is_disconnected_unanswered() {
    let (app, _) = app_with(Guard::default()).await;
    let mut edge = Edge::accept(&app).await;
    edge.send(json!({"event": "hello", "token": "tg_0000"}))
        .await;
    edge.send(invite(1, "no-cred", "+33142685300")).await;
    assert_eq!(edge.recv().await, None, "closed without a decision");
    assert_eq!(
        app.edge
            .refused_hellos
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}

#[tokio::test]
async fn f4_a_decision_names_the_transaction_a_suspension_cuts_the_live_call_and_its_end_is_one_cdr(
) {
    let (app, hq) = app_with(Guard::default()).await;
    let token = edge_token(&app).await;
    let mut edge = Edge::accept(&app).await;
    edge.send(json!({"event": "hello", "token": token})).await;
    edge.send(invite(7, "edge-paris", "+33142685300")).await;
    let d = edge.recv_cmd("decision").await;
    assert_eq!(
        (&d["decision"], &d["tindex"], &d["tlabel"], &d["call_id"]),
        (
            &json!("allow"),
            &json!(7),
            &json!(1007),
            &json!("edge-paris")
        )
    );
    assert!(d["max_duration_s"].as_u64().unwrap() > 0);
    edge.send(json!({"event": "answered", "call_id": "edge-paris"}))
        .await;
    // The guard sees the answer before the suspension (events are handled on their own
    // tasks; the test waits until the call shows answered).
    for _ in 0..100 {
        if app
            .guard
            .counters
            .get("edge-paris")
            .is_some_and(|c| c.answered.is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sys = Caller::system(Actor::cli());
    app.suspend(&sys, &hq, "outbound", "fraud suspected", None, Some("F4"))
        .await
        .unwrap();
    let cut = edge.recv_cmd("cut").await;
    assert_eq!(
        (&cut["call_id"], &cut["rule"]),
        (&json!("edge-paris"), &json!("F4"))
    );
    // T13: while suspended, 112 is still admitted; another call is refused with the rule.
    edge.send(invite(8, "edge-112", "112")).await;
    let e = edge.recv_cmd("decision").await;
    assert_eq!(
        (&e["decision"], &e["code"]),
        (&json!("allow"), &json!("emergency_call"))
    );
    edge.send(invite(9, "edge-refused", "+33142685300")).await;
    let r = edge.recv_cmd("decision").await;
    assert_eq!((&r["decision"], &r["rule"]), (&json!("deny"), &json!("F4")));
    // The cut call ends 65 s after its answer; the edge reports the end twice (a retry).
    app.clock.set(NOW + 65);
    for _ in 0..2 {
        edge.send(json!({"event": "ended", "call_id": "edge-paris", "reason": "cut", "status": 0}))
            .await;
    }
    for _ in 0..200 {
        if cdrs_of(&app, "edge-paris").await == 1 && app.guard.counters.get("edge-paris").is_none()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(cdrs_of(&app, "edge-paris").await, 1, "one CDR for the call");
    assert!(app.calls_to_cut().is_empty(), "nothing left to cut");
}
