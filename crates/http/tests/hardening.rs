//! HTTP API: issue 11 hardening from an outside probe (JSON and media types, limits,
//! auth headers, query and filter errors, CSV formulas, rate-table and text checks).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tollgate_http::{DEFAULT_MAX_BODY_BYTES, ROUTES};

use common::*;

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
    // The call points' scan is public by design (a shopper's QR code): it has no credential
    // to refuse.
    for r in ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/v1/") && !r.path.ends_with("/scan"))
    {
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
            &format!("/v1/cdrs?billing_account={b_acct}&format=csv&from=2026-11-16T00:00:00Z"),
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
