//! End-to-end tests of the HTTP API over the real router and a real SQLite store.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tollgate_app::{App, Clock};
use tollgate_core::tenancy::Role;
use tollgate_http::{router, Access, DEFAULT_MAX_BODY_BYTES, ROUTES};
use tower::ServiceExt;

struct T {
    app: App,
    tokens: BTreeMap<String, String>,
}

const NOW: i64 = 1_795_000_000; // 2026-11-17

async fn setup() -> T {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-http-{}", tollgate_app::ids::new_id("t")));
    let tokens = tollgate_app::demo::seed(&app, &dir).await.unwrap();
    T { app, tokens }
}

impl T {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        ct: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value, String) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if !body.is_empty() {
            req = req.header("content-type", ct);
        }
        let res = router(self.app.clone(), DEFAULT_MAX_BODY_BYTES)
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).to_string();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text,
        )
    }

    async fn get(&self, path: &str, who: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call("GET", path, Some(&self.tokens[who]), "", vec![])
            .await;
        (s, v)
    }

    async fn post(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call(
                "POST",
                path,
                Some(&self.tokens[who]),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await;
        (s, v)
    }

    fn token(&self, who: &str) -> &str {
        &self.tokens[who]
    }

    /// Sends a request built by the test (headers as given), keeping the answer's headers.
    async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let res = router(self.app.clone(), DEFAULT_MAX_BODY_BYTES)
            .oneshot(req)
            .await
            .unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn put(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call(
                "PUT",
                path,
                Some(&self.tokens[who]),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await;
        (s, v)
    }
}

/// `(status, code, the named field is present)` of an error answer.
fn refusal(s: StatusCode, v: &Value, field: &str) -> (StatusCode, String, bool) {
    assert_error_shape(v);
    (
        s,
        v["error"]["code"].as_str().unwrap_or_default().to_string(),
        v["error"]["fields"].get(field).is_some(),
    )
}

fn unprocessable(code: &str) -> (StatusCode, String, bool) {
    (StatusCode::UNPROCESSABLE_ENTITY, code.to_string(), true)
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn assert_error_shape(v: &Value) {
    let e = &v["error"];
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    assert!(e["message"].is_string(), "{v}");
    assert!(
        e["request_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("req_")),
        "{v}"
    );
    assert!(
        e.get("rule").is_some() && e.get("clause").is_some() && e["fields"].is_object(),
        "{v}"
    );
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "nonexistent")
        .replace("{name}", "demo-retail")
}

#[tokio::test]
async fn every_v1_route_answers_401_without_a_token() {
    let t = setup().await;
    let mut n = 0;
    for r in ROUTES.iter().filter(|r| r.path.starts_with("/v1/")) {
        assert!(
            matches!(r.access, Access::Perm(_)),
            "{} {} must need a token",
            r.method,
            r.path
        );
        let (s, v, _) = t.call(r.method, &concrete(r.path), None, "", vec![]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{} {}", r.method, r.path);
        assert_error_shape(&v);
        let (s, v, _) = t
            .call(
                r.method,
                &concrete(r.path),
                Some("tg_not_a_real_token"),
                "",
                vec![],
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("token_invalid"))
        );
        n += 1;
    }
    assert!(n >= 20);
}

/// The expected role × route matrix, written out independently of the code's matrix.
/// A new route without a line here fails `role_route_matrix`.
fn expected_matrix() -> BTreeMap<(&'static str, &'static str), &'static [&'static str]> {
    const ALL: &[&str] = &[
        "operator_admin",
        "operator_support",
        "operator_billing",
        "partner_admin",
        "partner_agent",
        "customer_admin",
        "customer_user",
    ];
    const NO_CUSTOMERS: &[&str] = &[
        "operator_admin",
        "operator_support",
        "operator_billing",
        "partner_admin",
        "partner_agent",
    ];
    const ADMIN_ONLY: &[&str] = &["operator_admin"];
    const EDGE: &[&str] = &["operator_admin", "sip_edge"];
    const ADMINS: &[&str] = &["operator_admin", "partner_admin", "customer_admin"];
    const CREATE_CUSTOMERS: &[&str] = &["operator_admin", "partner_admin"];
    const USER_READERS: &[&str] = &[
        "operator_admin",
        "operator_support",
        "partner_admin",
        "customer_admin",
    ];
    const AUDIT: &[&str] = &["operator_admin", "operator_support"];
    const RATE_READ: &[&str] = &[
        "operator_admin",
        "operator_support",
        "operator_billing",
        "partner_admin",
        "partner_agent",
        "customer_admin",
    ];
    const BILLING: &[&str] = &["operator_admin", "operator_billing"];
    const ANNOUNCE: &[&str] = &[
        "operator_admin",
        "operator_support",
        "partner_admin",
        "customer_admin",
    ];
    const NUMBERS_WRITE: &[&str] = &["operator_admin", "partner_admin", "partner_agent"];
    const NUMBERS_CUSTOMER: &[&str] = &[
        "operator_admin",
        "partner_admin",
        "partner_agent",
        "customer_admin",
    ];
    const NUMBERS_ADMIN: &[&str] = &["operator_admin", "operator_support"];
    BTreeMap::from([
        (("GET", "/v1/me"), ALL),
        (("POST", "/v1/me/logout"), ALL),
        (("POST", "/v1/me/totp"), ALL),
        (("POST", "/v1/me/password"), ALL),
        (("POST", "/v1/me/totp/confirm"), ALL),
        (("GET", "/v1/partners"), NO_CUSTOMERS),
        (("POST", "/v1/partners"), ADMIN_ONLY),
        (("GET", "/v1/partners/{id}"), NO_CUSTOMERS),
        (("GET", "/v1/customers"), ALL),
        (("POST", "/v1/customers"), CREATE_CUSTOMERS),
        (("GET", "/v1/customers/{id}"), ALL),
        (("GET", "/v1/billing-accounts"), ALL),
        (("POST", "/v1/billing-accounts"), CREATE_CUSTOMERS),
        (("GET", "/v1/users"), USER_READERS),
        (("POST", "/v1/users"), ADMINS),
        (("POST", "/v1/users/{id}/credentials-lost"), ALL),
        (("GET", "/v1/tokens"), ALL),
        (("POST", "/v1/tokens"), ALL),
        (("DELETE", "/v1/tokens/{id}"), ALL),
        (("GET", "/v1/terms-profiles"), ALL),
        (("GET", "/v1/numbers"), ALL),
        (("POST", "/v1/numbers"), NUMBERS_ADMIN),
        (("POST", "/v1/numbers/sweep"), NUMBERS_ADMIN),
        (("GET", "/v1/numbers/{id}"), ALL),
        (("GET", "/v1/numbers/{id}/history"), ALL),
        (("POST", "/v1/numbers/{id}/reserve"), NUMBERS_WRITE),
        (("POST", "/v1/numbers/{id}/unreserve"), NUMBERS_WRITE),
        (("POST", "/v1/numbers/{id}/verify"), NUMBERS_ADMIN),
        (("POST", "/v1/numbers/{id}/confirm"), NUMBERS_CUSTOMER),
        (("POST", "/v1/numbers/{id}/activate"), NUMBERS_WRITE),
        (("POST", "/v1/numbers/{id}/release"), NUMBERS_WRITE),
        (("POST", "/v1/numbers/{id}/suspend"), NUMBERS_ADMIN),
        (("POST", "/v1/numbers/{id}/resume"), NUMBERS_ADMIN),
        (("POST", "/v1/numbers/{id}/port-out"), NUMBERS_ADMIN),
        (
            ("POST", "/v1/numbers/{id}/port-out/complete"),
            NUMBERS_ADMIN,
        ),
        (("POST", "/v1/numbers/{id}/port-out/cancel"), NUMBERS_ADMIN),
        (("POST", "/v1/numbers/{id}/routing"), NUMBERS_WRITE),
        (("POST", "/v1/numbers/{id}/cnam"), NUMBERS_WRITE),
        (
            ("POST", "/v1/numbers/{id}/emergency-address"),
            NUMBERS_CUSTOMER,
        ),
        (("POST", "/v1/numbers/{id}/documents"), NUMBERS_WRITE),
        (
            ("POST", "/v1/numbers/{id}/document-requests"),
            NUMBERS_ADMIN,
        ),
        (("GET", "/v1/port-ins"), ALL),
        (("POST", "/v1/port-ins"), NUMBERS_WRITE),
        (("GET", "/v1/port-ins/{id}"), ALL),
        (("POST", "/v1/port-ins/{id}/submit"), NUMBERS_WRITE),
        (("POST", "/v1/port-ins/{id}/accept"), NUMBERS_ADMIN),
        (("POST", "/v1/port-ins/{id}/schedule"), NUMBERS_ADMIN),
        (("POST", "/v1/port-ins/{id}/complete"), NUMBERS_ADMIN),
        (("POST", "/v1/port-ins/{id}/reject"), NUMBERS_ADMIN),
        (("POST", "/v1/port-ins/{id}/cancel"), NUMBERS_WRITE),
        (("POST", "/v1/port-ins/{id}/documents"), NUMBERS_WRITE),
        (
            ("POST", "/v1/port-ins/{id}/document-requests"),
            NUMBERS_ADMIN,
        ),
        (("GET", "/v1/emergency-acknowledgements/text"), ALL),
        (("GET", "/v1/emergency-acknowledgements"), ALL),
        (("POST", "/v1/emergency-acknowledgements"), NUMBERS_CUSTOMER),
        (("POST", "/v1/emergency-contacts"), NUMBERS_CUSTOMER),
        (("GET", "/v1/audit-log"), AUDIT),
        (("GET", "/v1/rate-tables"), RATE_READ),
        (("PUT", "/v1/rate-tables/{name}"), BILLING),
        (("GET", "/v1/rate-tables/{name}/quote"), RATE_READ),
        (("POST", "/v1/cdrs"), BILLING),
        (("GET", "/v1/cdrs"), ALL),
        (("GET", "/v1/cdrs/rejects"), BILLING),
        (("GET", "/v1/billing-accounts/{id}/rating"), RATE_READ),
        (("PUT", "/v1/billing-accounts/{id}/rating"), BILLING),
        (("PATCH", "/v1/billing-accounts/{id}/rating"), BILLING),
        (("POST", "/v1/guard/calls"), EDGE),
        (("POST", "/v1/guard/calls/{id}/answer"), EDGE),
        (("POST", "/v1/guard/calls/{id}/end"), EDGE),
        (("POST", "/v1/guard/auth-failures"), EDGE),
        (("GET", "/v1/guard/teardowns"), EDGE),
        (("POST", "/v1/guard/destination-prefixes"), AUDIT),
        (("GET", "/v1/incidents"), ALL),
        (("GET", "/v1/suspensions"), ALL),
        (("POST", "/v1/billing-accounts/{id}/suspensions"), AUDIT),
        (("POST", "/v1/suspensions/{id}/reactivate"), AUDIT),
        (("GET", "/v1/billing-accounts/{id}/guard-policy"), ALL),
        (("PUT", "/v1/billing-accounts/{id}/guard-policy"), AUDIT),
        (("PATCH", "/v1/billing-accounts/{id}/guard-policy"), AUDIT),
        (
            ("POST", "/v1/billing-accounts/{id}/announcements"),
            ANNOUNCE,
        ),
    ])
}

#[tokio::test]
async fn role_route_matrix() {
    let t = setup().await;
    let matrix = expected_matrix();
    let sys = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let page = tollgate_store::Page::first(100);
    let partner = t
        .app
        .list_partners(&sys, &page)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.tier == "gold")
        .unwrap();
    let customer = t
        .app
        .list_customers(&sys, &page)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let mut users = BTreeMap::new();
    for role in Role::ALL {
        let level = role.as_str().split('_').next().unwrap();
        let new = tollgate_app::tenancy::NewUser {
            email: format!("{}@matrix.test", role.as_str()),
            name: role.as_str().into(),
            role: role.as_str().into(),
            partner_id: (level == "partner").then(|| partner.id.clone()),
            customer_id: (level == "customer").then(|| customer.id.clone()),
            password: None,
        };
        users.insert(
            role.as_str(),
            t.app.create_user(&sys, new).await.unwrap().id,
        );
    }
    for r in ROUTES.iter().filter(|r| r.path.starts_with("/v1/")) {
        let allowed = matrix
            .get(&(r.method, r.path))
            .unwrap_or_else(|| panic!("{} {} has no line in expected_matrix()", r.method, r.path));
        for role in Role::ALL {
            // A fresh token per call: some routes (logout) revoke the one they were called with.
            let tok = t
                .app
                .create_token(&sys, Some(&users[role.as_str()]), "matrix", None)
                .await
                .unwrap()
                .token;
            let (s, v, _) = t
                .call(
                    r.method,
                    &concrete(r.path),
                    Some(&tok),
                    "application/json",
                    b"{}".to_vec(),
                )
                .await;
            if allowed.contains(&role.as_str()) {
                assert!(
                    s != StatusCode::FORBIDDEN
                        && s != StatusCode::UNAUTHORIZED
                        && !s.is_server_error(),
                    "{} {} as {}: {s} {v}",
                    r.method,
                    r.path,
                    role.as_str()
                );
            } else {
                assert_eq!(
                    s,
                    StatusCode::FORBIDDEN,
                    "{} {} as {} should be refused",
                    r.method,
                    r.path,
                    role.as_str()
                );
                assert_error_shape(&v);
            }
        }
    }
    assert_eq!(
        matrix.len(),
        ROUTES.iter().filter(|r| r.path.starts_with("/v1/")).count(),
        "matrix has lines for routes that no longer exist"
    );
}

#[tokio::test]
async fn p_tenancy_customers_and_partners_see_only_their_own() {
    let t = setup().await;
    let (s, v) = t.get("/v1/customers", "customer_a").await;
    assert_eq!(
        (s, names(&v)),
        (StatusCode::OK, vec!["Acme Dental".to_string()])
    );
    let (_, v) = t.get("/v1/customers", "customer_b").await;
    assert_eq!(names(&v), vec!["Bayview Bakery".to_string()]);
    let (_, v) = t.get("/v1/customers", "partner_gold").await;
    let gold = names(&v);
    assert!(
        gold.contains(&"Acme Dental".to_string()) && !gold.contains(&"Bayview Bakery".to_string()),
        "{gold:?}"
    );
    // Northwind is the assigned partner of the reseller, so it sees the reseller's customer (P3).
    assert!(gold.contains(&"Harbor Logistics".to_string()));
    let (_, v) = t.get("/v1/customers", "partner_bronze").await;
    assert_eq!(names(&v), vec!["Bayview Bakery".to_string()]);
    let (_, v) = t.get("/v1/customers", "operator").await;
    assert_eq!(names(&v).len(), 4);
    // Fetching another tenant's customer by id looks exactly like a missing one.
    let b_id = t.get("/v1/customers", "customer_b").await.1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = t
        .get(&format!("/v1/customers/{b_id}"), "partner_gold")
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, _) = t
        .get(&format!("/v1/customers/{b_id}"), "partner_bronze")
        .await;
    assert_eq!(s, StatusCode::OK);
    // Billing accounts follow the same scope.
    let (_, v) = t.get("/v1/billing-accounts", "customer_a").await;
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["name"].as_str().unwrap().starts_with("Acme")));
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_written() {
    let t = setup().await;
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    let before = count(&t.get("/v1/customers", "operator").await.1);
    let op = t.token("operator").to_string();
    let cases: Vec<(Vec<u8>, StatusCode, &str, Option<&str>)> = vec![
        (
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "json_invalid",
            Some("body"),
        ),
        (
            br#"{"name":"X","bogus":1}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
            Some("bogus"),
        ),
        (
            br#"{"name":42}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            Some("name"),
        ),
        (
            br#"{}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_field",
            Some("name"),
        ),
        (
            br#"{"name":"X","terms_profile":"nope"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "terms_profile_unknown",
            Some("terms_profile"),
        ),
        (
            format!(r#"{{"name":"{}"}}"#, "x".repeat(DEFAULT_MAX_BODY_BYTES)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            Some("body"),
        ),
    ];
    for (body, status, code, field) in cases {
        let (s, v, _) = t
            .call("POST", "/v1/customers", Some(&op), "application/json", body)
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
        assert_error_shape(&v);
        if let Some(f) = field {
            assert!(
                v["error"]["fields"].get(f).is_some(),
                "field {f} not named: {v}"
            );
        }
    }
    let (s, v) = t.get("/v1/customers?limit=100000", "operator").await;
    assert_eq!(
        (s, v["error"]["fields"].get("limit").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (s, v) = t.get("/v1/customers?colour=red", "operator").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field"))
    );
    assert_eq!(
        count(&t.get("/v1/customers", "operator").await.1),
        before,
        "a refused request wrote something"
    );
}

#[tokio::test]
async fn b1_x_hoppers_accounts_bill_in_gbp_only() {
    let t = setup().await;
    let (_, v) = t.get("/v1/customers", "operator").await;
    let harbor = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Harbor Logistics")
        .unwrap()["id"]
        .clone();
    let (s, v) = t
        .post(
            "/v1/billing-accounts",
            "operator",
            json!({"customer_id": harbor, "name": "EU", "currency": "EUR"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("currency_not_allowed"),
            Some("B1")
        )
    );
}

#[tokio::test]
async fn p3_bronze_partner_without_assigned_partner_is_refused() {
    let t = setup().await;
    let (s, v) = t
        .post(
            "/v1/partners",
            "operator",
            json!({"name": "Lone Bronze", "tier": "bronze"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("assigned_partner_required"),
            Some("P3")
        )
    );
    assert_eq!(v["error"]["clause"].as_str(), Some("W 15.2"));
}

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
    let mail = tollgate_store::outbox::pending_for(&t.app.store, "admin@acme-dental.test")
        .await
        .unwrap();
    assert_eq!(mail.len(), 1);
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
async fn state_changes_are_audited() {
    let t = setup().await;
    let (s, _) = t
        .post(
            "/v1/customers",
            "partner_gold",
            json!({"name": "Audited Ltd"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = t.get("/v1/audit-log?limit=500", "operator").await;
    let hit = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "customer.create" && a["detail"]["name"] == "Audited Ltd")
        .cloned()
        .unwrap();
    assert!(hit["actor"].as_str().unwrap().starts_with("user:"));
    assert!(hit["request_id"].as_str().unwrap().starts_with("req_"));
    assert_eq!(hit["source"], "unknown"); // no peer address through oneshot
}

#[tokio::test]
async fn openapi_lists_every_route_and_docs_render() {
    let t = setup().await;
    let (s, v, _) = t.call("GET", "/openapi.json", None, "", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    for r in ROUTES {
        assert!(
            v["paths"][r.path][r.method.to_lowercase()].is_object(),
            "{} {} missing from OpenAPI",
            r.method,
            r.path
        );
    }
    let (s, _, html) = t.call("GET", "/docs", None, "", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("/v1/customers") && !html.contains("http://") && !html.contains("https://")
    );
    assert_eq!(
        t.call("GET", "/healthz", None, "", vec![]).await.0,
        StatusCode::OK
    );
    assert_eq!(
        t.call("GET", "/readyz", None, "", vec![]).await.0,
        StatusCode::OK
    );
    let (s, v, _) = t.call("GET", "/nope", None, "", vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_error_shape(&v);
    let (_, v) = t.get("/v1/terms-profiles", "customer_b").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn cdr_intake_is_idempotent_keeps_rejects_and_is_scoped() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let b_acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let csv = format!(
        "source,call_id,billing_account,from,to,start,end,duration_s\n\
         sbc,x1,{b_acct},+33170000001,+442079460000,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n\
         sbc,x2,{b_acct},+33170000001,not-a-number,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n\
         sbc,x3,{b_acct},+33170000001,+4930123456,2026-11-16T11:00:00Z,2026-11-16T10:02:00Z,5\n\
         sbc,x4,ba_missing,+33170000001,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,5\n\
         sbc,x5,{b_acct},+33170000001,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,-3\n\
         sbc,x6,{b_acct},+33170000001,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:01:00Z,47\n"
    );
    let op = t.token("operator").to_string();
    let (s, first, _) = t
        .call(
            "POST",
            "/v1/cdrs",
            Some(&op),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(
        (first["inserted"].as_u64(), first["rejected"].as_u64()),
        (Some(2), Some(4))
    );
    let lines: Vec<(u64, &str)> = first["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (3, "number_invalid"),
            (4, "end_before_start"),
            (5, "account_unknown"),
            (6, "duration_negative")
        ]
    );
    // 95 s to UK at 0.0120/min in 60/60 = 120 s = 0.024; 47 s to DE at 0.0140 in 1/1 = 0.010967
    assert_eq!(first["totals"]["EUR"]["amount_exact"], "0.034967");
    let (s, second, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (second["inserted"].as_u64(), second["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    let (_, rej) = t.get("/v1/cdrs/rejects?limit=100", "operator").await;
    assert_eq!(rej["items"].as_array().unwrap().len(), 8); // both sends' rejects are kept
                                                           // T12: customer_b sees its calls in full; customer_a sees none of them and cannot ask.
    let (_, mine) = t
        .get(&format!("/v1/cdrs?billing_account={b_acct}"), "customer_b")
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    assert_eq!(mine["items"][0]["from"], "+33170000001");
    let (s, _) = t
        .get(&format!("/v1/cdrs?billing_account={b_acct}"), "customer_a")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, a_all) = t.get("/v1/cdrs?limit=500", "customer_a").await;
    assert!(a_all["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["billing_account"] != b_acct.as_str()));
    let (s, _, csv_out) = t
        .call(
            "GET",
            &format!("/v1/cdrs?billing_account={b_acct}&format=csv"),
            Some(t.token("customer_b")),
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(csv_out.lines().count(), 3);
}

#[tokio::test]
async fn quote_equals_the_rated_cdr_and_rate_import_keeps_history() {
    let t = setup().await;
    let (s, q) = t.get("/v1/rate-tables/demo-retail/quote?number=%2B447700900123&at=2026-11-16T10:00:00Z&duration_s=37", "partner_gold").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    // 37 s in 30/6 = 42 s at 0.09/min = 0.063 + 0.01 connection fee
    assert_eq!(
        (
            q["billed_duration_s"].as_u64(),
            q["amount_exact"].as_str(),
            q["rule"].as_str()
        ),
        (Some(42), Some("0.073000"), Some("B4"))
    );
    let op = t.token("operator").to_string();
    let bad = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n44,UK,abc,60,60,2026-01-01,EUR\n";
    let (s, v, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/demo-retail",
            Some(&op),
            "text/csv",
            bad.into(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rate_table_invalid"))
    );
    let good = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n447,UK mobile,0.05,60,60,2026-11-01,EUR\n";
    let (s, v, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/demo-retail",
            Some(&op),
            "text/csv",
            good.into(),
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::CREATED, Some(2)));
    let (_, q2) = t.get("/v1/rate-tables/demo-retail/quote?number=%2B447700900123&at=2026-11-16T10:00:00Z&duration_s=37", "partner_gold").await;
    assert_eq!(
        (q2["rate"].as_str(), q2["version"].as_u64()),
        (Some("0.050000"), Some(2))
    );
    // Before the new row's validity the old version still prices the call.
    let (_, q3) = t.get("/v1/rate-tables/demo-retail/quote?number=%2B447700900123&at=2026-10-16T10:00:00Z&duration_s=37", "partner_gold").await;
    assert_eq!(q3["rate"].as_str(), Some("0.090000"));
    let (_, list) = t.get("/v1/rate-tables", "operator").await;
    // demo-retail (two versions now) and the demo's GBP and USD tables.
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "demo-retail").count(),
        2,
        "{names:?}"
    );
}

#[tokio::test]
async fn cdrs_without_an_account_resolve_through_the_calling_number() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_a").await;
    let hq = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Acme Dental HQ")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let number = t
        .app
        .numbers_of_account(&hq)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let csv = format!(
        "source,call_id,from,to,start,end,duration_s\n\
         sbc,n1,+{number},+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:01:00Z,30\n\
         sbc,n2,+33999000111,+4930123456,2026-11-16T10:00:00Z,2026-11-16T10:01:00Z,30\n"
    );
    let op = t.token("operator").to_string();
    let (s, r, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["inserted"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["rejects"][0]["code"], "field_missing"); // an unknown number resolves to nothing
    let (_, mine) = t
        .get(
            &format!("/v1/cdrs?billing_account={hq}&limit=500"),
            "customer_a",
        )
        .await;
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["call_id"] == "n1"));
}

#[tokio::test]
async fn b4_an_account_rate_table_and_bundle_are_set_by_api() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let op = t.token("operator").to_string();
    let put = |body: Value| {
        let (op, acct) = (op.clone(), acct.clone());
        let t = &t;
        async move {
            t.call(
                "PUT",
                &format!("/v1/billing-accounts/{acct}/rating"),
                Some(&op),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await
        }
    };
    let (s, v, _) = put(json!({"rate_table": "nope", "included": null})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rate_table_unknown"))
    );
    let (s, v, _) = put(json!({"rate_table": "demo-retail", "included_zone": "area1"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("included_minutes_required")
        )
    );
    let (s, v, _) =
        put(json!({"rate_table": "demo-retail", "included_zone": "area1", "included_minutes": 1}))
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // 95 s to the UK (area1, 60/60) bills 120 s: 60 s from the bundle, 60 s paid.
    let csv = format!("source,call_id,billing_account,from,to,start,end,duration_s\nsbc,b1,{acct},+33170000001,+442079460000,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n");
    let (_, r, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(r["inserted"], 1, "{r}");
    let (_, mine) = t
        .get(&format!("/v1/cdrs?billing_account={acct}"), "customer_b")
        .await;
    let c = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == "b1")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            c["billed_s"].as_i64(),
            c["bundle_s"].as_i64(),
            c["amount_exact"].as_str()
        ),
        (Some(120), Some(60), Some("0.012000"))
    );
}

#[tokio::test]
async fn b11_partner_shows_its_nonresponsive_flags() {
    let t = setup().await;
    let (_, v) = t.get("/v1/partners", "partner_gold").await;
    let id = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["tier"] == "gold")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, p) = t.get(&format!("/v1/partners/{id}"), "partner_gold").await;
    assert_eq!(
        (s, p["nonresponsive"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert!(p["nonresponsive_flags"].as_array().unwrap().is_empty());
    let (s, _) = t.get(&format!("/v1/partners/{id}"), "partner_bronze").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_tables_are_private_to_the_accounts_priced_with_them() {
    let t = setup().await;
    let op = t.token("operator").to_string();
    let wholesale = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n33,France,0.001,1,1,2026-01-01,EUR\n";
    let (s, _, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/wholesale",
            Some(&op),
            "text/csv",
            wholesale.into(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, all) = t.get("/v1/rate-tables", "operator").await;
    // The demo's three retail tables (EUR, GBP, USD) and this one.
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let (_, mine) = t.get("/v1/rate-tables", "partner_gold").await;
    let names: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    // Acme (EUR) and, through its reseller, Harbor Logistics UK (GBP); never `wholesale`.
    assert_eq!(names, ["demo-retail", "demo-retail-gbp"]);
    let (s, _) = t
        .get(
            "/v1/rate-tables/wholesale/quote?number=%2B33142685300",
            "partner_gold",
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .get(
            "/v1/rate-tables/demo-retail/quote?number=%2B33142685300&duration_s=4294967295",
            "operator",
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("duration_invalid"))
    );
    // A partner cannot choose the table its customer is priced with.
    let (_, c) = t.get("/v1/customers", "customer_a").await;
    let acme = c["items"][0]["id"].clone();
    let (s, _) = t.post("/v1/billing-accounts", "partner_gold", json!({"customer_id": acme, "name": "Cheap", "currency": "EUR", "rate_table": "wholesale"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t
        .post(
            "/v1/billing-accounts",
            "partner_gold",
            json!({"customer_id": acme, "name": "Plain", "currency": "EUR"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
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

// --- issue 11: API hardening from an outside probe --------------------------------------------

#[tokio::test]
async fn i11_10_json_with_trailing_data_is_refused() {
    let t = setup().await;
    let op = t.token("operator").to_string();
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    let before = count(&t.get("/v1/customers", "operator").await.1);
    for body in [
        r#"{"name":"First Ltd"}{"name":"Second Ltd"}"#,
        r#"{"name":"First Ltd"} x"#,
        r#"{"name":"First Ltd"}]"#,
    ] {
        let (s, v, _) = t
            .call(
                "POST",
                "/v1/customers",
                Some(&op),
                "application/json",
                body.into(),
            )
            .await;
        assert_eq!(
            refusal(s, &v, "body"),
            (StatusCode::BAD_REQUEST, "json_invalid".into(), true),
            "{body}: {v}"
        );
    }
    // The optional-body routes take the same parser.
    let (s, v, _) = t
        .call(
            "POST",
            "/v1/numbers/nonexistent/unreserve",
            Some(&op),
            "application/json",
            br#"{"reason":"a"}{"reason":"b"}"#.to_vec(),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "body"),
        (StatusCode::BAD_REQUEST, "json_invalid".into(), true)
    );
    assert_eq!(count(&t.get("/v1/customers", "operator").await.1), before);
    // Whitespace after the value is no data.
    let (s, v, _) = t
        .call(
            "POST",
            "/v1/customers",
            Some(&op),
            "application/json",
            b"{\"name\":\"Trailing Space Ltd\"} \n".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn i11_10_media_types_other_than_application_json_are_refused_with_415() {
    let t = setup().await;
    let op = t.token("operator").to_string();
    let post = |ct: Option<&str>, path: &str, body: &str| {
        let mut r = Request::builder()
            .method("POST")
            .uri(path)
            .header("authorization", format!("Bearer {op}"));
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r.body(Body::from(body.to_string())).unwrap()
    };
    let refused = [
        "application/jsonx",
        "application/json-patch+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "json",
        "application/json; charset",
    ];
    for ct in refused {
        let (s, _, v) = t
            .send(post(Some(ct), "/v1/customers", r#"{"name":"Media Ltd"}"#))
            .await;
        assert_eq!(
            refusal(s, &v, "content-type"),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type".into(),
                true
            ),
            "{ct}"
        );
    }
    for (i, ct) in [
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("Application/JSON;Charset=UTF-8"),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let body = format!(r#"{{"name":"Media {i} Ltd"}}"#);
        let (s, _, v) = t.send(post(ct, "/v1/customers", &body)).await;
        assert_eq!(s, StatusCode::CREATED, "{ct:?}: {v}");
    }
    // The other body readers: optional JSON bodies, CDR intake, number import.
    let (s, _, v) = t
        .send(post(
            Some("text/plain"),
            "/v1/numbers/nonexistent/unreserve",
            r#"{"reason":"x"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (s, _, v) = t
        .send(post(Some("text/csvx"), "/v1/cdrs", "source,call_id\n"))
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (s, _, v) = t
        .send(post(
            Some("application/jsonx"),
            "/v1/numbers",
            r#"{"numbers":[]}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
}

#[tokio::test]
async fn i11_12_a_request_refused_before_its_body_is_read_closes_the_connection() {
    let t = setup().await;
    let body = br#"{"name":"Never Read Ltd","tier":"gold"}"#;
    let req = |auth: Option<String>, path: &str, body: Vec<u8>| {
        let mut r = Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json");
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.body(Body::from(body)).unwrap()
    };
    let cases = [
        (None, "/v1/partners", StatusCode::UNAUTHORIZED),
        (
            Some("Bearer tg_not_a_real_token".to_string()),
            "/v1/partners",
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some(format!("Bearer {}", t.token("customer_a"))),
            "/v1/partners",
            StatusCode::FORBIDDEN,
        ),
    ];
    for (auth, path, status) in cases {
        let (s, h, v) = t.send(req(auth, path, body.to_vec())).await;
        assert_eq!(s, status, "{v}");
        assert_error_shape(&v);
        assert_eq!(
            h.get("connection").and_then(|v| v.to_str().ok()),
            Some("close"),
            "{status}"
        );
    }
    // A body over the limit is not read to its end either.
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(DEFAULT_MAX_BODY_BYTES));
    let (s, h, _) = t
        .send(req(
            Some(format!("Bearer {}", t.token("operator"))),
            "/v1/customers",
            big.into_bytes(),
        ))
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        h.get("connection").and_then(|v| v.to_str().ok()),
        Some("close")
    );
    // An answer after the body was read keeps the connection.
    let (s, h, _) = t
        .send(req(
            Some(format!("Bearer {}", t.token("operator"))),
            "/v1/customers",
            br#"{"name":"Kept Alive Ltd"}"#.to_vec(),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(h.get("connection").is_none());
}

#[tokio::test]
async fn i11_13a_uri_and_header_limits_answer_in_the_one_error_shape() {
    let t = setup().await;
    let auth = format!("Bearer {}", t.token("operator"));
    let long = format!(
        "/v1/customers?cursor={}",
        "a".repeat(tollgate_http::MAX_URI_BYTES)
    );
    let (s, h, v) = t
        .send(
            Request::builder()
                .uri(long)
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "uri"),
        (StatusCode::URI_TOO_LONG, "uri_too_long".into(), true)
    );
    assert!(h.get("x-request-id").is_some());
    let (s, _, v) = t
        .send(
            Request::builder()
                .uri("/v1/customers")
                .header("authorization", &auth)
                .header("x-padding", "p".repeat(tollgate_http::MAX_HEADER_BYTES))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "headers"),
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large".into(),
            true
        )
    );
    // Just under the limits is served.
    let ok = format!("/v1/customers?cursor={}", "a".repeat(4_000));
    let (s, _, v) = t
        .send(
            Request::builder()
                .uri(ok)
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn i11_13b_every_401_carries_www_authenticate_bearer() {
    let t = setup().await;
    for r in ROUTES.iter().filter(|r| r.path.starts_with("/v1/")) {
        for auth in [
            None,
            Some("Bearer tg_not_a_real_token"),
            Some("Basic dXNlcjpwdw=="),
        ] {
            let mut req = Request::builder().method(r.method).uri(concrete(r.path));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let (s, h, _) = t.send(req.body(Body::empty()).unwrap()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{} {}", r.method, r.path);
            assert!(
                h.get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("Bearer")),
                "{} {} {auth:?}",
                r.method,
                r.path
            );
        }
    }
    // A refused login is a 401 too.
    let (s, h, _) = t
        .send(
            Request::builder()
                .method("POST")
                .uri("/auth/login")
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"email":"ops@demo-telecom.test","password":"wrong password"}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(h.get("www-authenticate").is_some());
}

#[tokio::test]
async fn i11_13c_the_bearer_scheme_is_case_insensitive() {
    let t = setup().await;
    let tok = t.token("customer_a").to_string();
    let me = |auth: String| {
        Request::builder()
            .uri("/v1/me")
            .header("authorization", auth)
            .body(Body::empty())
            .unwrap()
    };
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let (s, _, v) = t.send(me(format!("{scheme} {tok}"))).await;
        assert_eq!(s, StatusCode::OK, "{scheme}: {v}");
    }
    let (s, _, v) = t.send(me(format!("Bearer   {tok}"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for bad in [
        format!("Bearer{tok}"),
        format!("Basic {tok}"),
        "Bearer ".into(),
    ] {
        let (s, _, v) = t.send(me(bad.clone())).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{bad}: {v}");
    }
}

#[tokio::test]
async fn i11_13d_two_authorization_headers_are_refused() {
    let t = setup().await;
    let (a, b) = (t.token("customer_a"), t.token("operator"));
    for (first, second) in [(a, b), (a, a)] {
        let (s, h, v) = t
            .send(
                Request::builder()
                    .uri("/v1/me")
                    .header("authorization", format!("Bearer {first}"))
                    .header("authorization", format!("Bearer {second}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("authorization_ambiguous")),
            "{v}"
        );
        assert!(h.get("www-authenticate").is_some());
    }
}

#[tokio::test]
async fn i11_13e_query_parse_errors_name_the_parameter() {
    let t = setup().await;
    let cases = [
        ("/v1/customers?limit=abc", "limit"),
        ("/v1/customers?limit=1&limit=2", "limit"),
        (
            "/v1/rate-tables/demo-retail/quote?number=%2B447700900123&duration_s=-5",
            "duration_s",
        ),
        ("/v1/rate-tables/demo-retail/quote?duration_s=5", "number"),
    ];
    for (path, param) in cases {
        let (s, v) = t.get(path, "operator").await;
        assert_eq!(
            refusal(s, &v, param),
            unprocessable("query_invalid"),
            "{path}: {v}"
        );
        assert!(v["error"]["fields"].get("query").is_none(), "{v}");
    }
    let (s, v) = t.get("/v1/customers?colour=red", "operator").await;
    assert_eq!(refusal(s, &v, "colour"), unprocessable("unknown_field"));
}

#[tokio::test]
async fn i11_13f_an_unknown_filter_value_is_refused_not_an_empty_list() {
    let t = setup().await;
    for (path, param) in [
        ("/v1/port-ins?state=bogus", "state"),
        ("/v1/numbers?state=bogus", "state"),
        ("/v1/numbers?state=ACTIVE", "state"),
        ("/v1/numbers?country=ZZ", "country"),
    ] {
        let (s, v) = t.get(path, "operator").await;
        assert_eq!(
            refusal(s, &v, param),
            unprocessable("filter_invalid"),
            "{path}: {v}"
        );
    }
    for path in [
        "/v1/port-ins?state=draft",
        "/v1/numbers?state=active",
        "/v1/numbers?country=GB",
    ] {
        let (s, v) = t.get(path, "operator").await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
    }
}

#[tokio::test]
async fn i11_13g_a_valid_time_outside_1970_2200_is_out_of_range() {
    let t = setup().await;
    for at in [
        "9999-12-31T23:59:59Z",
        "2201-01-01T00:00:00Z",
        "1969-07-20T20:17:00Z",
    ] {
        let (s, v) = t.get(&format!("/v1/cdrs?from={at}"), "operator").await;
        assert_eq!(
            refusal(s, &v, "from"),
            unprocessable("timestamp_out_of_range"),
            "{at}: {v}"
        );
    }
    let (s, v) = t.get("/v1/cdrs?from=someday", "operator").await;
    assert_eq!(refusal(s, &v, "from"), unprocessable("timestamp_invalid"));
}

#[tokio::test]
async fn i11_11_csv_exports_neutralise_formulas() {
    let t = setup().await;
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let b_acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let formula = r#"=HYPERLINK("http://evil.test","x")"#;
    let cdrs = json!([
        {"source": "sbc", "call_id": formula, "billing_account": b_acct, "from": "+33170000001",
         "to": "+442079460000", "start": "2026-11-16T10:00:00Z", "end": "2026-11-16T10:02:00Z", "duration_s": "95"},
        {"source": "sbc", "call_id": "@SUM(A1)", "billing_account": b_acct, "from": "+33170000001",
         "to": "+442079460000", "start": "2026-11-16T11:00:00Z", "end": "2026-11-16T11:02:00Z", "duration_s": "95"},
    ]);
    let (s, v) = t.post("/v1/cdrs?source=sbc", "operator", cdrs).await;
    assert_eq!(
        (s, v["inserted"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{v}"
    );
    let (s, _, csv) = t
        .call(
            "GET",
            &format!("/v1/cdrs?billing_account={b_acct}&format=csv"),
            Some(t.token("customer_b")),
            "",
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let rows: Vec<csv_row::Row> = csv_row::parse(&csv);
    let call_ids: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert!(
        call_ids.contains(&"'=HYPERLINK(\"http://evil.test\",\"x\")"),
        "{csv}"
    );
    assert!(call_ids.contains(&"'@SUM(A1)"), "{csv}");
    assert!(!csv.contains(",=") && !csv.contains(",\"="), "{csv}");
    // Numbers stay numbers: E.164 with its `+`, amounts.
    assert!(rows[1..].iter().all(|r| r[3] == "+33170000001"), "{csv}");
}

/// A minimal CSV reader for the export test (quoted cells, doubled quotes).
mod csv_row {
    pub type Row = Vec<String>;

    pub fn parse(text: &str) -> Vec<Row> {
        let mut rows = Vec::new();
        let (mut row, mut cell, mut quoted) = (Row::new(), String::new(), false);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => row.push(std::mem::take(&mut cell)),
                ('\n', false) => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (c, _) => cell.push(c),
            }
        }
        rows
    }
}

#[tokio::test]
async fn i11_8_rate_tables_refuse_overlaps_unknown_currencies_and_dates_out_of_range() {
    let t = setup().await;
    let op = t.token("operator").to_string();
    let head =
        "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,valid_until,currency\n";
    let put = |body: String| {
        let op = op.clone();
        let t = &t;
        async move {
            let (s, v, _) = t
                .call(
                    "PUT",
                    "/v1/rate-tables/i11-8",
                    Some(&op),
                    "text/csv",
                    body.into_bytes(),
                )
                .await;
            (s, v)
        }
    };
    let cases = [
        (
            "44,UK,0.01,60,60,2026-01-01,,EUR\n33,FR,0.01,60,60,2026-01-01,,EUR\n44,UK again,0.02,60,60,2026-06-01,,EUR\n",
            "line 4: prefix",
            "rate_overlap",
        ),
        (
            "44,UK,0.01,60,60,2026-01-01,2026-03-01,EUR\n44,UK,0.02,60,60,2026-02-01,2026-04-01,EUR\n",
            "line 3: prefix",
            "rate_overlap",
        ),
        (
            "44,UK,0.01,60,60,2026-01-01,,ZZZ\n",
            "line 2: currency",
            "currency_invalid",
        ),
        (
            "44,UK,0.01,60,60,1900-01-01,,EUR\n",
            "line 2: valid_from",
            "date_out_of_range",
        ),
        (
            "44,UK,0.01,60,60,2026-01-01,2300-01-01,EUR\n",
            "line 2: valid_until",
            "date_out_of_range",
        ),
    ];
    for (rows, key, code) in cases {
        let (s, v) = put(format!("{head}{rows}")).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("rate_table_invalid")),
            "{rows}: {v}"
        );
        let problem = v["error"]["fields"][key].as_str().unwrap_or_default();
        assert!(problem.starts_with(code), "{key} {code}: {v}");
    }
    // Both lines of an overlap are named.
    let (_, v) = put(format!("{head}{}", cases[0].0)).await;
    let problem = v["error"]["fields"]["line 4: prefix"].as_str().unwrap();
    assert!(problem.contains("lines 2 and 4"), "{problem}");
    // Back-to-back validity is no overlap; nothing of the refused imports was stored.
    let (s, v) = put(format!(
        "{head}44,UK,0.01,60,60,2026-01-01,2026-06-01,EUR\n44,UK,0.02,60,60,2026-06-01,,EUR\n"
    ))
    .await;
    assert_eq!(
        (s, v["version"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{v}"
    );
}

#[tokio::test]
async fn i11_9_names_and_free_text_are_checked_and_nothing_is_written() {
    let t = setup().await;
    let (_, v) = t.get("/v1/customers", "operator").await;
    let acme = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Acme Dental")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, v) = t.get("/v1/billing-accounts", "customer_a").await;
    let hq = v["items"][0]["id"].as_str().unwrap().to_string();
    let long_name = "n".repeat(tollgate_core::text::MAX_NAME_CHARS + 1);
    let huge = "r".repeat(300_000);
    let cases: Vec<(&str, String, Value, &str, &str)> = vec![
        (
            "POST",
            "/v1/partners".into(),
            json!({"name": "Evil\u{202E}gnp.exe", "tier": "gold"}),
            "name",
            "text_invalid",
        ),
        (
            "POST",
            "/v1/partners".into(),
            json!({"name": "\u{200B}\u{FEFF}", "tier": "gold"}),
            "name",
            "text_invalid",
        ),
        (
            "POST",
            "/v1/customers".into(),
            json!({"name": long_name}),
            "name",
            "text_too_long",
        ),
        (
            "POST",
            "/v1/customers".into(),
            json!({"name": "Nul\u{0}Ltd"}),
            "name",
            "text_invalid",
        ),
        (
            "POST",
            "/v1/customers".into(),
            json!({"name": "   "}),
            "name",
            "text_invalid",
        ),
        (
            "POST",
            "/v1/billing-accounts".into(),
            json!({"customer_id": acme, "name": "Tab\there", "currency": "EUR"}),
            "name",
            "text_invalid",
        ),
        (
            "POST",
            "/v1/users".into(),
            json!({"email": "new@acme-dental.test", "name": "\u{2066}x\u{2069}", "role": "customer_user", "customer_id": acme}),
            "name",
            "text_invalid",
        ),
        (
            "POST",
            format!("/v1/billing-accounts/{hq}/suspensions"),
            json!({"scope": "all", "reason": huge}),
            "reason",
            "text_too_long",
        ),
        (
            "POST",
            format!("/v1/billing-accounts/{hq}/suspensions"),
            json!({"scope": "all", "reason": "\u{200D}"}),
            "reason",
            "text_invalid",
        ),
        (
            "POST",
            format!("/v1/billing-accounts/{hq}/announcements"),
            json!({"from": (NOW + 60).to_string(), "until": (NOW + 3_600).to_string(), "note": "bell\u{7}"}),
            "note",
            "text_invalid",
        ),
        (
            "POST",
            "/v1/guard/destination-prefixes".into(),
            json!({"prefix": "+4490", "class": "premium_rate", "note": "x".repeat(2_001)}),
            "note",
            "text_too_long",
        ),
        (
            "PUT",
            format!("/v1/billing-accounts/{hq}/guard-policy"),
            json!({"validated": true, "licensed_calls": 5, "site_bandwidth_kbps": -1, "home_country": "FR", "international_allowlist": [], "credit_limit": null}),
            "site_bandwidth_kbps",
            "site_bandwidth_kbps_invalid",
        ),
        (
            "PUT",
            format!("/v1/billing-accounts/{hq}/guard-policy"),
            json!({"validated": true, "licensed_calls": 5, "site_bandwidth_kbps": null, "home_country": "FR", "international_allowlist": [], "credit_limit": "-5"}),
            "credit_limit",
            "credit_limit_invalid",
        ),
    ];
    let (_, audit_before) = t.get("/v1/audit-log?limit=500", "operator").await;
    for (method, path, body, field, code) in cases {
        let (s, v) = if method == "PUT" {
            t.put(&path, "operator", body).await
        } else {
            t.post(&path, "operator", body).await
        };
        assert_eq!(refusal(s, &v, field), unprocessable(code), "{path}: {v}");
        assert!(
            v.to_string().len() < 10_000,
            "the refusal must not echo the text"
        );
    }
    let (_, audit_after) = t.get("/v1/audit-log?limit=500", "operator").await;
    assert_eq!(
        audit_before["items"].as_array().unwrap().len(),
        audit_after["items"].as_array().unwrap().len(),
        "a refused request wrote something"
    );
    // A reactivation reason goes through the same check, and the suspension stays.
    let (s, sus) = t
        .post(
            &format!("/v1/billing-accounts/{hq}/suspensions"),
            "operator",
            json!({"scope": "all", "reason": "review"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sus}");
    let id = sus["id"].as_str().unwrap();
    let (s, v) = t
        .post(
            &format!("/v1/suspensions/{id}/reactivate"),
            "operator",
            json!({"reason": "ok\u{0}"}),
        )
        .await;
    assert_eq!(refusal(s, &v, "reason"), unprocessable("text_invalid"));
    let (_, list) = t.get("/v1/suspensions", "operator").await;
    let mine = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap();
    assert!(mine["lifted_at"].is_null(), "{mine}");
    // CDRs: NUL in a call id and an empty source are refused lines.
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let b_acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let line = |call_id: &str| {
        json!({"call_id": call_id, "billing_account": b_acct, "from": "+33170000001", "to": "+442079460000",
               "start": "2026-11-16T10:00:00Z", "end": "2026-11-16T10:02:00Z", "duration_s": "95"})
    };
    let (s, v) = t
        .post("/v1/cdrs?source=sbc", "operator", json!([line("c\u{0}1")]))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["rejects"][0]["code"].as_str(),
            v["rejects"][0]["field"].as_str()
        ),
        (Some("text_invalid"), Some("call_id"))
    );
    let (_, v) = t
        .post("/v1/cdrs?source=", "operator", json!([line("c2")]))
        .await;
    assert_eq!(
        (
            v["rejects"][0]["code"].as_str(),
            v["rejects"][0]["field"].as_str()
        ),
        (Some("field_missing"), Some("source")),
        "{v}"
    );
}
