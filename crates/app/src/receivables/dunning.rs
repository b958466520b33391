//! Dunning (issue 13 #7): reminders at the issuer's days past due, and the step that suspends
//! a billing account's outbound calls through the guard (F4, with the rule and the reason)
//! once its overdue balance passes the issuer's threshold; lifted when it is paid. Each step
//! is logged once per invoice, so a sweep may run any number of times.

use std::collections::BTreeMap;

use serde_json::json;
use tollgate_core::receivables::dunning::{DunningPolicy, Step};
use tollgate_core::tenancy::Scope;
use tollgate_core::time::date_of;
use tollgate_store::audit;
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::receivables::system as rec_store;

use crate::access::audit_row;
use crate::billing::stable_id;
use crate::{Actor, App, AppError, Caller};

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DunningReport {
    pub reminders: usize,
    pub suspensions: usize,
    pub lifted: usize,
}

fn sweeper() -> Caller {
    Caller::system(Actor {
        actor: "system:dunning".into(),
        source: "dunning".into(),
        request_id: "dunning".into(),
    })
}

impl App {
    /// Sets the dunning policy of the caller's books (the operator may name any issuer).
    pub async fn set_dunning_policy(
        &self,
        caller: &Caller,
        issuer: Option<&str>,
        policy: DunningPolicy,
    ) -> Result<DunningPolicy, AppError> {
        let issuer = match (&caller.scope, issuer) {
            (Scope::All, Some(i)) => i.to_string(),
            (Scope::All, None) => self.operator_id().await?,
            (Scope::Partners(ids), None) => ids.first().cloned().unwrap_or_default(),
            (Scope::Partners(ids), Some(i)) if ids.first().is_some_and(|p| p == i) => i.into(),
            _ => {
                return Err(AppError::Forbidden(
                    "an issuer sets its own dunning policy".into(),
                ))
            }
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        rec_store::set_dunning_policy(
            &mut tx,
            &issuer,
            &policy.reminder_days,
            policy.suspend_after_days,
            policy.suspend_min_minor,
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "dunning.policy", &issuer, json!({"reminder_days": policy.reminder_days, "suspend_after_days": policy.suspend_after_days, "suspend_min_minor": policy.suspend_min_minor})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(policy)
    }

    async fn policy_of(&self, issuer: &str) -> Result<DunningPolicy, AppError> {
        Ok(
            match rec_store::dunning_policy(&self.store, issuer).await? {
                Some((days, after, min)) => DunningPolicy::new(days, after, min)?,
                None => DunningPolicy::default(),
            },
        )
    }

    /// One dunning pass as of now: reminders and suspensions due, suspensions lifted.
    pub async fn dunning_sweep(&self) -> Result<DunningReport, AppError> {
        let now = self.now();
        let today = date_of(now);
        let sys = sweeper();
        let mut report = DunningReport::default();
        let mut open = rec_store::open_invoices_of_issuer(&self.store, None).await?;
        let late = |due: i64| i64::from((today - date_of(due)).get_days());
        // B9: what is disputed (or was, until its new due day) is not overdue.
        let today_day = crate::billing::day(today);
        for o in open.iter_mut() {
            let held = rec_store::held_by_disputes(&self.store, &o.invoice.id, today_day).await?;
            o.allocated_minor += held.min(o.open_minor().max(0));
        }
        open.retain(|o| o.open_minor() > 0);
        // Each party's overdue balance, per issuer and currency.
        let mut overdue: BTreeMap<(String, String, String), i64> = BTreeMap::new();
        for o in open.iter().filter(|o| late(o.invoice.due_date) > 0) {
            let i = &o.invoice;
            *overdue
                .entry((i.issuer_id.clone(), i.billed_id.clone(), i.currency.clone()))
                .or_default() += o.open_minor();
        }
        let mut policies: BTreeMap<String, DunningPolicy> = BTreeMap::new();
        for o in open.iter().filter(|o| late(o.invoice.due_date) > 0) {
            let inv = &o.invoice;
            if !policies.contains_key(&inv.issuer_id) {
                policies.insert(inv.issuer_id.clone(), self.policy_of(&inv.issuer_id).await?);
            }
            let policy = &policies[&inv.issuer_id];
            let owed = overdue[&(
                inv.issuer_id.clone(),
                inv.billed_id.clone(),
                inv.currency.clone(),
            )];
            let done = rec_store::dunning_steps(&self.store, &inv.id).await?;
            for step in policy.steps_due(late(inv.due_date), owed) {
                if done.contains(&step.key()) {
                    continue;
                }
                match step {
                    Step::Remind(d) => {
                        let mut tx = self.store.begin().await?;
                        if rec_store::log_dunning_step(&mut tx, &inv.id, &step.key(), now, None)
                            .await?
                        {
                            for recipient in self.billing_contacts(&inv.billed_id).await? {
                                outbox::enqueue(&mut tx, &OutboxRow {
                                    id: stable_id("msg", &[&inv.id, &step.key(), &recipient]),
                                    at: now,
                                    channel: "email".into(),
                                    recipient,
                                    subject: format!("Reminder: invoice {} is {d} days past due", inv.number),
                                    body: format!(
                                        "Invoice {} of {} was due on {}; {} {} is still open. Please pay it \
                                         with the reference {} (B5, {}).\n",
                                        inv.number,
                                        crate::billing::day_text(inv.invoice_date),
                                        crate::billing::day_text(inv.due_date),
                                        tollgate_core::money::format_minor(o.open_minor(), crate::billing::currency(&inv.currency)?),
                                        inv.currency,
                                        inv.payment_reference,
                                        inv.due_clause,
                                    ),
                                    rule: "B5".into(),
                                })
                                .await?;
                            }
                            report.reminders += 1;
                        }
                        tollgate_store::commit(tx).await?;
                    }
                    Step::Suspend => {
                        let Some(account) = inv
                            .billing_account_id
                            .as_deref()
                            .filter(|_| inv.level == "retail")
                        else {
                            continue;
                        };
                        let reason = format!(
                            "overdue balance: invoice {} {} days past due",
                            inv.number,
                            late(inv.due_date)
                        );
                        // The step is claimed before the suspension is placed: a crash in between leaves
                        // the account unsuspended (the next sweep does not retry), never a
                        // suspension nobody lifts; two sweeps never both suspend.
                        let mut tx = self.store.begin().await?;
                        let claimed =
                            rec_store::log_dunning_step(&mut tx, &inv.id, &step.key(), now, None)
                                .await?;
                        tollgate_store::commit(tx).await?;
                        if !claimed {
                            continue;
                        }
                        let s = self
                            .suspend(&sys, account, "outbound", &reason, None, Some("F4"))
                            .await?;
                        let mut tx = self.store.begin().await?;
                        rec_store::set_dunning_suspension(&mut tx, &inv.id, &s.id).await?;
                        tollgate_store::commit(tx).await?;
                        report.suspensions += 1;
                    }
                }
            }
        }
        // Lift what is paid: a party no longer owing enough, long enough.
        for (invoice_id, billed, suspension) in rec_store::dunning_suspensions(&self.store).await? {
            let still = open.iter().any(|o| {
                let i = &o.invoice;
                i.billed_id == billed
                    && policies.get(&i.issuer_id).is_some_and(|p| {
                        p.suspends(
                            late(i.due_date),
                            overdue
                                .get(&(
                                    i.issuer_id.clone(),
                                    i.billed_id.clone(),
                                    i.currency.clone(),
                                ))
                                .copied()
                                .unwrap_or(0),
                        )
                    })
            });
            if still {
                continue;
            }
            match self
                .reactivate(&sys, &suspension, "overdue balance paid")
                .await
            {
                Ok(_) | Err(AppError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
            let mut tx = self.store.begin().await?;
            rec_store::mark_dunning_lifted(&mut tx, &invoice_id, now).await?;
            tollgate_store::commit(tx).await?;
            report.lifted += 1;
        }
        Ok(report)
    }
}
