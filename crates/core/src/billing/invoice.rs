//! An invoice from its charges: each line rounded once half up (RULEBOOK money decision), the
//! regulatory recovery fees and taxes of the billed party's jurisdiction added exclusive of
//! price (B1, B7) at the rates in force on the invoice date, and the one balanced ledger
//! transaction that records it in the issuer's books (and, for a wholesale invoice, the bill
//! received in the partner's).

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::billing::catalog::round_div;
use crate::billing::lines::line_minor;
use crate::decision::RuleRef;
use crate::ledger::{AccountKind, Entry, LedgerAccount, Side, Transaction};
use crate::money::{micros_to_minor, Currency, MICRO_DIGITS};
use crate::rules;
use crate::Refusal;

/// Parts per million: rates of taxes and fees (20 % = 200,000).
pub const PPM: i64 = 1_000_000;

/// What a line bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineKind {
    /// A recurring charge in advance (B3).
    Recurring,
    /// Rated calls of the closed period, in arrears (B4).
    Usage,
    /// Rated calls of an earlier, already invoiced period that arrived late (B4).
    LateUsage,
    /// A one-time charge (set-up, transport, a sold device).
    OneTime,
    /// A fee passed through to a third party (B8).
    PassThrough,
    /// A credit granted on this invoice (B12): a negative line against revenue.
    Credit,
    /// A regulatory recovery fee (B7), computed on the telecom lines.
    Fee,
    /// Late interest on an earlier invoice (B6); never taxed, never itself a base of interest.
    Interest,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Recurring => "recurring",
            LineKind::Usage => "usage",
            LineKind::LateUsage => "late_usage",
            LineKind::OneTime => "one_time",
            LineKind::PassThrough => "pass_through",
            LineKind::Credit => "credit",
            LineKind::Fee => "fee",
            LineKind::Interest => "interest",
        }
    }
}

/// One charge before rounding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub kind: LineKind,
    /// The revenue account's tag (`licence`, `usage`, ...): `revenue:<tag>`.
    pub revenue: String,
    pub description: String,
    pub rule: RuleRef,
    /// Units (for usage: calls).
    pub quantity: i64,
    /// The unit price in micro units (for usage: 0, the calls carry their own amounts).
    pub unit_micros: i64,
    /// The exact amount in micro units; negative only for credits.
    pub exact_micros: i128,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    /// Where the line comes from: a subscription, a charge, or the CDRs it covers.
    pub source: String,
    /// Taxes and fees apply to it.
    pub taxable: bool,
}

impl Charge {
    /// `quantity` × `unit_micros`, checked.
    pub fn priced(mut self, quantity: i64, unit_micros: i64) -> Result<Charge, Refusal> {
        // Any currency: only the exact amount and the checks are used here.
        let l = line_minor(
            quantity,
            unit_micros,
            Currency::parse_stored("XTS").unwrap(),
        )?;
        self.quantity = quantity;
        self.unit_micros = unit_micros;
        self.exact_micros = l.exact_micros;
        Ok(self)
    }
}

/// A tax or fee rate in force in a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRate {
    /// `GB`, `US-NY`.
    pub jurisdiction: String,
    pub name: String,
    /// `tax` (to `tax:<jurisdiction>`) or `fee` (a recovery fee line, itself taxed).
    pub fee: bool,
    pub rate_ppm: i64,
}

/// A charge with its rounded amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub charge: Charge,
    pub minor: i64,
}

/// A tax of one jurisdiction on the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxLine {
    pub jurisdiction: String,
    pub name: String,
    pub rate_ppm: i64,
    pub base_minor: i64,
    pub minor: i64,
}

/// The invoice in money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub currency: Currency,
    pub lines: Vec<PricedLine>,
    pub taxes: Vec<TaxLine>,
    pub subtotal: i64,
    pub tax_total: i64,
    pub total: i64,
}

fn overflow() -> Refusal {
    Refusal::invalid("amount_too_large", "lines", "the invoice overflows")
}

fn add(a: i64, b: i64) -> Result<i64, Refusal> {
    a.checked_add(b).ok_or_else(overflow)
}

/// Rounds each line, adds the fees (as lines) and the taxes of `rates`, and totals: the total
/// is the sum of the rounded lines and the rounded taxes.
pub fn price(
    charges: Vec<Charge>,
    rates: &[TaxRate],
    currency: Currency,
) -> Result<Priced, Refusal> {
    let mut lines = Vec::with_capacity(charges.len() + rates.len());
    for c in charges {
        let minor = rounded(c.exact_micros, currency)?;
        lines.push(PricedLine { charge: c, minor });
    }
    // B7: recovery fees on the taxable lines, then taxes on the taxable lines and the fees.
    let base = taxable_base(&lines)?;
    for r in rates.iter().filter(|r| r.fee) {
        let base_micros = i128::from(base) * 10i128.pow(MICRO_DIGITS - currency.minor_digits());
        let exact = round_div(base_micros * i128::from(r.rate_ppm), i128::from(PPM));
        let charge = Charge {
            kind: LineKind::Fee,
            revenue: "regulatory_fee".into(),
            description: format!("{} ({})", r.name, r.jurisdiction),
            rule: rules::B7,
            quantity: 1,
            unit_micros: 0,
            exact_micros: exact,
            service_from: None,
            service_to: None,
            source: format!("rate:{}:{}", r.jurisdiction, r.name),
            taxable: true,
        };
        let minor = rounded(exact, currency)?;
        lines.push(PricedLine { charge, minor });
    }
    let base = taxable_base(&lines)?;
    let mut taxes = Vec::new();
    for r in rates.iter().filter(|r| !r.fee) {
        let minor = i64::try_from(round_div(
            i128::from(base) * i128::from(r.rate_ppm),
            i128::from(PPM),
        ))
        .map_err(|_| overflow())?;
        taxes.push(TaxLine {
            jurisdiction: r.jurisdiction.clone(),
            name: r.name.clone(),
            rate_ppm: r.rate_ppm,
            base_minor: base,
            minor,
        });
    }
    let subtotal = lines.iter().try_fold(0, |a, l| add(a, l.minor))?;
    let tax_total = taxes.iter().try_fold(0, |a, t| add(a, t.minor))?;
    Ok(Priced {
        currency,
        total: add(subtotal, tax_total)?,
        lines,
        taxes,
        subtotal,
        tax_total,
    })
}

fn rounded(exact: i128, currency: Currency) -> Result<i64, Refusal> {
    if exact.abs() > i128::from(i64::MAX) {
        return Err(overflow());
    }
    Ok(micros_to_minor(exact, currency))
}

fn taxable_base(lines: &[PricedLine]) -> Result<i64, Refusal> {
    lines
        .iter()
        .filter(|l| l.charge.taxable)
        .try_fold(0, |a, l| add(a, l.minor))
}

/// The account of a line in the issuer's books: pass-through payable, or revenue by tag. A
/// credit line (an SLA credit, B12) is negative, so it debits its revenue tag: it reduces what
/// was earned and what is owed at once. It never touches the customer's credit balance, which
/// holds only money already received or credited (B9), applied outside the invoice lines.
fn line_account(l: &PricedLine) -> AccountKind {
    match l.charge.kind {
        LineKind::PassThrough => AccountKind::PassThroughPayable,
        _ => AccountKind::Revenue(l.charge.revenue.clone()),
    }
}

/// The issuer's transaction: the receivable (debit, the total) against revenue, pass-through,
/// credit and tax accounts, netted per account.
pub fn issuer_transaction(
    p: &Priced,
    issuer: &str,
    counterparty: &str,
) -> Result<Transaction, Refusal> {
    let acct = |kind| LedgerAccount {
        issuer: issuer.into(),
        counterparty: counterparty.into(),
        kind,
        currency: p.currency,
    };
    // Credit-side amounts per account (a credit line nets as a debit).
    let mut credits: BTreeMap<AccountKind, i64> = BTreeMap::new();
    for l in &p.lines {
        let e = credits.entry(line_account(l)).or_default();
        *e = add(*e, l.minor)?;
    }
    for t in &p.taxes {
        let e = credits
            .entry(AccountKind::TaxPayable(t.jurisdiction.clone()))
            .or_default();
        *e = add(*e, t.minor)?;
    }
    let mut entries = vec![];
    push_signed(
        &mut entries,
        acct(AccountKind::Receivable),
        -i128::from(p.total),
    )?;
    for (kind, v) in credits {
        push_signed(&mut entries, acct(kind), i128::from(v))?;
    }
    Transaction::new(entries)
}

/// The bill as received in a partner's books (a wholesale invoice): the cost net of tax and
/// the input tax against what it owes the operator.
pub fn received_bill_transaction(
    p: &Priced,
    partner: &str,
    operator: &str,
) -> Result<Transaction, Refusal> {
    let acct = |kind| LedgerAccount {
        issuer: partner.into(),
        counterparty: operator.into(),
        kind,
        currency: p.currency,
    };
    let mut entries = vec![];
    push_signed(
        &mut entries,
        acct(AccountKind::WholesaleCost),
        -i128::from(p.subtotal),
    )?;
    for t in &p.taxes {
        push_signed(
            &mut entries,
            acct(AccountKind::TaxPayable(t.jurisdiction.clone())),
            -i128::from(t.minor),
        )?;
    }
    push_signed(
        &mut entries,
        acct(AccountKind::Payable),
        i128::from(p.total),
    )?;
    Transaction::new(entries)
}

/// `v` as a credit when positive, a debit when negative, nothing when zero.
fn push_signed(entries: &mut Vec<Entry>, account: LedgerAccount, v: i128) -> Result<(), Refusal> {
    if v != 0 {
        entries.push(Entry {
            account,
            side: if v > 0 { Side::Credit } else { Side::Debit },
            minor: i64::try_from(v.abs()).map_err(|_| overflow())?,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
