//! Frontline (issue 19, Q, L1): the retailer's set-up and statistics (users' tokens), the
//! public call-point scan, the signed video webhook, and the staff devices' own endpoints
//! (`/v1/frontline/me/*` and accept, with a staff token): presence, requests and the live
//! stream (Server-Sent Events).

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{header, request::Parts, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::frontline::raise::StaffRequest;
use tollgate_app::frontline::setup::Seats;
use tollgate_app::frontline::stats::stats_csv;
use tollgate_app::records::FrontlineStaffRow;
use tollgate_app::{App, AppError, Caller};
use tollgate_core::frontline::{DEFAULT_ESCALATE_AFTER_S, DEFAULT_MISS_AFTER_S, DEFAULT_REPEAT_S};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{page, ApiJson, ApiQuery};
use crate::openapi::doc::{DocArg, OpDoc};
use crate::wire::frontline::{
    BroadcastOut, CallPointOut, FrontlineStatsOut, NotificationOut, RaiseOut, StaffCreatedOut,
    StaffOut, StoreOut, VideoSourceCreatedOut, VideoSourceOut,
};
use crate::wire::{Created, Page};
use crate::SourceAddr;

use super::{ApiCreated, ApiOk, ApiResult};

/// Seconds between the live stream's keep-alive comments.
pub const LIVE_KEEP_ALIVE_S: u64 = 15;

/// The staff member a device token (`Authorization: Bearer tgs_…`) names.
pub struct StaffAuth(pub FrontlineStaffRow);

impl FromRequestParts<App> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_string())
            .unwrap_or_default();
        Ok(StaffAuth(app.staff_by_token(&token).await?))
    }
}

impl DocArg for StaffAuth {
    /// A staff device's token is required (the operation is public to users' tokens).
    fn doc(d: OpDoc) -> OpDoc {
        d.errors(&[401])
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct StoresQuery {
    /// Only this customer's stores.
    customer_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct OfStoreQuery {
    /// Only this store's.
    store_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

// ---- stores ----

pub async fn stores(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<StoresQuery>,
) -> ApiOk<Page<StoreOut>> {
    let p = page(q.limit, q.cursor)?;
    let rows = app
        .frontline_stores(&c, q.customer_id.as_deref(), &p)
        .await?;
    let out = rows.into_iter().map(StoreOut::from).collect();
    Ok(Json(Page::of(out, p.limit, |s| s.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreIn {
    customer_id: String,
    name: String,
    /// The subscription whose quantity limits the store's headsets (L1).
    headset_subscription_id: Option<String>,
    /// The subscription whose quantity limits the store's app users (L1).
    app_subscription_id: Option<String>,
}

pub async fn create_store(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<StoreIn>,
) -> ApiCreated<StoreOut> {
    let seats = Seats {
        headset_subscription_id: b.headset_subscription_id,
        app_subscription_id: b.app_subscription_id,
    };
    let s = app
        .create_frontline_store(&c, &b.customer_id, &b.name, seats)
        .await?;
    Ok(Created(s.into()))
}

pub async fn store(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<StoreOut> {
    Ok(Json(app.frontline_store(&c, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatsIn {
    /// Null: no headset seats.
    headset_subscription_id: Option<String>,
    /// Null: no app seats.
    app_subscription_id: Option<String>,
}

pub async fn set_seats(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SeatsIn>,
) -> ApiOk<StoreOut> {
    let seats = Seats {
        headset_subscription_id: b.headset_subscription_id,
        app_subscription_id: b.app_subscription_id,
    };
    Ok(Json(
        app.update_frontline_store(&c, &id, Some(seats), None)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerIn {
    /// A staff member of the store; null: none.
    staff_id: Option<String>,
}

pub async fn set_manager(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ManagerIn>,
) -> ApiOk<StoreOut> {
    Ok(Json(
        app.update_frontline_store(&c, &id, None, Some(b.staff_id))
            .await?
            .into(),
    ))
}

// ---- broadcasts ----

pub async fn broadcasts(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<OfStoreQuery>,
) -> ApiOk<Page<BroadcastOut>> {
    let p = page(q.limit, q.cursor)?;
    let rows = app
        .frontline_broadcasts(&c, q.store_id.as_deref(), &p)
        .await?;
    let out = rows.into_iter().map(BroadcastOut::from).collect();
    Ok(Json(Page::of(out, p.limit, |b| b.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastIn {
    store_id: String,
    name: String,
    /// Seconds between announcements until accepted (5 to 600; default 20).
    repeat_s: Option<i64>,
    /// Seconds unaccepted before the store manager is told (default 60).
    escalate_after_s: Option<i64>,
    /// Seconds unaccepted before it is closed and counted missed (at most 3600; default 300).
    miss_after_s: Option<i64>,
}

pub async fn create_broadcast(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<BroadcastIn>,
) -> ApiCreated<BroadcastOut> {
    let timing = (
        b.repeat_s.unwrap_or(DEFAULT_REPEAT_S),
        b.escalate_after_s.unwrap_or(DEFAULT_ESCALATE_AFTER_S),
        b.miss_after_s.unwrap_or(DEFAULT_MISS_AFTER_S),
    );
    let row = app
        .create_broadcast(&c, &b.store_id, &b.name, timing)
        .await?;
    Ok(Created(row.into()))
}

pub async fn queue(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<Page<NotificationOut>> {
    let rows = app.frontline_queue(&c, &id).await?;
    Ok(Json(Page::all(rows.into_iter().map(Into::into).collect())))
}

// ---- staff ----

pub async fn staff(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<OfStoreQuery>,
) -> ApiOk<Page<StaffOut>> {
    let p = page(q.limit, q.cursor)?;
    let rows = app
        .frontline_staff_list(&c, q.store_id.as_deref(), &p)
        .await?;
    let out = rows.into_iter().map(StaffOut::from).collect();
    Ok(Json(Page::of(out, p.limit, |s| s.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffIn {
    store_id: String,
    name: String,
    /// `headset` or `app`: takes a seat of the store's subscription for it (L1).
    device: String,
    /// The store manager (escalations go to them).
    manager: Option<bool>,
}

pub async fn create_staff(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<StaffIn>,
) -> ApiCreated<StaffCreatedOut> {
    let s = app
        .create_staff(
            &c,
            &b.store_id,
            &b.name,
            &b.device,
            b.manager.unwrap_or(false),
        )
        .await?;
    Ok(Created(StaffCreatedOut {
        staff: s.staff.into(),
        token: s.token,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveIn {
    /// False frees the seat and stops the device's token; true takes a seat again (L1).
    active: bool,
}

pub async fn set_active(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActiveIn>,
) -> ApiOk<StaffOut> {
    Ok(Json(app.set_staff_active(&c, &id, b.active).await?.into()))
}

// ---- call points and video sources ----

pub async fn call_points(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<OfStoreQuery>,
) -> ApiOk<Page<CallPointOut>> {
    let p = page(q.limit, q.cursor)?;
    let rows = app
        .frontline_call_points(&c, q.store_id.as_deref(), &p)
        .await?;
    let out = rows.into_iter().map(CallPointOut::from).collect();
    Ok(Json(Page::of(out, p.limit, |s| s.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallPointIn {
    broadcast_id: String,
    /// The notification's `from` ("Till Point 4", "Paint aisle").
    label: String,
}

pub async fn create_call_point(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<CallPointIn>,
) -> ApiCreated<CallPointOut> {
    Ok(Created(
        app.create_call_point(&c, &b.broadcast_id, &b.label)
            .await?
            .into(),
    ))
}

pub async fn video_sources(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<OfStoreQuery>,
) -> ApiOk<Page<VideoSourceOut>> {
    let p = page(q.limit, q.cursor)?;
    let rows = app
        .frontline_video_sources(&c, q.store_id.as_deref(), &p)
        .await?;
    let out = rows.into_iter().map(VideoSourceOut::from).collect();
    Ok(Json(Page::of(out, p.limit, |s| s.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoSourceIn {
    broadcast_id: String,
    /// The camera or analytics system ("Camera1").
    name: String,
}

pub async fn create_video_source(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<VideoSourceIn>,
) -> ApiCreated<VideoSourceCreatedOut> {
    let v = app
        .create_video_source(&c, &b.broadcast_id, &b.name)
        .await?;
    Ok(Created(VideoSourceCreatedOut {
        source: v.source.into(),
        secret: v.secret,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceActiveIn {
    /// False takes it out of service (its scans or alerts are refused as unknown).
    active: bool,
}

pub async fn set_call_point_active(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SourceActiveIn>,
) -> ApiOk<CallPointOut> {
    let row = app.set_call_point_active(&c, &id, b.active).await?;
    Ok(Json(row.into()))
}

pub async fn set_video_source_active(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SourceActiveIn>,
) -> ApiOk<VideoSourceOut> {
    let row = app.set_video_source_active(&c, &id, b.active).await?;
    Ok(Json(row.into()))
}

pub async fn rotate_video_secret(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<VideoSourceCreatedOut> {
    let v = app.rotate_video_source_secret(&c, &id).await?;
    Ok(Json(VideoSourceCreatedOut {
        source: v.source.into(),
        secret: v.secret,
    }))
}

// ---- notifications and statistics ----

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    /// Only this broadcast's.
    broadcast_id: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn notifications(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> ApiOk<Page<NotificationOut>> {
    let p = page(q.limit, q.cursor)?;
    let rows = app
        .frontline_notifications(&c, q.broadcast_id.as_deref(), &p)
        .await?;
    let out = rows.into_iter().map(NotificationOut::from).collect();
    Ok(Json(Page::of(out, p.limit, |n| n.id.clone())))
}

pub async fn notification(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<NotificationOut> {
    Ok(Json(app.frontline_notification(&c, &id).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// One store's figures; all stores in scope when absent.
    store_id: Option<String>,
    /// First day (UTC, `YYYY-MM-DD`); today when absent.
    from: Option<String>,
    /// Last day, included (UTC, `YYYY-MM-DD`); `from` when absent.
    to: Option<String>,
}

fn period(app: &App, q: &StatsQuery) -> Result<(i64, i64), ApiError> {
    let day = |v: &Option<String>, field: &'static str, default: i64| -> Result<i64, ApiError> {
        Ok(match v {
            Some(s) => tollgate_app::hardware::day_of(s, field)?,
            None => default,
        })
    };
    let today = app.now() - app.now().rem_euclid(86_400);
    let from = day(&q.from, "from", today)?;
    let to = day(&q.to, "to", from)?;
    Ok((from * 1_000, (to + 86_400) * 1_000))
}

pub async fn stats(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiOk<FrontlineStatsOut> {
    let (from, to) = period(&app, &q)?;
    let s = app
        .frontline_stats(&c, q.store_id.as_deref(), from, to)
        .await?;
    Ok(Json(s.into()))
}

pub async fn stats_export(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult {
    let (from, to) = period(&app, &q)?;
    let s = app
        .frontline_stats(&c, q.store_id.as_deref(), from, to)
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        stats_csv(&s),
    )
        .into_response())
}

// ---- public: call points and video alerts ----

pub async fn scan(
    State(app): State<App>,
    Extension(src): Extension<SourceAddr>,
    Path(code): Path<String>,
) -> ApiOk<RaiseOut> {
    Ok(Json(app.scan_call_point(&code, &src.0).await?.into()))
}

pub async fn video_alert(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiOk<RaiseOut> {
    let sig = headers
        .get("x-tollgate-signature")
        .and_then(|v| v.to_str().ok());
    Ok(Json(app.video_alert(&id, sig, &body).await?.into()))
}

/// An AI video alert as documented (the handler reads the body only once its signature
/// holds).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct VideoAlertIn {
    /// The analytics system's own id of the alert: sent again, it is one notification.
    alert_id: String,
    /// `theft_suspicion`, `queue_too_long` or `dwell_time_exceeded`.
    kind: String,
    /// The camera (the notification's `from`).
    camera: String,
    text: Option<String>,
    /// `broadcast_message` (default), `call` or `video_call`.
    #[serde(rename = "type")]
    notification_type: Option<String>,
}

// ---- staff devices ----

pub async fn me(StaffAuth(s): StaffAuth) -> ApiOk<StaffOut> {
    Ok(Json(s.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinIn {
    /// A broadcast of the member's store.
    broadcast_id: String,
}

pub async fn join(
    State(app): State<App>,
    StaffAuth(s): StaffAuth,
    ApiJson(b): ApiJson<JoinIn>,
) -> ApiOk<StaffOut> {
    Ok(Json(app.join_broadcast(&s, &b.broadcast_id).await?.into()))
}

pub async fn leave(State(app): State<App>, StaffAuth(s): StaffAuth) -> ApiOk<StaffOut> {
    Ok(Json(app.leave_broadcast(&s).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    text: Option<String>,
    /// `broadcast_message`, `call` (default) or `video_call`.
    #[serde(rename = "type")]
    notification_type: Option<String>,
    /// `request` (default), `help_needed`, `theft`, `dwell_time_exceeded` or `queue`.
    event: Option<String>,
}

pub async fn request(
    State(app): State<App>,
    StaffAuth(s): StaffAuth,
    ApiJson(b): ApiJson<RequestIn>,
) -> ApiOk<RaiseOut> {
    let r = StaffRequest {
        text: b.text,
        notification_type: b.notification_type,
        event: b.event,
    };
    Ok(Json(app.staff_request(&s, r).await?.into()))
}

pub async fn accept(
    State(app): State<App>,
    StaffAuth(s): StaffAuth,
    Path(id): Path<String>,
) -> ApiOk<NotificationOut> {
    Ok(Json(app.accept_notification(&s, &id).await?.into()))
}

pub async fn live(State(app): State<App>, StaffAuth(s): StaffAuth) -> ApiResult {
    if s.broadcast_id.is_none() && s.manager == 0 {
        return Err(AppError::Conflict {
            code: "not_in_broadcast",
            message: "join a broadcast first".into(),
        }
        .into());
    }
    let listener = app.frontline_listen_live(&s).await?;
    let stream = futures_util::stream::unfold(listener, |mut l| async move {
        let e = l.next().await?;
        let ev = Event::default().event(e.kind).data(&*e.data);
        Some((Ok::<_, Infallible>(ev), l))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(LIVE_KEEP_ALIVE_S)))
        .into_response())
}
