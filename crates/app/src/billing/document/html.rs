//! HTML rendering of an [`InvoiceDocument`]: one standalone, printable HTML5 page with inline
//! CSS, no scripts and no external resources. Every text of the document is HTML-escaped.

use super::pdf::{annex_calls, not_shown_note, Table, CALLS, LINES, TAXES, ZONES};
use super::pdf::{call_cells, line_cells, tax_cells, zone_cells};
use super::{InvoiceDocument, Party};

/// Print-friendly A4 styling.
const STYLE: &str = "\
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #111; margin: 0 auto;
  max-width: 190mm; padding: 8mm 0; }
header { display: flex; justify-content: space-between; gap: 12mm; }
h1 { font-size: 18pt; margin: 0 0 3mm; text-align: right; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; break-after: avoid; }
.party p, .party h3 { margin: 0; }
.party h3 { font-size: 12pt; }
.label { font-weight: bold; font-size: 9pt; margin-top: 4mm !important; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 1mm 5mm; margin: 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.terms { margin: 5mm 0 0; }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { background: #e6e6e6; text-align: left; padding: 1.5mm 2mm; }
td { border-bottom: 0.5pt solid #bbb; padding: 1.2mm 2mm; vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
table.totals { width: 80mm; margin: 4mm 0 0 auto; font-size: 10pt; }
table.totals td { border: none; }
table.totals tr.total td { font-weight: bold; border-top: 0.75pt solid #111; }
.note { margin: 3mm 0 0; }
.due { text-align: right; margin: 2mm 0 0; }
";

/// Escapes `&`, `<`, `>`, `"` and `'` for use in HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Renders the invoice as a complete HTML5 page.
pub fn render_html(doc: &InvoiceDocument) -> String {
    let mut out = String::with_capacity(8_192 + doc.calls.len() * 256);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<title>Invoice {}</title>\n", escape(&doc.number)));
    out.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
    header(&mut out, doc);
    section(&mut out, &LINES, doc.lines.iter().map(line_cells));
    section(&mut out, &TAXES, doc.taxes.iter().map(tax_cells));
    totals(&mut out, doc);
    section(&mut out, &ZONES, doc.usage_by_zone.iter().map(zone_cells));
    let (shown, not_shown) = annex_calls(doc);
    section(&mut out, &CALLS, shown.iter().map(call_cells));
    if not_shown > 0 {
        note(&mut out, &not_shown_note(not_shown));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Parties on the left; title and key facts on the right; then the payment terms.
fn header(out: &mut String, doc: &InvoiceDocument) {
    out.push_str("<header>\n<div>\n");
    party(out, None, &doc.issuer);
    party(out, Some("Bill to"), &doc.customer);
    out.push_str("</div>\n<div>\n");
    out.push_str(&format!(
        "<h1>Invoice {}</h1>\n<dl class=\"facts\">\n",
        escape(&doc.number)
    ));
    let facts = [
        ("Issue date", &doc.issue_date),
        ("Due date", &doc.due_date),
        ("Period", &doc.period),
        ("Level", &doc.level),
        ("Currency", &doc.currency),
        ("Payment reference", &doc.payment_reference),
    ];
    for (label, value) in facts {
        out.push_str(&format!("<dt>{label}</dt><dd>{}</dd>\n", escape(value)));
    }
    out.push_str("</dl>\n</div>\n</header>\n");
    let terms = escape(&doc.payment_terms);
    out.push_str(&format!(
        "<p class=\"terms\"><strong>Payment terms:</strong> {terms}</p>\n"
    ));
}

fn party(out: &mut String, label: Option<&str>, party: &Party) {
    out.push_str("<div class=\"party\">\n");
    if let Some(label) = label {
        out.push_str(&format!("<p class=\"label\">{}</p>\n", escape(label)));
    }
    out.push_str(&format!("<h3>{}</h3>\n", escape(&party.name)));
    for line in &party.address_lines {
        out.push_str(&format!("<p>{}</p>\n", escape(line)));
    }
    if let Some(tax_id) = &party.tax_id {
        out.push_str(&format!("<p>Tax ID: {}</p>\n", escape(tax_id)));
    }
    out.push_str("</div>\n");
}

/// A titled table, or its note when there are no rows; figures are right-aligned.
fn section(out: &mut String, table: &Table, rows: impl Iterator<Item = Vec<String>>) {
    out.push_str(&format!("<h2>{}</h2>\n", escape(table.title)));
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return note(out, table.empty);
    }
    let class = |right: bool| if right { " class=\"num\"" } else { "" };
    out.push_str("<table>\n<thead><tr>");
    for column in table.columns {
        let title = escape(column.title);
        out.push_str(&format!("<th{}>{title}</th>", class(column.right)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (column, cell) in table.columns.iter().zip(&row) {
            out.push_str(&format!("<td{}>{}</td>", class(column.right), escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn note(out: &mut String, text: &str) {
    out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(text)));
}

/// Subtotal, tax and total with the currency, then the total and due date in one line.
fn totals(out: &mut String, doc: &InvoiceDocument) {
    let totals = [
        ("", "Subtotal", &doc.subtotal),
        ("", "Tax", &doc.tax_total),
        (" class=\"total\"", "Total", &doc.total),
    ];
    out.push_str("<table class=\"totals\">\n");
    for (class, label, amount) in totals {
        let figure = escape(&format!("{amount} {}", doc.currency));
        out.push_str(&format!(
            "<tr{class}><td>{label}</td><td class=\"num\">{figure}</td></tr>\n"
        ));
    }
    out.push_str("</table>\n");
    let (total, currency) = (escape(&doc.total), escape(&doc.currency));
    let due = escape(&doc.due_date);
    out.push_str(&format!(
        "<p class=\"due\">Total due <strong>{total} {currency}</strong> by {due}</p>\n"
    ));
}

#[cfg(test)]
mod tests {
    use super::super::MAX_ANNEX_CALLS;
    use super::*;
    use crate::billing::document::sample::sample_document;

    #[test]
    fn escapes_the_five_special_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(
            escape("2026-11-01 – 2026-11-30 × 2"),
            "2026-11-01 – 2026-11-30 × 2"
        );
    }

    #[test]
    fn escapes_a_script_in_the_customer_name() {
        let mut doc = sample_document(2, 2);
        doc.customer.name = "<script>alert('x')</script>".into();
        doc.lines[0].description = "<b>bold</b> & co".into();
        let html = render_html(&doc);
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; co"));
    }

    #[test]
    fn is_a_standalone_page_with_total_and_due_date() {
        let html = render_html(&sample_document(3, 5));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.trim_end().ends_with("</html>"));
        assert!(html.contains("<dt>Due date</dt><dd>2026-12-01</dd>"));
        assert!(html.contains("<td>Total</td><td class=\"num\">1,481.47 EUR</td>"));
        assert!(html.contains("<title>Invoice ACME-2026-000042</title>"));
        for external in ["<script", "<link", "src=", "http://", "https://", "@import"] {
            assert!(!html.contains(external), "{external}");
        }
    }

    #[test]
    fn annex_lists_calls_and_counts_the_rest() {
        let html = render_html(&sample_document(1, MAX_ANNEX_CALLS + 7));
        assert_eq!(
            html.matches("<td>France mobile</td>").count(),
            MAX_ANNEX_CALLS + 1
        );
        assert!(html.contains("7 more calls on this invoice are not shown in this annex."));
        let empty = render_html(&sample_document(0, 0));
        assert!(empty.contains("No calls listed.") && empty.contains("No lines."));
        assert!(!empty.contains("more call"));
    }
}
