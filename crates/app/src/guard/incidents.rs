//! Incidents raised by the detectors: their effects apply in memory at once and are
//! persisted, audited and notified through the guard's write queue.

use super::*;

impl App {
    /// Raises incidents: their actions apply in memory at once (a suspension refuses the
    /// next call, a ban the next attempt) and everything is persisted, audited and notified
    /// through the write queue, so no decision waits on the database. Returns the ids.
    pub(super) fn raise_incidents(
        &self,
        actor: &Actor,
        account: &str,
        acct: &CachedAccount,
        source: Option<&str>,
        incidents: &[Incident],
        now: i64,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        for i in incidents {
            let id = new_id("inc");
            let clause = self.clause_for(&acct.profile, i.rule);
            let incident = IncidentRow {
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
            };
            let mut suspension = None;
            let mut ban = None;
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
                    let mut g = self.guard.inner.lock().expect("guard lock");
                    if let Some(a) = g.accounts.get_mut(account) {
                        Arc::make_mut(a).policy.suspensions.push(suspension_of(&s));
                    }
                    g.unwritten_suspensions
                        .entry(account.to_string())
                        .or_default()
                        .push(suspension_of(&s));
                    drop(g);
                    self.order_cuts(account, scope, i.rule, &s.reason, now);
                    suspension = Some(s);
                }
                Action::BanSource { source, until } => ban = Some((source.clone(), *until)),
                Action::AlertOnly => {}
            }
            let body = format!(
                "{} on billing account {account}: {} (count {}, threshold {}, window {} s). Action: {}. Rule {}, {clause}.",
                i.detector, i.detail, i.count, i.threshold, i.window_s, action_str(&i.action), i.rule.rule
            );
            self.enqueue(GuardWrite::Incident(Box::new(IncidentWrite {
                incident,
                suspension,
                ban,
                customer_id: (!acct.customer_id.is_empty()).then(|| acct.customer_id.clone()),
                subject: format!("Tollgate incident: {}", i.detector),
                body,
                actor: actor.clone(),
            })));
            ids.push(id);
        }
        ids
    }

    /// The writer's half of an incident: rows, suspension, ban, notices and audit entry in
    /// the batch's transaction.
    pub(super) async fn write_incident(
        &self,
        tx: &mut tollgate_store::Tx,
        w: &IncidentWrite,
    ) -> Result<(), AppError> {
        let i = &w.incident;
        guard_store::insert_incident(tx, i).await?;
        if let Some(s) = &w.suspension {
            guard_store::insert_suspension(tx, s).await?;
        }
        if let Some((source, until)) = &w.ban {
            guard_store::put_ban(tx, source, *until).await?;
        }
        if let Some(customer) = &w.customer_id {
            self.notify_contacts(
                tx,
                customer,
                i.at,
                w.subject.clone(),
                w.body.clone(),
                i.rule.clone(),
            )
            .await?;
        }
        let account = i.billing_account_id.as_deref().unwrap_or_default();
        audit::append(
            tx,
            &audit_row(
                &w.actor,
                i.at,
                "guard.incident",
                &i.id,
                json!({"detector": i.detector, "account": account, "action": i.action}),
            ),
        )
        .await?;
        Ok(())
    }

    /// Places a notification to the customer's and its partner's admins in the outbox, in the
    /// caller's transaction.
    pub(super) async fn notify_contacts(
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
    pub(crate) async fn contacts_of(&self, customer_id: &str) -> Result<Vec<String>, AppError> {
        let c = tenancy_store::system::get_customer(&self.store, customer_id).await?;
        let contacts = tollgate_store::auth::system::admin_contacts_of_customer(
            &self.store,
            customer_id,
            c.partner_id.as_deref(),
        )
        .await?;
        if contacts.len() >= tollgate_store::auth::MAX_CONTACTS {
            tracing::warn!(
                customer = customer_id,
                limit = tollgate_store::auth::MAX_CONTACTS,
                "notice sent to the first admins only: the customer and its partner have more"
            );
        }
        Ok(contacts)
    }

    /// Incidents in scope since `since`, and suspensions in force now (the dashboard's counts).
    pub async fn guard_counts(&self, caller: &Caller, since: i64) -> Result<(i64, i64), AppError> {
        self.settle_guard_writes().await;
        let scope = || ScopeFilter::of(&caller.scope);
        Ok((
            guard_store::count_incidents_since(&self.store, scope(), since).await?,
            guard_store::count_active_suspensions(&self.store, scope(), self.now()).await?,
        ))
    }

    pub async fn list_incidents(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<IncidentRow>, AppError> {
        self.settle_guard_writes().await;
        Ok(guard_store::list_incidents(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }
}
