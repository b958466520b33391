//! My account: who I am, two-step sign-in (A3: a TOTP authenticator, enrolled with a QR code
//! and confirmed with a first code), and "my credentials are lost" (A2: reported at once,
//! every session and token revoked, a reset token e-mailed).

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::{ErrorView, PageResult};
use crate::session::{set_cookie, Fields, Session, SESSION_COOKIE};
use crate::view::{Field, Form, Kind, Page, Section};

/// Smallest side of the enrolment QR code, pixels.
pub const QR_MIN_PX: u32 = 200;

#[derive(Deserialize, Default)]
pub struct MeQ {
    done: Option<String>,
}

fn identity(session: &Session) -> Section {
    let p = &session.principal;
    Section::new("Identity")
        .fact("E-mail", p.email.clone())
        .fact("Role", p.role.as_str())
        .fact(
            "Partner",
            p.partner_id.clone().unwrap_or_else(|| "—".into()),
        )
        .fact(
            "Customer",
            p.customer_id.clone().unwrap_or_else(|| "—".into()),
        )
}

fn lost(session: &Session) -> Section {
    Section::new("Credentials lost or stolen").form(
        Form::post("lost", "Revoke all my credentials", "/portal/me/credentials-lost", session)
            .note("Rule A2 (W 4.3): every session and API token of yours is revoked at once and your password is cleared; \
                   a one-time reset token goes to your e-mail. You are signed out.")
            .danger(),
    )
}

fn confirm_form(session: &Session) -> Form {
    Form::post(
        "totp-confirm",
        "Turn on two-step sign-in",
        "/portal/me/totp/confirm",
        session,
    )
    .field(
        Field::new("code", "The 6-digit code your app shows now", Kind::Code)
            .required()
            .autocomplete("one-time-code"),
    )
}

pub async fn show(State(app): State<App>, session: Session, Query(q): Query<MeQ>) -> PageResult {
    let c = session.caller(&app, Permission::SelfRead).await?;
    let two_step = if app.totp_enabled(&c).await? {
        Section::new("Two-step sign-in (A3)").text(
            "On: every sign-in asks for the code of your authenticator app. To move it to another \
             device, report your credentials lost below (your administrator can also reset it).",
        )
    } else {
        Section::new("Two-step sign-in (A3)").form(
            Form::post("totp", "Set up an authenticator app", "/portal/me/totp", &session).note(
                "Off. After the password, sign-in will ask for the 6-digit code of an authenticator app (TOTP, RFC 6238).",
            ),
        )
    };
    let notice = match q.done.as_deref() {
        Some("totp") => {
            Some("Two-step sign-in is on: from your next sign-in a code is asked (A3).".to_string())
        }
        _ => None,
    };
    Page::new(&session, "me", "My account")
        .notice(notice)
        .section(identity(&session))
        .section(two_step)
        .section(lost(&session))
        .ok()
}

/// Starts enrolment: a new secret, shown once as a QR code and as text.
pub async fn totp_start(State(app): State<App>, session: Session, form: Fields) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::SelfRead).await?;
    let mut s = Section::new("Two-step sign-in (A3)");
    let status = match app.totp_enroll(&c).await {
        Ok((secret, uri)) => {
            // The QR code of the otpauth URI, drawn on the server as SVG (the qrcode crate).
            if let Ok(code) = qrcode::QrCode::new(uri.as_bytes()) {
                let svg = code
                    .render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(QR_MIN_PX, QR_MIN_PX)
                    .build();
                let at = svg.find("<svg").unwrap_or(0);
                s.svg = Some(svg[at..].replacen(
                    "<svg",
                    "<svg role=\"img\" aria-label=\"QR code of the authenticator secret\"",
                    1,
                ));
            }
            s = s
                .text("Scan the code with your authenticator app, or type the secret, then give the code it shows.")
                .fact("Secret", secret)
                .form(confirm_form(&session));
            StatusCode::OK
        }
        Err(e) => {
            let e = ErrorView::from(e);
            let status = e.status;
            s = s.text(format!("{} ({})", e.message, e.code));
            status
        }
    };
    Page::new(&session, "me", "Set up two-step sign-in")
        .section(s.link("Back to my account", "/portal/me"))
        .respond(status)
}

pub async fn totp_confirm(State(app): State<App>, session: Session, form: Fields) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::SelfRead).await?;
    match app
        .totp_confirm(&c, form.get("code").unwrap_or_default().trim())
        .await
    {
        Ok(()) => {
            let mut res = Redirect::to("/portal/me?done=totp").into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            let status = e.status;
            Page::new(&session, "me", "Set up two-step sign-in")
                .section(
                    Section::new("Two-step sign-in (A3)")
                        .form(confirm_form(&session).with_error(e))
                        .link("Start again with a new secret", "/portal/me"),
                )
                .respond(status)
        }
    }
}

pub async fn credentials_lost(
    State(app): State<App>,
    session: Session,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let caller = session.caller(&app, Permission::SelfRead).await?;
    app.credentials_lost(&caller, &caller.principal.user_id.clone())
        .await?;
    let mut res = Redirect::to("/portal/login?revoked=1").into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, session.origin.https),
    );
    Ok(res)
}
