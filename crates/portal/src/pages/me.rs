//! My account: who I am, and "my credentials are lost" (A2: reported at once, every session
//! and token revoked, a reset token e-mailed).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::PageResult;
use crate::session::{set_cookie, Fields, Session, SESSION_COOKIE};
use crate::view::{Form, Page, Section};

pub async fn show(State(app): State<App>, session: Session) -> PageResult {
    let _ = session.caller(&app, Permission::SelfRead).await?;
    let p = &session.principal;
    Page::new(&session, "me", "My account")
        .section(
            Section::new("Identity")
                .fact("E-mail", p.email.clone())
                .fact("Role", p.role.as_str())
                .fact("Partner", p.partner_id.clone().unwrap_or_else(|| "—".into()))
                .fact("Customer", p.customer_id.clone().unwrap_or_else(|| "—".into())),
        )
        .section(
            Section::new("Credentials lost or stolen").form(
                Form::post("lost", "Revoke all my credentials", "/portal/me/credentials-lost", &session)
                    .note("Rule A2 (W 4.3): every session and API token of yours is revoked at once and your password is cleared; \
                           a one-time reset token goes to your e-mail. You are signed out.")
                    .danger(),
            ),
        )
        .ok()
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
    let mut res = Redirect::to("/portal/login").into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, session.origin.https),
    );
    Ok(res)
}
