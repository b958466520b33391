//! The demo's receivables: last month's invoice of Acme Dental Branch paid in full, Direct
//! Corp's paid in part, and an open dispute of Bayview Bakery, so statements, aged
//! receivables and disputes show something on the first start. Idempotent: payments by bank
//! reference, the dispute once.

use tollgate_store::billing::InvoiceFilter;
use tollgate_store::Page;

use super::{NewDispute, NewPayment};
use crate::{Actor, App, AppError, Caller};

/// (billed account name, share of the total paid in percent, bank reference).
const PAYMENTS: &[(&str, i64, &str)] = &[
    ("Acme Dental Branch", 100, "DEMO-BANK-0001"),
    ("Direct Corp", 40, "DEMO-BANK-0002"),
];

pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let sys = Caller::system(Actor::cli());
    let f = InvoiceFilter {
        level: Some("retail".into()),
        ..Default::default()
    };
    let mut invoices = app.list_invoices(&sys, &f, &Page::first(500)).await?;
    // The latest run's invoices.
    invoices.sort_by(|a, b| b.invoice_date.cmp(&a.invoice_date).then(a.id.cmp(&b.id)));
    let Some(latest) = invoices.first().map(|i| i.period.clone()) else {
        return Ok(());
    };
    let of = |name: &str| {
        invoices
            .iter()
            .find(|i| i.period == latest && i.billed_name.ends_with(name))
    };
    for (name, pct, reference) in PAYMENTS {
        let Some(inv) = of(name) else { continue };
        let cur = crate::billing::currency(&inv.currency)?;
        let paid = inv.total_minor * pct / 100;
        if paid <= 0 {
            continue;
        }
        app.record_payment(
            &sys,
            NewPayment {
                invoice: inv.id.clone(),
                to_named_invoice: true,
                amount: tollgate_core::money::format_minor(paid, cur),
                currency: inv.currency.clone(),
                received_on: None,
                bank_reference: (*reference).into(),
                method: Some("bank_transfer".into()),
            },
        )
        .await?;
    }
    if let Some(inv) = of("Bayview Bakery") {
        let view = app.get_invoice(&sys, &inv.id).await?;
        let largest = view
            .lines
            .iter()
            .max_by_key(|l| (l.amount_minor, -l.line_no));
        let open = app
            .list_disputes(&sys, Some(&inv.id), &Page::first(1))
            .await?;
        if let (Some(line), true) = (largest.filter(|l| l.amount_minor > 0), open.is_empty()) {
            let cur = crate::billing::currency(&inv.currency)?;
            app.open_dispute(
                &sys,
                &inv.id,
                NewDispute {
                    lines: vec![line.line_no],
                    amount: tollgate_core::money::format_minor(line.amount_minor.min(500), cur),
                    reason: "A licence on this line was not in use this month".into(),
                    opened_on: None,
                    ticket_ref: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}
