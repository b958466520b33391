//! Invoices in scope (a customer its own; a partner those it issued and received), one
//! invoice with every line's rule and clause, and its PDF.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;
use tollgate_store::billing::InvoiceFilter;

use super::next_link;
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

#[derive(Deserialize, Default)]
pub struct InvoicesQ {
    account: Option<String>,
    period: Option<String>,
    after: Option<String>,
}

pub async fn list(
    State(app): State<App>,
    session: Session,
    Query(q): Query<InvoicesQ>,
) -> PageResult {
    let c = session.caller(&app, Permission::InvoicesRead).await?;
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let f = InvoiceFilter {
        period: nonempty(&q.period),
        billing_account_id: nonempty(&q.account),
        ..InvoiceFilter::default()
    };
    let page = tollgate_store::Page {
        limit: super::PAGE_ROWS,
        after: nonempty(&q.after),
    };
    let rows = app.list_invoices(&c, &f, &page).await?;
    let filter = Form::filter("invoices-filter", "/portal/invoices")
        .field(
            Field::new("period", "Period (YYYY-MM)", Kind::Text)
                .value(q.period.clone().unwrap_or_default()),
        )
        .field(
            Field::new("account", "Billing account id", Kind::Text)
                .value(q.account.clone().unwrap_or_default()),
        );
    let mut t = Table::new(
        "Invoices, by id",
        &[
            "Number", "Level", "Issuer", "Billed", "Period", "Date", "Due", "Total",
        ],
        "No invoice yet: the invoice run of a period issues them (tollgate bill --period YYYY-MM).",
    );
    for i in &rows {
        t.row(vec![
            Cell::link(i.number.clone(), format!("/portal/invoices/{}", i.id)),
            Cell::text(i.level.clone()),
            Cell::text(i.issuer_name.clone()),
            Cell::text(i.billed_name.clone()),
            Cell::text(i.period.clone()),
            Cell::text(format::day(i.invoice_date)),
            Cell::text(format::day(i.due_date)),
            Cell::num(format::money(i.total_minor, &i.currency)),
        ]);
    }
    let mut base = "/portal/invoices?".to_string();
    for (k, v) in [("period", &q.period), ("account", &q.account)] {
        if let Some(v) = nonempty(v) {
            base.push_str(&format!("{k}={}&", format::url_encode(&v)));
        }
    }
    let base = base.trim_end_matches(['&', '?']).to_string();
    t.next = next_link(&base, rows.len(), rows.last().map(|i| i.id.as_str()));
    Page::new(&session, "invoices", "Invoices")
        .section(Section::new("").form(filter).table(t))
        .ok()
}

pub async fn show(State(app): State<App>, session: Session, Path(id): Path<String>) -> PageResult {
    let c = session.caller(&app, Permission::InvoicesRead).await?;
    let v = app.get_invoice(&c, &id).await?;
    let i = &v.invoice;
    let facts = Section::new("Invoice")
        .fact("Issuer", i.issuer_name.clone())
        .fact("Billed", i.billed_name.clone())
        .fact("Level", i.level.clone())
        .fact("Period", i.period.clone())
        .fact("Invoice date", format::day(i.invoice_date))
        .fact(
            "Due date",
            format!("{} ({})", format::day(i.due_date), i.due_clause),
        )
        .fact(
            "Terms profile",
            format!("{} v{}", i.profile_id, i.profile_version),
        )
        .fact("Payment reference", i.payment_reference.clone())
        .fact("Subtotal", format::money(i.subtotal_minor, &i.currency))
        .fact("Tax", format::money(i.tax_total_minor, &i.currency))
        .fact("Total", format::money(i.total_minor, &i.currency))
        .link("Download the PDF", format!("/portal/invoices/{}/pdf", i.id));
    let mut lines = Table::new(
        "Lines, each with the rule and clause it rests on",
        &[
            "#",
            "Description",
            "Service",
            "Quantity",
            "Amount",
            "Rule",
            "Clause",
        ],
        "No line.",
    );
    for l in &v.lines {
        let service = match (l.service_from, l.service_to) {
            (Some(a), Some(b)) => format!("{} to {}", format::day(a), format::day(b)),
            _ => "—".into(),
        };
        lines.row(vec![
            Cell::num(l.line_no.to_string()),
            Cell::text(l.description.clone()),
            Cell::text(service),
            Cell::num(l.quantity.to_string()),
            Cell::num(format::money(l.amount_minor, &i.currency)),
            Cell::text(l.rule.clone()),
            Cell::text(l.clause.clone()),
        ]);
    }
    let mut taxes = Table::new(
        "Taxes",
        &["Line", "Jurisdiction", "Tax", "Rate", "Base", "Amount"],
        "No tax.",
    );
    for t in &v.taxes {
        taxes.row(vec![
            Cell::num(t.line_no.to_string()),
            Cell::text(t.jurisdiction.clone()),
            Cell::text(t.name.clone()),
            Cell::num(format!(
                "{} %",
                tollgate_core::money::format_scaled(i128::from(t.rate_ppm), 4)
            )),
            Cell::num(format::money(t.base_minor, &i.currency)),
            Cell::num(format::money(t.amount_minor, &i.currency)),
        ]);
    }
    let mut page = Page::new(&session, "invoices", &format!("Invoice {}", i.number))
        .section(facts)
        .section(Section::new("Lines").table(lines))
        .section(Section::new("Taxes").table(taxes));
    if session.may(Permission::ReceivablesRead) {
        let r = session.caller(&app, Permission::ReceivablesRead).await?;
        let disputes = app
            .list_disputes(
                &r,
                Some(&i.id),
                &tollgate_store::Page::first(super::PAGE_ROWS),
            )
            .await?;
        let mut d = Table::new(
            "Disputes of this invoice (B9)",
            &[
                "Opened",
                "Lines",
                "Amount",
                "Reason",
                "State",
                "Upheld",
                "Remainder due",
            ],
            "No dispute.",
        );
        for x in &disputes {
            d.row(vec![
                Cell::text(format::day(x.opened_on)),
                Cell::text(x.line_numbers.clone()),
                Cell::num(format::money(x.amount_minor, &i.currency)),
                Cell::text(x.reason.clone()),
                Cell::text(x.state.clone()),
                Cell::num(
                    x.upheld_minor
                        .map_or_else(|| "—".into(), |m| format::money(m, &i.currency)),
                ),
                Cell::text(format::day_opt(x.due_on)),
            ]);
        }
        page = page.section(Section::new("Disputes").table(d));
    }
    page.ok()
}

pub async fn pdf(State(app): State<App>, session: Session, Path(id): Path<String>) -> PageResult {
    let c = session.caller(&app, Permission::InvoicesRead).await?;
    let bytes = app.invoice_pdf(&c, &id).await?;
    let number = app.get_invoice(&c, &id).await?.invoice.number;
    let name: String = number
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
