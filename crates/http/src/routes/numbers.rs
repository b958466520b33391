//! Number handlers (T6-T14, B2, B11): thin. Parse, call one use case, render.
//!
//! Times are accepted as RFC 3339 or Unix seconds and rendered as RFC 3339. Numbers are
//! rendered E.164 with `+`; a number path accepts its id or its E.164 digits.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use tollgate_app::numbers::{
    DocSubject, ImportReport, NewDocument, NewPortIn, NumberDetail, NumberImportLine,
};
use tollgate_app::{App, AppError, Caller};
use tollgate_core::numbers::{self as cn, Address, PortInEvent};
use tollgate_store::numbers::{
    AddressRow, DocRequestRow, DocumentRow, NumberFilter, NumberRow, PortInRow, TransitionRow,
};

use crate::error::ApiError;
use crate::extract::{
    media_type, page, paged, parse_json, require_json, ts, unsupported_media_type, ApiJson,
    ApiQuery, OptJson,
};

type ApiResult = Result<axum::response::Response, ApiError>;

fn ots(v: Option<i64>) -> Option<String> {
    v.map(ts)
}

fn time_param(v: &str, field: &'static str) -> Result<i64, ApiError> {
    tollgate_core::cdr::parse_time(v, field).map_err(|r| ApiError::from(AppError::from(r)))
}

fn ok(v: Value) -> ApiResult {
    Ok(Json(v).into_response())
}

fn created(v: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub fn number_json(n: &NumberRow) -> Value {
    json!({
        "id": n.id, "e164": format!("+{}", n.e164), "country": n.country, "type": n.number_type,
        "capabilities": n.capabilities.split(',').filter(|c| !c.is_empty()).collect::<Vec<_>>(),
        "state": n.state, "customer_id": n.customer_id, "billing_account_id": n.billing_account_id,
        "reserved_at": ots(n.reserved_at), "provider_verified_at": ots(n.provider_verified_at),
        "customer_confirmed_at": ots(n.customer_confirmed_at), "confirm_method": n.confirm_method,
        "activation_date": ots(n.activated_at), "quarantine_until": ots(n.quarantine_until),
        "suspended_reason": n.suspended_reason, "cnam": n.cnam, "no_trunking": n.no_trunking,
        "routing": n.routing, "origin": n.origin, "created_at": ts(n.created_at), "updated_at": ts(n.updated_at),
    })
}

fn address_json(a: &AddressRow) -> Value {
    json!({
        "id": a.id, "street": a.street, "city": a.city, "postcode": a.postcode, "country": a.country,
        "region": a.region, "floor": a.floor, "room": a.room,
        "one_line": tollgate_app::numbers::address_of(a).one_line(),
        "registered_at": ts(a.registered_at), "registered_by": a.registered_by,
        "effective_at": ts(a.effective_at), "withdrawn_at": ots(a.withdrawn_at),
    })
}

fn transition_json(t: &TransitionRow) -> Value {
    json!({
        "id": t.id, "from": t.from_state, "to": t.to_state, "event": t.event, "actor": t.actor,
        "at": ts(t.at), "reason": t.reason, "rule": t.rule, "clause": t.clause,
    })
}

fn document_json(d: &DocumentRow) -> Value {
    json!({
        "id": d.id, "kind": d.kind, "filename": d.filename, "content_type": d.content_type,
        "size_bytes": d.size_bytes, "sha256": d.sha256, "uploaded_by": d.uploaded_by, "uploaded_at": ts(d.uploaded_at),
    })
}

fn request_json(r: &DocRequestRow) -> Value {
    json!({
        "id": r.id, "port_in_id": r.port_in_id, "number_id": r.number_id, "kind": r.kind,
        "deadline": ts(r.deadline), "on_miss": r.on_miss,
        "affected": r.affected.split(',').filter(|d| !d.is_empty()).map(|d| format!("+{d}")).collect::<Vec<_>>(),
        "state": r.state, "note": r.note, "requested_by": r.requested_by, "requested_at": ts(r.requested_at),
        "resolved_at": ots(r.resolved_at), "rule": "B11", "clause": tollgate_core::rules::B11.clause,
    })
}

fn port_in_json(p: &PortInRow) -> Value {
    json!({
        "id": p.id, "customer_id": p.customer_id, "billing_account_id": p.billing_account_id, "state": p.state,
        "loa": {
            "holder": p.holder,
            "service_address": {"street": p.street, "city": p.city, "postcode": p.postcode, "country": p.country,
                                "region": p.region, "floor": p.floor, "room": p.room},
            "losing_provider": p.losing_provider, "account_number": p.account_number, "signatory": p.signatory,
            "existing_service_active": p.existing_service_active,
        },
        "numbers": p.numbers.iter().map(|d| format!("+{d}")).collect::<Vec<_>>(),
        "foc_date": ots(p.foc_date), "reason": p.reason, "created_by": p.created_by,
        "created_at": ts(p.created_at), "updated_at": ts(p.updated_at),
    })
}

fn detail_json(d: &NumberDetail) -> Value {
    let mut v = number_json(&d.number);
    v["emergency_address"] = d.address.as_ref().map(address_json).unwrap_or(Value::Null);
    v["pending_emergency_address"] = d
        .pending_address
        .as_ref()
        .map(address_json)
        .unwrap_or(Value::Null);
    v["port_out"] = d
        .port_out
        .as_ref()
        .map(|p| json!({"id": p.id, "gaining_provider": p.gaining_provider, "authorisation_ref": p.authorisation_ref, "port_date": ts(p.port_date), "state": p.state, "requested_at": ts(p.requested_at)}))
        .unwrap_or(Value::Null);
    v
}

fn report_json(r: &ImportReport) -> Value {
    json!({
        "inserted": r.inserted.len(),
        "numbers": r.inserted.iter().map(number_json).collect::<Vec<_>>(),
        "rejected": r.rejected.iter().map(|l| json!({"line": l.line, "code": l.code, "field": l.field, "message": l.message})).collect::<Vec<_>>(),
    })
}

// --- numbers -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberQuery {
    state: Option<String>,
    customer_id: Option<String>,
    billing_account_id: Option<String>,
    country: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_numbers(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<NumberQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let filter = NumberFilter {
        state: q.state,
        customer_id: q.customer_id,
        billing_account_id: q.billing_account_id,
        country: q.country,
    };
    let rows = app.list_numbers(&c, &filter, &pg).await?;
    ok(paged(
        rows.iter().map(number_json).collect(),
        pg.limit,
        |v: &Value| v["id"].as_str().unwrap_or_default().to_string(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportLineIn {
    e164: String,
    capabilities: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    numbers: Vec<ImportLineIn>,
}

pub async fn import_numbers(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
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
    created(report_json(&r))
}

pub async fn sweep(State(app): State<App>, Extension(c): Extension<Caller>) -> ApiResult {
    let r = app.sweep_numbers(&c.actor).await?;
    let plus = |v: &[String]| v.iter().map(|d| format!("+{d}")).collect::<Vec<_>>();
    ok(json!({
        "at": ts(app.now()), "missed_document_requests": r.missed_requests, "flagged_partners": r.flagged_partners,
        "suspended": plus(&r.suspended), "quarantine_ended": plus(&r.quarantine_ended), "ported_out": plus(&r.ported_out),
    }))
}

pub async fn get_number(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    ok(detail_json(&app.number_detail(&c, &id).await?))
}

pub async fn number_history(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let h = app.number_history(&c, &id).await?;
    ok(json!({
        "transitions": h.transitions.iter().map(transition_json).collect::<Vec<_>>(),
        "emergency_addresses": h.addresses.iter().map(address_json).collect::<Vec<_>>(),
        "documents": h.documents.iter().map(document_json).collect::<Vec<_>>(),
        "document_requests": h.document_requests.iter().map(request_json).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveIn {
    billing_account_id: String,
}

pub async fn reserve(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReserveIn>,
) -> ApiResult {
    ok(number_json(
        &app.reserve_number(&c, &id, &b.billing_account_id).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    note: Option<String>,
}

pub async fn unreserve(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<ReasonIn>,
) -> ApiResult {
    ok(number_json(
        &app.unreserve_number(&c, &id, b.reason.as_deref()).await?,
    ))
}

pub async fn verify(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<NoteIn>,
) -> ApiResult {
    ok(number_json(
        &app.verify_number(&c, &id, b.note.as_deref()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmIn {
    method: String,
    note: Option<String>,
}

pub async fn confirm(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConfirmIn>,
) -> ApiResult {
    ok(number_json(
        &app.confirm_number(&c, &id, &b.method, b.note.as_deref())
            .await?,
    ))
}

pub async fn activate(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    ok(number_json(&app.activate_number(&c, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredReasonIn {
    reason: String,
}

pub async fn release(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequiredReasonIn>,
) -> ApiResult {
    ok(number_json(&app.release_number(&c, &id, &b.reason).await?))
}

pub async fn suspend(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequiredReasonIn>,
) -> ApiResult {
    ok(number_json(&app.suspend_number(&c, &id, &b.reason).await?))
}

pub async fn resume(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<ReasonIn>,
) -> ApiResult {
    ok(number_json(
        &app.resume_number(&c, &id, b.reason.as_deref()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortOutIn {
    gaining_provider: String,
    authorisation_ref: String,
    port_date: String,
}

pub async fn port_out(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PortOutIn>,
) -> ApiResult {
    let date = time_param(&b.port_date, "port_date")?;
    let (n, _) = app
        .request_port_out(&c, &id, &b.gaining_provider, &b.authorisation_ref, date)
        .await?;
    ok(detail_json(&app.number_detail(&c, &n.id).await?))
}

pub async fn port_out_complete(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    ok(number_json(&app.complete_port_out(&c, &id).await?))
}

pub async fn port_out_cancel(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    ok(number_json(&app.cancel_port_out(&c, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingIn {
    routing: String,
}

pub async fn routing(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoutingIn>,
) -> ApiResult {
    ok(number_json(&app.set_routing(&c, &id, &b.routing).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CnamIn {
    cnam: String,
}

pub async fn cnam(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CnamIn>,
) -> ApiResult {
    ok(number_json(&app.set_cnam(&c, &id, &b.cnam).await?))
}

#[derive(Deserialize)]
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
) -> ApiResult {
    let a = app
        .set_emergency_address(&c, &id, &Address::from(b))
        .await?;
    let mut v = address_json(&a);
    v["pending"] = json!(a.effective_at > app.now());
    v["rule"] = json!("T13");
    created(v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    kind: String,
    filename: String,
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
) -> ApiResult {
    let d = app
        .upload_document(&c, DocSubject::Number(&id), b.into())
        .await?;
    created(document_json(&d))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocRequestIn {
    kind: String,
    deadline: String,
    on_miss: Option<String>,
    note: Option<String>,
    numbers: Option<Vec<String>>,
}

async fn doc_request(app: &App, c: &Caller, subject: DocSubject<'_>, b: DocRequestIn) -> ApiResult {
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
    created(request_json(&r))
}

pub async fn number_document_request(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DocRequestIn>,
) -> ApiResult {
    doc_request(&app, &c, DocSubject::Number(&id), b).await
}

// --- port-ins ------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortInQuery {
    state: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_port_ins(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PortInQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let rows = app.list_port_ins(&c, q.state.as_deref(), &pg).await?;
    ok(paged(
        rows.iter().map(port_in_json).collect(),
        pg.limit,
        |v: &Value| v["id"].as_str().unwrap_or_default().to_string(),
    ))
}

#[derive(Deserialize)]
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
) -> ApiResult {
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
    created(port_in_json(&p))
}

pub async fn get_port_in(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let d = app.port_in_detail(&c, &id).await?;
    let mut v = port_in_json(&d.port_in);
    v["documents"] = d.documents.iter().map(document_json).collect();
    v["document_requests"] = d.document_requests.iter().map(request_json).collect();
    v["transitions"] = d.transitions.iter().map(transition_json).collect();
    v["partner_nonresponsive"] = json!(d.partner_nonresponsive);
    ok(v)
}

async fn port_in_event(
    app: &App,
    c: &Caller,
    id: &str,
    event: PortInEvent,
    foc: Option<i64>,
    reason: Option<&str>,
) -> ApiResult {
    ok(port_in_json(
        &app.port_in_event(c, id, event, foc, reason).await?,
    ))
}

pub async fn port_in_submit(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    port_in_event(&app, &c, &id, PortInEvent::Submit, None, None).await
}

pub async fn port_in_accept(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    port_in_event(&app, &c, &id, PortInEvent::Accept, None, None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    foc_date: String,
}

pub async fn port_in_schedule(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScheduleIn>,
) -> ApiResult {
    let foc = time_param(&b.foc_date, "foc_date")?;
    port_in_event(&app, &c, &id, PortInEvent::Schedule, Some(foc), None).await
}

pub async fn port_in_complete(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    port_in_event(&app, &c, &id, PortInEvent::Complete, None, None).await
}

pub async fn port_in_reject(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequiredReasonIn>,
) -> ApiResult {
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
) -> ApiResult {
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
) -> ApiResult {
    let d = app
        .upload_document(&c, DocSubject::PortIn(&id), b.into())
        .await?;
    created(document_json(&d))
}

pub async fn port_in_document_request(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DocRequestIn>,
) -> ApiResult {
    doc_request(&app, &c, DocSubject::PortIn(&id), b).await
}

// --- emergency (T13) -----------------------------------------------------------------------

pub async fn ack_text() -> ApiResult {
    ok(json!({
        "text_version": cn::EMERGENCY_ACK_TEXT_VERSION, "text": cn::EMERGENCY_ACK_TEXT,
        "address_change_pending_h": cn::ADDRESS_CHANGE_PENDING_S / 3600, "rule": "T13",
        "clause": tollgate_core::rules::T13.clause,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckQuery {
    customer_id: String,
}

pub async fn list_acks(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<AckQuery>,
) -> ApiResult {
    let items: Vec<Value> = app
        .emergency_acks(&c, &q.customer_id)
        .await?
        .iter()
        .map(|a| json!({"id": a.id, "customer_id": a.customer_id, "text_version": a.text_version, "signer_name": a.signer_name, "acknowledged_by": a.acknowledged_by, "acknowledged_at": ts(a.acknowledged_at)}))
        .collect();
    ok(json!({"items": items, "next_cursor": null}))
}

#[derive(Deserialize)]
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
) -> ApiResult {
    let a = app
        .acknowledge_emergency(&c, &b.customer_id, &b.text_version, &b.signer_name)
        .await?;
    created(
        json!({"id": a.id, "customer_id": a.customer_id, "text_version": a.text_version, "signer_name": a.signer_name, "acknowledged_by": a.acknowledged_by, "acknowledged_at": ts(a.acknowledged_at)}),
    )
}

#[derive(Deserialize)]
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
) -> ApiResult {
    let r = app
        .set_emergency_contact(&c, &b.customer_id, &b.name, &b.email)
        .await?;
    ok(
        json!({"customer_id": r.customer_id, "name": r.name, "email": r.email, "updated_at": ts(r.updated_at)}),
    )
}
