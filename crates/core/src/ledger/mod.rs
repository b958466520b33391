//! The double-entry ledger (RULEBOOK "Decision (money)"): balances live in an append-only
//! journal of balanced transactions in a currency's minor units; nothing is updated in place,
//! every correction is a new transaction. This module is the pure part: the chart of
//! accounts, a transaction that cannot be built unbalanced, and the checks behind
//! `tollgate ledger verify`. (Invoices, runs and their storage are issue 12's next steps.)

mod verify;

pub use verify::{verify, Breach, StoredBalance};

use crate::money::Currency;
use crate::Refusal;

/// What an account holds; together with the issuer and the counterparty it names one ledger
/// account (`receivable` of partner P owed by customer C, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKind {
    /// Owed to the issuer by the counterparty (an asset: debit-normal).
    Receivable,
    /// Earned by the issuer, per product kind (`licence`, `number`, `usage`, ...).
    Revenue(String),
    /// Tax collected for an authority, per jurisdiction (B1, B7).
    TaxPayable(String),
    /// Pass-through fees owed on to a third party (B8).
    PassThroughPayable,
    /// Credit the issuer owes the counterparty against future charges (B9, B12).
    CustomerCredit,
    /// Money received.
    Cash,
    /// Refunds the issuer owes (C4, B9).
    RefundsPayable,
    /// A partner's cost of what it bought wholesale from the operator.
    WholesaleCost,
    /// What a partner owes the operator for a wholesale invoice (a liability).
    Payable,
}

impl AccountKind {
    /// Debit-normal accounts (assets, costs) grow with debits; the others with credits.
    pub fn debit_normal(&self) -> bool {
        matches!(
            self,
            AccountKind::Receivable | AccountKind::Cash | AccountKind::WholesaleCost
        )
    }

    /// The stored name: `receivable`, `revenue:licence`, `tax:FR`, ...
    pub fn name(&self) -> String {
        match self {
            AccountKind::Receivable => "receivable".into(),
            AccountKind::Revenue(p) => format!("revenue:{p}"),
            AccountKind::TaxPayable(j) => format!("tax:{j}"),
            AccountKind::PassThroughPayable => "pass_through".into(),
            AccountKind::CustomerCredit => "customer_credit".into(),
            AccountKind::Cash => "cash".into(),
            AccountKind::RefundsPayable => "refunds_payable".into(),
            AccountKind::WholesaleCost => "wholesale_cost".into(),
            AccountKind::Payable => "payable".into(),
        }
    }

    /// Reads a stored name back.
    pub fn parse(s: &str) -> Option<AccountKind> {
        let simple = match s {
            "receivable" => Some(AccountKind::Receivable),
            "pass_through" => Some(AccountKind::PassThroughPayable),
            "customer_credit" => Some(AccountKind::CustomerCredit),
            "cash" => Some(AccountKind::Cash),
            "refunds_payable" => Some(AccountKind::RefundsPayable),
            "wholesale_cost" => Some(AccountKind::WholesaleCost),
            "payable" => Some(AccountKind::Payable),
            _ => None,
        };
        let tagged = |prefix: &str| {
            s.strip_prefix(prefix)
                .filter(|t| !t.is_empty())
                .map(String::from)
        };
        simple
            .or_else(|| tagged("revenue:").map(AccountKind::Revenue))
            .or_else(|| tagged("tax:").map(AccountKind::TaxPayable))
    }
}

/// One ledger account: a kind, kept by `issuer` (the operator or a partner) about
/// `counterparty` (a partner or a customer), in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LedgerAccount {
    pub issuer: String,
    pub counterparty: String,
    pub kind: AccountKind,
    pub currency: Currency,
}

/// Debit or credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Debit,
    Credit,
}

/// One line of a transaction: a positive amount in minor units on one side of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub account: LedgerAccount,
    pub side: Side,
    pub minor: i64,
}

/// A balanced transaction: debits equal credits, one currency, every amount positive. Built
/// only by [`Transaction::new`], so an unbalanced one cannot exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    entries: Vec<Entry>,
}

impl Transaction {
    /// Checks and builds a transaction; `ledger_unbalanced`, `ledger_currency_mixed`,
    /// `ledger_amount_invalid` or `ledger_empty` otherwise (checked sums: an overflow refuses).
    pub fn new(entries: Vec<Entry>) -> Result<Transaction, Refusal> {
        let Some(first) = entries.first() else {
            return Err(Refusal::invalid(
                "ledger_empty",
                "entries",
                "a transaction needs entries",
            ));
        };
        let currency = first.account.currency;
        let (mut debits, mut credits) = (0i64, 0i64);
        for e in &entries {
            if e.account.currency != currency {
                return Err(Refusal::invalid(
                    "ledger_currency_mixed",
                    "entries",
                    format!(
                        "{} and {} in one transaction",
                        currency.as_str(),
                        e.account.currency.as_str()
                    ),
                ));
            }
            if e.minor <= 0 {
                return Err(Refusal::invalid(
                    "ledger_amount_invalid",
                    "entries",
                    "every entry is a positive amount",
                ));
            }
            let side = if e.side == Side::Debit {
                &mut debits
            } else {
                &mut credits
            };
            *side = side.checked_add(e.minor).ok_or_else(|| {
                Refusal::invalid(
                    "ledger_amount_invalid",
                    "entries",
                    "the transaction overflows 64 bits",
                )
            })?;
        }
        if debits != credits {
            return Err(Refusal::invalid(
                "ledger_unbalanced",
                "entries",
                format!("debits {debits} ≠ credits {credits}"),
            ));
        }
        Ok(Transaction { entries })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The total moved (the sum of the debits, equal to the sum of the credits).
    pub fn total(&self) -> i64 {
        self.entries
            .iter()
            .filter(|e| e.side == Side::Debit)
            .map(|e| e.minor)
            .sum()
    }
}

/// The signed effect of an entry on its account's balance (positive: the account grows on its
/// normal side).
pub fn signed(e: &Entry) -> i64 {
    match (e.account.kind.debit_normal(), e.side) {
        (true, Side::Debit) | (false, Side::Credit) => e.minor,
        _ => -e.minor,
    }
}

#[cfg(test)]
mod tests;
