//! The guard's write queue: call events, incidents (with their suspensions, bans, notices
//! and audit entries) and emergency notices are persisted behind the answer, in order, in
//! batches of one transaction, retried with backoff until written, never dropped.
//!
//! Bounded: at most [`MAX_PENDING_WRITES`] writes wait. When the queue is full the guard
//! degrades as documented: new non-emergency calls are refused with `guard_backlog`
//! (T4: the caller hears busy) rather than admitted without a record; emergency calls
//! (T13) and the ends of calls already admitted are always queued, so no live call is ever
//! left without its end.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

use super::*;

/// Writes waiting to be persisted before new non-emergency calls are refused.
pub const MAX_PENDING_WRITES: usize = 100_000;
/// Writes persisted per transaction.
pub const FLUSH_BATCH: usize = 5_000;
/// First wait after a failed write; doubled per failure up to [`RETRY_MAX_MS`].
pub const RETRY_FIRST_MS: u64 = 50;
/// Longest wait between two attempts.
pub const RETRY_MAX_MS: u64 = 5_000;
/// Longest a listing of incidents or suspensions waits for the queue to drain.
pub const SETTLE_WAIT_MS: u64 = 1_000;
/// Failed attempts of a batch before its writes are tried one by one.
pub const SPLIT_AFTER_FAILURES: u32 = 5;
/// Attempts of one write the database refuses (while it answers) before it is set aside.
pub const MAX_SINGLE_ATTEMPTS: u32 = 5;
/// Polls of 5 ms [`App::flush_guard`] waits at most.
pub const FLUSH_WAIT_STEPS: usize = 2_000;

/// An incident with everything its transaction writes.
#[derive(Debug)]
pub(super) struct IncidentWrite {
    pub incident: IncidentRow,
    pub suspension: Option<SuspensionRow>,
    pub ban: Option<(String, i64)>,
    /// The customer whose admins are told (none for a source-only incident).
    pub customer_id: Option<String>,
    pub subject: String,
    pub body: String,
    pub actor: Actor,
}

/// One write of the guard.
#[derive(Debug)]
pub(super) enum GuardWrite {
    Admitted(CallRow),
    Answered(String, i64),
    Ended(String, i64),
    Incident(Box<IncidentWrite>),
    /// T13: the designated contact is told of an emergency call.
    EmergencyNotice {
        from: String,
        at: i64,
        dialled: String,
    },
}

/// The queue and its counters.
pub struct WriteQueue {
    queue: Mutex<VecDeque<GuardWrite>>,
    /// Writes waiting before new calls are refused ([`MAX_PENDING_WRITES`] unless a test or
    /// a benchmark sets another bound).
    capacity: usize,
    /// Queued plus in flight.
    pending: AtomicUsize,
    wake: Notify,
    started: AtomicBool,
    /// Writes persisted since start.
    pub written: AtomicU64,
    /// Failed attempts since start (each retried).
    pub failures: AtomicU64,
    /// Writes the database refused for good (see [`App::write_one_by_one`]); each is logged.
    pub quarantined: AtomicU64,
}

impl Default for WriteQueue {
    fn default() -> WriteQueue {
        WriteQueue::with_capacity(MAX_PENDING_WRITES)
    }
}

impl WriteQueue {
    pub fn with_capacity(capacity: usize) -> WriteQueue {
        WriteQueue {
            queue: Mutex::new(VecDeque::new()),
            capacity,
            pending: AtomicUsize::new(0),
            wake: Notify::new(),
            started: AtomicBool::new(false),
            written: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            quarantined: AtomicU64::new(0),
        }
    }

    /// Writes not yet persisted.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// Whether new non-emergency calls must be refused (see the module documentation).
    pub fn is_full(&self) -> bool {
        self.pending() >= self.capacity
    }

    fn push(&self, w: GuardWrite) {
        self.pending.fetch_add(1, Ordering::AcqRel);
        self.queue.lock().expect("write queue lock").push_back(w);
        self.wake.notify_one();
    }

    fn take(&self) -> Vec<GuardWrite> {
        let mut q = self.queue.lock().expect("write queue lock");
        let n = q.len().min(FLUSH_BATCH);
        q.drain(..n).collect()
    }
}

impl App {
    /// Restores the guard's live state from the store at start: live calls (each once, by
    /// call id), bans, operator destination lists; starts the writer.
    pub async fn start_guard(&self) -> Result<(), AppError> {
        let upgraded = self.upgrade_policy_countries().await?;
        if !upgraded.is_empty() {
            tracing::info!(
                accounts = upgraded.len(),
                "guard policies now name ISO countries"
            );
        }
        let now = self.now();
        let open = guard_store::system::open_calls(&self.store).await?;
        let bans = guard_store::system::active_bans(&self.store, now).await?;
        let extra = guard_store::system::destination_prefixes(&self.store).await?;
        {
            let mut g = self.guard.inner.lock().expect("guard lock");
            for (prefix, class) in extra {
                if let Some(c) = DestClass::parse(&class) {
                    let _ = g.classes.add(&prefix, c);
                }
            }
        }
        self.guard.counters.restore(
            open.into_iter()
                .map(|c| {
                    let call = LiveCall {
                        account: c.billing_account_id,
                        from: c.from_number,
                        to: c.to_number,
                        international: c.international,
                        started: c.started_at,
                        answered: c.answered_at,
                    };
                    (c.call_id, call)
                })
                .collect(),
        );
        for (source, until) in bans {
            self.guard
                .counters
                .source_window(&source, now, &mut |w| w.banned_until = Some(until));
        }
        let replayed = self.replay_windows(now).await?;
        if replayed > 0 {
            tracing::info!(
                calls = replayed,
                "guard detector windows rebuilt from recent calls"
            );
        }
        self.ensure_writer();
        Ok(())
    }

    /// Starts the writer task once (lazily: the first write starts it if `start_guard` did
    /// not).
    fn ensure_writer(&self) {
        let q = &self.guard.writes;
        if q.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move { app.run_writer().await });
    }

    async fn run_writer(&self) {
        let q = &self.guard.writes;
        loop {
            let wake = q.wake.notified();
            let batch = q.take();
            if batch.is_empty() {
                // A push between `take` and here has stored a permit, so this returns.
                wake.await;
                continue;
            }
            let mut wait = RETRY_FIRST_MS;
            let mut attempts = 0;
            loop {
                match self.write_batch(&batch).await {
                    Ok(()) => break,
                    Err(e) => {
                        attempts += 1;
                        q.failures.fetch_add(1, Ordering::AcqRel);
                        tracing::error!(error = %e, writes = batch.len(), retry_ms = wait, "guard writes not persisted yet; retrying");
                        if attempts >= SPLIT_AFTER_FAILURES && batch.len() > 1 {
                            // Find the write the database refuses, so one bad write does not
                            // hold every other back.
                            self.write_one_by_one(&batch).await;
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(wait)).await;
                        wait = (wait * 2).min(RETRY_MAX_MS);
                    }
                }
            }
            self.after_written(&batch);
            q.written.fetch_add(batch.len() as u64, Ordering::AcqRel);
            q.pending.fetch_sub(batch.len(), Ordering::AcqRel);
        }
    }

    /// Each write in its own transaction, in order. A write that keeps failing while the
    /// database answers (a row it refuses, not an outage) is set aside after
    /// [`MAX_SINGLE_ATTEMPTS`]: logged in full at error level and counted in
    /// [`WriteQueue::quarantined`], so the writes behind it go on. While the database does
    /// not answer, nothing is set aside: the write is retried until it does.
    async fn write_one_by_one(&self, batch: &[GuardWrite]) {
        let q = &self.guard.writes;
        for w in batch {
            let mut wait = RETRY_FIRST_MS;
            let mut refused = 0;
            loop {
                match self.write_batch(std::slice::from_ref(w)).await {
                    Ok(()) => break,
                    Err(e) => {
                        q.failures.fetch_add(1, Ordering::AcqRel);
                        if self.store.ping().await.is_ok() {
                            refused += 1;
                        }
                        if refused >= MAX_SINGLE_ATTEMPTS {
                            q.quarantined.fetch_add(1, Ordering::AcqRel);
                            tracing::error!(error = %e, write = ?w, "guard write refused by the database; set aside");
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(wait)).await;
                        wait = (wait * 2).min(RETRY_MAX_MS);
                    }
                }
            }
        }
    }

    /// One transaction for the whole batch: all of it or none, so a retry never doubles
    /// (call rows and incidents are keyed; updates only fill empty times).
    async fn write_batch(&self, batch: &[GuardWrite]) -> Result<(), AppError> {
        let (mut admitted, mut answered, mut ended) = (Vec::new(), Vec::new(), Vec::new());
        for w in batch {
            match w {
                GuardWrite::Admitted(c) => admitted.push(c.clone()),
                GuardWrite::Answered(id, at) => answered.push((id.clone(), *at)),
                GuardWrite::Ended(id, at) => ended.push((id.clone(), *at)),
                _ => {}
            }
        }
        let mut tx = self.store.begin().await?;
        guard_store::record_calls(&mut tx, &admitted, &answered, &ended).await?;
        for w in batch {
            match w {
                GuardWrite::Incident(i) => self.write_incident(&mut tx, i).await?,
                GuardWrite::EmergencyNotice { from, at, dialled } => {
                    self.emergency_notice_in(&mut tx, from, *at, dialled)
                        .await?
                }
                _ => {}
            }
        }
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// Once persisted, suspensions no longer need their in-memory overlay.
    fn after_written(&self, batch: &[GuardWrite]) {
        let mut g = self.guard.inner.lock().expect("guard lock");
        for w in batch {
            if let GuardWrite::Incident(i) = w {
                if let Some(s) = &i.suspension {
                    if let Some(list) = g.unwritten_suspensions.get_mut(&s.billing_account_id) {
                        list.retain(|x| x.id != s.id);
                        if list.is_empty() {
                            g.unwritten_suspensions.remove(&s.billing_account_id);
                        }
                    }
                }
            }
        }
    }

    /// Queues a write (and starts the writer if needed).
    pub(super) fn enqueue(&self, w: GuardWrite) {
        self.ensure_writer();
        self.guard.writes.push(w);
    }

    /// Lets the queue drain for at most [`SETTLE_WAIT_MS`] before a read of what the guard
    /// writes (incidents, suspensions), so an operator sees what was just raised; a read
    /// during a database outage is not held longer than that.
    pub(super) async fn settle_guard_writes(&self) {
        let until = std::time::Instant::now() + Duration::from_millis(SETTLE_WAIT_MS);
        while self.guard.writes.pending() > 0 && std::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits until every queued guard write is persisted (tests, shutdown, reads that must
    /// see the guard's own writes).
    pub async fn flush_guard(&self) -> Result<(), AppError> {
        for _ in 0..FLUSH_WAIT_STEPS {
            if self.guard.writes.pending() == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Err(AppError::Internal(
            "guard writes were not persisted in time".into(),
        ))
    }
}
