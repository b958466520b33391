//! The guard's use cases: admit or refuse calls in real time, follow their progress, raise
//! incidents, suspend and reactivate.
//!
//! Hot path: a decision reads only memory (account policies cached for
//! [`ACCOUNT_CACHE_TTL_S`], live calls and detector windows bounded by named limits) under one
//! short lock. Call events are persisted by a write-behind flusher in batches; incidents and
//! suspensions are written at once. A restart rebuilds live calls from `guard_calls` (each call
//! once: the call id is the key).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tollgate_core::cdr::RawCdr;
use tollgate_core::guard::{
    check_contract, check_price, reset_fired, worst_case_cost, AccountPolicy, Action, Attempt,
    CallFacts, Decision, DestClass, DestinationClasses, Detectors, Incident, Live, Suspension,
    SuspensionScope, Thresholds, Verdict, KBPS_PER_CALL,
};
use tollgate_core::{e164, rules, time, Refusal, RuleRef};
use tollgate_store::guard::{self as guard_store, CallRow, IncidentRow, PolicyRow, SuspensionRow};
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::{audit, tenancy as tenancy_store, Page, ScopeFilter};

use crate::access::audit_row;
use crate::guard_state::{AdmitRefused, CounterStore, LiveCall, MemoryCounters};
use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

/// How long an account's policy stays cached before it is read again.
pub const ACCOUNT_CACHE_TTL_S: i64 = 5;
pub use crate::guard_state::{MAX_LIVE_CALLS, MAX_TRACKED_ACCOUNTS, MAX_TRACKED_SOURCES};
/// Rules an operator may cite for a suspension: illegal or nuisance use (F1), dialers (F3),
/// anomalous traffic (F4, the default), call-center breaches (F5), intrusion (F6),
/// validation missing (T2), numbering non-compliance (T11).
pub const SUSPENSION_RULES: &[&str] = &["F1", "F3", "F4", "F5", "F6", "T2", "T11"];
/// Time after the longest call before a call never reported ended is ended by the guard.
pub const STALE_CALL_GRACE_S: i64 = 900;
/// How far an event's `at` may be from the guard's clock (edge clocks, queued reports).
pub const MAX_EVENT_SKEW_S: i64 = 86_400;
/// Licences an account has until its policy says otherwise.
pub const DEFAULT_LICENSED_CALLS: i64 = 10;
/// Longest `call_id` accepted.
pub const MAX_CALL_ID_CHARS: usize = 256;
/// The built-in forbidden destination ranges (F2); operators add more by API.
pub const BUILTIN_DESTINATION_CLASSES: &str =
    include_str!("../../../../reference/destination-classes.csv");

/// A call asking to be admitted (the edge's wire form, converted).
#[derive(Debug, Clone, Default)]
pub struct CallRequest {
    pub billing_account: Option<String>,
    pub from: String,
    pub to: String,
    pub source_ip: Option<String>,
    pub at: Option<i64>,
    pub call_id: Option<String>,
}

/// The registered emergency data carried by an emergency decision (T13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyData {
    pub address: Option<String>,
    pub callback: String,
}

/// A decision with everything needed to explain it.
#[derive(Debug, Clone)]
pub struct Decided {
    pub verdict: Verdict,
    pub clause: String,
    pub call_id: String,
    pub billing_account: String,
    pub emergency: Option<EmergencyData>,
    pub incidents: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CachedAccount {
    pub(crate) policy: AccountPolicy,
    pub(crate) customer_id: String,
    rate_table: Option<String>,
    /// The currency the account bills in (B1): a rate in another one is not usable.
    pub(crate) currency: String,
    pub(crate) profile: (String, u32),
    loaded_at: i64,
    /// Changed in the store since it was read: the next decision reloads it. The emergency
    /// check still reads its home country and numbers (a suspension must not make an
    /// account's T13 country unknown).
    stale: bool,
    credit_limit: Option<i64>,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Arc<CachedAccount>>,
    classes: DestinationClasses,
    /// B5: credit held by live calls until they end and are rated, per account (micro units).
    reserved: HashMap<String, i64>,
    /// The hold of each live call: `(account, micro units)`.
    holds: HashMap<String, (String, i64)>,
    /// Suspensions the detectors decided that the write queue has not persisted yet: a
    /// policy reloaded from the store meanwhile keeps them.
    unwritten_suspensions: HashMap<String, Vec<Suspension>>,
}

impl Inner {
    /// Holds `micros` of the account's credit for a call; `false` (and nothing held) when the
    /// call id already holds some (a retried decision of a live call).
    fn hold(&mut self, call_id: &str, account: &str, micros: i64) -> bool {
        if self.holds.contains_key(call_id) {
            return false;
        }
        *self.reserved.entry(account.to_string()).or_default() += micros;
        self.holds
            .insert(call_id.to_string(), (account.to_string(), micros));
        true
    }

    /// Marks an account for reload, keeping what the emergency check reads.
    fn mark_stale(&mut self, account: &str) {
        if let Some(a) = self.accounts.get_mut(account) {
            Arc::make_mut(a).stale = true;
        }
    }

    fn release(&mut self, call_id: &str) {
        if let Some((account, micros)) = self.holds.remove(call_id) {
            if let Some(r) = self.reserved.get_mut(&account) {
                *r -= micros;
                if *r <= 0 {
                    self.reserved.remove(&account);
                }
            }
        }
    }
}

/// The guard's in-memory state. Shared by every request; one short lock per decision.
pub struct Guard {
    inner: Mutex<Inner>,
    /// Live calls and detector windows (in memory; a shared store for several nodes later).
    pub counters: Box<dyn CounterStore>,
    pub thresholds: Thresholds,
    /// Writes persisted behind the answer (see [`writes`]).
    pub writes: WriteQueue,
    /// Live calls a suspension ordered cut, until the edge reports them ended.
    cuts: Mutex<HashMap<String, CutOrder>>,
}

/// A live call the edge must tear down: its account was suspended while it was live (F4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutOrder {
    pub call_id: String,
    pub billing_account: String,
    pub rule: RuleRef,
    pub reason: String,
    pub ordered_at: i64,
}

impl Guard {
    /// A guard on another counter store (a shared one for several nodes).
    pub fn with_counters(counters: Box<dyn CounterStore>) -> Guard {
        Guard {
            counters,
            ..Guard::default()
        }
    }

    /// A guard whose write queue refuses new calls beyond `capacity` pending writes.
    pub fn with_write_capacity(capacity: usize) -> Guard {
        Guard {
            writes: WriteQueue::with_capacity(capacity),
            ..Guard::default()
        }
    }

    /// A guard with other detector thresholds (configuration, benchmarks).
    pub fn with_thresholds(thresholds: Thresholds) -> Guard {
        Guard {
            thresholds,
            ..Guard::default()
        }
    }
}

impl Default for Guard {
    fn default() -> Guard {
        let classes = DestinationClasses::parse(BUILTIN_DESTINATION_CLASSES)
            .expect("built-in destination classes parse");
        Guard {
            inner: Mutex::new(Inner {
                classes,
                ..Inner::default()
            }),
            counters: Box::new(MemoryCounters::default()),
            thresholds: Thresholds::default(),
            writes: WriteQueue::default(),
            cuts: Mutex::new(HashMap::new()),
        }
    }
}

fn action_str(a: &Action) -> String {
    match a {
        Action::AlertOnly => "alert_only".into(),
        Action::Suspend { scope, until } => match until {
            Some(u) => format!("suspend_{}_until_{u}", scope.as_str()),
            None => format!("suspend_{}", scope.as_str()),
        },
        Action::BanSource { until, .. } => format!("ban_source_until_{until}"),
    }
}

fn suspension_of(row: &SuspensionRow) -> Suspension {
    Suspension {
        id: row.id.clone(),
        scope: SuspensionScope::parse(&row.scope).unwrap_or(SuspensionScope::All),
        until: row.until_at,
        rule: rules::by_id(&row.rule).unwrap_or(rules::F4),
        reason: row.reason.clone(),
    }
}

mod accounts;
pub mod cuts;
mod decide;
pub mod demo;
pub mod emergency;
mod incidents;
mod policy;
mod progress;
pub mod replay;
mod suspensions;
pub mod writes;

pub use demo::seed_demo;
pub use policy::PolicyPatch;
use writes::{GuardWrite, IncidentWrite};
pub use writes::{WriteQueue, FLUSH_BATCH, FLUSH_WAIT_STEPS, MAX_PENDING_WRITES};

impl App {
    /// The time of an event: the edge's `at` if it is within [`MAX_EVENT_SKEW_S`] of our clock.
    fn guard_time(&self, at: Option<i64>) -> Result<i64, AppError> {
        self.guard_time_within(at, MAX_EVENT_SKEW_S)
    }

    /// The time of an answer or an end: late reports (queued at the edge) within a day, early
    /// ones only as far as CDR intake accepts, so an end the guard takes always becomes a
    /// billable CDR rather than a call released unrated.
    fn call_event_time(&self, at: Option<i64>) -> Result<i64, AppError> {
        self.guard_time_within(at, tollgate_core::cdr::MAX_FUTURE_SKEW_S)
    }

    fn guard_time_within(&self, at: Option<i64>, ahead: i64) -> Result<i64, AppError> {
        let now = self.now();
        match at {
            None => Ok(now),
            Some(t) if now - t <= MAX_EVENT_SKEW_S && t - now <= ahead => Ok(t),
            Some(_) => Err(AppError::invalid(
                "at_out_of_range",
                "at",
                format!(
                    "must be at most {MAX_EVENT_SKEW_S} s before and {ahead} s after the guard's clock"
                ),
            )),
        }
    }

    pub(crate) fn clause_for(&self, profile: &(String, u32), rule: RuleRef) -> String {
        self.terms
            .get(&profile.0, Some(profile.1))
            .map_or(rule.clause.to_string(), |p| p.clause_for(rule).to_string())
    }
}
