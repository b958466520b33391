//! System-wide journal reads for `tollgate ledger verify`, which checks the whole ledger
//! (every issuer and counterparty: no tenant scope applies to an integrity check run by the
//! operator from the CLI).

use sqlx::Row;
use tollgate_core::ledger::{AccountKind, Entry, LedgerAccount, Side, StoredBalance};
use tollgate_core::money::Currency;

use crate::{Result, Store, StoreError};

/// Entries per journal page read by [`for_each_transaction`].
pub const VERIFY_PAGE_ROWS: i64 = 20_000;

fn account(r: &sqlx::any::AnyRow) -> Result<LedgerAccount> {
    let name: String = r.try_get("account")?;
    let currency: String = r.try_get("currency")?;
    Ok(LedgerAccount {
        issuer: r.try_get("issuer")?,
        counterparty: r.try_get("counterparty")?,
        kind: AccountKind::parse(&name)
            .ok_or_else(|| StoreError::Config(format!("unknown ledger account `{name}`")))?,
        currency: Currency::parse_stored(&currency).map_err(StoreError::Config)?,
    })
}

/// Calls `f` with each stored transaction (id, entries as stored), in id order, reading the
/// journal a page at a time so memory stays flat.
pub async fn for_each_transaction(store: &Store, mut f: impl FnMut(&str, &[Entry])) -> Result<u64> {
    let mut after = (String::new(), 0i64);
    let (mut current, mut entries): (Option<String>, Vec<Entry>) = (None, Vec::new());
    let mut n = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT transaction_id, line_no, issuer, counterparty, account, currency, side, \
             amount_minor FROM ledger_entries WHERE (transaction_id, line_no) > ($1, $2) \
             ORDER BY transaction_id, line_no LIMIT $3",
        )
        .bind(&after.0)
        .bind(after.1)
        .bind(VERIFY_PAGE_ROWS)
        .fetch_all(store.reader())
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let id: String = r.try_get("transaction_id")?;
            if current.as_deref() != Some(id.as_str()) {
                if let Some(c) = current.take() {
                    f(&c, &entries);
                    n += 1;
                }
                entries.clear();
                current = Some(id.clone());
            }
            let side: String = r.try_get("side")?;
            entries.push(Entry {
                account: account(r)?,
                side: if side == "debit" {
                    Side::Debit
                } else {
                    Side::Credit
                },
                minor: r.try_get("amount_minor")?,
            });
            after = (id, r.try_get("line_no")?);
        }
    }
    if let Some(c) = current {
        f(&c, &entries);
        n += 1;
    }
    Ok(n)
}

/// Every stored running balance.
pub async fn balances(store: &Store) -> Result<Vec<StoredBalance>> {
    let rows = sqlx::query(
        "SELECT issuer, counterparty, account, currency, balance_minor FROM ledger_balances \
         ORDER BY issuer, counterparty, account, currency",
    )
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredBalance {
                account: account(r)?,
                minor: r.try_get("balance_minor")?,
            })
        })
        .collect()
}

/// Invoices whose total differs from the receivable (issuer's books) their journal
/// transaction records: `(invoice id, invoice total, journal amount)`.
pub async fn invoice_total_mismatches(store: &Store) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT i.id, i.total_minor, CAST(COALESCE(SUM(CASE WHEN e.side = 'debit' THEN \
         e.amount_minor ELSE -e.amount_minor END), 0) AS BIGINT) AS journal \
         FROM invoices i LEFT JOIN ledger_entries e ON e.transaction_id = \
         i.ledger_transaction_id AND e.account = 'receivable' \
         GROUP BY i.id, i.total_minor HAVING CAST(COALESCE(SUM(CASE WHEN e.side = 'debit' \
         THEN e.amount_minor ELSE -e.amount_minor END), 0) AS BIGINT) <> i.total_minor",
    )
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("total_minor")?,
                r.try_get("journal")?,
            ))
        })
        .collect()
}

/// Seconds between a call's intake and a run's start for the call to count as seen by the
/// run (an intake transaction still committing when the run began may miss it: it then goes
/// on the next run as late usage, which is correct, and must not be reported as a breach).
pub const VERIFY_INTAKE_GRACE_S: i64 = 60;

/// Rated calls of closed, invoiced periods that are on no invoice at a level where they must
/// be: `(level, cdr id)`, at most `limit`. A call must be on a retail invoice once a finished
/// run whose usage month ends after its start began (with [`VERIFY_INTAKE_GRACE_S`]) after
/// the call was taken in; on a wholesale invoice too when its customer has a partner.
pub async fn uninvoiced_cdrs(store: &Store, limit: i64) -> Result<Vec<(String, String)>> {
    let seen = "EXISTS (SELECT 1 FROM billing_runs r WHERE r.state = 'done' AND \
                r.usage_end > d.start_at AND r.started_at > d.ingested_at + $1)";
    let rows = sqlx::query(&format!(
        "SELECT 'retail' AS level, d.id FROM cdrs d WHERE d.invoice_id IS NULL AND {seen} \
         UNION ALL SELECT 'wholesale' AS level, d.id FROM cdrs d JOIN customers c ON c.id = \
         d.customer_id WHERE d.wholesale_invoice_id IS NULL AND c.partner_id IS NOT NULL AND \
         {seen} LIMIT $2"
    ))
    .bind(VERIFY_INTAKE_GRACE_S)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("level")?, r.try_get("id")?)))
        .collect()
}

/// One entry on an account, with its transaction's day, kind, document and memo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEntry {
    pub transaction_id: String,
    pub at: i64,
    pub kind: String,
    pub ref_id: String,
    pub memo: String,
    /// Debits positive, credits negative.
    pub signed_minor: i64,
}

/// The entries of one ledger account (an issuer's `account` with a counterparty, in a
/// currency), in journal order: a statement of account is read from here, so it cannot
/// disagree with the ledger. Keyed by the caller, who checked it may see the counterparty.
pub async fn account_entries(
    store: &Store,
    issuer: &str,
    counterparty: &str,
    account: &str,
    currency: &str,
) -> Result<Vec<AccountEntry>> {
    let rows = sqlx::query(
        "SELECT t.id, t.at, t.kind, t.ref_id, t.memo, e.side, e.amount_minor \
         FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id \
         WHERE e.issuer = $1 AND e.counterparty = $2 AND e.account = $3 AND e.currency = $4 \
         ORDER BY t.at, t.id, e.line_no",
    )
    .bind(issuer)
    .bind(counterparty)
    .bind(account)
    .bind(currency)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            let amount: i64 = r.try_get("amount_minor")?;
            let side: String = r.try_get("side")?;
            Ok(AccountEntry {
                transaction_id: r.try_get("id")?,
                at: r.try_get("at")?,
                kind: r.try_get("kind")?,
                ref_id: r.try_get("ref_id")?,
                memo: r.try_get("memo")?,
                signed_minor: if side == "debit" { amount } else { -amount },
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
