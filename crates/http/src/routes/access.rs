//! Access handlers (A1-A3): who am I, login, password reset and change, TOTP, tokens,
//! credentials lost. Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::{Actor, App, Caller};
use utoipa::ToSchema;

use crate::extract::{page, ts, ApiJson, ApiQuery, PageQuery};
use crate::wire::access::{
    CredentialsLostOut, LoggedOutOut, MeOut, PasswordSetOut, SessionOut, TokenCreatedOut, TokenOut,
    TotpEnabledOut, TotpEnrolmentOut,
};
use crate::wire::{Created, Page};
use crate::{RequestId, SourceAddr};

use super::{ApiCreated, ApiOk};

pub async fn me(Extension(c): Extension<Caller>) -> ApiOk<MeOut> {
    Ok(Json(MeOut::from(&c.principal)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    email: String,
    password: String,
    totp: Option<String>,
}

pub async fn login(
    State(app): State<App>,
    Extension(rid): Extension<RequestId>,
    Extension(src): Extension<SourceAddr>,
    ApiJson(b): ApiJson<LoginIn>,
) -> ApiCreated<SessionOut> {
    let actor = Actor {
        actor: "anonymous".into(),
        source: src.0,
        request_id: rid.0,
    };
    let t = app
        .login(&b.email, &b.password, b.totp.as_deref(), &actor)
        .await?;
    Ok(Created(SessionOut {
        token: t.token,
        session_id: t.credential.id,
        expires_at: t.credential.expires_at.map(ts),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetIn {
    token: String,
    password: String,
}

pub async fn reset_password(
    State(app): State<App>,
    Extension(rid): Extension<RequestId>,
    Extension(src): Extension<SourceAddr>,
    ApiJson(b): ApiJson<ResetIn>,
) -> ApiOk<PasswordSetOut> {
    let actor = Actor {
        actor: "anonymous".into(),
        source: src.0,
        request_id: rid.0,
    };
    app.reset_password(&b.token, &b.password, &actor).await?;
    Ok(Json(PasswordSetOut { password_set: true }))
}

pub async fn logout(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiOk<LoggedOutOut> {
    app.logout(&c).await?;
    Ok(Json(LoggedOutOut { logged_out: true }))
}

pub async fn totp_enroll(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiCreated<TotpEnrolmentOut> {
    let (secret, uri) = app.totp_enroll(&c).await?;
    Ok(Created(TotpEnrolmentOut {
        secret,
        otpauth_uri: uri,
        confirm_with: "POST /v1/me/totp/confirm {\"code\": \"123456\"}",
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirmIn {
    code: String,
}

pub async fn totp_confirm(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<TotpConfirmIn>,
) -> ApiOk<TotpEnabledOut> {
    app.totp_confirm(&c, &b.code).await?;
    Ok(Json(TotpEnabledOut { totp_enabled: true }))
}

pub async fn credentials_lost(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<CredentialsLostOut> {
    let n = app.credentials_lost(&c, &id).await?;
    Ok(Json(CredentialsLostOut {
        user_id: id,
        revoked: n,
        rule: "A2",
        clause: tollgate_core::rules::A2.clause,
        next: "a one-time reset token was sent to the user's e-mail",
    }))
}

pub async fn list_tokens(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<TokenOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<TokenOut> = app
        .list_tokens(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |t| t.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    name: String,
    user_id: Option<String>,
    expires_in_days: Option<i64>,
}

pub async fn create_token(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<TokenIn>,
) -> ApiCreated<TokenCreatedOut> {
    let t = app
        .create_token(&c, b.user_id.as_deref(), &b.name, b.expires_in_days)
        .await?;
    Ok(Created(TokenCreatedOut {
        token_info: TokenOut::from(t.credential),
        token: t.token,
        note: "the token is shown once; only its hash is stored",
    }))
}

pub async fn revoke_token(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<TokenOut> {
    Ok(Json(TokenOut::from(app.revoke_token(&c, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    current_password: Option<String>,
    password: String,
}

pub async fn set_password(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PasswordIn>,
) -> ApiOk<PasswordSetOut> {
    app.set_own_password(&c, b.current_password.as_deref(), &b.password)
        .await?;
    Ok(Json(PasswordSetOut { password_set: true }))
}
