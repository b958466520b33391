//! Tollgate's HTTP edge: the JSON API under `/v1`, `/openapi.json` and `/docs` generated from
//! the same route table, health checks and the landing page.
//!
//! Architecture invariant: every route is declared once, in [`api!`]; the declaration mounts
//! the handler, wraps it with the authorization check for its permission and describes it in
//! the OpenAPI document, so the three cannot drift apart.

pub mod error;
pub mod extract;
pub mod handlers;
pub mod openapi;
pub mod rating_handlers;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::{Json, Router};
use tollgate_app::{Actor, App, AppError};
use tollgate_core::tenancy::Permission;

use crate::error::{for_status, ApiError, ErrorBody};

/// Largest request body by default (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Largest body on bulk routes (CDR batches, rate tables): 256 MiB.
pub const BULK_MAX_BODY_BYTES: usize = 256 << 20;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed (health, docs, login).
    Public,
    /// A valid bearer token whose role has this permission.
    Perm(Permission),
}

/// One route, as the OpenAPI document and the authorization matrix see it.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    /// Query parameters.
    pub query: &'static [&'static str],
    /// JSON Schema of the request body (JSON text), or "" when none / not JSON.
    pub body: &'static str,
    pub bulk: bool,
}

/// The request id, generated per request and echoed in `x-request-id` and every error.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The peer address (IP) of the request, or `unknown`.
#[derive(Debug, Clone)]
pub struct SourceAddr(pub String);

macro_rules! api {
    ($( $m:ident $path:literal => $handler:path, $access:expr, $summary:literal, query: $query:expr, body: $body:expr, bulk: $bulk:expr; )*) => {
        /// Every route of the API.
        pub const ROUTES: &[RouteSpec] = &[$(RouteSpec {
            method: method_name(stringify!($m)), path: $path, access: $access, summary: $summary,
            query: $query, body: $body, bulk: $bulk,
        }),*];

        fn mount(app: &App, max_body: usize) -> Router<App> {
            let mut r = Router::new();
            $(
                let mr: MethodRouter<App> = axum::routing::$m($handler);
                let limit = if $bulk { BULK_MAX_BODY_BYTES } else { max_body };
                r = r.route($path, guard(app, $access, mr).layer(DefaultBodyLimit::max(limit)));
            )*
            r
        }
    };
}

const fn method_name(m: &'static str) -> &'static str {
    match m.as_bytes() {
        b"get" => "GET",
        b"post" => "POST",
        b"put" => "PUT",
        b"delete" => "DELETE",
        _ => "PATCH",
    }
}

use handlers as h;
use rating_handlers as rh;
use Access::{Perm, Public};
use Permission as P;

api! {
    get "/healthz" => healthz, Public, "Liveness: the process answers.", query: &[], body: "", bulk: false;
    get "/readyz" => readyz, Public, "Readiness: the database answers.", query: &[], body: "", bulk: false;
    get "/openapi.json" => openapi::document, Public, "This OpenAPI document.", query: &[], body: "", bulk: false;
    get "/docs" => openapi::docs_page, Public, "Human-readable API reference.", query: &[], body: "", bulk: false;
    get "/" => landing, Public, "Landing page.", query: &[], body: "", bulk: false;
    post "/auth/login" => h::login, Public, "Log in with e-mail, password and TOTP code (A3); returns a session token. Repeated failures are rate limited.", query: &[],
        body: r#"{"type":"object","required":["email","password"],"properties":{"email":{"type":"string"},"password":{"type":"string"},"totp":{"type":"string"}}}"#, bulk: false;
    post "/auth/reset-password" => h::reset_password, Public, "Set a new password with the one-time token sent after A2.", query: &[],
        body: r#"{"type":"object","required":["token","password"],"properties":{"token":{"type":"string"},"password":{"type":"string"}}}"#, bulk: false;
    get "/v1/me" => h::me, Perm(P::SelfRead), "Who the token belongs to.", query: &[], body: "", bulk: false;
    post "/v1/me/logout" => h::logout, Perm(P::SelfRead), "Revoke the credential used for this request.", query: &[], body: "", bulk: false;
    post "/v1/me/totp" => h::totp_enroll, Perm(P::SelfRead), "Start TOTP enrolment (A3): returns the secret.", query: &[], body: "", bulk: false;
    post "/v1/me/totp/confirm" => h::totp_confirm, Perm(P::SelfRead), "Confirm TOTP with a first code; logins then need one.", query: &[],
        body: r#"{"type":"object","required":["code"],"properties":{"code":{"type":"string"}}}"#, bulk: false;
    get "/v1/partners" => h::list_partners, Perm(P::PartnersRead), "Partners in scope.", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/partners" => h::create_partner, Perm(P::PartnersWrite), "Create a partner (P1, P3).", query: &[],
        body: r#"{"type":"object","required":["name","tier"],"properties":{"name":{"type":"string"},"tier":{"type":"string","enum":["diamond","platinum","gold_plus","gold","silver","bronze","reseller"]},"assigned_partner_id":{"type":"string"}}}"#, bulk: false;
    get "/v1/partners/{id}" => h::get_partner, Perm(P::PartnersRead), "One partner.", query: &[], body: "", bulk: false;
    get "/v1/customers" => h::list_customers, Perm(P::CustomersRead), "Customers in scope.", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/customers" => h::create_customer, Perm(P::CustomersWrite), "Create a customer and its agreement under a terms profile.", query: &[],
        body: r#"{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"partner_id":{"type":"string"},"terms_profile":{"type":"string"},"terms_version":{"type":"integer"}}}"#, bulk: false;
    get "/v1/customers/{id}" => h::get_customer, Perm(P::CustomersRead), "One customer with its agreement.", query: &[], body: "", bulk: false;
    get "/v1/billing-accounts" => h::list_billing_accounts, Perm(P::CustomersRead), "Billing accounts in scope (P2).", query: &["customer_id", "limit", "cursor"], body: "", bulk: false;
    post "/v1/billing-accounts" => h::create_billing_account, Perm(P::CustomersWrite), "Create a billing account (P2, B1).", query: &[],
        body: r#"{"type":"object","required":["customer_id","name","currency"],"properties":{"customer_id":{"type":"string"},"name":{"type":"string"},"currency":{"type":"string"},"rate_table":{"type":"string"}}}"#, bulk: false;
    get "/v1/users" => h::list_users, Perm(P::UsersRead), "Users in scope.", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/users" => h::create_user, Perm(P::UsersWrite), "Create a user at your level or below.", query: &[],
        body: r#"{"type":"object","required":["email","name","role"],"properties":{"email":{"type":"string"},"name":{"type":"string"},"role":{"type":"string"},"partner_id":{"type":"string"},"customer_id":{"type":"string"},"password":{"type":"string"}}}"#, bulk: false;
    post "/v1/users/{id}/credentials-lost" => h::credentials_lost, Perm(P::TokensManage), "A2: credentials lost or stolen: revoke every token and session of the user at once.", query: &[], body: "", bulk: false;
    get "/v1/tokens" => h::list_tokens, Perm(P::TokensManage), "API tokens you may manage (never the secret).", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/tokens" => h::create_token, Perm(P::TokensManage), "Create an API token; the secret is shown once.", query: &[],
        body: r#"{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"user_id":{"type":"string"},"expires_in_days":{"type":"integer"}}}"#, bulk: false;
    delete "/v1/tokens/{id}" => h::revoke_token, Perm(P::TokensManage), "Revoke an API token.", query: &[], body: "", bulk: false;
    get "/v1/terms-profiles" => h::list_terms_profiles, Perm(P::TermsRead), "Terms profiles (versioned data).", query: &[], body: "", bulk: false;
    get "/v1/audit-log" => h::list_audit, Perm(P::AuditRead), "The append-only audit log.", query: &["limit", "cursor"], body: "", bulk: false;
    get "/v1/rate-tables" => rh::list_rate_tables, Perm(P::RatesRead), "Rate tables and their versions.", query: &[], body: "", bulk: false;
    put "/v1/rate-tables/{name}" => rh::import_rate_table, Perm(P::RatesWrite), "Import a CSV rate table as a new version (history is kept).", query: &[], body: "", bulk: true;
    get "/v1/rate-tables/{name}/quote" => rh::quote, Perm(P::RatesRead), "Price a call: longest prefix valid at `at` (B4).", query: &["number", "at", "duration_s"], body: "", bulk: false;
    post "/v1/cdrs" => rh::ingest_cdrs, Perm(P::CdrsWrite), "Ingest CDRs (JSON array, NDJSON or CSV); idempotent by (source, call_id).", query: &["source"], body: "", bulk: true;
    get "/v1/cdrs" => rh::list_cdrs, Perm(P::CdrsRead), "Rated calls in scope (T12).", query: &["billing_account", "from", "to", "limit", "cursor", "format"], body: "", bulk: false;
    get "/v1/cdrs/rejects" => rh::list_rejects, Perm(P::CdrsWrite), "CDR lines refused at intake, with line number and code.", query: &["limit", "cursor"], body: "", bulk: false;
}

/// Wraps a route with the authorization check of its access.
fn guard(app: &App, access: Access, mr: MethodRouter<App>) -> MethodRouter<App> {
    match access {
        Access::Public => mr,
        Access::Perm(p) => {
            mr.route_layer(middleware::from_fn_with_state((app.clone(), p), authorize))
        }
    }
}

/// Authenticates the bearer token and authorizes the route's permission, once, for every
/// `/v1` route; the handler gets the resulting [`tollgate_app::Caller`].
async fn authorize(
    State((app, perm)): State<(App, Permission)>,
    mut req: Request,
    next: Next,
) -> Response {
    let rid = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let source = req
        .extensions()
        .get::<SourceAddr>()
        .map(|s| s.0.clone())
        .unwrap_or_default();
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .map(str::to_string);
    let Some(token) = token else {
        return ApiError::from(AppError::Unauthenticated {
            code: "unauthenticated",
            message: "send `Authorization: Bearer <token>`".into(),
        })
        .into_response();
    };
    let result = async {
        let principal = app.authenticate(&token).await?;
        let actor = Actor {
            actor: format!("user:{}", principal.user_id),
            source,
            request_id: rid,
        };
        app.authorize(principal, perm, actor).await
    }
    .await;
    match result {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Outermost middleware: request id, peer address, and the one error shape.
async fn request_context(mut req: Request, next: Next) -> Response {
    let rid = tollgate_app::ids::new_id("req");
    let source = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(RequestId(rid.clone()));
    req.extensions_mut().insert(SourceAddr(source));
    let mut res = next.run(req).await;
    if let Some(body) = res.extensions_mut().remove::<ErrorBody>() {
        res = body.render(&rid);
    } else if (res.status().is_client_error() || res.status().is_server_error())
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|c| c != "application/json")
    {
        res = for_status(res.status()).render(&rid);
    }
    if let Ok(v) = HeaderValue::from_str(&rid) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The whole HTTP application.
pub fn router(app: App, max_body_bytes: usize) -> Router {
    mount(&app, max_body_bytes)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(middleware::from_fn(request_context))
        .with_state(app)
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn readyz(State(app): State<App>) -> Response {
    match app.store.ping().await {
        Ok(()) => {
            Json(serde_json::json!({"status": "ready", "database": app.store.backend().as_str()}))
                .into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            ApiError::new(ErrorBody::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unreachable",
                "the database does not answer",
            ))
            .into_response()
        }
    }
}

async fn landing(State(app): State<App>) -> Html<String> {
    let profiles: String = app
        .terms
        .all()
        .iter()
        .map(|p| {
            format!(
                "<li><code>{}</code> v{}: {}</li>",
                p.id,
                p.version,
                openapi::escape(&p.title)
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Tollgate</title>{style}</head><body>\
         <h1>Tollgate</h1><p>Operations platform for cloud telephony providers and their partners: \
         every call admitted or refused against the contract, priced at the rate in effect, explained by its clause.</p>\
         <ul><li><a href=/docs>API reference</a> (<a href=/openapi.json>OpenAPI</a>)</li>\
         <li><a href=/healthz>/healthz</a> · <a href=/readyz>/readyz</a></li></ul>\
         <h2>Terms profiles</h2><ul>{profiles}</ul><p>Database: {db}</p></body></html>",
        style = openapi::STYLE,
        db = app.store.backend().as_str()
    ))
}
