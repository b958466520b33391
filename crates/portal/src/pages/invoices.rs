//! Invoices in scope (a customer its own; a partner those it issued and received), one
//! invoice with every line's rule and clause, and its PDF.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use tollgate_app::receivables::{NewDispute, NewPayment};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;
use tollgate_store::billing::{InvoiceFilter, InvoiceSort};

use crate::error::{ErrorView, PageResult};
use crate::format;
use crate::session::{Fields, Session};
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

#[derive(Deserialize, Default)]
pub struct InvoicesQ {
    account: Option<String>,
    period: Option<String>,
    after: Option<String>,
    /// `date`, `due` or `total`; by id when absent.
    sort: Option<String>,
    /// `asc` or `desc` (default).
    dir: Option<String>,
    /// The sorted list's cursor: `<value>:<id>` of the last row shown.
    at: Option<String>,
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
    if let Some(p) = &f.period {
        let ok = p.len() == 7
            && p.as_bytes()[4] == b'-'
            && p[..4].bytes().all(|b| b.is_ascii_digit())
            && matches!(p[5..].parse::<u32>(), Ok(1..=12));
        if !ok {
            return Err(crate::error::PageError::bad_request(
                "period_invalid",
                "period",
                "a period is a month: YYYY-MM, e.g. 2026-11",
            ));
        }
    }
    let params = super::sort_params(
        q.sort.as_deref(),
        q.dir.as_deref(),
        q.at.as_deref(),
        InvoiceSort::parse,
        "date, due or total",
    )?;
    let rows = match super::sorted_page(&params) {
        None => app.list_invoices(&c, &f, &page).await?,
        Some(p) => app.list_invoices_sorted(&c, &f, &p).await?,
    };
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
        if session.may(Permission::BillingRun) {
            "No invoice matches: the invoice run of a period issues them (tollgate bill --period YYYY-MM)."
        } else {
            "No invoice matches these filters. Invoices appear here once the month's invoice run has issued them."
        },
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
    let filters = base.trim_end_matches(['&', '?']).to_string();
    super::sort_table(
        &mut t,
        &filters,
        &[
            ("Date", InvoiceSort::InvoiceDate),
            ("Due", InvoiceSort::DueDate),
            ("Total", InvoiceSort::Total),
        ],
        &params,
        &rows,
        |r| r.id.as_str(),
    );
    Page::new(&session, "invoices", "Invoices")
        .section(Section::new("").form(filter).table(t))
        .ok()
}

fn dispute_form(session: &Session, id: &str) -> Form {
    Form::post("dispute", "Dispute this invoice", format!("/portal/invoices/{id}/dispute"), session)
        .note("B9: in writing, within the dispute window of your terms, naming the lines and the amount; the undisputed rest stays due.")
        .field(Field::new("lines", "Line numbers disputed", Kind::Text).required().hint("Comma separated, e.g. 2, 3."))
        .field(Field::new("amount", "Amount disputed", Kind::Text).required().hint("In the invoice currency, e.g. 12.50."))
        .field(Field::new("reason", "Why", Kind::TextArea).required())
}

fn payment_form(session: &Session, id: &str, currency: &str) -> Form {
    Form::post("payment", "Record a payment", format!("/portal/invoices/{id}/payment"), session)
        .note("B10: allocated to this invoice first, then to the oldest open ones; any rest is kept as a credit.")
        .field(Field::new("amount", &format!("Amount ({currency})"), Kind::Text).required())
        .field(Field::new("received_on", "Received on", Kind::Date).hint("Empty: today."))
        .field(Field::new("bank_reference", "Bank reference", Kind::Text).required())
}

#[derive(Deserialize, Default)]
pub struct DoneQ {
    done: Option<String>,
}

pub async fn show(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<DoneQ>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("dispute") => Some(
            "Dispute recorded; the undisputed rest stays due, and the issuer resolves it (B9)."
                .to_string(),
        ),
        Some("payment") => Some("Payment recorded and allocated (B10).".to_string()),
        Some("resolved") => Some(
            "Dispute resolved: a credit note for what was upheld, the rest due in 30 days (B9)."
                .to_string(),
        ),
        Some("payment-duplicate") => {
            Some("This bank reference was recorded before: nothing new was written.".to_string())
        }
        _ => None,
    };
    render(&app, &session, &id, None, notice).await
}

/// A form that came back with its error, by form id.
type Returned = (&'static str, Form);

async fn render(
    app: &App,
    session: &Session,
    id: &str,
    returned: Option<Returned>,
    notice: Option<String>,
) -> PageResult {
    render_with(app, session, id, returned, None, notice).await
}

async fn render_with(
    app: &App,
    session: &Session,
    id: &str,
    returned: Option<Returned>,
    returned_resolve: Option<(String, Form)>,
    notice: Option<String>,
) -> PageResult {
    let c = session.caller(app, Permission::InvoicesRead).await?;
    let v = app.get_invoice(&c, id).await?;
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
    let mut page = Page::new(session, "invoices", &format!("Invoice {}", i.number))
        .notice(notice)
        .section(facts)
        .section(Section::new("Lines").table(lines))
        .section(Section::new("Taxes").table(taxes));
    if session.may(Permission::ReceivablesRead) {
        let r = session.caller(app, Permission::ReceivablesRead).await?;
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
        let mut ds = Section::new("Disputes").table(d);
        if session.may(Permission::PaymentsWrite) {
            for x in disputes.iter().filter(|x| x.state == "open") {
                let mut f = Form::post(
                    &format!("resolve-{}", x.id),
                    "Resolve the dispute",
                    format!("/portal/invoices/{}/disputes/{}/resolve", i.id, x.id),
                    session,
                )
                .note(format!(
                    "As the issuer (B9): uphold all ({}), part, or none (0). What is upheld becomes a credit note; the rest is due 30 days after the resolution.",
                    format::money(x.amount_minor, &i.currency)
                ))
                .field(Field::new("upheld", "Amount upheld", Kind::Text).required())
                .field(Field::new("note", "Resolution note", Kind::Text).required());
                if let Some((key, form)) = &returned_resolve {
                    if *key == x.id {
                        f = form.clone();
                    }
                }
                ds = ds.form(f);
            }
        }
        page = page.section(ds);
    }
    let (ret_id, ret_form) = match returned {
        Some((k, f)) => (k, Some(f)),
        None => ("", None),
    };
    let take = |key: &str, make: Form| -> Form {
        if ret_id == key {
            ret_form.clone().unwrap_or(make)
        } else {
            make
        }
    };
    let mut actions = Section::new("Actions");
    let issuer = session.principal.role.level() == tollgate_core::tenancy::Level::Partner
        && session.principal.partner_id.as_deref() == Some(i.issuer_id.as_str());
    if session.may(Permission::DisputesWrite) && !issuer {
        actions = actions.form(take("dispute", dispute_form(session, &i.id)));
    }
    if session.may(Permission::PaymentsWrite) {
        actions = actions.form(take("payment", payment_form(session, &i.id, &i.currency)));
    }
    if !actions.forms.is_empty() {
        page = page.section(actions);
    }
    page.ok()
}

async fn after_post(
    app: &App,
    session: &Session,
    id: &str,
    key: &'static str,
    form: Form,
    posted: &Fields,
    result: Result<&'static str, tollgate_app::AppError>,
) -> PageResult {
    match result {
        Ok(done) => {
            // Post, redirect, get: a reload does not post again.
            let mut res =
                axum::response::Redirect::to(&format!("/portal/invoices/{id}?done={done}"))
                    .into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let mut res = render(
                app,
                session,
                id,
                Some((key, form.refill(posted).with_error(e))),
                None,
            )
            .await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

pub async fn dispute(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::DisputesWrite).await?;
    let lines: Result<Vec<i64>, _> = form
        .get("lines")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse::<i64>)
        .collect();
    let result = match lines {
        Err(_) => Err(tollgate_app::AppError::invalid(
            "lines_invalid",
            "lines",
            "line numbers, comma separated",
        )),
        Ok(lines) => app
            .open_dispute(
                &c,
                &id,
                NewDispute {
                    lines,
                    amount: form.get("amount").unwrap_or_default().trim().to_string(),
                    reason: form.get("reason").unwrap_or_default().to_string(),
                    opened_on: None,
                    ticket_ref: None,
                },
            )
            .await
            .map(|_| "dispute"),
    };
    after_post(
        &app,
        &session,
        &id,
        "dispute",
        dispute_form(&session, &id),
        &form,
        result,
    )
    .await
}

pub async fn payment(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::PaymentsWrite).await?;
    let inv = app.get_invoice(&c, &id).await?.invoice;
    let result = app
        .record_payment(
            &c,
            NewPayment {
                invoice: inv.id.clone(),
                to_named_invoice: true,
                amount: form.get("amount").unwrap_or_default().trim().to_string(),
                currency: inv.currency.clone(),
                received_on: form.text("received_on"),
                bank_reference: form
                    .get("bank_reference")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                method: Some("bank_transfer".into()),
            },
        )
        .await
        .map(|o| {
            if o.duplicate {
                "payment-duplicate"
            } else {
                "payment"
            }
        });
    after_post(
        &app,
        &session,
        &id,
        "payment",
        payment_form(&session, &id, &inv.currency),
        &form,
        result,
    )
    .await
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

pub async fn resolve(
    State(app): State<App>,
    session: Session,
    Path((id, dispute)): Path<(String, String)>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::PaymentsWrite).await?;
    let r = tollgate_app::receivables::Resolution {
        upheld: form.get("upheld").unwrap_or_default().trim().to_string(),
        note: form.get("note").unwrap_or_default().to_string(),
    };
    match app.resolve_dispute(&c, &dispute, r).await {
        Ok(_) => {
            let mut res =
                axum::response::Redirect::to(&format!("/portal/invoices/{id}?done=resolved"))
                    .into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let f = Form::post(
                &format!("resolve-{dispute}"),
                "Resolve the dispute",
                format!("/portal/invoices/{id}/disputes/{dispute}/resolve"),
                &session,
            )
            .field(Field::new("upheld", "Amount upheld", Kind::Text).required())
            .field(Field::new("note", "Resolution note", Kind::Text).required())
            .refill(&form)
            .with_error(e);
            let mut res = render_with(&app, &session, &id, None, Some((dispute, f)), None).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}
