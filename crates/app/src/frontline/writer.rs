//! Raises committed in groups ([`crate::group_commit`]): each notification gets its
//! broadcast's next queue position, its `raised` log entry and, for a scan, the scan's row, in
//! the group's transaction; the raise is answered (and announced) only once that committed,
//! so nothing answered is lost across a restart.

use tollgate_store::frontline::{system as fsys, LogRow, NotificationRow, ScanRow};
use tollgate_store::{StoreError, Tx};

use crate::group_commit::{Batch, GroupCommit};
use crate::ids::new_id;

/// A raise to write.
#[derive(Debug, Clone)]
pub struct Raise {
    /// The notification (its `seq` is given here).
    pub row: NotificationRow,
    /// A call point's scan, logged whatever the raise becomes.
    pub scan: Option<ScanRow>,
    /// The source's open notification takes the raise when there is one (a point scanned
    /// again, a member asking again before anyone answered).
    pub join_open: bool,
}

/// What a raise became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raised {
    /// A new notification in its queue.
    New(NotificationRow),
    /// The source's open notification (a call point scanned again) or the one its key
    /// names (an alert sent again): nothing new is announced.
    Existing(NotificationRow),
}

/// The log entry a notification's step writes, once per step (`step_key`).
pub fn log_row(n: &NotificationRow, kind: &str, at_ms: i64, staff: Option<&str>) -> LogRow {
    LogRow {
        id: new_id("fl_log"),
        store_id: n.store_id.clone(),
        broadcast_id: Some(n.broadcast_id.clone()),
        customer_id: n.customer_id.clone(),
        partner_id: n.partner_id.clone(),
        at_ms,
        kind: kind.into(),
        notification_id: Some(n.id.clone()),
        staff_id: staff.map(str::to_string),
        since_ms: None,
        step_key: format!("{kind}:{}", n.id),
    }
}

pub struct Raises;

impl Batch for Raises {
    type Item = Raise;
    type Out = Raised;
    async fn write(tx: &mut Tx, items: &[Raise]) -> Result<Vec<Raised>, StoreError> {
        let mut out = Vec::with_capacity(items.len());
        for r in items {
            out.push(write_one(tx, r).await?);
        }
        Ok(out)
    }
}

async fn write_one(tx: &mut Tx, r: &Raise) -> Result<Raised, StoreError> {
    let n = &r.row;
    let existing = match (r.join_open, &n.source_key) {
        (true, _) => fsys::open_from_source(tx, &n.source_id).await?,
        (false, Some(key)) => fsys::by_source_key(tx, &n.source_id, key).await?,
        (false, None) => None,
    };
    if let Some(open) = existing {
        if let Some(scan) = &r.scan {
            ScanRow {
                outcome: "joined_open".into(),
                notification_id: open.id.clone(),
                ..scan.clone()
            }
            .insert(tx)
            .await?;
        }
        return Ok(Raised::Existing(open));
    }
    let mut row = n.clone();
    row.seq = fsys::next_seq(tx, &row.broadcast_id).await?;
    row.insert(tx).await?;
    log_row(&row, "raised", row.raised_at_ms, None)
        .insert(tx)
        .await?;
    if let Some(scan) = &r.scan {
        ScanRow {
            outcome: "raised".into(),
            notification_id: row.id.clone(),
            ..scan.clone()
        }
        .insert(tx)
        .await?;
    }
    Ok(Raised::New(row))
}

/// The raise writer.
pub type RaiseWriter = GroupCommit<Raises>;
