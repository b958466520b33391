//! Probes of the components' real interfaces, on their schedules, and what their results do:
//! consecutive failures open an incident (cause provider, from the first failure of the
//! streak); consecutive successes close it (restored at the first success of the streak).

use std::collections::BTreeSet;

use serde_json::json;
use tollgate_core::assurance::probe::{self, ProbeKind, ProbeSpec, Streak, Transition};
use tollgate_core::assurance::Cause;
use tollgate_core::support::ticket::Cos;
use tollgate_core::text::check_name;
use tollgate_store::assurance::{self as astore, system as asys, ProbeResultRow, ProbeRow};
use tollgate_store::audit;

use super::net::{self, Outcome};
use super::{system_caller, PROBE_BATCH, PRUNE_BATCH, RESULT_RETENTION_S};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Serializes the probe rounds of this process (the server's loop and `POST .../run`).
static ROUND: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Results of a probe shown at most.
pub const MAX_RESULTS: i64 = 500;

/// A probe to create.
#[derive(Debug, Clone)]
pub struct NewProbe {
    pub component_id: String,
    pub name: String,
    pub kind: String,
    pub target: String,
    pub dns_name: Option<String>,
    pub expect_status: Option<i64>,
    pub expect_body: Option<String>,
    pub interval_s: i64,
    pub timeout_ms: i64,
    pub fail_threshold: i64,
    pub recover_threshold: i64,
}

impl App {
    /// Adds a probe to a component; it first runs at once.
    pub async fn create_probe(&self, caller: &Caller, n: NewProbe) -> Result<ProbeRow, AppError> {
        let name = check_name("name", &n.name)?;
        let kind = ProbeKind::parse(&n.kind)?;
        let spec = ProbeSpec {
            kind,
            target: n.target.trim().to_string(),
            dns_name: n.dns_name.clone(),
            expect_status: n.expect_status,
            expect_body: n.expect_body.clone(),
            interval_s: n.interval_s,
            timeout_ms: n.timeout_ms,
            fail_threshold: n.fail_threshold,
            recover_threshold: n.recover_threshold,
        };
        probe::validate(&spec)?;
        self.check_components(std::slice::from_ref(&n.component_id), "component_id")
            .await?;
        let now = self.now();
        let row = ProbeRow {
            id: new_id("prb"),
            component_id: n.component_id,
            name,
            kind: kind.as_str().into(),
            target: spec.target,
            dns_name: spec.dns_name,
            expect_status: spec.expect_status,
            expect_body: spec.expect_body,
            interval_s: spec.interval_s,
            timeout_ms: spec.timeout_ms,
            fail_threshold: spec.fail_threshold,
            recover_threshold: spec.recover_threshold,
            enabled: 1,
            next_run_at: now,
            failures: 0,
            successes: 0,
            open_incident_id: None,
            last_at: None,
            last_ok: None,
            last_latency_us: None,
            last_detail: None,
            created_at: now,
            created_by: caller.actor.actor.clone(),
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "probe.create",
                &row.id,
                json!({"kind": row.kind, "target": row.target, "component_id": row.component_id}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// Enables or pauses a probe.
    pub async fn set_probe_enabled(
        &self,
        caller: &Caller,
        id: &str,
        enabled: bool,
    ) -> Result<ProbeRow, AppError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !astore::set_probe_enabled(&mut tx, id, enabled, now).await? {
            return Err(AppError::NotFound("probe"));
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "probe.enabled",
                id,
                json!({"enabled": enabled}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        asys::probe(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("probe"))
    }

    /// Every probe with its last result.
    pub async fn probes(&self) -> Result<Vec<ProbeRow>, AppError> {
        Ok(asys::probes(&self.store).await?)
    }

    /// A probe's latest results, newest first.
    pub async fn probe_results(
        &self,
        id: &str,
        limit: i64,
    ) -> Result<Vec<ProbeResultRow>, AppError> {
        asys::probe(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("probe"))?;
        Ok(asys::probe_results(&self.store, id, limit.clamp(1, MAX_RESULTS)).await?)
    }

    /// Runs the probes due now (at most [`PROBE_BATCH`], concurrently) and records each;
    /// returns how many ran.
    pub async fn run_due_probes(&self) -> Result<usize, AppError> {
        // One round at a time in this process; across processes each probe is claimed.
        let _round = ROUND.lock().await;
        let now = self.now();
        let mut due = Vec::new();
        for p in asys::due_probes(&self.store, now, PROBE_BATCH).await? {
            let mut tx = self.store.begin().await?;
            let claimed =
                astore::claim_probe(&mut tx, &p.id, p.next_run_at, now + p.interval_s).await?;
            tollgate_store::commit(tx).await?;
            if claimed {
                due.push(p);
            }
        }
        let mut set = tokio::task::JoinSet::new();
        for (i, p) in due.iter().enumerate() {
            let p = p.clone();
            set.spawn(async move { (i, net::run(&p).await) });
        }
        let mut outcomes: Vec<Option<Outcome>> = vec![None; due.len()];
        while let Some(r) = set.join_next().await {
            let (i, o) = r.map_err(|e| AppError::Internal(format!("probe task: {e}")))?;
            outcomes[i] = Some(o);
        }
        let mut changed = false;
        for (p, o) in due.iter().zip(outcomes) {
            if let Some(o) = o {
                changed |= self.record_probe_run(&p.id, o).await?;
            }
        }
        if changed {
            self.republish().await;
        }
        let mut tx = self.store.begin().await?;
        astore::prune_results(&mut tx, self.now() - RESULT_RETENTION_S, PRUNE_BATCH).await?;
        tollgate_store::commit(tx).await?;
        Ok(due.len())
    }

    /// Records one run of a probe: the result, the streak, and the incident it opens or
    /// closes, in one transaction; true when it opened or closed one.
    pub async fn record_probe_run(&self, id: &str, o: Outcome) -> Result<bool, AppError> {
        let now = self.now();
        // The first result of the current streak: when the outage began (or ended).
        let recent = asys::probe_results(&self.store, id, probe::MAX_THRESHOLD).await?;
        let mut tx = self.store.begin().await?;
        let Some(mut p) = asys::probe_in(&mut tx, id).await? else {
            return Ok(false);
        };
        // The incident the probe holds, if it is still open (a person may have resolved it).
        if let Some(held) = p.open_incident_id.clone() {
            let open = asys::incident_in(&mut tx, &held)
                .await?
                .is_some_and(|i| i.state == "open");
            if !open {
                p.open_incident_id = None;
                p.failures = 0;
                p.successes = 0;
            }
        }
        let before = Streak {
            failures: p.failures,
            successes: p.successes,
            open: p.open_incident_id.is_some(),
        };
        let (after, transition) = probe::step(before, o.ok, p.fail_threshold, p.recover_threshold);
        let streak_start = |ok: bool, len: i64| -> i64 {
            let prior = usize::try_from(len - 1).unwrap_or(0);
            recent
                .iter()
                .take_while(|r| (r.ok == 1) == ok)
                .take(prior)
                .map(|r| r.at)
                .min()
                .unwrap_or(now)
                .min(now)
        };
        let caller = system_caller("probe");
        match transition {
            Transition::Open => {
                let components = BTreeSet::from([p.component_id.clone()]);
                let component = asys::components(&self.store)
                    .await?
                    .into_iter()
                    .find(|c| c.id == p.component_id)
                    .map(|c| c.name)
                    .unwrap_or_default();
                let started = streak_start(false, after.failures);
                // Public text: what is down, not the probe's target or error (those are in
                // the probe's results and the audit log).
                let message = format!("{component} is not answering; we are investigating.");
                let incident = self
                    .insert_incident(
                        &mut tx,
                        &caller,
                        &format!("{component} unavailable"),
                        Cause::Provider,
                        Cos::Critical,
                        started,
                        Some(&p.id),
                        &components,
                        &message,
                    )
                    .await?;
                p.open_incident_id = Some(incident.id);
            }
            Transition::Close => {
                if let Some(inc_id) = p.open_incident_id.take() {
                    if let Some(mut inc) = asys::incident_in(&mut tx, &inc_id).await? {
                        if inc.state == "open" {
                            let restored = streak_start(true, after.successes).max(inc.started_at);
                            inc.state = "resolved".into();
                            inc.resolved_at = Some(restored);
                            inc.updated_at = now;
                            astore::update_incident(&mut tx, &inc).await?;
                            let message = "Service is restored: it answers again.";
                            self.incident_update(&mut tx, &caller, &inc, "resolved", message)
                                .await?;
                        }
                    }
                }
            }
            Transition::None => {}
        }
        p.failures = after.failures;
        p.successes = after.successes;
        p.last_at = Some(now);
        p.last_ok = Some(i64::from(o.ok));
        p.last_latency_us = Some(o.latency_us);
        p.last_detail = Some(o.detail.clone());
        p.updated_at = now;
        let result = ProbeResultRow {
            id: new_id("pres"),
            probe_id: p.id.clone(),
            at: now,
            ok: i64::from(o.ok),
            latency_us: o.latency_us,
            detail: o.detail,
        };
        astore::record_probe(&mut tx, &p, &result).await?;
        tollgate_store::commit(tx).await?;
        Ok(transition != Transition::None)
    }
}
