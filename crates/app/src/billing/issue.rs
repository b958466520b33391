//! Issuing one chain's invoices in one transaction: for each of its billing accounts the
//! retail invoice (recurring charges in advance B3, usage in arrears with late calls B4,
//! waiting one-time, pass-through B8 and credit B12 charges, fees and taxes B7), and for the
//! partner the wholesale invoice of the same services at its tier's prices.

use std::collections::BTreeMap;

use tollgate_core::billing::catalog::{round_div, Frequency, ProductKind, BASIS_POINTS};
use tollgate_core::billing::invoice::{
    issuer_transaction, price, received_bill_transaction, Charge, LineKind, Priced, TaxRate,
};
use tollgate_core::billing::recurring::{periods_due, RecurringTerms};
use tollgate_core::billing::run_period::RunPeriod;
use tollgate_core::time::date_of;
use tollgate_core::{rules, RuleRef};
use tollgate_store::billing::system::{self as run_store, BillingParty, UsageGroup};
use tollgate_store::billing::{
    InvoiceLineRow, InvoiceRow, InvoiceTaxRow, PendingChargeRow, SubscriptionPriceRow,
    SubscriptionRow, TaxRateRow,
};
use tollgate_store::ledger::{self as ledger_store, JournalHead};
use tollgate_store::{numbers as numbers_store, Tx};

use super::catalog::rates_in_force;
use super::run::Chain;
use super::{currency, day, day_text, stable_id, RETAIL, WHOLESALE};
use crate::{App, AppError};

/// What one chain issued.
#[derive(Debug, Default)]
pub(crate) struct ChainDone {
    pub invoices: usize,
    pub calls: u64,
}

/// The parties and terms of one invoice.
struct Heading<'a> {
    id: String,
    level: &'static str,
    issuer: &'a BillingParty,
    billed_id: &'a str,
    billed_name: String,
    billed_address: Option<&'a str>,
    billed_tax_id: Option<&'a str>,
    billing_account_id: Option<&'a str>,
    customer_id: Option<&'a str>,
    partner_id: Option<&'a str>,
    profile: (String, i64, u32, String),
}

fn charge(
    kind: LineKind,
    revenue: &str,
    description: String,
    rule: RuleRef,
    source: String,
) -> Charge {
    Charge {
        kind,
        revenue: revenue.into(),
        description,
        rule,
        quantity: 1,
        unit_micros: 0,
        exact_micros: 0,
        service_from: None,
        service_to: None,
        source,
        taxable: true,
    }
}

/// The unit price of a subscription on `on`: the latest price change in force (C3), else the
/// ordered price.
fn unit_on(s: &SubscriptionRow, changes: &[SubscriptionPriceRow], on: i64) -> i64 {
    changes
        .iter()
        .rfind(|c| c.subscription_id == s.id && c.effective_from <= on)
        .map_or(s.unit_micros, |c| c.unit_micros)
}

/// B3: the recurring charges of `s` due by `horizon` at one level, moving its billed mark.
fn recurring(
    s: &SubscriptionRow,
    unit: impl Fn(i64) -> i64,
    billed_until: &mut Option<i64>,
    horizon: jiff::civil::Date,
    label: &str,
) -> Result<Vec<Charge>, AppError> {
    let Some(from) = s.charges_from else {
        return Ok(Vec::new());
    };
    let frequency = Frequency::parse(&s.frequency)?;
    let kind = ProductKind::parse(&s.kind)?;
    let terms = RecurringTerms {
        start: date_of(from),
        end: s.ends_on.map(date_of),
        frequency,
        billed_until: billed_until.map(date_of),
    };
    let mut out = Vec::new();
    for p in periods_due(&terms, horizon)? {
        let per_unit = unit(day(p.from))
            .checked_mul(frequency.months())
            .ok_or_else(|| AppError::invalid("amount_too_large", "unit_price", "overflow"))?;
        let per_period = per_unit
            .checked_mul(s.quantity)
            .ok_or_else(|| AppError::invalid("amount_too_large", "quantity", "overflow"))?;
        let days = if p.prorated() {
            format!(" ({}/{} days)", p.days, p.period_days)
        } else {
            String::new()
        };
        let rule = match kind {
            ProductKind::LeasedDevice if day(p.from) == from => rules::E4,
            ProductKind::Number if day(p.from) == from => rules::B2,
            _ => rules::B3,
        };
        let mut c = charge(
            LineKind::Recurring,
            kind.as_str(),
            format!("{label}{} × {}{days}", s.description, s.quantity),
            rule,
            s.id.clone(),
        );
        c.quantity = s.quantity;
        c.unit_micros = per_unit;
        c.exact_micros = i128::from(p.amount(per_period)?);
        c.service_from = Some(p.from);
        c.service_to = Some(p.to);
        out.push(c);
        *billed_until = Some(day(p.to));
    }
    Ok(out)
}

fn usage_charges(groups: &[UsageGroup], source: &str) -> Vec<Charge> {
    groups
        .iter()
        .map(|g| {
            let minutes = format!("{}.{}", g.billed_s / 60, (g.billed_s % 60) * 10 / 60);
            let (kind, what) = if g.late {
                (
                    LineKind::LateUsage,
                    format!(
                        "Late calls to {} ({} – {})",
                        g.destination,
                        day_text(g.first_at),
                        day_text(g.last_at)
                    ),
                )
            } else {
                (LineKind::Usage, format!("Calls to {}", g.destination))
            };
            let mut c = charge(
                kind,
                "usage",
                format!("{what}: {} calls, {minutes} min", g.calls),
                rules::B4,
                format!("{source}:{}", g.destination),
            );
            c.quantity = g.calls;
            c.exact_micros = i128::from(g.amount_micros);
            c
        })
        .collect()
}

fn pending_charge(p: &PendingChargeRow) -> Result<Charge, AppError> {
    let kind = match p.kind.as_str() {
        "pass_through" => LineKind::PassThrough,
        "credit" => LineKind::Credit,
        _ => LineKind::OneTime,
    };
    let rule = tollgate_core::rules::ALL
        .iter()
        .find(|r| r.rule == p.rule)
        .copied()
        .unwrap_or(rules::B3);
    let revenue = if kind == LineKind::Credit {
        "credits"
    } else {
        "one_time"
    };
    let mut c = charge(kind, revenue, p.description.clone(), rule, p.id.clone());
    c.taxable = kind != LineKind::PassThrough;
    c.quantity = p.quantity;
    c.unit_micros = p.unit_micros;
    c.exact_micros = i128::from(p.quantity) * i128::from(p.unit_micros);
    Ok(c)
}

/// The invoice number prefix of an issuer: the first four letters or digits of its name.
fn prefix(name: &str) -> String {
    let p: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    if p.is_empty() {
        "INV".into()
    } else {
        p
    }
}

impl App {
    pub(crate) async fn issue_chain(
        &self,
        rp: &RunPeriod,
        operator: &BillingParty,
        chain: &Chain,
        rates: &[TaxRateRow],
        now: i64,
    ) -> Result<ChainDone, AppError> {
        let label = rp.label();
        let usage_end = day(rp.usage.end);
        let mut tx = self.store.begin().await?;
        let mut done = ChainDone::default();
        let issuer = chain.partner.as_ref().unwrap_or(operator);
        let mut wholesale: BTreeMap<String, Vec<Charge>> = BTreeMap::new();
        for a in &chain.accounts {
            if run_store::issued_invoice(&mut tx, RETAIL, &a.id, &label, &a.currency)
                .await?
                .is_some()
            {
                continue;
            }
            // The party's money lock first, before any of its balances: a payment taking the
            // same lock waits instead of deadlocking with the run.
            tollgate_store::receivables::system::lock_party(&mut tx, &a.id).await?;
            let cur = currency(&a.currency)?;
            let retail_id = stable_id("inv", &[RETAIL, &a.id, &label, &a.currency]);
            let wholesale_id = chain
                .partner
                .as_ref()
                .map(|p| stable_id("inv", &[WHOLESALE, &p.id, &label, &a.currency]));
            let mut subs = run_store::account_subscriptions(&mut tx, &a.id).await?;
            let changes = run_store::price_changes(&mut tx, &a.id).await?;
            let (mut charges, mut wcharges) = (Vec::new(), Vec::new());
            let who = format!("{} / {}: ", a.customer_name, a.name);
            let mut ended = 0;
            for s in subs.iter_mut() {
                // C2: a subscription whose last term has ended by the invoice date is ended
                // (the guard stopped counting its calls on that day, L2).
                if s.state == "active" && s.ends_on.is_some_and(|e| e <= day(rp.invoice_date)) {
                    s.state = "ended".into();
                    s.updated_at = now;
                    ended += 1;
                }
                if s.charges_from.is_none() {
                    if let Some(n) = &s.number_id {
                        // B2: a number bills from its Activation Date, once it has one.
                        let num = numbers_store::system::get_number(&self.store, n).await?;
                        s.charges_from = num.activated_at.map(|t| day(date_of(t)));
                    }
                }
                let snap = s.clone();
                charges.extend(recurring(
                    &snap,
                    |on| unit_on(&snap, &changes, on),
                    &mut s.retail_billed_until,
                    rp.horizon,
                    "",
                )?);
                if let (Some(w), true) = (snap.wholesale_micros, chain.partner.is_some()) {
                    wcharges.extend(recurring(
                        &snap,
                        |_| w,
                        &mut s.wholesale_billed_until,
                        rp.horizon,
                        &who,
                    )?);
                }
            }
            let pending =
                run_store::waiting_charges(&mut tx, RETAIL, &a.id, &a.currency, usage_end).await?;
            for p in &pending {
                charges.push(pending_charge(p)?);
            }
            let calls = run_store::mark_usage(
                &mut tx,
                &a.id,
                usage_end,
                &retail_id,
                wholesale_id.as_deref(),
            )
            .await?;
            if calls > 0 {
                let groups =
                    run_store::usage_on_invoice(&mut tx, &a.id, &retail_id, day(rp.usage.start))
                        .await?;
                charges.extend(usage_charges(&groups, &format!("cdrs:{retail_id}")));
                if let Some(p) = &chain.partner {
                    wcharges.extend(
                        self.wholesale_usage(p, &a.currency, rp, &groups, &who)
                            .await?,
                    );
                }
            }
            done.calls += calls;
            // B6: late interest on this party's overdue invoices from the same issuer.
            let interest = self
                .interest_due(
                    &mut tx,
                    &issuer.id,
                    &a.id,
                    &a.currency,
                    a.jurisdiction.as_deref(),
                    rp.invoice_date,
                )
                .await?;
            charges.extend(interest.iter().map(|i| i.charge.clone()));
            let profile = self.profile_for(&a.customer_id).await?;
            let announced = self
                .announce_renewals(&mut tx, &profile, a, &mut subs, rp.invoice_date, now)
                .await?;
            if charges.is_empty() {
                if announced + ended > 0 {
                    for s in &subs {
                        tollgate_store::billing::update_subscription(&mut tx, s).await?;
                    }
                }
                continue;
            }
            let priced = price(
                charges,
                &tax_rates(rates, a.jurisdiction.as_deref(), rp),
                cur,
            )?;
            let head = Heading {
                id: retail_id.clone(),
                level: RETAIL,
                issuer,
                billed_id: &a.id,
                billed_name: format!("{} / {}", a.customer_name, a.name),
                billed_address: a.address.as_deref(),
                billed_tax_id: a.tax_id.as_deref(),
                billing_account_id: Some(&a.id),
                customer_id: Some(&a.customer_id),
                partner_id: a.partner_id.as_deref(),
                profile: (
                    profile.id.clone(),
                    i64::from(profile.version),
                    profile.billing.invoice_due_days,
                    profile.clause_for(rules::B5).to_string(),
                ),
            };
            let inv = self
                .write_invoice(&mut tx, rp, &head, &priced, None, now)
                .await?;
            for i in &interest {
                tollgate_store::receivables::system::record_interest(
                    &mut tx,
                    &i.invoice_id,
                    i.through_day,
                    i.total_micros,
                    &retail_id,
                )
                .await?;
            }
            self.apply_credits(&mut tx, &inv).await?;
            for s in &subs {
                tollgate_store::billing::update_subscription(&mut tx, s).await?;
            }
            for p in &pending {
                run_store::charge_invoiced(&mut tx, &p.id, &retail_id).await?;
            }
            done.invoices += 1;
            wholesale
                .entry(a.currency.clone())
                .or_default()
                .extend(wcharges);
        }
        if let Some(p) = &chain.partner {
            done.invoices += self
                .issue_wholesale(&mut tx, rp, operator, p, wholesale, rates, now)
                .await?;
        }
        run_store::run_heartbeat(&mut tx, &label, self.now(), done.invoices as i64).await?;
        tollgate_store::commit(tx).await?;
        Ok(done)
    }

    /// The partner's wholesale usage of one account: its customers' rated calls less the
    /// tier's usage discount (wholesale list in force on the invoice date).
    async fn wholesale_usage(
        &self,
        p: &BillingParty,
        cur: &str,
        rp: &RunPeriod,
        groups: &[UsageGroup],
        who: &str,
    ) -> Result<Vec<Charge>, AppError> {
        let discount = self.usage_discount(p, cur, day(rp.invoice_date)).await?;
        let mut out = Vec::new();
        for late in [false, true] {
            let g: Vec<&UsageGroup> = groups.iter().filter(|g| g.late == late).collect();
            if g.is_empty() {
                continue;
            }
            let calls: i64 = g.iter().map(|g| g.calls).sum();
            let amount: i128 = g.iter().map(|g| i128::from(g.amount_micros)).sum();
            let net = round_div(
                amount * i128::from(BASIS_POINTS - discount),
                i128::from(BASIS_POINTS),
            );
            let (kind, what) = if late {
                (LineKind::LateUsage, "late rated calls")
            } else {
                (LineKind::Usage, "rated calls")
            };
            let mut c = charge(
                kind,
                "usage",
                format!(
                    "{who}{calls} {what}, less {}.{:02} % partner discount",
                    discount / 100,
                    discount % 100
                ),
                rules::B4,
                format!("cdrs:{}", g[0].destination),
            );
            c.quantity = calls;
            c.exact_micros = net;
            out.push(c);
        }
        Ok(out)
    }

    async fn usage_discount(&self, p: &BillingParty, cur: &str, on: i64) -> Result<i64, AppError> {
        let Some(list) = tollgate_store::billing::system::find_price_list(
            &self.store,
            WHOLESALE,
            None,
            p.tier.as_deref(),
            cur,
        )
        .await?
        else {
            return Ok(0);
        };
        Ok(
            tollgate_store::billing::system::version_in_force(&self.store, &list.id, on)
                .await?
                .map_or(0, |(v, _, _)| v.usage_discount_bp),
        )
    }

    #[allow(clippy::too_many_arguments)]
    async fn issue_wholesale(
        &self,
        tx: &mut Tx,
        rp: &RunPeriod,
        operator: &BillingParty,
        p: &BillingParty,
        mut by_currency: BTreeMap<String, Vec<Charge>>,
        rates: &[TaxRateRow],
        now: i64,
    ) -> Result<usize, AppError> {
        let label = rp.label();
        let usage_end = day(rp.usage.end);
        let mut issued = 0;
        for cur_code in by_currency.keys().cloned().collect::<Vec<_>>() {
            if run_store::issued_invoice(tx, WHOLESALE, &p.id, &label, &cur_code)
                .await?
                .is_some()
            {
                continue;
            }
            let mut charges = by_currency.remove(&cur_code).unwrap_or_default();
            let pending =
                run_store::waiting_charges(tx, WHOLESALE, &p.id, &cur_code, usage_end).await?;
            for c in &pending {
                charges.push(pending_charge(c)?);
            }
            if charges.is_empty() {
                continue;
            }
            let id = stable_id("inv", &[WHOLESALE, &p.id, &label, &cur_code]);
            let profile = self
                .terms
                .get(crate::terms::DEFAULT_PROFILE, None)
                .ok_or_else(|| AppError::Internal("default profile missing".into()))?;
            let priced = price(
                charges,
                &tax_rates(rates, p.jurisdiction.as_deref(), rp),
                currency(&cur_code)?,
            )?;
            let head = Heading {
                id: id.clone(),
                level: WHOLESALE,
                issuer: operator,
                billed_id: &p.id,
                billed_name: p.name.clone(),
                billed_address: p.address.as_deref(),
                billed_tax_id: p.tax_id.as_deref(),
                billing_account_id: None,
                customer_id: None,
                partner_id: Some(&p.id),
                profile: (
                    profile.id.clone(),
                    i64::from(profile.version),
                    profile.billing.invoice_due_days,
                    profile.clause_for(rules::B5).to_string(),
                ),
            };
            tollgate_store::receivables::system::lock_party(tx, &p.id).await?;
            let inv = self
                .write_invoice(tx, rp, &head, &priced, Some(&p.id), now)
                .await?;
            self.apply_credits(tx, &inv).await?;
            for c in &pending {
                run_store::charge_invoiced(tx, &c.id, &id).await?;
            }
            issued += 1;
        }
        Ok(issued)
    }

    /// Numbers and writes an invoice, its lines and taxes, and its journal transaction(s).
    async fn write_invoice(
        &self,
        tx: &mut Tx,
        rp: &RunPeriod,
        h: &Heading<'_>,
        priced: &Priced,
        bill_received_by: Option<&str>,
        now: i64,
    ) -> Result<InvoiceRow, AppError> {
        let year = i64::from(rp.invoice_date.year());
        let seq = run_store::next_invoice_number(tx, &h.issuer.id, year).await?;
        let number = format!("{}-{year}-{seq:06}", prefix(&h.issuer.name));
        let ltx = stable_id("ltx", &[&h.id]);
        let (profile_id, profile_version, due_days, due_clause) = h.profile.clone();
        // Each line cites the clause of the billed party's own terms for its rule.
        let terms = self.terms.get(&profile_id, Some(profile_version as u32));
        let clause_of = |r: RuleRef| terms.map_or(r.clause, |p| p.clause_for(r)).to_string();
        let inv = InvoiceRow {
            id: h.id.clone(),
            number: number.clone(),
            issuer_id: h.issuer.id.clone(),
            level: h.level.into(),
            billed_id: h.billed_id.into(),
            billing_account_id: h.billing_account_id.map(String::from),
            customer_id: h.customer_id.map(String::from),
            partner_id: h.partner_id.map(String::from),
            period: rp.label(),
            invoice_date: day(rp.invoice_date),
            due_date: day(rp.due_date(due_days)),
            currency: priced.currency.as_str().into(),
            subtotal_minor: priced.subtotal,
            tax_total_minor: priced.tax_total,
            total_minor: priced.total,
            profile_id,
            profile_version,
            due_clause,
            payment_reference: number.replace('-', ""),
            issuer_name: h.issuer.name.clone(),
            issuer_address: h.issuer.address.clone().unwrap_or_default(),
            issuer_tax_id: h.issuer.tax_id.clone(),
            billed_name: h.billed_name.clone(),
            billed_address: h.billed_address.unwrap_or_default().into(),
            billed_tax_id: h.billed_tax_id.map(String::from),
            ledger_transaction_id: ltx.clone(),
            run_id: rp.label(),
            issued_at: now,
        };
        let lines: Vec<InvoiceLineRow> = priced
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let c = &l.charge;
                Ok(InvoiceLineRow {
                    invoice_id: inv.id.clone(),
                    line_no: i as i64 + 1,
                    kind: c.kind.as_str().into(),
                    revenue: c.revenue.clone(),
                    description: c.description.clone(),
                    rule: c.rule.rule.into(),
                    clause: clause_of(c.rule),
                    quantity: c.quantity,
                    unit_micros: c.unit_micros,
                    exact_micros: i64::try_from(c.exact_micros)
                        .map_err(|_| AppError::invalid("amount_too_large", "lines", "overflow"))?,
                    amount_minor: l.minor,
                    service_from: c.service_from.map(day),
                    service_to: c.service_to.map(day),
                    source: c.source.clone(),
                    taxable: i64::from(c.taxable),
                })
            })
            .collect::<Result<_, AppError>>()?;
        let taxes: Vec<InvoiceTaxRow> = priced
            .taxes
            .iter()
            .enumerate()
            .map(|(i, t)| InvoiceTaxRow {
                invoice_id: inv.id.clone(),
                line_no: i as i64 + 1,
                jurisdiction: t.jurisdiction.clone(),
                name: t.name.clone(),
                rate_ppm: t.rate_ppm,
                base_minor: t.base_minor,
                amount_minor: t.minor,
            })
            .collect();
        run_store::insert_invoice(tx, &inv, &lines, &taxes).await?;
        // An invoice whose lines net to nothing in every account moves no money.
        let journal = match issuer_transaction(priced, &h.issuer.id, h.billed_id) {
            Err(r) if r.code == "ledger_empty" => None,
            t => Some(t?),
        };
        if let Some(t) = journal {
            let head = JournalHead {
                id: ltx.clone(),
                at: inv.invoice_date,
                kind: "invoice".into(),
                ref_id: inv.id.clone(),
                memo: format!("invoice {number}"),
            };
            ledger_store::append(tx, &head, &t).await?;
            if let Some(partner) = bill_received_by.filter(|_| priced.total != 0) {
                let t = received_bill_transaction(priced, partner, &h.issuer.id)?;
                let head = JournalHead {
                    id: stable_id("ltx", &[&h.id, "received"]),
                    kind: "bill_received".into(),
                    memo: format!("bill {number} received"),
                    ..head
                };
                ledger_store::append(tx, &head, &t).await?;
            }
        }
        Ok(inv)
    }
}

/// The tax and fee rates in force on the invoice date for a jurisdiction (none: no taxes).
fn tax_rates(all: &[TaxRateRow], jurisdiction: Option<&str>, rp: &RunPeriod) -> Vec<TaxRate> {
    let Some(j) = jurisdiction else {
        return Vec::new();
    };
    rates_in_force(all, j, day(rp.invoice_date))
        .into_iter()
        .map(|r| TaxRate {
            jurisdiction: r.jurisdiction,
            name: r.name,
            fee: r.kind == "fee",
            rate_ppm: r.rate_ppm,
        })
        .collect()
}
