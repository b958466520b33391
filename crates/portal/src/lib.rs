//! Tollgate's web portal: server-rendered pages for operator staff, partners and customers,
//! under `/portal`. Every page is a thin reader of the same use cases as the API (`tollgate_app`)
//! with the same authorization (`App::authorize` for the page's permission, the caller's
//! scope on every read), so the portal cannot show what the API would refuse.
//!
//! Layout: `session.rs` (cookie, CSRF, the signed-in person), `view.rs` (facts, tables,
//! forms, the one page layout), `nav.rs` (the menu and the permission of each section),
//! `chart.rs` (SVG bars), `format.rs` (times, money), `error.rs` (errors shown with the API's
//! code, rule and clause), `assets.rs` (the stylesheet and script), `pages/` (one file per
//! section).

pub mod assets;
pub mod chart;
pub mod error;
pub mod format;
pub mod nav;
pub mod pages;
pub mod session;
pub mod view;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tollgate_app::App;

/// The policy every portal answer carries: nothing loaded from elsewhere, no inline script,
/// never framed (clickjacking).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Security headers on every portal answer; pages are personal data, never cached (the
/// static assets set their own caching).
async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    // A page with a policy of its own (the public status page) keeps it.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// The portal's routes, to merge into the HTTP application (which puts the request's
/// [`tollgate_app::Origin`] on every request). Forms take at most `max_body` bytes; the rate
/// import `bulk_body`.
pub fn router(max_body: usize, bulk_body: usize) -> Router<App> {
    use pages::*;
    Router::new()
        .route(
            "/portal",
            get(|| async { axum::response::Redirect::permanent("/portal/") }),
        )
        .route("/portal/", get(dashboard::show))
        .route("/portal/static/{file}", get(assets::serve))
        .route(
            "/portal/login",
            get(auth::login_page).post(auth::login_submit),
        )
        .route("/portal/logout", post(auth::logout))
        .route(
            "/portal/forgot",
            get(auth::forgot_page).post(auth::forgot_submit),
        )
        .route(
            "/portal/reset",
            get(auth::reset_page).post(auth::reset_submit),
        )
        .route("/portal/me", get(me::show))
        .route("/portal/me/credentials-lost", post(me::credentials_lost))
        .route("/portal/me/totp", post(me::totp_start))
        .route("/portal/me/totp/confirm", post(me::totp_confirm))
        .route("/portal/customers", get(customers::list))
        .route("/portal/customers/{id}", get(customers::show))
        .route("/portal/accounts/{id}", get(accounts::show))
        .route("/portal/accounts/{id}/suspend", post(accounts::suspend))
        .route("/portal/accounts/{id}/policy", post(policy::edit))
        .route("/portal/accounts/{id}/announce", post(policy::announce))
        .route(
            "/portal/accounts/{id}/suspensions/{sid}/reactivate",
            post(accounts::reactivate),
        )
        .route("/portal/numbers", get(numbers::list))
        .route("/portal/numbers/{id}", get(numbers::show))
        .route(
            "/portal/numbers/{id}/emergency-address",
            post(numbers::set_address),
        )
        .route("/portal/calls", get(calls::list))
        .route("/portal/rates", get(rates::show))
        .route(
            "/portal/rates/import",
            post(rates::import).layer(DefaultBodyLimit::max(bulk_body)),
        )
        .route("/portal/guard", get(guard::show))
        .route("/portal/messages", get(messaging::show))
        .route("/portal/availability", get(availability::show))
        .route("/portal/hardware", get(hardware::show))
        .route("/portal/frontline", get(frontline::show))
        .route("/status", get(status::show))
        .route("/portal/invoices", get(invoices::list))
        .route("/portal/invoices/{id}", get(invoices::show))
        .route("/portal/invoices/{id}/pdf", get(invoices::pdf))
        .route("/portal/invoices/{id}/dispute", post(invoices::dispute))
        .route("/portal/invoices/{id}/payment", post(invoices::payment))
        .route(
            "/portal/invoices/{id}/disputes/{dispute}/resolve",
            post(invoices::resolve),
        )
        .route("/portal/receivables", get(receivables::show))
        .route("/portal/tickets", get(tickets::list).post(tickets::create))
        .route("/portal/tickets/new", get(tickets::new_form))
        .route("/portal/tickets/suggest", get(tickets::suggest))
        .route("/portal/tickets/{id}", get(tickets::show))
        .route("/portal/tickets/{id}/reply", post(tickets::reply))
        .route("/portal/tickets/{id}/feedback", post(tickets::feedback))
        .route("/portal/tickets/{id}/state", post(tickets::set_state))
        .route("/portal/tickets/{id}/assign", post(tickets::assign))
        .route("/portal/articles/{slug}", get(tickets::article))
        .route("/portal/audit", get(audit::list))
        .route(
            "/portal/{*rest}",
            axum::routing::any(|| async { error::PageError::not_found("page") }),
        )
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(headers))
}
