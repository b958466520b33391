//! Issued invoices, their lines and taxes (append-only), scoped: a customer sees the retail
//! invoices billed to it; a partner the retail invoices it issued (and those of the resellers
//! it is the assigned partner of) and the wholesale invoices billed to itself; the operator
//! all.

use super::*;
use crate::rating::CdrRow;

table_row! {
    pub struct InvoiceRow in "invoices" {
        id: String,
        /// Gapless per issuer and year.
        number: String,
        /// The operator's or the partner's id.
        issuer_id: String,
        /// `wholesale` (operator → partner) or `retail` (→ a customer's billing account).
        level: String,
        /// The billing account (retail) or the partner (wholesale) billed.
        billed_id: String,
        billing_account_id: Option<String>,
        customer_id: Option<String>,
        /// Retail: the issuing partner (none: the operator's own customer); wholesale: the
        /// billed partner.
        partner_id: Option<String>,
        period: String,
        invoice_date: i64,
        due_date: i64,
        currency: String,
        subtotal_minor: i64,
        tax_total_minor: i64,
        total_minor: i64,
        profile_id: String,
        profile_version: i64,
        due_clause: String,
        payment_reference: String,
        issuer_name: String,
        issuer_address: String,
        issuer_tax_id: Option<String>,
        billed_name: String,
        billed_address: String,
        billed_tax_id: Option<String>,
        ledger_transaction_id: String,
        run_id: String,
        issued_at: i64,
    }
}

table_row! {
    pub struct InvoiceLineRow in "invoice_lines" {
        invoice_id: String,
        line_no: i64,
        /// Core `LineKind`: `recurring`, `usage`, `late_usage`, ...
        kind: String,
        revenue: String,
        description: String,
        rule: String,
        clause: String,
        quantity: i64,
        unit_micros: i64,
        exact_micros: i64,
        amount_minor: i64,
        service_from: Option<i64>,
        service_to: Option<i64>,
        /// A subscription, a pending charge, or `cdrs:<account>:<from>:<to>` (its calls).
        source: String,
        taxable: i64,
    }
}

table_row! {
    pub struct InvoiceTaxRow in "invoice_taxes" {
        invoice_id: String,
        line_no: i64,
        jurisdiction: String,
        name: String,
        rate_ppm: i64,
        base_minor: i64,
        amount_minor: i64,
    }
}

/// Filters of the invoice list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub period: Option<String>,
    pub level: Option<String>,
    pub billing_account_id: Option<String>,
    pub partner_id: Option<String>,
}

/// Appends the invoice scope on alias `i` (see [`ScopeFilter::push_levelled`]).
fn push_invoice_scope(scope: &ScopeFilter<'_>, sql: &mut String, args: &mut Vec<Arg>) {
    scope.push_levelled(sql, args, "i.level", "i.customer_id", "i.partner_id");
}

pub async fn list_invoices(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &InvoiceFilter,
    page: &Page,
) -> Result<Vec<InvoiceRow>> {
    let text = |v: &Option<String>| v.clone().map(Arg::Text);
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM invoices i", InvoiceRow::cols("i")));
    q.filter("i.period", "=", text(&f.period))
        .filter("i.level", "=", text(&f.level))
        .filter("i.billing_account_id", "=", text(&f.billing_account_id))
        .filter("i.partner_id", "=", text(&f.partner_id))
        .clause(|sql, args| push_invoice_scope(&scope, sql, args))
        .page("i.id", page);
    q.fetch(store.reader(), InvoiceRow::from_row).await
}

/// Invoiced per period and currency in scope: (period, currency, invoices, total in minor
/// units), periods from `from_period` (`YYYY-MM`) on, of one `level` when given (`retail`,
/// `wholesale`), in period order.
pub async fn invoice_totals(
    store: &Store,
    scope: ScopeFilter<'_>,
    from_period: &str,
    level: Option<&str>,
) -> Result<Vec<(String, String, i64, i64)>> {
    let mut q = ScopedQuery::new(
        "SELECT i.period AS period, i.currency AS currency, COUNT(*) AS n, \
         CAST(SUM(i.total_minor) AS BIGINT) AS total FROM invoices i",
    );
    q.filter("i.period", ">=", Arg::Text(from_period.into()))
        .filter("i.level", "=", level.map(|l| Arg::Text(l.into())))
        .clause(|sql, args| push_invoice_scope(&scope, sql, args))
        .clause(|sql, _| sql.push_str(" GROUP BY i.period, i.currency ORDER BY 1, 2"));
    q.fetch(store.reader(), |r| {
        Ok((
            sqlx::Row::try_get(r, "period")?,
            sqlx::Row::try_get(r, "currency")?,
            sqlx::Row::try_get(r, "n")?,
            sqlx::Row::try_get(r, "total")?,
        ))
    })
    .await
}

/// A column an invoice list can be sorted by (each an integer, with the id breaking ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceSort {
    InvoiceDate,
    DueDate,
    Total,
}

impl InvoiceSort {
    pub fn parse(s: &str) -> Option<InvoiceSort> {
        match s {
            "date" => Some(InvoiceSort::InvoiceDate),
            "due" => Some(InvoiceSort::DueDate),
            "total" => Some(InvoiceSort::Total),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceSort::InvoiceDate => "date",
            InvoiceSort::DueDate => "due",
            InvoiceSort::Total => "total",
        }
    }

    fn column(self) -> &'static str {
        match self {
            InvoiceSort::InvoiceDate => "i.invoice_date",
            InvoiceSort::DueDate => "i.due_date",
            InvoiceSort::Total => "i.total_minor",
        }
    }

    /// The sort column's value of a row (what a cursor carries).
    pub fn value(self, i: &InvoiceRow) -> i64 {
        match self {
            InvoiceSort::InvoiceDate => i.invoice_date,
            InvoiceSort::DueDate => i.due_date,
            InvoiceSort::Total => i.total_minor,
        }
    }
}

/// Invoices in scope sorted by `sort` (then id), ascending or descending, after the row
/// `(value, id)` of the previous page: keyset paging on the sort column, so every page costs
/// the same.
pub async fn list_invoices_sorted(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &InvoiceFilter,
    p: &crate::SortedPage<'_, InvoiceSort>,
) -> Result<Vec<InvoiceRow>> {
    let text = |v: &Option<String>| v.clone().map(Arg::Text);
    let col = p.sort.column();
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM invoices i", InvoiceRow::cols("i")));
    q.filter("i.period", "=", text(&f.period))
        .filter("i.level", "=", text(&f.level))
        .filter("i.billing_account_id", "=", text(&f.billing_account_id))
        .filter("i.partner_id", "=", text(&f.partner_id))
        .clause(|sql, args| push_invoice_scope(&scope, sql, args))
        .clause(|sql, args| crate::push_sorted(sql, args, col, "i.id", p));
    q.fetch(store.reader(), InvoiceRow::from_row).await
}

pub async fn get_invoice(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<InvoiceRow> {
    let mut sql = format!(
        "SELECT {} FROM invoices i WHERE i.id = $1",
        InvoiceRow::cols("i")
    );
    let mut args = vec![Arg::Text(id.into())];
    push_invoice_scope(&scope, &mut sql, &mut args);
    fetch_dynamic(store.reader(), &sql, args, InvoiceRow::from_row)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// An invoice in scope with its lines and taxes, in order.
pub async fn invoice_with_lines(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<(InvoiceRow, Vec<InvoiceLineRow>, Vec<InvoiceTaxRow>)> {
    let inv = get_invoice(store, scope, id).await?;
    let (lines, taxes) = system::invoice_parts(store, &inv.id).await?;
    Ok((inv, lines, taxes))
}

/// The calls on a retail invoice in scope, in call order, at most `limit`, and how many there
/// are in all (the annex of the document).
pub async fn invoice_cdrs(
    store: &Store,
    scope: ScopeFilter<'_>,
    invoice_id: &str,
    limit: i64,
) -> Result<(Vec<CdrRow>, i64)> {
    use sqlx::Row;
    let inv = get_invoice(store, scope, invoice_id).await?;
    let Some(account) = inv.billing_account_id.filter(|_| inv.level == "retail") else {
        return Ok((Vec::new(), 0));
    };
    let cols = crate::rating::CDR_COLS;
    let rows = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {cols} FROM cdrs d WHERE d.billing_account_id = $1 AND d.invoice_id = $2 \
             ORDER BY d.start_at, d.id LIMIT $3"
        ),
        vec![
            Arg::Text(account.clone()),
            Arg::Text(inv.id.clone()),
            Arg::Int(limit),
        ],
        crate::rating::cdr,
    )
    .await?;
    let n: i64 = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM cdrs WHERE billing_account_id = $1 AND invoice_id = $2",
    )
    .bind(&account)
    .bind(&inv.id)
    .fetch_one(store.reader())
    .await?
    .try_get("n")?;
    Ok((rows, n))
}
