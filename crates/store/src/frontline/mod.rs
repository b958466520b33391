//! Frontline storage (issue 19): stores, broadcasts, staff, call points, video sources,
//! notifications, the event log and call-point scans. All of it is a customer's (and its
//! partner's) data, read here with the caller's scope; the live engine's, the devices' and the
//! public endpoints' keyed reads live in [`system`].

use crate::row_macro::table_row;
use crate::{Arg, Page, Result, ScopeFilter, ScopedQuery, Store};

/// Rows one statistics read returns at most: each reads one more, so the caller can tell a
/// period that holds more and refuse it rather than answer from part of it.
pub const MAX_STATS_ROWS: i64 = 1_000_000;
/// An hour in milliseconds (the scans' buckets).
pub const HOUR_MS: i64 = 3_600_000;

fn limit(sql: &mut String) {
    sql.push_str(&format!(" LIMIT {}", MAX_STATS_ROWS + 1));
}

pub mod system;

table_row! {
    /// A retailer's store.
    pub struct StoreRow in "frontline_stores" {
        id: String,
        customer_id: String,
        partner_id: Option<String>,
        name: String,
        headset_subscription_id: Option<String>,
        app_subscription_id: Option<String>,
        manager_staff_id: Option<String>,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A broadcast group of a store with its notifications' timing.
    pub struct BroadcastRow in "frontline_broadcasts" {
        id: String,
        store_id: String,
        customer_id: String,
        partner_id: Option<String>,
        name: String,
        repeat_s: i64,
        escalate_after_s: i64,
        miss_after_s: i64,
        created_at: i64,
    }
}

table_row! {
    /// A staff member with a headset or the app.
    pub struct StaffRow in "frontline_staff" {
        id: String,
        store_id: String,
        customer_id: String,
        partner_id: Option<String>,
        name: String,
        device: String,
        manager: i64,
        active: i64,
        token_hash: String,
        broadcast_id: Option<String>,
        joined_at_ms: Option<i64>,
        created_at: i64,
        updated_at: i64,
    }
}

table_row! {
    /// A smart call point (a QR code a shopper scans).
    pub struct CallPointRow in "frontline_call_points" {
        id: String,
        code: String,
        store_id: String,
        broadcast_id: String,
        customer_id: String,
        partner_id: Option<String>,
        label: String,
        active: i64,
        created_at: i64,
    }
}

table_row! {
    /// A video-analytics integration that posts signed alerts.
    pub struct VideoSourceRow in "frontline_video_sources" {
        id: String,
        store_id: String,
        broadcast_id: String,
        customer_id: String,
        partner_id: Option<String>,
        name: String,
        secret: String,
        active: i64,
        created_at: i64,
    }
}

table_row! {
    /// A smart notification in its broadcast's queue.
    pub struct NotificationRow in "frontline_notifications" {
        id: String,
        broadcast_id: String,
        store_id: String,
        customer_id: String,
        partner_id: Option<String>,
        seq: i64,
        source: String,
        source_id: String,
        source_key: Option<String>,
        from_label: String,
        kind: String,
        event: String,
        text: String,
        speech: String,
        repeat_s: i64,
        escalate_after_s: i64,
        miss_after_s: i64,
        state: String,
        raised_at_ms: i64,
        accepted_by: Option<String>,
        accepted_at_ms: Option<i64>,
        escalated_at_ms: Option<i64>,
        missed_at_ms: Option<i64>,
    }
}

table_row! {
    /// An entry of the event log (raised, accepted, escalated, missed, joined, left).
    pub struct LogRow in "frontline_log" {
        id: String,
        store_id: String,
        broadcast_id: Option<String>,
        customer_id: String,
        partner_id: Option<String>,
        at_ms: i64,
        kind: String,
        notification_id: Option<String>,
        staff_id: Option<String>,
        since_ms: Option<i64>,
        step_key: String,
    }
}

table_row! {
    /// A call-point scan.
    pub struct ScanRow in "frontline_scans" {
        id: String,
        call_point_id: String,
        store_id: String,
        customer_id: String,
        partner_id: Option<String>,
        at_ms: i64,
        source_hash: String,
        outcome: String,
        notification_id: String,
    }
}

macro_rules! scoped_reads {
    ($(#[$lm:meta])* $list:ident, $(#[$gm:meta])* $get:ident, $row:ident, $table:literal, $filter:literal) => {
        $(#[$lm])*
        pub async fn $list(
            store: &Store,
            scope: ScopeFilter<'_>,
            parent: Option<&str>,
            page: &Page,
        ) -> Result<Vec<$row>> {
            let mut q = ScopedQuery::new(&format!("SELECT {} FROM {} t", $row::cols("t"), $table));
            q.filter(concat!("t.", $filter), "=", parent.map(|p| Arg::Text(p.into())))
                .scope(&scope, "t.customer_id", "t.partner_id")
                .page("t.id", page);
            q.fetch(store.reader(), $row::from_row).await
        }

        $(#[$gm])*
        pub async fn $get(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<Option<$row>> {
            let mut q = ScopedQuery::new(&format!("SELECT {} FROM {} t", $row::cols("t"), $table));
            q.filter("t.id", "=", Some(Arg::Text(id.into())))
                .scope(&scope, "t.customer_id", "t.partner_id");
            Ok(q.fetch(store.reader(), $row::from_row).await?.pop())
        }
    };
}

scoped_reads!(
    /// Stores in scope, of a customer when given, by id.
    list_stores,
    /// One store in scope.
    get_store, StoreRow, "frontline_stores", "customer_id");
scoped_reads!(
    /// Broadcasts in scope, of a store when given, by id.
    list_broadcasts,
    /// One broadcast in scope.
    get_broadcast, BroadcastRow, "frontline_broadcasts", "store_id");
scoped_reads!(
    /// Staff in scope, of a store when given, by id.
    list_staff,
    /// One staff member in scope.
    get_staff, StaffRow, "frontline_staff", "store_id");
scoped_reads!(
    /// Call points in scope, of a store when given, by id.
    list_call_points,
    /// One call point in scope.
    get_call_point, CallPointRow, "frontline_call_points", "store_id");
scoped_reads!(
    /// Video sources in scope, of a store when given, by id.
    list_video_sources,
    /// One video source in scope.
    get_video_source, VideoSourceRow, "frontline_video_sources", "store_id");
scoped_reads!(
    /// Notifications in scope, of a broadcast when given, by id.
    list_notifications,
    /// One notification in scope.
    get_notification, NotificationRow, "frontline_notifications", "broadcast_id");

/// A broadcast's open notifications in queue order, at most `limit`.
pub async fn open_queue(
    store: &Store,
    scope: ScopeFilter<'_>,
    broadcast: &str,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM frontline_notifications t",
        NotificationRow::cols("t")
    ));
    q.filter("t.broadcast_id", "=", Some(Arg::Text(broadcast.into())))
        .filter("t.state", "=", Some(Arg::Text("open".into())))
        .scope(&scope, "t.customer_id", "t.partner_id")
        .keyset(&["t.seq"], None, limit);
    q.fetch(store.reader(), NotificationRow::from_row).await
}

/// The event log of the stores in scope (one store when given) from `from_ms` to before
/// `to_ms`, in time order: what the statistics add up from.
pub async fn log_between(
    store: &Store,
    scope: ScopeFilter<'_>,
    store_id: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<LogRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM frontline_log t",
        LogRow::cols("t")
    ));
    q.filter("t.store_id", "=", store_id.map(|s| Arg::Text(s.into())))
        .filter("t.at_ms", ">=", Some(Arg::Int(from_ms)))
        .filter("t.at_ms", "<", Some(Arg::Int(to_ms)))
        .scope(&scope, "t.customer_id", "t.partner_id")
        .clause(|sql, _| {
            sql.push_str(" ORDER BY t.at_ms, t.id");
            limit(sql);
        });
    q.fetch(store.reader(), LogRow::from_row).await
}

/// Staff in scope (one store's when given) in a broadcast now, joined before `to_ms`.
pub async fn present_staff(
    store: &Store,
    scope: ScopeFilter<'_>,
    store_id: Option<&str>,
    to_ms: i64,
) -> Result<Vec<StaffRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM frontline_staff t",
        StaffRow::cols("t")
    ));
    q.filter("t.store_id", "=", store_id.map(|s| Arg::Text(s.into())))
        .filter("t.joined_at_ms", "<", Some(Arg::Int(to_ms)))
        .clause(|sql, _| sql.push_str(" AND t.broadcast_id IS NOT NULL"))
        .scope(&scope, "t.customer_id", "t.partner_id")
        .clause(|sql, _| limit(sql));
    q.fetch(store.reader(), StaffRow::from_row).await
}

/// Leaves recorded in scope (one store's when given) of stays that overlap `[from_ms, to_ms)`:
/// left at or after `from_ms` having joined before `to_ms`.
pub async fn stays_between(
    store: &Store,
    scope: ScopeFilter<'_>,
    store_id: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<LogRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM frontline_log t",
        LogRow::cols("t")
    ));
    q.filter("t.store_id", "=", store_id.map(|s| Arg::Text(s.into())))
        .filter("t.kind", "=", Some(Arg::Text("left".into())))
        .filter("t.at_ms", ">=", Some(Arg::Int(from_ms)))
        .filter("t.since_ms", "<", Some(Arg::Int(to_ms)))
        .scope(&scope, "t.customer_id", "t.partner_id")
        .clause(|sql, _| limit(sql));
    q.fetch(store.reader(), LogRow::from_row).await
}

/// Scans of a call point in one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanCount {
    pub store_id: String,
    pub call_point_id: String,
    /// The hour's start, milliseconds.
    pub hour_ms: i64,
    pub scans: i64,
}

/// Call-point scans in scope (one store's when given) from `from_ms` to before `to_ms`,
/// counted per point and hour.
pub async fn scans_per_point_hour(
    store: &Store,
    scope: ScopeFilter<'_>,
    store_id: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<ScanCount>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT t.store_id AS store_id, t.call_point_id AS point, \
         (t.at_ms / {HOUR_MS}) * {HOUR_MS} AS hour, CAST(COUNT(*) AS BIGINT) AS scans \
         FROM frontline_scans t"
    ));
    q.filter("t.store_id", "=", store_id.map(|s| Arg::Text(s.into())))
        .filter("t.at_ms", ">=", Some(Arg::Int(from_ms)))
        .filter("t.at_ms", "<", Some(Arg::Int(to_ms)))
        .scope(&scope, "t.customer_id", "t.partner_id")
        .clause(|sql, _| {
            sql.push_str(&format!(
                " GROUP BY t.store_id, t.call_point_id, (t.at_ms / {HOUR_MS}) * {HOUR_MS} \
                 ORDER BY store_id, point, hour"
            ));
            limit(sql);
        });
    q.fetch(store.reader(), |r| {
        use sqlx::Row;
        Ok(ScanCount {
            store_id: r.try_get("store_id")?,
            call_point_id: r.try_get("point")?,
            hour_ms: r.try_get("hour")?,
            scans: r.try_get("scans")?,
        })
    })
    .await
}
