//! Call progress reported by the edge: answer, end (a rated CDR), stale calls, SIP
//! authentication failures (F6).

use super::*;

impl App {
    /// The call was answered.
    pub async fn guard_answer(&self, call_id: &str, at: Option<i64>) -> Result<(), AppError> {
        let now = self.call_event_time(at)?;
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
        self.enqueue(GuardWrite::Answered(call_id.to_string(), now));
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
        let now = self.call_event_time(at)?;
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
        self.enqueue(GuardWrite::Ended(call_id.to_string(), now));
        self.forget_cut(call_id);
        let cost: i64 = report.totals.values().map(|(_, m)| m).sum();
        {
            let mut g = self.guard.inner.lock().expect("guard lock");
            g.release(call_id);
            if acct.credit_limit.is_some() && cost > 0 {
                // The hold is gone and the credit left is re-read from the stored CDRs by
                // the next decision, under the same lock, so no decision sees neither.
                g.mark_stale(&call.account);
            }
        }
        let mut incidents = Vec::new();
        let detectors = Detectors {
            t: &self.guard.thresholds,
        };
        // T13: emergency calls are no evidence of fraud (twenty short 911 calls are not a
        // dialer), so they never reach the detectors.
        if !emergency {
            self.guard
                .counters
                .account_window(&call.account, now, &mut |w| {
                    incidents = detectors.on_end(w, &acct.policy, duration as u32, cost, now)
                });
        }
        let ids = self.raise_incidents(actor, &call.account, &acct, None, &incidents, now);
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
    /// F6: an authentication failure seen by the SIP edge, with the account under attack
    /// when the edge knows it (`account`, or a `username` that is one of its numbers): when
    /// the source is banned, that account gets an incident too, so its admins hear of it.
    pub async fn guard_auth_failure(
        &self,
        actor: &Actor,
        source: &str,
        at: Option<i64>,
        account: Option<&str>,
        username: Option<&str>,
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
            currency: String::new(),
            profile: (crate::terms::DEFAULT_PROFILE.into(), 1),
            loaded_at: 0,
            stale: false,
            credit_limit: None,
        };
        let mut ids = self.raise_incidents(actor, "", &none, Some(source), &incidents, now);
        let banned = incidents.iter().any(|i| i.detector == "auth_failures");
        if banned {
            let target = match (account, username) {
                (Some(a), _) if !a.is_empty() => Some(a.to_string()),
                (_, Some(u)) => match e164::normalize(u, "username") {
                    Ok(d) => tollgate_store::numbers::system::find_by_e164(&self.store, &d)
                        .await?
                        .and_then(|n| n.billing_account_id),
                    Err(_) => None,
                },
                _ => None,
            };
            if let Some(a) = target {
                if let Ok(acct) = self.cached_account(&a, now).await {
                    let attack = Incident {
                        detector: "auth_attack_on_account",
                        rule: rules::F6,
                        count: incidents.first().map_or(0, |i| i.count),
                        window_s: self.guard.thresholds.auth_window_s,
                        threshold: self.guard.thresholds.auth_failures as u64,
                        detail: format!(
                            "repeated authentication failures against this account from {source}; the source is banned"
                        ),
                        action: Action::AlertOnly,
                    };
                    ids.extend(self.raise_incidents(
                        actor,
                        &a,
                        &acct,
                        Some(source),
                        &[attack],
                        now,
                    ));
                }
            }
        }
        Ok(ids)
    }
}
