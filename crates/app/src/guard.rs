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
use tokio::sync::mpsc;
use tollgate_core::cdr::RawCdr;
use tollgate_core::guard::{
    check_contract, check_price, reset_fired, worst_case_cost, AccountPolicy, Action, Attempt,
    Decision, DestClass, DestinationClasses, Detectors, Incident, Live, Suspension,
    SuspensionScope, Thresholds, Verdict, KBPS_PER_CALL,
};
use tollgate_core::{e164, rules, time, Refusal, RuleRef};
use tollgate_store::guard::{self as sg, CallRow, IncidentRow, PolicyRow, SuspensionRow};
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::{audit, tenancy as st, Page, ScopeFilter};

use crate::access::audit_row;
use crate::guard_state::{AdmitRefused, CounterStore, LiveCall, MemoryCounters};
use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

/// How long an account's policy stays cached before it is read again.
pub const ACCOUNT_CACHE_TTL_S: i64 = 5;
pub use crate::guard_state::{MAX_LIVE_CALLS, MAX_TRACKED_ACCOUNTS, MAX_TRACKED_SOURCES};
/// Call events persisted per flush.
pub const FLUSH_BATCH: usize = 5_000;
/// Rules an operator may cite for a suspension: illegal or nuisance use (F1), dialers (F3),
/// anomalous traffic (F4, the default), call-center breaches (F5), intrusion (F6),
/// validation missing (T2), numbering non-compliance (T11).
pub const SUSPENSION_RULES: &[&str] = &["F1", "F3", "F4", "F5", "F6", "T2", "T11"];
/// Time after the longest call before a call never reported ended is ended by the guard.
pub const STALE_CALL_GRACE_S: i64 = 900;
/// How far an event's `at` may be from the guard's clock (edge clocks, queued reports).
pub const MAX_EVENT_SKEW_S: i64 = 86_400;
/// Polls of 5 ms [`App::flush_guard`] waits at most.
pub const FLUSH_WAIT_STEPS: usize = 2_000;
/// Licences an account has until its policy says otherwise.
pub const DEFAULT_LICENSED_CALLS: i64 = 10;
/// Longest `call_id` accepted.
pub const MAX_CALL_ID_CHARS: usize = 256;
/// The built-in forbidden destination ranges (F2); operators add more by API.
pub const BUILTIN_DESTINATION_CLASSES: &str =
    include_str!("../../../reference/destination-classes.csv");

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
struct CachedAccount {
    policy: AccountPolicy,
    customer_id: String,
    rate_table: Option<String>,
    profile: (String, u32),
    loaded_at: i64,
    credit_limit: Option<i64>,
}

enum CallEvent {
    Admitted(CallRow),
    Answered(String, i64),
    Ended(String, i64),
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Arc<CachedAccount>>,
    classes: DestinationClasses,
    /// B5: credit held by live calls until they end and are rated, per account (micro units).
    reserved: HashMap<String, i64>,
    /// The hold of each live call: `(account, micro units)`.
    holds: HashMap<String, (String, i64)>,
}

impl Inner {
    fn hold(&mut self, call_id: &str, account: &str, micros: i64) {
        *self.reserved.entry(account.to_string()).or_default() += micros;
        self.holds
            .insert(call_id.to_string(), (account.to_string(), micros));
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
    events: Mutex<Option<mpsc::UnboundedSender<CallEvent>>>,
    /// Call events sent and not yet written.
    pending: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Guard {
    /// A guard on another counter store (a shared one for several nodes).
    pub fn with_counters(counters: Box<dyn CounterStore>) -> Guard {
        Guard {
            counters,
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
            events: Mutex::new(None),
            pending: Default::default(),
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

impl App {
    /// The time of an event: the edge's `at` if it is within [`MAX_EVENT_SKEW_S`] of our clock.
    fn guard_time(&self, at: Option<i64>) -> Result<i64, AppError> {
        let now = self.now();
        match at {
            None => Ok(now),
            Some(t) if (t - now).abs() <= MAX_EVENT_SKEW_S => Ok(t),
            Some(_) => Err(AppError::invalid(
                "at_out_of_range",
                "at",
                format!("must be within {MAX_EVENT_SKEW_S} s of the guard's clock"),
            )),
        }
    }

    /// Data upgrade: policies stored with calling codes (`33`, `1`) name ISO countries
    /// (`FR`, `US`) from now on. A calling code becomes its main region, so a legacy `1`
    /// (all of NANP, Caribbean included) narrows to `US`: the safe direction for fraud.
    /// Idempotent and audited; returns the accounts changed.
    pub async fn upgrade_policy_countries(&self) -> Result<Vec<String>, AppError> {
        let legacy = sg::policies_with_calling_codes(&self.store).await?;
        if legacy.is_empty() {
            return Ok(Vec::new());
        }
        let iso = |c: &str| -> String {
            let c = c.trim();
            if c.bytes().all(|b| b.is_ascii_digit()) {
                tollgate_core::country::country_of(c)
                    .filter(|_| tollgate_core::country::calling_code(c) == Some(c))
                    .unwrap_or("")
                    .to_string()
            } else {
                c.to_string()
            }
        };
        let now = self.now();
        let actor = Actor {
            actor: "system:upgrade".into(),
            source: "start".into(),
            request_id: "upgrade".into(),
        };
        let mut changed = Vec::new();
        let mut tx = self.store.begin().await?;
        for p in legacy {
            let home = iso(&p.home_country);
            let allow: Vec<String> = p
                .international_allowlist
                .split(',')
                .map(iso)
                .filter(|c| !c.is_empty())
                .collect();
            let row = PolicyRow {
                home_country: if home.is_empty() { "US".into() } else { home },
                international_allowlist: allow.join(","),
                ..p.clone()
            };
            sg::put_policy(&mut tx, &row).await?;
            audit::append(
                &mut tx,
                &audit_row(
                    &actor,
                    now,
                    "guard.policy.iso_countries",
                    &p.billing_account_id,
                    json!({"home_country": [p.home_country, row.home_country], "international_allowlist": [p.international_allowlist, row.international_allowlist]}),
                ),
            )
            .await?;
            changed.push(p.billing_account_id);
        }
        tollgate_store::commit(tx).await?;
        Ok(changed)
    }

    /// Starts the write-behind flusher of call events and rebuilds live calls and bans from
    /// the store. Call once at start (the server does).
    pub async fn start_guard(&self) -> Result<(), AppError> {
        let upgraded = self.upgrade_policy_countries().await?;
        if !upgraded.is_empty() {
            tracing::info!(
                accounts = upgraded.len(),
                "guard policies now name ISO countries"
            );
        }
        let now = self.now();
        let open = sg::open_calls(&self.store).await?;
        let bans = sg::active_bans(&self.store, now).await?;
        let extra = sg::destination_prefixes(&self.store).await?;
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
        let (tx, mut rx) = mpsc::unbounded_channel::<CallEvent>();
        *self.guard.events.lock().expect("events lock") = Some(tx);
        let store = self.store.clone();
        let pending = self.guard.pending.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            while rx.recv_many(&mut buf, FLUSH_BATCH).await > 0 {
                let n = buf.len();
                let (mut admitted, mut answered, mut ended) = (Vec::new(), Vec::new(), Vec::new());
                for e in buf.drain(..) {
                    match e {
                        CallEvent::Admitted(c) => admitted.push(c),
                        CallEvent::Answered(id, at) => answered.push((id, at)),
                        CallEvent::Ended(id, at) => ended.push((id, at)),
                    }
                }
                let result = async {
                    let mut tx = store.begin().await?;
                    sg::record_calls(&mut tx, &admitted, &answered, &ended).await?;
                    tollgate_store::commit(tx).await
                }
                .await;
                if let Err(e) = result {
                    tracing::error!(error = %e, "could not persist guard call events");
                }
                pending.fetch_sub(n, std::sync::atomic::Ordering::AcqRel);
            }
        });
        Ok(())
    }

    fn emit(&self, e: CallEvent) {
        if let Some(tx) = self.guard.events.lock().expect("events lock").as_ref() {
            self.guard
                .pending
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            if tx.send(e).is_err() {
                self.guard
                    .pending
                    .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            }
        }
    }

    /// Persists pending call events now (tests and shutdown).
    pub async fn flush_guard(&self) -> Result<(), AppError> {
        for _ in 0..FLUSH_WAIT_STEPS {
            if self
                .guard
                .pending
                .load(std::sync::atomic::Ordering::Acquire)
                == 0
            {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        Err(AppError::Internal(
            "guard call events were not persisted in time".into(),
        ))
    }

    async fn load_account(&self, account: &str, now: i64) -> Result<CachedAccount, AppError> {
        let ba = st::get_billing_account(
            &self.store,
            ScopeFilter(&tollgate_core::tenancy::Scope::All),
            account,
        )
        .await
        .map_err(|_| {
            AppError::invalid(
                "account_unknown",
                "billing_account",
                format!("no billing account `{account}`"),
            )
        })?;
        let policy = sg::get_policy(&self.store, account).await?;
        let agreement = st::current_agreement(&self.store, &ba.customer_id).await?;
        let profile_id = agreement
            .as_ref()
            .map(|a| (a.profile_id.clone(), a.profile_version as u32));
        let profile = profile_id
            .as_ref()
            .and_then(|(id, v)| self.terms.get(id, Some(*v)))
            .or_else(|| self.terms.get(crate::terms::DEFAULT_PROFILE, None));
        let max_call = profile.map_or(14_400, |p| p.telephony.max_call_duration_s);
        let owned =
            tollgate_store::numbers::active_numbers_of_account(&self.store, account).await?;
        let suspensions = sg::active_suspensions(&self.store, account, now).await?;
        let announcements = sg::current_announcements(&self.store, account, now).await?;
        let month = time::month_index(now);
        let (y, m) = (month.div_euclid(12), month.rem_euclid(12) + 1);
        let month_start = jiff::civil::date(y as i16, m as i8, 1)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(now);
        let spent = sg::spend_since(&self.store, account, month_start).await?;
        let p = policy.unwrap_or(PolicyRow {
            billing_account_id: account.into(),
            validated: false,
            licensed_calls: DEFAULT_LICENSED_CALLS,
            site_bandwidth_kbps: None,
            home_country: owned
                .first()
                .and_then(|n| tollgate_core::country::country_of(n))
                .unwrap_or("US")
                .into(),
            international_allowlist: String::new(),
            credit_limit_micros: None,
            updated_at: now,
        });
        Ok(CachedAccount {
            policy: AccountPolicy {
                validated: p.validated,
                licensed_calls: p.licensed_calls.max(0) as u32,
                site_bandwidth_kbps: p.site_bandwidth_kbps.map(|b| b.max(0) as u32),
                home_country: p.home_country,
                international_allowlist: p
                    .international_allowlist
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                owned_numbers: owned,
                credit_left_micros: p.credit_limit_micros.map(|c| c - spent),
                max_call_duration_s: max_call,
                suspensions: suspensions.iter().map(suspension_of).collect(),
                announcements: announcements
                    .iter()
                    .map(|a| (a.from_at, a.until_at, a.factor.max(1) as u32))
                    .collect(),
            },
            customer_id: ba.customer_id,
            rate_table: ba.rate_table,
            profile: profile
                .map(|p| (p.id.clone(), p.version))
                .unwrap_or_default(),
            loaded_at: now,
            credit_limit: p.credit_limit_micros,
        })
    }

    /// The cached account, loaded or refreshed when older than [`ACCOUNT_CACHE_TTL_S`].
    async fn cached_account(
        &self,
        account: &str,
        now: i64,
    ) -> Result<Arc<CachedAccount>, AppError> {
        let wall = self.now();
        if let Some(a) = self
            .guard
            .inner
            .lock()
            .expect("guard lock")
            .accounts
            .get(account)
        {
            if wall - a.loaded_at < ACCOUNT_CACHE_TTL_S && a.loaded_at <= wall {
                return Ok(a.clone());
            }
        }
        let mut fresh = self.load_account(account, now).await?;
        fresh.loaded_at = wall;
        fresh.policy.owned_numbers.sort_unstable();
        let fresh = Arc::new(fresh);
        let mut g = self.guard.inner.lock().expect("guard lock");
        if g.accounts.len() >= MAX_TRACKED_ACCOUNTS {
            g.accounts.clear();
        }
        g.accounts.insert(account.to_string(), fresh.clone());
        Ok(fresh)
    }

    /// Forgets a cached account so the next decision reads the store (after a change).
    pub fn invalidate_guard_account(&self, account: &str) {
        self.guard
            .inner
            .lock()
            .expect("guard lock")
            .accounts
            .remove(account);
    }

    fn clause_for(&self, profile: &(String, u32), rule: RuleRef) -> String {
        self.terms
            .get(&profile.0, Some(profile.1))
            .map_or(rule.clause.to_string(), |p| p.clause_for(rule).to_string())
    }

    /// Resolves the billing account of a request: given, or the account owning the caller ID.
    async fn resolve_account(&self, req: &CallRequest, from: &str) -> Result<String, AppError> {
        if let Some(a) = req.billing_account.as_deref().filter(|a| !a.is_empty()) {
            return Ok(a.to_string());
        }
        match tollgate_store::numbers::find_by_e164(&self.store, from).await? {
            Some(n) => n.billing_account_id.ok_or_else(|| {
                AppError::invalid(
                    "account_unknown",
                    "from",
                    format!("+{from} is not assigned to a billing account"),
                )
            }),
            None => Err(AppError::invalid(
                "account_unknown",
                "from",
                format!("+{from} resolves to no billing account; send `billing_account`"),
            )),
        }
    }

    /// T13 from memory only: the dialled code is an emergency number in the country of the
    /// calling number or in the home country of the account when its policy is cached. (A
    /// number of one country on an uncached account of another is caught by the contract
    /// check once the account is loaded.)
    fn is_emergency_in_memory(&self, req: &CallRequest) -> bool {
        let from = e164::normalize(&req.from, "from").ok();
        let home = req.billing_account.as_deref().and_then(|a| {
            let g = self.guard.inner.lock().expect("guard lock");
            g.accounts.get(a).map(|c| c.policy.home_country.clone())
        });
        tollgate_core::guard::is_emergency(&req.to, from.as_deref(), home.as_deref())
    }

    /// `POST /v1/guard/calls`: admit, refuse or answer busy, with the rule and clause.
    pub async fn guard_call(&self, actor: &Actor, req: CallRequest) -> Result<Decided, AppError> {
        // T13 first, before anything that could refuse: a withheld caller ID, an unknown
        // number, an odd `at` or a busy database never stand between a caller and 112.
        if self.is_emergency_in_memory(&req) {
            return Ok(self.emergency_call(&req).await);
        }
        let now = self.guard_time(req.at)?;
        let from = e164::normalize(&req.from, "from")?;
        let to = e164::normalize(&req.to, "to").ok();
        if let Some(id) = &req.call_id {
            if id.is_empty() || id.chars().count() > MAX_CALL_ID_CHARS {
                return Err(AppError::invalid(
                    "call_id_invalid",
                    "call_id",
                    format!("1 to {MAX_CALL_ID_CHARS} characters"),
                ));
            }
        }
        let account = self.resolve_account(&req, &from).await?;
        let acct = self.cached_account(&account, now).await?;
        let call_id = req.call_id.clone().unwrap_or_else(|| new_id("call"));
        let source = req.source_ip.clone().unwrap_or_default();
        let attempt = Attempt {
            from: &from,
            dialled: &req.to,
            to: to.as_deref(),
            source: req.source_ip.as_deref(),
            now,
        };
        let detectors = Detectors {
            t: &self.guard.thresholds,
        };
        let mut incidents: Vec<Incident> = Vec::new();
        let table = acct.rate_table.as_deref().and_then(|t| self.rates.get(t));
        let counters = &self.guard.counters;
        let banned = !source.is_empty() && counters.banned(&source, now);
        let live = counters.live(&account);
        let contract = {
            let g = self.guard.inner.lock().expect("guard lock");
            check_contract(&acct.policy, live, &attempt, &g.classes, banned)
        };
        let mut verdict = match contract {
            Err(v) => {
                if v.rule == rules::F2 && v.code.starts_with("destination_") {
                    counters.account_window(&account, now, &mut |w| {
                        incidents.extend(detectors.on_forbidden(w, now))
                    });
                }
                v
            }
            Ok(international) => {
                let to = to.as_deref().unwrap_or_default();
                counters.account_window(&account, now, &mut |w| {
                    incidents.extend(detectors.on_attempt(
                        w,
                        &acct.policy,
                        live,
                        to,
                        international,
                        now,
                    ))
                });
                let blocking = incidents.iter().find(|i| match &i.action {
                    Action::Suspend {
                        scope: SuspensionScope::International,
                        ..
                    } => international,
                    Action::Suspend { .. } => true,
                    _ => false,
                });
                if let Some(i) = blocking {
                    Verdict {
                        decision: Decision::Deny,
                        code: "fraud_suspected",
                        rule: i.rule,
                        message: format!("{}: {}", i.detector, i.detail),
                        max_duration_s: 0,
                        emergency: false,
                        international,
                    }
                } else {
                    // B5: the credit left is what live calls have not already reserved;
                    // an admitted call reserves its worst case (its `max_duration_s` at its
                    // rate) until it ends and is rated. Decided and held under one lock, so
                    // concurrent calls never share the same credit.
                    let row = table.as_ref().and_then(|t| t.lookup(to, now));
                    let mut g = self.guard.inner.lock().expect("guard lock");
                    let reserved = g.reserved.get(&account).copied().unwrap_or(0);
                    let v = check_price(&acct.policy, row, international, reserved);
                    if let (Decision::Allow, Some(row), Some(_)) =
                        (v.decision, row, acct.policy.credit_left_micros)
                    {
                        g.hold(&call_id, &account, worst_case_cost(row, v.max_duration_s));
                    }
                    v
                }
            }
        };
        // Incidents are written before the call is counted, so a failure here leaves no
        // admitted call behind (no leaked licence).
        let incident_ids = self
            .raise_incidents(actor, &account, &acct, None, &incidents, now)
            .await?;
        if verdict.decision == Decision::Allow {
            // The limit is checked again atomically where the call is counted (T3, T1).
            let max_calls = if verdict.emergency {
                u32::MAX
            } else {
                let bw = acct
                    .policy
                    .site_bandwidth_kbps
                    .map_or(u32::MAX, |b| b / KBPS_PER_CALL);
                acct.policy.licensed_calls.min(bw)
            };
            let call = LiveCall {
                account: account.clone(),
                from: from.clone(),
                to: to.clone().unwrap_or_else(|| req.to.trim().to_string()),
                international: verdict.international,
                started: now,
                answered: None,
            };
            let busy = |code: &'static str, rule: RuleRef, message: &str| Verdict {
                decision: Decision::Busy,
                code,
                rule,
                message: message.into(),
                max_duration_s: 0,
                emergency: false,
                international: false,
            };
            let admitted = counters.try_admit(&call_id, call, max_calls);
            if admitted.is_err() {
                self.guard
                    .inner
                    .lock()
                    .expect("guard lock")
                    .release(&call_id);
            }
            match admitted {
                Ok(()) => {}
                Err(AdmitRefused::DuplicateCallId) => {
                    return Err(AppError::Conflict {
                        code: "call_id_in_use",
                        message: format!("call `{call_id}` is already live"),
                    })
                }
                Err(AdmitRefused::AtLimit) => {
                    verdict = busy(
                        "over_licensed_calls",
                        rules::T3,
                        "the account reached its simultaneous calls meanwhile",
                    )
                }
                Err(AdmitRefused::AtCapacity) => {
                    verdict = busy(
                        "guard_at_capacity",
                        rules::T4,
                        "the guard tracks its maximum of live calls",
                    )
                }
            }
        }
        if verdict.decision == Decision::Allow {
            self.emit(CallEvent::Admitted(CallRow {
                call_id: call_id.clone(),
                billing_account_id: account.clone(),
                from_number: from.clone(),
                to_number: to.clone().unwrap_or_else(|| req.to.trim().to_string()),
                international: verdict.international,
                source: source.clone(),
                started_at: now,
                answered_at: None,
                ended_at: None,
            }));
        }
        let emergency = if verdict.emergency {
            Some(self.emergency_data(&from, now, &req.to).await)
        } else {
            None
        };
        Ok(Decided {
            clause: self.clause_for(&acct.profile, verdict.rule),
            verdict,
            call_id,
            billing_account: account,
            emergency,
            incidents: incident_ids,
        })
    }

    /// The registered address and call-back of an emergency call, and the notification to the
    /// customer's designated contact. Never fails: a lookup error is logged and the call goes
    /// on without an address (the answer says none is registered).
    async fn emergency_data(&self, from: &str, now: i64, dialled: &str) -> EmergencyData {
        let info = match self.emergency_address_at(from, now).await {
            Ok(i) => i,
            Err(e) => {
                tracing::error!(error = %e, from, "emergency address lookup failed");
                None
            }
        };
        if let Err(e) = self.notify_emergency_call(from, now, dialled).await {
            tracing::error!(error = %e, from, "emergency notification failed");
        }
        EmergencyData {
            address: info.as_ref().map(|i| i.address.clone()),
            callback: info.map_or(format!("+{from}"), |i| i.callback),
        }
    }

    /// An emergency call (T13): always admitted. Tracked as live when its account is known
    /// (so it reaches the CDRs, never charged); every lookup is best effort.
    async fn emergency_call(&self, req: &CallRequest) -> Decided {
        let now = self.guard_time(req.at).unwrap_or_else(|_| self.now());
        let from = e164::normalize(&req.from, "from").ok();
        let account = match &from {
            Some(f) => self.resolve_account(req, f).await.ok(),
            None => req.billing_account.clone(),
        };
        let acct = match &account {
            Some(a) => self.cached_account(a, now).await.ok(),
            None => None,
        };
        let max = acct
            .as_ref()
            .map_or(tollgate_core::rating::MAX_CALL_CAP_S, |a| {
                a.policy.max_call_duration_s
            });
        let profile = acct
            .as_ref()
            .map_or((crate::terms::DEFAULT_PROFILE.to_string(), 1), |a| {
                a.profile.clone()
            });
        let mut call_id = req
            .call_id
            .clone()
            .filter(|c| !c.is_empty() && c.chars().count() <= MAX_CALL_ID_CHARS)
            .unwrap_or_else(|| new_id("call"));
        let dialled: String = req.to.chars().filter(char::is_ascii_digit).collect();
        if let (Some(account), Some(from)) = (&account, &from) {
            let call = |id: &str| {
                (
                    id.to_string(),
                    LiveCall {
                        account: account.clone(),
                        from: from.clone(),
                        to: dialled.clone(),
                        international: false,
                        started: now,
                        answered: None,
                    },
                )
            };
            let (mut id, mut live) = call(&call_id);
            if self.guard.counters.try_admit(&id, live.clone(), u32::MAX)
                == Err(AdmitRefused::DuplicateCallId)
            {
                (id, live) = call(&new_id("call"));
                let _ = self.guard.counters.try_admit(&id, live.clone(), u32::MAX);
            }
            call_id = id;
            self.emit(CallEvent::Admitted(CallRow {
                call_id: call_id.clone(),
                billing_account_id: account.clone(),
                from_number: live.from,
                to_number: live.to,
                international: false,
                source: req.source_ip.clone().unwrap_or_default(),
                started_at: now,
                answered_at: None,
                ended_at: None,
            }));
        }
        let emergency = match &from {
            Some(f) => self.emergency_data(f, now, &req.to).await,
            None => EmergencyData {
                address: None,
                callback: String::new(),
            },
        };
        Decided {
            clause: self.clause_for(&profile, rules::T13),
            verdict: Verdict {
                decision: Decision::Allow,
                code: "emergency_call",
                rule: rules::T13,
                message: "emergency call: always admitted".into(),
                max_duration_s: max,
                emergency: true,
                international: false,
            },
            call_id,
            billing_account: account.unwrap_or_default(),
            emergency: Some(emergency),
            incidents: Vec::new(),
        }
    }

    /// Writes incidents, applies their actions (suspensions, bans) in memory and in the store,
    /// audits and notifies the partner and customer contacts through the outbox.
    async fn raise_incidents(
        &self,
        actor: &Actor,
        account: &str,
        acct: &CachedAccount,
        source: Option<&str>,
        incidents: &[Incident],
        now: i64,
    ) -> Result<Vec<String>, AppError> {
        if incidents.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids = Vec::new();
        let mut tx = self.store.begin().await?;
        for i in incidents {
            let id = new_id("inc");
            let clause = self.clause_for(&acct.profile, i.rule);
            sg::insert_incident(
                &mut tx,
                &IncidentRow {
                    id: id.clone(),
                    at: now,
                    billing_account_id: (!account.is_empty()).then(|| account.to_string()),
                    customer_id: (!acct.customer_id.is_empty()).then(|| acct.customer_id.clone()),
                    source: source.map(str::to_string),
                    detector: i.detector.into(),
                    rule: i.rule.rule.into(),
                    clause: clause.clone(),
                    count: i.count as i64,
                    window_s: i.window_s,
                    threshold: i.threshold as i64,
                    detail: i.detail.clone(),
                    action: action_str(&i.action),
                },
            )
            .await?;
            match &i.action {
                Action::Suspend { scope, until } => {
                    let s = SuspensionRow {
                        id: new_id("sus"),
                        billing_account_id: account.into(),
                        scope: scope.as_str().into(),
                        rule: i.rule.rule.into(),
                        clause: clause.clone(),
                        reason: format!("{}: {}", i.detector, i.detail),
                        created_at: now,
                        created_by: "guard".into(),
                        until_at: *until,
                        incident_id: Some(id.clone()),
                        lifted_at: None,
                        lifted_by: None,
                        lift_reason: None,
                    };
                    sg::insert_suspension(&mut tx, &s).await?;
                    let mut g = self.guard.inner.lock().expect("guard lock");
                    if let Some(a) = g.accounts.get_mut(account) {
                        Arc::make_mut(a).policy.suspensions.push(suspension_of(&s));
                    }
                }
                Action::BanSource { source, until } => {
                    sg::put_ban(&mut tx, source, *until).await?;
                }
                Action::AlertOnly => {}
            }
            if !acct.customer_id.is_empty() {
                self.notify_contacts(&mut tx, &acct.customer_id, now, format!("Tollgate incident: {}", i.detector), format!(
                                "{} on billing account {account}: {} (count {}, threshold {}, window {} s). Action: {}. Rule {}, {clause}.",
                                i.detector, i.detail, i.count, i.threshold, i.window_s, action_str(&i.action), i.rule.rule
                            ), i.rule.rule).await?;
            }
            audit::append(&mut tx, &audit_row(actor, now, "guard.incident", &id, json!({"detector": i.detector, "account": account, "action": action_str(&i.action)}))).await?;
            ids.push(id);
        }
        tollgate_store::commit(tx).await?;
        Ok(ids)
    }

    /// Places a notification to the customer's and its partner's admins in the outbox, in the
    /// caller's transaction.
    async fn notify_contacts(
        &self,
        tx: &mut tollgate_store::Tx,
        customer_id: &str,
        now: i64,
        subject: impl Into<String>,
        body: String,
        rule: impl Into<String>,
    ) -> Result<(), AppError> {
        let (subject, rule) = (subject.into(), rule.into());
        for recipient in self.contacts_of(customer_id).await? {
            let row = OutboxRow {
                id: new_id("msg"),
                at: now,
                channel: "email".into(),
                recipient,
                subject: subject.clone(),
                body: body.clone(),
                rule: rule.clone(),
            };
            outbox::enqueue(tx, &row).await?;
        }
        Ok(())
    }

    /// E-mail addresses of the customer's admins and of its partner's admins (keyed reads).
    async fn contacts_of(&self, customer_id: &str) -> Result<Vec<String>, AppError> {
        let all = tollgate_core::tenancy::Scope::All;
        let c = st::get_customer(&self.store, ScopeFilter(&all), customer_id).await?;
        Ok(tollgate_store::auth::admin_contacts_of_customer(
            &self.store,
            customer_id,
            c.partner_id.as_deref(),
        )
        .await?)
    }

    /// The call was answered.
    pub async fn guard_answer(&self, call_id: &str, at: Option<i64>) -> Result<(), AppError> {
        let now = self.guard_time(at)?;
        let call = self
            .guard
            .counters
            .get(call_id)
            .ok_or(AppError::NotFound("live call"))?;
        if now < call.started {
            return Err(AppError::invalid(
                "answer_before_start",
                "at",
                "the answer time is before the call started",
            ));
        }
        self.guard
            .counters
            .answer(call_id, now)
            .ok_or(AppError::NotFound("live call"))?;
        self.emit(CallEvent::Answered(call_id.to_string(), now));
        Ok(())
    }

    /// The call ended: it leaves the live set and, if answered, becomes a rated CDR (source
    /// `guard`, idempotent by call id); the detectors see its duration and cost.
    pub async fn guard_end(
        &self,
        actor: &Actor,
        call_id: &str,
        at: Option<i64>,
    ) -> Result<serde_json::Value, AppError> {
        let now = self.guard_time(at)?;
        // The call stays live until its CDR is stored: if intake fails, the edge can retry.
        let call = self
            .guard
            .counters
            .get(call_id)
            .ok_or(AppError::NotFound("live call"))?;
        let acct = self.cached_account(&call.account, now).await?;
        let end = now.max(call.started);
        let duration = call.answered.map_or(0, |a| (end - a).max(0));
        let emergency = tollgate_core::guard::is_emergency(
            &call.to,
            Some(&call.from),
            Some(&acct.policy.home_country),
        );
        let raw = RawCdr {
            source: Some("guard".to_string()),
            call_id: Some(call_id.to_string()),
            billing_account: Some(call.account.clone()),
            from: Some(format!("+{}", call.from)),
            to: Some(if emergency {
                call.to.clone()
            } else {
                format!("+{}", call.to)
            }),
            start: Some(call.started.to_string()),
            answer: call.answered.map(|a| a.to_string()),
            end: Some(end.to_string()),
            duration_s: Some(duration.to_string()),
            disposition: Some(
                if call.answered.is_some() {
                    "answered"
                } else {
                    "no_answer"
                }
                .to_string(),
            ),
            direction: Some(if emergency { "emergency" } else { "outbound" }.to_string()),
        };
        let report = self
            .ingest_lines(
                actor,
                vec![(1, Ok(raw), format!("guard call {call_id}"))],
                None,
                None,
            )
            .await?;
        if self.guard.counters.end(call_id).is_none() {
            // Another report ended it meanwhile; intake was idempotent, nothing counts twice.
            return Err(AppError::NotFound("live call"));
        }
        self.emit(CallEvent::Ended(call_id.to_string(), now));
        let cost: i64 = report.totals.values().map(|(_, m)| m).sum();
        {
            let mut g = self.guard.inner.lock().expect("guard lock");
            g.release(call_id);
            if acct.credit_limit.is_some() && cost > 0 {
                // The hold is gone and the credit left is re-read from the stored CDRs by
                // the next decision, under the same lock, so no decision sees neither.
                g.accounts.remove(&call.account);
            }
        }
        let mut incidents = Vec::new();
        let detectors = Detectors {
            t: &self.guard.thresholds,
        };
        self.guard
            .counters
            .account_window(&call.account, now, &mut |w| {
                incidents = detectors.on_end(w, &acct.policy, duration as u32, cost, now)
            });
        let ids = self
            .raise_incidents(actor, &call.account, &acct, None, &incidents, now)
            .await?;
        Ok(json!({
            "call_id": call_id, "duration_s": duration, "rated": report.inserted == 1,
            "rejected": report.rejects.first().map(|r| json!({"code": r.code, "message": r.message})),
            "incidents": ids,
        }))
    }

    /// Ends calls the edge never reported ended, once they are older than the longest call
    /// the guard admits plus [`STALE_CALL_GRACE_S`]: the licence is freed and the call is
    /// recorded as lasting its maximum (the edge was told `max_duration_s`). Returns the ids.
    pub async fn reap_stale_calls(&self, actor: &Actor) -> Result<Vec<String>, AppError> {
        let now = self.now();
        let before = now - i64::from(tollgate_core::rating::MAX_CALL_CAP_S) - STALE_CALL_GRACE_S;
        let mut reaped = Vec::new();
        for id in self.guard.counters.started_before(before) {
            let Some(call) = self.guard.counters.get(&id) else {
                continue;
            };
            let at = call
                .answered
                .map_or(call.started, |a| {
                    a + i64::from(tollgate_core::rating::MAX_CALL_CAP_S)
                })
                .clamp(now - MAX_EVENT_SKEW_S, now);
            match self.guard_end(actor, &id, Some(at)).await {
                Ok(_) => reaped.push(id),
                Err(e) => tracing::warn!(call_id = %id, error = %e, "could not end a stale call"),
            }
        }
        Ok(reaped)
    }

    /// F6: an authentication failure seen by the SIP edge.
    pub async fn guard_auth_failure(
        &self,
        actor: &Actor,
        source: &str,
        at: Option<i64>,
    ) -> Result<Vec<String>, AppError> {
        if source.parse::<std::net::IpAddr>().is_err() {
            return Err(AppError::invalid(
                "source_invalid",
                "source",
                format!("`{source}` is not an IP address"),
            ));
        }
        let now = self.guard_time(at)?;
        let mut incidents = Vec::new();
        let detectors = Detectors {
            t: &self.guard.thresholds,
        };
        self.guard.counters.source_window(source, now, &mut |w| {
            incidents = detectors.on_auth_failure(w, source, now)
        });
        let none = CachedAccount {
            policy: AccountPolicy {
                validated: false,
                licensed_calls: 0,
                site_bandwidth_kbps: None,
                home_country: String::new(),
                international_allowlist: vec![],
                owned_numbers: vec![],
                credit_left_micros: None,
                max_call_duration_s: 0,
                suspensions: vec![],
                announcements: vec![],
            },
            customer_id: String::new(),
            rate_table: None,
            profile: (crate::terms::DEFAULT_PROFILE.into(), 1),
            loaded_at: 0,
            credit_limit: None,
        };
        self.raise_incidents(actor, "", &none, Some(source), &incidents, now)
            .await
    }

    /// Operator suspension (full or selective), audited and notified.
    pub async fn suspend(
        &self,
        caller: &Caller,
        account: &str,
        scope: &str,
        reason: &str,
        until: Option<i64>,
        rule: Option<&str>,
    ) -> Result<SuspensionRow, AppError> {
        let rule = match rule.unwrap_or("F4") {
            r if SUSPENSION_RULES.contains(&r) => rules::by_id(r).unwrap_or(rules::F4),
            r => {
                return Err(AppError::invalid(
                    "rule_invalid",
                    "rule",
                    format!(
                        "`{r}` is not a suspension rule ({})",
                        SUSPENSION_RULES.join(", ")
                    ),
                ))
            }
        };
        let scope = SuspensionScope::parse(scope).ok_or_else(|| {
            AppError::invalid(
                "scope_invalid",
                "scope",
                "must be all, outbound or international",
            )
        })?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason_required",
                "reason",
                "say why (it is shown to the customer)",
            ));
        }
        st::get_billing_account(&self.store, ScopeFilter(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        let now = self.now();
        if until.is_some_and(|u| u <= now) {
            return Err(AppError::invalid(
                "until_in_past",
                "until",
                "must be in the future",
            ));
        }
        let acct = self.cached_account(account, now).await?;
        let s = SuspensionRow {
            id: new_id("sus"),
            billing_account_id: account.into(),
            scope: scope.as_str().into(),
            rule: rule.rule.into(),
            clause: self.clause_for(&acct.profile, rule),
            reason: reason.trim().into(),
            created_at: now,
            created_by: caller.actor.actor.clone(),
            until_at: until,
            incident_id: None,
            lifted_at: None,
            lifted_by: None,
            lift_reason: None,
        };
        let mut tx = self.store.begin().await?;
        sg::insert_suspension(&mut tx, &s).await?;
        self.notify_contacts(
            &mut tx,
            &acct.customer_id,
            now,
            "Service suspended",
            format!(
                "{} calls of billing account {account} are suspended: {} (rule {}, {}).",
                scope.as_str(),
                s.reason,
                s.rule,
                s.clause
            ),
            rule.rule,
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.suspend",
                &s.id,
                json!({"account": account, "scope": s.scope, "until": until}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(account);
        Ok(s)
    }

    /// Reactivation (F4: when checks do not confirm the suspicion), audited and notified.
    pub async fn reactivate(
        &self,
        caller: &Caller,
        suspension_id: &str,
        reason: &str,
    ) -> Result<SuspensionRow, AppError> {
        let s = sg::get_suspension(&self.store, suspension_id)
            .await?
            .ok_or(AppError::NotFound("suspension"))?;
        let acct_row = st::get_billing_account(
            &self.store,
            ScopeFilter(&caller.scope),
            &s.billing_account_id,
        )
        .await
        .map_err(|_| AppError::NotFound("suspension"))?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason_required",
                "reason",
                "say why the suspension is lifted",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !sg::lift_suspension(
            &mut tx,
            suspension_id,
            now,
            &caller.actor.actor,
            reason.trim(),
        )
        .await?
        {
            return Err(AppError::Conflict {
                code: "suspension_not_active",
                message: "the suspension was already lifted".into(),
            });
        }
        self.notify_contacts(
            &mut tx,
            &acct_row.customer_id,
            now,
            "Service reactivated",
            format!(
                "The {} suspension of billing account {} is lifted: {}.",
                s.scope,
                s.billing_account_id,
                reason.trim()
            ),
            "F4",
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.reactivate",
                suspension_id,
                json!({"account": s.billing_account_id, "reason": reason.trim()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        {
            let mut g = self.guard.inner.lock().expect("guard lock");
            g.accounts.remove(&s.billing_account_id);
        }
        self.guard
            .counters
            .account_window(&s.billing_account_id, now, &mut reset_fired);
        sg::get_suspension(&self.store, suspension_id)
            .await?
            .ok_or(AppError::NotFound("suspension"))
    }

    pub async fn list_suspensions(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<SuspensionRow>, AppError> {
        Ok(sg::list_suspensions(&self.store, ScopeFilter(&caller.scope), page).await?)
    }

    pub async fn list_incidents(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<IncidentRow>, AppError> {
        Ok(sg::list_incidents(&self.store, ScopeFilter(&caller.scope), page).await?)
    }

    /// Sets an account's guard policy (validation, licences, bandwidth, allowlist, credit).
    pub async fn set_guard_policy(
        &self,
        caller: &Caller,
        p: PolicyRow,
    ) -> Result<PolicyRow, AppError> {
        st::get_billing_account(
            &self.store,
            ScopeFilter(&caller.scope),
            &p.billing_account_id,
        )
        .await
        .map_err(|_| AppError::NotFound("billing account"))?;
        if p.licensed_calls < 0 {
            return Err(AppError::invalid(
                "licensed_calls_invalid",
                "licensed_calls",
                "must not be negative",
            ));
        }
        if p.site_bandwidth_kbps.is_some_and(|b| b < 0) {
            return Err(AppError::invalid(
                "site_bandwidth_kbps_invalid",
                "site_bandwidth_kbps",
                "must not be negative",
            ));
        }
        if p.credit_limit_micros.is_some_and(|c| c < 0) {
            return Err(AppError::invalid(
                "credit_limit_invalid",
                "credit_limit",
                "must not be negative",
            ));
        }
        if !tollgate_core::country::is_known(&p.home_country) {
            return Err(AppError::invalid(
                "home_country_invalid",
                "home_country",
                format!(
                    "`{}` is not an ISO 3166-1 alpha-2 country code (`US`, `GB`, `FR`)",
                    p.home_country
                ),
            ));
        }
        for c in p
            .international_allowlist
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if !tollgate_core::country::is_known(c) {
                return Err(AppError::invalid(
                    "allowlist_invalid",
                    "international_allowlist",
                    format!("`{c}` is not an ISO 3166-1 alpha-2 country code (`CA`, `JM`)"),
                ));
            }
        }
        let now = self.now();
        let p = PolicyRow {
            updated_at: now,
            ..p
        };
        let mut tx = self.store.begin().await?;
        sg::put_policy(&mut tx, &p).await?;
        audit::append(&mut tx, &audit_row(&caller.actor, now, "guard.policy", &p.billing_account_id, json!({"validated": p.validated, "licensed_calls": p.licensed_calls, "allowlist": p.international_allowlist}))).await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(&p.billing_account_id);
        Ok(p)
    }

    pub async fn get_guard_policy(
        &self,
        caller: &Caller,
        account: &str,
    ) -> Result<Option<PolicyRow>, AppError> {
        st::get_billing_account(&self.store, ScopeFilter(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        Ok(sg::get_policy(&self.store, account).await?)
    }

    /// F7: the customer announces legitimate unusual activity; thresholds rise by `factor`
    /// for the window; forbidden destinations stay forbidden.
    pub async fn announce(
        &self,
        caller: &Caller,
        account: &str,
        from: i64,
        until: i64,
        factor: i64,
        note: &str,
    ) -> Result<sg::AnnouncementRow, AppError> {
        st::get_billing_account(&self.store, ScopeFilter(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        if until <= from {
            return Err(AppError::invalid(
                "window_invalid",
                "until",
                "must be after `from`",
            ));
        }
        if until - from > 31 * 86_400 {
            return Err(AppError::invalid(
                "window_too_long",
                "until",
                "an announcement covers at most 31 days",
            ));
        }
        if !(2..=100).contains(&factor) {
            return Err(AppError::invalid("factor_invalid", "factor", "2 to 100"));
        }
        let now = self.now();
        let a = sg::AnnouncementRow {
            id: new_id("ann"),
            billing_account_id: account.into(),
            from_at: from,
            until_at: until,
            factor,
            note: note.trim().into(),
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        sg::insert_announcement(&mut tx, &a).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.announce",
                account,
                json!({"from": from, "until": until, "factor": factor, "rule": "F7"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(account);
        Ok(a)
    }

    /// Adds an operator-managed forbidden destination range (F2).
    pub async fn add_destination_prefix(
        &self,
        caller: &Caller,
        prefix: &str,
        class: &str,
        note: &str,
    ) -> Result<(), AppError> {
        let c = DestClass::parse(class).ok_or_else(|| {
            AppError::invalid(
                "class_invalid",
                "class",
                "premium_rate, shared_cost, personal_number, uan or high_risk",
            )
        })?;
        let prefix = prefix.trim().trim_start_matches('+');
        self.guard
            .inner
            .lock()
            .expect("guard lock")
            .classes
            .clone()
            .add(prefix, c)
            .map_err(|m| AppError::from(Refusal::invalid("prefix_invalid", "prefix", m)))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        sg::put_destination_prefix(&mut tx, prefix, c.as_str(), note, now, &caller.actor.actor)
            .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.destination_prefix",
                prefix,
                json!({"class": c.as_str()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        let _ = self
            .guard
            .inner
            .lock()
            .expect("guard lock")
            .classes
            .add(prefix, c);
        Ok(())
    }

    /// Live calls now, per account (for the status of an account).
    pub fn live_calls(&self, account: &str) -> Live {
        self.guard.counters.live(account)
    }
}

/// Demo guard data: policies for the demo accounts and a few decisions through the guard
/// (an allowed call, a refused premium-rate call, a busy over-licence call, an emergency call).
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let sys = Caller::system(actor.clone());
    let page = Page::first(100);
    let homes = [
        ("Acme Dental", "FR", "DE,GB"),
        ("Bayview Bakery", "FR", ""),
        ("Harbor Logistics", "GB", "FR"),
        ("Direct Corp", "US", ""),
    ];
    for (customer, home, allow) in homes {
        let Some(c) = st::find_customer_by_name(&app.store, customer).await? else {
            continue;
        };
        for ba in app.list_billing_accounts(&sys, Some(&c.id), &page).await? {
            if sg::get_policy(&app.store, &ba.id).await?.is_some() {
                continue;
            }
            let p = PolicyRow {
                billing_account_id: ba.id.clone(),
                validated: true,
                licensed_calls: if ba.name == "Acme Dental Branch" {
                    1
                } else {
                    DEFAULT_LICENSED_CALLS
                },
                site_bandwidth_kbps: Some(1_000),
                home_country: home.into(),
                international_allowlist: allow.into(),
                credit_limit_micros: None,
                updated_at: 0,
            };
            app.set_guard_policy(&sys, p).await?;
            let numbers =
                tollgate_store::numbers::active_numbers_of_account(&app.store, &ba.id).await?;
            let Some(from) = numbers.first() else {
                continue;
            };
            if ba.name == "Acme Dental HQ" {
                let now = app.now();
                for (to, answer) in [
                    ("+33142685300", true),
                    ("+33899123456", false),
                    ("112", false),
                ] {
                    let req = CallRequest {
                        billing_account: Some(ba.id.clone()),
                        from: format!("+{from}"),
                        to: to.into(),
                        source_ip: Some("198.51.100.10".into()),
                        at: Some(now - 600),
                        call_id: Some(format!("demo-guard-{to}")),
                    };
                    if sg::get_call(&app.store, &format!("demo-guard-{to}"))
                        .await?
                        .is_some()
                    {
                        continue;
                    }
                    let d = app.guard_call(&actor, req).await?;
                    if d.verdict.decision == Decision::Allow {
                        if answer {
                            app.guard_answer(&d.call_id, Some(now - 595)).await?;
                        }
                        app.guard_end(&actor, &d.call_id, Some(now - 420)).await?;
                    }
                }
            }
        }
    }
    Ok(())
}
