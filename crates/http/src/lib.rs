//! Tollgate's HTTP edge: the JSON API under `/v1`, `/openapi.json` and `/docs` generated from
//! the same route table, health checks and the landing page.
//!
//! Architecture invariant: every route is declared once, in [`api!`]; the declaration mounts
//! the handler, wraps it with the authorization check for its permission and describes it in
//! the OpenAPI document (method, path, access and summary from the table; parameters, body
//! and answers from the handler's own types, see [`openapi::doc`]), so they cannot drift
//! apart.

pub mod error;
pub mod extract;
pub mod guard_handlers;
pub mod openapi;
pub mod routes;
pub mod wire;

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
    /// Takes a bulk body (up to [`BULK_MAX_BODY_BYTES`]).
    pub bulk: bool,
    /// The typed description: the handler's parameters, body and answers, then what the
    /// route's `doc:` clause adds.
    doc: fn(&RouteSpec) -> openapi::doc::OpDoc,
}

impl RouteSpec {
    /// The operation as `/openapi.json` documents it.
    pub fn describe(&self) -> openapi::doc::OpDoc {
        (self.doc)(self)
    }
}

/// The request id, generated per request and echoed in `x-request-id` and every error.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The peer address (IP) of the request, or `unknown`.
#[derive(Debug, Clone)]
pub struct SourceAddr(pub String);

/// The route table: `method "path" => handler, access, "summary"`, then `bulk: true` for a
/// bulk body and `doc: |d| ...` for what the handler's types cannot say (another media
/// type, a status its type does not carry).
macro_rules! api {
    (@doc) => { |d| d };
    (@doc $doc:expr) => { $doc };
    ($( $m:ident $path:literal => $handler:path, $access:expr, $summary:literal $(, bulk: $bulk:literal)? $(, doc: $doc:expr)?; )*) => {
        /// Every route of the API.
        pub const ROUTES: &[RouteSpec] = &[$(RouteSpec {
            method: method_name(stringify!($m)), path: $path, access: $access, summary: $summary,
            bulk: false $(|| $bulk)?,
            doc: |r| openapi::doc::describe(r, &$handler, api!(@doc $($doc)?)),
        }),*];

        fn mount(app: &App, max_body: usize) -> Router<App> {
            let mut r = Router::new();
            $(
                let mr: MethodRouter<App> = axum::routing::$m($handler);
                let limit = if false $(|| $bulk)? { BULK_MAX_BODY_BYTES } else { max_body };
                r = r.route($path, with_access(app, $access, mr).layer(DefaultBodyLimit::max(limit)));
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
        b"patch" => "PATCH",
        _ => panic!("api!: unknown HTTP method"),
    }
}

use openapi::doc::{object_schema, text_schema};
use routes::guard as guard_routes;
use routes::numbers as numbers_routes;
use routes::rating as rating_routes;
use routes::{access, tenancy};
use wire::rating::{CdrLineIn, CdrOut, IngestReportOut};
use wire::Page;
use Access::{Perm, Public};
use Permission as P;

api! {
    get "/healthz" => healthz, Public,
        "Liveness: the process answers.";
    get "/readyz" => readyz, Public,
        "Readiness: the database answers.", doc: |d| d.errors(&[503]);
    get "/openapi.json" => openapi::document, Public,
        "This OpenAPI document.",
        doc: |d| d.answer_as(200, "application/json", object_schema("OpenAPI 3.1"), "OK");
    get "/docs" => openapi::docs_page, Public,
        "Human-readable API reference.";
    get "/" => landing, Public,
        "Landing page.";
    post "/auth/login" => access::login, Public,
        "Log in with e-mail, password and TOTP code (A3); returns a session token. Repeated failures are rate limited.",
        doc: |d| d.errors(&[401, 429]);
    post "/auth/reset-password" => access::reset_password, Public,
        "Set a new password with the one-time token sent after A2.", doc: |d| d.errors(&[401]);
    get "/v1/me" => access::me, Perm(P::SelfRead),
        "Who the token belongs to.";
    post "/v1/me/logout" => access::logout, Perm(P::SelfRead),
        "Revoke the credential used for this request.";
    post "/v1/me/password" => access::set_password, Perm(P::SelfRead),
        "Set your password (A3): give the current one if you have one.";
    post "/v1/me/totp" => access::totp_enroll, Perm(P::SelfRead),
        "Start TOTP enrolment (A3): returns the secret.";
    post "/v1/me/totp/confirm" => access::totp_confirm, Perm(P::SelfRead),
        "Confirm TOTP with a first code; logins then need one.";
    get "/v1/partners" => tenancy::list_partners, Perm(P::PartnersRead),
        "Partners in scope.";
    post "/v1/partners" => tenancy::create_partner, Perm(P::PartnersWrite),
        "Create a partner (P1, P3).";
    get "/v1/partners/{id}" => tenancy::get_partner, Perm(P::PartnersRead),
        "One partner, with its open non-responsive flags (B11).";
    get "/v1/customers" => tenancy::list_customers, Perm(P::CustomersRead),
        "Customers in scope.";
    post "/v1/customers" => tenancy::create_customer, Perm(P::CustomersWrite),
        "Create a customer and its agreement under a terms profile.";
    get "/v1/customers/{id}" => tenancy::get_customer, Perm(P::CustomersRead),
        "One customer with its agreement.";
    get "/v1/billing-accounts" => tenancy::list_billing_accounts, Perm(P::CustomersRead),
        "Billing accounts in scope (P2).";
    post "/v1/billing-accounts" => tenancy::create_billing_account, Perm(P::CustomersWrite),
        "Create a billing account (P2, B1).";
    get "/v1/users" => tenancy::list_users, Perm(P::UsersRead),
        "Users in scope.";
    post "/v1/users" => tenancy::create_user, Perm(P::UsersWrite),
        "Create a user at your level or below.";
    post "/v1/users/{id}/credentials-lost" => access::credentials_lost, Perm(P::TokensManage),
        "A2: credentials lost or stolen: revoke every token and session of the user at once.";
    get "/v1/tokens" => access::list_tokens, Perm(P::TokensManage),
        "API tokens you may manage (never the secret).";
    post "/v1/tokens" => access::create_token, Perm(P::TokensManage),
        "Create an API token; the secret is shown once.";
    delete "/v1/tokens/{id}" => access::revoke_token, Perm(P::TokensManage),
        "Revoke an API token.";
    get "/v1/terms-profiles" => tenancy::list_terms_profiles, Perm(P::TermsRead),
        "Terms profiles (versioned data).";
    post "/v1/guard/calls" => guard_routes::decide, Perm(P::GuardDecide),
        "Admit or refuse a call: allow | busy | deny, with code, rule, clause and max_duration_s; emergency calls carry the registered address and call-back number (T13, F1-F8, T1-T4).";
    post "/v1/guard/calls/{id}/answer" => guard_routes::answer, Perm(P::GuardDecide),
        "The call was answered (optional body {\"at\"}).";
    post "/v1/guard/calls/{id}/end" => guard_routes::end, Perm(P::GuardDecide),
        "The call ended: it leaves the live set and becomes a rated CDR.";
    get "/v1/guard/teardowns" => guard_routes::teardowns, Perm(P::GuardDecide),
        "Live calls the SIP edge must tear down now: their account was suspended while they were live (F4); each leaves the list when its end is reported. Emergency calls are never listed (T13).";
    post "/v1/guard/auth-failures" => guard_routes::auth_failure, Perm(P::GuardDecide),
        "An authentication failure seen by the SIP edge (F6).";
    post "/v1/guard/destination-prefixes" => guard_routes::add_prefix, Perm(P::GuardManage),
        "Add an operator-managed forbidden destination range (F2).";
    get "/v1/incidents" => guard_routes::list_incidents, Perm(P::GuardRead),
        "Fraud and abuse incidents in scope, with evidence.";
    get "/v1/suspensions" => guard_routes::list_suspensions, Perm(P::GuardRead),
        "Suspensions in scope (full and selective).";
    post "/v1/billing-accounts/{id}/suspensions" => guard_routes::suspend, Perm(P::GuardManage),
        "Suspend all, outbound or international calls, optionally until a time (F4).";
    post "/v1/suspensions/{id}/reactivate" => guard_routes::reactivate, Perm(P::GuardManage),
        "Lift a suspension, with the reason (F4).";
    get "/v1/billing-accounts/{id}/guard-policy" => guard_routes::get_policy, Perm(P::GuardRead),
        "An account's guard policy and live calls.";
    put "/v1/billing-accounts/{id}/guard-policy" => guard_routes::put_policy, Perm(P::GuardManage),
        "Replace the policy: validation (T2), licences (T3), bandwidth (T1), home country and international allowlist as ISO countries (F2), credit limit. Every field is required (null clears a nullable one).";
    patch "/v1/billing-accounts/{id}/guard-policy" => guard_routes::patch_policy, Perm(P::GuardManage),
        "Change only the fields given (null clears a nullable one).";
    post "/v1/billing-accounts/{id}/announcements" => guard_routes::announce, Perm(P::GuardAnnounce),
        "Announce legitimate unusual activity: thresholds rise for the window (F7).";
    get "/v1/numbers" => numbers_routes::list_numbers, Perm(P::NumbersRead),
        "Numbers in scope (partners also see unassigned inventory to reserve).";
    post "/v1/numbers" => numbers_routes::import_numbers, Perm(P::NumbersAdmin),
        "Add numbers to the inventory (JSON or text/csv with columns e164, capabilities); refused lines are reported.", bulk: true,
        doc: |d| d.json_body::<numbers_routes::ImportIn>(true).body_as("text/csv", "Columns e164, capabilities (voice, sms, fax separated by `;` or space).");
    post "/v1/numbers/sweep" => numbers_routes::sweep, Perm(P::NumbersAdmin),
        "Apply what time decides now: missed document deadlines (B11), quarantines over (T9), port-outs at their date (T6).";
    get "/v1/numbers/{id}" => numbers_routes::get_number, Perm(P::NumbersRead),
        "One number (id or E.164 digits) with the emergency address in force, a pending change and a pending port-out.";
    get "/v1/numbers/{id}/history" => numbers_routes::number_history, Perm(P::NumbersRead),
        "Every recorded transition (actor, time, reason, rule), address history, documents and document requests.";
    post "/v1/numbers/{id}/reserve" => numbers_routes::reserve, Perm(P::NumbersWrite),
        "Reserve an available number for a billing account: provisional until verified and confirmed (T10).";
    post "/v1/numbers/{id}/unreserve" => numbers_routes::unreserve, Perm(P::NumbersWrite),
        "Give a provisional number back (T10).";
    post "/v1/numbers/{id}/verify" => numbers_routes::verify, Perm(P::NumbersAdmin),
        "The provider verified the provisional number (T10).";
    post "/v1/numbers/{id}/confirm" => numbers_routes::confirm, Perm(P::NumbersCustomerWrite),
        "The customer confirmed the provisional number, e.g. a test call (T10).";
    post "/v1/numbers/{id}/activate" => numbers_routes::activate, Perm(P::NumbersWrite),
        "Activate: needs verification and confirmation (T10), an emergency address and the acknowledgement (T13), the country's rules (T11); the Activation Date starts billing (B2).";
    post "/v1/numbers/{id}/release" => numbers_routes::release, Perm(P::NumbersWrite),
        "Release at cancellation or termination; the number goes to quarantine (T9).";
    post "/v1/numbers/{id}/suspend" => numbers_routes::suspend, Perm(P::NumbersAdmin),
        "Suspend a number (B11); the partner stays liable.";
    post "/v1/numbers/{id}/resume" => numbers_routes::resume, Perm(P::NumbersAdmin),
        "Resume a suspended number (B11).";
    post "/v1/numbers/{id}/port-out" => numbers_routes::port_out, Perm(P::NumbersAdmin),
        "Record a gaining provider's valid port-out request; it must be followed (T8).";
    post "/v1/numbers/{id}/port-out/complete" => numbers_routes::port_out_complete, Perm(P::NumbersAdmin),
        "The number leaves at the port date; the contract continues (T6).";
    post "/v1/numbers/{id}/port-out/cancel" => numbers_routes::port_out_cancel, Perm(P::NumbersAdmin),
        "The gaining provider withdrew its port-out request (T8).";
    post "/v1/numbers/{id}/routing" => numbers_routes::routing, Perm(P::NumbersWrite),
        "Where calls go; trunking or forwarding to a PBX or multi-call number is refused under no-trunking terms (T14).";
    post "/v1/numbers/{id}/cnam" => numbers_routes::cnam, Perm(P::NumbersWrite),
        "Caller name (CNAM) for US and CA numbers, at most 15 characters.";
    post "/v1/numbers/{id}/emergency-address" => numbers_routes::emergency_address, Perm(P::NumbersCustomerWrite),
        "Register the emergency service address; a change of a number in service applies after 48 h, the old address is used meanwhile (T13).";
    post "/v1/numbers/{id}/documents" => numbers_routes::number_document, Perm(P::NumbersWrite),
        "Upload a document for a number (pdf, png, jpeg; base64; size-limited), e.g. identity evidence (T11, B11).";
    post "/v1/numbers/{id}/document-requests" => numbers_routes::number_document_request, Perm(P::NumbersAdmin),
        "Request documents for a number by a deadline; missing it flags the partner and, per policy, suspends the number (B11).";
    get "/v1/port-ins" => numbers_routes::list_port_ins, Perm(P::NumbersRead),
        "Port-in requests in scope (T7).";
    post "/v1/port-ins" => numbers_routes::create_port_in, Perm(P::PortingWrite),
        "Request a port-in through the reseller with letter-of-authorisation data (T7).";
    get "/v1/port-ins/{id}" => numbers_routes::get_port_in, Perm(P::NumbersRead),
        "One port-in with documents, document requests and transitions.";
    post "/v1/port-ins/{id}/submit" => numbers_routes::port_in_submit, Perm(P::PortingWrite),
        "Submit a draft: the LOA must be complete with its signed document (T7).";
    post "/v1/port-ins/{id}/accept" => numbers_routes::port_in_accept, Perm(P::NumbersAdmin),
        "The losing provider acknowledged the request (pending).";
    post "/v1/port-ins/{id}/schedule" => numbers_routes::port_in_schedule, Perm(P::NumbersAdmin),
        "The losing provider gave the firm order commitment date.";
    post "/v1/port-ins/{id}/complete" => numbers_routes::port_in_complete, Perm(P::NumbersAdmin),
        "The port completed: the numbers are active, their Activation Date starts billing (B2).";
    post "/v1/port-ins/{id}/reject" => numbers_routes::port_in_reject, Perm(P::NumbersAdmin),
        "The port-in was rejected.";
    post "/v1/port-ins/{id}/cancel" => numbers_routes::port_in_cancel, Perm(P::PortingWrite),
        "Cancel a port-in that is not final.";
    post "/v1/port-ins/{id}/documents" => numbers_routes::port_in_document, Perm(P::PortingWrite),
        "Upload a porting document (pdf, png, jpeg; base64; size-limited); it fulfils open requests of its kind.";
    post "/v1/port-ins/{id}/document-requests" => numbers_routes::port_in_document_request, Perm(P::NumbersAdmin),
        "Request porting documents by a deadline (B11); `numbers` names the DIDs to suspend if it is missed.";
    get "/v1/emergency-acknowledgements/text" => numbers_routes::ack_text, Perm(P::NumbersRead),
        "The emergency-call limitations text to acknowledge, with its version (T13).";
    get "/v1/emergency-acknowledgements" => numbers_routes::list_acks, Perm(P::NumbersRead),
        "A customer's acknowledgements (who, when, text version) (T13).";
    post "/v1/emergency-acknowledgements" => numbers_routes::acknowledge, Perm(P::NumbersCustomerWrite),
        "Record the customer's written acknowledgement of the emergency-call limitations (T13).";
    post "/v1/emergency-contacts" => numbers_routes::emergency_contact, Perm(P::NumbersCustomerWrite),
        "Designate the contact notified of every emergency call (T13).";
    get "/v1/billing-accounts/{id}/rating" => rating_routes::get_account_rating, Perm(P::RatesRead),
        "The account's rate table and included minutes (B4).";
    put "/v1/billing-accounts/{id}/rating" => rating_routes::put_account_rating, Perm(P::RatesWrite),
        "Replace the account's rate table (in the account's currency, B1) and included minutes (e.g. 1,000 per user per month to area1): both required, null removes; applies to calls ingested from now on.";
    patch "/v1/billing-accounts/{id}/rating" => rating_routes::patch_account_rating, Perm(P::RatesWrite),
        "Change only the rate table or only the included minutes.";
    get "/v1/audit-log" => tenancy::list_audit, Perm(P::AuditRead),
        "The append-only audit log.";
    get "/v1/rate-tables" => rating_routes::list_rate_tables, Perm(P::RatesRead),
        "Rate tables and their versions.";
    put "/v1/rate-tables/{name}" => rating_routes::import_rate_table, Perm(P::RatesWrite),
        "Import a CSV rate table as a new version (history is kept).", bulk: true,
        doc: |d| d.body_as("text/csv", "Rate table CSV; columns (by header name, any order): prefix, destination, rate_per_min, connection_fee, initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone.");
    get "/v1/rate-tables/{name}/quote" => rating_routes::quote, Perm(P::RatesRead),
        "Price a call: longest prefix valid at `at` (B4).";
    post "/v1/cdrs" => rating_routes::ingest_cdrs, Perm(P::CdrsWrite),
        "Ingest CDRs (JSON array, NDJSON or CSV); idempotent by (source, call_id).", bulk: true,
        doc: |d| d
            .json_array_body::<CdrLineIn>()
            .body_as("application/x-ndjson", "One CDR object (CdrLineIn) per line.")
            .body_as("text/csv", "A header of CdrLineIn field names, then one CDR per row.")
            .answer::<IngestReportOut>(200, "OK")
            .errors(&[415]);
    get "/v1/cdrs" => rating_routes::list_cdrs, Perm(P::CdrsRead),
        "Rated calls in scope (T12).",
        doc: |d| d
            .errors(&[404])
            .answer::<Page<CdrOut>>(200, "OK")
            .answer_as(200, "text/csv", text_schema("With format=csv: a header, then one call per row; `x-next-cursor` carries the cursor."), "OK");
    get "/v1/cdrs/rejects" => rating_routes::list_rejects, Perm(P::CdrsWrite),
        "CDR lines refused at intake, with line number and code.";
}

/// Wraps a route with the authorization check of its access.
fn with_access(app: &App, access: Access, mr: MethodRouter<App>) -> MethodRouter<App> {
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
    let mut values = req.headers().get_all(header::AUTHORIZATION).iter();
    let (first, second) = (values.next(), values.next());
    if second.is_some() {
        return refused(AppError::Unauthenticated {
            code: "authorization_ambiguous",
            message: "send one `Authorization` header, not several".into(),
        });
    }
    let token = first
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_string);
    let Some(token) = token else {
        return refused(AppError::Unauthenticated {
            code: "unauthenticated",
            message: "send `Authorization: Bearer <token>`".into(),
        });
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
        Err(e) => refused(e),
    }
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110 11.1: `bearer`, `BEARER`).
fn bearer_token(v: &str) -> Option<&str> {
    let (scheme, rest) = v.trim().split_once([' ', '\t'])?;
    let token = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A refusal of the authorization middleware (401, 403). The request body was never read, so
/// the connection cannot carry another request reliably: `Connection: close` tells the client
/// to open a new one instead of failing on the next request (issue 11 #12).
fn refused(e: AppError) -> Response {
    let mut res = ApiError::from(e).into_response();
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Longest request target (path and query) taken; longer is a 414 in the one error shape.
/// Hyper refuses targets over 64 KiB itself, before any layer runs, with a bare 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most bytes of request headers (names and values) taken; more is a 431 in the one error
/// shape. Hyper refuses a head larger than its read buffer (about 400 KiB) or with more than
/// 100 headers itself, before any layer runs, with a bare 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Outermost middleware: request id, peer address, the URI and header limits, and the one
/// error shape (with `WWW-Authenticate` on every 401).
async fn request_context(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let rid = tollgate_app::ids::new_id("req");
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let source = {
        let h = req.headers();
        let values = |name: &str| -> Vec<String> {
            h.get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect()
        };
        let (xff, fwd) = (values("x-forwarded-for"), values("forwarded"));
        let xff: Vec<&str> = xff.iter().map(String::as_str).collect();
        let fwd: Vec<&str> = fwd.iter().map(String::as_str).collect();
        tollgate_app::access::client_address(peer, &xff, &fwd, &app.trusted_proxies)
            .map_or_else(|| "unknown".into(), |ip| ip.to_string())
    };
    req.extensions_mut().insert(RequestId(rid.clone()));
    req.extensions_mut().insert(SourceAddr(source));
    let uri_bytes = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let mut res = if uri_bytes > MAX_URI_BYTES {
        ApiError::new(for_status(StatusCode::URI_TOO_LONG)).into_response()
    } else if header_bytes > MAX_HEADER_BYTES {
        ApiError::new(for_status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)).into_response()
    } else {
        next.run(req).await
    };
    if let Some(body) = res.extensions_mut().remove::<ErrorBody>() {
        // The rendered body replaces the bare one; headers set on the way (Connection,
        // Retry-After) stay.
        let kept = std::mem::take(res.headers_mut());
        res = body.render(&rid);
        for (k, v) in &kept {
            if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                res.headers_mut().append(k, v.clone());
            }
        }
    } else if (res.status().is_client_error() || res.status().is_server_error())
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|c| c != "application/json")
    {
        res = for_status(res.status()).render(&rid);
    }
    let status = res.status();
    if status == StatusCode::UNAUTHORIZED && !res.headers().contains_key(header::WWW_AUTHENTICATE) {
        // RFC 9110 15.5.2: a 401 names the scheme to authenticate with.
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tollgate\""),
        );
    }
    if matches!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::URI_TOO_LONG
            | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    ) {
        // The body was not read to its end: the connection cannot carry another request.
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
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
        .layer(middleware::from_fn_with_state(app.clone(), request_context))
        .with_state(app)
}

/// `/healthz`: the process answers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HealthOut {
    pub status: &'static str,
    pub version: &'static str,
}

/// `/readyz`: the database answers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReadyOut {
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
}

async fn healthz() -> Json<HealthOut> {
    Json(HealthOut {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

async fn readyz(State(app): State<App>) -> Result<Json<ReadyOut>, ApiError> {
    match app.store.ping().await {
        Ok(()) => Ok(Json(ReadyOut {
            status: "ready",
            database: app.store.backend().as_str(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            Err(ApiError::new(ErrorBody::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unreachable",
                "the database does not answer",
            )))
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
