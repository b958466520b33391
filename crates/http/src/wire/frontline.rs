//! Frontline wire types (issue 19): stores, broadcasts, staff, call points, video sources,
//! notifications, raises and the manager's statistics. Instants as RFC 3339 (milliseconds
//! where the log keeps them); durations in milliseconds (`_ms`).

use serde::Serialize;
use tollgate_app::frontline::raise::RaiseOutcome;
use tollgate_app::frontline::stats::{Stats, StoreStats};
use tollgate_app::records::{
    CallPointRow, FrontlineBroadcastRow, FrontlineStaffRow, FrontlineStoreRow, NotificationRow,
    ScanCount, VideoSourceRow,
};
use utoipa::ToSchema;

use crate::extract::ts;

/// An instant in milliseconds as RFC 3339.
pub fn ts_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A retailer's store.
#[derive(Serialize, ToSchema)]
pub struct StoreOut {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    /// The subscription whose quantity is the store's headset seats (L1).
    pub headset_subscription_id: Option<String>,
    /// The subscription whose quantity is the store's app seats (L1).
    pub app_subscription_id: Option<String>,
    /// The staff member escalations go to (Q).
    pub manager_staff_id: Option<String>,
    pub created_at: String,
}

impl From<FrontlineStoreRow> for StoreOut {
    fn from(s: FrontlineStoreRow) -> Self {
        StoreOut {
            id: s.id,
            customer_id: s.customer_id,
            name: s.name,
            headset_subscription_id: s.headset_subscription_id,
            app_subscription_id: s.app_subscription_id,
            manager_staff_id: s.manager_staff_id,
            created_at: ts(s.created_at),
        }
    }
}

/// A broadcast group with its notifications' timing (Q).
#[derive(Serialize, ToSchema)]
pub struct BroadcastOut {
    pub id: String,
    pub store_id: String,
    pub name: String,
    /// A notification is announced again this often until accepted.
    pub repeat_s: i64,
    /// Unaccepted this long, it goes to the store manager.
    pub escalate_after_s: i64,
    /// Unaccepted this long, it is closed and counted missed.
    pub miss_after_s: i64,
}

impl From<FrontlineBroadcastRow> for BroadcastOut {
    fn from(b: FrontlineBroadcastRow) -> Self {
        BroadcastOut {
            id: b.id,
            store_id: b.store_id,
            name: b.name,
            repeat_s: b.repeat_s,
            escalate_after_s: b.escalate_after_s,
            miss_after_s: b.miss_after_s,
        }
    }
}

/// A staff member.
#[derive(Serialize, ToSchema)]
pub struct StaffOut {
    pub id: String,
    pub store_id: String,
    pub name: String,
    /// `headset` or `app`: the kind of seat taken (L1).
    pub device: String,
    pub manager: bool,
    pub active: bool,
    /// The broadcast the member is in now.
    pub broadcast_id: Option<String>,
    pub joined_at: Option<String>,
}

impl From<FrontlineStaffRow> for StaffOut {
    fn from(s: FrontlineStaffRow) -> Self {
        StaffOut {
            id: s.id,
            store_id: s.store_id,
            name: s.name,
            device: s.device,
            manager: s.manager == 1,
            active: s.active == 1,
            broadcast_id: s.broadcast_id,
            joined_at: s.joined_at_ms.map(ts_ms),
        }
    }
}

/// A staff member created, with the device's token (shown once).
#[derive(Serialize, ToSchema)]
pub struct StaffCreatedOut {
    #[serde(flatten)]
    pub staff: StaffOut,
    /// The headset's or the app's bearer token for `/v1/frontline/me/*`; only its hash is
    /// kept.
    pub token: String,
}

/// A smart call point.
#[derive(Serialize, ToSchema)]
pub struct CallPointOut {
    pub id: String,
    pub store_id: String,
    pub broadcast_id: String,
    /// The notification's `from`.
    pub label: String,
    /// The code in the QR code.
    pub code: String,
    /// Where the QR code points (a `POST` raises the alert).
    pub scan_path: String,
    pub active: bool,
}

impl From<CallPointRow> for CallPointOut {
    fn from(c: CallPointRow) -> Self {
        CallPointOut {
            scan_path: format!("/v1/frontline/call-points/{}/scan", c.code),
            id: c.id,
            store_id: c.store_id,
            broadcast_id: c.broadcast_id,
            label: c.label,
            code: c.code,
            active: c.active == 1,
        }
    }
}

/// A video-analytics source.
#[derive(Serialize, ToSchema)]
pub struct VideoSourceOut {
    pub id: String,
    pub store_id: String,
    pub broadcast_id: String,
    pub name: String,
    /// Where its signed alerts go.
    pub alerts_path: String,
    pub active: bool,
}

impl From<VideoSourceRow> for VideoSourceOut {
    fn from(v: VideoSourceRow) -> Self {
        VideoSourceOut {
            alerts_path: format!("/v1/frontline/video/{}/alerts", v.id),
            id: v.id,
            store_id: v.store_id,
            broadcast_id: v.broadcast_id,
            name: v.name,
            active: v.active == 1,
        }
    }
}

/// A video source created, with its signing secret (shown once).
#[derive(Serialize, ToSchema)]
pub struct VideoSourceCreatedOut {
    #[serde(flatten)]
    pub source: VideoSourceOut,
    /// The HMAC-SHA256 key: `X-Tollgate-Signature: t=<unix s>,v1=<hex of HMAC("<t>.<body>")>`.
    pub secret: String,
}

/// A smart notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: String,
    pub broadcast_id: String,
    pub store_id: String,
    /// Its place in the broadcast's queue (increasing; the gaps are other broadcasts').
    pub seq: i64,
    /// `call_point`, `video`, `push_to_talk` or `app`.
    pub source: String,
    pub from: String,
    /// `broadcast_message`, `call` or `video_call`.
    #[serde(rename = "type")]
    pub notification_type: String,
    /// `help_needed`, `theft`, `dwell_time_exceeded`, `queue` or `request`.
    pub event: String,
    pub text: String,
    /// What a headset speaks.
    pub speech: String,
    pub repeat_s: i64,
    pub escalate_after_s: i64,
    pub miss_after_s: i64,
    /// `open`, `accepted` or `missed`.
    pub state: String,
    pub raised_at: String,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<String>,
    pub response_ms: Option<i64>,
    pub escalated_at: Option<String>,
    pub missed_at: Option<String>,
}

impl From<NotificationRow> for NotificationOut {
    fn from(n: NotificationRow) -> Self {
        NotificationOut {
            response_ms: n.accepted_at_ms.map(|a| a - n.raised_at_ms),
            id: n.id,
            broadcast_id: n.broadcast_id,
            store_id: n.store_id,
            seq: n.seq,
            source: n.source,
            from: n.from_label,
            notification_type: n.kind,
            event: n.event,
            text: n.text,
            speech: n.speech,
            repeat_s: n.repeat_s,
            escalate_after_s: n.escalate_after_s,
            miss_after_s: n.miss_after_s,
            state: n.state,
            raised_at: ts_ms(n.raised_at_ms),
            accepted_by: n.accepted_by,
            accepted_at: n.accepted_at_ms.map(ts_ms),
            escalated_at: n.escalated_at_ms.map(ts_ms),
            missed_at: n.missed_at_ms.map(ts_ms),
        }
    }
}

/// What an event in became.
#[derive(Serialize, ToSchema)]
pub struct RaiseOut {
    pub notification_id: String,
    /// `raised` (new in its queue and announced) or `joined` (the source's open notification,
    /// or the same alert sent again).
    pub outcome: String,
    pub state: String,
    pub message: String,
}

impl From<RaiseOutcome> for RaiseOut {
    fn from(r: RaiseOutcome) -> Self {
        RaiseOut {
            outcome: if r.new { "raised" } else { "joined" }.into(),
            message: if r.notification.state == "open" {
                "Help is on its way."
            } else {
                "Thank you."
            }
            .into(),
            notification_id: r.notification.id,
            state: r.notification.state,
        }
    }
}

/// One store's figures (or all stores').
#[derive(Serialize, ToSchema)]
pub struct StoreStatsOut {
    /// Empty for the total across stores.
    pub store_id: String,
    pub store: String,
    /// Alerts raised in the period = accepted + missed + open.
    pub raised: u64,
    pub accepted: u64,
    pub missed: u64,
    pub escalated: u64,
    pub open: u64,
    /// Response time (raise to accept), nearest-rank percentiles.
    pub response_p50_ms: Option<i64>,
    pub response_p90_ms: Option<i64>,
    /// Staff time in the broadcasts within the period, each member's overlaps once.
    pub staff_time_ms: i64,
    pub joins: u64,
    pub leaves: u64,
    pub scans: i64,
}

impl From<StoreStats> for StoreStatsOut {
    fn from(s: StoreStats) -> Self {
        StoreStatsOut {
            store_id: s.store_id,
            store: s.store,
            raised: s.alerts.raised,
            accepted: s.alerts.accepted,
            missed: s.alerts.missed,
            escalated: s.alerts.escalated,
            open: s.alerts.open,
            response_p50_ms: s.alerts.response_p50_ms,
            response_p90_ms: s.alerts.response_p90_ms,
            staff_time_ms: s.staff_time_ms,
            joins: s.joins,
            leaves: s.leaves,
            scans: s.scans,
        }
    }
}

/// Scans of a call point in one hour (UTC).
#[derive(Serialize, ToSchema)]
pub struct ScanHourOut {
    pub store_id: String,
    pub call_point_id: String,
    pub hour: String,
    pub scans: i64,
}

/// The manager's statistics for a period.
#[derive(Serialize, ToSchema)]
pub struct FrontlineStatsOut {
    pub from: String,
    pub to: String,
    pub stores: Vec<StoreStatsOut>,
    pub total: StoreStatsOut,
    pub scans_per_point_hour: Vec<ScanHourOut>,
}

impl From<Stats> for FrontlineStatsOut {
    fn from(s: Stats) -> Self {
        FrontlineStatsOut {
            from: ts_ms(s.from_ms),
            to: ts_ms(s.to_ms),
            stores: s.stores.into_iter().map(Into::into).collect(),
            total: s.total.into(),
            scans_per_point_hour: s
                .scans
                .into_iter()
                .map(|c: ScanCount| ScanHourOut {
                    store_id: c.store_id,
                    call_point_id: c.call_point_id,
                    hour: ts_ms(c.hour_ms),
                    scans: c.scans,
                })
                .collect(),
        }
    }
}
