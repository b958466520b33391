//! Receivables reads and writes with no tenant scope, for use cases that checked the caller
//! already (a payment recorded by its issuer, a dispute on an invoice read in scope) and for
//! the billing run (interest, credits applied).

use sqlx::Row;

use super::{AllocationRow, BillingCreditRow, DisputeRow, PaymentRow};
use crate::billing::InvoiceRow;
use crate::{Result, Store, StoreError, Tx};

/// An invoice with what was allocated to it (payments, credits, credit notes not reversed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub invoice: InvoiceRow,
    pub allocated_minor: i64,
}

impl OpenInvoice {
    pub fn open_minor(&self) -> i64 {
        self.invoice.total_minor - self.allocated_minor
    }
}

const ALLOCATED: &str = "COALESCE((SELECT CAST(SUM(a.amount_minor) AS BIGINT) FROM allocations a \
     WHERE a.invoice_id = i.id AND a.reversed_on IS NULL), 0) AS allocated_minor";

fn open_invoice(r: &sqlx::any::AnyRow) -> std::result::Result<OpenInvoice, sqlx::Error> {
    Ok(OpenInvoice {
        invoice: InvoiceRow::from_row(r)?,
        allocated_minor: r.try_get("allocated_minor")?,
    })
}

/// The invoices `issuer` billed to `billed_id` in `currency`, oldest first, with what was
/// allocated to each (all of them: the caller keeps those with something open).
pub async fn invoices_of(
    tx: &mut Tx,
    issuer: &str,
    billed_id: &str,
    currency: &str,
) -> Result<Vec<OpenInvoice>> {
    let sql = format!(
        "SELECT {}, {ALLOCATED} FROM invoices i WHERE i.issuer_id = $1 AND i.billed_id = $2 \
         AND i.currency = $3 ORDER BY i.invoice_date, i.number",
        InvoiceRow::cols("i")
    );
    let rows = sqlx::query(&sql)
        .bind(issuer)
        .bind(billed_id)
        .bind(currency)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .iter()
        .map(open_invoice)
        .collect::<std::result::Result<_, _>>()?)
}

/// Every invoice of `issuer` (all issuers: `None`) with something open, oldest first: the
/// aged receivables.
pub async fn open_invoices_of_issuer(
    store: &Store,
    issuer: Option<&str>,
) -> Result<Vec<OpenInvoice>> {
    let sql = format!(
        "SELECT * FROM (SELECT {}, {ALLOCATED} FROM invoices i WHERE ($1 = '' OR i.issuer_id = $1)) o \
         WHERE o.total_minor > o.allocated_minor ORDER BY o.issuer_id, o.due_date, o.number",
        InvoiceRow::cols("i")
    );
    let rows = sqlx::query(&sql)
        .bind(issuer.unwrap_or(""))
        .fetch_all(store.reader())
        .await?;
    Ok(rows
        .iter()
        .map(open_invoice)
        .collect::<std::result::Result<_, _>>()?)
}

pub async fn allocations_of(tx: &mut Tx, invoice_id: &str) -> Result<Vec<AllocationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM allocations WHERE invoice_id = $1 ORDER BY on_day, id",
        AllocationRow::cols("")
    ))
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(AllocationRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

pub async fn allocations_from(tx: &mut Tx, source_id: &str) -> Result<Vec<AllocationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM allocations WHERE source_id = $1 AND reversed_on IS NULL ORDER BY id",
        AllocationRow::cols("")
    ))
    .bind(source_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(AllocationRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

pub async fn reverse_allocation(tx: &mut Tx, id: &str, on: i64) -> Result<()> {
    sqlx::query("UPDATE allocations SET reversed_on = $1 WHERE id = $2 AND reversed_on IS NULL")
        .bind(on)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn payment_by_reference(
    tx: &mut Tx,
    issuer: &str,
    reference: &str,
) -> Result<Option<PaymentRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM payments WHERE issuer_id = $1 AND bank_reference = $2",
        PaymentRow::cols("")
    ))
    .bind(issuer)
    .bind(reference)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(PaymentRow::from_row).transpose()?)
}

pub async fn get_payment(tx: &mut Tx, id: &str) -> Result<PaymentRow> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM payments WHERE id = $1",
        PaymentRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(PaymentRow::from_row(&r)?)
}

pub async fn decline_payment(tx: &mut Tx, id: &str, on: i64, reason: &str) -> Result<()> {
    sqlx::query(
        "UPDATE payments SET state = 'declined', declined_on = $1, decline_reason = $2 \
         WHERE id = $3 AND state = 'received'",
    )
    .bind(on)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Billing credits of a billed party with something left, oldest first.
pub async fn credits_left(
    tx: &mut Tx,
    issuer: &str,
    billed_id: &str,
    currency: &str,
) -> Result<Vec<BillingCreditRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM billing_credits WHERE issuer_id = $1 AND billed_id = $2 AND currency = $3 \
         AND remaining_minor > 0 AND refunded_on IS NULL ORDER BY created_on, id",
        BillingCreditRow::cols("")
    ))
    .bind(issuer)
    .bind(billed_id)
    .bind(currency)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(BillingCreditRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

pub async fn credit_by_source(tx: &mut Tx, source_id: &str) -> Result<Option<BillingCreditRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM billing_credits WHERE source_id = $1",
        BillingCreditRow::cols("")
    ))
    .bind(source_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(BillingCreditRow::from_row).transpose()?)
}

pub async fn set_credit_remaining(tx: &mut Tx, id: &str, remaining: i64) -> Result<()> {
    sqlx::query("UPDATE billing_credits SET remaining_minor = $1 WHERE id = $2")
        .bind(remaining)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn disputes_of(tx: &mut Tx, invoice_id: &str) -> Result<Vec<DisputeRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM disputes WHERE invoice_id = $1 ORDER BY opened_on, id",
        DisputeRow::cols("")
    ))
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(DisputeRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

pub async fn get_dispute(tx: &mut Tx, id: &str) -> Result<DisputeRow> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM disputes WHERE id = $1",
        DisputeRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(DisputeRow::from_row(&r)?)
}

/// Records a dispute's resolution (once: an open dispute only).
pub async fn resolve_dispute(tx: &mut Tx, d: &DisputeRow) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE disputes SET state = $1, resolved_on = $2, upheld_minor = $3, due_on = $4, \
         credit_note_id = $5 WHERE id = $6 AND state = 'open'",
    )
    .bind(&d.state)
    .bind(d.resolved_on)
    .bind(d.upheld_minor)
    .bind(d.due_on)
    .bind(&d.credit_note_id)
    .bind(&d.id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// B6: the legal maximum rate (basis points a year) of a jurisdiction on a day, if one is set.
/// A jurisdiction `GB-ENG` falls back to `GB`.
pub async fn interest_cap(tx: &mut Tx, jurisdiction: &str, day: i64) -> Result<Option<i64>> {
    let country = jurisdiction.split('-').next().unwrap_or(jurisdiction);
    let r = sqlx::query(
        "SELECT max_annual_bp FROM interest_caps WHERE jurisdiction IN ($1, $2) AND \
         effective_from <= $3 ORDER BY length(jurisdiction) DESC, effective_from DESC LIMIT 1",
    )
    .bind(jurisdiction)
    .bind(country)
    .bind(day)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.try_get("max_annual_bp")).transpose()?)
}

pub async fn set_interest_cap(tx: &mut Tx, jurisdiction: &str, from: i64, bp: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO interest_caps (jurisdiction, effective_from, max_annual_bp) VALUES ($1, $2, $3) \
         ON CONFLICT (jurisdiction, effective_from) DO UPDATE SET max_annual_bp = $3",
    )
    .bind(jurisdiction)
    .bind(from)
    .bind(bp)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// B6: the interest already charged on an invoice: the total to the last day charged, and
/// that day.
pub async fn interest_charged(tx: &mut Tx, invoice_id: &str) -> Result<(i64, Option<i64>)> {
    let r = sqlx::query(
        "SELECT total_micros, through_day FROM interest_charged WHERE invoice_id = $1 \
         ORDER BY through_day DESC LIMIT 1",
    )
    .bind(invoice_id)
    .fetch_optional(&mut **tx)
    .await?;
    match r {
        Some(r) => Ok((r.try_get("total_micros")?, Some(r.try_get("through_day")?))),
        None => Ok((0, None)),
    }
}

pub async fn record_interest(
    tx: &mut Tx,
    invoice_id: &str,
    through_day: i64,
    total_micros: i64,
    on_invoice_id: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO interest_charged (invoice_id, through_day, total_micros, on_invoice_id) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(invoice_id)
    .bind(through_day)
    .bind(total_micros)
    .bind(on_invoice_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The recurring lines a subscription was invoiced at retail (prepaid periods), oldest first.
pub async fn prepaid_lines(
    tx: &mut Tx,
    subscription_id: &str,
) -> Result<Vec<(InvoiceRow, crate::billing::InvoiceLineRow)>> {
    let sql = format!(
        "SELECT {}, {} FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
         WHERE l.source = $1 AND l.kind = 'recurring' AND i.level = 'retail' \
         ORDER BY l.service_from, i.id, l.line_no",
        InvoiceRow::cols("i"),
        crate::billing::InvoiceLineRow::COLS
            .iter()
            .map(|c| format!("l.{c} AS l_{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(subscription_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            let line = crate::billing::InvoiceLineRow {
                invoice_id: r.try_get("l_invoice_id")?,
                line_no: r.try_get("l_line_no")?,
                kind: r.try_get("l_kind")?,
                revenue: r.try_get("l_revenue")?,
                description: r.try_get("l_description")?,
                rule: r.try_get("l_rule")?,
                clause: r.try_get("l_clause")?,
                quantity: r.try_get("l_quantity")?,
                unit_micros: r.try_get("l_unit_micros")?,
                exact_micros: r.try_get("l_exact_micros")?,
                amount_minor: r.try_get("l_amount_minor")?,
                service_from: r.try_get("l_service_from")?,
                service_to: r.try_get("l_service_to")?,
                source: r.try_get("l_source")?,
                taxable: r.try_get("l_taxable")?,
            };
            Ok((InvoiceRow::from_row(r)?, line))
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// An issuer's dunning policy: (reminder days, suspend after days, suspend threshold).
pub async fn dunning_policy(
    store: &Store,
    issuer: &str,
) -> Result<Option<(Vec<i64>, Option<i64>, i64)>> {
    let r = sqlx::query(
        "SELECT reminder_days, suspend_after_days, suspend_min_minor FROM dunning_policies \
         WHERE issuer_id = $1",
    )
    .bind(issuer)
    .fetch_optional(store.reader())
    .await?;
    let Some(r) = r else { return Ok(None) };
    let days: String = r.try_get("reminder_days")?;
    Ok(Some((
        days.split(',')
            .filter_map(|d| d.trim().parse().ok())
            .collect(),
        r.try_get("suspend_after_days")?,
        r.try_get("suspend_min_minor")?,
    )))
}

pub async fn set_dunning_policy(
    tx: &mut Tx,
    issuer: &str,
    reminder_days: &[i64],
    suspend_after_days: Option<i64>,
    suspend_min_minor: i64,
    now: i64,
) -> Result<()> {
    let days = reminder_days
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query(
        "INSERT INTO dunning_policies (issuer_id, reminder_days, suspend_after_days, \
         suspend_min_minor, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer_id) DO \
         UPDATE SET reminder_days = $2, suspend_after_days = $3, suspend_min_minor = $4, \
         updated_at = $5",
    )
    .bind(issuer)
    .bind(days)
    .bind(suspend_after_days)
    .bind(suspend_min_minor)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The dunning steps taken for an invoice.
pub async fn dunning_steps(store: &Store, invoice_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT step FROM dunning_log WHERE invoice_id = $1")
        .bind(invoice_id)
        .fetch_all(store.reader())
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("step"))
        .collect::<std::result::Result<_, _>>()?)
}

/// Records a step; false when it was taken already (another sweep got there first).
pub async fn log_dunning_step(
    tx: &mut Tx,
    invoice_id: &str,
    step: &str,
    at: i64,
    suspension_id: Option<&str>,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO dunning_log (invoice_id, step, at, suspension_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (invoice_id, step) DO NOTHING",
    )
    .bind(invoice_id)
    .bind(step)
    .bind(at)
    .bind(suspension_id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Suspensions dunning placed and has not lifted: (invoice id, billed party, suspension id).
pub async fn dunning_suspensions(store: &Store) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT l.invoice_id, i.billed_id, l.suspension_id FROM dunning_log l JOIN invoices i \
         ON i.id = l.invoice_id WHERE l.step = 'suspend' AND l.suspension_id IS NOT NULL AND \
         l.lifted_at IS NULL ORDER BY l.invoice_id",
    )
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("invoice_id")?,
                r.try_get("billed_id")?,
                r.try_get("suspension_id")?,
            ))
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn mark_dunning_lifted(tx: &mut Tx, invoice_id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE dunning_log SET lifted_at = $1 WHERE invoice_id = $2 AND step = 'suspend'")
        .bind(at)
        .bind(invoice_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a credit refunded: nothing is left of it for later invoices.
pub async fn refund_credit(tx: &mut Tx, id: &str, on: i64) -> Result<()> {
    sqlx::query("UPDATE billing_credits SET remaining_minor = 0, refunded_on = $1 WHERE id = $2")
        .bind(on)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What of an invoice is not due on `day` because of disputes (B9): the open disputes'
/// amounts, and what a resolution left unpaid until its due day.
pub async fn held_by_disputes(store: &Store, invoice_id: &str, day: i64) -> Result<i64> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN state = 'open' THEN amount_minor \
         WHEN due_on IS NOT NULL AND due_on > $2 THEN amount_minor - COALESCE(upheld_minor, 0) \
         ELSE 0 END), 0) AS BIGINT) AS held FROM disputes WHERE invoice_id = $1",
    )
    .bind(invoice_id)
    .bind(day)
    .fetch_one(store.reader())
    .await?;
    Ok(r.try_get("held")?)
}

/// Names the suspension a logged `suspend` step placed.
pub async fn set_dunning_suspension(
    tx: &mut Tx,
    invoice_id: &str,
    suspension_id: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE dunning_log SET suspension_id = $1 WHERE invoice_id = $2 AND step = 'suspend'",
    )
    .bind(suspension_id)
    .bind(invoice_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the billed party's money lock for the rest of the transaction (a row lock on
/// PostgreSQL; SQLite has one writer anyway): allocations, credits and open amounts read after
/// it cannot change under the caller.
pub async fn lock_party(tx: &mut Tx, billed_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO receivable_locks (billed_id, touched) VALUES ($1, 1) ON CONFLICT (billed_id) \
         DO UPDATE SET touched = receivable_locks.touched + 1",
    )
    .bind(billed_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
