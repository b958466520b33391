//! Number handlers (T6-T14, B2, B11): thin. Parse, call one use case, render.
//!
//! Times are accepted as RFC 3339 or Unix seconds and rendered as RFC 3339. Numbers are
//! rendered E.164 with `+`; a number path accepts its id or its E.164 digits.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::numbers::{DocSubject, NewDocument, NewPortIn, NumberImportLine};
use tollgate_app::records::NumberFilter;
use tollgate_app::{App, AppError, Caller};
use tollgate_core::numbers::{self as numbers_rules, Address, PortInEvent};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{
    media_type, page, parse_json, require_json, unsupported_media_type, ApiJson, ApiQuery, OptJson,
};
use crate::wire::numbers::{
    AckOut, AckTextOut, AddressOut, AddressRegisteredOut, ContactOut, DocRequestOut, DocumentOut,
    ImportReportOut, NumberDetailOut, NumberHistoryOut, NumberOut, PortInDetailOut, PortInOut,
    SweepOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk};

fn time_param(v: &str, field: &'static str) -> Result<i64, ApiError> {
    tollgate_core::cdr::parse_time(v, field).map_err(|r| ApiError::from(AppError::from(r)))
}

// --- numbers -------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NumberQuery {
    #[param(schema_with = crate::wire::numbers::number_state_schema)]
    state: Option<String>,
    customer_id: Option<String>,
    billing_account_id: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[param(schema_with = crate::wire::guard::country_schema)]
    country: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_numbers(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<NumberQuery>,
) -> ApiOk<Page<NumberOut>> {
    let pg = page(q.limit, q.cursor)?;
    let filter = NumberFilter {
        state: q.state,
        customer_id: q.customer_id,
        billing_account_id: q.billing_account_id,
        country: q.country,
    };
    let rows = app.list_numbers(&c, &filter, &pg).await?;
    Ok(Json(Page::of(
        rows.iter().map(Into::into).collect(),
        pg.limit,
        |n: &NumberOut| n.id.clone(),
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportLineIn {
    e164: String,
    #[schema(schema_with = crate::wire::numbers::capabilities_schema)]
    capabilities: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    numbers: Vec<ImportLineIn>,
}

pub async fn import_numbers(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiCreated<ImportReportOut> {
    const TAKES: &str = "application/json or text/csv";
    let r = if media_type(&headers, TAKES)?.as_deref() == Some("text/csv") {
        app.import_numbers_csv(&c, &body).await?
    } else {
        // No content-type is JSON, as for every JSON body.
        require_json(&headers).map_err(|_| unsupported_media_type(TAKES))?;
        let b: ImportIn = parse_json(&body)?;
        let lines = b
            .numbers
            .into_iter()
            .map(|l| NumberImportLine {
                e164: l.e164,
                capabilities: l.capabilities.map(|c| c.join(",")),
            })
            .collect();
        app.import_numbers(&c, lines, 1).await?
    };
    Ok(Created(ImportReportOut::from(&r)))
}

pub async fn sweep(State(app): State<App>, Extension(c): Extension<Caller>) -> ApiOk<SweepOut> {
    let r = app.sweep_numbers(&c.actor).await?;
    Ok(Json(SweepOut::new(app.now(), r)))
}

pub async fn get_number(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<NumberDetailOut> {
    Ok(Json(NumberDetailOut::from(
        &app.number_detail(&c, &id).await?,
    )))
}

pub async fn number_history(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<NumberHistoryOut> {
    let h = app.number_history(&c, &id).await?;
    Ok(Json(NumberHistoryOut::from(&h)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveIn {
    billing_account_id: String,
}

pub async fn reserve(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReserveIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.reserve_number(&c, &id, &b.billing_account_id).await?,
    )))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    reason: Option<String>,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    note: Option<String>,
}

pub async fn unreserve(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<ReasonIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.unreserve_number(&c, &id, b.reason.as_deref()).await?,
    )))
}

pub async fn verify(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<NoteIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.verify_number(&c, &id, b.note.as_deref()).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmIn {
    #[schema(schema_with = crate::wire::numbers::confirm_method_schema)]
    method: String,
    note: Option<String>,
}

pub async fn confirm(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConfirmIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.confirm_number(&c, &id, &b.method, b.note.as_deref())
            .await?,
    )))
}

pub async fn activate(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(app.activate_number(&c, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredReasonIn {
    reason: String,
}

pub async fn release(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequiredReasonIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.release_number(&c, &id, &b.reason).await?,
    )))
}

pub async fn suspend(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequiredReasonIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.suspend_number(&c, &id, &b.reason).await?,
    )))
}

pub async fn resume(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<ReasonIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.resume_number(&c, &id, b.reason.as_deref()).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortOutIn {
    gaining_provider: String,
    authorisation_ref: String,
    #[schema(schema_with = crate::wire::time_schema)]
    port_date: String,
}

pub async fn port_out(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PortOutIn>,
) -> ApiOk<NumberDetailOut> {
    let date = time_param(&b.port_date, "port_date")?;
    let (n, _) = app
        .request_port_out(&c, &id, &b.gaining_provider, &b.authorisation_ref, date)
        .await?;
    Ok(Json(NumberDetailOut::from(
        &app.number_detail(&c, &n.id).await?,
    )))
}

pub async fn port_out_complete(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(app.complete_port_out(&c, &id).await?)))
}

pub async fn port_out_cancel(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(app.cancel_port_out(&c, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingIn {
    #[schema(schema_with = crate::wire::numbers::routing_schema)]
    routing: String,
}

pub async fn routing(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoutingIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(
        app.set_routing(&c, &id, &b.routing).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CnamIn {
    cnam: String,
}

pub async fn cnam(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CnamIn>,
) -> ApiOk<NumberOut> {
    Ok(Json(NumberOut::from(app.set_cnam(&c, &id, &b.cnam).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressIn {
    street: String,
    city: String,
    postcode: String,
    country: String,
    region: Option<String>,
    floor: Option<String>,
    room: Option<String>,
}

impl From<AddressIn> for Address {
    fn from(a: AddressIn) -> Address {
        let opt = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Address {
            street: a.street.trim().into(),
            city: a.city.trim().into(),
            postcode: a.postcode.trim().into(),
            country: a.country.trim().into(),
            region: opt(a.region),
            floor: opt(a.floor),
            room: opt(a.room),
        }
    }
}

pub async fn emergency_address(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AddressIn>,
) -> ApiCreated<AddressRegisteredOut> {
    let a = app
        .set_emergency_address(&c, &id, &Address::from(b))
        .await?;
    Ok(Created(AddressRegisteredOut {
        address: AddressOut::from(&a),
        pending: a.effective_at > app.now(),
        rule: "T13",
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    #[schema(schema_with = crate::wire::numbers::document_kind_schema)]
    kind: String,
    filename: String,
    #[schema(schema_with = crate::wire::numbers::document_type_schema)]
    content_type: String,
    content_base64: String,
}

impl From<DocumentIn> for NewDocument {
    fn from(d: DocumentIn) -> NewDocument {
        NewDocument {
            kind: d.kind,
            filename: d.filename,
            content_type: d.content_type,
            content_base64: d.content_base64,
        }
    }
}

pub async fn number_document(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DocumentIn>,
) -> ApiCreated<DocumentOut> {
    let d = app
        .upload_document(&c, DocSubject::Number(&id), b.into())
        .await?;
    Ok(Created(DocumentOut::from(&d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocRequestIn {
    #[schema(schema_with = crate::wire::numbers::document_kind_schema)]
    kind: String,
    #[schema(schema_with = crate::wire::time_schema)]
    deadline: String,
    #[schema(schema_with = crate::wire::numbers::miss_policy_schema)]
    on_miss: Option<String>,
    note: Option<String>,
    numbers: Option<Vec<String>>,
}

async fn doc_request(
    app: &App,
    c: &Caller,
    subject: DocSubject<'_>,
    b: DocRequestIn,
) -> ApiCreated<DocRequestOut> {
    let deadline = time_param(&b.deadline, "deadline")?;
    let r = app
        .request_documents(
            c,
            subject,
            &b.kind,
            deadline,
            b.on_miss.as_deref(),
            b.note.as_deref(),
            &b.numbers.unwrap_or_default(),
        )
        .await?;
    Ok(Created(DocRequestOut::from(&r)))
}

pub async fn number_document_request(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DocRequestIn>,
) -> ApiCreated<DocRequestOut> {
    doc_request(&app, &c, DocSubject::Number(&id), b).await
}

// --- port-ins ------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PortInQuery {
    #[param(schema_with = crate::wire::numbers::port_in_state_schema)]
    state: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_port_ins(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PortInQuery>,
) -> ApiOk<Page<PortInOut>> {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_port_ins(&c, q.state.as_deref(), &pg).await?;
    Ok(Json(Page::of(
        rows.iter().map(Into::into).collect(),
        pg.limit,
        |p: &PortInOut| p.id.clone(),
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortInIn {
    billing_account_id: String,
    holder: String,
    service_address: AddressIn,
    losing_provider: String,
    account_number: String,
    signatory: String,
    existing_service_active: bool,
    numbers: Vec<String>,
}

pub async fn create_port_in(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PortInIn>,
) -> ApiCreated<PortInOut> {
    let p = app
        .create_port_in(
            &c,
            NewPortIn {
                billing_account_id: b.billing_account_id,
                holder: b.holder,
                service_address: b.service_address.into(),
                losing_provider: b.losing_provider,
                account_number: b.account_number,
                signatory: b.signatory,
                existing_service_active: b.existing_service_active,
                numbers: b.numbers,
            },
        )
        .await?;
    Ok(Created(PortInOut::from(&p)))
}

pub async fn get_port_in(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PortInDetailOut> {
    let d = app.port_in_detail(&c, &id).await?;
    Ok(Json(PortInDetailOut::from(&d)))
}

async fn port_in_event(
    app: &App,
    c: &Caller,
    id: &str,
    event: PortInEvent,
    foc: Option<i64>,
    reason: Option<&str>,
) -> ApiOk<PortInOut> {
    Ok(Json(PortInOut::from(
        app.port_in_event(c, id, event, foc, reason).await?,
    )))
}

pub async fn port_in_submit(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PortInOut> {
    port_in_event(&app, &c, &id, PortInEvent::Submit, None, None).await
}

pub async fn port_in_accept(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PortInOut> {
    port_in_event(&app, &c, &id, PortInEvent::Accept, None, None).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    #[schema(schema_with = crate::wire::time_schema)]
    foc_date: String,
}

pub async fn port_in_schedule(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScheduleIn>,
) -> ApiOk<PortInOut> {
    let foc = time_param(&b.foc_date, "foc_date")?;
    port_in_event(&app, &c, &id, PortInEvent::Schedule, Some(foc), None).await
}

pub async fn port_in_complete(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PortInOut> {
    port_in_event(&app, &c, &id, PortInEvent::Complete, None, None).await
}

pub async fn port_in_reject(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequiredReasonIn>,
) -> ApiOk<PortInOut> {
    port_in_event(
        &app,
        &c,
        &id,
        PortInEvent::Reject,
        None,
        Some(b.reason.as_str()),
    )
    .await
}

pub async fn port_in_cancel(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<ReasonIn>,
) -> ApiOk<PortInOut> {
    port_in_event(
        &app,
        &c,
        &id,
        PortInEvent::Cancel,
        None,
        b.reason.as_deref(),
    )
    .await
}

pub async fn port_in_document(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DocumentIn>,
) -> ApiCreated<DocumentOut> {
    let d = app
        .upload_document(&c, DocSubject::PortIn(&id), b.into())
        .await?;
    Ok(Created(DocumentOut::from(&d)))
}

pub async fn port_in_document_request(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DocRequestIn>,
) -> ApiCreated<DocRequestOut> {
    doc_request(&app, &c, DocSubject::PortIn(&id), b).await
}

// --- emergency (T13) -----------------------------------------------------------------------

pub async fn ack_text() -> Json<AckTextOut> {
    Json(AckTextOut {
        text_version: numbers_rules::EMERGENCY_ACK_TEXT_VERSION,
        text: numbers_rules::EMERGENCY_ACK_TEXT,
        address_change_pending_h: numbers_rules::ADDRESS_CHANGE_PENDING_S / 3600,
        rule: "T13",
        clause: tollgate_core::rules::T13.clause,
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AckQuery {
    customer_id: String,
}

pub async fn list_acks(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<AckQuery>,
) -> ApiOk<Page<AckOut>> {
    let items: Vec<AckOut> = app
        .emergency_acks(&c, &q.customer_id)
        .await?
        .iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::all(items)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckIn {
    customer_id: String,
    text_version: String,
    signer_name: String,
}

pub async fn acknowledge(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<AckIn>,
) -> ApiCreated<AckOut> {
    let a = app
        .acknowledge_emergency(&c, &b.customer_id, &b.text_version, &b.signer_name)
        .await?;
    Ok(Created(AckOut::from(&a)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    customer_id: String,
    name: String,
    email: String,
}

pub async fn emergency_contact(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ContactIn>,
) -> ApiOk<ContactOut> {
    let r = app
        .set_emergency_contact(&c, &b.customer_id, &b.name, &b.email)
        .await?;
    Ok(Json(ContactOut::from(r)))
}
