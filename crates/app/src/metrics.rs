//! `/metrics` in the Prometheus text format (issue 14 #7): guard decisions by outcome and
//! code, decision latency, live calls, the SIP edge connection, the guard's write-behind
//! queue, CDRs written and rejected, the database pools. Counters since the process started;
//! aggregates only, no tenant's data.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::App;

/// Upper bounds of the decision latency histogram, microseconds.
pub const LATENCY_BUCKETS_US: [u64; 10] =
    [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000];

#[derive(Debug, Default)]
pub struct Metrics {
    decisions: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    /// Cumulative per bucket of [`LATENCY_BUCKETS_US`], then +Inf.
    latency: [AtomicU64; LATENCY_BUCKETS_US.len() + 1],
    latency_sum_us: AtomicU64,
    pub cdrs_written: AtomicU64,
    pub cdrs_duplicate: AtomicU64,
    pub cdrs_rejected: AtomicU64,
}

impl Metrics {
    /// One guard decision and how long it took.
    pub fn decided(&self, decision: &'static str, code: &'static str, micros: u64) {
        *self
            .decisions
            .lock()
            .expect("metrics lock")
            .entry((decision, code))
            .or_default() += 1;
        let i = LATENCY_BUCKETS_US
            .iter()
            .position(|&b| micros <= b)
            .unwrap_or(LATENCY_BUCKETS_US.len());
        self.latency[i].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    /// What one intake batch stored.
    pub fn ingested(&self, written: usize, duplicate: usize, rejected: usize) {
        self.cdrs_written
            .fetch_add(written as u64, Ordering::Relaxed);
        self.cdrs_duplicate
            .fetch_add(duplicate as u64, Ordering::Relaxed);
        self.cdrs_rejected
            .fetch_add(rejected as u64, Ordering::Relaxed);
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn one(out: &mut String, name: &str, kind: &str, help: &str, v: impl std::fmt::Display) {
    family(out, name, kind, help);
    let _ = writeln!(out, "{name} {v}");
}

impl App {
    /// The metrics page.
    pub fn metrics_text(&self) -> String {
        let m = &self.metrics;
        let mut out = String::with_capacity(4_096);
        family(
            &mut out,
            "tollgate_guard_decisions_total",
            "counter",
            "Guard decisions by outcome and code.",
        );
        for ((d, c), n) in m.decisions.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "tollgate_guard_decisions_total{{decision=\"{d}\",code=\"{c}\"}} {n}"
            );
        }
        family(
            &mut out,
            "tollgate_guard_decision_seconds",
            "histogram",
            "Time to decide a call, in process.",
        );
        let mut cumulative = 0;
        for (i, b) in LATENCY_BUCKETS_US.iter().enumerate() {
            cumulative += m.latency[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "tollgate_guard_decision_seconds_bucket{{le=\"{}\"}} {cumulative}",
                *b as f64 / 1e6
            );
        }
        cumulative += m.latency[LATENCY_BUCKETS_US.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "tollgate_guard_decision_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n\
             tollgate_guard_decision_seconds_sum {}\n\
             tollgate_guard_decision_seconds_count {cumulative}",
            m.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        one(
            &mut out,
            "tollgate_live_calls",
            "gauge",
            "Calls admitted and not yet ended.",
            self.guard.counters.live_total(),
        );
        let e = &self.edge;
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        one(
            &mut out,
            "tollgate_edge_connected",
            "gauge",
            "1 while the SIP edge (Kamailio evapi) is connected and authenticated.",
            u8::from(e.connected.load(Ordering::Relaxed)),
        );
        one(
            &mut out,
            "tollgate_edge_queue",
            "gauge",
            "Commands waiting to be written to the SIP edge.",
            load(&e.queued),
        );
        family(
            &mut out,
            "tollgate_edge_events_total",
            "counter",
            "What the SIP edge connection carried, by kind.",
        );
        for (kind, c) in [
            ("connect", &e.connects),
            ("refused_hello", &e.refused_hellos),
            ("invite", &e.invites),
            ("allow", &e.allowed),
            ("busy", &e.busy),
            ("deny", &e.denied),
            ("unavailable", &e.unavailable),
            ("answered", &e.answered),
            ("ended", &e.ended),
            ("auth_failed", &e.auth_failures),
            ("cut_sent", &e.cuts_sent),
            ("ban_sent", &e.bans_sent),
            ("protocol_error", &e.protocol_errors),
        ] {
            let _ = writeln!(
                out,
                "tollgate_edge_events_total{{kind=\"{kind}\"}} {}",
                load(c)
            );
        }
        let ms = &self.messaging.stats;
        family(
            &mut out,
            "tollgate_messages_total",
            "counter",
            "Messages by admission decision, delivery outcome and inbound (M1-M7).",
        );
        for (kind, c) in [
            ("accepted", &ms.accepted),
            ("refused", &ms.refused),
            ("deferred", &ms.deferred),
            ("submitted", &ms.submitted),
            ("delivered", &ms.delivered),
            ("failed", &ms.failed),
            ("inbound", &ms.inbound),
        ] {
            let _ = writeln!(
                out,
                "tollgate_messages_total{{kind=\"{kind}\"}} {}",
                load(c)
            );
        }
        let w = &self.guard.writes;
        one(
            &mut out,
            "tollgate_guard_writes_pending",
            "gauge",
            "Guard writes (call events, incidents) waiting for the database.",
            w.pending(),
        );
        one(
            &mut out,
            "tollgate_guard_writes_total",
            "counter",
            "Guard writes persisted.",
            load(&w.written),
        );
        one(
            &mut out,
            "tollgate_guard_write_retries_total",
            "counter",
            "Failed guard write attempts (each retried).",
            load(&w.failures),
        );
        family(
            &mut out,
            "tollgate_cdrs_total",
            "counter",
            "Call records taken in, by outcome.",
        );
        for (outcome, c) in [
            ("written", &m.cdrs_written),
            ("duplicate", &m.cdrs_duplicate),
            ("rejected", &m.cdrs_rejected),
        ] {
            let _ = writeln!(
                out,
                "tollgate_cdrs_total{{outcome=\"{outcome}\"}} {}",
                load(c)
            );
        }
        family(
            &mut out,
            "tollgate_db_connections",
            "gauge",
            "Database pool connections by pool and state (busy ones are what waits queue behind).",
        );
        for (pool, p) in [
            ("read", self.store.reader()),
            ("write", self.store.writer()),
        ] {
            let idle = p.num_idle() as u32;
            let size = p.size();
            let _ = writeln!(
                out,
                "tollgate_db_connections{{pool=\"{pool}\",state=\"idle\"}} {idle}\n\
                 tollgate_db_connections{{pool=\"{pool}\",state=\"busy\"}} {}",
                size.saturating_sub(idle)
            );
        }
        out
    }
}
