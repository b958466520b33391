//! Portal sessions: the login's session token in an HttpOnly, SameSite=Strict cookie; the CSRF
//! token every form carries, derived from the session (a synchronizer token that needs no
//! storage); before sign-in, a double-submit cookie guards the public forms. Authorization is
//! the API's own: [`Session::caller`] asks `App::authorize` for the page's permission.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tollgate_app::secrets::{constant_time_eq, hmac_sha256_hex};
use tollgate_app::{Actor, App, Caller, Origin, Principal};
use tollgate_core::tenancy::Permission;

use crate::error::{ErrorView, PageError};

/// The session cookie (the token `App::login` issued).
pub const SESSION_COOKIE: &str = "tollgate_session";
/// The double-submit cookie of the public forms (sign-in, reset).
pub const FORM_COOKIE: &str = "tollgate_form";
/// The hidden field of every form.
pub const CSRF_FIELD: &str = "_csrf";

/// The value of cookie `name`, if the request sent it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a portal cookie: HttpOnly, SameSite=Strict, path `/portal`; `Secure`
/// when the client came over HTTPS through a trusted proxy.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/portal; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("tollgate_session=; Max-Age=0"))
}

/// The CSRF token of a session: HMAC of a fixed label keyed by the session token, so it is
/// bound to the session, unguessable without it, and needs no storage.
pub fn csrf_of(token: &str) -> String {
    hmac_sha256_hex(token.as_bytes(), b"tollgate-portal-csrf")
}

/// Whether a submitted CSRF value matches the expected one (constant time).
pub fn csrf_ok(expected: &str, got: Option<&str>) -> bool {
    got.is_some_and(|g| constant_time_eq(expected.as_bytes(), g.as_bytes()))
}

/// The request's origin (request id, client address), put there by the HTTP edge.
pub fn origin_of(parts: &Parts) -> Origin {
    parts.extensions.get::<Origin>().cloned().unwrap_or(Origin {
        request_id: tollgate_app::ids::new_id("req"),
        source: "unknown".into(),
        https: false,
    })
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub origin: Origin,
    pub csrf: String,
}

impl Session {
    /// The caller for one permission, through the API's own authorization.
    pub async fn caller(&self, app: &App, perm: Permission) -> Result<Caller, PageError> {
        let actor = Actor {
            actor: format!("user:{}", self.principal.user_id),
            source: self.origin.source.clone(),
            request_id: self.origin.request_id.clone(),
        };
        Ok(app.authorize(self.principal.clone(), perm, actor).await?)
    }

    /// Whether the role may do this (what the navigation and the buttons show).
    pub fn may(&self, perm: Permission) -> bool {
        tollgate_core::tenancy::allows(self.principal.role, perm)
    }

    /// Refuses a form whose CSRF field is missing or wrong: 403, nothing written.
    pub fn check_csrf(&self, form: &Fields) -> Result<(), PageError> {
        if csrf_ok(&self.csrf, form.get(CSRF_FIELD)) {
            Ok(())
        } else {
            Err(csrf_refused())
        }
    }
}

pub fn csrf_refused() -> PageError {
    PageError::from(ErrorView::new(
        StatusCode::FORBIDDEN,
        "csrf_invalid",
        "the form's security token is missing or stale: reload the page and submit it again",
    ))
}

async fn session_of(parts: &Parts, app: &App) -> Option<Session> {
    let token = cookie(&parts.headers, SESSION_COOKIE)?;
    let principal = app.authenticate(&token).await.ok()?;
    Some(Session {
        principal,
        origin: origin_of(parts),
        csrf: csrf_of(&token),
    })
}

/// The way back to sign-in, with the page to return to.
fn to_login(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map_or("/portal/", |p| p.as_str())
        .to_string();
    let target = format!(
        "/portal/login?next={}",
        crate::format::url_encode(if next.starts_with("/portal") {
            &next
        } else {
            "/portal/"
        })
    );
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, origin_of(parts).https),
    );
    res
}

impl FromRequestParts<App> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match session_of(parts, app).await {
            Some(s) => Ok(s),
            None => Err(to_login(parts)),
        }
    }
}

impl OptionalFromRequestParts<App> for Session {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &App,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_of(parts, app).await)
    }
}

/// A posted form's fields (`application/x-www-form-urlencoded`), in order.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field, trimmed; `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v == "on" || v == "true" || v == "1")
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Fields {
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                let mut e = ErrorView::new(r.status(), "body_invalid", r.body_text());
                e.fields
                    .insert("body".into(), "the form could not be read".into());
                PageError::from(e)
            })?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Fields)
            .map_err(|_| {
                PageError::bad_request(
                    "form_invalid",
                    "body",
                    "not a form (application/x-www-form-urlencoded)",
                )
            })
    }
}
