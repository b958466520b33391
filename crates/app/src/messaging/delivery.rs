//! Delivery: the worker that submits due messages through the SMPP session, applies delivery
//! receipts and takes inbound messages.
//!
//! States: `queued` → `submitting` (claimed, one attempt more, committed before sending) →
//! `submitted` (the SMSC's id) → `delivered` | `failed` by the receipt. An unavailable SMSC
//! puts the message back in the queue ([`RETRY_AFTER_S`]). A process stopped between the
//! claim and the SMSC's answer leaves `submitting` rows: at the next start they become
//! `unknown` and are not sent again (a message is submitted at most once); queued messages
//! are all still there.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;
use tollgate_core::messaging::check_suspension;
use tollgate_core::messaging::quiet::Quiet;
use tollgate_core::rules;
use tollgate_store::messaging::{system as msg_store, MessageRow};

use super::connector::Connector;
use super::smpp::{Delivered, Inbound, ReceiptState, SmppClient, SubmitError};
use crate::{Actor, App, AppError};

/// Due messages read per pass.
pub const DUE_BATCH: i64 = 500;
/// Longest sleep of an idle worker before it looks at the queue again.
pub const IDLE_WAIT_MS: u64 = 1_000;
/// When an unavailable SMSC is tried again for a message.
pub const RETRY_AFTER_S: i64 = 5;
/// Receipts kept that arrived before their submission was recorded.
pub const MAX_EARLY_RECEIPTS: usize = 10_000;
/// Submissions in flight at once (the SMPP window bounds them further).
pub const MAX_IN_FLIGHT: usize = 256;

/// Codes of the system's own replies that go out even to an opted-out recipient (M3: the
/// opt-out confirmation).
const SYSTEM_REPLIES: &[&str] = &["opt_out_confirmation", "opt_in_confirmation", "help_reply"];

/// What release makes of a queued message.
enum Release {
    Go,
    Refused,
    /// Not yet: due again at this time.
    Later(i64),
}

/// The running delivery tasks.
pub struct Delivery {
    pub connector: Connector,
    tasks: Vec<JoinHandle<()>>,
}

impl Delivery {
    /// Stops the worker and unbinds.
    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.connector.stop().await;
    }
}

fn receipt_state(s: ReceiptState) -> Option<&'static str> {
    match s {
        ReceiptState::Delivered => Some("delivered"),
        ReceiptState::Failed | ReceiptState::Expired | ReceiptState::Rejected => Some("failed"),
        ReceiptState::Other => None,
    }
}

impl App {
    /// Starts delivering through an SMPP session (receipts and inbound messages come back on
    /// it): see [`App::start_connector`].
    pub async fn start_delivery(
        &self,
        client: SmppClient,
        inbound: mpsc::Receiver<Delivered>,
    ) -> Result<Delivery, AppError> {
        self.start_connector(Connector::Smpp(client), Some(inbound))
            .await
    }

    /// Starts delivering through a connector: messages a stopped process left mid-submit are
    /// marked `unknown`, then the worker (and the SMPP inbound reader) run until stopped.
    pub async fn start_connector(
        &self,
        connector: Connector,
        inbound: Option<mpsc::Receiver<Delivered>>,
    ) -> Result<Delivery, AppError> {
        let orphaned = msg_store::orphaned_submissions(&self.store, self.now()).await?;
        if orphaned > 0 {
            tracing::warn!(
                orphaned,
                "messages left mid-submission by a stopped process marked unknown (not sent again)"
            );
        }
        let mut tasks = Vec::new();
        let (app, c) = (self.clone(), connector.clone());
        tasks.push(tokio::spawn(async move { app.delivery_loop(c).await }));
        if let Some(inbound) = inbound {
            let app = self.clone();
            tasks.push(tokio::spawn(async move { app.inbound_loop(inbound).await }));
        }
        Ok(Delivery { connector, tasks })
    }

    async fn delivery_loop(&self, client: Connector) {
        loop {
            let n = match self.deliver_due(&client).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "message delivery pass failed");
                    0
                }
            };
            if n == 0 {
                let wait = match msg_store::next_due(&self.store).await {
                    Ok(Some(t)) => ((t - self.now()).max(0) as u64 * 1_000).clamp(10, IDLE_WAIT_MS),
                    _ => IDLE_WAIT_MS,
                };
                tokio::select! {
                    _ = self.messaging.wake.notified() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_millis(wait)) => {}
                }
            }
        }
    }

    async fn inbound_loop(&self, mut inbound: mpsc::Receiver<Delivered>) {
        let actor = Actor {
            actor: "system:smpp".into(),
            source: "smpp".into(),
            request_id: "smpp".into(),
        };
        while let Some(d) = inbound.recv().await {
            let r = match &d.inbound {
                Inbound::Receipt {
                    message_id,
                    state,
                    error,
                } => self.apply_receipt(message_id, *state, error).await,
                Inbound::Message { from, to, body } => self
                    .receive_message(&actor, from, to, body)
                    .await
                    .map(|_| ()),
            };
            // The SMSC hears "kept" only after the commit; otherwise it delivers it again.
            let kept = match r {
                Ok(()) => true,
                Err(AppError::Invalid { .. }) | Err(AppError::NotFound(_)) => {
                    tracing::warn!("inbound SMPP traffic for no account of ours: dropped");
                    true
                }
                Err(e) => {
                    tracing::warn!(error = %e, "inbound SMPP traffic not applied; the SMSC will retry");
                    false
                }
            };
            d.ack(kept);
        }
    }

    /// One pass over the due messages: how many were handled (0 when the SMSC is not bound).
    pub async fn deliver_due(&self, client: &Connector) -> Result<usize, AppError> {
        if !client.is_ready() {
            return Ok(0);
        }
        let now = self.now();
        let due = msg_store::due(&self.store, now, DUE_BATCH).await?;
        let n = due.len();
        // A message is claimed (`submitting`) only once the window has room for it, so a crash
        // leaves at most a window's worth `unknown`; queued ones wait queued.
        let slots = Arc::new(Semaphore::new(client.window().min(MAX_IN_FLIGHT)));
        let mut running = tokio::task::JoinSet::new();
        for m in due {
            let permit = slots
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let now = self.now();
            match self.release_check(&m, now).await? {
                Release::Go => {}
                Release::Refused => continue,
                Release::Later(at) => {
                    msg_store::reschedule(&self.store, &m.id, at, now).await?;
                    continue;
                }
            }
            if !msg_store::claim(&self.store, &m.id, client.name(), now).await? {
                continue;
            }
            let (app, client) = (self.clone(), client.clone());
            running.spawn(async move {
                let r = app.submit_one(&client, &m).await;
                drop(permit);
                if let Err(e) = r {
                    tracing::error!(error = %e, id = %m.id, "recording a submission failed");
                }
            });
        }
        while running.join_next().await.is_some() {}
        Ok(n)
    }

    /// The questions asked again when a queued message is released (it may have waited for
    /// the quiet hours, or for the SMSC): a suspension since (F4), an opt-out or suppression
    /// since (M3), and for marketing the quiet hours now (M4: a backlog never sends after
    /// hours; it waits for the next allowed minute). The system's own replies go regardless.
    async fn release_check(&self, m: &MessageRow, now: i64) -> Result<Release, AppError> {
        if SYSTEM_REPLIES.contains(&m.code.as_str()) {
            return Ok(Release::Go);
        }
        let acct = self.cached_account(&m.billing_account_id, now).await?;
        self.load_messaging_facts(&m.billing_account_id, now)
            .await?;
        let (cs, suppressed) = {
            let a = self.messaging.accounts.lock().expect("messaging lock");
            let f = a.get(&m.billing_account_id);
            (
                f.and_then(|f| f.consent.get(&m.recipient))
                    .cloned()
                    .unwrap_or_default(),
                f.is_some_and(|f| f.suppressed.contains(&m.recipient)),
            )
        };
        let international = tollgate_core::country::country_of(&m.recipient)
            != Some(acct.policy.home_country.as_str());
        let refusal = check_suspension(&acct.policy.suspensions, international, now)
            .map(|a| (a.code, a.rule.unwrap_or(rules::F4), a.message));
        let refusal = refusal.or_else(|| {
            if cs.opted_out {
                Some((
                    "recipient_opted_out",
                    rules::M3,
                    "the recipient opted out after the message was admitted".to_string(),
                ))
            } else if suppressed {
                Some((
                    "recipient_suppressed",
                    rules::M3,
                    "the recipient was suppressed after the message was admitted".to_string(),
                ))
            } else {
                None
            }
        });
        if let Some((code, rule, why)) = refusal {
            let clause = self.clause_for(&acct.profile, rule);
            msg_store::refuse_queued(&self.store, &m.id, code, rule.rule, &clause, &why, now)
                .await?;
            return Ok(Release::Refused);
        }
        if m.category != "marketing" {
            return Ok(Release::Go);
        }
        let (country, region, tzs) = super::recipient_place(&cs, &m.recipient);
        let quiet = &self.messaging.quiet;
        let js = quiet.applicable(country.as_deref(), region.as_deref());
        Ok(match quiet.check(&js, &tzs, now) {
            Quiet::Allowed => Release::Go,
            Quiet::Outside {
                next_allowed: Some(at),
                ..
            } => Release::Later(at),
            Quiet::Outside {
                jurisdiction,
                source,
                next_allowed: None,
            } => {
                let why =
                    format!("outside the allowed hours of {jurisdiction} at release ({source})");
                let clause = self.clause_for(&acct.profile, rules::M4);
                msg_store::refuse_queued(
                    &self.store,
                    &m.id,
                    "quiet_hours",
                    rules::M4.rule,
                    &clause,
                    &why,
                    now,
                )
                .await?;
                Release::Refused
            }
        })
    }

    async fn submit_one(&self, client: &Connector, m: &MessageRow) -> Result<(), AppError> {
        let r = client.submit(m, self.now()).await;
        let now = self.now();
        let stats = &self.messaging.stats;
        match r {
            Ok(smsc_id) => {
                msg_store::submitted(&self.store, &m.id, &smsc_id, now).await?;
                stats.submitted.fetch_add(1, Ordering::Relaxed);
                let early = self
                    .messaging
                    .early_receipts
                    .lock()
                    .expect("receipts lock")
                    .remove(&smsc_id);
                if let Some((state, error)) = early {
                    self.record_receipt(&smsc_id, &state, &error).await?;
                }
            }
            Err(SubmitError::Unavailable(why)) => {
                msg_store::requeue(&self.store, &m.id, now + RETRY_AFTER_S, &why, now).await?;
            }
            Err(e @ SubmitError::Rejected { .. }) => {
                msg_store::finish(&self.store, &m.id, "failed", &e.to_string(), now).await?;
                stats.failed.fetch_add(1, Ordering::Relaxed);
            }
            Err(e @ (SubmitError::Timeout | SubmitError::Lost)) => {
                msg_store::finish(&self.store, &m.id, "unknown", &e.to_string(), now).await?;
            }
        }
        Ok(())
    }

    /// A delivery receipt from the SMSC; kept for a moment if its submission is not recorded
    /// yet (the receipt can overtake the `submit_sm_resp` bookkeeping).
    pub async fn apply_receipt(
        &self,
        smsc_id: &str,
        state: ReceiptState,
        error: &str,
    ) -> Result<(), AppError> {
        let Some(state) = receipt_state(state) else {
            return Ok(());
        };
        if !self.record_receipt(smsc_id, state, error).await? {
            let mut early = self.messaging.early_receipts.lock().expect("receipts lock");
            if early.len() >= MAX_EARLY_RECEIPTS {
                early.clear();
            }
            early.insert(smsc_id.to_string(), (state.to_string(), error.to_string()));
        }
        Ok(())
    }

    async fn record_receipt(
        &self,
        smsc_id: &str,
        state: &str,
        error: &str,
    ) -> Result<bool, AppError> {
        let applied = msg_store::receipt(&self.store, smsc_id, state, error, self.now()).await?;
        if applied {
            let c = if state == "delivered" {
                &self.messaging.stats.delivered
            } else {
                &self.messaging.stats.failed
            };
            c.fetch_add(1, Ordering::Relaxed);
        }
        Ok(applied)
    }
}
