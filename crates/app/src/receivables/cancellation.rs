//! C4 cancellation: under a profile with a cancellation window (`x-hoppers-2025`: 30 days) a
//! written cancellation within the window from the purchase's effective date stops its fees
//! from the notice date (usage excepted) and refunds the prepaid unused part pro rata by days,
//! as a billing credit for the next invoices (refunded if the account terminates); after the
//! window, or under `wildix-*`, purchases are final (refused with the clause).

use serde_json::json;
use tollgate_core::ledger::{AccountKind, Side, Transaction};
use tollgate_core::money::micros_to_minor;
use tollgate_core::receivables::cancellation::{check_cancellation, unused_part};
use tollgate_core::rules;
use tollgate_core::time::date_of;
use tollgate_store::audit;
use tollgate_store::billing::{self as billing_store, SubscriptionRow};
use tollgate_store::ledger::{self as ledger_store, JournalHead};
use tollgate_store::receivables::system as rec_store;
use tollgate_store::receivables::BillingCreditRow;

use super::entry;
use crate::access::audit_row;
use crate::billing::{currency, day, stable_id};
use crate::{App, AppError, Caller};

/// What a cancellation did.
#[derive(Debug, Clone)]
pub struct Cancelled {
    pub subscription: SubscriptionRow,
    /// The prepaid unused part credited, in minor units of the subscription's currency.
    pub refund_minor: i64,
}

impl App {
    /// C4: cancels a subscription on a written notice of `notice_on` (today when absent).
    pub async fn cancel_subscription(
        &self,
        caller: &Caller,
        id: &str,
        notice_on: Option<&str>,
    ) -> Result<Cancelled, AppError> {
        let (mut s, _) = self.get_subscription(caller, id).await?;
        if s.state != "active" {
            return Err(AppError::Conflict {
                code: "subscription_ended",
                message: "the subscription has ended".into(),
            });
        }
        let now = self.now();
        let today = date_of(now);
        let notice = crate::billing::notice_day(caller, notice_on, today, "notice_on")?;
        let profile = self.profile_for(&s.customer_id).await?;
        let effective = date_of(s.charges_from.unwrap_or(s.start_date));
        check_cancellation(&profile, effective, notice)?;
        let mut tx = self.store.begin().await?;
        let refund_minor = self
            .end_with_refund(&mut tx, &mut s, notice, "cancellation", now)
            .await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "subscription.cancelled", &s.id, json!({"notice_on": notice.to_string(), "refund_minor": refund_minor, "rule": "C4", "clause": profile.clause_for(rules::C4)})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.refresh_licensed_calls(&s.billing_account_id).await?;
        Ok(Cancelled {
            subscription: s,
            refund_minor,
        })
    }
    /// Ends a subscription on `stop` (fees stop that day) and credits the prepaid unused part
    /// of every period invoiced in advance beyond it, pro rata by days (C4, C5, C7): a billing
    /// credit and its ledger transaction. Returns the credit in minor units.
    pub(crate) async fn end_with_refund(
        &self,
        tx: &mut tollgate_store::Tx,
        s: &mut SubscriptionRow,
        stop_on: jiff::civil::Date,
        why: &str,
        now: i64,
    ) -> Result<i64, AppError> {
        let cur = currency(&s.currency)?;
        let stop = day(stop_on);
        rec_store::lock_party(tx, &s.billing_account_id).await?;
        let mut refund_micros: i128 = 0;
        let mut taxes: std::collections::BTreeMap<String, i128> = Default::default();
        let mut issuer = None;
        for (inv, l) in rec_store::prepaid_lines(tx, &s.id).await? {
            let (Some(from), Some(to)) = (l.service_from, l.service_to) else {
                continue;
            };
            if to <= stop {
                continue;
            }
            let part = i128::from(unused_part(
                l.exact_micros,
                date_of(from),
                date_of(to),
                stop_on,
            )?);
            refund_micros += part;
            if l.taxable != 0 {
                // The tax paid on the unused part goes back with it.
                super::tax_back(self, &inv.id, part, &mut taxes).await?;
            }
            issuer = Some(inv.issuer_id.clone());
        }
        let net_minor = micros_to_minor(refund_micros, cur);
        let tax_minor: Vec<(String, i64)> = taxes
            .into_iter()
            .map(|(j, m)| (j, micros_to_minor(m, cur)))
            .filter(|(_, m)| *m > 0)
            .collect();
        let refund_minor = net_minor + tax_minor.iter().map(|(_, m)| m).sum::<i64>();
        s.ends_on = Some(stop);
        s.non_renewal_at = Some(now);
        if stop <= day(date_of(now)) {
            s.state = "ended".into();
        }
        s.updated_at = now;
        billing_store::update_subscription(tx, s).await?;
        if let (Some(issuer), true) = (issuer, refund_minor > 0) {
            let credit_id = stable_id("crd", &[&s.id, why]);
            BillingCreditRow {
                id: credit_id.clone(),
                issuer_id: issuer.clone(),
                billed_id: s.billing_account_id.clone(),
                currency: s.currency.clone(),
                amount_minor: refund_minor,
                remaining_minor: refund_minor,
                source_kind: "cancellation".into(),
                source_id: s.id.clone(),
                created_on: stop,
                refunded_on: None,
            }
            .insert(tx)
            .await?;
            let billed = &s.billing_account_id;
            let mut entries = vec![entry(
                &issuer,
                billed,
                AccountKind::CustomerCredit,
                cur,
                Side::Credit,
                refund_minor,
            )];
            if net_minor > 0 {
                entries.push(entry(
                    &issuer,
                    billed,
                    AccountKind::Revenue(s.kind.clone()),
                    cur,
                    Side::Debit,
                    net_minor,
                ));
            }
            for (j, m) in &tax_minor {
                entries.push(entry(
                    &issuer,
                    billed,
                    AccountKind::TaxPayable(j.clone()),
                    cur,
                    Side::Debit,
                    *m,
                ));
            }
            let t = Transaction::new(entries)?;
            let head = JournalHead {
                id: stable_id("ltx", &[&credit_id]),
                at: stop,
                kind: why.into(),
                ref_id: s.id.clone(),
                memo: format!("{why} of {}: prepaid unused part", s.description),
            };
            ledger_store::append(tx, &head, &t).await?;
        }
        Ok(refund_minor)
    }
}
