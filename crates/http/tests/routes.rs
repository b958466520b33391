//! HTTP API: the route table (every route needs a token, the role × route matrix,
//! the OpenAPI document and docs page).

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use tollgate_core::tenancy::Role;
use tollgate_http::{Access, ROUTES};

use common::*;

/// `/v1` routes that take no user token by design: a staff device's token (checked by the
/// handler), a video source's signature, or nobody's (a shopper's scan of a QR code).
const NOT_USER_TOKEN: &[(&str, &str)] = &[
    ("GET", "/v1/frontline/me"),
    ("POST", "/v1/frontline/me/join"),
    ("POST", "/v1/frontline/me/leave"),
    ("POST", "/v1/frontline/me/requests"),
    ("GET", "/v1/frontline/me/live"),
    ("POST", "/v1/frontline/notifications/{id}/accept"),
    ("POST", "/v1/frontline/video/{id}/alerts"),
    ("POST", "/v1/frontline/call-points/{code}/scan"),
];

#[tokio::test]
async fn routes_without_a_user_token_still_need_their_own_credential() {
    let t = setup().await;
    for (method, path) in NOT_USER_TOKEN {
        let r = ROUTES
            .iter()
            .find(|r| r.method == *method && r.path == *path)
            .unwrap();
        assert!(matches!(r.access, Access::Public), "{method} {path}");
        let (s, v, _) = t.call(method, &concrete(path), None, "", vec![]).await;
        let expected = if path.ends_with("/scan") {
            // Public: an unknown code is simply not found.
            StatusCode::NOT_FOUND
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(s, expected, "{method} {path}: {v}");
        // A user's token is not a device's credential.
        let (s, _, _) = t
            .call(
                method,
                &concrete(path),
                Some(t.token("operator")),
                "",
                vec![],
            )
            .await;
        assert_eq!(s, expected, "{method} {path} with a user's token");
    }
}

#[tokio::test]
async fn every_v1_route_answers_401_without_a_token() {
    let t = setup().await;
    let mut n = 0;
    for r in ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/v1/") && !NOT_USER_TOKEN.contains(&(r.method, r.path)))
    {
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
    const SENDERS: &[&str] = &[
        "operator_admin",
        "partner_admin",
        "partner_agent",
        "customer_admin",
        "customer_user",
    ];
    const SUSPEND: &[&str] = &["operator_admin", "operator_support", "partner_admin"];
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
    const CATALOG_WRITE: &[&str] = &["operator_admin", "operator_billing", "partner_admin"];
    const ORDERS_WRITE: &[&str] = &[
        "operator_admin",
        "operator_billing",
        "partner_admin",
        "partner_agent",
    ];
    const PAYMENTS: &[&str] = &["operator_admin", "operator_billing", "partner_admin"];
    const DISPUTES: &[&str] = &[
        "operator_admin",
        "operator_billing",
        "partner_admin",
        "customer_admin",
    ];
    const ORDERS_EXECUTE: &[&str] = &["operator_admin", "partner_admin", "customer_admin"];
    const HARDWARE_WRITE: &[&str] = &[
        "operator_admin",
        "operator_support",
        "partner_admin",
        "partner_agent",
        "customer_admin",
    ];
    const FRONTLINE_WRITE: &[&str] = HARDWARE_WRITE;
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
        (("POST", "/v1/billing-accounts/{id}/suspensions"), SUSPEND),
        (("POST", "/v1/suspensions/{id}/reactivate"), SUSPEND),
        (("GET", "/v1/billing-accounts/{id}/guard-policy"), ALL),
        (("PUT", "/v1/billing-accounts/{id}/guard-policy"), AUDIT),
        (("PATCH", "/v1/billing-accounts/{id}/guard-policy"), AUDIT),
        (
            ("POST", "/v1/billing-accounts/{id}/announcements"),
            ANNOUNCE,
        ),
        (("GET", "/v1/products"), ALL),
        (("POST", "/v1/products"), CATALOG_WRITE),
        (("GET", "/v1/price-lists"), ALL),
        (("POST", "/v1/price-lists"), CATALOG_WRITE),
        (("GET", "/v1/price-lists/{id}"), ALL),
        (("POST", "/v1/price-lists/{id}/versions"), CATALOG_WRITE),
        (("GET", "/v1/tax-rates"), ALL),
        (("POST", "/v1/tax-rates"), CATALOG_WRITE),
        (
            ("PUT", "/v1/billing-accounts/{id}/billing-details"),
            CREATE_CUSTOMERS,
        ),
        (("PUT", "/v1/partners/{id}/billing-details"), CATALOG_WRITE),
        (("PUT", "/v1/operator/billing-details"), CATALOG_WRITE),
        (("GET", "/v1/orders"), ALL),
        (("POST", "/v1/orders"), ORDERS_WRITE),
        (("GET", "/v1/orders/{id}"), ALL),
        (("POST", "/v1/orders/{id}/execute"), ORDERS_EXECUTE),
        (("POST", "/v1/orders/{id}/accept"), BILLING),
        (("POST", "/v1/orders/{id}/fulfil"), BILLING),
        (("POST", "/v1/orders/{id}/cancel"), ORDERS_WRITE),
        (("GET", "/v1/subscriptions"), ALL),
        (("GET", "/v1/subscriptions/{id}"), ALL),
        (
            ("POST", "/v1/subscriptions/{id}/non-renewal"),
            ORDERS_EXECUTE,
        ),
        (
            ("POST", "/v1/subscriptions/{id}/price-changes"),
            ORDERS_WRITE,
        ),
        (("GET", "/v1/billing/runs"), BILLING),
        (("POST", "/v1/billing/runs"), BILLING),
        (("GET", "/v1/invoices"), ALL),
        (("GET", "/v1/invoices/{id}"), ALL),
        (("GET", "/v1/ledger/verify"), BILLING),
        (("GET", "/v1/payments"), ALL),
        (("POST", "/v1/payments"), PAYMENTS),
        (("POST", "/v1/payments/{id}/decline"), PAYMENTS),
        (("GET", "/v1/disputes"), ALL),
        (("POST", "/v1/invoices/{id}/disputes"), DISPUTES),
        (("POST", "/v1/disputes/{id}/resolve"), PAYMENTS),
        (("GET", "/v1/credit-notes"), ALL),
        (("GET", "/v1/billing-credits"), ALL),
        (("GET", "/v1/billing-accounts/{id}/statement"), ALL),
        (("GET", "/v1/receivables/aged"), PAYMENTS),
        (("POST", "/v1/subscriptions/{id}/cancel"), ORDERS_EXECUTE),
        (("PUT", "/v1/dunning-policy"), PAYMENTS),
        (("PUT", "/v1/interest-caps"), BILLING),
        (("POST", "/v1/subscriptions/{id}/quantity"), ORDERS_WRITE),
        (
            ("POST", "/v1/billing-accounts/{id}/terminate"),
            ORDERS_EXECUTE,
        ),
        (("GET", "/v1/outbox"), AUDIT),
        (("POST", "/v1/outbox/{id}/requeue"), AUDIT),
        (("GET", "/v1/webhooks"), AUDIT),
        (("POST", "/v1/webhooks"), AUDIT),
        (("DELETE", "/v1/webhooks/{id}"), AUDIT),
        (("GET", "/v1/tickets"), ALL),
        (("POST", "/v1/tickets"), ALL),
        (("GET", "/v1/tickets/{id}"), ALL),
        (("POST", "/v1/tickets/{id}/messages"), ALL),
        (("POST", "/v1/tickets/{id}/attachments"), ALL),
        (("GET", "/v1/tickets/{id}/attachments"), ALL),
        (("POST", "/v1/tickets/{id}/state"), AUDIT),
        (("POST", "/v1/tickets/{id}/cos"), AUDIT),
        (("POST", "/v1/tickets/{id}/assign"), AUDIT),
        (("POST", "/v1/tickets/{id}/feedback"), ALL),
        (("POST", "/v1/tickets/{id}/contact-customer"), AUDIT),
        (("GET", "/v1/support/suggestions"), ALL),
        (("GET", "/v1/support/articles/{slug}"), ALL),
        (("GET", "/v1/support/holidays"), ALL),
        (("GET", "/v1/support/report"), ALL),
        (("PUT", "/v1/support/holidays"), AUDIT),
        (("PUT", "/v1/partners/{id}/support-region"), AUDIT),
        (("POST", "/v1/support/inbound-mail"), AUDIT),
        (("POST", "/v1/messages"), SENDERS),
        (("GET", "/v1/messages"), ALL),
        (("GET", "/v1/messages/{id}"), ALL),
        (("POST", "/v1/messages/inbound"), AUDIT),
        (("POST", "/v1/messages/receipts"), AUDIT),
        (("POST", "/v1/messages/{id}/review"), AUDIT),
        (("POST", "/v1/messaging/consents"), NUMBERS_CUSTOMER),
        (("GET", "/v1/messaging/consents"), ALL),
        (("POST", "/v1/messaging/consents/erase"), NUMBERS_CUSTOMER),
        (("POST", "/v1/messaging/suppressions"), NUMBERS_CUSTOMER),
        (("GET", "/v1/messaging/suppressions"), ALL),
        (
            ("DELETE", "/v1/messaging/suppressions/{id}"),
            NUMBERS_CUSTOMER,
        ),
        (("POST", "/v1/messaging/registrations"), ADMINS),
        (("GET", "/v1/messaging/registrations"), ALL),
        (("POST", "/v1/messaging/registrations/{id}/status"), AUDIT),
        (("PUT", "/v1/billing-accounts/{id}/messaging-price"), AUDIT),
        (("POST", "/v1/messaging/usage-close"), BILLING),
        (("GET", "/v1/messaging/export"), ALL),
        (("GET", "/v1/assurance/services"), ALL),
        (("POST", "/v1/assurance/services"), AUDIT),
        (("GET", "/v1/assurance/components"), ALL),
        (("POST", "/v1/assurance/components"), AUDIT),
        (("GET", "/v1/customers/{id}/components"), ALL),
        (("PUT", "/v1/customers/{id}/components"), AUDIT),
        (("GET", "/v1/assurance/probes"), AUDIT),
        (("POST", "/v1/assurance/probes"), AUDIT),
        (("POST", "/v1/assurance/probes/{id}/enabled"), AUDIT),
        (("GET", "/v1/assurance/probes/{id}/results"), AUDIT),
        (("POST", "/v1/assurance/probes/run"), AUDIT),
        (("GET", "/v1/assurance/incidents"), ALL),
        (("POST", "/v1/assurance/incidents"), AUDIT),
        (("GET", "/v1/assurance/incidents/{id}"), ALL),
        (("POST", "/v1/assurance/incidents/{id}/updates"), AUDIT),
        (("GET", "/v1/assurance/maintenance"), ALL),
        (("POST", "/v1/assurance/maintenance"), AUDIT),
        (("POST", "/v1/assurance/maintenance/{id}/notice"), AUDIT),
        (("POST", "/v1/assurance/maintenance/{id}/cancel"), AUDIT),
        (("GET", "/v1/assurance/availability"), ALL),
        (("GET", "/v1/assurance/availability/month"), ALL),
        (("POST", "/v1/assurance/availability/publish"), AUDIT),
        (("GET", "/v1/assurance/restoration"), ALL),
        (("POST", "/v1/sla/close"), BILLING),
        (("GET", "/v1/sla/credits"), ALL),
        (("GET", "/v1/hardware/models"), ALL),
        (("POST", "/v1/hardware/models"), AUDIT),
        (("POST", "/v1/hardware/models/{id}/upgrade"), AUDIT),
        (("GET", "/v1/hardware/devices"), ALL),
        (("GET", "/v1/hardware/devices/{id}"), ALL),
        (("GET", "/v1/hardware/devices/{id}/warranty"), ALL),
        (("GET", "/v1/hardware/devices/{id}/documents"), ALL),
        (
            ("POST", "/v1/hardware/devices/{id}/documents"),
            HARDWARE_WRITE,
        ),
        (("POST", "/v1/hardware/devices/{id}/reduce"), HARDWARE_WRITE),
        (
            ("POST", "/v1/hardware/devices/{id}/exchange"),
            HARDWARE_WRITE,
        ),
        (("POST", "/v1/hardware/devices/{id}/return"), AUDIT),
        (("POST", "/v1/hardware/devices/{id}/operational"), AUDIT),
        (
            ("POST", "/v1/hardware/devices/{id}/convert"),
            HARDWARE_WRITE,
        ),
        (("GET", "/v1/hardware/leases"), ALL),
        (("POST", "/v1/hardware/leases"), AUDIT),
        (("GET", "/v1/hardware/leases/{id}"), ALL),
        (("POST", "/v1/hardware/leases/{id}/devices"), AUDIT),
        (("POST", "/v1/hardware/leases/{id}/end"), HARDWARE_WRITE),
        (("POST", "/v1/hardware/leases/{id}/settle"), AUDIT),
        (("GET", "/v1/hardware/claims"), ALL),
        (("POST", "/v1/hardware/claims"), HARDWARE_WRITE),
        (("POST", "/v1/hardware/claims/{id}/ship"), AUDIT),
        (("POST", "/v1/hardware/sales"), AUDIT),
        (("GET", "/v1/hardware/rmas"), ALL),
        (("POST", "/v1/hardware/rmas"), HARDWARE_WRITE),
        (("POST", "/v1/hardware/rmas/{id}/label"), HARDWARE_WRITE),
        (("POST", "/v1/hardware/rmas/{id}/state"), AUDIT),
        (("GET", "/v1/frontline/stores"), ALL),
        (("POST", "/v1/frontline/stores"), FRONTLINE_WRITE),
        (("GET", "/v1/frontline/stores/{id}"), ALL),
        (("POST", "/v1/frontline/stores/{id}/seats"), FRONTLINE_WRITE),
        (
            ("POST", "/v1/frontline/stores/{id}/manager"),
            FRONTLINE_WRITE,
        ),
        (("GET", "/v1/frontline/broadcasts"), ALL),
        (("POST", "/v1/frontline/broadcasts"), FRONTLINE_WRITE),
        (("GET", "/v1/frontline/broadcasts/{id}/queue"), ALL),
        (("GET", "/v1/frontline/staff"), ALL),
        (("POST", "/v1/frontline/staff"), FRONTLINE_WRITE),
        (("POST", "/v1/frontline/staff/{id}/active"), FRONTLINE_WRITE),
        (("GET", "/v1/frontline/call-points"), ALL),
        (("POST", "/v1/frontline/call-points"), FRONTLINE_WRITE),
        (
            ("POST", "/v1/frontline/call-points/{id}/active"),
            FRONTLINE_WRITE,
        ),
        (("GET", "/v1/frontline/video-sources"), ALL),
        (("POST", "/v1/frontline/video-sources"), FRONTLINE_WRITE),
        (
            ("POST", "/v1/frontline/video-sources/{id}/active"),
            FRONTLINE_WRITE,
        ),
        (
            ("POST", "/v1/frontline/video-sources/{id}/secret"),
            FRONTLINE_WRITE,
        ),
        (("GET", "/v1/frontline/notifications"), ALL),
        (("GET", "/v1/frontline/notifications/{id}"), ALL),
        (("GET", "/v1/frontline/stats"), ALL),
        (("GET", "/v1/frontline/stats.csv"), ALL),
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
    for r in ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/v1/") && !NOT_USER_TOKEN.contains(&(r.method, r.path)))
    {
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
        ROUTES.iter().filter(|r| r.path.starts_with("/v1/")).count() - NOT_USER_TOKEN.len(),
        "matrix has lines for routes that no longer exist"
    );
}

#[tokio::test]
async fn openapi_lists_every_route_and_docs_render() {
    let t = setup().await;
    let (s, v, _) = t.call("GET", "/openapi.json", None, "", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    for r in ROUTES.iter() {
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
