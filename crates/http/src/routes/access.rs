//! Access handlers (A1-A3): who am I, login, password reset and change, TOTP, tokens,
//! credentials lost. Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::Extension;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tollgate_app::{Actor, App, Caller};
use tollgate_store::auth::CredentialRow;

use crate::extract::{page, paged, ts, ApiJson, ApiQuery, PageQuery};
use crate::{RequestId, SourceAddr};

use super::{created, ok, ApiResult};

#[derive(Serialize)]
pub struct TokenOut {
    id: String,
    user_id: String,
    name: String,
    created_at: String,
    expires_at: Option<String>,
    revoked_at: Option<String>,
    revoked_reason: Option<String>,
}

impl From<CredentialRow> for TokenOut {
    fn from(c: CredentialRow) -> TokenOut {
        TokenOut {
            id: c.id,
            user_id: c.user_id,
            name: c.name,
            created_at: ts(c.created_at),
            expires_at: c.expires_at.map(ts),
            revoked_at: c.revoked_at.map(ts),
            revoked_reason: c.revoked_reason,
        }
    }
}

pub async fn me(Extension(c): Extension<Caller>) -> ApiResult {
    let p = &c.principal;
    ok(json!({
        "user_id": p.user_id, "email": p.email, "role": p.role.as_str(), "level": App::level_name(p.role),
        "partner_id": p.partner_id, "customer_id": p.customer_id, "credential_id": p.credential_id,
    }))
}

#[derive(Deserialize)]
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
) -> ApiResult {
    let actor = Actor {
        actor: "anonymous".into(),
        source: src.0,
        request_id: rid.0,
    };
    let t = app
        .login(&b.email, &b.password, b.totp.as_deref(), &actor)
        .await?;
    created(
        json!({"token": t.token, "session_id": t.credential.id, "expires_at": t.credential.expires_at.map(ts)}),
    )
}

#[derive(Deserialize)]
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
) -> ApiResult {
    let actor = Actor {
        actor: "anonymous".into(),
        source: src.0,
        request_id: rid.0,
    };
    app.reset_password(&b.token, &b.password, &actor).await?;
    ok(json!({"password_set": true}))
}

pub async fn logout(State(app): State<App>, Extension(c): Extension<Caller>) -> ApiResult {
    app.logout(&c).await?;
    ok(json!({"logged_out": true}))
}

pub async fn totp_enroll(State(app): State<App>, Extension(c): Extension<Caller>) -> ApiResult {
    let (secret, uri) = app.totp_enroll(&c).await?;
    created(
        json!({"secret": secret, "otpauth_uri": uri, "confirm_with": "POST /v1/me/totp/confirm {\"code\": \"123456\"}"}),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirmIn {
    code: String,
}

pub async fn totp_confirm(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<TotpConfirmIn>,
) -> ApiResult {
    app.totp_confirm(&c, &b.code).await?;
    ok(json!({"totp_enabled": true}))
}

pub async fn credentials_lost(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let n = app.credentials_lost(&c, &id).await?;
    ok(
        json!({"user_id": id, "revoked": n, "rule": "A2", "clause": tollgate_core::rules::A2.clause,
        "next": "a one-time reset token was sent to the user's e-mail"}),
    )
}

pub async fn list_tokens(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<TokenOut> = app
        .list_tokens(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    ok(paged(items, pg.limit, |t| t.id.clone()))
}

#[derive(Deserialize)]
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
) -> ApiResult {
    let t = app
        .create_token(&c, b.user_id.as_deref(), &b.name, b.expires_in_days)
        .await?;
    let mut v = json!(TokenOut::from(t.credential));
    v["token"] = json!(t.token);
    v["note"] = json!("the token is shown once; only its hash is stored");
    created(v)
}

pub async fn revoke_token(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    ok(json!(TokenOut::from(app.revoke_token(&c, &id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    current_password: Option<String>,
    password: String,
}

pub async fn set_password(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PasswordIn>,
) -> ApiResult {
    app.set_own_password(&c, b.current_password.as_deref(), &b.password)
        .await?;
    ok(json!({"password_set": true}))
}
