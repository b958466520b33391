//! Real answers against the schemas the OpenAPI document gives them, for the answers
//! schemathesis cannot reach with generated data (a login, a call answered and ended, an
//! upload, an import): each is checked with a small JSON Schema checker (the keywords the
//! document uses: `$ref`, `type`, `enum`, `properties`, `required`, `additionalProperties`,
//! `items`, `allOf`, `oneOf`, `minimum`, `maximum`).

mod common;

use axum::http::StatusCode;
use serde_json::{json, Value};

use common::setup;

fn type_matches(ty: &str, v: &Value) -> bool {
    match ty {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// What is wrong with `v` against `schema` (empty when it conforms).
fn check(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return check(doc, &doc["components"]["schemas"][name], v, at, out);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check(doc, s, v, at, out);
        }
    }
    if let Some(one) = schema["oneOf"].as_array() {
        let matching = one
            .iter()
            .filter(|s| {
                let mut e = Vec::new();
                check(doc, s, v, at, &mut e);
                e.is_empty()
            })
            .count();
        if matching != 1 {
            out.push(format!("{at}: {matching} of oneOf match {v}"));
        }
    }
    match &schema["type"] {
        Value::String(t) if !type_matches(t, v) => out.push(format!("{at}: not {t}: {v}")),
        Value::Array(ts) if !ts.iter().any(|t| type_matches(t.as_str().unwrap(), v)) => {
            out.push(format!("{at}: not {ts:?}: {v}"))
        }
        _ => {}
    }
    if let Some(e) = schema["enum"].as_array() {
        if !e.contains(v) {
            out.push(format!("{at}: {v} not in enum"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), v.as_f64()) {
        if n < min {
            out.push(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema["maximum"].as_f64(), v.as_f64()) {
        if n > max {
            out.push(format!("{at}: {n} > {max}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                out.push(format!("{at}: `{r}` missing"));
            }
        }
        let props = schema["properties"].as_object();
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(doc, s, x, &format!("{at}.{k}"), out),
                None => match &schema["additionalProperties"] {
                    Value::Bool(false) => out.push(format!("{at}: `{k}` not documented")),
                    s @ Value::Object(_) => check(doc, s, x, &format!("{at}.{k}"), out),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            check(doc, items, x, &format!("{at}[{i}]"), out);
        }
    }
}

/// Asserts `body`, answered with `status` by `method path`, is what the document says.
fn assert_documented(doc: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let op = &doc["paths"][path][method.to_lowercase()];
    let schema = &op["responses"][status.as_str()]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path}: {status} is not documented; answered {body}"
    );
    let mut errors = Vec::new();
    check(doc, schema, body, "$", &mut errors);
    assert!(errors.is_empty(), "{method} {path} {status}: {errors:#?}");
}

#[test]
fn the_checker_refuses_what_does_not_conform() {
    let doc = serde_json::to_value(tollgate_http::openapi::build()).unwrap();
    let schema = json!({"$ref": "#/components/schemas/Error"});
    let mut e = Vec::new();
    check(&doc, &schema, &json!({"error": {"code": 1}}), "$", &mut e);
    assert!(
        e.iter().any(|m| m.contains("code: not string"))
            && e.iter().any(|m| m.contains("`request_id` missing")),
        "{e:?}"
    );
    let mut e = Vec::new();
    let ok = json!({"error": {"code": "x", "message": "m", "rule": null, "clause": null, "fields": {}, "request_id": "r"}});
    check(&doc, &schema, &ok, "$", &mut e);
    assert!(e.is_empty(), "{e:?}");
}

#[tokio::test]
async fn answers_out_of_reach_of_generated_data_match_their_schemas() {
    let t = setup().await;
    let doc = serde_json::to_value(tollgate_http::openapi::build()).unwrap();
    let op = t.token("operator").to_string();

    // A3: a login and TOTP enrolment.
    let login =
        json!({"email": "admin@acme-dental.test", "password": tollgate_app::demo::DEMO_PASSWORD});
    let (s, v, _) = t
        .call(
            "POST",
            "/auth/login",
            None,
            "application/json",
            login.to_string().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_documented(&doc, "POST", "/auth/login", s, &v);
    let session = v["token"].as_str().unwrap().to_string();
    let (s, v, _) = t
        .call("POST", "/v1/me/totp", Some(&session), "", vec![])
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_documented(&doc, "POST", "/v1/me/totp", s, &v);
    let (s, v) = t
        .post("/v1/tokens", "customer_a", json!({"name": "doc"}))
        .await;
    assert_documented(&doc, "POST", "/v1/tokens", s, &v);

    // The guard: a call decided, answered and ended; an emergency call; an auth failure.
    let (_, accounts) = t.get("/v1/billing-accounts", "customer_a").await;
    let hq = accounts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Acme Dental HQ")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, numbers) = t
        .get(
            &format!("/v1/numbers?billing_account_id={hq}&state=active"),
            "customer_a",
        )
        .await;
    let number = numbers["items"][0].clone();
    let (from, number_id) = (
        number["e164"].as_str().unwrap(),
        number["id"].as_str().unwrap(),
    );
    for (call_id, to) in [("doc-1", "+33142685301"), ("doc-sos", "112")] {
        let (s, v) = t
            .post(
                "/v1/guard/calls",
                "operator",
                json!({"billing_account": hq, "from": from, "to": to, "call_id": call_id}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_documented(&doc, "POST", "/v1/guard/calls", s, &v);
    }
    let (s, v) = t
        .post("/v1/guard/calls/doc-1/answer", "operator", json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_documented(&doc, "POST", "/v1/guard/calls/{id}/answer", s, &v);
    t.app.clock.advance(65);
    let (s, v) = t
        .post("/v1/guard/calls/doc-1/end", "operator", json!({}))
        .await;
    assert_eq!(
        (s, v["rated"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    assert_documented(&doc, "POST", "/v1/guard/calls/{id}/end", s, &v);
    let (s, v) = t
        .post(
            "/v1/guard/auth-failures",
            "operator",
            json!({"source": "203.0.113.9"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_documented(&doc, "POST", "/v1/guard/auth-failures", s, &v);
    let (s, v) = t
        .get(
            &format!("/v1/billing-accounts/{hq}/guard-policy"),
            "customer_a",
        )
        .await;
    assert_documented(&doc, "GET", "/v1/billing-accounts/{id}/guard-policy", s, &v);

    // Numbers: an address change of a number in service, a document, the detail, history.
    let n = format!("/v1/numbers/{number_id}");
    let address =
        json!({"street": "9 Rue du Bac", "city": "Paris", "postcode": "75007", "country": "FR"});
    let (s, v) = t
        .post(&format!("{n}/emergency-address"), "customer_a", address)
        .await;
    assert_eq!(
        (s, v["pending"].as_bool()),
        (StatusCode::CREATED, Some(true)),
        "{v}"
    );
    assert_documented(&doc, "POST", "/v1/numbers/{id}/emergency-address", s, &v);
    let pdf = json!({"kind": "identity", "filename": "id.pdf", "content_type": "application/pdf",
        "content_base64": tollgate_app::numbers::DEMO_PDF_BASE64});
    let (s, v) = t.post(&format!("{n}/documents"), "operator", pdf).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_documented(&doc, "POST", "/v1/numbers/{id}/documents", s, &v);
    let (s, v) = t.get(&n, "customer_a").await;
    assert_documented(&doc, "GET", "/v1/numbers/{id}", s, &v);
    let (s, v) = t.get(&format!("{n}/history"), "customer_a").await;
    assert_documented(&doc, "GET", "/v1/numbers/{id}/history", s, &v);

    // Rating: a rate table imported, a quote, the CDRs the call above left.
    let csv = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n447,UK mobile,0.05,60,60,2026-11-01,EUR\n";
    let (s, v, _) = t
        .call(
            "PUT",
            "/v1/rate-tables/demo-retail",
            Some(&op),
            "text/csv",
            csv.into(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_documented(&doc, "PUT", "/v1/rate-tables/{name}", s, &v);
    let (s, v) = t
        .get(
            "/v1/rate-tables/demo-retail/quote?number=%2B447700900123&duration_s=37",
            "partner_gold",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_documented(&doc, "GET", "/v1/rate-tables/{name}/quote", s, &v);
    let (s, v) = t
        .get(&format!("/v1/cdrs?billing_account={hq}"), "customer_a")
        .await;
    assert!(!v["items"].as_array().unwrap().is_empty());
    assert_documented(&doc, "GET", "/v1/cdrs", s, &v);

    // Lists and the rest, as each role sees them.
    for (who, path) in [
        ("operator", "/v1/partners"),
        ("operator", "/v1/customers"),
        ("operator", "/v1/users"),
        ("operator", "/v1/incidents"),
        ("operator", "/v1/suspensions"),
        ("operator", "/v1/audit-log"),
        ("operator", "/v1/port-ins"),
        ("operator", "/v1/cdrs/rejects"),
        ("operator", "/v1/guard/teardowns"),
        ("customer_a", "/v1/me"),
        ("customer_a", "/v1/terms-profiles"),
        ("customer_a", "/v1/rate-tables"),
        ("customer_a", "/v1/emergency-acknowledgements/text"),
    ] {
        let (s, v) = t.get(path, who).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        assert_documented(&doc, "GET", path, s, &v);
    }
    for path in ["/healthz", "/readyz"] {
        let (s, v, _) = t.call("GET", path, None, "", vec![]).await;
        assert_documented(&doc, "GET", path, s, &v);
    }
    // A refusal is the Error shape.
    let (s, v) = t.get("/v1/numbers/nope", "customer_a").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_documented(&doc, "GET", "/v1/numbers/{id}", s, &v);
}
