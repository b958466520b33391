//! Billing handlers (issue 12): catalog, price lists, tax rates, billing details, orders
//! (C1), subscriptions (C2, C3), runs, invoices (JSON, PDF, HTML, CSV) and the ledger check.
//! Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::billing::{
    invoice_csv, BillingDetails, BillingDetailsOf, NewOrder, NewOrderLine, NewPriceVersion,
    NewProduct, NewTaxRate,
};
use tollgate_app::records::InvoiceFilter;
use tollgate_app::{App, AppError, Caller};
use tollgate_core::tenancy::Level;
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{page, ApiJson, ApiQuery, OptJson, PageQuery};
use crate::wire::billing::{
    InvoiceOut, InvoiceSummaryOut, LedgerReportOut, OrderOut, PriceChangeOut, PriceListOut,
    ProductOut, RunOut, SubscriptionOut, TaxRateOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk, ApiResult};

// --- catalog ---------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductIn {
    code: String,
    name: String,
    #[schema(schema_with = crate::wire::billing::product_kind_schema)]
    kind: String,
    #[serde(default)]
    included_calls: i64,
    #[serde(default)]
    included_minutes: i64,
    included_zone: Option<String>,
}

pub async fn list_products(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiOk<Page<ProductOut>> {
    let rows = app.list_products(&c).await?;
    Ok(Json(Page::all(rows.into_iter().map(Into::into).collect())))
}

pub async fn create_product(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ProductIn>,
) -> ApiCreated<ProductOut> {
    let p = NewProduct {
        code: b.code,
        name: b.name,
        kind: b.kind,
        included_calls: b.included_calls,
        included_minutes: b.included_minutes,
        included_zone: b.included_zone,
    };
    Ok(Created(app.create_product(&c, p).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceListIn {
    name: String,
    /// `wholesale` (operator, per partner tier) or `retail`.
    level: String,
    #[schema(schema_with = crate::wire::tenancy::tier_schema)]
    tier: Option<String>,
    #[schema(schema_with = crate::wire::tenancy::currency_schema)]
    currency: String,
}

pub async fn list_price_lists(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<PriceListOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_price_lists(&c, &pg).await?;
    Ok(Json(Page::of(
        rows.into_iter().map(Into::into).collect(),
        pg.limit,
        |l: &PriceListOut| l.id.clone(),
    )))
}

pub async fn create_price_list(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PriceListIn>,
) -> ApiCreated<PriceListOut> {
    let l = app
        .create_price_list(&c, &b.name, &b.level, b.tier.as_deref(), &b.currency)
        .await?;
    Ok(Created(l.into()))
}

pub async fn get_price_list(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PriceListOut> {
    Ok(Json(app.get_price_list(&c, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceItemIn {
    /// Product code.
    product: String,
    /// Decimal, per unit and month (recurring) or per unit (one-time).
    unit_price: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermDiscountIn {
    /// `annual`, `3_year`, `5_year`.
    term: String,
    discount_bp: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceVersionIn {
    /// `YYYY-MM-DD`: the version applies to orders from this day.
    valid_from: String,
    items: Vec<PriceItemIn>,
    #[serde(default)]
    discounts: Vec<TermDiscountIn>,
    #[serde(default)]
    usage_discount_bp: i64,
}

pub async fn add_price_version(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PriceVersionIn>,
) -> ApiCreated<PriceListOut> {
    let v = NewPriceVersion {
        valid_from: b.valid_from,
        items: b
            .items
            .into_iter()
            .map(|i| (i.product, i.unit_price))
            .collect(),
        discounts: b
            .discounts
            .into_iter()
            .map(|d| (d.term, d.discount_bp))
            .collect(),
        usage_discount_bp: b.usage_discount_bp,
    };
    Ok(Created(app.add_price_version(&c, &id, v).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxRateIn {
    /// `GB`, `US-NY`.
    jurisdiction: String,
    name: String,
    /// `tax` or `fee`.
    kind: String,
    /// Percent, decimal (`20`, `8.875`).
    rate_pct: String,
    /// `YYYY-MM-DD`: the authority's date (B7).
    valid_from: String,
}

pub async fn list_tax_rates(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiOk<Page<TaxRateOut>> {
    let rows = app.list_tax_rates(&c).await?;
    Ok(Json(Page::all(rows.into_iter().map(Into::into).collect())))
}

pub async fn add_tax_rate(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<TaxRateIn>,
) -> ApiCreated<TaxRateOut> {
    let t = NewTaxRate {
        jurisdiction: b.jurisdiction,
        name: b.name,
        kind: b.kind,
        rate_pct: b.rate_pct,
        valid_from: b.valid_from,
    };
    Ok(Created(app.add_tax_rate(&c, t).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingDetailsIn {
    address_lines: Vec<String>,
    /// `GB`, `US-NY`: whose taxes apply (B7); null: none.
    jurisdiction: Option<String>,
    tax_id: Option<String>,
}

impl From<BillingDetailsIn> for BillingDetails {
    fn from(b: BillingDetailsIn) -> BillingDetails {
        BillingDetails {
            address_lines: b.address_lines,
            jurisdiction: b.jurisdiction,
            tax_id: b.tax_id,
        }
    }
}

async fn set_details(
    app: &App,
    c: &Caller,
    of: BillingDetailsOf,
    id: &str,
    b: BillingDetailsIn,
) -> ApiOk<serde_json::Value> {
    app.set_billing_details(c, of, id, &b.into()).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn account_details(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BillingDetailsIn>,
) -> ApiOk<serde_json::Value> {
    set_details(&app, &c, BillingDetailsOf::BillingAccount, &id, b).await
}

pub async fn partner_details(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BillingDetailsIn>,
) -> ApiOk<serde_json::Value> {
    set_details(&app, &c, BillingDetailsOf::Partner, &id, b).await
}

pub async fn operator_details(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<BillingDetailsIn>,
) -> ApiOk<serde_json::Value> {
    let op = app.operator_id().await?;
    set_details(&app, &c, BillingDetailsOf::Operator, &op, b).await
}

// --- orders and subscriptions ----------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineIn {
    /// Product code or id.
    product: String,
    quantity: i64,
    /// `monthly`, `annual`, `3_year`, `5_year`.
    term: String,
    /// `monthly` or `annual`; default: monthly for a monthly term, else annual.
    frequency: Option<String>,
    /// Number products: the number (E.164) the line bills (B2).
    number: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderIn {
    billing_account_id: String,
    #[schema(schema_with = crate::wire::tenancy::currency_schema)]
    currency: String,
    /// `YYYY-MM-DD`; today when absent.
    start_date: Option<String>,
    lines: Vec<OrderLineIn>,
}

fn sees_wholesale(c: &Caller) -> bool {
    c.principal.role.level() != Level::Customer
}

pub async fn create_order(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<OrderIn>,
) -> ApiCreated<OrderOut> {
    let o = NewOrder {
        billing_account_id: b.billing_account_id,
        currency: b.currency,
        start_date: b.start_date,
        lines: b
            .lines
            .into_iter()
            .map(|l| NewOrderLine {
                product: l.product,
                quantity: l.quantity,
                term: l.term,
                frequency: l.frequency,
                number: l.number,
            })
            .collect(),
    };
    let v = app.create_order(&c, o).await?;
    Ok(Created(OrderOut::new(v, sees_wholesale(&c))))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    customer_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_orders(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> ApiOk<Page<OrderOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_orders(&c, q.customer_id.as_deref(), &pg).await?;
    let w = sees_wholesale(&c);
    let items = rows
        .into_iter()
        .map(|o| {
            OrderOut::new(
                tollgate_app::billing::OrderView {
                    order: o,
                    lines: Vec::new(),
                },
                w,
            )
        })
        .collect();
    Ok(Json(Page::of(items, pg.limit, |o: &OrderOut| o.id.clone())))
}

pub async fn get_order(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<OrderOut> {
    Ok(Json(OrderOut::new(
        app.get_order(&c, &id).await?,
        sees_wholesale(&c),
    )))
}

async fn order_event(app: &App, c: &Caller, id: &str, event: &str) -> ApiOk<OrderOut> {
    Ok(Json(OrderOut::new(
        app.order_event(c, id, event).await?,
        sees_wholesale(c),
    )))
}

pub async fn execute_order(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<OrderOut> {
    order_event(&app, &c, &id, "execute").await
}

pub async fn accept_order(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<OrderOut> {
    order_event(&app, &c, &id, "accept").await
}

pub async fn fulfil_order(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<OrderOut> {
    order_event(&app, &c, &id, "fulfil").await
}

pub async fn cancel_order(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<OrderOut> {
    order_event(&app, &c, &id, "cancel").await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionQuery {
    billing_account_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_subscriptions(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<SubscriptionQuery>,
) -> ApiOk<Page<SubscriptionOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app
        .list_subscriptions(&c, q.billing_account_id.as_deref(), &pg)
        .await?;
    let items = rows
        .into_iter()
        .map(|s| SubscriptionOut::new(s, Vec::new()))
        .collect();
    Ok(Json(Page::of(items, pg.limit, |s: &SubscriptionOut| {
        s.id.clone()
    })))
}

pub async fn get_subscription(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<SubscriptionOut> {
    let (s, p) = app.get_subscription(&c, &id).await?;
    Ok(Json(SubscriptionOut::new(s, p)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NonRenewalIn {
    /// `YYYY-MM-DD` the written notice arrived; today when absent.
    received_on: Option<String>,
}

pub async fn non_renewal(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<NonRenewalIn>,
) -> ApiOk<SubscriptionOut> {
    let s = app
        .give_non_renewal(&c, &id, b.received_on.as_deref())
        .await?;
    Ok(Json(SubscriptionOut::new(s, Vec::new())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceChangeIn {
    /// Decimal, per unit and month.
    unit_price: String,
    /// `YYYY-MM-DD`.
    effective_from: String,
}

pub async fn price_change(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PriceChangeIn>,
) -> ApiCreated<PriceChangeOut> {
    let (s, _) = app.get_subscription(&c, &id).await?;
    let p = app
        .change_price(&c, &id, &b.unit_price, &b.effective_from)
        .await?;
    Ok(Created(PriceChangeOut::new(p, &s.currency)))
}

// --- runs, invoices, ledger ------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunIn {
    /// `YYYY-MM`: a closed usage month.
    period: String,
}

pub async fn run_billing(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<RunIn>,
) -> ApiOk<RunOut> {
    Ok(Json(
        app.run_billing(&c, &b.period, &mut |_| {}).await?.into(),
    ))
}

pub async fn list_runs(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiOk<Page<RunOut>> {
    let rows = app.list_billing_runs(&c).await?;
    Ok(Json(Page::all(
        rows.into_iter().map(RunOut::of_run).collect(),
    )))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InvoiceQuery {
    /// `YYYY-MM`.
    period: Option<String>,
    /// `wholesale` or `retail`.
    level: Option<String>,
    billing_account_id: Option<String>,
    partner_id: Option<String>,
    /// `json` (default) or `csv` (lines and taxes for accounting).
    format: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_invoices(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<InvoiceQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let f = InvoiceFilter {
        period: q.period,
        level: q.level,
        billing_account_id: q.billing_account_id,
        partner_id: q.partner_id,
    };
    let rows = app.list_invoices(&c, &f, &pg).await?;
    match q.format.as_deref() {
        None | Some("json") => {
            let items: Vec<InvoiceSummaryOut> = rows.into_iter().map(Into::into).collect();
            Ok(Json(Page::of(items, pg.limit, |i: &InvoiceSummaryOut| {
                i.id.clone()
            }))
            .into_response())
        }
        Some("csv") => {
            let mut views = Vec::with_capacity(rows.len());
            for r in &rows {
                views.push(app.get_invoice(&c, &r.id).await?);
            }
            Ok((
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                invoice_csv(&views)?,
            )
                .into_response())
        }
        Some(_) => Err(ApiError::from(AppError::invalid(
            "format_invalid",
            "format",
            "must be json or csv",
        ))),
    }
}

/// `GET /v1/invoices/{id}`, `{id}.pdf`, `{id}.html`, `{id}.csv`.
pub async fn get_invoice(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    if let Some(id) = id.strip_suffix(".pdf") {
        let pdf = app.invoice_pdf(&c, id).await?;
        return Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response());
    }
    if let Some(id) = id.strip_suffix(".html") {
        let html = app.invoice_html(&c, id).await?;
        return Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response());
    }
    if let Some(id) = id.strip_suffix(".csv") {
        let v = app.get_invoice(&c, id).await?;
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            invoice_csv(&[v])?,
        )
            .into_response());
    }
    let out: InvoiceOut = app
        .get_invoice(&c, id.strip_suffix(".json").unwrap_or(&id))
        .await?
        .into();
    Ok(Json(out).into_response())
}

pub async fn verify_ledger(
    State(app): State<App>,
    Extension(_c): Extension<Caller>,
) -> ApiOk<LedgerReportOut> {
    Ok(Json(app.verify_ledger().await?.into()))
}
