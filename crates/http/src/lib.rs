//! Tollgate's HTTP edge: the JSON API under `/v1`, `/openapi.json` and `/docs` generated from
//! the same route table, health checks and the landing page.
//!
//! Architecture invariant: every route is declared once, in its domain's fragment of the route
//! table (`routes::table`, each an `api!`); the declaration mounts
//! the handler, wraps it with the authorization check for its permission and describes it in
//! the OpenAPI document (method, path, access and summary from the table; parameters, body
//! and answers from the handler's own types, see [`openapi::doc`]), so they cannot drift
//! apart.

#[macro_use]
mod api_macro;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod status_feed;
pub mod wire;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
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
    pub(crate) doc: fn(&RouteSpec) -> openapi::doc::OpDoc,
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

pub(crate) const fn method_name(m: &'static str) -> &'static str {
    match m.as_bytes() {
        b"get" => "GET",
        b"post" => "POST",
        b"put" => "PUT",
        b"delete" => "DELETE",
        b"patch" => "PATCH",
        _ => panic!("api!: unknown HTTP method"),
    }
}

/// The route table: each domain's fragment (`routes::table::<domain>`), in mounting order.
/// A path belongs to one fragment (axum refuses a path mounted twice).
pub const ROUTE_TABLES: &[&[RouteSpec]] = &[
    routes::table::system::ROUTES,
    routes::table::access::ROUTES,
    routes::table::tenancy::ROUTES,
    routes::table::guard::ROUTES,
    routes::table::numbers::ROUTES,
    routes::table::rating::ROUTES,
    routes::table::billing::ROUTES,
    routes::table::receivables::ROUTES,
    routes::table::support::ROUTES,
    routes::table::messaging::ROUTES,
    routes::table::assurance::ROUTES,
    routes::table::hardware::ROUTES,
    routes::table::frontline::ROUTES,
];

/// Every route of the API, the fragments in order.
pub static ROUTES: std::sync::LazyLock<Vec<RouteSpec>> = std::sync::LazyLock::new(|| {
    ROUTE_TABLES
        .iter()
        .flat_map(|t| t.iter().copied())
        .collect()
});

fn mount(app: &App, max_body: usize) -> Router<App> {
    Router::new()
        .merge(routes::table::system::mount(app, max_body))
        .merge(routes::table::access::mount(app, max_body))
        .merge(routes::table::tenancy::mount(app, max_body))
        .merge(routes::table::guard::mount(app, max_body))
        .merge(routes::table::numbers::mount(app, max_body))
        .merge(routes::table::rating::mount(app, max_body))
        .merge(routes::table::billing::mount(app, max_body))
        .merge(routes::table::receivables::mount(app, max_body))
        .merge(routes::table::support::mount(app, max_body))
        .merge(routes::table::messaging::mount(app, max_body))
        .merge(routes::table::assurance::mount(app, max_body))
        .merge(routes::table::hardware::mount(app, max_body))
        .merge(routes::table::frontline::mount(app, max_body))
}

/// Wraps a route with the authorization check of its access.
pub(crate) fn with_access(app: &App, access: Access, mr: MethodRouter<App>) -> MethodRouter<App> {
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
    let https = peer.is_some_and(|ip| app.trusted_proxies.iter().any(|n| n.contains(ip)))
        && req
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    req.extensions_mut().insert(tollgate_app::Origin {
        request_id: rid.clone(),
        source: source.clone(),
        https,
    });
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
            .is_none_or(|c| c != "application/json" && !is_html(c))
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

/// A portal page's own error page stays HTML (the portal renders its errors for people).
fn is_html(c: &HeaderValue) -> bool {
    c.to_str().is_ok_and(|c| c.starts_with("text/html"))
}

/// The whole HTTP application: the API, its documents and the portal under `/portal`.
pub fn router(app: App, max_body_bytes: usize) -> Router {
    mount(&app, max_body_bytes)
        .merge(tollgate_portal::router(max_body_bytes, BULK_MAX_BODY_BYTES))
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

pub(crate) async fn healthz() -> Json<HealthOut> {
    Json(HealthOut {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

pub(crate) async fn metrics(State(app): State<App>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics_text(),
    )
        .into_response()
}

pub(crate) async fn readyz(State(app): State<App>) -> Result<Json<ReadyOut>, ApiError> {
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

pub(crate) async fn landing(State(app): State<App>) -> Html<String> {
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
         <ul><li><a href=/portal/>Portal</a>: sign in as an operator, a partner or a customer</li><li><a href=/docs>API reference</a> (<a href=/openapi.json>OpenAPI</a>)</li>\
         <li><a href=/healthz>/healthz</a> · <a href=/readyz>/readyz</a></li></ul>\
         <h2>Terms profiles</h2><ul>{profiles}</ul><p>Database: {db}</p></body></html>",
        style = openapi::STYLE,
        db = app.store.backend().as_str()
    ))
}

/// The listener the platform serves on: accepted connections send without Nagle's delay, so
/// a live event or a small answer leaves at once instead of waiting for the peer's delayed
/// acknowledgement of the previous one.
pub fn no_delay(
    l: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    fn tap(s: &mut tokio::net::TcpStream) {
        let _ = s.set_nodelay(true);
    }
    axum::serve::ListenerExt::tap_io(l, tap as fn(&mut tokio::net::TcpStream))
}
