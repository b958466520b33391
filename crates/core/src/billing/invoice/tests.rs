use super::*;
use crate::ledger::verify;
use jiff::civil::date;

fn gbp() -> Currency {
    Currency::parse("GBP").unwrap()
}

fn charge(kind: LineKind, revenue: &str, exact: i128, taxable: bool) -> Charge {
    Charge {
        kind,
        revenue: revenue.into(),
        description: revenue.into(),
        rule: rules::B3,
        quantity: 1,
        unit_micros: 0,
        exact_micros: exact,
        service_from: Some(date(2026, 11, 1)),
        service_to: Some(date(2026, 12, 1)),
        source: "sub_1".into(),
        taxable,
    }
}

fn vat(ppm: i64) -> TaxRate {
    TaxRate {
        jurisdiction: "GB".into(),
        name: "VAT".into(),
        fee: false,
        rate_ppm: ppm,
    }
}

#[test]
fn b1_b7_taxes_are_exclusive_and_computed_on_the_rounded_lines() {
    // Licence 3 × 12.995 = 38.985 → 38.99; usage 1.234567 → 1.23; subtotal 40.22.
    // VAT 20 % of 40.22 = 8.044 → 8.04; total 48.26.
    let lic = charge(LineKind::Recurring, "licence", 0, true)
        .priced(3, 12_995_000)
        .unwrap();
    let usage = charge(LineKind::Usage, "usage", 1_234_567, true);
    let p = price(vec![lic, usage], &[vat(200_000)], gbp()).unwrap();
    assert_eq!(
        p.lines.iter().map(|l| l.minor).collect::<Vec<_>>(),
        vec![3_899, 123]
    );
    assert_eq!((p.subtotal, p.tax_total, p.total), (4_022, 804, 4_826));
    assert_eq!(p.taxes[0].base_minor, 4_022);
}

#[test]
fn b7_a_recovery_fee_is_a_line_on_the_taxable_lines_and_is_itself_taxed() {
    // Usage 100.00; a 3.5 % recovery fee → 3.50; VAT 20 % of 103.50 = 20.70; total 124.20.
    // A pass-through fee of 4.00 (B8) is not taxed and not in the fee base.
    let fee = TaxRate {
        jurisdiction: "GB".into(),
        name: "Regulatory recovery fee".into(),
        fee: true,
        rate_ppm: 35_000,
    };
    let p = price(
        vec![
            charge(LineKind::Usage, "usage", 100_000_000, true),
            charge(LineKind::PassThrough, "pass_through", 4_000_000, false),
        ],
        &[fee, vat(200_000)],
        gbp(),
    )
    .unwrap();
    assert_eq!(p.lines[2].charge.kind, LineKind::Fee);
    assert_eq!(p.lines[2].minor, 350);
    assert_eq!((p.subtotal, p.tax_total, p.total), (10_750, 2_070, 12_820));
}

#[test]
fn money_decision_the_invoice_is_one_balanced_transaction_in_the_issuers_books() {
    let p = price(
        vec![
            charge(LineKind::Recurring, "licence", 30_000_000, true),
            charge(LineKind::PassThrough, "pass_through", 4_000_000, false),
            charge(LineKind::Credit, "credit", -5_000_000, true),
        ],
        &[vat(200_000)],
        gbp(),
    )
    .unwrap();
    // Taxable: 30.00 − 5.00 = 25.00 → VAT 5.00; total 30 + 4 − 5 + 5 = 34.00.
    assert_eq!(p.total, 3_400);
    let t = issuer_transaction(&p, "op", "ba_1").unwrap();
    assert_eq!(t.total(), 3_400 + 500);
    let find = |k: AccountKind| {
        t.entries()
            .iter()
            .find(|e| e.account.kind == k)
            .map(|e| (e.side, e.minor))
    };
    assert_eq!(find(AccountKind::Receivable), Some((Side::Debit, 3_400)));
    // The credit line reduces revenue (its tag), never the customer's credit balance.
    assert_eq!(
        find(AccountKind::Revenue("credit".into())),
        Some((Side::Debit, 500))
    );
    assert_eq!(find(AccountKind::CustomerCredit), None);
    assert_eq!(
        find(AccountKind::TaxPayable("GB".into())),
        Some((Side::Credit, 500))
    );
    let pb = received_bill_transaction(&p, "partner", "op").unwrap();
    assert!(verify([("a", t.entries()), ("b", pb.entries())], &[]).is_empty());
}

#[test]
fn money_decision_a_net_credit_invoice_credits_the_receivable() {
    let p = price(
        vec![
            charge(LineKind::Recurring, "licence", 1_000_000, true),
            charge(LineKind::Credit, "credit", -3_000_000, true),
        ],
        &[],
        gbp(),
    )
    .unwrap();
    assert_eq!(p.total, -200);
    let t = issuer_transaction(&p, "op", "ba_1").unwrap();
    assert!(t
        .entries()
        .iter()
        .any(|e| e.account.kind == AccountKind::Receivable && e.side == Side::Credit));
}
