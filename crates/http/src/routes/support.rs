//! Support desk handlers (issue 16): tickets, threads, states, feedback, suggestions, holidays,
//! inbound e-mail. Thin: parse, call one use case, render.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::support::NewTicket;
use tollgate_app::{App, Caller};
use tollgate_core::support::ticket::Impact;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{page, time_opt, ApiJson, ApiQuery};
use crate::wire::support::{
    ArticleOut, AttachmentOut, HolidayOut, MailOutcomeOut, SuggestionOut, SupportReportOut,
    TicketOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketIn {
    /// The operator names the partner (or customer) the ticket concerns; a partner may name
    /// one of its customers.
    partner_id: Option<String>,
    customer_id: Option<String>,
    /// `technical`, `customer_care` or `rma_capex` (H6).
    kind: String,
    /// Customer Care: billing, classound, hwaas, pbx_licenses, orders, portal_errors, promo,
    /// company_information or feature_request.
    topic: Option<String>,
    /// `pbx_unreachable`, `password_reset`, `classound_outage` (what a Bronze partner may open
    /// tickets for, H1) or another short code.
    issue: Option<String>,
    subject: String,
    message: String,
    /// Technical (H8): the PBX or device, its versions, an example call.
    device: Option<String>,
    versions: Option<String>,
    trace_numbers: Option<String>,
    #[schema(schema_with = crate::wire::time_schema)]
    trace_at: Option<String>,
    /// H4: calls drop, not because of an operator.
    #[serde(default)]
    call_drops_not_operator: bool,
    /// H4: the cloud system cannot be reached.
    #[serde(default)]
    cloud_unreachable: bool,
    /// H4: the business is severely impacted with no workaround.
    #[serde(default)]
    severe_no_workaround: bool,
}

pub async fn create_ticket(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<TicketIn>,
) -> ApiCreated<TicketOut> {
    let t = NewTicket {
        partner_id: b.partner_id,
        customer_id: b.customer_id,
        kind: b.kind,
        topic: b.topic,
        issue: b.issue,
        subject: b.subject,
        message: b.message,
        device: b.device,
        versions: b.versions,
        trace_numbers: b.trace_numbers,
        trace_at: time_opt(&b.trace_at, "trace_at")?,
        impact: Impact {
            call_drops_not_operator: b.call_drops_not_operator,
            cloud_unreachable: b.cloud_unreachable,
            severe_no_workaround: b.severe_no_workaround,
        },
        channel: "api".into(),
    };
    Ok(Created(app.create_ticket(&c, t).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct TicketsQuery {
    /// `new`, `open`, `pending_customer`, `resolved` or `closed`.
    state: Option<String>,
    /// Only tickets whose first response is overdue now.
    #[serde(default)]
    breached: bool,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

pub async fn list_tickets(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<TicketsQuery>,
) -> ApiOk<Page<TicketOut>> {
    let pg = page(q.limit, q.cursor)?;
    let now = app.now();
    let rows = app.tickets(&c, q.state.as_deref(), q.breached, &pg).await?;
    let out: Vec<TicketOut> = rows
        .into_iter()
        .map(|t| {
            let breached = tollgate_core::support::ticket::first_response_breached(
                t.first_response_at,
                t.response_due_at,
                now,
            );
            TicketOut::of(t, breached, Vec::new())
        })
        .collect();
    Ok(Json(Page::of(out, pg.limit, |t| t.id.clone())))
}

pub async fn get_ticket(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<TicketOut> {
    Ok(Json(app.ticket(&c, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketMessageIn {
    body: String,
    /// An internal note: the provider's agents only.
    #[serde(default)]
    internal: bool,
}

pub async fn reply(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TicketMessageIn>,
) -> ApiOk<TicketOut> {
    Ok(Json(
        app.reply_ticket(&c, &id, &b.body, b.internal, "api")
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketStateIn {
    state: String,
}

pub async fn set_state(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TicketStateIn>,
) -> ApiOk<TicketOut> {
    Ok(Json(app.set_ticket_state(&c, &id, &b.state).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CosIn {
    /// `critical` or `standard`.
    cos: String,
}

pub async fn set_cos(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CosIn>,
) -> ApiOk<TicketOut> {
    Ok(Json(app.set_ticket_cos(&c, &id, &b.cos).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketAssignIn {
    assignee: String,
}

pub async fn assign(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TicketAssignIn>,
) -> ApiOk<TicketOut> {
    Ok(Json(app.assign_ticket(&c, &id, &b.assignee).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketFeedbackIn {
    /// 1 to 5 (H10).
    rating: i64,
    comment: Option<String>,
}

pub async fn feedback(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TicketFeedbackIn>,
) -> ApiOk<TicketOut> {
    Ok(Json(
        app.ticket_feedback(&c, &id, b.rating, b.comment.as_deref())
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerContactIn {
    /// What was said to the end customer, and by whom.
    note: String,
}

pub async fn contact_customer(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CustomerContactIn>,
) -> ApiOk<TicketOut> {
    Ok(Json(
        app.contact_end_customer(&c, &id, &b.note).await?.into(),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct SuggestQuery {
    /// What is typed so far (the last word is completed).
    #[serde(default)]
    q: String,
    /// The topic or kind chosen.
    topic: Option<String>,
    /// At most 10 (default 5).
    limit: Option<usize>,
}

pub async fn suggestions(
    State(app): State<App>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiOk<Page<SuggestionOut>> {
    let items = app
        .suggestions(&q.q, q.topic.as_deref(), q.limit.unwrap_or(5))
        .await?;
    Ok(Json(Page {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

pub async fn article(State(app): State<App>, Path(slug): Path<String>) -> ApiOk<ArticleOut> {
    let a = app.article(&slug).await?;
    Ok(Json(ArticleOut {
        slug: a.slug,
        title: a.title,
        topic: a.topic,
        tags: a.tags,
        body: a.body,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct RegionQuery {
    /// `americas` or `emea`.
    region: String,
}

pub async fn holidays(
    State(app): State<App>,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> ApiOk<Page<HolidayOut>> {
    let items = app
        .holidays(&q.region)
        .await?
        .into_iter()
        .map(|(day, name)| HolidayOut {
            region: q.region.clone(),
            day: tollgate_core::time::date_of(day).to_string(),
            name,
        })
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayIn {
    /// `americas` or `emea`.
    region: String,
    /// `YYYY-MM-DD`.
    day: String,
    name: String,
}

pub async fn put_holiday(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<HolidayIn>,
) -> ApiOk<HolidayOut> {
    app.set_holiday(&c, &b.region, &b.day, &b.name).await?;
    Ok(Json(HolidayOut {
        region: b.region,
        day: b.day,
        name: b.name.trim().to_string(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportRegionIn {
    /// `americas` (America/New_York) or `emea` (Europe/Berlin).
    region: String,
}

pub async fn set_region(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SupportRegionIn>,
) -> ApiOk<serde_json::Value> {
    app.set_support_region(&c, &id, &b.region).await?;
    Ok(Json(
        serde_json::json!({"partner_id": id, "region": b.region}),
    ))
}

/// An inbound message as the MTA received it (`message/rfc822`).
pub async fn inbound_mail(State(app): State<App>, body: Bytes) -> ApiOk<MailOutcomeOut> {
    Ok(Json(app.receive_mail(&body).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `YYYY-MM`: the tickets created that month.
    month: String,
}

pub async fn report(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiOk<SupportReportOut> {
    let r = app.support_report(&c, &q.month).await?;
    Ok(Json(SupportReportOut::of(q.month, r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentIn {
    filename: String,
    /// application/vnd.tcpdump.pcap, text/plain, image/png, image/jpeg, application/pdf or
    /// application/zip; the content must match it.
    content_type: String,
    /// Standard base64, at most 5 MiB decoded.
    content_base64: String,
}

pub async fn attach(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AttachmentIn>,
) -> ApiCreated<AttachmentOut> {
    let a = app
        .attach(&c, &id, &b.filename, &b.content_type, &b.content_base64)
        .await?;
    Ok(Created(AttachmentOut::of(a, false)))
}

pub async fn attachments(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<Page<AttachmentOut>> {
    let items = app
        .attachments(&c, &id)
        .await?
        .into_iter()
        .map(|a| AttachmentOut::of(a, true))
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}
