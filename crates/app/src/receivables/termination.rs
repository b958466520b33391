//! Termination of a billing account (C5-C7). For the provider's breach (the customer
//! terminates, C5) or a materially adverse amendment (C7): no fees after the date, the
//! prepaid unused part of every subscription credited pro rata, and every credit left
//! refunded (a refund payable). For the customer's breach, insolvency, a regulator's
//! recommendation (C5) or an express cause (C6): everything accrued stays due and the
//! remainder of each current term is charged on the next invoice. Either way the account's
//! numbers are released into quarantine (T9) through the numbers domain.

use serde_json::json;
use tollgate_core::billing::catalog::Term;
use tollgate_core::billing::contract::term_end_on;
use tollgate_core::ledger::{AccountKind, Side, Transaction};
use tollgate_core::rules;
use tollgate_core::time::date_of;
use tollgate_store::billing::{self as billing_store, PendingChargeRow};
use tollgate_store::ledger::{self as ledger_store, JournalHead};
use tollgate_store::receivables::system as rec_store;
use tollgate_store::{audit, numbers as numbers_store, tenancy as tenancy_store, ScopeFilter};

use super::entry;
use crate::access::audit_row;
use crate::billing::{currency, day, stable_id};
use crate::{App, AppError, Caller};

/// Causes of termination and who bears it.
pub const TERMINATION_CAUSES: &[(&str, bool)] = &[
    // (cause, the customer terminates without penalty)
    ("provider_breach", true),
    ("adverse_amendment", true),
    ("customer_breach", false),
    ("insolvency", false),
    ("regulator", false),
    ("express_cause", false),
];

/// What a termination did.
#[derive(Debug, Clone, Default)]
pub struct Terminated {
    pub subscriptions_ended: usize,
    /// Credited for prepaid unused fees (minor units).
    pub credited_minor: i64,
    /// Credits refunded (minor units).
    pub refunded_minor: i64,
    /// The remainder of the current terms charged (minor units, before tax).
    pub remainder_minor: i64,
    pub numbers_released: usize,
}

impl App {
    /// Terminates a billing account on `on` (today) for `cause`.
    pub async fn terminate_account(
        &self,
        caller: &Caller,
        account_id: &str,
        cause: &str,
    ) -> Result<Terminated, AppError> {
        let Some((_, no_penalty)) = TERMINATION_CAUSES.iter().find(|(c, _)| *c == cause) else {
            return Err(AppError::invalid(
                "cause_invalid",
                "cause",
                format!(
                    "one of {}",
                    TERMINATION_CAUSES
                        .iter()
                        .map(|c| c.0)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        // The customer terminates for the provider's breach or an adverse amendment; the
        // provider for the customer's breach, insolvency, a regulator or an express cause.
        let customer = matches!(caller.scope, tollgate_core::tenancy::Scope::Customer(_));
        if customer != *no_penalty {
            return Err(AppError::Forbidden(format!(
                "`{cause}` is for the {} to invoke",
                if *no_penalty { "customer" } else { "provider" }
            )));
        }
        let account = tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            account_id,
        )
        .await
        .map_err(|_| AppError::NotFound("billing account"))?;
        let now = self.now();
        let today = date_of(now);
        let profile = self.profile_for(&account.customer_id).await?;
        let rule = match cause {
            "adverse_amendment" => rules::C7,
            "express_cause" => rules::C6,
            _ => rules::C5,
        };
        let mut done = Terminated::default();
        let mut tx = self.store.begin().await?;
        rec_store::lock_party(&mut tx, &account.id).await?;
        // Every subscription of the account (read whole in the transaction; the caller's
        // scope was checked on the account above).
        let subs =
            tollgate_store::billing::system::account_subscriptions(&mut tx, &account.id).await?;
        for mut s in subs
            .into_iter()
            .filter(|s| s.state == "active" && s.ends_on.is_none_or(|e| e > day(today)))
        {
            if *no_penalty {
                done.credited_minor += self
                    .end_with_refund(&mut tx, &mut s, today, "termination", now)
                    .await?;
            } else {
                // The remainder of the current term, beyond what was billed already.
                let term = Term::parse(&s.term)?;
                let start = date_of(s.charges_from.unwrap_or(s.start_date));
                let end = term_end_on(start, term, today);
                let billed = s.retail_billed_until.map_or(start, date_of).max(today);
                if billed < end {
                    let months = months_between(billed, end);
                    let micros = s
                        .unit_micros
                        .checked_mul(s.quantity)
                        .and_then(|m| m.checked_mul(months))
                        .ok_or_else(|| {
                            AppError::invalid("amount_too_large", "quantity", "overflow")
                        })?;
                    let minor = tollgate_core::money::micros_to_minor(
                        i128::from(micros),
                        currency(&s.currency)?,
                    );
                    PendingChargeRow {
                        id: stable_id("chg", &[&s.id, "termination"]),
                        level: crate::billing::RETAIL.into(),
                        billing_account_id: Some(s.billing_account_id.clone()),
                        partner_id: None,
                        kind: "one_time".into(),
                        description: format!(
                            "{} × {}: remainder of the term, {billed} to {end}, on termination",
                            s.description, s.quantity
                        ),
                        quantity: months,
                        unit_micros: s.unit_micros * s.quantity,
                        currency: s.currency.clone(),
                        rule: rule.rule.into(),
                        clause: profile.clause_for(rule).into(),
                        ready_on: day(today),
                        source: s.id.clone(),
                        created_at: now,
                        invoice_id: None,
                    }
                    .insert(&mut tx)
                    .await?;
                    done.remainder_minor += minor;
                }
                s.ends_on = Some(day(today));
                s.non_renewal_at = Some(now);
                s.state = "ended".into();
                s.updated_at = now;
                billing_store::update_subscription(&mut tx, &s).await?;
            }
            done.subscriptions_ended += 1;
        }
        if *no_penalty {
            // B9: credits left at termination are refunded.
            let issuer =
                match tenancy_store::system::get_customer(&self.store, &account.customer_id)
                    .await?
                    .partner_id
                {
                    Some(p) => p,
                    None => self.operator_id().await?,
                };
            let cur = currency(&account.currency)?;
            for c in
                rec_store::credits_left(&mut tx, &issuer, &account.id, &account.currency).await?
            {
                rec_store::refund_credit(&mut tx, &c.id, day(today)).await?;
                let t = Transaction::new(vec![
                    entry(
                        &issuer,
                        &account.id,
                        AccountKind::CustomerCredit,
                        cur,
                        Side::Debit,
                        c.remaining_minor,
                    ),
                    entry(
                        &issuer,
                        &account.id,
                        AccountKind::RefundsPayable,
                        cur,
                        Side::Credit,
                        c.remaining_minor,
                    ),
                ])?;
                let head = JournalHead {
                    id: stable_id("ltx", &[&c.id, "refund"]),
                    at: day(today),
                    kind: "refund".into(),
                    ref_id: c.id.clone(),
                    memo: "billing credit refunded on termination".into(),
                };
                ledger_store::append(&mut tx, &head, &t).await?;
                done.refunded_minor += c.remaining_minor;
            }
        }
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "billing_account.terminated", &account.id, json!({"cause": cause, "rule": rule.rule, "clause": profile.clause_for(rule), "credited_minor": done.credited_minor, "refunded_minor": done.refunded_minor, "remainder_minor": done.remainder_minor})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        // T9: the account's numbers go into quarantine.
        for e164 in
            numbers_store::system::active_numbers_of_account(&self.store, &account.id).await?
        {
            if let Some(n) = numbers_store::system::find_by_e164(&self.store, &e164).await? {
                self.release(&caller.actor, &n, &format!("account terminated ({cause})"))
                    .await?;
                done.numbers_released += 1;
            }
        }
        self.refresh_licensed_calls(&account.id).await?;
        Ok(done)
    }
}

/// Whole months from `from` to `to` (a started month counts).
fn months_between(from: jiff::civil::Date, to: jiff::civil::Date) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        n += 1;
        d = tollgate_core::billing::contract::add_months(from, n);
    }
    n
}
