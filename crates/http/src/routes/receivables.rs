//! Receivables handlers (issue 13): payments (B9, B10), disputes and credit notes (B9),
//! billing credits, statements, aged receivables, the outbox. Thin: parse, call one use case,
//! render.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::receivables::{NewDispute, NewPayment, Resolution};
use tollgate_app::{App, AppError, Caller};
use tollgate_core::time::{day_start, parse_day};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{page, ApiJson, ApiQuery, PageQuery};
use crate::wire::receivables::{
    AgedRowOut, BillingCreditOut, CreditNoteOut, DisputeOut, OutboxMessageOut, PaymentOut,
    PaymentOutcomeOut, StatementOut, WebhookCreatedOut, WebhookOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk};

/// A list that is whole (no further page).
fn whole<T>(items: Vec<T>) -> Page<T> {
    Page {
        items,
        next_cursor: None,
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct BilledQuery {
    /// A billing account or partner id.
    billed_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_payments(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<BilledQuery>,
) -> ApiOk<Page<PaymentOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_payments(&c, q.billed_id.as_deref(), &pg).await?;
    let items: Vec<PaymentOut> = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(items, pg.limit, |p: &PaymentOut| {
        p.id.clone()
    })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    /// The invoice paid: id, number or payment reference.
    invoice: String,
    /// Decimal, in the invoice's currency.
    amount: String,
    currency: String,
    /// `YYYY-MM-DD`; today when absent.
    received_on: Option<String>,
    /// The bank's reference: a payment is recorded once per reference.
    bank_reference: String,
    method: Option<String>,
    /// Pay the named invoice first (default: the oldest open invoice first).
    #[serde(default)]
    to_named_invoice: bool,
}

pub async fn record_payment(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PaymentIn>,
) -> ApiCreated<PaymentOutcomeOut> {
    let o = app
        .record_payment(
            &c,
            NewPayment {
                invoice: b.invoice,
                to_named_invoice: b.to_named_invoice,
                amount: b.amount,
                currency: b.currency,
                received_on: b.received_on,
                bank_reference: b.bank_reference,
                method: b.method,
            },
        )
        .await?;
    Ok(Created(o.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineIn {
    reason: String,
}

pub async fn decline_payment(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DeclineIn>,
) -> ApiOk<PaymentOut> {
    Ok(Json(app.decline_payment(&c, &id, &b.reason).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct DisputeQuery {
    invoice_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_disputes(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<DisputeQuery>,
) -> ApiOk<Page<DisputeOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_disputes(&c, q.invoice_id.as_deref(), &pg).await?;
    let items: Vec<DisputeOut> = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(items, pg.limit, |d: &DisputeOut| {
        d.id.clone()
    })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeIn {
    /// The invoice's line numbers disputed.
    lines: Vec<i64>,
    /// Decimal, at most those lines' amounts.
    amount: String,
    reason: String,
    /// `YYYY-MM-DD` the written notice arrived; today when absent.
    opened_on: Option<String>,
    /// The support ticket it is discussed in.
    ticket_ref: Option<String>,
}

pub async fn open_dispute(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DisputeIn>,
) -> ApiCreated<DisputeOut> {
    let d = app
        .open_dispute(
            &c,
            &id,
            NewDispute {
                lines: b.lines,
                amount: b.amount,
                reason: b.reason,
                opened_on: b.opened_on,
                ticket_ref: b.ticket_ref,
            },
        )
        .await?;
    Ok(Created(d.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveIn {
    /// Decimal: the part upheld; `0` rejects the dispute.
    upheld: String,
    note: String,
}

pub async fn resolve_dispute(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResolveIn>,
) -> ApiOk<DisputeOut> {
    let (d, _) = app
        .resolve_dispute(
            &c,
            &id,
            Resolution {
                upheld: b.upheld,
                note: b.note,
            },
        )
        .await?;
    Ok(Json(d.into()))
}

pub async fn list_credit_notes(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<CreditNoteOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_credit_notes(&c, &pg).await?;
    let items: Vec<CreditNoteOut> = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(items, pg.limit, |n: &CreditNoteOut| {
        n.id.clone()
    })))
}

pub async fn list_credits(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<BilledQuery>,
) -> ApiOk<Page<BillingCreditOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app
        .list_billing_credits(&c, q.billed_id.as_deref(), &pg)
        .await?;
    let items: Vec<BillingCreditOut> = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::of(items, pg.limit, |n: &BillingCreditOut| {
        n.id.clone()
    })))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// `YYYY-MM-DD`: movements before it make the opening balance.
    from: Option<String>,
    /// `YYYY-MM-DD`, exclusive.
    to: Option<String>,
}

fn day_param(v: Option<&str>, field: &'static str) -> Result<Option<i64>, ApiError> {
    v.map(|s| {
        parse_day(s, field)
            .map(day_start)
            .map_err(|r| ApiError::from(AppError::from(r)))
    })
    .transpose()
}

pub async fn statement(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<StatementQuery>,
) -> ApiOk<Page<StatementOut>> {
    let from = day_param(q.from.as_deref(), "from")?;
    let to = day_param(q.to.as_deref(), "to")?;
    let s = app.statement(&c, &id, from, to).await?;
    Ok(Json(whole(s.into_iter().map(Into::into).collect())))
}

pub async fn aged(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiOk<Page<AgedRowOut>> {
    let rows = app.aged_receivables(&c).await?;
    Ok(Json(whole(rows.into_iter().map(Into::into).collect())))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `pending` (default), `sent` or `dead`.
    state: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
}

pub async fn list_outbox(
    State(app): State<App>,
    Extension(_c): Extension<Caller>,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiOk<Page<OutboxMessageOut>> {
    let pg = page(q.limit, None)?;
    let rows = app
        .outbox(q.state.as_deref().unwrap_or("pending"), pg.limit)
        .await?;
    Ok(Json(whole(rows.into_iter().map(Into::into).collect())))
}

pub async fn requeue(
    State(app): State<App>,
    Extension(_c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<serde_json::Value> {
    app.requeue_message(&id).await?;
    Ok(Json(serde_json::json!({"id": id, "state": "pending"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookIn {
    /// `http://host[:port][/path]`: every notification is posted there, signed.
    url: String,
}

pub async fn create_webhook(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<WebhookIn>,
) -> ApiCreated<WebhookCreatedOut> {
    Ok(Created(app.create_webhook(&c, &b.url).await?.into()))
}

pub async fn list_webhooks(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<WebhookOut>> {
    let pg = page(q.limit, None)?;
    let rows = app.webhooks(&c, pg.limit).await?;
    Ok(Json(whole(rows.into_iter().map(Into::into).collect())))
}

pub async fn disable_webhook(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<serde_json::Value> {
    app.disable_webhook(&c, &id).await?;
    Ok(Json(serde_json::json!({"id": id, "state": "disabled"})))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    /// `YYYY-MM-DD` the written notice arrived; today when absent.
    notice_on: Option<String>,
}

#[derive(serde::Serialize, ToSchema)]
pub struct CancelledOut {
    pub subscription_id: String,
    pub state: String,
    pub ends_on: Option<String>,
    /// The prepaid unused part credited for the next invoices, minor units.
    pub refund_minor: i64,
    pub rule: &'static str,
}

pub async fn cancel_subscription(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    crate::extract::OptJson(b): crate::extract::OptJson<CancelIn>,
) -> ApiOk<CancelledOut> {
    let r = app
        .cancel_subscription(&c, &id, b.notice_on.as_deref())
        .await?;
    Ok(Json(CancelledOut {
        subscription_id: r.subscription.id,
        state: r.subscription.state,
        ends_on: r.subscription.ends_on.map(tollgate_app::billing::day_text),
        refund_minor: r.refund_minor,
        rule: "C4",
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DunningPolicyIn {
    /// The issuer (the operator may set another issuer's; a partner its own).
    issuer_id: Option<String>,
    /// Days past due at which a reminder goes out (at most 10, 1 to 365).
    reminder_days: Vec<i64>,
    /// Suspend outbound calls from this many days past due; absent: never.
    suspend_after_days: Option<i64>,
    /// ... once the party's overdue balance is at least this many minor units.
    #[serde(default)]
    suspend_min_minor: i64,
}

#[derive(serde::Serialize, ToSchema)]
pub struct DunningPolicyOut {
    pub reminder_days: Vec<i64>,
    pub suspend_after_days: Option<i64>,
    pub suspend_min_minor: i64,
}

pub async fn set_dunning_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<DunningPolicyIn>,
) -> ApiOk<DunningPolicyOut> {
    let policy = tollgate_core::receivables::dunning::DunningPolicy::new(
        b.reminder_days,
        b.suspend_after_days,
        b.suspend_min_minor,
    )
    .map_err(AppError::from)?;
    let p = app
        .set_dunning_policy(&c, b.issuer_id.as_deref(), policy)
        .await?;
    Ok(Json(DunningPolicyOut {
        reminder_days: p.reminder_days,
        suspend_after_days: p.suspend_after_days,
        suspend_min_minor: p.suspend_min_minor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateIn {
    /// `provider_breach`, `adverse_amendment` (the customer's), `customer_breach`,
    /// `insolvency`, `regulator`, `express_cause` (the provider's).
    cause: String,
}

#[derive(serde::Serialize, ToSchema)]
pub struct TerminatedOut {
    pub subscriptions_ended: usize,
    pub credited_minor: i64,
    pub refunded_minor: i64,
    pub remainder_minor: i64,
    pub numbers_released: usize,
}

pub async fn terminate(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TerminateIn>,
) -> ApiOk<TerminatedOut> {
    let t = app.terminate_account(&c, &id, &b.cause).await?;
    Ok(Json(TerminatedOut {
        subscriptions_ended: t.subscriptions_ended,
        credited_minor: t.credited_minor,
        refunded_minor: t.refunded_minor,
        remainder_minor: t.remainder_minor,
        numbers_released: t.numbers_released,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestCapIn {
    /// `GB`, `US-NY`, ...
    jurisdiction: String,
    /// Percent a year, e.g. `8` or `10.5`.
    max_annual_pct: String,
    /// `YYYY-MM-DD`.
    effective_from: String,
}

#[derive(serde::Serialize, ToSchema)]
pub struct InterestCapOut {
    pub jurisdiction: String,
    pub max_annual_bp: i64,
    pub effective_from: String,
    pub rule: &'static str,
}

pub async fn set_interest_cap(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<InterestCapIn>,
) -> ApiOk<InterestCapOut> {
    let bp = app
        .set_interest_cap(&c, &b.jurisdiction, &b.max_annual_pct, &b.effective_from)
        .await?;
    Ok(Json(InterestCapOut {
        jurisdiction: b.jurisdiction,
        max_annual_bp: bp,
        effective_from: b.effective_from,
        rule: "B6",
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityIn {
    quantity: i64,
    /// `YYYY-MM-DD`; today when absent.
    effective_on: Option<String>,
}

#[derive(serde::Serialize, ToSchema)]
pub struct QuantityOut {
    pub subscription_id: String,
    pub quantity: i64,
    /// The prorated charge (negative: a credit) waiting for the next invoice, in micro units.
    pub prorated_micros: Option<i64>,
    pub rule: &'static str,
}

pub async fn change_quantity(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<QuantityIn>,
) -> ApiOk<QuantityOut> {
    let (s, charge) = app
        .change_quantity(&c, &id, b.quantity, b.effective_on.as_deref())
        .await?;
    Ok(Json(QuantityOut {
        subscription_id: s.id,
        quantity: s.quantity,
        prorated_micros: charge.map(|c| c.unit_micros),
        rule: "B3",
    }))
}
