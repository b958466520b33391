//! The invariants `tollgate ledger verify` checks over the stored journal: each transaction
//! balances, and each stored balance equals the sum of its account's entries.

use std::collections::BTreeMap;

use super::{signed, Entry, LedgerAccount, Side};

/// A balance as stored (a running total kept for fast reads), to be checked against the
/// entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBalance {
    pub account: LedgerAccount,
    pub minor: i64,
}

/// One broken invariant, with what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// A stored transaction whose debits and credits differ (or mix currencies).
    Unbalanced {
        transaction: String,
        debits: i128,
        credits: i128,
    },
    /// A stored balance that is not the sum of its entries.
    BalanceDrift {
        account: LedgerAccount,
        stored: i64,
        from_entries: i128,
    },
    /// An entry with a zero or negative amount.
    BadAmount { transaction: String, minor: i64 },
}

/// Checks stored transactions (id → entries as read back, so they may be broken) and stored
/// balances. Sums in `i128`, so the check itself cannot overflow.
pub fn verify<'a>(
    transactions: impl IntoIterator<Item = (&'a str, &'a [Entry])>,
    balances: &[StoredBalance],
) -> Vec<Breach> {
    let mut out = Vec::new();
    let mut sums: BTreeMap<&LedgerAccount, i128> = BTreeMap::new();
    for (id, entries) in transactions {
        let (mut d, mut c) = (0i128, 0i128);
        let currency = entries.first().map(|e| e.account.currency);
        let mut mixed = false;
        for e in entries {
            if e.minor <= 0 {
                out.push(Breach::BadAmount {
                    transaction: id.into(),
                    minor: e.minor,
                });
            }
            mixed |= Some(e.account.currency) != currency;
            match e.side {
                Side::Debit => d += i128::from(e.minor),
                Side::Credit => c += i128::from(e.minor),
            }
            *sums.entry(&e.account).or_default() += i128::from(signed(e));
        }
        if d != c || mixed {
            out.push(Breach::Unbalanced {
                transaction: id.into(),
                debits: d,
                credits: c,
            });
        }
    }
    for b in balances {
        let from_entries = sums.get(&b.account).copied().unwrap_or(0);
        if i128::from(b.minor) != from_entries {
            out.push(Breach::BalanceDrift {
                account: b.account.clone(),
                stored: b.minor,
                from_entries,
            });
        }
    }
    out
}
