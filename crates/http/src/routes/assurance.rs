//! Service-assurance handlers (issue 17): services and components, customers' components,
//! probes, incidents, maintenance, availability, restoration, SLA credits, and the public
//! status feed, Atom feed and uptime badge. Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::assurance::incidents::{IncidentChange, NewIncident};
use tollgate_app::assurance::maintenance::NewMaintenance;
use tollgate_app::assurance::probes::NewProbe;
use tollgate_app::records::{CreditFilter, IncidentFilter};
use tollgate_app::{App, AppError, Caller};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{page, time_opt, ApiJson, ApiQuery};
use crate::wire::assurance::{
    ComponentOut, CustomerComponentsOut, DayOut, MaintenanceOut, MeasureOut, MonthOut, ProbeOut,
    ProbeResultOut, ProbeRunOut, PublishedOut, RestorationReportOut, ServiceIncidentOut,
    ServiceOut, SlaCloseOut, SlaCreditOut, StatusOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk, ApiResult};

fn time_req(v: &str, field: &'static str) -> Result<i64, ApiError> {
    Ok(time_opt(&Some(v.to_string()), field)?.unwrap_or_default())
}

pub async fn services(State(app): State<App>) -> ApiOk<Page<ServiceOut>> {
    let components = app.components().await?;
    let out = app
        .services()
        .await?
        .into_iter()
        .map(|s| ServiceOut::of(s, &components))
        .collect();
    Ok(Json(Page::all(out)))
}

pub async fn components(State(app): State<App>) -> ApiOk<Page<ComponentOut>> {
    let out = app
        .components()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::all(out)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceIn {
    name: String,
    #[serde(default)]
    description: String,
    /// Order on the status page (ascending).
    #[serde(default)]
    position: i64,
}

pub async fn create_service(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ServiceIn>,
) -> ApiCreated<ServiceOut> {
    let s = app
        .create_service(&c, &b.name, &b.description, b.position)
        .await?;
    Ok(Created(ServiceOut::of(s, &[])))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentIn {
    service_id: String,
    name: String,
    /// CLASSOUND telephony: outages are tracked against the restoration time (T5).
    #[serde(default)]
    classound: bool,
}

pub async fn create_component(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ComponentIn>,
) -> ApiCreated<ComponentOut> {
    let r = app
        .create_component(&c, &b.service_id, &b.name, b.classound)
        .await?;
    Ok(Created(r.into()))
}

pub async fn customer_components(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<CustomerComponentsOut> {
    let rows = app.customer_components(&c, &id).await?;
    Ok(Json(CustomerComponentsOut::of(id, rows)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerComponentsIn {
    /// Every component the customer's services use (replaces the list).
    component_ids: Vec<String>,
}

pub async fn set_customer_components(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CustomerComponentsIn>,
) -> ApiOk<CustomerComponentsOut> {
    let rows = app
        .set_customer_components(&c, &id, &b.component_ids)
        .await?;
    Ok(Json(CustomerComponentsOut::of(id, rows)))
}

pub async fn probes(State(app): State<App>) -> ApiOk<Page<ProbeOut>> {
    let out = app.probes().await?.into_iter().map(Into::into).collect();
    Ok(Json(Page::all(out)))
}

fn default_interval() -> i64 {
    60
}
fn default_timeout() -> i64 {
    5_000
}
fn default_fail() -> i64 {
    3
}
fn default_recover() -> i64 {
    2
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeIn {
    component_id: String,
    name: String,
    /// `http`, `tcp`, `dns`, `sip_udp` or `sip_tcp`.
    kind: String,
    /// `http://host[:port]/path`; `host:port` for tcp and SIP; the DNS server `host:port`.
    target: String,
    /// The name a DNS probe asks for (an A record).
    dns_name: Option<String>,
    /// The status that counts as up (HTTP: default 2xx-3xx; SIP: default any final answer
    /// below 500).
    expect_status: Option<i64>,
    /// HTTP: text the body must contain.
    expect_body: Option<String>,
    #[serde(default = "default_interval")]
    interval_s: i64,
    #[serde(default = "default_timeout")]
    timeout_ms: i64,
    /// Consecutive failures that open an incident.
    #[serde(default = "default_fail")]
    fail_threshold: i64,
    /// Consecutive successes that close it.
    #[serde(default = "default_recover")]
    recover_threshold: i64,
}

pub async fn create_probe(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<ProbeIn>,
) -> ApiCreated<ProbeOut> {
    let n = NewProbe {
        component_id: b.component_id,
        name: b.name,
        kind: b.kind,
        target: b.target,
        dns_name: b.dns_name,
        expect_status: b.expect_status,
        expect_body: b.expect_body,
        interval_s: b.interval_s,
        timeout_ms: b.timeout_ms,
        fail_threshold: b.fail_threshold,
        recover_threshold: b.recover_threshold,
    };
    Ok(Created(app.create_probe(&c, n).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnabledIn {
    enabled: bool,
}

pub async fn probe_enabled(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EnabledIn>,
) -> ApiOk<ProbeOut> {
    Ok(Json(
        app.set_probe_enabled(&c, &id, b.enabled).await?.into(),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ResultsQuery {
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
}

pub async fn probe_results(
    State(app): State<App>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> ApiOk<Page<ProbeResultOut>> {
    let pg = page(q.limit, None)?;
    let out = app
        .probe_results(&id, pg.limit)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::all(out)))
}

pub async fn run_probes(State(app): State<App>) -> ApiOk<ProbeRunOut> {
    let ran = app.run_due_probes().await?;
    Ok(Json(ProbeRunOut { ran }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct IncidentsQuery {
    /// `open` or `resolved`.
    state: Option<String>,
    cause: Option<String>,
    /// Incidents open at some time in `[from, to)`.
    #[param(schema_with = crate::wire::time_schema)]
    from: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    to: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn incidents(
    State(app): State<App>,
    ApiQuery(q): ApiQuery<IncidentsQuery>,
) -> ApiOk<Page<ServiceIncidentOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    let during = match (time_opt(&q.from, "from")?, time_opt(&q.to, "to")?) {
        (None, None) => None,
        (f, t) => Some((f.unwrap_or(0), t.unwrap_or(i64::MAX))),
    };
    if let Some(st) = &q.state {
        if !["open", "resolved"].contains(&st.as_str()) {
            return Err(AppError::invalid("state_invalid", "state", "open or resolved").into());
        }
    }
    if let Some(cause) = &q.cause {
        tollgate_core::assurance::Cause::parse(cause).map_err(AppError::from)?;
    }
    let f = IncidentFilter {
        state: q.state.clone(),
        cause: q.cause.clone(),
        during,
    };
    let out = app
        .incidents(&f, &pg)
        .await?
        .into_iter()
        .map(ServiceIncidentOut::from)
        .collect();
    Ok(Json(Page::of(out, pg.limit, |i: &ServiceIncidentOut| {
        i.id.clone()
    })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentIn {
    title: String,
    /// `provider`, `force_majeure` (W 9.8), `third_party` or `customer`.
    cause: String,
    /// `critical` (default) or `standard` (S4).
    cos: Option<String>,
    component_ids: Vec<String>,
    /// When the outage began (default now).
    started_at: Option<String>,
    /// The first public update.
    message: String,
}

pub async fn open_incident(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<IncidentIn>,
) -> ApiCreated<ServiceIncidentOut> {
    let n = NewIncident {
        title: b.title,
        cause: b.cause,
        cos: b.cos,
        components: b.component_ids,
        started_at: time_opt(&b.started_at, "started_at")?,
        message: b.message,
    };
    Ok(Created(app.open_incident(&c, n).await?.into()))
}

pub async fn incident(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<ServiceIncidentOut> {
    Ok(Json(app.incident_for(&c, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentUpdateIn {
    /// `investigating`, `identified`, `monitoring`, `update` or `resolved` (closes it).
    status: String,
    message: String,
    /// A corrected cause.
    cause: Option<String>,
    /// With `resolved`: when service was restored (default now).
    resolved_at: Option<String>,
}

pub async fn update_incident(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<IncidentUpdateIn>,
) -> ApiOk<ServiceIncidentOut> {
    let ch = IncidentChange {
        status: b.status,
        message: b.message,
        cause: b.cause,
        resolved_at: time_opt(&b.resolved_at, "resolved_at")?,
    };
    Ok(Json(app.update_incident(&c, &id, ch).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    #[param(schema_with = crate::wire::time_schema)]
    from: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    to: Option<String>,
}

/// The longest period one availability or maintenance read covers.
pub const MAX_PERIOD_S: i64 = 400 * 86_400;

fn period(app: &App, q: &PeriodQuery, back_s: i64, ahead_s: i64) -> Result<(i64, i64), ApiError> {
    let now = app.now();
    let from = time_opt(&q.from, "from")?.unwrap_or(now - back_s);
    let to = time_opt(&q.to, "to")?.unwrap_or(now + ahead_s);
    if to <= from || to - from > MAX_PERIOD_S {
        return Err(
            AppError::invalid("period_invalid", "to", "after from, at most 400 days").into(),
        );
    }
    Ok((from, to))
}

pub async fn maintenance(
    State(app): State<App>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiOk<Page<MaintenanceOut>> {
    let (from, to) = period(&app, &q, 30 * 86_400, 60 * 86_400)?;
    let lead = app.longest_lead_s();
    let out = app
        .maintenance_windows(from, to)
        .await?
        .into_iter()
        .map(|(m, c)| MaintenanceOut::of(m, c, lead))
        .collect();
    Ok(Json(Page::all(out)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceIn {
    title: String,
    starts_at: String,
    ends_at: String,
    component_ids: Vec<String>,
    /// Send the notice now (by e-mail to the affected customers' and partners' admins; its
    /// time is what S1 measures); otherwise later with `/notice`.
    #[serde(default)]
    notify: bool,
}

pub async fn plan_maintenance(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<MaintenanceIn>,
) -> ApiCreated<MaintenanceOut> {
    let n = NewMaintenance {
        title: b.title,
        starts_at: time_req(&b.starts_at, "starts_at")?,
        ends_at: time_req(&b.ends_at, "ends_at")?,
        components: b.component_ids.clone(),
        notify: b.notify,
    };
    let m = app.plan_maintenance(&c, n).await?;
    Ok(Created(window_out(&app, m).await?))
}

async fn window_out(
    app: &App,
    m: tollgate_app::records::MaintenanceRow,
) -> Result<MaintenanceOut, ApiError> {
    let components = app.maintenance_components(&m.id).await?;
    Ok(MaintenanceOut::of(m, components, app.longest_lead_s()))
}

pub async fn notify_maintenance(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<MaintenanceOut> {
    let m = app.notify_maintenance(&c, &id).await?;
    Ok(Json(window_out(&app, m).await?))
}

pub async fn cancel_maintenance(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<MaintenanceOut> {
    let m = app.cancel_maintenance(&c, &id).await?;
    Ok(Json(window_out(&app, m).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct DaysQuery {
    service_id: String,
    #[param(schema_with = crate::wire::time_schema)]
    from: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    to: Option<String>,
}

pub async fn days(State(app): State<App>, ApiQuery(q): ApiQuery<DaysQuery>) -> ApiOk<Page<DayOut>> {
    let p = PeriodQuery {
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let (from, to) = period(&app, &p, 90 * 86_400, 1)?;
    let out = app
        .service_days(&q.service_id, from, to)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::all(out)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    month: String,
    /// A service's availability; or
    service_id: Option<String>,
    /// a customer's, from the components its services use.
    customer_id: Option<String>,
}

pub async fn month(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiOk<MonthOut> {
    match (&q.service_id, &q.customer_id) {
        (Some(s), None) => {
            let m = app.service_month(s, &q.month).await?;
            let ids = app
                .components()
                .await?
                .into_iter()
                .filter(|x| &x.service_id == s)
                .map(|x| x.id)
                .collect();
            Ok(Json(MonthOut {
                month: q.month.clone(),
                service_id: Some(s.clone()),
                customer_id: None,
                profile: None,
                component_ids: ids,
                maintenance_notice_h: app
                    .terms
                    .get(tollgate_app::terms::DEFAULT_PROFILE, None)
                    .map_or(0, |p| i64::from(p.availability.maintenance_notice_h)),
                measure: MeasureOut::from(m),
            }))
        }
        (None, Some(cu)) => Ok(Json(app.customer_month(&c, cu, &q.month).await?.into())),
        _ => Err(AppError::invalid(
            "subject_invalid",
            "service_id",
            "either service_id or customer_id",
        )
        .into()),
    }
}

pub async fn publish(State(app): State<App>) -> ApiOk<PublishedOut> {
    Ok(Json(PublishedOut {
        days: app.publish_daily().await?,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct RestorationQuery {
    /// `YYYY-MM`.
    month: String,
}

pub async fn restoration(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<RestorationQuery>,
) -> ApiOk<RestorationReportOut> {
    let views = app.restoration_report(&c, &q.month).await?;
    Ok(Json(RestorationReportOut::of(q.month.clone(), views)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaCloseIn {
    /// `YYYY-MM`, a month that has ended.
    month: String,
}

pub async fn sla_close(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<SlaCloseIn>,
) -> ApiOk<SlaCloseOut> {
    let r = app.sla_close(&c, &b.month).await?;
    Ok(Json(SlaCloseOut {
        month: b.month,
        credits: r.credits.into_iter().map(Into::into).collect(),
        already: r.already,
        unmapped: r.unmapped,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct CreditsQuery {
    month: Option<String>,
    billing_account: Option<String>,
    /// `retail` or `wholesale`.
    level: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn sla_credits(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<CreditsQuery>,
) -> ApiOk<Page<SlaCreditOut>> {
    let pg = page(q.limit, q.cursor.clone())?;
    if let Some(l) = &q.level {
        if !["retail", "wholesale"].contains(&l.as_str()) {
            return Err(AppError::invalid("level_invalid", "level", "retail or wholesale").into());
        }
    }
    if let Some(m) = &q.month {
        tollgate_app::messaging::usage::month_bounds(m)?;
    }
    let f = CreditFilter {
        month: q.month.clone(),
        billing_account: q.billing_account.clone(),
        level: q.level.clone(),
    };
    let out = app
        .sla_credits(&c, &f, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(out, pg.limit, |s: &SlaCreditOut| {
        s.id.clone()
    })))
}

pub async fn status(State(app): State<App>) -> ApiOk<StatusOut> {
    Ok(Json(app.status().await?.into()))
}

pub async fn status_feed(
    State(app): State<App>,
    Extension(origin): Extension<tollgate_app::Origin>,
    headers: HeaderMap,
) -> ApiResult {
    // Absolute links on the host the feed was fetched from; https only when a trusted proxy
    // said so (the request's origin). Forwarded hosts are not trusted; the answer varies by
    // Host so a shared cache keeps each host's own.
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 255
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if origin.https { "https" } else { "http" };
    let author = app.operator().await?.name;
    let body =
        crate::status_feed::atom(&app.status().await?, &format!("{scheme}://{host}"), &author);
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=60"),
            (header::VARY, "Host"),
        ],
        body,
    )
        .into_response())
}

pub async fn status_badge(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let v = app.status().await?;
    let s = v
        .services
        .iter()
        .find(|s| s.service.id == id)
        .ok_or(AppError::NotFound("service"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        crate::status_feed::badge(s),
    )
        .into_response())
}
