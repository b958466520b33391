//! A sample document for the renderers' tests.

use super::*;

pub(crate) fn sample_document(lines: usize, calls: usize) -> InvoiceDocument {
    let party = |name: &str, tax_id: Option<&str>| Party {
        name: name.into(),
        address_lines: vec!["1 Exchange Street".into(), "EC2N 1AA London".into()],
        tax_id: tax_id.map(Into::into),
    };
    let line = |i: usize| DocLine {
        description: match i % 3 {
            0 => format!("Monthly fee, plan Business Unlimited Plus with international add-on {i}"),
            1 => "Calls to mobile networks – Café zone ≠ home zone".into(),
            _ => format!("Line rental {i}"),
        },
        rule: "B3".into(),
        clause: "X 3.B".into(),
        period: "2026-11-01 – 2026-11-30".into(),
        quantity: "14/30 days × 2".into(),
        unit_price: "0.012345".into(),
        amount: format!("{}.{:02}", 10 + i, i % 100),
    };
    let call = |i: usize| CallDetail {
        start: format!("2026-10-{:02} 14:{:02}:05", 1 + i % 28, i % 60),
        from: "+44 20 7946 0958".into(),
        to: format!("+33 1 70 36 {:02} {:02}", i % 100, i / 100 % 100),
        destination: "France mobile".into(),
        duration_s: i as i64 * 37 % 4_000,
        amount: "0.012345".into(),
    };
    let shown = calls.min(MAX_ANNEX_CALLS);
    InvoiceDocument {
        number: "ACME-2026-000042".into(),
        issue_date: "2026-11-01".into(),
        due_date: "2026-12-01".into(),
        period: "2026-10".into(),
        currency: "EUR".into(),
        level: "retail".into(),
        issuer: party("ACME Telecom Ltd", Some("GB123456789")),
        customer: party("Globex Corporation", None),
        payment_reference: "RF18 5390 0754 7034".into(),
        payment_terms: "Due in full by 2026-12-01, without set-off (B5, X 3.B)".into(),
        lines: (0..lines).map(line).collect(),
        taxes: vec![DocTax {
            jurisdiction: "GB".into(),
            name: "VAT".into(),
            rate_pct: "20".into(),
            base: "1,234.56".into(),
            amount: "246.91".into(),
        }],
        subtotal: "1,234.56".into(),
        tax_total: "246.91".into(),
        total: "1,481.47".into(),
        usage_by_zone: vec![ZoneSummary {
            zone: "France mobile".into(),
            calls: calls as u64,
            minutes: "1,234.5".into(),
            amount: "98.76".into(),
        }],
        calls: (0..shown).map(call).collect(),
        calls_not_shown: (calls - shown) as u64,
    }
}
