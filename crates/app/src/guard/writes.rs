//! The guard's write queue: call events, incidents and emergency notices are persisted
//! behind the answer, in order, retried until written, never dropped.

use super::*;

impl App {
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

    pub(super) fn emit(&self, e: CallEvent) {
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
}
