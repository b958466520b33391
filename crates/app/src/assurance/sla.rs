//! SLA credits (S3, B12): a month's availability of each licensed account gives the share of
//! its licence fee payable under its agreement's tiers; the rest is credited on the next
//! invoice through the ledger (a `credit` pending charge), retail to the customer and, on the
//! partner's wholesale fee, to its partner. Once per month, account and level; every
//! outcome, credit or not, is kept with its computation.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use tollgate_core::assurance::availability::{format_pct, Measure};
use tollgate_core::assurance::sla::{self, SlaOutcome};
use tollgate_core::billing::catalog::{round_div, Frequency};
use tollgate_core::rules;
use tollgate_store::assurance::{self as astore, system as asys, CreditFilter, SlaCreditRow};
use tollgate_store::billing::{PendingChargeRow, SubscriptionRow};
use tollgate_store::{audit, Page, ScopeFilter};

use crate::access::audit_row;
use crate::billing::{RETAIL, WHOLESALE};
use crate::ids::new_id;
use crate::messaging::usage::month_bounds;
use crate::{App, AppError, Caller};

/// The licence fee of `subs` for the days of `[from, to)` each was in service: the price per
/// period spread over the period's months, prorated by days (B3), exact to the micro.
pub fn licence_fee_micros(
    subs: &[&SubscriptionRow],
    from: i64,
    to: i64,
    wholesale: bool,
) -> Result<i64, AppError> {
    let month_days = i128::from((to - from) / 86_400);
    let mut total: i128 = 0;
    for s in subs {
        let unit = if wholesale {
            match s.wholesale_micros {
                Some(w) => w,
                None => continue,
            }
        } else {
            s.unit_micros
        };
        let start = s.charges_from.unwrap_or(to).max(from);
        let end = s.ends_on.unwrap_or(to).min(to);
        if end <= start {
            continue;
        }
        let days = i128::from((end - start + 86_399) / 86_400);
        // The subscription's unit price is monthly (an annual frequency invoices 12 of it in
        // advance); the frequency is checked, the month's share is by days.
        Frequency::parse(&s.frequency)?;
        let num = i128::from(unit) * i128::from(s.quantity) * days;
        total += round_div(num, month_days);
    }
    i64::try_from(total).map_err(|_| AppError::invalid("amount_too_large", "fee", "overflow"))
}

/// What a close wrote (or found already written) for an account.
#[derive(Debug, Clone)]
pub struct SlaClosed {
    pub credits: Vec<SlaCreditRow>,
    /// Credits of this month written by an earlier close (left as they were).
    pub already: usize,
    /// Licensed accounts left out: the NOC has mapped none of their customer's components,
    /// so their availability is unknown (map them and close again).
    pub unmapped: Vec<String>,
}

fn describe(month: &str, m: &Measure, o: &SlaOutcome, level: &str) -> String {
    format!(
        "SLA credit {month} ({level}): availability {pct} % ({down} of {total} minutes down, \
         {maint} minutes of notified maintenance excluded) - {payable} % payable (S3, W 20.3)",
        pct = format_pct(m.pct_hundredths()),
        down = m.counted_s / 60,
        total = m.period_s / 60,
        maint = m.excluded_maintenance_s / 60,
        payable = o.payable_pct,
    )
}

impl App {
    /// S3, B12: closes a past month's SLA for every account with licences in it.
    pub async fn sla_close(&self, caller: &Caller, month: &str) -> Result<SlaClosed, AppError> {
        let (from, to) = month_bounds(month)?;
        let now = self.now();
        if to > now {
            return Err(AppError::invalid(
                "month_not_closed",
                "month",
                "the month has not ended",
            ));
        }
        let licences = asys::licences_during(&self.store, from, to).await?;
        let mut by_account: BTreeMap<&str, Vec<&SubscriptionRow>> = BTreeMap::new();
        for s in &licences {
            by_account.entry(&s.billing_account_id).or_default().push(s);
        }
        let mapping = asys::all_customer_components(&self.store).await?;
        let mut out = SlaClosed {
            credits: Vec::new(),
            already: 0,
            unmapped: Vec::new(),
        };
        for (account, subs) in by_account {
            let customer_id = subs[0].customer_id.clone();
            let partner_id = subs.iter().find_map(|s| s.partner_id.clone());
            let currency = subs[0].currency.clone();
            let mapped: BTreeSet<String> = mapping
                .iter()
                .filter(|m| m.customer_id == customer_id)
                .map(|m| m.component_id.clone())
                .collect();
            if mapped.is_empty() {
                out.unmapped.push(account.to_string());
                continue;
            }
            let components = mapped;
            let profile = self.profile_for(&customer_id).await?;
            let tiers = profile
                .sla_tiers()
                .map_err(|e| AppError::Internal(format!("profile {}: {e}", profile.id)))?;
            let measure = self
                .measure_components(&components, from, to, Self::lead_s(&profile))
                .await?;
            let outcome = sla::evaluate(measure.up_s(), measure.period_s, &tiers);
            let mut levels = vec![(RETAIL, licence_fee_micros(&subs, from, to, false)?)];
            if partner_id.is_some() {
                levels.push((WHOLESALE, licence_fee_micros(&subs, from, to, true)?));
            }
            // One transaction per account; a close running at the same time on another node
            // that wrote the account first makes this one's insert conflict: counted as done.
            let attempt: Result<(Vec<SlaCreditRow>, usize), AppError> = async {
                let mut tx = self.store.begin().await?;
                let (mut rows, mut already) = (Vec::new(), 0);
                for (level, fee) in levels {
                    if asys::credit_of(&mut tx, account, month, level)
                        .await?
                        .is_some()
                    {
                        already += 1;
                        continue;
                    }
                    let credit = sla::credit_micros(fee, outcome.credit_pct)?;
                    let description = describe(month, &measure, &outcome, level);
                    let charge = (credit > 0).then(|| PendingChargeRow {
                        id: new_id("chg"),
                        level: level.into(),
                        billing_account_id: (level == RETAIL).then(|| account.to_string()),
                        partner_id: if level == WHOLESALE {
                            partner_id.clone()
                        } else {
                            None
                        },
                        kind: "credit".into(),
                        description: description.clone(),
                        quantity: 1,
                        unit_micros: -credit,
                        currency: currency.clone(),
                        rule: rules::B12.rule.into(),
                        clause: profile.clause_for(rules::B12).into(),
                        ready_on: to,
                        source: format!("sla:{month}:{account}"),
                        created_at: now,
                        invoice_id: None,
                    });
                    if let Some(c) = &charge {
                        c.insert(&mut tx).await?;
                    }
                    let row = SlaCreditRow {
                        id: new_id("sla"),
                        billing_account_id: account.into(),
                        customer_id: customer_id.clone(),
                        partner_id: partner_id.clone(),
                        level: level.into(),
                        month: month.into(),
                        profile: profile.id.clone(),
                        period_s: measure.period_s,
                        counted_s: measure.counted_s,
                        excluded_maintenance_s: measure.excluded_maintenance_s,
                        excluded_other_s: measure.excluded_other_s,
                        availability_hundredths: measure.pct_hundredths(),
                        tier_from_ppm: outcome.tier_from_ppm,
                        payable_pct: outcome.payable_pct,
                        credit_pct: outcome.credit_pct,
                        fee_micros: fee,
                        credit_micros: credit,
                        currency: currency.clone(),
                        pending_charge_id: charge.as_ref().map(|c| c.id.clone()),
                        created_at: now,
                        created_by: caller.actor.actor.clone(),
                    };
                    row.insert(&mut tx).await?;
                    audit::append(
                        &mut tx,
                        &audit_row(
                            &caller.actor,
                            now,
                            "sla.credit",
                            &row.id,
                            json!({"billing_account": account, "month": month, "level": level,
                               "availability": format_pct(row.availability_hundredths),
                               "payable_pct": row.payable_pct, "credit_micros": credit,
                               "rule": "S3", "clause": profile.clause_for(rules::S3)}),
                        ),
                    )
                    .await?;
                    rows.push(row);
                }
                tollgate_store::commit(tx).await?;
                Ok((rows, already))
            }
            .await;
            match attempt {
                Ok((rows, already)) => {
                    out.credits.extend(rows);
                    out.already += already;
                }
                Err(AppError::Conflict { .. }) => out.already += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// SLA outcomes in scope.
    pub async fn sla_credits(
        &self,
        caller: &Caller,
        f: &CreditFilter,
        page: &Page,
    ) -> Result<Vec<SlaCreditRow>, AppError> {
        Ok(astore::list_credits(&self.store, ScopeFilter::of(&caller.scope), f, page).await?)
    }
}
