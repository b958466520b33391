//! The ledger journal: transactions and their entries, append-only (the database refuses
//! updates and deletes), and running balances per account kept in the same transaction for
//! fast reads (`tollgate ledger verify` checks them against the entries).

use tollgate_core::ledger::{Side, Transaction};

use crate::{Result, Tx};

pub mod system;

/// What a journal transaction records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalHead {
    pub id: String,
    pub at: i64,
    /// `invoice`, `bill_received`, ...
    pub kind: String,
    /// The document it records (an invoice id).
    pub ref_id: String,
    pub memo: String,
}

/// Appends a balanced transaction (balanced by construction: core [`Transaction`]) and moves
/// the running balances of its accounts.
pub async fn append(tx: &mut Tx, head: &JournalHead, t: &Transaction) -> Result<()> {
    let currency = t.entries()[0].account.currency;
    sqlx::query(
        "INSERT INTO ledger_transactions (id, at, kind, ref_id, currency, memo) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&head.id)
    .bind(head.at)
    .bind(&head.kind)
    .bind(&head.ref_id)
    .bind(currency.as_str())
    .bind(&head.memo)
    .execute(&mut **tx)
    .await?;
    for (i, e) in t.entries().iter().enumerate() {
        let account = e.account.kind.name();
        sqlx::query(
            "INSERT INTO ledger_entries (transaction_id, line_no, issuer, counterparty, account, \
             currency, side, amount_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&head.id)
        .bind(i as i64 + 1)
        .bind(&e.account.issuer)
        .bind(&e.account.counterparty)
        .bind(&account)
        .bind(currency.as_str())
        .bind(if e.side == Side::Debit {
            "debit"
        } else {
            "credit"
        })
        .bind(e.minor)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO ledger_balances (issuer, counterparty, account, currency, balance_minor) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer, counterparty, account, currency) \
             DO UPDATE SET balance_minor = ledger_balances.balance_minor + excluded.balance_minor",
        )
        .bind(&e.account.issuer)
        .bind(&e.account.counterparty)
        .bind(&account)
        .bind(currency.as_str())
        .bind(tollgate_core::ledger::signed(e))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
