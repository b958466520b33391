//! HTTP API: access (A1-A3): tokens, sessions, logins, TOTP, passwords.

mod common;

use axum::http::StatusCode;
use serde_json::json;

use common::*;

#[tokio::test]
async fn tokens_revoked_and_expired_are_refused_and_a2_revokes_everything() {
    let t = setup().await;
    let (s, v) = t
        .post(
            "/v1/tokens",
            "customer_a",
            json!({"name": "ci", "expires_in_days": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let tok = v["token"].as_str().unwrap().to_string();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.call("GET", "/v1/me", Some(&tok), "", vec![]).await.0,
        StatusCode::OK
    );
    // Listed without the secret.
    let (_, list) = t.get("/v1/tokens", "customer_a").await;
    assert!(!list.to_string().contains(&tok));
    t.app.clock.advance(2 * 86_400);
    let (s, v, _) = t.call("GET", "/v1/me", Some(&tok), "", vec![]).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_expired"))
    );
    let (s, _, _) = t
        .call(
            "DELETE",
            &format!("/v1/tokens/{id}"),
            Some(t.token("customer_a")),
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = t.call("GET", "/v1/me", Some(&tok), "", vec![]).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    // A2: customer_a reports credentials lost: its demo token and any session die at once.
    let (_, me) = t.get("/v1/me", "customer_a").await;
    let uid = me["user_id"].as_str().unwrap().to_string();
    let (s, v, _) = t.call("POST", "/auth/login", None, "application/json", json!({"email": "admin@acme-dental.test", "password": tollgate_app::demo::DEMO_PASSWORD}).to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let session = v["token"].as_str().unwrap().to_string();
    let (s, v) = t
        .post(
            &format!("/v1/users/{uid}/credentials-lost"),
            "partner_gold",
            json!({}),
        )
        .await;
    assert_eq!((s, v["rule"].as_str()), (StatusCode::OK, Some("A2")), "{v}");
    assert!(v["revoked"].as_u64().unwrap() >= 2);
    for tok in [t.token("customer_a").to_string(), session] {
        let (s, v, _) = t.call("GET", "/v1/me", Some(&tok), "", vec![]).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("token_revoked"))
        );
    }
    // (The demo also sent C2 renewal notices and S1 maintenance notices to this address.)
    let mail: Vec<_> =
        tollgate_store::outbox::system::pending_for(&t.app.store, "admin@acme-dental.test")
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.rule != "C2" && m.rule != "S1")
            .collect();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].rule, "A2");
    // Another partner's admin cannot do it to a user outside its scope.
    let (s, _) = t
        .post(
            &format!("/v1/users/{uid}/credentials-lost"),
            "partner_bronze",
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a3_failed_logins_are_rate_limited_and_totp_is_enforced_and_never_replayed() {
    let t = setup().await;
    let body = |pw: &str| {
        json!({"email": "admin@northwind.test", "password": pw})
            .to_string()
            .into_bytes()
    };
    for _ in 0..tollgate_app::access::MAX_FAILED_LOGINS_PER_ACCOUNT {
        let (s, v, _) = t
            .call(
                "POST",
                "/auth/login",
                None,
                "application/json",
                body("wrong password!"),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("login_failed"))
        );
    }
    let (s, v, _) = t
        .call(
            "POST",
            "/auth/login",
            None,
            "application/json",
            body(tollgate_app::demo::DEMO_PASSWORD),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::TOO_MANY_REQUESTS,
            Some("too_many_login_attempts")
        )
    );
    t.app
        .clock
        .advance(tollgate_app::access::LOGIN_WINDOW_S + 1);
    let (s, _, _) = t
        .call(
            "POST",
            "/auth/login",
            None,
            "application/json",
            body(tollgate_app::demo::DEMO_PASSWORD),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // TOTP: enrol, confirm, then the password alone is not enough.
    let (s, v) = t.post("/v1/me/totp", "partner_gold", json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let secret = v["secret"].as_str().unwrap().to_string();
    let raw = tollgate_app::secrets::base32_decode(&secret).unwrap();
    let code = format!(
        "{:06}",
        tollgate_app::secrets::totp_code(&raw, t.app.now() / 30)
    );
    let (s, _) = t
        .post("/v1/me/totp/confirm", "partner_gold", json!({"code": code}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = t
        .call(
            "POST",
            "/auth/login",
            None,
            "application/json",
            body(tollgate_app::demo::DEMO_PASSWORD),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp_required"))
    );
    // A3: the code that confirmed enrolment was used; within its window it is a replay.
    let with = |code: &str| {
        json!({"email": "admin@northwind.test", "password": tollgate_app::demo::DEMO_PASSWORD, "totp": code}).to_string().into_bytes()
    };
    let (s, v, _) = t
        .call("POST", "/auth/login", None, "application/json", with(&code))
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp_invalid"))
    );
    // The next step's code logs in once, and only once.
    t.app.clock.advance(tollgate_app::secrets::TOTP_STEP_S);
    let next = format!(
        "{:06}",
        tollgate_app::secrets::totp_code(&raw, t.app.now() / 30)
    );
    assert_eq!(
        t.call("POST", "/auth/login", None, "application/json", with(&next))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        t.call("POST", "/auth/login", None, "application/json", with(&next))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a3_users_set_their_password_knowing_the_current_one() {
    let t = setup().await;
    let (s, v) = t
        .post(
            "/v1/me/password",
            "customer_b",
            json!({"password": "a much better passphrase"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("current_password_wrong")
        )
    );
    let (s, v) = t
        .post(
            "/v1/me/password",
            "customer_b",
            json!({"current_password": tollgate_app::demo::DEMO_PASSWORD, "password": "short"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password_weak"))
    );
    let (s, _) = t.post("/v1/me/password", "customer_b", json!({"current_password": tollgate_app::demo::DEMO_PASSWORD, "password": "a much better passphrase"})).await;
    assert_eq!(s, StatusCode::OK);
    let login =
        json!({"email": "admin@bayview-bakery.test", "password": "a much better passphrase"})
            .to_string()
            .into_bytes();
    assert_eq!(
        t.call("POST", "/auth/login", None, "application/json", login)
            .await
            .0,
        StatusCode::CREATED
    );
}
