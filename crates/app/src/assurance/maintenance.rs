//! Maintenance windows (S1): planned unavailability of components, excluded from
//! availability only when its notice went out at least the profile's lead time before it
//! starts; otherwise the window counts as downtime like any outage.

use serde_json::json;
use tollgate_core::text::check_name;
use tollgate_store::assurance::{self as astore, system as asys, MaintenanceRow};
use tollgate_store::audit;
use tollgate_store::outbox::{self, OutboxRow};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// The longest maintenance window.
pub const MAX_WINDOW_S: i64 = 7 * 86_400;
/// How far ahead a window may be planned.
pub const MAX_PLAN_AHEAD_S: i64 = 366 * 86_400;

/// A window to plan.
#[derive(Debug, Clone, Default)]
pub struct NewMaintenance {
    pub title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub components: Vec<String>,
    /// Send the notice now (its time is recorded: S1 measures the lead from it); otherwise
    /// later with `notify_maintenance`.
    pub notify: bool,
}

/// Which notice a window's e-mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Planned,
    Cancelled,
}

impl App {
    /// Plans a window; with `notify`, its notice goes out now.
    pub async fn plan_maintenance(
        &self,
        caller: &Caller,
        n: NewMaintenance,
    ) -> Result<MaintenanceRow, AppError> {
        let title = check_name("title", &n.title)?;
        let now = self.now();
        if n.ends_at <= n.starts_at || n.ends_at - n.starts_at > MAX_WINDOW_S {
            return Err(AppError::invalid(
                "window_invalid",
                "ends_at",
                format!(
                    "after starts_at, at most {} days later",
                    MAX_WINDOW_S / 86_400
                ),
            ));
        }
        if n.starts_at > now + MAX_PLAN_AHEAD_S {
            return Err(AppError::invalid(
                "window_too_far",
                "starts_at",
                "within a year",
            ));
        }
        if n.components.is_empty() {
            return Err(AppError::invalid(
                "components_invalid",
                "component_ids",
                "the components the window takes down",
            ));
        }
        // A window is planned ahead: a past one would let finished downtime be relabelled
        // as maintenance (an outage is an incident).
        if n.starts_at < now {
            return Err(AppError::Refused(
                tollgate_core::Refusal::new(
                    "starts_at_past",
                    tollgate_core::rules::S1,
                    "maintenance is excluded only when notified in advance: a window starts \
                     now or later; record past downtime as an incident",
                )
                .on_field("starts_at"),
            ));
        }
        let components = self
            .check_components(&n.components, "component_ids")
            .await?;
        let row = MaintenanceRow {
            id: new_id("mnt"),
            title,
            starts_at: n.starts_at,
            ends_at: n.ends_at,
            notice_at: n.notify.then_some(now),
            cancelled_at: None,
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let ids: Vec<String> = components.into_iter().collect();
        self.insert_maintenance(caller, &row, &ids).await?;
        Ok(row)
    }

    /// Writes a window with its components (and sends its notice when it has one).
    pub(crate) async fn insert_maintenance(
        &self,
        caller: &Caller,
        row: &MaintenanceRow,
        ids: &[String],
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        astore::set_maintenance_components(&mut tx, &row.id, ids).await?;
        if row.notice_at == Some(now) {
            self.send_maintenance_notice(&mut tx, row, ids, Notice::Planned)
                .await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "maintenance.plan",
                &row.id,
                json!({"starts_at": row.starts_at, "ends_at": row.ends_at, "components": ids, "notice_at": row.notice_at}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// S1: the notice, by e-mail through the outbox, to the admins of every customer using
    /// the window's components and of their partners (each address once); a cancellation
    /// tells the same people the window will not happen.
    async fn send_maintenance_notice(
        &self,
        tx: &mut tollgate_store::Tx,
        m: &MaintenanceRow,
        components: &[String],
        notice: Notice,
    ) -> Result<usize, AppError> {
        let names: Vec<String> = asys::components(&self.store)
            .await?
            .into_iter()
            .filter(|c| components.contains(&c.id))
            .map(|c| c.name)
            .collect();
        let mut to = std::collections::BTreeSet::new();
        for c in asys::customers_of_components(&self.store, components).await? {
            to.extend(self.contacts_of(&c.customer_id).await?);
        }
        let now = self.now();
        for recipient in &to {
            outbox::enqueue(
                tx,
                &OutboxRow {
                    id: new_id("msg"),
                    at: now,
                    channel: "email".into(),
                    recipient: recipient.clone(),
                    subject: match notice {
                        Notice::Planned => format!("Scheduled maintenance: {}", m.title),
                        Notice::Cancelled => format!("Maintenance cancelled: {}", m.title),
                    },
                    body: match notice {
                        Notice::Cancelled => format!(
                            "The maintenance \"{title}\" planned from {from} to {to} (UTC) on \
                         {names} is cancelled: the services stay available. Status: /status\n",
                            title = m.title,
                            from = tollgate_core::time::utc(m.starts_at),
                            to = tollgate_core::time::utc(m.ends_at),
                            names = names.join(", "),
                        ),
                        Notice::Planned => format!(
                            "Scheduled maintenance \"{title}\" from {from} to {to} (UTC) affects: \
                         {names}.\nThe services may be unavailable during the window. This notice \
                         is sent {lead} hours ahead (S1, W 20.1). Status: /status\n",
                            title = m.title,
                            from = tollgate_core::time::utc(m.starts_at),
                            to = tollgate_core::time::utc(m.ends_at),
                            names = names.join(", "),
                            lead = (m.starts_at - now) / 3_600,
                        ),
                    },
                    rule: tollgate_core::rules::S1.rule.into(),
                },
            )
            .await?;
        }
        Ok(to.len())
    }

    /// Records that the window's notice went out now (once).
    pub async fn notify_maintenance(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<MaintenanceRow, AppError> {
        let mut m = asys::maintenance(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("maintenance"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !astore::set_notice(&mut tx, id, now).await? {
            return Err(AppError::Conflict {
                code: "notice_not_sent",
                message: "the notice already went out, or the window is over or cancelled".into(),
            });
        }
        m.notice_at = Some(now);
        let ids = asys::maintenance_components(&self.store, &m.id).await?;
        let sent = self
            .send_maintenance_notice(&mut tx, &m, &ids, Notice::Planned)
            .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "maintenance.notice",
                &m.id,
                json!({"notice_at": now, "recipients": sent}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(m)
    }

    /// Cancels a window that has not started; when its notice went out, the same people are
    /// told it is cancelled.
    pub async fn cancel_maintenance(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<MaintenanceRow, AppError> {
        self.change_maintenance(caller, id, "maintenance.cancel", |m, now| {
            if m.cancelled_at.is_some() || m.starts_at <= now {
                return Err(AppError::Conflict {
                    code: "maintenance_started",
                    message: "only a window that has not started can be cancelled".into(),
                });
            }
            m.cancelled_at = Some(now);
            Ok(())
        })
        .await
    }

    async fn change_maintenance(
        &self,
        caller: &Caller,
        id: &str,
        action: &str,
        f: impl FnOnce(&mut MaintenanceRow, i64) -> Result<(), AppError>,
    ) -> Result<MaintenanceRow, AppError> {
        let mut m = asys::maintenance(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("maintenance"))?;
        let now = self.now();
        f(&mut m, now)?;
        let mut tx = self.store.begin().await?;
        astore::update_maintenance(&mut tx, &m).await?;
        if m.cancelled_at == Some(now) && m.notice_at.is_some() {
            let ids = asys::maintenance_components(&self.store, &m.id).await?;
            self.send_maintenance_notice(&mut tx, &m, &ids, Notice::Cancelled)
                .await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                action,
                &m.id,
                json!({"notice_at": m.notice_at, "cancelled_at": m.cancelled_at}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(m)
    }

    /// The components of one window.
    pub async fn maintenance_components(&self, id: &str) -> Result<Vec<String>, AppError> {
        Ok(asys::maintenance_components(&self.store, id).await?)
    }

    /// Windows (not cancelled) overlapping `[from, to)`, with their components.
    pub async fn maintenance_windows(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<(MaintenanceRow, Vec<String>)>, AppError> {
        let pairs = asys::maintenance_components_during(&self.store, from, to).await?;
        Ok(asys::maintenance_during(&self.store, from, to)
            .await?
            .into_iter()
            .map(|m| {
                let c = pairs
                    .iter()
                    .filter(|(w, _)| *w == m.id)
                    .map(|(_, c)| c.clone())
                    .collect();
                (m, c)
            })
            .collect())
    }
}
