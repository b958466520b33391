//! T13: emergency calls are decided first, from memory, and never wait on the database.

use std::time::Duration;

use super::*;

/// The longest an emergency answer waits for its lookups (account, profile, address).
pub const EMERGENCY_LOOKUP_BUDGET_MS: u64 = 250;
/// Longest dialled text carried into a notice.
const MAX_DIALLED_CHARS: usize = 32;

/// The dialled text as it may appear in a notice: visible ASCII only, bounded (no header or
/// control characters from the edge reach an e-mail).
fn printable(dialled: &str) -> String {
    dialled
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(MAX_DIALLED_CHARS)
        .collect()
}

impl App {
    /// Runs `f` on its own task and waits at most [`EMERGENCY_LOOKUP_BUDGET_MS`] for it. The
    /// task is never cancelled: a database query is not dropped half-way (which can leave a
    /// pooled connection unusable); when the budget runs out the answer goes on without it
    /// and the task finishes in the background (warming the account cache).
    pub(super) async fn within_budget<T, F, Fut>(&self, f: F) -> Option<T>
    where
        T: Send + 'static,
        F: FnOnce(App) -> Fut,
        Fut: std::future::Future<Output = T> + Send + 'static,
    {
        let task = tokio::spawn(f(self.clone()));
        match tokio::time::timeout(Duration::from_millis(EMERGENCY_LOOKUP_BUDGET_MS), task).await {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "emergency lookup task failed");
                None
            }
            Err(_) => {
                tracing::warn!(
                    budget_ms = EMERGENCY_LOOKUP_BUDGET_MS,
                    "emergency lookup not answered in time: the database was slow"
                );
                None
            }
        }
    }

    /// An emergency call (T13): always admitted, decided from memory. The account, its
    /// profile and the registered address are looked up within [`EMERGENCY_LOOKUP_BUDGET_MS`]
    /// (reads only; they never queue behind a writer); whatever is not found in time is left
    /// out of the answer, never waited for. The call is tracked as live when its account is
    /// known (so it reaches the CDRs, never charged); the designated contact's notice and the
    /// audit entry go through the write queue.
    pub(super) async fn emergency_call(&self, req: &CallRequest) -> Decided {
        let now = self.guard_time(req.at).unwrap_or_else(|_| self.now());
        let from = e164::normalize(&req.from, "from").ok();
        let (req2, from2) = (req.clone(), from.clone());
        let lookups = move |app: App| async move {
            let account = match &from2 {
                Some(f) => app.resolve_account(&req2, f).await.ok(),
                None => req2.billing_account.clone(),
            };
            let acct = match &account {
                Some(a) => app.cached_account(a, now).await.ok(),
                None => None,
            };
            let address = match &from2 {
                Some(f) => app.emergency_address_at(f, now).await.unwrap_or_else(|e| {
                    tracing::error!(error = %e, "emergency address lookup failed");
                    None
                }),
                None => None,
            };
            (account, acct, address)
        };
        let (account, acct, address) =
            self.within_budget(lookups)
                .await
                .unwrap_or((req.billing_account.clone(), None, None));
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
            .filter(|c| {
                !c.is_empty()
                    && c.chars().count() <= MAX_CALL_ID_CHARS
                    && !c.chars().any(char::is_control)
            })
            .unwrap_or_else(|| new_id("call"));
        // Recorded under the short code (`+33 112` is `112`), so the call is known as an
        // emergency call to the end: never cut, never charged.
        let dialled = tollgate_core::country::short_code(&req.to);
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
            self.enqueue(GuardWrite::Admitted(CallRow {
                call_id: call_id.clone(),
                billing_account_id: account.clone(),
                from_number: live.from,
                to_number: live.to,
                international: false,
                source: req
                    .source_ip
                    .clone()
                    .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
                    .unwrap_or_default(),
                started_at: now,
                answered_at: None,
                ended_at: None,
            }));
        }
        let emergency = match &from {
            Some(f) => self.notice_and_answer(f, now, &req.to, address),
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

    /// The registered address and call-back of an emergency call (looked up within the
    /// budget) and its notice queued for the designated contact.
    pub(super) async fn emergency_data(
        &self,
        from: &str,
        now: i64,
        dialled: &str,
    ) -> EmergencyData {
        let f = from.to_string();
        let address = self
            .within_budget(move |app: App| async move { app.emergency_address_at(&f, now).await })
            .await
            .and_then(|r| {
                r.unwrap_or_else(|e| {
                    tracing::error!(error = %e, "emergency address lookup failed");
                    None
                })
            });
        self.notice_and_answer(from, now, dialled, address)
    }

    /// Queues the T13 notice to the designated contact and builds the answer's emergency
    /// data (the registered address, or none, and the call-back number).
    fn notice_and_answer(
        &self,
        from: &str,
        now: i64,
        dialled: &str,
        address: Option<crate::numbers::EmergencyInfo>,
    ) -> EmergencyData {
        self.enqueue(GuardWrite::EmergencyNotice {
            from: from.to_string(),
            at: now,
            dialled: printable(dialled),
        });
        EmergencyData {
            address: address.as_ref().map(|i| i.address.clone()),
            callback: address.map_or(format!("+{from}"), |i| i.callback),
        }
    }
}
