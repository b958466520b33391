//! An issued invoice as a document: everything the PDF, HTML and CSV renderings print, already
//! formatted (amounts as decimal strings in the invoice currency, dates `YYYY-MM-DD`), so the
//! renderers only lay it out and cannot compute a different figure than the ledger holds.

mod html;
mod pdf;
#[cfg(test)]
mod sample;

pub use html::render_html;
pub use pdf::render_pdf;

/// Calls printed in a document's call detail annex; beyond this the annex says how many more
/// calls the invoice holds (they stay listed by `GET /v1/cdrs?invoice_id=`).
pub const MAX_ANNEX_CALLS: usize = 2_000;

/// A party on the invoice: the issuer (operator or partner) or the billed customer/partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    /// Postal address, one line per element (street, postcode and city, country).
    pub address_lines: Vec<String>,
    pub tax_id: Option<String>,
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLine {
    pub description: String,
    /// RULEBOOK rule (`B3`) and the clause of the terms (`X 3.B`).
    pub rule: String,
    pub clause: String,
    /// Service period of the line, `2026-11-01 – 2026-11-30`, or empty.
    pub period: String,
    /// Quantity as printed (`3`, `14/30 days × 2`, `1,234 min`).
    pub quantity: String,
    /// Unit price as a decimal string (may carry sub-cent digits: `0.012345`).
    pub unit_price: String,
    /// The line amount, rounded to the minor unit (`15.23`).
    pub amount: String,
}

/// Tax (or regulatory fee) per jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocTax {
    /// `GB`, `US-NY`, ...
    pub jurisdiction: String,
    /// `VAT`, `Regulatory recovery fee`, ...
    pub name: String,
    /// Percent as printed (`20`, `7.25`).
    pub rate_pct: String,
    pub base: String,
    pub amount: String,
}

/// Usage summarised by destination zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSummary {
    pub zone: String,
    pub calls: u64,
    /// Billed minutes, as printed (`1,234.5`).
    pub minutes: String,
    pub amount: String,
}

/// One call of the annex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallDetail {
    /// `2026-10-03 14:22:05` UTC.
    pub start: String,
    pub from: String,
    pub to: String,
    pub destination: String,
    pub duration_s: i64,
    /// Unrounded call amount (`0.012345`).
    pub amount: String,
}

/// The whole invoice as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    /// Gapless per issuer and year: `ACME-2026-000042`.
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    /// `2026-10` (usage month; recurring charges in advance for the month after).
    pub period: String,
    /// ISO 4217.
    pub currency: String,
    /// `wholesale` (operator → partner) or `retail` (→ customer).
    pub level: String,
    pub issuer: Party,
    pub customer: Party,
    /// What the payer quotes with the payment.
    pub payment_reference: String,
    /// B5 wording: `Due in full by 2026-12-01, without set-off (B5, X 3.B)`.
    pub payment_terms: String,
    pub lines: Vec<DocLine>,
    pub taxes: Vec<DocTax>,
    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    pub usage_by_zone: Vec<ZoneSummary>,
    /// At most [`MAX_ANNEX_CALLS`].
    pub calls: Vec<CallDetail>,
    /// Calls on the invoice beyond the annex.
    pub calls_not_shown: u64,
}
