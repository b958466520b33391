//! Receivables: a billing account's statement, payments and disputes in scope, and for
//! issuers the aged receivables.

use axum::extract::{Query, State};
use serde::Deserialize;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

#[derive(Deserialize, Default)]
pub struct RecvQ {
    account: Option<String>,
}

pub async fn show(State(app): State<App>, session: Session, Query(q): Query<RecvQ>) -> PageResult {
    let c = session.caller(&app, Permission::ReceivablesRead).await?;
    let mut page = Page::new(&session, "receivables", "Receivables");
    let account = q.account.clone().filter(|a| !a.trim().is_empty());
    let mut st = Section::new("Statement").form(
        Form::filter("statement", "/portal/receivables")
            .field(
                Field::new("account", "Billing account id", Kind::Text)
                    .value(account.clone().unwrap_or_default()),
            )
            .submit("Show the statement"),
    );
    if let Some(a) = &account {
        for s in app.statement(&c, a, None, None).await? {
            let mut t = Table::new(
                &format!("Statement from {} in {}", s.issuer_id, s.currency),
                &["Day", "What", "Reference", "Memo", "Amount", "Balance"],
                "No entry.",
            );
            for l in &s.lines {
                t.row(vec![
                    Cell::text(format::day(l.on)),
                    Cell::text(l.kind.clone()),
                    Cell::text(l.reference.clone()),
                    Cell::text(l.memo.clone()),
                    Cell::num(format::money(l.amount_minor, &s.currency)),
                    Cell::num(format::money(l.balance_minor, &s.currency)),
                ]);
            }
            st.facts.push((
                format!("Balance owed to {} ({})", s.issuer_id, s.currency),
                format::money(s.closing_minor, &s.currency),
            ));
            st.table = Some(t);
            page = page.section(st);
            st = Section::new("");
        }
    } else {
        st = st.text("Give a billing account to see its statement: invoices, payments, credit notes and the balance after each.");
    }
    if !st.title.is_empty() {
        page = page.section(st);
    }
    if session.may(Permission::ReceivablesReport) {
        let r = session.caller(&app, Permission::ReceivablesReport).await?;
        let aged = app.aged_receivables(&r).await?;
        let labels: Vec<String> = aged
            .first()
            .map(|a| a.buckets.iter().map(|b| b.label.to_string()).collect())
            .unwrap_or_default();
        let mut cols: Vec<&str> = vec!["Billed", "Issuer"];
        cols.extend(labels.iter().map(String::as_str));
        cols.push("Total");
        let mut t = Table::new("Open amounts by days past due", &cols, "Nothing is owed.");
        for a in &aged {
            let mut row = vec![
                Cell::text(a.billed_name.clone()),
                Cell::text(a.issuer_id.clone()),
            ];
            row.extend(
                a.buckets
                    .iter()
                    .map(|b| Cell::num(format::money(b.minor, &a.currency))),
            );
            row.push(Cell::num(format::money(a.total_minor, &a.currency)));
            t.row(row);
        }
        page = page.section(Section::new("Aged receivables").table(t));
    }
    let payments = app
        .list_payments(
            &c,
            account.as_deref(),
            &tollgate_store::Page::first(super::PAGE_ROWS),
        )
        .await?;
    let mut pt = Table::new(
        "Payments: the oldest 50 by id (the API lists them all, GET /v1/payments)",
        &[
            "Received",
            "Billed",
            "Amount",
            "Reference",
            "Method",
            "State",
            "Left as credit",
        ],
        "No payment recorded.",
    );
    for p in &payments {
        pt.row(vec![
            Cell::text(format::day(p.received_on)),
            Cell::text(p.billed_id.clone()),
            Cell::num(format::money(p.amount_minor, &p.currency)),
            Cell::text(p.bank_reference.clone()),
            Cell::text(p.method.clone()),
            Cell::text(match &p.decline_reason {
                Some(r) => format!("{}: {r}", p.state),
                None => p.state.clone(),
            }),
            Cell::num(format::money(p.credit_minor, &p.currency)),
        ]);
    }
    let disputes = app
        .list_disputes(&c, None, &tollgate_store::Page::first(super::PAGE_ROWS))
        .await?;
    let mut dt = Table::new(
        "Disputes of every account: the oldest 50 by id (each invoice's page lists its own)",
        &["Invoice", "Opened", "Reason", "State", "Remainder due"],
        "No dispute.",
    );
    for d in &disputes {
        dt.row(vec![
            Cell::link(
                d.invoice_id.clone(),
                format!("/portal/invoices/{}", d.invoice_id),
            ),
            Cell::text(format::day(d.opened_on)),
            Cell::text(d.reason.clone()),
            Cell::text(d.state.clone()),
            Cell::text(format::day_opt(d.due_on)),
        ]);
    }
    let notes = app
        .list_credit_notes(&c, &tollgate_store::Page::first(super::PAGE_ROWS))
        .await?;
    let mut nt = Table::new(
        "Credit notes: the oldest 50 by id",
        &["Number", "Issued", "Invoice", "Amount", "Reason"],
        "No credit note.",
    );
    for n in &notes {
        nt.row(vec![
            Cell::text(n.number.clone()),
            Cell::text(format::day(n.issued_on)),
            Cell::link(
                n.invoice_id.clone(),
                format!("/portal/invoices/{}", n.invoice_id),
            ),
            Cell::num(format::money(n.amount_minor, &n.currency)),
            Cell::text(n.reason.clone()),
        ]);
    }
    let credits = app
        .list_billing_credits(
            &c,
            account.as_deref(),
            &tollgate_store::Page::first(super::PAGE_ROWS),
        )
        .await?;
    let mut ct = Table::new(
        "Billing credits (overpayments, credit notes, cancellations): the oldest 50 by id",
        &["Since", "Billed", "From", "Amount", "Left"],
        "No billing credit.",
    );
    for b in &credits {
        ct.row(vec![
            Cell::text(format::day(b.created_on)),
            Cell::text(b.billed_id.clone()),
            Cell::text(b.source_kind.clone()),
            Cell::num(format::money(b.amount_minor, &b.currency)),
            Cell::num(format::money(b.remaining_minor, &b.currency)),
        ]);
    }
    page.section(Section::new("Payments").table(pt))
        .section(Section::new("Credit notes (B9)").table(nt))
        .section(Section::new("Credits").table(ct))
        .section(Section::new("Disputes").table(dt))
        .ok()
}
