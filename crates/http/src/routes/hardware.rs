//! Hardware (issue 18): the catalog, devices and their history, HWaaS leases (E1-E4, E7, E8),
//! replacement claims (E5, E6), CAPEX sales, warranty, RMAs and conversion (K1-K5).

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::hardware::capex::NewSale;
use tollgate_app::hardware::catalog::NewModel;
use tollgate_app::hardware::claims::NewClaim;
use tollgate_app::hardware::day_of;
use tollgate_app::hardware::rma::RmaChange;
use tollgate_app::{App, AppError, Caller};
use tollgate_core::hardware::rma::UsReturnLabel;
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{page, ApiJson, ApiQuery};
use crate::wire::hardware::{
    ClaimOut, DeviceDocumentOut, DeviceModelOut, DeviceOut, LeaseOut, LeaseSettledOut, RmaOut,
    UpgradeOfferOut, WarrantyOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk};

fn money(v: &str, field: &'static str) -> Result<i64, ApiError> {
    tollgate_core::money::parse_scaled(v, tollgate_core::money::MICRO_DIGITS)
        .map_err(|e| AppError::invalid("amount_invalid", field, e).into())
}

fn day_opt(v: &Option<String>, field: &'static str) -> Result<Option<i64>, ApiError> {
    Ok(match v {
        Some(s) => Some(day_of(s, field)?),
        None => None,
    })
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

// ---- catalog ----

pub async fn models(State(app): State<App>) -> ApiOk<Page<DeviceModelOut>> {
    let out = app.models().await?.into_iter().map(Into::into).collect();
    Ok(Json(Page::all(out)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceModelIn {
    code: String,
    name: String,
    /// `desk_phone`, `headset`, `gateway` or `other`.
    kind: String,
    /// Decimal, the currency's units.
    casualty_value: String,
    currency: String,
}

pub async fn create_model(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<DeviceModelIn>,
) -> ApiCreated<DeviceModelOut> {
    let n = NewModel {
        casualty_micros: money(&b.casualty_value, "casualty_value")?,
        code: b.code,
        name: b.name,
        kind: b.kind,
        currency: b.currency,
    };
    Ok(Created(app.create_model(&c, n).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeIn {
    /// The new model with significant improvements.
    replacement_model_id: String,
}

pub async fn offer_upgrade(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpgradeIn>,
) -> ApiOk<UpgradeOfferOut> {
    let devices = app.offer_upgrade(&c, &id, &b.replacement_model_id).await?;
    Ok(Json(UpgradeOfferOut {
        model_id: id,
        replaced_by: b.replacement_model_id,
        device_ids: devices.into_iter().map(|d| d.id).collect(),
    }))
}

// ---- devices ----

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct DevicesQuery {
    /// Only the devices of this lease.
    lease_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn devices(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<DevicesQuery>,
) -> ApiOk<Page<DeviceOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let out = app
        .devices(&c, q.lease_id.as_deref(), &pg)
        .await?
        .into_iter()
        .map(|d| DeviceOut::of(d, Vec::new()))
        .collect();
    Ok(Json(Page::of(out, pg.limit, |d: &DeviceOut| d.id.clone())))
}

pub async fn device(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<DeviceOut> {
    let (d, history) = app.device(&c, &id).await?;
    Ok(Json(DeviceOut::of(d, history)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct WarrantyQuery {
    /// `YYYY-MM-DD` (default today).
    on: Option<String>,
}

pub async fn warranty(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WarrantyQuery>,
) -> ApiOk<WarrantyOut> {
    let on = day_opt(&q.on, "on")?.unwrap_or(app.now());
    let e = app.warranty(&c, &id, Some(on)).await?;
    Ok(Json(WarrantyOut::of(id, on, e)))
}

/// The lease of a line, as the caller sees it after the change (the device itself may have
/// left the caller's hands).
async fn lease_after(app: &App, c: &Caller, lease_id: &str) -> ApiOk<LeaseOut> {
    Ok(Json(app.lease(c, lease_id).await?.into()))
}

pub async fn reduce(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<LeaseOut> {
    let line = app.reduce_lease(&c, &id).await?;
    lease_after(&app, &c, &line.lease_id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeIn {
    /// The other model.
    model_id: String,
    /// The serial of the device that takes its place.
    serial: String,
}

pub async fn exchange(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ExchangeIn>,
) -> ApiOk<LeaseOut> {
    let line = app.exchange_device(&c, &id, &b.model_id, &b.serial).await?;
    lease_after(&app, &c, &line.lease_id).await
}

pub async fn return_device(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<LeaseOut> {
    let line = app.return_device(&c, &id).await?;
    lease_after(&app, &c, &line.lease_id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationalIn {
    operational: bool,
}

pub async fn operational(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<OperationalIn>,
) -> ApiOk<DeviceOut> {
    app.set_operational(&c, &id, b.operational).await?;
    device(State(app), Extension(c), Path(id)).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertIn {
    /// The lease it joins (of the same billing account).
    lease_id: String,
    /// The leased-device subscription that bills it.
    subscription_id: String,
}

pub async fn convert(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConvertIn>,
) -> ApiOk<DeviceOut> {
    app.convert_to_hwaas(&c, &id, &b.lease_id, &b.subscription_id)
        .await?;
    device(State(app), Extension(c), Path(id)).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceDocumentIn {
    /// `warranty_agreement` (the signed 5-year agreement's copy, K2), `proof_of_purchase` or
    /// `police_report` (E6).
    kind: String,
    filename: String,
    /// `application/pdf`, `image/png` or `image/jpeg`.
    content_type: String,
    content_base64: String,
}

pub async fn upload_document(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DeviceDocumentIn>,
) -> ApiCreated<DeviceDocumentOut> {
    let doc = tollgate_app::numbers::NewDocument {
        kind: b.kind,
        filename: b.filename,
        content_type: b.content_type,
        content_base64: b.content_base64,
    };
    let d = app.upload_device_document(&c, &id, doc).await?;
    Ok(Created(d.into()))
}

pub async fn documents(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<Page<DeviceDocumentOut>> {
    let out = app
        .device_documents(&c, &id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::all(out)))
}

// ---- leases ----

pub async fn leases(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiOk<Page<LeaseOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let out = app
        .leases(&c, &pg)
        .await?
        .into_iter()
        .map(LeaseOut::bare)
        .collect();
    Ok(Json(Page::of(out, pg.limit, |l: &LeaseOut| l.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseIn {
    billing_account_id: String,
    /// `month_to_month`, `year_to_year` or `five_years` (E2).
    term: String,
}

pub async fn create_lease(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<LeaseIn>,
) -> ApiCreated<LeaseOut> {
    let l = app.create_lease(&c, &b.billing_account_id, &b.term).await?;
    Ok(Created(LeaseOut::bare(l)))
}

pub async fn lease(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<LeaseOut> {
    Ok(Json(app.lease(&c, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryIn {
    /// The account's leased-device subscription that bills it.
    subscription_id: String,
    serial: String,
    model_id: String,
    /// `YYYY-MM-DD`: the order the device ships for (E4: invoiced from 14 days later);
    /// the subscription's own order when absent.
    ordered_on: Option<String>,
    /// `YYYY-MM-DD`, between the order and today.
    delivered_on: String,
}

pub async fn deliver(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DeliveryIn>,
) -> ApiCreated<LeaseOut> {
    let on = day_of(&b.delivered_on, "delivered_on")?;
    let ordered = day_opt(&b.ordered_on, "ordered_on")?;
    app.deliver_device(
        &c,
        &id,
        &b.subscription_id,
        &b.serial,
        &b.model_id,
        ordered,
        on,
    )
    .await?;
    Ok(Created(app.lease(&c, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndLeaseIn {
    /// `YYYY-MM-DD`: the devices are returned by this day (E7).
    return_due_on: String,
}

pub async fn end_lease(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EndLeaseIn>,
) -> ApiOk<LeaseOut> {
    let due = day_of(&b.return_due_on, "return_due_on")?;
    app.end_lease(&c, &id, due).await?;
    Ok(Json(app.lease(&c, &id).await?.into()))
}

pub async fn settle_lease(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<LeaseSettledOut> {
    let out = app.settle_lease(&c, &id).await?;
    Ok(Json(LeaseSettledOut {
        lease_id: id,
        not_returned: out.into_iter().map(Into::into).collect(),
    }))
}

// ---- claims ----

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ClaimsQuery {
    /// Only the replacements that did not ship within their due time (E5 breaches).
    #[serde(default)]
    late: bool,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn claims(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiOk<Page<ClaimOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let now = app.now();
    let rows = if q.late {
        app.late_claims(&c, &pg).await?
    } else {
        app.claims(&c, &pg).await?
    };
    let out = rows.into_iter().map(|r| ClaimOut::of(r, now)).collect();
    Ok(Json(Page::of(out, pg.limit, |c: &ClaimOut| c.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoliceReportIn {
    /// The model named in the report.
    model: String,
    /// The serial named in the report.
    serial: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimIn {
    device_id: String,
    /// `defect`, `accident`, `deliberate`, `fire`, `theft`, `loss`, `unsuitable_environment` or
    /// `wear`.
    cause: String,
    /// The device and its serial label can still be identified (E5).
    #[serde(default)]
    label_identifiable: bool,
    /// Theft, or fire that destroyed the label: a police report naming model and serial (E6).
    police_report: Option<PoliceReportIn>,
}

pub async fn claim(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ClaimIn>,
) -> ApiCreated<ClaimOut> {
    let n = NewClaim {
        device_id: b.device_id,
        cause: b.cause,
        label_identifiable: b.label_identifiable,
        police_report: b.police_report.map(|p| (p.model, p.serial)),
    };
    let row = app.claim_replacement(&c, n).await?;
    Ok(Created(ClaimOut::of(row, app.now())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipIn {
    /// The replacement's serial.
    serial: String,
    /// Transport at cost, decimal (charged on the next invoice).
    #[serde(default)]
    transport: Option<String>,
}

pub async fn ship(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ShipIn>,
) -> ApiOk<ClaimOut> {
    let transport = match &b.transport {
        Some(t) => money(t, "transport")?,
        None => 0,
    };
    let row = app.ship_replacement(&c, &id, &b.serial, transport).await?;
    Ok(Json(ClaimOut::of(row, app.now())))
}

// ---- CAPEX, RMA ----

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleIn {
    billing_account_id: String,
    serial: String,
    model_id: String,
    /// `YYYY-MM-DD`.
    purchased_on: String,
    /// A signed 5-year warranty agreement (K2).
    #[serde(default)]
    five_year_agreement: bool,
    /// Where the agreement's signed copy is (a document reference), when on file.
    agreement_copy: Option<String>,
}

pub async fn record_sale(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<SaleIn>,
) -> ApiCreated<DeviceOut> {
    let n = NewSale {
        purchased_on: day_of(&b.purchased_on, "purchased_on")?,
        billing_account: b.billing_account_id,
        serial: b.serial,
        model_id: b.model_id,
        five_year_agreement: b.five_year_agreement,
        agreement_copy: b.agreement_copy,
    };
    let d = app.record_sale(&c, n).await?;
    let (d, history) = app.device(&c, &d.id).await?;
    Ok(Created(DeviceOut::of(d, history)))
}

pub async fn rmas(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiOk<Page<RmaOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let out = app
        .rmas(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(out, pg.limit, |r: &RmaOut| r.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaIn {
    device_id: String,
    /// What is wrong with the device.
    fault: String,
    /// The invoice or receipt reference (K4).
    proof_of_purchase: String,
}

pub async fn open_rma(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<RmaIn>,
) -> ApiCreated<RmaOut> {
    let r = app
        .open_rma(&c, &b.device_id, &b.fault, &b.proof_of_purchase)
        .await?;
    Ok(Created(r.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLabelIn {
    rma_number: String,
    weight_g: i64,
    length_mm: i64,
    width_mm: i64,
    height_mm: i64,
}

pub async fn rma_label(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(l): ApiJson<ReturnLabelIn>,
) -> ApiOk<RmaOut> {
    let label = UsReturnLabel {
        rma_number: l.rma_number,
        weight_g: l.weight_g,
        length_mm: l.length_mm,
        width_mm: l.width_mm,
        height_mm: l.height_mm,
    };
    Ok(Json(app.rma_label(&c, &id, label).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaStateIn {
    /// `approved`, `unit_received`, `verified`, `replacement_shipped`,
    /// `refurbished_shipped`, `credit_note` or `refused`.
    state: String,
    /// US, with `approved`: the return label's data for logistics.
    label: Option<ReturnLabelIn>,
    /// With `verified`: the verifier's findings (`misuse`, `neglect`, `accident`,
    /// `unauthorised_change`, `unsuitable_environment`, `wear`, `loss`, `theft`); any refuses
    /// the RMA (K3).
    #[serde(default)]
    exclusions: Vec<String>,
    /// With a shipment: the serial shipped.
    serial: Option<String>,
    /// With `credit_note`: the credit, decimal, above 0 and at most the model's value.
    credit: Option<String>,
    /// With `refused`: why.
    reason: Option<String>,
}

pub async fn rma_state(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RmaStateIn>,
) -> ApiOk<RmaOut> {
    let credit_micros = match &b.credit {
        Some(v) => Some(money(v, "credit")?),
        None => None,
    };
    let ch = RmaChange {
        state: b.state,
        label: b.label.map(|l| UsReturnLabel {
            rma_number: l.rma_number,
            weight_g: l.weight_g,
            length_mm: l.length_mm,
            width_mm: l.width_mm,
            height_mm: l.height_mm,
        }),
        exclusions: b.exclusions,
        serial: b.serial,
        credit_micros,
        reason: b.reason,
    };
    Ok(Json(app.set_rma_state(&c, &id, ch).await?.into()))
}
