//! The admission decision (the hot path): contract checks, detectors, price and credit,
//! then the atomic count of the call. Reads only memory once the account is cached.

use super::*;

impl App {
    /// T13: whether this call reaches emergency services for its caller. The caller's
    /// country is the account's home country, and the calling number's country when that
    /// number is the account's own (F8: a caller ID the account does not own does not choose
    /// the country). Decided from memory when the account is known to the guard (even if it
    /// changed meanwhile); otherwise the account is read within the emergency budget (reads
    /// never queue behind a writer); if that fails too, the calling number's country, or
    /// with none, any code that is an emergency number somewhere: a real emergency call is
    /// never refused.
    pub(super) async fn is_emergency_call(&self, req: &CallRequest) -> bool {
        let from = e164::normalize(&req.from, "from").ok();
        let known = |account: &str| {
            let g = self.guard.inner.lock().expect("guard lock");
            g.accounts.get(account).map(|a| {
                let owned = from.as_deref().is_some_and(|f| {
                    a.policy
                        .owned_numbers
                        .binary_search_by(|n| n.as_str().cmp(f))
                        .is_ok()
                });
                (a.policy.home_country.clone(), owned)
            })
        };
        let decide = |home: &str, owned: bool| {
            tollgate_core::guard::is_emergency(
                &req.to,
                from.as_deref().filter(|_| owned),
                Some(home),
            )
        };
        if let Some((home, owned)) = req.billing_account.as_deref().and_then(known) {
            return decide(&home, owned);
        }
        let (req2, from2) = (req.clone(), from.clone());
        let lookup = move |app: App| async move {
            let f = from2.as_deref()?;
            let account = app.resolve_account(&req2, f).await.ok()?;
            app.cached_account(&account, app.now()).await.ok()?;
            Some(account)
        };
        match self.within_budget(lookup).await.flatten() {
            Some(account) => match known(&account) {
                Some((home, owned)) => decide(&home, owned),
                None => tollgate_core::guard::is_emergency(&req.to, from.as_deref(), None),
            },
            None => tollgate_core::guard::is_emergency(&req.to, from.as_deref(), None),
        }
    }

    /// `POST /v1/guard/calls`: admit, refuse or answer busy, with the rule and clause.
    /// Counted and timed for `/metrics`.
    pub async fn guard_call(&self, actor: &Actor, req: CallRequest) -> Result<Decided, AppError> {
        let t0 = std::time::Instant::now();
        let d = self.decide_call(actor, req).await;
        let micros = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
        match &d {
            Ok(d) => self
                .metrics
                .decided(d.verdict.decision.as_str(), d.verdict.code, micros),
            Err(_) => self.metrics.decided("error", "invalid_request", micros),
        }
        d
    }

    async fn decide_call(&self, actor: &Actor, req: CallRequest) -> Result<Decided, AppError> {
        // T13 first, before anything that could refuse: a withheld caller ID, an unknown
        // number, an odd `at` or a busy database never stand between a caller and 112.
        if self.is_emergency_call(&req).await {
            return Ok(self.emergency_call(&req).await);
        }
        if self.guard.writes.is_full() {
            // Degraded, as documented in `writes`: no call is admitted without its record.
            return Ok(Decided {
                verdict: Verdict {
                    decision: Decision::Busy,
                    code: "guard_backlog",
                    rule: rules::T4,
                    message: format!(
                        "{} guard writes wait for the database; new calls are refused until they are stored",
                        self.guard.writes.pending()
                    ),
                    max_duration_s: 0,
                    emergency: false,
                    international: false,
                },
                clause: rules::T4.clause.to_string(),
                call_id: req.call_id.clone().unwrap_or_default(),
                billing_account: req.billing_account.clone().unwrap_or_default(),
                emergency: None,
                incidents: Vec::new(),
            });
        }
        let now = self.guard_time(req.at)?;
        let from = e164::normalize(&req.from, "from")?;
        let to = e164::normalize(&req.to, "to").ok();
        if let Some(id) = &req.call_id {
            if id.is_empty()
                || id.chars().count() > MAX_CALL_ID_CHARS
                || id.chars().any(char::is_control)
            {
                return Err(AppError::invalid(
                    "call_id_invalid",
                    "call_id",
                    format!("1 to {MAX_CALL_ID_CHARS} characters, no control characters"),
                ));
            }
        }
        if let Some(ip) = req.source_ip.as_deref().filter(|s| !s.is_empty()) {
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err(AppError::invalid(
                    "source_invalid",
                    "source_ip",
                    format!(
                        "`{}` is not an IP address",
                        ip.chars().take(64).collect::<String>()
                    ),
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
        // Whether this decision placed a credit hold (released if the call is not counted).
        let mut held = false;
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
                let row = table.as_ref().and_then(|t| t.lookup(to, now));
                let facts = CallFacts {
                    to,
                    rate_per_min_micros: row.map(|r| r.rate_per_min_micros),
                    source: req.source_ip.as_deref(),
                };
                counters.account_window(&account, now, &mut |w| {
                    incidents.extend(detectors.on_attempt(
                        w,
                        &acct.policy,
                        live,
                        &facts,
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
                    if let Some(r) = row.filter(|r| r.currency.as_str() != acct.currency) {
                        // B1: the call could never be billed; refuse it rather than admit a
                        // call whose CDR intake must reject.
                        return Ok(Decided {
                            clause: self.clause_for(&acct.profile, rules::B1),
                            verdict: Verdict {
                                decision: Decision::Deny,
                                code: "rate_currency_mismatch",
                                rule: rules::B1,
                                message: format!(
                                    "the rate for +{to} is in {} but the account bills in {}",
                                    r.currency, acct.currency
                                ),
                                max_duration_s: 0,
                                emergency: false,
                                international,
                            },
                            incidents: self
                                .raise_incidents(actor, &account, &acct, None, &incidents, now),
                            call_id,
                            billing_account: account,
                            emergency: None,
                        });
                    }
                    let mut g = self.guard.inner.lock().expect("guard lock");
                    let reserved = g.reserved.get(&account).copied().unwrap_or(0);
                    let mut v = check_price(&acct.policy, row, international, reserved);
                    // Until the edge has cut a suspended account's calls, a call to a very
                    // costly destination is bounded (IRSF: the loss per call is capped).
                    let t = &self.guard.thresholds;
                    if row.is_some_and(|r| r.rate_per_min_micros >= t.very_costly_rate_micros) {
                        v.max_duration_s = v.max_duration_s.min(t.costly_call_max_s);
                    }
                    if let (Decision::Allow, Some(row), Some(_)) =
                        (v.decision, row, acct.policy.credit_left_micros)
                    {
                        held = g.hold(&call_id, &account, worst_case_cost(row, v.max_duration_s));
                    }
                    v
                }
            }
        };
        // Incidents take effect in memory now and are persisted by the write queue.
        let incident_ids = self.raise_incidents(actor, &account, &acct, None, &incidents, now);
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
            if admitted.is_err() && held {
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
            self.enqueue(GuardWrite::Admitted(CallRow {
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
}
