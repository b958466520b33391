//! The OpenAPI document against the route table and the handlers: every route is in it with
//! its method, every operation documents a success and its refusals in the one error shape,
//! creating POSTs document 201 (and answer it), and every `$ref` resolves.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{json, Value};
use tollgate_http::{Access, ROUTES};

use common::setup;

fn document() -> Value {
    serde_json::to_value(tollgate_http::openapi::build()).unwrap()
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    &doc["paths"][path][method.to_lowercase()]
}

fn statuses(op: &Value) -> BTreeSet<u16> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect()
}

/// The POST routes that create something and answer `201 Created`, as their handlers do
/// (the existing tests assert each of these statuses: access.rs, tenancy.rs, guard.rs,
/// numbers.rs, rating.rs, hardening.rs). Every other POST answers 200.
const CREATING_POSTS: &[&str] = &[
    "/auth/login",
    "/v1/me/totp",
    "/v1/partners",
    "/v1/customers",
    "/v1/billing-accounts",
    "/v1/users",
    "/v1/tokens",
    "/v1/guard/destination-prefixes",
    "/v1/billing-accounts/{id}/suspensions",
    "/v1/billing-accounts/{id}/announcements",
    "/v1/numbers",
    "/v1/numbers/{id}/emergency-address",
    "/v1/numbers/{id}/documents",
    "/v1/numbers/{id}/document-requests",
    "/v1/port-ins",
    "/v1/port-ins/{id}/documents",
    "/v1/port-ins/{id}/document-requests",
    "/v1/emergency-acknowledgements",
    "/v1/products",
    "/v1/price-lists",
    "/v1/price-lists/{id}/versions",
    "/v1/tax-rates",
    "/v1/orders",
    "/v1/subscriptions/{id}/price-changes",
    "/v1/payments",
    "/v1/invoices/{id}/disputes",
    "/v1/webhooks",
    "/v1/tickets",
    "/v1/tickets/{id}/attachments",
    "/v1/messaging/consents",
    "/v1/messaging/suppressions",
    "/v1/messaging/registrations",
    "/v1/assurance/services",
    "/v1/assurance/components",
    "/v1/assurance/probes",
    "/v1/assurance/incidents",
    "/v1/assurance/maintenance",
    "/v1/hardware/models",
    "/v1/hardware/leases",
    "/v1/hardware/leases/{id}/devices",
    "/v1/hardware/claims",
    "/v1/hardware/sales",
    "/v1/hardware/devices/{id}/documents",
    "/v1/hardware/rmas",
    "/v1/frontline/stores",
    "/v1/frontline/broadcasts",
    "/v1/frontline/staff",
    "/v1/frontline/call-points",
    "/v1/frontline/video-sources",
];

#[test]
fn every_route_is_in_the_document_with_its_method_and_nothing_else_is() {
    let doc = document();
    for r in ROUTES.iter() {
        assert!(
            operation(&doc, r.method, r.path).is_object(),
            "{} {} missing from the document",
            r.method,
            r.path
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        ROUTES.len(),
        "operations not in the route table"
    );
}

#[test]
fn every_operation_documents_a_success_and_a_refusal_in_the_error_shape() {
    let doc = document();
    let error_ref = json!({"$ref": "#/components/schemas/Error"});
    for r in ROUTES.iter() {
        let op = operation(&doc, r.method, r.path);
        let s = statuses(op);
        assert!(
            s.iter().any(|s| (200..300).contains(s)),
            "{} {}: no 2xx answer",
            r.method,
            r.path
        );
        let refusals: Vec<u16> = s.iter().copied().filter(|s| *s >= 400).collect();
        assert!(
            refusals.iter().any(|s| (400..500).contains(s)),
            "{} {}: no 4xx answer",
            r.method,
            r.path
        );
        for status in refusals {
            assert_eq!(
                op["responses"][status.to_string()]["content"]["application/json"]["schema"],
                error_ref,
                "{} {} {status}: not the Error shape",
                r.method,
                r.path
            );
        }
        if let Access::Perm(_) = r.access {
            assert!(
                s.contains(&401) && s.contains(&403),
                "{} {}: a token route documents 401 and 403",
                r.method,
                r.path
            );
        }
    }
}

#[test]
fn creating_posts_document_201_and_every_other_post_200() {
    let doc = document();
    for r in ROUTES.iter().filter(|r| r.method == "POST") {
        let success: Vec<u16> = statuses(operation(&doc, r.method, r.path))
            .into_iter()
            .filter(|s| (200..300).contains(s))
            .collect();
        let expected = if CREATING_POSTS.contains(&r.path) {
            201
        } else {
            200
        };
        assert_eq!(success, vec![expected], "POST {}", r.path);
    }
    for path in CREATING_POSTS {
        assert!(
            ROUTES.iter().any(|r| r.method == "POST" && r.path == *path),
            "POST {path} is no route"
        );
    }
}

#[tokio::test]
async fn the_documented_success_status_is_what_the_handlers_answer() {
    let t = setup().await;
    let doc = document();
    let documented = |method: &str, path: &str| -> BTreeSet<u16> {
        statuses(operation(&doc, method, path))
            .into_iter()
            .filter(|s| (200..300).contains(s))
            .collect()
    };
    let (s, _) = t
        .post(
            "/v1/partners",
            "operator",
            json!({"name": "Doc Partner", "tier": "gold"}),
        )
        .await;
    assert!(documented("POST", "/v1/partners").contains(&s.as_u16()));
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = t
        .post("/v1/tokens", "operator", json!({"name": "doc token"}))
        .await;
    assert!(documented("POST", "/v1/tokens").contains(&s.as_u16()));
    let (s, _) = t.post("/v1/numbers/sweep", "operator", json!({})).await;
    assert!(documented("POST", "/v1/numbers/sweep").contains(&s.as_u16()));
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t.get("/v1/me", "customer_a").await;
    assert!(documented("GET", "/v1/me").contains(&s.as_u16()));
}

/// Every `"$ref"` in `v`, with where it was found.
fn refs(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    out.push((at.to_string(), x.as_str().unwrap_or_default().to_string()));
                } else {
                    refs(x, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                refs(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_resolves_to_a_component_schema() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 100, "refs found: {}", found.len());
    for (at, target) in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{at}: {target} is not a component schema"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{at}: {target} does not resolve"
        );
    }
}

#[test]
fn operations_keep_their_permission_and_security() {
    let doc = document();
    let mut ids = BTreeSet::new();
    for r in ROUTES.iter() {
        let op = operation(&doc, r.method, r.path);
        match r.access {
            Access::Perm(p) => {
                assert_eq!(op["x-permission"], json!(format!("{p:?}")), "{}", r.path);
                assert_eq!(op["security"], json!([{"bearer": []}]), "{}", r.path);
            }
            Access::Public => {
                assert_eq!(op["security"], json!([]), "{}", r.path);
                assert!(op.get("x-permission").is_none(), "{}", r.path);
            }
        }
        assert!(
            ids.insert(op["operationId"].as_str().unwrap().to_string()),
            "{} {}: operationId taken twice",
            r.method,
            r.path
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer"})
    );
}

#[test]
fn query_and_body_fields_are_typed_as_the_handlers_check_them() {
    let doc = document();
    let params = |method: &str, path: &str| -> Value {
        let op = operation(&doc, method, path);
        let mut m = serde_json::Map::new();
        for p in op["parameters"].as_array().unwrap() {
            m.insert(p["name"].as_str().unwrap().into(), p["schema"].clone());
        }
        Value::Object(m)
    };
    // Integers as integers, with the range `page` checks.
    let list = params("GET", "/v1/partners");
    assert_eq!(list["limit"]["type"], "integer");
    assert_eq!(
        (
            list["limit"]["minimum"].as_i64(),
            list["limit"]["maximum"].as_i64()
        ),
        (Some(1), Some(tollgate_store::MAX_PAGE_LIMIT))
    );
    assert_eq!(list["cursor"]["type"], "string");
    let quote = params("GET", "/v1/rate-tables/{name}/quote");
    assert_eq!(quote["duration_s"]["type"], "integer");
    assert_eq!(quote["name"]["type"], "string");
    // Enums where the handler refuses any other value with 422.
    let cdrs = params("GET", "/v1/cdrs");
    assert_eq!(cdrs["format"]["enum"], json!(["json", "csv"]));
    let numbers = params("GET", "/v1/numbers");
    assert_eq!(
        numbers["state"]["enum"].as_array().unwrap().len(),
        tollgate_core::numbers::NumberState::ALL.len()
    );
    let partner = &doc["components"]["schemas"]["PartnerIn"];
    assert_eq!(
        partner["properties"]["tier"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(partner["additionalProperties"], json!(false));
    // PUT of a guard policy requires every field; PATCH none.
    let put = &doc["components"]["schemas"]["PolicyInWhole"];
    let patch = &doc["components"]["schemas"]["PolicyIn"];
    assert_eq!(put["required"].as_array().unwrap().len(), 6);
    assert!(patch.get("required").is_none_or(|r| r == &json!([])));
}

/// The property names of component `name`.
fn properties(doc: &Value, name: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][name]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{name} has no properties"))
        .keys()
        .cloned()
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// CDR intake and the CDR list still build their answers as JSON values: their documented
/// types must name exactly the fields they send.
#[tokio::test]
async fn cdr_answers_built_as_json_have_exactly_the_documented_fields() {
    let t = setup().await;
    let doc = document();
    let (_, v) = t.get("/v1/billing-accounts", "customer_b").await;
    let acct = v["items"][0]["id"].as_str().unwrap().to_string();
    let csv = format!(
        "source,call_id,billing_account,from,to,start,end,duration_s\n\
         sbc,d1,{acct},+33170000001,+442079460000,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n\
         sbc,d2,{acct},+33170000001,not-a-number,2026-11-16T10:00:00Z,2026-11-16T10:02:00Z,95\n"
    );
    let op = t.token("operator").to_string();
    let (s, report, _) = t
        .call("POST", "/v1/cdrs", Some(&op), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(keys(&report), properties(&doc, "IngestReportOut"));
    assert_eq!(
        keys(&report["rejects"][0]),
        properties(&doc, "IngestRejectOut")
    );
    assert_eq!(
        keys(&report["totals"]["EUR"]),
        properties(&doc, "IngestTotalOut")
    );
    let (s, page) = t
        .get(&format!("/v1/cdrs?billing_account={acct}"), "customer_b")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(keys(&page), properties(&doc, "CdrOutPage"));
    assert_eq!(keys(&page["items"][0]), properties(&doc, "CdrOut"));
}
