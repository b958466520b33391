//! Tollgate's HTTP edge: the JSON API under `/v1`, `/openapi.json` and `/docs` generated from
//! the same route table, health checks and the landing page.
//!
//! Architecture invariant: every route is declared once, in [`api!`]; the declaration mounts
//! the handler, wraps it with the authorization check for its permission and describes it in
//! the OpenAPI document, so the three cannot drift apart.

pub mod error;
pub mod extract;
pub mod guard_handlers;
pub mod openapi;
pub mod routes;

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
        b"patch" => "PATCH",
        _ => panic!("api!: unknown HTTP method"),
    }
}

use routes::guard as gh;
use routes::numbers as nh;
use routes::rating as rh;
use routes::{access, tenancy};
use Access::{Perm, Public};
use Permission as P;

api! {
    get "/healthz" => healthz, Public, "Liveness: the process answers.", query: &[], body: "", bulk: false;
    get "/readyz" => readyz, Public, "Readiness: the database answers.", query: &[], body: "", bulk: false;
    get "/openapi.json" => openapi::document, Public, "This OpenAPI document.", query: &[], body: "", bulk: false;
    get "/docs" => openapi::docs_page, Public, "Human-readable API reference.", query: &[], body: "", bulk: false;
    get "/" => landing, Public, "Landing page.", query: &[], body: "", bulk: false;
    post "/auth/login" => access::login, Public, "Log in with e-mail, password and TOTP code (A3); returns a session token. Repeated failures are rate limited.", query: &[],
        body: r#"{"type":"object","required":["email","password"],"properties":{"email":{"type":"string"},"password":{"type":"string"},"totp":{"type":"string"}}}"#, bulk: false;
    post "/auth/reset-password" => access::reset_password, Public, "Set a new password with the one-time token sent after A2.", query: &[],
        body: r#"{"type":"object","required":["token","password"],"properties":{"token":{"type":"string"},"password":{"type":"string"}}}"#, bulk: false;
    get "/v1/me" => access::me, Perm(P::SelfRead), "Who the token belongs to.", query: &[], body: "", bulk: false;
    post "/v1/me/logout" => access::logout, Perm(P::SelfRead), "Revoke the credential used for this request.", query: &[], body: "", bulk: false;
    post "/v1/me/password" => access::set_password, Perm(P::SelfRead), "Set your password (A3): give the current one if you have one.", query: &[],
        body: r#"{"type":"object","required":["password"],"properties":{"current_password":{"type":"string"},"password":{"type":"string"}}}"#, bulk: false;
    post "/v1/me/totp" => access::totp_enroll, Perm(P::SelfRead), "Start TOTP enrolment (A3): returns the secret.", query: &[], body: "", bulk: false;
    post "/v1/me/totp/confirm" => access::totp_confirm, Perm(P::SelfRead), "Confirm TOTP with a first code; logins then need one.", query: &[],
        body: r#"{"type":"object","required":["code"],"properties":{"code":{"type":"string"}}}"#, bulk: false;
    get "/v1/partners" => tenancy::list_partners, Perm(P::PartnersRead), "Partners in scope.", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/partners" => tenancy::create_partner, Perm(P::PartnersWrite), "Create a partner (P1, P3).", query: &[],
        body: r#"{"type":"object","required":["name","tier"],"properties":{"name":{"type":"string"},"tier":{"type":"string","enum":["diamond","platinum","gold_plus","gold","silver","bronze","reseller"]},"assigned_partner_id":{"type":"string"}}}"#, bulk: false;
    get "/v1/partners/{id}" => tenancy::get_partner, Perm(P::PartnersRead), "One partner, with its open non-responsive flags (B11).", query: &[], body: "", bulk: false;
    get "/v1/customers" => tenancy::list_customers, Perm(P::CustomersRead), "Customers in scope.", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/customers" => tenancy::create_customer, Perm(P::CustomersWrite), "Create a customer and its agreement under a terms profile.", query: &[],
        body: r#"{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"partner_id":{"type":"string"},"terms_profile":{"type":"string"},"terms_version":{"type":"integer"}}}"#, bulk: false;
    get "/v1/customers/{id}" => tenancy::get_customer, Perm(P::CustomersRead), "One customer with its agreement.", query: &[], body: "", bulk: false;
    get "/v1/billing-accounts" => tenancy::list_billing_accounts, Perm(P::CustomersRead), "Billing accounts in scope (P2).", query: &["customer_id", "limit", "cursor"], body: "", bulk: false;
    post "/v1/billing-accounts" => tenancy::create_billing_account, Perm(P::CustomersWrite), "Create a billing account (P2, B1).", query: &[],
        body: r#"{"type":"object","required":["customer_id","name","currency"],"properties":{"customer_id":{"type":"string"},"name":{"type":"string"},"currency":{"type":"string"},"rate_table":{"type":"string"}}}"#, bulk: false;
    get "/v1/users" => tenancy::list_users, Perm(P::UsersRead), "Users in scope.", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/users" => tenancy::create_user, Perm(P::UsersWrite), "Create a user at your level or below.", query: &[],
        body: r#"{"type":"object","required":["email","name","role"],"properties":{"email":{"type":"string"},"name":{"type":"string"},"role":{"type":"string"},"partner_id":{"type":"string"},"customer_id":{"type":"string"},"password":{"type":"string"}}}"#, bulk: false;
    post "/v1/users/{id}/credentials-lost" => access::credentials_lost, Perm(P::TokensManage), "A2: credentials lost or stolen: revoke every token and session of the user at once.", query: &[], body: "", bulk: false;
    get "/v1/tokens" => access::list_tokens, Perm(P::TokensManage), "API tokens you may manage (never the secret).", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/tokens" => access::create_token, Perm(P::TokensManage), "Create an API token; the secret is shown once.", query: &[],
        body: r#"{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"user_id":{"type":"string"},"expires_in_days":{"type":"integer"}}}"#, bulk: false;
    delete "/v1/tokens/{id}" => access::revoke_token, Perm(P::TokensManage), "Revoke an API token.", query: &[], body: "", bulk: false;
    get "/v1/terms-profiles" => tenancy::list_terms_profiles, Perm(P::TermsRead), "Terms profiles (versioned data).", query: &[], body: "", bulk: false;
    post "/v1/guard/calls" => gh::decide, Perm(P::GuardDecide), "Admit or refuse a call: allow | busy | deny, with code, rule, clause and max_duration_s; emergency calls carry the registered address and call-back number (T13, F1-F8, T1-T4).", query: &[],
        body: r#"{"type":"object","required":["from","to"],"properties":{"billing_account":{"type":"string"},"from":{"type":"string"},"to":{"type":"string"},"source_ip":{"type":"string"},"at":{"type":"string"},"call_id":{"type":"string"}}}"#, bulk: false;
    post "/v1/guard/calls/{id}/answer" => gh::answer, Perm(P::GuardDecide), "The call was answered (optional body {\"at\"}).", query: &[], body: "", bulk: false;
    post "/v1/guard/calls/{id}/end" => gh::end, Perm(P::GuardDecide), "The call ended: it leaves the live set and becomes a rated CDR.", query: &[], body: "", bulk: false;
    get "/v1/guard/teardowns" => gh::teardowns, Perm(P::GuardDecide), "Live calls the SIP edge must tear down now: their account was suspended while they were live (F4); each leaves the list when its end is reported. Emergency calls are never listed (T13).", query: &[], body: "", bulk: false;
    post "/v1/guard/auth-failures" => gh::auth_failure, Perm(P::GuardDecide), "An authentication failure seen by the SIP edge (F6).", query: &[],
        body: r#"{"type":"object","required":["source"],"properties":{"source":{"type":"string"},"at":{"type":"string"},"username":{"type":"string"}}}"#, bulk: false;
    post "/v1/guard/destination-prefixes" => gh::add_prefix, Perm(P::GuardManage), "Add an operator-managed forbidden destination range (F2).", query: &[],
        body: r#"{"type":"object","required":["prefix","class"],"properties":{"prefix":{"type":"string"},"class":{"type":"string","enum":["premium_rate","shared_cost","personal_number","uan","high_risk"]},"note":{"type":"string"}}}"#, bulk: false;
    get "/v1/incidents" => gh::list_incidents, Perm(P::GuardRead), "Fraud and abuse incidents in scope, with evidence.", query: &["limit", "cursor"], body: "", bulk: false;
    get "/v1/suspensions" => gh::list_suspensions, Perm(P::GuardRead), "Suspensions in scope (full and selective).", query: &["limit", "cursor"], body: "", bulk: false;
    post "/v1/billing-accounts/{id}/suspensions" => gh::suspend, Perm(P::GuardManage), "Suspend all, outbound or international calls, optionally until a time (F4).", query: &[],
        body: r#"{"type":"object","required":["scope","reason"],"properties":{"scope":{"type":"string","enum":["all","outbound","international"]},"reason":{"type":"string"},"until":{"type":"string"},"rule":{"type":"string","enum":["F1","F3","F4","F5","F6","T2","T11"]}}}"#, bulk: false;
    post "/v1/suspensions/{id}/reactivate" => gh::reactivate, Perm(P::GuardManage), "Lift a suspension, with the reason (F4).", query: &[],
        body: r#"{"type":"object","required":["reason"],"properties":{"reason":{"type":"string"}}}"#, bulk: false;
    get "/v1/billing-accounts/{id}/guard-policy" => gh::get_policy, Perm(P::GuardRead), "An account's guard policy and live calls.", query: &[], body: "", bulk: false;
    put "/v1/billing-accounts/{id}/guard-policy" => gh::put_policy, Perm(P::GuardManage), "Replace the policy: validation (T2), licences (T3), bandwidth (T1), home country and international allowlist as ISO countries (F2), credit limit. Every field is required (null clears a nullable one).", query: &[],
        body: r#"{"type":"object","required":["validated","licensed_calls","site_bandwidth_kbps","home_country","international_allowlist","credit_limit"],"properties":{"validated":{"type":"boolean"},"licensed_calls":{"type":"integer","minimum":0},"site_bandwidth_kbps":{"type":["integer","null"],"minimum":0},"home_country":{"type":"string","description":"ISO 3166-1 alpha-2"},"international_allowlist":{"type":"array","items":{"type":"string","description":"ISO 3166-1 alpha-2"}},"credit_limit":{"type":["string","null"]}}}"#, bulk: false;
    patch "/v1/billing-accounts/{id}/guard-policy" => gh::patch_policy, Perm(P::GuardManage), "Change only the fields given (null clears a nullable one).", query: &[],
        body: r#"{"type":"object","properties":{"validated":{"type":"boolean"},"licensed_calls":{"type":"integer","minimum":0},"site_bandwidth_kbps":{"type":["integer","null"],"minimum":0},"home_country":{"type":"string","description":"ISO 3166-1 alpha-2"},"international_allowlist":{"type":"array","items":{"type":"string","description":"ISO 3166-1 alpha-2"}},"credit_limit":{"type":["string","null"]}}}"#, bulk: false;
    post "/v1/billing-accounts/{id}/announcements" => gh::announce, Perm(P::GuardAnnounce), "Announce legitimate unusual activity: thresholds rise for the window (F7).", query: &[],
        body: r#"{"type":"object","required":["from","until","note"],"properties":{"from":{"type":"string"},"until":{"type":"string"},"factor":{"type":"integer"},"note":{"type":"string"}}}"#, bulk: false;
    get "/v1/numbers" => nh::list_numbers, Perm(P::NumbersRead), "Numbers in scope (partners also see unassigned inventory to reserve).", query: &["state", "customer_id", "billing_account_id", "country", "limit", "cursor"], body: "", bulk: false;
    post "/v1/numbers" => nh::import_numbers, Perm(P::NumbersAdmin), "Add numbers to the inventory (JSON or text/csv with columns e164, capabilities); refused lines are reported.", query: &[],
        body: r#"{"type":"object","required":["numbers"],"properties":{"numbers":{"type":"array","items":{"type":"object","required":["e164"],"properties":{"e164":{"type":"string"},"capabilities":{"type":"array","items":{"type":"string","enum":["voice","sms","fax"]}}}}}}}"#, bulk: true;
    post "/v1/numbers/sweep" => nh::sweep, Perm(P::NumbersAdmin), "Apply what time decides now: missed document deadlines (B11), quarantines over (T9), port-outs at their date (T6).", query: &[], body: "", bulk: false;
    get "/v1/numbers/{id}" => nh::get_number, Perm(P::NumbersRead), "One number (id or E.164 digits) with the emergency address in force, a pending change and a pending port-out.", query: &[], body: "", bulk: false;
    get "/v1/numbers/{id}/history" => nh::number_history, Perm(P::NumbersRead), "Every recorded transition (actor, time, reason, rule), address history, documents and document requests.", query: &[], body: "", bulk: false;
    post "/v1/numbers/{id}/reserve" => nh::reserve, Perm(P::NumbersWrite), "Reserve an available number for a billing account: provisional until verified and confirmed (T10).", query: &[],
        body: r#"{"type":"object","required":["billing_account_id"],"properties":{"billing_account_id":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/unreserve" => nh::unreserve, Perm(P::NumbersWrite), "Give a provisional number back (T10).", query: &[],
        body: r#"{"type":"object","properties":{"reason":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/verify" => nh::verify, Perm(P::NumbersAdmin), "The provider verified the provisional number (T10).", query: &[],
        body: r#"{"type":"object","properties":{"note":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/confirm" => nh::confirm, Perm(P::NumbersCustomerWrite), "The customer confirmed the provisional number, e.g. a test call (T10).", query: &[],
        body: r#"{"type":"object","required":["method"],"properties":{"method":{"type":"string","enum":["test_call","written","portal"]},"note":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/activate" => nh::activate, Perm(P::NumbersWrite), "Activate: needs verification and confirmation (T10), an emergency address and the acknowledgement (T13), the country's rules (T11); the Activation Date starts billing (B2).", query: &[], body: "", bulk: false;
    post "/v1/numbers/{id}/release" => nh::release, Perm(P::NumbersWrite), "Release at cancellation or termination; the number goes to quarantine (T9).", query: &[],
        body: r#"{"type":"object","required":["reason"],"properties":{"reason":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/suspend" => nh::suspend, Perm(P::NumbersAdmin), "Suspend a number (B11); the partner stays liable.", query: &[],
        body: r#"{"type":"object","required":["reason"],"properties":{"reason":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/resume" => nh::resume, Perm(P::NumbersAdmin), "Resume a suspended number (B11).", query: &[],
        body: r#"{"type":"object","properties":{"reason":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/port-out" => nh::port_out, Perm(P::NumbersAdmin), "Record a gaining provider's valid port-out request; it must be followed (T8).", query: &[],
        body: r#"{"type":"object","required":["gaining_provider","authorisation_ref","port_date"],"properties":{"gaining_provider":{"type":"string"},"authorisation_ref":{"type":"string"},"port_date":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/port-out/complete" => nh::port_out_complete, Perm(P::NumbersAdmin), "The number leaves at the port date; the contract continues (T6).", query: &[], body: "", bulk: false;
    post "/v1/numbers/{id}/port-out/cancel" => nh::port_out_cancel, Perm(P::NumbersAdmin), "The gaining provider withdrew its port-out request (T8).", query: &[], body: "", bulk: false;
    post "/v1/numbers/{id}/routing" => nh::routing, Perm(P::NumbersWrite), "Where calls go; trunking or forwarding to a PBX or multi-call number is refused under no-trunking terms (T14).", query: &[],
        body: r#"{"type":"object","required":["routing"],"properties":{"routing":{"type":"string","enum":["direct","forward_single_line","sip_trunk","forward_pbx","forward_multi_call"]}}}"#, bulk: false;
    post "/v1/numbers/{id}/cnam" => nh::cnam, Perm(P::NumbersWrite), "Caller name (CNAM) for US and CA numbers, at most 15 characters.", query: &[],
        body: r#"{"type":"object","required":["cnam"],"properties":{"cnam":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/emergency-address" => nh::emergency_address, Perm(P::NumbersCustomerWrite), "Register the emergency service address; a change of a number in service applies after 48 h, the old address is used meanwhile (T13).", query: &[],
        body: r#"{"type":"object","required":["street","city","postcode","country"],"properties":{"street":{"type":"string"},"city":{"type":"string"},"postcode":{"type":"string"},"country":{"type":"string"},"region":{"type":"string"},"floor":{"type":"string"},"room":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/documents" => nh::number_document, Perm(P::NumbersWrite), "Upload a document for a number (pdf, png, jpeg; base64; size-limited), e.g. identity evidence (T11, B11).", query: &[],
        body: r#"{"type":"object","required":["kind","filename","content_type","content_base64"],"properties":{"kind":{"type":"string","enum":["loa","identity","address_proof","bill","other"]},"filename":{"type":"string"},"content_type":{"type":"string","enum":["application/pdf","image/png","image/jpeg"]},"content_base64":{"type":"string"}}}"#, bulk: false;
    post "/v1/numbers/{id}/document-requests" => nh::number_document_request, Perm(P::NumbersAdmin), "Request documents for a number by a deadline; missing it flags the partner and, per policy, suspends the number (B11).", query: &[],
        body: r#"{"type":"object","required":["kind","deadline"],"properties":{"kind":{"type":"string"},"deadline":{"type":"string"},"on_miss":{"type":"string","enum":["suspend","flag_only"]},"note":{"type":"string"}}}"#, bulk: false;
    get "/v1/port-ins" => nh::list_port_ins, Perm(P::NumbersRead), "Port-in requests in scope (T7).", query: &["state", "limit", "cursor"], body: "", bulk: false;
    post "/v1/port-ins" => nh::create_port_in, Perm(P::PortingWrite), "Request a port-in through the reseller with letter-of-authorisation data (T7).", query: &[],
        body: r#"{"type":"object","required":["billing_account_id","holder","service_address","losing_provider","account_number","signatory","existing_service_active","numbers"],"properties":{"billing_account_id":{"type":"string"},"holder":{"type":"string"},"service_address":{"type":"object"},"losing_provider":{"type":"string"},"account_number":{"type":"string"},"signatory":{"type":"string"},"existing_service_active":{"type":"boolean"},"numbers":{"type":"array","items":{"type":"string"}}}}"#, bulk: false;
    get "/v1/port-ins/{id}" => nh::get_port_in, Perm(P::NumbersRead), "One port-in with documents, document requests and transitions.", query: &[], body: "", bulk: false;
    post "/v1/port-ins/{id}/submit" => nh::port_in_submit, Perm(P::PortingWrite), "Submit a draft: the LOA must be complete with its signed document (T7).", query: &[], body: "", bulk: false;
    post "/v1/port-ins/{id}/accept" => nh::port_in_accept, Perm(P::NumbersAdmin), "The losing provider acknowledged the request (pending).", query: &[], body: "", bulk: false;
    post "/v1/port-ins/{id}/schedule" => nh::port_in_schedule, Perm(P::NumbersAdmin), "The losing provider gave the firm order commitment date.", query: &[],
        body: r#"{"type":"object","required":["foc_date"],"properties":{"foc_date":{"type":"string"}}}"#, bulk: false;
    post "/v1/port-ins/{id}/complete" => nh::port_in_complete, Perm(P::NumbersAdmin), "The port completed: the numbers are active, their Activation Date starts billing (B2).", query: &[], body: "", bulk: false;
    post "/v1/port-ins/{id}/reject" => nh::port_in_reject, Perm(P::NumbersAdmin), "The port-in was rejected.", query: &[],
        body: r#"{"type":"object","required":["reason"],"properties":{"reason":{"type":"string"}}}"#, bulk: false;
    post "/v1/port-ins/{id}/cancel" => nh::port_in_cancel, Perm(P::PortingWrite), "Cancel a port-in that is not final.", query: &[],
        body: r#"{"type":"object","properties":{"reason":{"type":"string"}}}"#, bulk: false;
    post "/v1/port-ins/{id}/documents" => nh::port_in_document, Perm(P::PortingWrite), "Upload a porting document (pdf, png, jpeg; base64; size-limited); it fulfils open requests of its kind.", query: &[],
        body: r#"{"type":"object","required":["kind","filename","content_type","content_base64"],"properties":{"kind":{"type":"string"},"filename":{"type":"string"},"content_type":{"type":"string"},"content_base64":{"type":"string"}}}"#, bulk: false;
    post "/v1/port-ins/{id}/document-requests" => nh::port_in_document_request, Perm(P::NumbersAdmin), "Request porting documents by a deadline (B11); `numbers` names the DIDs to suspend if it is missed.", query: &[],
        body: r#"{"type":"object","required":["kind","deadline"],"properties":{"kind":{"type":"string"},"deadline":{"type":"string"},"on_miss":{"type":"string","enum":["suspend","flag_only"]},"note":{"type":"string"},"numbers":{"type":"array","items":{"type":"string"}}}}"#, bulk: false;
    get "/v1/emergency-acknowledgements/text" => nh::ack_text, Perm(P::NumbersRead), "The emergency-call limitations text to acknowledge, with its version (T13).", query: &[], body: "", bulk: false;
    get "/v1/emergency-acknowledgements" => nh::list_acks, Perm(P::NumbersRead), "A customer's acknowledgements (who, when, text version) (T13).", query: &["customer_id"], body: "", bulk: false;
    post "/v1/emergency-acknowledgements" => nh::acknowledge, Perm(P::NumbersCustomerWrite), "Record the customer's written acknowledgement of the emergency-call limitations (T13).", query: &[],
        body: r#"{"type":"object","required":["customer_id","text_version","signer_name"],"properties":{"customer_id":{"type":"string"},"text_version":{"type":"string"},"signer_name":{"type":"string"}}}"#, bulk: false;
    post "/v1/emergency-contacts" => nh::emergency_contact, Perm(P::NumbersCustomerWrite), "Designate the contact notified of every emergency call (T13).", query: &[],
        body: r#"{"type":"object","required":["customer_id","name","email"],"properties":{"customer_id":{"type":"string"},"name":{"type":"string"},"email":{"type":"string"}}}"#, bulk: false;
    get "/v1/billing-accounts/{id}/rating" => rh::get_account_rating, Perm(P::RatesRead), "The account's rate table and included minutes (B4).", query: &[], body: "", bulk: false;
    put "/v1/billing-accounts/{id}/rating" => rh::put_account_rating, Perm(P::RatesWrite), "Replace the account's rate table (in the account's currency, B1) and included minutes (e.g. 1,000 per user per month to area1): both required, null removes; applies to calls ingested from now on.", query: &[],
        body: r#"{"type":"object","properties":{"rate_table":{"type":["string","null"]},"included":{"type":["object","null"],"required":["zone","minutes"],"properties":{"zone":{"type":"string"},"minutes":{"type":"integer","minimum":0}}},"included_zone":{"type":"string"},"included_minutes":{"type":"integer"}}}"#, bulk: false;
    patch "/v1/billing-accounts/{id}/rating" => rh::patch_account_rating, Perm(P::RatesWrite), "Change only the rate table or only the included minutes.", query: &[],
        body: r#"{"type":"object","properties":{"rate_table":{"type":["string","null"]},"included":{"type":["object","null"],"required":["zone","minutes"],"properties":{"zone":{"type":"string"},"minutes":{"type":"integer","minimum":0}}},"included_zone":{"type":"string"},"included_minutes":{"type":"integer"}}}"#, bulk: false;
    get "/v1/audit-log" => tenancy::list_audit, Perm(P::AuditRead), "The append-only audit log.", query: &["limit", "cursor"], body: "", bulk: false;
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
