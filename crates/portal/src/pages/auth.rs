//! Sign-in (e-mail, password, TOTP: A3), sign-out, and "credentials lost" (A1, A2): the public
//! pages. Their forms carry a double-submit token (a random cookie and the same value in the
//! form) since there is no session yet; the login limits are the API's own (`App::login`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tollgate_app::access::SESSION_TTL_S;
use tollgate_app::{Actor, App, Origin};

use crate::error::{ErrorView, PageError, PageResult};
use crate::session::{
    cookie, csrf_ok, csrf_refused, set_cookie, Fields, Session, CSRF_FIELD, FORM_COOKIE,
    SESSION_COOKIE,
};
use crate::view::{Field, Form, Kind};

/// How long the double-submit cookie of the public forms lives.
pub const FORM_COOKIE_TTL_S: i64 = 3600;

#[derive(Template)]
#[template(path = "public.html", whitespace = "minimize")]
struct PublicPage {
    title: String,
    lead: String,
    notice: Option<String>,
    form: Form,
    links: Vec<(String, String)>,
    css: &'static str,
}

/// Where to go after sign-in: a portal path only (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/portal/")
                && !n.contains("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => "/portal/".into(),
    }
}

/// The public form's token: the cookie's, or a new one (set on the answer).
fn form_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, FORM_COOKIE) {
        Some(t) => (t, false),
        None => (tollgate_app::secrets::new_token(), true),
    }
}

fn public_page(
    status: StatusCode,
    page: PublicPage,
    token: &str,
    set: bool,
    secure: bool,
) -> Result<Response, PageError> {
    let html = page.render().map_err(|e| {
        PageError::from(ErrorView::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "render_failed",
            e.to_string(),
        ))
    })?;
    let mut res = (status, Html(html)).into_response();
    if set {
        res.headers_mut().insert(
            header::SET_COOKIE,
            set_cookie(FORM_COOKIE, token, FORM_COOKIE_TTL_S, secure),
        );
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    Ok(res)
}

/// The double-submit token of a public form: the cookie's, when the form carries the same.
fn checked_form_token(headers: &HeaderMap, form: &Fields) -> Result<String, PageError> {
    match cookie(headers, FORM_COOKIE) {
        Some(token) if csrf_ok(&token, form.get(CSRF_FIELD)) => Ok(token),
        _ => Err(csrf_refused()),
    }
}

fn public_form(id: &str, title: &str, action: &str, token: &str) -> Form {
    Form {
        id: id.into(),
        title: String::new(),
        action: action.into(),
        method: "post",
        fields: Vec::new(),
        submit: title.into(),
        csrf: token.into(),
        error: None,
        note: String::new(),
        danger: false,
    }
}

fn login_form(token: &str, next: &str) -> Form {
    public_form("login", "Sign in", "/portal/login", token)
        .field(
            Field::new("email", "E-mail", Kind::Email)
                .required()
                .autocomplete("username"),
        )
        .field(
            Field::new("password", "Password", Kind::Password)
                .required()
                .autocomplete("current-password"),
        )
        .field(
            Field::new("totp", "One-time code", Kind::Code)
                .autocomplete("one-time-code")
                .hint("The 6 digits from your authenticator app, if your account uses one (A3)."),
        )
        .field(Field::new("next", "", Kind::Hidden).value(next))
}

fn login_links() -> Vec<(String, String)> {
    vec![("Credentials lost?".into(), "/portal/forgot".into())]
}

#[derive(Deserialize)]
pub struct NextQ {
    next: Option<String>,
    /// Set after "my credentials are lost" (A2).
    revoked: Option<String>,
}

pub async fn login_page(
    session: Option<Session>,
    axum::Extension(origin): axum::Extension<Origin>,
    headers: HeaderMap,
    Query(q): Query<NextQ>,
) -> PageResult {
    let next = safe_next(q.next.as_deref());
    if session.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let (token, set) = form_token(&headers);
    let page = PublicPage {
        title: "Sign in".into(),
        lead: "Operators, partners and customers sign in here.".into(),
        notice: q.revoked.is_some().then(|| {
            "Every session and API token of yours was revoked and your password cleared (A2). \
             A reset link is on its way to your e-mail."
                .to_string()
        }),
        form: login_form(&token, &next),
        links: login_links(),
        css: crate::assets::css_path(),
    };
    public_page(StatusCode::OK, page, &token, set, origin.https)
}

fn actor_of(origin: &Origin) -> Actor {
    Actor {
        actor: "anonymous".into(),
        source: origin.source.clone(),
        request_id: origin.request_id.clone(),
    }
}

pub async fn login_submit(
    State(app): State<App>,
    axum::Extension(origin): axum::Extension<Origin>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let token = checked_form_token(&headers, &form)?;
    let next = safe_next(form.get("next"));
    let email = form.get("email").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    let totp = form.text("totp");
    match app
        .login(email, password, totp.as_deref(), &actor_of(&origin))
        .await
    {
        Ok(issued) => {
            let mut res = Redirect::to(&next).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &issued.token, SESSION_TTL_S, origin.https),
            );
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(FORM_COOKIE, "", 0, origin.https),
            );
            Ok(res)
        }
        Err(e) => {
            let mut err = ErrorView::from(e);
            let status = err.status;
            match err.code.as_str() {
                "totp_required" | "totp_invalid" => {
                    err.fields.insert("totp".into(), err.message.clone());
                }
                _ => {}
            }
            let page = PublicPage {
                title: "Sign in".into(),
                lead: "Operators, partners and customers sign in here.".into(),
                notice: None,
                form: login_form(&token, &next).refill(&form).with_error(err),
                links: login_links(),
                css: crate::assets::css_path(),
            };
            public_page(status, page, &token, false, origin.https)
        }
    }
}

/// Ends the session (the API's logout: the session credential is revoked) and clears the
/// cookie.
pub async fn logout(State(app): State<App>, session: Session, form: Fields) -> PageResult {
    session.check_csrf(&form)?;
    let caller = session
        .caller(&app, tollgate_core::tenancy::Permission::SelfRead)
        .await?;
    app.logout(&caller).await?;
    let mut res = Redirect::to("/portal/login").into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, session.origin.https),
    );
    Ok(res)
}

fn forgot_form(token: &str) -> Form {
    public_form("forgot", "Send me a reset link", "/portal/forgot", token).field(
        Field::new("email", "E-mail", Kind::Email)
            .required()
            .autocomplete("username"),
    )
}

pub async fn forgot_page(
    axum::Extension(origin): axum::Extension<Origin>,
    headers: HeaderMap,
) -> PageResult {
    let (token, set) = form_token(&headers);
    let page = PublicPage {
        title: "Credentials lost".into(),
        lead: "Give your e-mail address: if it is a user's, a one-time reset link is e-mailed to it. \
               If your password was stolen, also tell your administrator: they revoke every session and token at once (A2)."
            .into(),
        notice: None,
        form: forgot_form(&token),
        links: vec![("Back to sign-in".into(), "/portal/login".into())],
        css: crate::assets::css_path(),
    };
    public_page(StatusCode::OK, page, &token, set, origin.https)
}

pub async fn forgot_submit(
    State(app): State<App>,
    axum::Extension(origin): axum::Extension<Origin>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let token = checked_form_token(&headers, &form)?;
    let email = form.get("email").unwrap_or_default();
    let (status, notice, f) = match app
        .request_password_reset(email, &actor_of(&origin))
        .await
    {
        Ok(()) => (
            StatusCode::OK,
            Some("If that address is a user's, a reset link is on its way. It works once, for 24 hours.".to_string()),
            forgot_form(&token),
        ),
        Err(e) => {
            let err = ErrorView::from(e);
            (err.status, None, forgot_form(&token).refill(&form).with_error(err))
        }
    };
    let page = PublicPage {
        title: "Credentials lost".into(),
        lead: String::new(),
        notice,
        form: f,
        links: vec![("Back to sign-in".into(), "/portal/login".into())],
        css: crate::assets::css_path(),
    };
    public_page(status, page, &token, false, origin.https)
}

#[derive(Deserialize)]
pub struct ResetQ {
    token: Option<String>,
}

fn reset_form(token: &str, reset: &str) -> Form {
    public_form("reset", "Set the new password", "/portal/reset", token)
        .field(if reset.is_empty() {
            Field::new("token", "Reset token from the e-mail", Kind::Text).required()
        } else {
            Field::new("token", "", Kind::Hidden).value(reset)
        })
        .field(
            Field::new("password", "New password", Kind::Password)
                .required()
                .autocomplete("new-password")
                .hint("At least 12 characters (A3)."),
        )
}

pub async fn reset_page(
    axum::Extension(origin): axum::Extension<Origin>,
    headers: HeaderMap,
    Query(q): Query<ResetQ>,
) -> PageResult {
    let (token, set) = form_token(&headers);
    let page = PublicPage {
        title: "Choose a new password".into(),
        lead: String::new(),
        notice: None,
        form: reset_form(&token, q.token.as_deref().unwrap_or_default()),
        links: vec![("Back to sign-in".into(), "/portal/login".into())],
        css: crate::assets::css_path(),
    };
    public_page(StatusCode::OK, page, &token, set, origin.https)
}

pub async fn reset_submit(
    State(app): State<App>,
    axum::Extension(origin): axum::Extension<Origin>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let token = checked_form_token(&headers, &form)?;
    let reset = form.get("token").unwrap_or_default();
    match app
        .reset_password(
            reset,
            form.get("password").unwrap_or_default(),
            &actor_of(&origin),
        )
        .await
    {
        Ok(()) => {
            let mut res = Redirect::to("/portal/login").into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let err = ErrorView::from(e);
            let page = PublicPage {
                title: "Choose a new password".into(),
                lead: String::new(),
                notice: None,
                form: reset_form(&token, reset).with_error(err.clone()),
                links: vec![("Ask for a new link".into(), "/portal/forgot".into())],
                css: crate::assets::css_path(),
            };
            public_page(err.status, page, &token, false, origin.https)
        }
    }
}
