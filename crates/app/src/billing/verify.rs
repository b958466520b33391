//! `tollgate ledger verify`: every invariant of the ledger, checked over everything stored:
//! each transaction balances (one currency, positive amounts), each running balance equals
//! the sum of its entries, each invoice's total equals the receivable its transaction records,
//! and each rated call of a closed, invoiced period is on an invoice at every level it must be
//! (never on two: each level has one column).

use tollgate_core::ledger::{verify, Breach};
use tollgate_store::ledger::system as ledger_system;

use crate::{App, AppError};

/// Breaches listed per kind at most (the counts are always complete).
pub const MAX_BREACHES_LISTED: usize = 50;

/// What `ledger verify` found.
#[derive(Debug, Clone, Default)]
pub struct LedgerReport {
    pub transactions: u64,
    pub balances: usize,
    pub invoices_checked: bool,
    /// Each breach, as one line of text.
    pub breaches: Vec<String>,
}

impl LedgerReport {
    pub fn ok(&self) -> bool {
        self.breaches.is_empty()
    }
}

impl App {
    pub async fn verify_ledger(&self) -> Result<LedgerReport, AppError> {
        let mut journal_breaches: Vec<Breach> = Vec::new();
        // Stream the journal: check each transaction, keep only per-account sums.
        let mut per_account: std::collections::BTreeMap<
            tollgate_core::ledger::LedgerAccount,
            i128,
        > = Default::default();
        let n = ledger_system::for_each_transaction(&self.store, |id, entries| {
            journal_breaches.extend(verify([(id, entries)], &[]));
            for e in entries {
                *per_account.entry(e.account.clone()).or_default() +=
                    i128::from(tollgate_core::ledger::signed(e));
            }
        })
        .await?;
        let balances = ledger_system::balances(&self.store).await?;
        let mut report = LedgerReport {
            transactions: n,
            balances: balances.len(),
            invoices_checked: true,
            breaches: Vec::new(),
        };
        for b in journal_breaches.iter().take(MAX_BREACHES_LISTED) {
            report.breaches.push(format!("{b:?}"));
        }
        for b in &balances {
            let from_entries = per_account.get(&b.account).copied().unwrap_or(0);
            if i128::from(b.minor) != from_entries {
                report.breaches.push(format!(
                    "balance of {} {} {} {} is {} but its entries sum to {from_entries}",
                    b.account.issuer,
                    b.account.counterparty,
                    b.account.kind.name(),
                    b.account.currency,
                    b.minor
                ));
            }
        }
        for (acct, sum) in &per_account {
            if *sum != 0 && !balances.iter().any(|b| &b.account == acct) {
                report.breaches.push(format!(
                    "account {} {} {} has entries summing to {sum} but no balance",
                    acct.issuer,
                    acct.counterparty,
                    acct.kind.name()
                ));
            }
        }
        for (id, total, journal) in ledger_system::invoice_total_mismatches(&self.store).await? {
            report.breaches.push(format!(
                "invoice {id} totals {total} but its transaction records a receivable of {journal}"
            ));
        }
        let missing =
            ledger_system::uninvoiced_cdrs(&self.store, MAX_BREACHES_LISTED as i64).await?;
        for (level, cdr) in missing {
            report.breaches.push(format!(
                "rated call {cdr} of a closed, invoiced period is on no {level} invoice"
            ));
        }
        Ok(report)
    }
}
