//! Frontline reads and writes without a tenant scope. Callers: the devices' authentication
//! (a staff token's hash), the public call-point scan (by code), the signed video webhook (by
//! source id), the live engine (the open notifications at start, its conditional steps), the
//! use cases' keyed reads inside their transaction after a scoped read found the record, the
//! demo seed and the benchmark.

use super::{BroadcastRow, CallPointRow, NotificationRow, StaffRow, StoreRow, VideoSourceRow};
use crate::{Arg, Result, Store, Tx};

async fn one<T>(
    store: &Store,
    sql: &str,
    key: &str,
    map: impl Fn(&sqlx::any::AnyRow) -> std::result::Result<T, sqlx::Error>,
) -> Result<Option<T>> {
    Ok(
        crate::query::fetch_dynamic(store.reader(), sql, vec![Arg::Text(key.into())], map)
            .await?
            .pop(),
    )
}

/// An active staff member by the SHA-256 of its device token, and whether the seat's
/// subscription (the store's for the member's device) is live at `now` (L2).
pub async fn staff_by_token(
    store: &Store,
    hash: &str,
    now: i64,
) -> Result<Option<(StaffRow, bool)>> {
    let sql = format!(
        "SELECT {}, CAST(CASE WHEN sub.state = 'active' AND (sub.ends_on IS NULL OR sub.ends_on > $2) \
         THEN 1 ELSE 0 END AS BIGINT) AS seat_live \
         FROM frontline_staff s JOIN frontline_stores st ON st.id = s.store_id \
         LEFT JOIN subscriptions sub ON sub.id = (CASE WHEN s.device = 'headset' \
         THEN st.headset_subscription_id ELSE st.app_subscription_id END) \
         WHERE s.token_hash = $1 AND s.active = 1",
        StaffRow::cols("s")
    );
    let args = vec![Arg::Text(hash.into()), Arg::Int(now)];
    Ok(
        crate::query::fetch_dynamic(store.reader(), &sql, args, |r| {
            use sqlx::Row;
            Ok((
                StaffRow::from_row(r)?,
                r.try_get::<i64, _>("seat_live")? == 1,
            ))
        })
        .await?
        .pop(),
    )
}

/// An active call point by the code of its QR code.
pub async fn call_point_by_code(store: &Store, code: &str) -> Result<Option<CallPointRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_call_points WHERE code = $1 AND active = 1",
        CallPointRow::cols("")
    );
    one(store, &sql, code, CallPointRow::from_row).await
}

/// An active video source by id.
pub async fn video_source(store: &Store, id: &str) -> Result<Option<VideoSourceRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_video_sources WHERE id = $1 AND active = 1",
        VideoSourceRow::cols("")
    );
    one(store, &sql, id, VideoSourceRow::from_row).await
}

/// A broadcast by id.
pub async fn broadcast(store: &Store, id: &str) -> Result<Option<BroadcastRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_broadcasts WHERE id = $1",
        BroadcastRow::cols("")
    );
    one(store, &sql, id, BroadcastRow::from_row).await
}

/// A store by id.
pub async fn store_row(store: &Store, id: &str) -> Result<Option<StoreRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_stores WHERE id = $1",
        StoreRow::cols("")
    );
    one(store, &sql, id, StoreRow::from_row).await
}

/// A staff member by id (any state).
pub async fn staff(store: &Store, id: &str) -> Result<Option<StaffRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_staff WHERE id = $1",
        StaffRow::cols("")
    );
    one(store, &sql, id, StaffRow::from_row).await
}

/// A notification by id.
pub async fn notification(store: &Store, id: &str) -> Result<Option<NotificationRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_notifications WHERE id = $1",
        NotificationRow::cols("")
    );
    one(store, &sql, id, NotificationRow::from_row).await
}

/// Every open notification in queue order (the live engine's start after a restart).
pub async fn open_notifications(store: &Store) -> Result<Vec<NotificationRow>> {
    let sql = format!(
        "SELECT {} FROM frontline_notifications WHERE state = 'open' ORDER BY broadcast_id, seq",
        NotificationRow::cols("")
    );
    crate::query::fetch_dynamic(store.reader(), &sql, vec![], NotificationRow::from_row).await
}

/// The open notification raised by a source (a call point scanned again joins it), read in
/// a transaction.
pub async fn open_from_source(tx: &mut Tx, source_id: &str) -> Result<Option<NotificationRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM frontline_notifications WHERE source_id = $1 AND state = 'open' \
         ORDER BY seq LIMIT 1",
        NotificationRow::cols("")
    ))
    .bind(source_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(NotificationRow::from_row).transpose()?)
}

/// A notification by its source's own key, read in a transaction (a resent alert).
pub async fn by_source_key(
    tx: &mut Tx,
    source_id: &str,
    key: &str,
) -> Result<Option<NotificationRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM frontline_notifications WHERE source_id = $1 AND source_key = $2",
        NotificationRow::cols("")
    ))
    .bind(source_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(NotificationRow::from_row).transpose()?)
}

/// Marks an open notification accepted by `staff`; false when it was no longer open.
pub async fn accept(tx: &mut Tx, id: &str, staff: &str, at_ms: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE frontline_notifications SET state = 'accepted', accepted_by = $2, \
         accepted_at_ms = $3 WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(staff)
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an open notification escalated (once); false when it was not open or already was.
pub async fn escalate(tx: &mut Tx, id: &str, at_ms: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE frontline_notifications SET escalated_at_ms = $2 \
         WHERE id = $1 AND state = 'open' AND escalated_at_ms IS NULL",
    )
    .bind(id)
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes an open notification as missed; false when it was no longer open.
pub async fn miss(tx: &mut Tx, id: &str, at_ms: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE frontline_notifications SET state = 'missed', missed_at_ms = $2 \
         WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Active staff with `device` in the stores that name `subscription` for it (L1), read in a
/// transaction.
pub async fn seats_in_use(tx: &mut Tx, subscription: &str, device: &str) -> Result<i64> {
    use sqlx::Row;
    let col = if device == "headset" {
        "headset_subscription_id"
    } else {
        "app_subscription_id"
    };
    let r = sqlx::query(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM frontline_staff s \
         JOIN frontline_stores st ON st.id = s.store_id \
         WHERE s.active = 1 AND s.device = $1 AND st.{col} = $2"
    ))
    .bind(device)
    .bind(subscription)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("n")?)
}

/// What a seat subscription allows (L1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatSubscription {
    pub customer_id: String,
    /// The product kind (`licence`, `leased_device`, …).
    pub kind: String,
    pub quantity: i64,
    pub state: String,
    pub ends_on: Option<i64>,
}

/// A subscription's seats, read in a transaction.
pub async fn subscription_seats(tx: &mut Tx, id: &str) -> Result<Option<SeatSubscription>> {
    use sqlx::Row;
    let r = sqlx::query(
        "SELECT customer_id, kind, quantity, state, ends_on FROM subscriptions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| {
        Ok::<_, sqlx::Error>(SeatSubscription {
            customer_id: r.try_get("customer_id")?,
            kind: r.try_get("kind")?,
            quantity: r.try_get("quantity")?,
            state: r.try_get("state")?,
            ends_on: r.try_get("ends_on")?,
        })
    })
    .transpose()?)
}

/// Moves a staff member from the broadcast they were in (`old`, joined at `old_since`) to
/// `broadcast` (or none) from `joined_at_ms`; false when another request moved them first.
pub async fn set_presence(
    tx: &mut Tx,
    staff: &str,
    old: (Option<&str>, Option<i64>),
    broadcast: Option<&str>,
    joined_at_ms: Option<i64>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE frontline_staff SET broadcast_id = $2, joined_at_ms = $3, updated_at = $4 \
         WHERE id = $1 AND COALESCE(broadcast_id, '') = $5 AND COALESCE(joined_at_ms, -1) = $6",
    )
    .bind(staff)
    .bind(broadcast)
    .bind(joined_at_ms)
    .bind(now)
    .bind(old.0.unwrap_or_default())
    .bind(old.1.unwrap_or(-1))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a staff member the store's manager or not (escalations reach them).
pub async fn set_manager_flag(tx: &mut Tx, staff: &str, manager: bool) -> Result<()> {
    sqlx::query("UPDATE frontline_staff SET manager = $2 WHERE id = $1")
        .bind(staff)
        .bind(i64::from(manager))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Active staff of a store with `device`, read in a transaction.
pub async fn store_staff_count(tx: &mut Tx, store: &str, device: &str) -> Result<i64> {
    use sqlx::Row;
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM frontline_staff \
         WHERE store_id = $1 AND device = $2 AND active = 1",
    )
    .bind(store)
    .bind(device)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("n")?)
}

/// A staff member active or not (a seat freed or taken, L1).
pub async fn set_active(tx: &mut Tx, staff: &str, active: bool, now: i64) -> Result<()> {
    sqlx::query("UPDATE frontline_staff SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(staff)
        .bind(i64::from(active))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A store's kind of event source, naming its table.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    CallPoint,
    Video,
}

/// A call point or video source in or out of service.
pub async fn set_source_active(tx: &mut Tx, kind: Source, id: &str, active: bool) -> Result<()> {
    let sql = match kind {
        Source::CallPoint => "UPDATE frontline_call_points SET active = $2 WHERE id = $1",
        Source::Video => "UPDATE frontline_video_sources SET active = $2 WHERE id = $1",
    };
    sqlx::query(sql)
        .bind(id)
        .bind(i64::from(active))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A video source's new signing secret.
pub async fn set_video_secret(tx: &mut Tx, id: &str, secret: &str) -> Result<()> {
    sqlx::query("UPDATE frontline_video_sources SET secret = $2 WHERE id = $1")
        .bind(id)
        .bind(secret)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes a store's manager and seat subscriptions.
pub async fn update_store(tx: &mut Tx, s: &StoreRow) -> Result<()> {
    sqlx::query(
        "UPDATE frontline_stores SET manager_staff_id = $2, headset_subscription_id = $3, \
         app_subscription_id = $4 WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&s.manager_staff_id)
    .bind(&s.headset_subscription_id)
    .bind(&s.app_subscription_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether a customer has a store (the demo seeds once).
pub async fn customer_has_store(store: &Store, customer: &str) -> Result<bool> {
    let sql = "SELECT id FROM frontline_stores WHERE customer_id = $1 LIMIT 1";
    Ok(one(store, sql, customer, |r| {
        use sqlx::Row;
        r.try_get::<String, _>("id")
    })
    .await?
    .is_some())
}

/// Rows one multi-row insert carries at most (64 rows of 23 columns: 1,472 values, far below
/// either backend's limit); the rest in powers of two ([`crate::marks::pieces`]). SQLite gets anonymous placeholders ([`crate::marks`]), without
/// which its driver's name lookup grows with the square of the values bound.
pub const INSERT_CHUNK: usize = 64;

/// Inserts notifications in multi-row statements; a row whose source already has its key
/// (an alert sent again) is skipped. The ids inserted.
pub async fn insert_notifications(
    tx: &mut Tx,
    rows: &[NotificationRow],
) -> Result<std::collections::HashSet<String>> {
    use sqlx::Row;
    let mut inserted = std::collections::HashSet::with_capacity(rows.len());
    for chunk in crate::marks::pieces(rows, INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO frontline_notifications ({}) VALUES {} \
             ON CONFLICT (source_id, source_key) DO NOTHING",
            NotificationRow::cols(""),
            NotificationRow::values_marks(tx, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = r.bind_to(q);
        }
        // The count tells whether every row went in (nearly always); only a chunk with an
        // alert sent again asks which went in (its fresh ids exist only if inserted), rather
        // than streaming an id back for every row.
        let n = q.execute(&mut **tx).await?.rows_affected();
        if n == chunk.len() as u64 {
            inserted.extend(chunk.iter().map(|r| r.id.clone()));
            continue;
        }
        let anon = crate::marks::anonymous(tx);
        let sql = format!(
            "SELECT id FROM frontline_notifications WHERE id IN {}",
            crate::marks::placeholders(0, chunk.len(), anon)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(&r.id);
        }
        for r in q.fetch_all(&mut **tx).await? {
            inserted.insert(r.try_get::<String, _>("id")?);
        }
    }
    Ok(inserted)
}

/// Takes `n` queue positions at once: the last one given (the counter's row is locked until
/// the transaction ends).
pub async fn take_seqs(tx: &mut Tx, n: i64) -> Result<i64> {
    use sqlx::Row;
    let r = sqlx::query(
        "UPDATE frontline_counter SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq",
    )
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("last_seq")?)
}
