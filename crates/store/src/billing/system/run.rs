//! What an invoice run reads and writes for every tenant: billable accounts and partners,
//! subscriptions, waiting charges, the calls of a period (marked with their invoices in the
//! same transaction that issues them), gapless invoice numbers.

use sqlx::Row;

use super::super::*;

/// A billing account with what its invoice prints and who sells to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillableAccount {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub address: Option<String>,
    pub jurisdiction: Option<String>,
    pub tax_id: Option<String>,
    pub customer_id: String,
    pub customer_name: String,
    pub partner_id: Option<String>,
}

/// Every billing account, grouped by partner (the operator's direct customers last), by id.
pub async fn billable_accounts(store: &Store) -> Result<Vec<BillableAccount>> {
    let rows = sqlx::query(
        "SELECT b.id, b.name, b.currency, b.address, b.jurisdiction, b.tax_id, c.id AS cid, \
         c.name AS cname, c.partner_id FROM billing_accounts b JOIN customers c ON \
         c.id = b.customer_id ORDER BY COALESCE(c.partner_id, '~'), b.id",
    )
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BillableAccount {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                currency: r.try_get("currency")?,
                address: r.try_get("address")?,
                jurisdiction: r.try_get("jurisdiction")?,
                tax_id: r.try_get("tax_id")?,
                customer_id: r.try_get("cid")?,
                customer_name: r.try_get("cname")?,
                partner_id: r.try_get("partner_id")?,
            })
        })
        .collect()
}

/// A party that issues or receives invoices: the operator or a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingParty {
    pub id: String,
    pub name: String,
    pub tier: Option<String>,
    pub address: Option<String>,
    pub jurisdiction: Option<String>,
    pub tax_id: Option<String>,
}

pub async fn billing_partners(store: &Store) -> Result<Vec<BillingParty>> {
    let rows = sqlx::query(
        "SELECT id, name, tier, address, jurisdiction, tax_id FROM partners ORDER BY id",
    )
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BillingParty {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                tier: r.try_get("tier")?,
                address: r.try_get("address")?,
                jurisdiction: r.try_get("jurisdiction")?,
                tax_id: r.try_get("tax_id")?,
            })
        })
        .collect()
}

/// The operator as an issuer (the first one: one operator per installation).
pub async fn operator_party(store: &Store) -> Result<Option<BillingParty>> {
    let row = sqlx::query(
        "SELECT id, name, address, tax_id FROM operators ORDER BY created_at, id LIMIT 1",
    )
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| {
        Ok(BillingParty {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            tier: None,
            address: r.try_get("address")?,
            jurisdiction: None,
            tax_id: r.try_get("tax_id")?,
        })
    })
    .transpose()
}

/// The subscriptions of a billing account, by id (read in the run's transaction).
pub async fn account_subscriptions(tx: &mut Tx, account: &str) -> Result<Vec<SubscriptionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM subscriptions WHERE billing_account_id = $1 ORDER BY id",
        SubscriptionRow::cols("")
    ))
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(SubscriptionRow::from_row)
        .collect::<Result<_, _>>()?)
}

/// Price changes (C3) of an account's subscriptions, by subscription and date.
pub async fn price_changes(tx: &mut Tx, account: &str) -> Result<Vec<SubscriptionPriceRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM subscription_prices p JOIN subscriptions s ON s.id = p.subscription_id \
         WHERE s.billing_account_id = $1 ORDER BY p.subscription_id, p.effective_from, p.id",
        SubscriptionPriceRow::cols("p")
    ))
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(SubscriptionPriceRow::from_row)
        .collect::<Result<_, _>>()?)
}

/// Charges waiting for the next invoice of a billing account (`retail`) or a partner
/// (`wholesale`) in `currency`, ready before `before`.
pub async fn waiting_charges(
    tx: &mut Tx,
    level: &str,
    key: &str,
    currency: &str,
    before: i64,
) -> Result<Vec<PendingChargeRow>> {
    let col = if level == "retail" {
        "billing_account_id"
    } else {
        "partner_id"
    };
    let rows = sqlx::query(&format!(
        "SELECT {} FROM pending_charges WHERE {col} = $1 AND level = $2 AND currency = $3 \
         AND ready_on < $4 AND invoice_id IS NULL ORDER BY ready_on, id",
        PendingChargeRow::cols("")
    ))
    .bind(key)
    .bind(level)
    .bind(currency)
    .bind(before)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(PendingChargeRow::from_row)
        .collect::<Result<_, _>>()?)
}

pub async fn charge_invoiced(tx: &mut Tx, id: &str, invoice_id: &str) -> Result<()> {
    sqlx::query("UPDATE pending_charges SET invoice_id = $1 WHERE id = $2 AND invoice_id IS NULL")
        .bind(invoice_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Puts every not yet invoiced call of `account` that started before `before` on the retail
/// invoice (and the partner's wholesale invoice, if any); how many.
pub async fn mark_usage(
    tx: &mut Tx,
    account: &str,
    before: i64,
    invoice_id: &str,
    wholesale_invoice_id: Option<&str>,
) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE cdrs SET invoice_id = $1, wholesale_invoice_id = $2 WHERE billing_account_id = $3 \
         AND start_at < $4 AND invoice_id IS NULL",
    )
    .bind(invoice_id)
    .bind(wholesale_invoice_id)
    .bind(account)
    .bind(before)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// The calls on an invoice, summed per destination, split into the usage month's and earlier
/// months' (late) calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageGroup {
    pub destination: String,
    pub late: bool,
    pub calls: i64,
    pub billed_s: i64,
    pub amount_micros: i64,
    pub first_at: i64,
    pub last_at: i64,
}

pub async fn usage_on_invoice(
    tx: &mut Tx,
    account: &str,
    invoice_id: &str,
    usage_start: i64,
) -> Result<Vec<UsageGroup>> {
    let rows = sqlx::query(
        "SELECT COALESCE(destination, 'Unrated') AS dest, CAST(CASE WHEN start_at < $3 THEN 1 \
         ELSE 0 END AS BIGINT) AS late, CAST(COUNT(*) AS BIGINT) AS calls, CAST(SUM(billed_s) \
         AS BIGINT) AS billed_s, CAST(SUM(amount_micros) AS BIGINT) AS amount, \
         CAST(MIN(start_at) AS BIGINT) AS first_at, CAST(MAX(start_at) AS BIGINT) AS last_at \
         FROM cdrs WHERE billing_account_id = $1 AND invoice_id = $2 GROUP BY 1, 2 \
         ORDER BY 2, 1",
    )
    .bind(account)
    .bind(invoice_id)
    .bind(usage_start)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UsageGroup {
                destination: r.try_get("dest")?,
                late: r.try_get::<i64, _>("late")? == 1,
                calls: r.try_get("calls")?,
                billed_s: r.try_get("billed_s")?,
                amount_micros: r.try_get("amount")?,
                first_at: r.try_get("first_at")?,
                last_at: r.try_get("last_at")?,
            })
        })
        .collect()
}

/// The next gapless number of `issuer` in `year`, allocated in the issuing transaction (a
/// rolled-back run gives it back).
pub async fn next_invoice_number(tx: &mut Tx, issuer: &str, year: i64) -> Result<i64> {
    let r = sqlx::query(
        "INSERT INTO invoice_counters (issuer_id, year, last_number) VALUES ($1, $2, 1) \
         ON CONFLICT (issuer_id, year) DO UPDATE SET last_number = \
         invoice_counters.last_number + 1 RETURNING last_number",
    )
    .bind(issuer)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("last_number")?)
}

/// Whether the invoice of `(level, billed, period, currency)` was issued.
pub async fn issued_invoice(
    tx: &mut Tx,
    level: &str,
    billed_id: &str,
    period: &str,
    currency: &str,
) -> Result<Option<String>> {
    let r = sqlx::query(
        "SELECT id FROM invoices WHERE level = $1 AND billed_id = $2 AND period = $3 AND currency = $4",
    )
    .bind(level)
    .bind(billed_id)
    .bind(period)
    .bind(currency)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.try_get("id")).transpose()?)
}

/// Writes an issued invoice with its lines and taxes.
pub async fn insert_invoice(
    tx: &mut Tx,
    inv: &InvoiceRow,
    lines: &[InvoiceLineRow],
    taxes: &[InvoiceTaxRow],
) -> Result<()> {
    inv.insert(tx).await?;
    for l in lines {
        l.insert(tx).await?;
    }
    for t in taxes {
        t.insert(tx).await?;
    }
    Ok(())
}

/// An invoice's lines and taxes, in order (after a scoped read of the invoice itself).
pub async fn invoice_parts(
    store: &Store,
    invoice_id: &str,
) -> Result<(Vec<InvoiceLineRow>, Vec<InvoiceTaxRow>)> {
    let lines = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no",
            InvoiceLineRow::cols("")
        ),
        vec![Arg::Text(invoice_id.into())],
        InvoiceLineRow::from_row,
    )
    .await?;
    let taxes = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM invoice_taxes WHERE invoice_id = $1 ORDER BY line_no",
            InvoiceTaxRow::cols("")
        ),
        vec![Arg::Text(invoice_id.into())],
        InvoiceTaxRow::from_row,
    )
    .await?;
    Ok((lines, taxes))
}

/// The invoices of a period, by issuer and number (a run's answer).
pub async fn invoices_of_period(store: &Store, period: &str) -> Result<Vec<InvoiceRow>> {
    fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM invoices WHERE period = $1 ORDER BY issuer_id, number",
            InvoiceRow::cols("")
        ),
        vec![Arg::Text(period.into())],
        InvoiceRow::from_row,
    )
    .await
}
