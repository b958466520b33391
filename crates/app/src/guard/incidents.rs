//! Incidents raised by the detectors: their effects apply in memory at once and are
//! persisted, audited and notified through the guard's write queue.

use super::*;

impl App {
    /// Writes incidents, applies their actions (suspensions, bans) in memory and in the store,
    /// audits and notifies the partner and customer contacts through the outbox.
    pub(super) async fn raise_incidents(
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
    pub(super) async fn contacts_of(&self, customer_id: &str) -> Result<Vec<String>, AppError> {
        let all = tollgate_core::tenancy::Scope::All;
        let c = st::get_customer(&self.store, ScopeFilter(&all), customer_id).await?;
        Ok(tollgate_store::auth::admin_contacts_of_customer(
            &self.store,
            customer_id,
            c.partner_id.as_deref(),
        )
        .await?)
    }

    pub async fn list_incidents(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<IncidentRow>, AppError> {
        Ok(sg::list_incidents(&self.store, ScopeFilter(&caller.scope), page).await?)
    }
}
