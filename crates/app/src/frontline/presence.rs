//! Staff join and leave a broadcast (from the app or a headset), recorded in the event log:
//! the manager's joins, leaves and staff time add up from it.

use serde_json::json;
use tollgate_store::frontline::{system as fsys, LogRow, StaffRow};
use tollgate_store::Tx;

use super::live::LiveEvent;
use crate::ids::new_id;
use crate::{App, AppError};

fn presence_row(
    s: &StaffRow,
    broadcast: &str,
    kind: &str,
    at_ms: i64,
    since: Option<i64>,
) -> LogRow {
    LogRow {
        id: new_id("fl_log"),
        store_id: s.store_id.clone(),
        broadcast_id: Some(broadcast.into()),
        customer_id: s.customer_id.clone(),
        partner_id: s.partner_id.clone(),
        at_ms,
        kind: kind.into(),
        notification_id: None,
        staff_id: Some(s.id.clone()),
        since_ms: since,
        step_key: format!("{kind}:{}:{at_ms}", s.id),
    }
}

pub(crate) fn presence_event(
    kind: &'static str,
    s: &StaffRow,
    broadcast: &str,
    at_ms: i64,
) -> LiveEvent {
    LiveEvent::new(
        kind,
        broadcast,
        json!({"broadcast_id": broadcast, "staff": {"id": s.id, "name": s.name, "device": s.device}, "at_ms": at_ms}),
    )
}

/// A presence change another request made first (the member's device sent two at once).
fn moved(changed: bool) -> Result<(), AppError> {
    if changed {
        Ok(())
    } else {
        Err(AppError::Conflict {
            code: "presence_changed",
            message: "the member joined or left meanwhile: read it again".into(),
        })
    }
}

impl App {
    /// Puts a staff member in a broadcast of their store (leaving the one they were in).
    pub async fn join_broadcast(
        &self,
        staff: &StaffRow,
        broadcast: &str,
    ) -> Result<StaffRow, AppError> {
        let b = fsys::broadcast(&self.store, broadcast)
            .await?
            .filter(|b| b.store_id == staff.store_id)
            .ok_or(AppError::NotFound("broadcast"))?;
        if staff.broadcast_id.as_deref() == Some(b.id.as_str()) {
            return Ok(staff.clone());
        }
        let now = self.clock.now_ms();
        let mut tx = self.store.begin().await?;
        let left = self.leave_in(&mut tx, staff).await?;
        moved(
            fsys::set_presence(
                &mut tx,
                &staff.id,
                (None, None),
                Some(&b.id),
                Some(now),
                self.now(),
            )
            .await?,
        )?;
        presence_row(staff, &b.id, "joined", now, None)
            .insert_unless(&mut tx, "step_key")
            .await?;
        tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
        if let Some(old) = left {
            self.frontline()
                .hubs
                .to_broadcast(&old, presence_event("left", staff, &old, now));
        }
        self.frontline()
            .hubs
            .to_broadcast(&b.id, presence_event("joined", staff, &b.id, now));
        Ok(StaffRow {
            broadcast_id: Some(b.id),
            joined_at_ms: Some(now),
            ..staff.clone()
        })
    }

    /// Takes a staff member out of their broadcast.
    pub async fn leave_broadcast(&self, staff: &StaffRow) -> Result<StaffRow, AppError> {
        let mut tx = self.store.begin().await?;
        let left = self.leave_in(&mut tx, staff).await?;
        tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
        if let Some(old) = &left {
            let e = presence_event("left", staff, old, self.clock.now_ms());
            self.frontline().hubs.to_broadcast(old, e);
        }
        Ok(StaffRow {
            broadcast_id: None,
            joined_at_ms: None,
            ..staff.clone()
        })
    }

    /// Records the leave of the broadcast a member is in, in the caller's transaction; the
    /// broadcast left, if any.
    pub(crate) async fn leave_in(
        &self,
        tx: &mut Tx,
        staff: &StaffRow,
    ) -> Result<Option<String>, AppError> {
        let Some(old) = &staff.broadcast_id else {
            return Ok(None);
        };
        let now = self.clock.now_ms();
        presence_row(staff, old, "left", now, staff.joined_at_ms)
            .insert_unless(tx, "step_key")
            .await?;
        let was = (Some(old.as_str()), staff.joined_at_ms);
        moved(fsys::set_presence(tx, &staff.id, was, None, None, self.now()).await?)?;
        Ok(Some(old.clone()))
    }
}
