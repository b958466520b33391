//! Receivables storage (issue 13): payments and their allocations to invoices, billing
//! credits, disputes, credit notes (append-only), late interest charged, legal interest caps.
//! Amounts in minor units, days as Unix seconds at 00:00 UTC. Scoped reads here; the reads
//! and writes of use cases that already checked the caller live in `system`.

use crate::row_macro::table_row;
use crate::{Arg, Page, Result, ScopeFilter, ScopedQuery, Store};
use tollgate_core::tenancy::Scope;

pub mod system;

table_row! {
    pub struct PaymentRow in "payments" {
        id: String,
        issuer_id: String,
        /// A billing account (retail) or a partner (wholesale).
        billed_id: String,
        currency: String,
        amount_minor: i64,
        received_on: i64,
        bank_reference: String,
        method: String,
        /// `received` or `declined`.
        state: String,
        declined_on: Option<i64>,
        decline_reason: Option<String>,
        /// What was left after the open invoices: a billing credit (B9).
        credit_minor: i64,
        created_at: i64,
    }
}

table_row! {
    pub struct AllocationRow in "allocations" {
        id: String,
        invoice_id: String,
        /// `payment`, `credit` or `credit_note`.
        source_kind: String,
        source_id: String,
        amount_minor: i64,
        on_day: i64,
        reversed_on: Option<i64>,
    }
}

table_row! {
    pub struct BillingCreditRow in "billing_credits" {
        id: String,
        issuer_id: String,
        billed_id: String,
        currency: String,
        amount_minor: i64,
        remaining_minor: i64,
        /// `overpayment`, `credit_note` or `cancellation`.
        source_kind: String,
        source_id: String,
        created_on: i64,
        refunded_on: Option<i64>,
    }
}

table_row! {
    pub struct DisputeRow in "disputes" {
        id: String,
        invoice_id: String,
        billed_id: String,
        opened_on: i64,
        amount_minor: i64,
        /// The invoice's line numbers disputed, comma separated.
        line_numbers: String,
        reason: String,
        /// The support ticket the dispute is discussed in (the support desk issue).
        ticket_ref: Option<String>,
        /// `open`, `upheld`, `partly_upheld` or `rejected`.
        state: String,
        resolved_on: Option<i64>,
        upheld_minor: Option<i64>,
        /// What stays unpaid is due on this day (resolution + 30 days).
        due_on: Option<i64>,
        credit_note_id: Option<String>,
        created_at: i64,
    }
}

table_row! {
    pub struct CreditNoteRow in "credit_notes" {
        id: String,
        /// Its own gapless series per issuer and year (`CN-...`).
        number: String,
        issuer_id: String,
        invoice_id: String,
        dispute_id: Option<String>,
        billed_id: String,
        currency: String,
        amount_minor: i64,
        issued_on: i64,
        reason: String,
        ledger_transaction_id: String,
    }
}

/// Appends the scope on a table with `issuer_id` and `billed_id` (alias `t`): a customer sees
/// what concerns its billing accounts; a partner what it issued or what was billed to it; the
/// operator all.
fn push_money_scope(
    scope: &ScopeFilter<'_>,
    issuer_col: &str,
    sql: &mut String,
    args: &mut Vec<Arg>,
) {
    match scope.scope() {
        Scope::All => {}
        Scope::Customer(id) => {
            args.push(Arg::Text(id.clone()));
            sql.push_str(&format!(
                " AND t.billed_id IN (SELECT b.id FROM billing_accounts b WHERE b.customer_id = ${})",
                args.len()
            ));
        }
        Scope::Partners(ids) if ids.is_empty() => sql.push_str(" AND 1 = 0"),
        Scope::Partners(ids) => {
            let mut marks = Vec::new();
            for id in ids {
                args.push(Arg::Text(id.clone()));
                marks.push(format!("${}", args.len()));
            }
            sql.push_str(&format!(
                " AND ({issuer_col} IN ({m}) OR t.billed_id = {first})",
                m = marks.join(", "),
                first = marks[0]
            ));
        }
    }
}

/// Payments in scope, optionally of one billed party.
pub async fn list_payments(
    store: &Store,
    scope: ScopeFilter<'_>,
    billed_id: Option<&str>,
    page: &Page,
) -> Result<Vec<PaymentRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM payments t", PaymentRow::cols("t")));
    q.filter("t.billed_id", "=", billed_id.map(|v| Arg::Text(v.into())))
        .clause(|sql, args| push_money_scope(&scope, "t.issuer_id", sql, args))
        .page("t.id", page);
    q.fetch(store.reader(), PaymentRow::from_row).await
}

/// Disputes in scope, optionally of one invoice.
pub async fn list_disputes(
    store: &Store,
    scope: ScopeFilter<'_>,
    invoice_id: Option<&str>,
    page: &Page,
) -> Result<Vec<DisputeRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM disputes t JOIN invoices i ON i.id = t.invoice_id",
        DisputeRow::cols("t")
    ));
    q.filter("t.invoice_id", "=", invoice_id.map(|v| Arg::Text(v.into())))
        .clause(|sql, args| push_money_scope(&scope, "i.issuer_id", sql, args))
        .page("t.id", page);
    q.fetch(store.reader(), DisputeRow::from_row).await
}

/// Credit notes in scope.
pub async fn list_credit_notes(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<CreditNoteRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM credit_notes t",
        CreditNoteRow::cols("t")
    ));
    q.clause(|sql, args| push_money_scope(&scope, "t.issuer_id", sql, args))
        .page("t.id", page);
    q.fetch(store.reader(), CreditNoteRow::from_row).await
}

/// Billing credits in scope with something left, of one billed party.
pub async fn list_credits(
    store: &Store,
    scope: ScopeFilter<'_>,
    billed_id: Option<&str>,
    page: &Page,
) -> Result<Vec<BillingCreditRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM billing_credits t",
        BillingCreditRow::cols("t")
    ));
    q.filter("t.billed_id", "=", billed_id.map(|v| Arg::Text(v.into())))
        .clause(|sql, args| push_money_scope(&scope, "t.issuer_id", sql, args))
        .page("t.id", page);
    q.fetch(store.reader(), BillingCreditRow::from_row).await
}
