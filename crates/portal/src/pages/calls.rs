//! Traffic review: calls (CDRs) in scope, filtered by account and day range, paged by the
//! API's own cursor, and the same rows as CSV.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use tollgate_app::rating::{CdrCursor, CdrFilter};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::{PageError, PageResult};
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

/// Most rows in one CSV export (a bigger export goes through the API, page by page).
pub const MAX_CSV_ROWS: i64 = 500;

#[derive(Deserialize, Default)]
pub struct CallsQ {
    account: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
    format: Option<String>,
}

fn day_arg(v: &Option<String>, field: &'static str) -> Result<Option<i64>, PageError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => tollgate_core::time::parse_day(s, field)
            .map(|d| Some(tollgate_core::time::day_start(d)))
            .map_err(|r| PageError::from(tollgate_app::AppError::from(r))),
    }
}

pub async fn list(State(app): State<App>, session: Session, Query(q): Query<CallsQ>) -> PageResult {
    let c = session.caller(&app, Permission::CdrsRead).await?;
    let to = day_arg(&q.to, "to")?.map(|t| t + 86_400);
    let filter = CdrFilter {
        account: q.account.clone().filter(|a| !a.is_empty()),
        from: day_arg(&q.from, "from")?,
        to,
    };
    let cursor = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
        Some(t) => Some(CdrCursor::parse(t)?),
        None => None,
    };
    let csv = q.format.as_deref() == Some("csv");
    let limit = if csv { MAX_CSV_ROWS } else { super::PAGE_ROWS };
    let page = app.list_cdrs(&c, &filter, cursor.as_ref(), limit).await?;
    if csv {
        let head = [
            "start",
            "account",
            "from",
            "to",
            "duration_s",
            "disposition",
            "destination",
            "billed_s",
            "amount",
            "currency",
        ]
        .map(String::from);
        let rows = page.rows.iter().map(|r| {
            [
                format::time(r.start_at),
                r.billing_account_id.clone(),
                r.from_number.clone(),
                r.to_number.clone(),
                r.duration_s.to_string(),
                r.disposition.clone(),
                r.destination.clone().unwrap_or_default(),
                r.billed_s.to_string(),
                tollgate_core::money::format_scaled(i128::from(r.amount_micros), 6),
                r.currency.clone(),
            ]
        });
        let body = tollgate_app::csv_out::to_string(std::iter::once(head).chain(rows));
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"calls.csv\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    let filter_form = Form::filter("calls-filter", "/portal/calls")
        .field(
            Field::new("account", "Billing account id", Kind::Text)
                .value(q.account.clone().unwrap_or_default()),
        )
        .field(Field::new("from", "From day", Kind::Date).value(q.from.clone().unwrap_or_default()))
        .field(
            Field::new("to", "To day (included)", Kind::Date)
                .value(q.to.clone().unwrap_or_default()),
        );
    let mut t = Table::new(
        "Calls, by account then start time",
        &["Start", "Account", "From", "To", "Duration", "Disposition", "Destination", "Billed", "Amount"],
        "No call matches. Calls appear once the SIP edge or a CDR import (POST /v1/cdrs) brings them.",
    );
    for r in &page.rows {
        t.row(vec![
            Cell::text(format::time(r.start_at)),
            Cell::link(
                r.billing_account_id.clone(),
                format!("/portal/accounts/{}", r.billing_account_id),
            ),
            Cell::text(r.from_number.clone()),
            Cell::text(r.to_number.clone()),
            Cell::num(format::duration(r.duration_s)),
            Cell::text(r.disposition.clone()),
            Cell::text(r.destination.clone().unwrap_or_else(|| "—".into())),
            Cell::num(format::duration(r.billed_s)),
            Cell::num(format::micros(r.amount_micros, &r.currency)),
        ]);
    }
    let query = |cursor: Option<&str>, fmt: Option<&str>| {
        let mut parts = Vec::new();
        for (k, v) in [("account", &q.account), ("from", &q.from), ("to", &q.to)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", format::url_encode(v)));
            }
        }
        if let Some(c) = cursor {
            parts.push(format!("cursor={}", format::url_encode(c)));
        }
        if let Some(f) = fmt {
            parts.push(format!("format={f}"));
        }
        format!("/portal/calls?{}", parts.join("&"))
    };
    t.next = page.next.as_ref().map(|n| query(Some(&n.encode()), None));
    Page::new(&session, "calls", "Calls")
        .section(Section::new("").form(filter_form).table(t).link(
            "Download these filters as CSV (first 500 calls)",
            query(q.cursor.as_deref(), Some("csv")),
        ))
        .ok()
}
