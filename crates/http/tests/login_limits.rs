//! Logins from an outside probe's point of view (issue 11, #4 and #5): no timing oracle of
//! which e-mails exist; a few bad logins from one address do not lock everyone behind it
//! out; the client address comes from forwarding headers only through a trusted proxy.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tollgate_app::{App, Clock};
use tollgate_http::{router, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

const NOW: i64 = 1_795_000_000;

async fn app() -> App {
    let store = tollgate_store::testing::any().await;
    let mut app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.trusted_proxies =
        Arc::new(tollgate_app::access::parse_trusted_proxies("127.0.0.1,10.0.0.0/8").unwrap());
    let dir = std::env::temp_dir().join(format!("tg-ll-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    app
}

async fn login(
    app: &App,
    peer: &str,
    xff: Option<&str>,
    email: &str,
    password: &str,
) -> StatusCode {
    let body = json!({"email": email, "password": password}).to_string();
    let mut req = Request::builder()
        .method("POST")
        .uri("/auth/login")
        .header("content-type", "application/json");
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    router(app.clone(), DEFAULT_MAX_BODY_BYTES)
        .oneshot(req)
        .await
        .unwrap()
        .status()
}

const GOOD: &str = tollgate_app::demo::DEMO_PASSWORD;

#[tokio::test]
async fn i11_5_a_few_bad_logins_from_an_address_do_not_lock_out_its_other_users() {
    let app = app().await;
    // An office behind one address: 25 mistyped logins across other people's e-mails.
    for n in 0..25 {
        let s = login(
            &app,
            "198.51.100.1",
            None,
            &format!("nobody{n}@acme-dental.test"),
            "wrong password!",
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // A colleague from the same address signs in.
    assert_eq!(
        login(&app, "198.51.100.1", None, "admin@acme-dental.test", GOOD).await,
        StatusCode::CREATED
    );
    // The per-account limit still holds: 5 failures for one account lock it from there.
    for _ in 0..5 {
        login(
            &app,
            "198.51.100.1",
            None,
            "admin@northwind.test",
            "wrong password!",
        )
        .await;
    }
    assert_eq!(
        login(&app, "198.51.100.1", None, "admin@northwind.test", GOOD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn i11_5_forwarding_headers_count_only_through_a_trusted_proxy() {
    let app = app().await;
    // Behind the trusted proxy, the client 203.0.113.5 locks the account for itself only.
    for _ in 0..5 {
        login(
            &app,
            "127.0.0.1",
            Some("203.0.113.5"),
            "admin@northwind.test",
            "wrong password!",
        )
        .await;
    }
    assert_eq!(
        login(
            &app,
            "127.0.0.1",
            Some("203.0.113.5"),
            "admin@northwind.test",
            GOOD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login(
            &app,
            "127.0.0.1",
            Some("192.0.2.8, 10.1.2.3"),
            "admin@northwind.test",
            GOOD
        )
        .await,
        StatusCode::CREATED,
        "another client behind the same proxy (and an inner trusted hop) is not locked out"
    );
    // An untrusted peer cannot choose its address with the header: it is limited as itself.
    for n in 0..5 {
        login(
            &app,
            "198.51.100.9",
            Some(&format!("203.0.113.{n}")),
            "admin@acme-dental.test",
            "wrong password!",
        )
        .await;
    }
    assert_eq!(
        login(
            &app,
            "198.51.100.9",
            Some("203.0.113.99"),
            "admin@acme-dental.test",
            GOOD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn i11_4_an_unknown_email_costs_the_same_hash_as_a_wrong_password() {
    let app = app().await;
    // The same-run baseline: a wrong password for a real account runs argon2id (tens of ms);
    // an unknown e-mail must run it too, not answer in a millisecond. Fastest of 3 each.
    let mut known = u128::MAX;
    let mut unknown = u128::MAX;
    for n in 0..3 {
        let t = std::time::Instant::now();
        login(
            &app,
            "192.0.2.50",
            None,
            "admin@acme-dental.test",
            "wrong password!",
        )
        .await;
        known = known.min(t.elapsed().as_micros());
        let t = std::time::Instant::now();
        login(
            &app,
            "192.0.2.51",
            None,
            &format!("ghost{n}@nowhere.test"),
            "wrong password!",
        )
        .await;
        unknown = unknown.min(t.elapsed().as_micros());
    }
    assert!(
        unknown * 3 >= known,
        "unknown e-mail {unknown} us vs wrong password {known} us"
    );
}
