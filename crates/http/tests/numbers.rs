//! HTTP tests of the numbers capability (T6-T14, B2, B11) over the real router and a real
//! SQLite store with the demo tenant.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tollgate_app::{App, Clock};
use tollgate_http::{router, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

struct T {
    app: App,
    tokens: BTreeMap<String, String>,
}

const NOW: i64 = 1_795_000_000; // 2026-11-17

async fn setup() -> T {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    let dir = std::env::temp_dir().join(format!("tg-http-{}", tollgate_app::ids::new_id("t")));
    let tokens = tollgate_app::demo::seed(&app, &dir).await.unwrap();
    T { app, tokens }
}

impl T {
    async fn call(
        &self,
        method: &str,
        path: &str,
        who: &str,
        ct: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.tokens[who]));
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
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str, who: &str) -> (StatusCode, Value) {
        self.call("GET", path, who, "", vec![]).await
    }

    async fn post(&self, path: &str, who: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            "POST",
            path,
            who,
            "application/json",
            body.to_string().into_bytes(),
        )
        .await
    }

    async fn id_of(&self, path: &str, who: &str, name: &str) -> String {
        let (_, v) = self.get(path, who).await;
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {v}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

fn e164s(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["e164"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn refused(v: &Value) -> (&str, &str, &str) {
    (
        v["error"]["code"].as_str().unwrap_or("?"),
        v["error"]["rule"].as_str().unwrap_or("?"),
        v["error"]["clause"].as_str().unwrap_or("?"),
    )
}

const PDF: &str = tollgate_app::numbers::DEMO_PDF_BASE64;

#[tokio::test]
async fn customers_see_only_their_numbers_and_partners_their_customers() {
    let t = setup().await;
    let (s, v) = t.get("/v1/numbers", "customer_a").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        e164s(&v),
        ["+33170000001", "+33170000002", "+33170000003"],
        "{v}"
    );
    let (_, v) = t.get("/v1/numbers", "customer_b").await;
    assert_eq!(e164s(&v), ["+31205550100"]);
    // A customer never sees the unassigned inventory; partners do (to reserve from it).
    let (_, v) = t.get("/v1/numbers?state=available", "customer_a").await;
    assert!(e164s(&v).is_empty());
    let (_, v) = t.get("/v1/numbers?state=available", "partner_bronze").await;
    assert_eq!(e164s(&v), ["+442079460101", "+442079460102"]);
    let (_, v) = t.get("/v1/numbers?state=active", "partner_bronze").await;
    assert_eq!(e164s(&v), ["+31205550100"]);
    let (_, v) = t.get("/v1/numbers?state=active", "partner_gold").await;
    let gold = e164s(&v);
    assert!(
        gold.contains(&"+33170000001".to_string())
            && gold.contains(&"+442079460100".to_string())
            && !gold.contains(&"+31205550100".to_string()),
        "{gold:?}"
    );
    // Another tenant's number, by id or by digits, looks exactly like a missing one.
    for path in ["/v1/numbers/31205550100", "/v1/numbers/31205550100/history"] {
        let (s, v) = t.get(path, "customer_a").await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{path}"
        );
    }
    let (s, v) = t.get("/v1/numbers/+33170000001", "customer_a").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["state"], "active");
    assert!(v["activation_date"].is_string());
    assert!(v["emergency_address"]["one_line"]
        .as_str()
        .unwrap()
        .contains("Paris"));
    // The port-in in progress belongs to Bayview Bakery.
    let (_, v) = t.get("/v1/port-ins", "customer_a").await;
    assert!(v["items"].as_array().unwrap().is_empty());
    let (_, v) = t.get("/v1/port-ins", "customer_b").await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["state"], "pending");
    let pid = items[0]["id"].as_str().unwrap();
    let (s, _) = t.get(&format!("/v1/port-ins/{pid}"), "customer_a").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .get(&format!("/v1/port-ins/{pid}"), "partner_bronze")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["document_requests"][0]["state"], "open");
    assert_eq!(v["partner_nonresponsive"], false);
}

#[tokio::test]
async fn t10_t13_activation_over_http_with_refusals_carrying_rule_and_clause() {
    let t = setup().await;
    let (s, v) = t
        .call(
            "POST",
            "/v1/numbers",
            "operator",
            "text/csv",
            b"e164,capabilities\n+33170000050,voice\n+999,voice\n".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["inserted"], 1);
    assert_eq!(v["rejected"][0]["line"], 3);
    assert_eq!(v["rejected"][0]["code"], "number_country_unsupported");
    let branch = t
        .id_of("/v1/billing-accounts", "customer_a", "Acme Dental Branch")
        .await;
    let n = "/v1/numbers/33170000050";
    let (s, v) = t
        .post(
            &format!("{n}/reserve"),
            "partner_gold",
            json!({"billing_account_id": branch}),
        )
        .await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("reserved")));
    let (s, v) = t
        .post(&format!("{n}/activate"), "partner_gold", json!({}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused(&v),
        ("provider_verification_missing", "T10", "X 15")
    );
    let (s, _) = t.post(&format!("{n}/verify"), "operator", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t
        .post(
            &format!("{n}/confirm"),
            "customer_a",
            json!({"method": "test_call"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = t
        .post(&format!("{n}/activate"), "partner_gold", json!({}))
        .await;
    assert_eq!(
        refused(&v),
        ("emergency_address_missing", "T13", "X 5.B.ii")
    );
    // Customers confirm and register addresses but do not activate.
    let (s, _) = t
        .post(&format!("{n}/activate"), "customer_a", json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let addr = json!({"street": "5 Rue du Bac", "city": "Paris", "postcode": "75007", "country": "FR", "floor": "1"});
    let (s, _) = t
        .post(
            &format!("{n}/emergency-address"),
            "customer_b",
            addr.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .post(
            &format!("{n}/emergency-address"),
            "customer_a",
            json!({"street": "5 Rue du Bac", "city": "Paris", "postcode": "75007", "country": "fr"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"].get("country").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (s, v) = t
        .post(&format!("{n}/emergency-address"), "customer_a", addr)
        .await;
    assert_eq!(
        (s, v["pending"].as_bool()),
        (StatusCode::CREATED, Some(false))
    );
    // T11: a French geographic number needs an identity document on file.
    let (_, v) = t
        .post(&format!("{n}/activate"), "partner_gold", json!({}))
        .await;
    assert_eq!(
        refused(&v),
        ("numbering_identity_document_required", "T11", "W 8.5")
    );
    let (s, v) = t
        .post(
            &format!("{n}/documents"),
            "partner_gold",
            json!({"kind": "identity", "filename": "id.zip", "content_type": "application/zip", "content_base64": PDF}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_type_not_allowed")
        )
    );
    let (s, _) = t
        .post(
            &format!("{n}/documents"),
            "partner_gold",
            json!({"kind": "identity", "filename": "id.pdf", "content_type": "application/pdf", "content_base64": PDF}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = t
        .post(&format!("{n}/activate"), "partner_gold", json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "active");
    assert_eq!(v["activation_date"], "2026-11-18T11:06:40Z");
    let (_, v) = t.get(&format!("{n}/history"), "customer_a").await;
    let last = v["transitions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["event"].as_str(),
            last["rule"].as_str(),
            last["clause"].as_str()
        ),
        (Some("activate"), Some("B2"), Some("W 7.9.1"))
    );
    assert!(last["actor"].as_str().unwrap().starts_with("user:"));
    // The address change of an active number is pending for 48 h.
    let (_, v) = t
        .post(
            &format!("{n}/emergency-address"),
            "customer_a",
            json!({"street": "9 Rue du Bac", "city": "Paris", "postcode": "75007", "country": "FR"}),
        )
        .await;
    assert_eq!(v["pending"], true);
    let (_, v) = t.get(n, "customer_a").await;
    assert_eq!(v["emergency_address"]["street"], "5 Rue du Bac");
    assert_eq!(v["pending_emergency_address"]["street"], "9 Rue du Bac");
}

#[tokio::test]
async fn t7_port_in_over_http_through_the_reseller() {
    let t = setup().await;
    let ba = t
        .id_of("/v1/billing-accounts", "customer_b", "Bayview Bakery")
        .await;
    let body = json!({
        "billing_account_id": ba, "holder": "Bayview Bakery B.V.",
        "service_address": {"street": "Prinsengracht 1", "city": "Amsterdam", "postcode": "1015 DK", "country": "NL"},
        "losing_provider": "Old Dutch Telecom", "account_number": "ODT-1", "signatory": "A. Baker",
        "existing_service_active": true, "numbers": ["+31205550190"],
    });
    // Customers request port-ins through their reseller (T7).
    let (s, _) = t.post("/v1/port-ins", "customer_b", body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t.post("/v1/port-ins", "partner_gold", body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY); // not its customer's account
    let (s, v) = t.post("/v1/port-ins", "partner_bronze", body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let p = format!("/v1/port-ins/{id}");
    let (_, v) = t
        .post(&format!("{p}/submit"), "partner_bronze", json!({}))
        .await;
    assert_eq!(refused(&v), ("loa_document_missing", "T7", "X 15.A-E"));
    let (s, v) = t
        .post(
            &format!("{p}/documents"),
            "partner_bronze",
            json!({"kind": "loa", "filename": "loa.png", "content_type": "image/png", "content_base64": PDF}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_content_mismatch")
        )
    );
    let (s, _) = t
        .post(
            &format!("{p}/documents"),
            "partner_bronze",
            json!({"kind": "loa", "filename": "loa.pdf", "content_type": "application/pdf", "content_base64": PDF}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = t
        .post(&format!("{p}/submit"), "partner_bronze", json!({}))
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("submitted"))
    );
    let (s, _) = t
        .post(&format!("{p}/accept"), "partner_bronze", json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, v) = t.post(&format!("{p}/accept"), "operator", json!({})).await;
    assert_eq!(v["state"], "pending");
    let (_, v) = t
        .post(
            &format!("{p}/schedule"),
            "operator",
            json!({"foc_date": "2026-11-20T09:00:00Z"}),
        )
        .await;
    assert_eq!(
        (v["state"].as_str(), v["foc_date"].as_str()),
        (Some("scheduled"), Some("2026-11-20T09:00:00Z"))
    );
    let (_, v) = t
        .post(&format!("{p}/complete"), "operator", json!({}))
        .await;
    assert_eq!(refused(&v), ("foc_date_not_reached", "T7", "X 15.A-E"));
    t.app.clock.advance(4 * 86_400);
    let (s, v) = t
        .post(&format!("{p}/complete"), "operator", json!({}))
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("completed")),
        "{v}"
    );
    let (_, v) = t.get("/v1/numbers/31205550190", "customer_b").await;
    assert_eq!(
        (v["state"].as_str(), v["origin"].as_str()),
        (Some("active"), Some("port_in"))
    );
    assert_eq!(v["emergency_address"]["street"], "Prinsengracht 1");
}

#[tokio::test]
async fn t13_acknowledgement_text_version_and_contacts() {
    let t = setup().await;
    let (_, v) = t
        .get("/v1/emergency-acknowledgements/text", "customer_b")
        .await;
    let version = v["text_version"].as_str().unwrap().to_string();
    assert_eq!(v["address_change_pending_h"], 48);
    let cid = t
        .id_of("/v1/customers", "customer_b", "Bayview Bakery")
        .await;
    let (s, v) = t
        .post(
            "/v1/emergency-acknowledgements",
            "customer_b",
            json!({"customer_id": cid, "text_version": "1999-01", "signer_name": "A. Baker"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("ack_text_version_outdated")
        )
    );
    let (s, v) = t
        .post(
            "/v1/emergency-acknowledgements",
            "customer_b",
            json!({"customer_id": cid, "text_version": version, "signer_name": "A. Baker"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(v["acknowledged_by"].as_str().unwrap().starts_with("user:"));
    let (_, v) = t
        .get(
            &format!("/v1/emergency-acknowledgements?customer_id={cid}"),
            "customer_b",
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2); // the demo's and this one
    let (s, _) = t
        .get(
            &format!("/v1/emergency-acknowledgements?customer_id={cid}"),
            "customer_a",
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .post(
            "/v1/emergency-contacts",
            "customer_b",
            json!({"customer_id": cid, "name": "Night baker", "email": "not-an-email"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email_invalid"))
    );
    // T14 over HTTP: x-hoppers numbers are never trunked.
    let (s, v) = t
        .post(
            "/v1/numbers/442079460100/routing",
            "partner_gold",
            json!({"routing": "forward_pbx"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused(&v), ("trunking_not_allowed", "T14", "X 14.B"));
}

#[tokio::test]
async fn i11_1_2_port_ins_neither_block_nor_reveal_another_tenants_numbers() {
    let t = setup().await;
    let gold_ba = t
        .id_of("/v1/billing-accounts", "customer_a", "Acme Dental HQ")
        .await;
    let bronze_ba = t
        .id_of("/v1/billing-accounts", "customer_b", "Bayview Bakery")
        .await;
    let body = |ba: &str, number: &str| {
        json!({
            "billing_account_id": ba, "holder": "Holder", "losing_provider": "Old Telco",
            "service_address": {"street": "Prinsengracht 1", "city": "Amsterdam", "postcode": "1015 DK", "country": "NL"},
            "account_number": "OT-9", "signatory": "A. Signer", "existing_service_active": true,
            "numbers": [number],
        })
    };
    // 1. partner_gold leaves a draft for a number; partner_bronze can still port it.
    let (s, v) = t
        .post(
            "/v1/port-ins",
            "partner_gold",
            body(&gold_ba, "+31205550177"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = t
        .post(
            "/v1/port-ins",
            "partner_bronze",
            body(&bronze_ba, "+31205550177"),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "a draft of another tenant holds nothing: {v}"
    );
    // 2. A number another tenant is served with gets exactly the answer of a number nobody
    // holds here (a draft is created); the operator alone learns of the conflict, and
    // completing the port is refused while the other tenant holds the number.
    let (s, v) = t
        .post(
            "/v1/port-ins",
            "partner_bronze",
            body(&bronze_ba, "+33170000001"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(!v.to_string().contains("served"), "{v}");
    let pin = v["id"].as_str().unwrap().to_string();
    let mut seen = false;
    let mut cursor = String::new();
    loop {
        let (s, page) = t
            .get(&format!("/v1/audit-log?limit=500{cursor}"), "operator")
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        seen |= items
            .iter()
            .any(|e| e["action"] == "port_in.held_elsewhere" && e["target"] == pin.as_str());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert!(seen, "the operator sees the conflict on the audit log");
    // Its own served number, the tenant may be told about.
    let (_, v) = t
        .post(
            "/v1/port-ins",
            "partner_gold",
            body(&gold_ba, "+33170000001"),
        )
        .await;
    assert_eq!(v["error"]["code"], "number_already_served");
    // A number in the provider's own available inventory is not a port.
    let sys = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let line = tollgate_app::numbers::NumberImportLine {
        e164: "+31205550166".into(),
        capabilities: None,
    };
    let report = t.app.import_numbers(&sys, vec![line], 1).await.unwrap();
    assert_eq!(report.inserted.len(), 1, "{:?}", report.rejected);
    let (_, v) = t
        .post(
            "/v1/port-ins",
            "partner_bronze",
            body(&bronze_ba, "+31205550166"),
        )
        .await;
    assert_eq!(v["error"]["code"], "number_in_inventory", "{v}");
}
