//! Shared setup of the HTTP API tests: the real router over a real store (SQLite, or
//! PostgreSQL with `TOLLGATE_TEST_BACKEND=postgres`) seeded with the demo tenant.
//! Each test file uses what it needs.

#![allow(dead_code)]

pub mod browser;
pub mod json;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tollgate_app::{App, Clock};
use tollgate_http::{router, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

pub struct T {
    pub app: App,
    pub tokens: BTreeMap<String, String>,
}

pub const NOW: i64 = 1_795_000_000; // 2026-11-17

pub async fn setup() -> T {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-http-{}", tollgate_app::ids::new_id("t")));
    let tokens = tollgate_app::demo::seed(&app, &dir).await.unwrap();
    T { app, tokens }
}

impl T {
    pub async fn call(
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

    pub async fn get(&self, path: &str, who: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call("GET", path, Some(&self.tokens[who]), "", vec![])
            .await;
        (s, v)
    }

    pub async fn post(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
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

    pub fn token(&self, who: &str) -> &str {
        &self.tokens[who]
    }

    /// Sends a request built by the test (headers as given), keeping the answer's headers.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
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

    pub async fn put(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
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
pub fn refusal(s: StatusCode, v: &Value, field: &str) -> (StatusCode, String, bool) {
    assert_error_shape(v);
    (
        s,
        v["error"]["code"].as_str().unwrap_or_default().to_string(),
        v["error"]["fields"].get(field).is_some(),
    )
}

pub fn unprocessable(code: &str) -> (StatusCode, String, bool) {
    (StatusCode::UNPROCESSABLE_ENTITY, code.to_string(), true)
}

pub fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

pub fn assert_error_shape(v: &Value) {
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

pub fn concrete(path: &str) -> String {
    path.replace("{id}", "nonexistent")
        .replace("{name}", "demo-retail")
}
