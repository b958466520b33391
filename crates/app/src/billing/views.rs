//! Issued invoices as callers see them: the stored invoice with its lines and taxes (scoped),
//! the printable document (PDF, HTML) with its usage summary and call annex, and the CSV
//! export for accounting.

use tollgate_core::money::format_minor;
use tollgate_store::billing::{
    self as billing_store, InvoiceFilter, InvoiceLineRow, InvoiceRow, InvoiceTaxRow,
};
use tollgate_store::{Page, ScopeFilter};

use super::document::{
    CallDetail, DocLine, DocTax, InvoiceDocument, Party, ZoneSummary, MAX_ANNEX_CALLS,
};
use super::{currency, day_text, micros_text};
use crate::{App, AppError, Caller};

/// An invoice with its lines and taxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceView {
    pub invoice: InvoiceRow,
    pub lines: Vec<InvoiceLineRow>,
    pub taxes: Vec<InvoiceTaxRow>,
}

fn address_lines(a: &str) -> Vec<String> {
    a.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Percent from parts per million (`200000` → `20`, `72500` → `7.25`).
pub fn pct_text(ppm: i64) -> String {
    let s = tollgate_core::money::format_scaled(i128::from(ppm), 4);
    let t = s.trim_end_matches('0').trim_end_matches('.');
    t.to_string()
}

impl App {
    pub async fn list_invoices(
        &self,
        caller: &Caller,
        f: &InvoiceFilter,
        page: &Page,
    ) -> Result<Vec<InvoiceRow>, AppError> {
        Ok(
            billing_store::list_invoices(&self.store, ScopeFilter::of(&caller.scope), f, page)
                .await?,
        )
    }

    /// Invoiced per period and currency in the caller's scope, from `from_period` on:
    /// (period, currency, invoices, total minor). A partner's are the invoices it issued
    /// (retail), not the provider's wholesale bills to it.
    pub async fn invoice_totals(
        &self,
        caller: &Caller,
        from_period: &str,
    ) -> Result<Vec<(String, String, i64, i64)>, AppError> {
        let level = (caller.principal.role.level() == tollgate_core::tenancy::Level::Partner)
            .then_some("retail");
        Ok(billing_store::invoice_totals(
            &self.store,
            ScopeFilter::of(&caller.scope),
            from_period,
            level,
        )
        .await?)
    }

    /// Invoices in the caller's scope sorted by a column, keyset-paged after `(value, id)`.
    pub async fn list_invoices_sorted(
        &self,
        caller: &Caller,
        f: &InvoiceFilter,
        p: &tollgate_store::SortedPage<'_, billing_store::InvoiceSort>,
    ) -> Result<Vec<InvoiceRow>, AppError> {
        Ok(
            billing_store::list_invoices_sorted(&self.store, ScopeFilter::of(&caller.scope), f, p)
                .await?,
        )
    }

    pub async fn get_invoice(&self, caller: &Caller, id: &str) -> Result<InvoiceView, AppError> {
        let (invoice, lines, taxes) =
            billing_store::invoice_with_lines(&self.store, ScopeFilter::of(&caller.scope), id)
                .await
                .map_err(|e| match e {
                    tollgate_store::StoreError::NotFound => AppError::NotFound("invoice"),
                    e => e.into(),
                })?;
        Ok(InvoiceView {
            invoice,
            lines,
            taxes,
        })
    }

    /// The invoice as printed: parties, lines with rule and clause, taxes per jurisdiction,
    /// totals, due date and payment reference, usage by destination and the call annex.
    pub async fn invoice_document(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<InvoiceDocument, AppError> {
        let v = self.get_invoice(caller, id).await?;
        let i = &v.invoice;
        let cur = currency(&i.currency)?;
        let money = |m: i64| format_minor(m, cur);
        let (cdrs, n) = billing_store::invoice_cdrs(
            &self.store,
            ScopeFilter::of(&caller.scope),
            id,
            MAX_ANNEX_CALLS as i64,
        )
        .await?;
        let usage_by_zone = v
            .lines
            .iter()
            .filter(|l| l.kind == "usage" || l.kind == "late_usage")
            .map(|l| ZoneSummary {
                zone: l.description.split(':').next().unwrap_or("").to_string(),
                calls: l.quantity.max(0) as u64,
                minutes: l
                    .description
                    .rsplit(", ")
                    .next()
                    .unwrap_or("")
                    .trim_end_matches(" min")
                    .to_string(),
                amount: money(l.amount_minor),
            })
            .collect();
        Ok(InvoiceDocument {
            number: i.number.clone(),
            issue_date: day_text(i.invoice_date),
            due_date: day_text(i.due_date),
            period: i.period.clone(),
            currency: i.currency.clone(),
            level: i.level.clone(),
            issuer: Party {
                name: i.issuer_name.clone(),
                address_lines: address_lines(&i.issuer_address),
                tax_id: i.issuer_tax_id.clone(),
            },
            customer: Party {
                name: i.billed_name.clone(),
                address_lines: address_lines(&i.billed_address),
                tax_id: i.billed_tax_id.clone(),
            },
            payment_reference: i.payment_reference.clone(),
            payment_terms: format!(
                "Due in full by {}, without set-off (B5, {}; terms {} v{}).",
                day_text(i.due_date),
                i.due_clause,
                i.profile_id,
                i.profile_version
            ),
            lines: v
                .lines
                .iter()
                .map(|l| DocLine {
                    description: l.description.clone(),
                    rule: l.rule.clone(),
                    clause: l.clause.clone(),
                    period: match (l.service_from, l.service_to) {
                        (Some(a), Some(b)) => format!("{} – {}", day_text(a), day_text(b - 86_400)),
                        _ => String::new(),
                    },
                    quantity: l.quantity.to_string(),
                    unit_price: if l.unit_micros == 0 {
                        String::new()
                    } else {
                        micros_text(l.unit_micros, cur)
                    },
                    amount: money(l.amount_minor),
                })
                .collect(),
            taxes: v
                .taxes
                .iter()
                .map(|t| DocTax {
                    jurisdiction: t.jurisdiction.clone(),
                    name: t.name.clone(),
                    rate_pct: pct_text(t.rate_ppm),
                    base: money(t.base_minor),
                    amount: money(t.amount_minor),
                })
                .collect(),
            subtotal: money(i.subtotal_minor),
            tax_total: money(i.tax_total_minor),
            total: money(i.total_minor),
            usage_by_zone,
            calls: cdrs
                .iter()
                .map(|c| CallDetail {
                    start: tollgate_core::time::utc(c.start_at)
                        .strftime("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                    from: c.from_number.clone(),
                    to: c.to_number.clone(),
                    destination: c.destination.clone().unwrap_or_default(),
                    duration_s: c.duration_s,
                    amount: micros_text(c.amount_micros, cur),
                })
                .collect(),
            calls_not_shown: (n - cdrs.len() as i64).max(0) as u64,
        })
    }

    pub async fn invoice_pdf(&self, caller: &Caller, id: &str) -> Result<Vec<u8>, AppError> {
        Ok(super::document::render_pdf(
            &self.invoice_document(caller, id).await?,
        ))
    }

    pub async fn invoice_html(&self, caller: &Caller, id: &str) -> Result<String, AppError> {
        Ok(super::document::render_html(
            &self.invoice_document(caller, id).await?,
        ))
    }
}

/// CSV for accounting: a row per line and per tax of each invoice, with the ledger account it
/// was posted to, amounts in major units of the invoice currency; through the one CSV writer
/// (quoting, formulas neutralised: issue 11 #11).
pub fn invoice_csv(views: &[InvoiceView]) -> Result<String, AppError> {
    let header = [
        "invoice_number",
        "issuer",
        "billed",
        "level",
        "period",
        "invoice_date",
        "due_date",
        "currency",
        "line",
        "kind",
        "account",
        "description",
        "rule",
        "clause",
        "quantity",
        "unit_price",
        "amount",
        "invoice_total",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for v in views {
        let i = &v.invoice;
        let cur = currency(&i.currency)?;
        let head = |line: String| {
            vec![
                i.number.clone(),
                i.issuer_name.clone(),
                i.billed_name.clone(),
                i.level.clone(),
                i.period.clone(),
                day_text(i.invoice_date),
                day_text(i.due_date),
                i.currency.clone(),
                line,
            ]
        };
        for l in &v.lines {
            let account = match l.kind.as_str() {
                "pass_through" => "pass_through".to_string(),
                _ => format!("revenue:{}", l.revenue),
            };
            let mut r = head(l.line_no.to_string());
            r.extend([
                l.kind.clone(),
                account,
                l.description.clone(),
                l.rule.clone(),
                l.clause.clone(),
                l.quantity.to_string(),
                micros_text(l.unit_micros, cur),
                format_minor(l.amount_minor, cur),
                format_minor(i.total_minor, cur),
            ]);
            rows.push(r);
        }
        for t in &v.taxes {
            let mut r = head(format!("tax{}", t.line_no));
            r.extend([
                "tax".to_string(),
                format!("tax:{}", t.jurisdiction),
                format!(
                    "{} {} % of {}",
                    t.name,
                    pct_text(t.rate_ppm),
                    format_minor(t.base_minor, cur)
                ),
                "B7".into(),
                "X 3.C".into(),
                "1".into(),
                String::new(),
                format_minor(t.amount_minor, cur),
                format_minor(i.total_minor, cur),
            ]);
            rows.push(r);
        }
    }
    Ok(crate::csv_out::to_string(rows))
}
