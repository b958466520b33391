//! The live engine (RULEBOOK Q **Decision**): open notifications in memory with their next
//! step's time ([`tollgate_core::frontline::schedule`]); a tick announces and repeats, escalates
//! to the store manager and closes as missed what is due, writing escalations and misses
//! (conditional updates and their log entries) in one transaction per tick, then telling the
//! broadcast and the manager. An accept closes a notification at once. At start the open
//! notifications are read back and re-announced, so a restart loses none.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::json;
use tollgate_core::frontline::schedule::{announcements_by, next_step};
use tollgate_core::frontline::{Step, Timing};
use tollgate_store::frontline::{system as fsys, NotificationRow, StaffRow};

use super::live::{announce, LiveEvent};
use super::writer::log_row;
use crate::{App, AppError};

/// Open notifications one node tracks at most; beyond, new raises wait (`frontline_backlog`).
pub const MAX_OPEN_NOTIFICATIONS: usize = 200_000;
/// The engine's longest sleep between ticks.
pub const MAX_TICK_MS: u64 = 1_000;
/// When a tick's write fails, its steps are tried again this much later.
pub const STEP_RETRY_MS: i64 = 1_000;

struct Open {
    row: Arc<NotificationRow>,
    timing: Timing,
    announced: u32,
    escalated: bool,
    /// The next announcement is the first after a restart.
    reannounce: bool,
}

#[derive(Default)]
struct State {
    open: HashMap<String, Open>,
    due: BinaryHeap<Reverse<(i64, String)>>,
    /// Each broadcast's open notifications by queue position (what a connecting member
    /// hears, without walking every open notification of the node).
    queues: HashMap<String, BTreeMap<i64, String>>,
}

impl State {
    fn remove(&mut self, id: &str) -> Option<Open> {
        let o = self.open.remove(id)?;
        if let Some(q) = self.queues.get_mut(&o.row.broadcast_id) {
            q.remove(&o.row.seq);
            if q.is_empty() {
                self.queues.remove(&o.row.broadcast_id);
            }
        }
        Some(o)
    }
}

/// The engine's memory and its wake-up.
#[derive(Default)]
pub struct Engine {
    state: Mutex<State>,
    wake: tokio::sync::Notify,
}

/// What a tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub announced: usize,
    pub escalated: usize,
    pub missed: usize,
}

/// A stored notification's timing (checked when its broadcast was set up).
pub fn timing_of(n: &NotificationRow) -> Timing {
    Timing {
        repeat_ms: n.repeat_s * 1_000,
        escalate_after_ms: n.escalate_after_s * 1_000,
        miss_after_ms: n.miss_after_s * 1_000,
    }
}

impl Engine {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open notifications tracked.
    pub fn len(&self) -> usize {
        self.lock().open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tracks an open notification, its next step not before `not_before_ms`.
    fn track(&self, o: Open, not_before_ms: i64) {
        let (at, _) = next_step(o.row.raised_at_ms, o.timing, o.announced, o.escalated);
        let at = at.max(not_before_ms);
        let mut s = self.lock();
        s.due.push(Reverse((at, o.row.id.clone())));
        s.queues
            .entry(o.row.broadcast_id.clone())
            .or_default()
            .insert(o.row.seq, o.row.id.clone());
        s.open.insert(o.row.id.clone(), o);
        drop(s);
        self.wake.notify_one();
    }

    /// Stops tracking a notification (accepted); whether it was tracked.
    fn forget(&self, id: &str) -> bool {
        self.lock().remove(id).is_some()
    }

    /// The open notifications of a broadcast in queue order (a member who connects hears the
    /// queue).
    pub fn queue_of(&self, broadcast: &str) -> Vec<Arc<NotificationRow>> {
        let s = self.lock();
        s.queues
            .get(broadcast)
            .map(|q| {
                q.values()
                    .filter_map(|id| s.open.get(id).map(|o| o.row.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The store's open notifications already escalated (what a manager who connects is
    /// told), at most `limit`.
    pub fn escalated_of_store(&self, store: &str, limit: usize) -> Vec<Arc<NotificationRow>> {
        let s = self.lock();
        let mut v: Vec<_> = s
            .open
            .values()
            .filter(|o| o.escalated && o.row.store_id == store)
            .map(|o| o.row.clone())
            .take(limit)
            .collect();
        v.sort_by_key(|r| r.raised_at_ms);
        v
    }

    /// When the next step is due, if any.
    pub fn next_due_ms(&self) -> Option<i64> {
        self.lock().due.peek().map(|Reverse((at, _))| *at)
    }

    /// Takes every step due by `now_ms`, in time order, advancing the memory.
    fn due_steps(&self, now_ms: i64) -> Vec<(Arc<NotificationRow>, i64, Step, bool)> {
        let mut s = self.lock();
        let mut out = Vec::new();
        while let Some(Reverse((at, id))) = s.due.peek().cloned() {
            if at > now_ms {
                break;
            }
            s.due.pop();
            let Some(o) = s.open.get_mut(&id) else {
                continue; // accepted meanwhile
            };
            let (step_at, step) = next_step(o.row.raised_at_ms, o.timing, o.announced, o.escalated);
            if step_at > now_ms {
                s.due.push(Reverse((step_at, id)));
                continue;
            }
            let reannounce = o.reannounce;
            let row = o.row.clone();
            match step {
                Step::Announce { .. } => {
                    o.announced += 1;
                    o.reannounce = false;
                }
                Step::Escalate => o.escalated = true,
                Step::Miss => {
                    s.remove(&id);
                    out.push((row, step_at, step, reannounce));
                    continue;
                }
            }
            let (next, _) = next_step(o.row.raised_at_ms, o.timing, o.announced, o.escalated);
            s.due.push(Reverse((next, id)));
            out.push((row, step_at, step, reannounce));
        }
        out
    }
}

impl App {
    /// Announces a notification just committed and tracks its repeats.
    pub(crate) fn announce_new(&self, row: NotificationRow) {
        let fl = self.frontline();
        fl.hubs
            .to_broadcast(&row.broadcast_id, announce(&row, 0, false, false));
        fl.engine.track(
            Open {
                timing: timing_of(&row),
                row: Arc::new(row),
                announced: 1,
                escalated: false,
                reannounce: false,
            },
            0,
        );
    }

    /// Reads the open notifications back (a start after a stop or a crash): each is announced
    /// again at the next tick, keeping its repeats' rhythm; those past their time are missed
    /// without being announced. The number read.
    pub async fn start_frontline(&self) -> Result<usize, AppError> {
        let now = self.clock.now_ms();
        let open = fsys::open_notifications(&self.store).await?;
        let n = open.len();
        for row in open {
            let t = timing_of(&row);
            let by_now = announcements_by(row.raised_at_ms, t, now);
            let announced = if now >= row.raised_at_ms + t.miss_after_ms {
                by_now
            } else {
                by_now - 1
            };
            self.frontline().engine.track(
                Open {
                    escalated: row.escalated_at_ms.is_some(),
                    row: Arc::new(row),
                    timing: t,
                    announced,
                    reannounce: true,
                },
                0,
            );
        }
        Ok(n)
    }

    /// Runs the engine's ticks until the process ends (the served platform).
    pub fn spawn_frontline_engine(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = app.frontline_tick().await {
                    tracing::error!(error = %e, "frontline tick failed");
                }
                let now = app.clock.now_ms();
                let wait = app
                    .frontline()
                    .engine
                    .next_due_ms()
                    .map(|at| u64::try_from((at - now).max(1)).unwrap_or(1))
                    .unwrap_or(MAX_TICK_MS)
                    .min(MAX_TICK_MS);
                let fl = app.frontline().clone();
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_millis(wait)) => {}
                    _ = fl.engine.wake.notified() => {}
                }
            }
        });
    }

    /// Does every step due now: announcements and repeats, escalations, misses.
    pub async fn frontline_tick(&self) -> Result<TickReport, AppError> {
        let now = self.clock.now_ms();
        let fl = self.frontline();
        let steps = fl.engine.due_steps(now);
        let mut report = TickReport::default();
        let mut writes = Vec::new();
        for (row, at, step, reannounce) in steps {
            match step {
                Step::Announce { repeat } => {
                    fl.hubs
                        .to_broadcast(&row.broadcast_id, announce(&row, repeat, reannounce, false));
                    report.announced += 1;
                }
                Step::Escalate | Step::Miss => writes.push((row, at, step)),
            }
        }
        if writes.is_empty() {
            return Ok(report);
        }
        let done = match self.write_steps(&writes).await {
            Ok(done) => done,
            Err(e) => {
                // Tried again shortly: the memory goes back to before these steps.
                for (row, _, step) in writes {
                    let t = timing_of(&row);
                    fl.engine.track(
                        Open {
                            announced: announcements_by(row.raised_at_ms, t, now),
                            // A miss to retry stays a miss (its escalation was written or is
                            // moot); an escalation to retry comes again.
                            escalated: step == Step::Miss,
                            row,
                            timing: t,
                            reannounce: false,
                        },
                        now + STEP_RETRY_MS,
                    );
                }
                return Err(e);
            }
        };
        for (row, at, step, manager) in done {
            let (kind, what) = match step {
                Step::Escalate => {
                    report.escalated += 1;
                    ("escalated", "escalated to the store manager")
                }
                _ => {
                    report.missed += 1;
                    ("missed", "nobody accepted it in time")
                }
            };
            let e = LiveEvent::new(
                kind,
                &row.broadcast_id,
                json!({
                    "notification_id": row.id,
                    "broadcast_id": row.broadcast_id,
                    "from": row.from_label,
                    "text": row.text,
                    "at_ms": at,
                    "manager": manager.map(|m| json!({"id": m.id, "name": m.name})),
                    "rule": "Q",
                    "clause": "X 2.B",
                    "message": what,
                }),
            );
            fl.hubs.to_broadcast(&row.broadcast_id, e.clone());
            fl.hubs.to_store(&row.store_id, e);
        }
        Ok(report)
    }

    /// Writes escalations and misses in one transaction; those that took effect (another
    /// node or an accept may have come first), with the store's manager.
    #[allow(clippy::type_complexity)]
    async fn write_steps(
        &self,
        writes: &[(Arc<NotificationRow>, i64, Step)],
    ) -> Result<Vec<(Arc<NotificationRow>, i64, Step, Option<StaffRow>)>, AppError> {
        let mut managers: HashMap<String, Option<StaffRow>> = HashMap::new();
        for (row, _, _) in writes {
            if !managers.contains_key(&row.store_id) {
                let m = match fsys::store_row(&self.store, &row.store_id).await? {
                    Some(s) => match s.manager_staff_id {
                        Some(id) => fsys::staff(&self.store, &id).await?,
                        None => None,
                    },
                    None => None,
                };
                managers.insert(row.store_id.clone(), m);
            }
        }
        let mut tx = self.store.begin().await?;
        let mut done = Vec::new();
        for (row, at, step) in writes {
            let (changed, kind) = match step {
                Step::Escalate => (fsys::escalate(&mut tx, &row.id, *at).await?, "escalated"),
                _ => (fsys::miss(&mut tx, &row.id, *at).await?, "missed"),
            };
            if changed {
                log_row(row, kind, *at, None)
                    .insert_unless(&mut tx, "step_key")
                    .await?;
                let manager = managers.get(&row.store_id).cloned().flatten();
                done.push((row.clone(), *at, *step, manager));
            }
        }
        tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
        Ok(done)
    }

    /// An associate accepts a notification (double press or the app): the first one takes
    /// it; the broadcast and the manager are told who. A notification taken or closed
    /// already is a conflict naming who took it.
    pub async fn accept_notification(
        &self,
        staff: &StaffRow,
        id: &str,
    ) -> Result<NotificationRow, AppError> {
        let n = fsys::notification(&self.store, id)
            .await?
            .filter(|n| n.store_id == staff.store_id)
            .ok_or(AppError::NotFound("notification"))?;
        let now = self.clock.now_ms().max(n.raised_at_ms);
        if n.state == "open" && now >= n.raised_at_ms + n.miss_after_s * 1_000 {
            // Past its time it is missed, whether or not the engine wrote it yet.
            return Err(AppError::Conflict {
                code: "notification_closed",
                message: "nobody accepted it in time: it is counted missed".into(),
            });
        }
        let mut tx = self.store.begin().await?;
        let took = fsys::accept(&mut tx, id, &staff.id, now).await?;
        if took {
            log_row(&n, "accepted", now, Some(&staff.id))
                .insert_unless(&mut tx, "step_key")
                .await?;
        }
        tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
        if !took {
            let now_row = fsys::notification(&self.store, id)
                .await?
                .ok_or(AppError::NotFound("notification"))?;
            return Err(match now_row.accepted_by.as_deref() {
                Some(by) => {
                    let name = fsys::staff(&self.store, by)
                        .await?
                        .map(|s| s.name)
                        .unwrap_or_default();
                    AppError::Conflict {
                        code: "already_accepted",
                        message: format!("{name} took it"),
                    }
                }
                None => AppError::Conflict {
                    code: "notification_closed",
                    message: "nobody accepted it in time: it was counted missed".into(),
                },
            });
        }
        let fl = self.frontline();
        fl.engine.forget(id);
        let e = LiveEvent::new(
            "accepted",
            &n.broadcast_id,
            json!({
                "notification_id": n.id,
                "broadcast_id": n.broadcast_id,
                "from": n.from_label,
                "by": {"id": staff.id, "name": staff.name},
                "at_ms": now,
                "response_ms": now - n.raised_at_ms,
            }),
        );
        fl.hubs.to_broadcast(&n.broadcast_id, e.clone());
        fl.hubs.to_store(&n.store_id, e);
        Ok(NotificationRow {
            state: "accepted".into(),
            accepted_by: Some(staff.id.clone()),
            accepted_at_ms: Some(now),
            ..n
        })
    }
}
