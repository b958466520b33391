//! Messaging handlers (issue 15): admission, the message log, inbound messages and reviews,
//! consents, suppressions, registrations, prices, the usage close and the audit export.
//! Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::messaging::admit::SendRequest;
use tollgate_app::messaging::consent::ConsentInput;
use tollgate_app::messaging::registrations::{RegistrationInput, StatusChange};
use tollgate_app::records::MessageFilter;
use tollgate_app::{App, AppError, Caller};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{page, time_opt, ApiJson, ApiQuery};
use crate::wire::messaging::{
    ConsentOut, ErasedOut, InboundOut, MessageOut, MessagingExportOut, ReceiptOut, RegistrationOut,
    SuppressionOut, UsageCloseOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk, ApiResult};

fn money(v: &Option<String>, field: &'static str) -> Result<i64, ApiError> {
    match v {
        None => Ok(0),
        Some(s) => tollgate_core::money::parse_scaled(s, tollgate_core::money::MICRO_DIGITS)
            .map_err(|e| AppError::invalid("amount_invalid", field, e).into()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    billing_account: String,
    /// A number of the account (E.164), its approved short code or sender ID.
    from: String,
    /// The recipient, E.164.
    to: String,
    body: String,
    /// `transactional`, `informational` or `marketing`.
    category: String,
    campaign: Option<String>,
    /// Marketing outside the recipient's allowed hours (M4) is deferred to the first allowed
    /// minute instead of refused.
    #[serde(default)]
    defer_if_quiet: bool,
    /// Sending again with the same key returns the first message (at most once per key).
    idempotency_key: Option<String>,
}

pub async fn send(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<MessageIn>,
) -> ApiOk<MessageOut> {
    let r = SendRequest {
        billing_account: b.billing_account,
        from: b.from,
        to: b.to,
        body: b.body,
        category: b.category,
        campaign: b.campaign,
        defer_if_quiet: b.defer_if_quiet,
        idempotency_key: b.idempotency_key,
    };
    let s = app.send_message(&c, r).await?;
    Ok(Json(MessageOut::of(s.message, s.duplicate)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    billing_account: Option<String>,
    /// `out` or `in`.
    direction: Option<String>,
    state: Option<String>,
    /// E.164 digits.
    recipient: Option<String>,
    /// Only inbound stop requests waiting for review.
    #[serde(default)]
    review_pending: bool,
    #[param(schema_with = crate::wire::time_schema)]
    from: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    to: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

fn period(from: &Option<String>, to: &Option<String>) -> Result<Option<(i64, i64)>, ApiError> {
    Ok(match (time_opt(from, "from")?, time_opt(to, "to")?) {
        (None, None) => None,
        (f, t) => Some((f.unwrap_or(0), t.unwrap_or(i64::MAX))),
    })
}

pub async fn list(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> ApiOk<Page<MessageOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let f = MessageFilter {
        billing_account: q.billing_account.clone(),
        direction: q.direction.clone(),
        state: q.state.clone(),
        recipient: q.recipient.clone(),
        review_pending: q.review_pending,
        created: period(&q.from, &q.to)?,
    };
    let rows = app.list_messages(&c, &f, &pg).await?;
    let out = rows.into_iter().map(|m| MessageOut::of(m, false)).collect();
    Ok(Json(Page::of(out, pg.limit, |m: &MessageOut| m.id.clone())))
}

pub async fn get(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<MessageOut> {
    Ok(Json(MessageOut::of(app.get_message(&c, &id).await?, false)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundIn {
    /// Who wrote (E.164).
    from: String,
    /// The account's number written to (E.164).
    to: String,
    body: String,
}

pub async fn inbound(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<InboundIn>,
) -> ApiOk<InboundOut> {
    let r = app
        .receive_message(&c.actor, &b.from, &b.to, &b.body)
        .await?;
    Ok(Json(InboundOut {
        message: MessageOut::of(r.message, false),
        reply: r.reply.map(|m| MessageOut::of(m, false)),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptIn {
    /// The id the connector gave the message (`smsc_id`).
    smsc_id: String,
    /// `delivered`, `failed`, `expired` or `rejected`.
    state: String,
    /// The network's error code, if any.
    error: Option<String>,
}

pub async fn receipt(
    State(app): State<App>,
    Extension(_c): Extension<Caller>,
    ApiJson(b): ApiJson<ReceiptIn>,
) -> ApiOk<ReceiptOut> {
    use tollgate_app::messaging::smpp::ReceiptState;
    let state = match b.state.as_str() {
        "delivered" => ReceiptState::Delivered,
        "failed" => ReceiptState::Failed,
        "expired" => ReceiptState::Expired,
        "rejected" => ReceiptState::Rejected,
        _ => {
            return Err(AppError::invalid(
                "state_invalid",
                "state",
                "delivered, failed, expired or rejected",
            )
            .into())
        }
    };
    if b.smsc_id.is_empty() || b.smsc_id.len() > 128 {
        return Err(AppError::invalid("smsc_id_invalid", "smsc_id", "1 to 128 characters").into());
    }
    app.apply_receipt(&b.smsc_id, state, b.error.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(ReceiptOut {
        smsc_id: b.smsc_id,
        state: b.state,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// `opt_out` (revoke consent) or `dismiss`.
    decision: String,
}

pub async fn review(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReviewIn>,
) -> ApiOk<MessageOut> {
    Ok(Json(MessageOut::of(
        app.review_stop_request(&c, &id, &b.decision).await?,
        false,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    billing_account: String,
    /// E.164.
    recipient: String,
    /// `granted` or `revoked`.
    action: String,
    /// `web_form`, `paper`, `api` or `import`.
    method: String,
    /// The text the recipient agreed to (required to grant, M2).
    text_shown: Option<String>,
    /// Where the proof is (a form submission, a scanned signature).
    evidence: Option<String>,
    /// The recipient's address: ISO country, ISO 3166-2 region, IANA zone (M4: overrides the
    /// number's zones).
    country: Option<String>,
    region: Option<String>,
    time_zone: Option<String>,
    #[schema(schema_with = crate::wire::time_schema)]
    at: Option<String>,
}

pub async fn record_consent(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ConsentIn>,
) -> ApiCreated<ConsentOut> {
    let i = ConsentInput {
        billing_account: b.billing_account,
        recipient: b.recipient,
        action: b.action,
        method: b.method,
        text_shown: b.text_shown,
        evidence: b.evidence,
        country: b.country,
        region: b.region,
        time_zone: b.time_zone,
        at: time_opt(&b.at, "at")?,
    };
    Ok(Created(app.record_consent(&c, i).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsentsQuery {
    billing_account: Option<String>,
    recipient: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    from: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    to: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_consents(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<ConsentsQuery>,
) -> ApiOk<Page<ConsentOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let rows = app
        .list_consents(
            &c,
            q.billing_account.as_deref(),
            q.recipient.as_deref(),
            period(&q.from, &q.to)?,
            &pg,
        )
        .await?;
    let out = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(out, pg.limit, |x: &ConsentOut| x.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseIn {
    billing_account: String,
    recipient: String,
}

pub async fn erase_consents(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<EraseIn>,
) -> ApiOk<ErasedOut> {
    let erased = app
        .erase_consents(&c, &b.billing_account, &b.recipient)
        .await?;
    Ok(Json(ErasedOut { erased }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionIn {
    /// The account's list; absent: the provider's list (the operator only).
    billing_account: Option<String>,
    recipient: String,
    reason: String,
}

pub async fn add_suppression(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<SuppressionIn>,
) -> ApiCreated<SuppressionOut> {
    Ok(Created(
        app.add_suppression(&c, b.billing_account.as_deref(), &b.recipient, &b.reason)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    billing_account: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_suppressions(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiOk<Page<SuppressionOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let rows = app
        .list_suppressions(&c, q.billing_account.as_deref(), &pg)
        .await?;
    let out = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(out, pg.limit, |x: &SuppressionOut| {
        x.id.clone()
    })))
}

pub async fn remove_suppression(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<ErasedOut> {
    app.remove_suppression(&c, &id).await?;
    Ok(Json(ErasedOut { erased: 1 }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationIn {
    billing_account: String,
    /// `tendlc_brand`, `tendlc_campaign`, `short_code`, `toll_free`, `sender_id` or `state`.
    kind: String,
    /// The registry's reference (TCR id, the short code, the sender ID, the state's number).
    reference: String,
    /// A campaign's brand registration.
    brand_id: Option<String>,
    /// Numbers a campaign or toll-free verification covers (E.164).
    #[serde(default)]
    numbers: Vec<String>,
    /// A state registration's ISO 3166-2 code (US-TX).
    region: Option<String>,
    #[schema(schema_with = crate::wire::time_schema)]
    expires_at: Option<String>,
    /// One-off fee on approval, monthly fee, surcharge per message (decimal, the account's
    /// currency; B8 pass-throughs).
    fee: Option<String>,
    monthly_fee: Option<String>,
    surcharge: Option<String>,
}

pub async fn file_registration(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<RegistrationIn>,
) -> ApiCreated<RegistrationOut> {
    let i = RegistrationInput {
        billing_account: b.billing_account,
        kind: b.kind,
        reference: b.reference,
        brand_id: b.brand_id,
        numbers: b.numbers,
        region: b.region,
        expires_at: time_opt(&b.expires_at, "expires_at")?,
        fee_micros: money(&b.fee, "fee")?,
        monthly_fee_micros: money(&b.monthly_fee, "monthly_fee")?,
        surcharge_micros: money(&b.surcharge, "surcharge")?,
    };
    Ok(Created(app.file_registration(&c, i).await?.into()))
}

pub async fn list_registrations(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiOk<Page<RegistrationOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let rows = app
        .list_registrations(&c, q.billing_account.as_deref(), &pg)
        .await?;
    let out = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(out, pg.limit, |x: &RegistrationOut| {
        x.id.clone()
    })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationStatusIn {
    /// `approved`, `rejected`, `suspended` or `expired`.
    status: String,
    #[schema(schema_with = crate::wire::time_schema)]
    expires_at: Option<String>,
    /// The pass-through fees the provider sets (decimal; each kept when absent).
    fee: Option<String>,
    monthly_fee: Option<String>,
    surcharge: Option<String>,
}

fn money_opt(v: &Option<String>, field: &'static str) -> Result<Option<i64>, ApiError> {
    v.as_ref().map(|_| money(v, field)).transpose()
}

pub async fn registration_status(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RegistrationStatusIn>,
) -> ApiOk<RegistrationOut> {
    let change = StatusChange {
        status: b.status,
        expires_at: time_opt(&b.expires_at, "expires_at")?,
        fees: (
            money_opt(&b.fee, "fee")?,
            money_opt(&b.monthly_fee, "monthly_fee")?,
            money_opt(&b.surcharge, "surcharge")?,
        ),
    };
    Ok(Json(
        app.set_registration_status(&c, &id, change).await?.into(),
    ))
}

#[derive(Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceIn {
    /// Price of a segment beyond the included SMS (decimal, the account's currency).
    segment_price: String,
}

pub async fn put_price(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PriceIn>,
) -> ApiOk<PriceIn> {
    let micros = money(&Some(b.segment_price.clone()), "segment_price")?;
    app.set_messaging_price(&c, &id, micros).await?;
    Ok(Json(b))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageCloseIn {
    /// `YYYY-MM`, a month that has ended.
    month: String,
}

pub async fn usage_close(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<UsageCloseIn>,
) -> ApiOk<UsageCloseOut> {
    let accounts = app.close_message_usage(&c, &b.month).await?;
    Ok(Json(UsageCloseOut {
        month: b.month,
        accounts: accounts.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    billing_account: String,
    #[param(schema_with = crate::wire::time_schema)]
    from: String,
    #[param(schema_with = crate::wire::time_schema)]
    to: String,
    /// `json` (everything) or `csv` (one `kind`).
    format: Option<String>,
    /// With csv: `messages`, `consents`, `registrations` or `suppressions`.
    kind: Option<String>,
}

pub async fn export(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult {
    let from = time_opt(&Some(q.from.clone()), "from")?.unwrap_or(0);
    let to = time_opt(&Some(q.to.clone()), "to")?.unwrap_or(0);
    let e = app
        .messaging_export(&c, &q.billing_account, from, to)
        .await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(MessagingExportOut::from(e)).into_response()),
        Some("csv") => {
            let kind = q.kind.as_deref().unwrap_or("messages");
            let csv = tollgate_app::messaging::export::to_csv(&e, kind)?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
        }
        Some(_) => Err(AppError::invalid("format_invalid", "format", "json or csv").into()),
    }
}
