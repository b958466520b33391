//! What the guard's HTTP tests share: a demo app, its tokens, Acme HQ and its number.
#![allow(dead_code)]

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tollgate_app::{App, Clock};
use tollgate_http::{router, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

pub const NOW: i64 = 1_795_000_000; // 2026-11-17T...

pub struct T {
    pub app: App,
    pub tokens: BTreeMap<String, String>,
    pub hq: String,
    pub from: String,
}

pub async fn setup() -> T {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-guard-{}", tollgate_app::ids::new_id("t")));
    let tokens = tollgate_app::demo::seed(&app, &dir).await.unwrap();
    let acme = tollgate_store::tenancy::system::find_customer_by_name(&app.store, "Acme Dental")
        .await
        .unwrap()
        .unwrap();
    let sys = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let hq = app
        .list_billing_accounts(&sys, Some(&acme.id), &tollgate_store::Page::first(10))
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Acme Dental HQ")
        .unwrap()
        .id;
    let from = app
        .numbers_of_account(
            &tollgate_app::Caller::system(tollgate_app::Actor::cli()),
            &hq,
        )
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo gives Acme HQ an active number");
    T {
        app,
        tokens,
        hq,
        from,
    }
}

impl T {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        who: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.tokens[who]))
            .header("content-type", "application/json")
            .body(Body::from(if body.is_null() {
                String::new()
            } else {
                body.to_string()
            }))
            .unwrap();
        let res = router(self.app.clone(), DEFAULT_MAX_BODY_BYTES)
            .oneshot(req)
            .await
            .unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub async fn decide(&self, to: &str, extra: Value) -> Value {
        let mut body = json!({"billing_account": self.hq, "from": format!("+{}", self.from), "to": to, "source_ip": "198.51.100.20"});
        if let Value::Object(m) = extra {
            for (k, v) in m {
                body[k] = v;
            }
        }
        let (s, v) = self.call("POST", "/v1/guard/calls", "operator", body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }
}

pub fn dcr(v: &Value) -> (&str, &str, &str) {
    (
        v["decision"].as_str().unwrap(),
        v["code"].as_str().unwrap(),
        v["rule"].as_str().unwrap(),
    )
}
