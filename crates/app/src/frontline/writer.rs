//! Raises committed in groups ([`crate::group_commit`]): each notification gets its
//! broadcast's next queue position, its `raised` log entry (written by the database with the
//! notification, migration 0020) and, for a scan, the scan's row, in the group's transaction;
//! the raise is answered (and announced) only once that committed, so nothing answered is lost
//! across a restart.

use std::collections::HashMap;

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

    /// A group in a few statements: the sources' open notifications looked up (for those
    /// that join), the queue positions taken at once, the notifications inserted in
    /// multi-row statements (each with its `raised` entry), the scans logged.
    async fn write(tx: &mut Tx, items: &[Raise]) -> Result<Vec<Raised>, StoreError> {
        enum Slot {
            Done(Box<Raised>),
            Fresh(usize),
        }
        let mut slots = Vec::with_capacity(items.len());
        let mut fresh: Vec<NotificationRow> = Vec::new();
        let mut open_here: HashMap<&str, usize> = HashMap::new();
        for r in items {
            let n = &r.row;
            if r.join_open {
                if let Some(&j) = open_here.get(n.source_id.as_str()) {
                    slots.push(Slot::Fresh(j));
                    continue;
                }
                if let Some(open) = fsys::open_from_source(tx, &n.source_id).await? {
                    slots.push(Slot::Done(Box::new(Raised::Existing(open))));
                    continue;
                }
                open_here.insert(&n.source_id, fresh.len());
            }
            slots.push(Slot::Fresh(fresh.len()));
            fresh.push(n.clone());
        }
        // Queue positions: taken at once for the group, in the order the raises came.
        if !fresh.is_empty() {
            let k = fresh.len() as i64;
            let last = fsys::take_seqs(tx, k).await?;
            for (j, n) in fresh.iter_mut().enumerate() {
                n.seq = last - k + 1 + j as i64;
            }
        }
        let inserted = fsys::insert_notifications(tx, &fresh).await?;
        let mut results: Vec<Raised> = Vec::with_capacity(fresh.len());
        for n in &fresh {
            if inserted.contains(&n.id) {
                results.push(Raised::New(n.clone()));
                continue;
            }
            // The same alert sent again (its key taken, maybe in this very group).
            let key = n.source_key.as_deref().unwrap_or_default();
            let first = fsys::by_source_key(tx, &n.source_id, key)
                .await?
                .ok_or(StoreError::NotFound)?;
            results.push(Raised::Existing(first));
        }
        let mut out = Vec::with_capacity(items.len());
        for (r, slot) in items.iter().zip(slots) {
            let raised = match slot {
                Slot::Done(d) => *d,
                Slot::Fresh(i) => match &results[i] {
                    // A second raise of a source in this group joins the first.
                    Raised::New(n) if n.id != r.row.id => Raised::Existing(n.clone()),
                    other => other.clone(),
                },
            };
            if let Some(scan) = &r.scan {
                let (outcome, id) = match &raised {
                    Raised::New(n) => ("raised", n.id.clone()),
                    Raised::Existing(n) => ("joined_open", n.id.clone()),
                };
                ScanRow {
                    outcome: outcome.into(),
                    notification_id: id,
                    ..scan.clone()
                }
                .insert(tx)
                .await?;
            }
            out.push(raised);
        }
        Ok(out)
    }
}

/// The raise writer.
pub type RaiseWriter = GroupCommit<Raises>;
