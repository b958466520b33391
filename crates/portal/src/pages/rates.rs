//! Rate tables: the versions the caller may see (a partner or customer only the tables its
//! accounts are priced with), a quote form (B4: the rate in effect at the time, rounded by the
//! table's increments), and for the operator's rating staff a CSV import whose refused lines
//! are listed with their line, field and code (nothing imported when any line is refused).

use axum::extract::{Query, State};

use serde::Deserialize;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::{ErrorView, PageResult};
use crate::format;
use crate::session::{Fields, Session};
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

/// The quote's default call length, seconds.
pub const DEFAULT_QUOTE_S: u32 = 60;

#[derive(Deserialize, Default)]
pub struct QuoteQ {
    /// Set by the redirect after an import: the table and version imported.
    imported: Option<String>,
    version: Option<i64>,
    table: Option<String>,
    number: Option<String>,
    at: Option<String>,
    duration_s: Option<String>,
}

fn quote_form(q: &QuoteQ, tables: &[String]) -> Form {
    let options = tables.iter().map(|t| (t.clone(), t.clone())).collect();
    Form::filter("quote", "/portal/rates")
        .field(
            Field::new("table", "Rate table", Kind::Select(options))
                .value(q.table.clone().unwrap_or_default()),
        )
        .field(
            Field::new("number", "Number called (E.164)", Kind::Text)
                .value(q.number.clone().unwrap_or_default())
                .hint("For example +442079460000."),
        )
        .field(
            Field::new("at", "When (UTC)", Kind::Text)
                .value(q.at.clone().unwrap_or_default())
                .hint("Empty: now."),
        )
        .field(
            Field::new("duration_s", "Seconds", Kind::Number).value(
                q.duration_s
                    .clone()
                    .unwrap_or_else(|| DEFAULT_QUOTE_S.to_string()),
            ),
        )
        .submit("Quote")
}

fn import_form(session: &Session) -> Form {
    Form::post("import", "Import a rate table version", "/portal/rates/import", session)
        .note("Columns: prefix, destination, rate_per_min, connection_fee, initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone. A version is all or nothing: any refused line and nothing is imported.")
        .field(Field::new("name", "Table name", Kind::Text).required())
        .field(Field::new("csv", "CSV", Kind::TextArea).required().hint("Paste the file, or choose it below (the page reads it into this box)."))
}

async fn render(
    app: &App,
    session: &Session,
    q: &QuoteQ,
    import: Option<Form>,
    rejects: Option<Table>,
    notice: Option<String>,
) -> PageResult {
    let c = session.caller(app, Permission::RatesRead).await?;
    let versions = app.rate_versions(&c).await?;
    let mut t = Table::new(
        "Rate table versions you may see",
        &["Table", "Version", "Imported", "By", "Rows"],
        "No rate table you may see.",
    );
    let mut names: Vec<String> = Vec::new();
    for v in &versions {
        if !names.contains(&v.table_name) {
            names.push(v.table_name.clone());
        }
        t.row(vec![
            Cell::text(v.table_name.clone()),
            Cell::num(v.version.to_string()),
            Cell::text(format::time(v.imported_at)),
            Cell::text(v.imported_by.clone()),
            Cell::num(v.row_count.to_string()),
        ]);
    }
    let mut quote = Section::new("Quote a call").form(quote_form(q, &names));
    if let (Some(table), Some(number)) = (
        q.table.as_deref().filter(|s| !s.is_empty()),
        q.number.as_deref().filter(|s| !s.trim().is_empty()),
    ) {
        let at = match q.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(app.now()),
            Some(s) => format::parse_time(s).ok_or(()),
        };
        let duration = match q
            .duration_s
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(DEFAULT_QUOTE_S),
            Some(s) => s.parse::<u32>().map_err(|_| ()),
        };
        let answer = match (at, duration) {
            (_, Err(())) => Err(ErrorView::from(tollgate_app::AppError::invalid(
                "duration_invalid",
                "duration_s",
                "a whole number of seconds, 0 or more",
            ))),
            (at, Ok(duration)) => match at {
                Err(()) => Err(ErrorView::from(tollgate_app::AppError::invalid(
                    "time_invalid",
                    "at",
                    "not a time: write it as 2026-12-02 09:15 (UTC)",
                ))),
                Ok(at) => app
                    .quote(&c, table, number.trim(), at, duration)
                    .await
                    .map_err(ErrorView::from),
            },
        };
        match answer {
            Ok(qt) => {
                let cur = qt.row.currency.as_str().to_string();
                quote = quote
                    .fact(
                        "Prefix",
                        format!("+{} {}", qt.row.prefix, qt.row.destination),
                    )
                    .fact(
                        "Rate per minute",
                        format::micros(qt.row.rate_per_min_micros, &cur),
                    )
                    .fact(
                        "Connection fee",
                        format::micros(qt.row.connection_fee_micros, &cur),
                    )
                    .fact(
                        "Increments",
                        format!(
                            "{}/{} s, at least {} s",
                            qt.row.initial_s, qt.row.subsequent_s, qt.row.min_billed_s
                        ),
                    )
                    .fact("Billed", format::duration(i64::from(qt.billed_s)))
                    .fact("Price", format::micros(qt.amount_micros, &cur))
                    .fact("Rule", format!("{} ({})", qt.rule.rule, qt.rule.clause));
            }
            Err(e) => {
                quote.forms = vec![quote_form(q, &names).with_error(e)];
            }
        }
    }
    let mut page = Page::new(session, "rates", "Rates")
        .notice(notice)
        .section(Section::new("Versions").table(t))
        .section(quote);
    if session.may(Permission::RatesWrite) {
        let mut s = Section::new("Import").form(import.unwrap_or_else(|| import_form(session)));
        s.table = rejects;
        page = page.section(s);
    }
    page.ok()
}

pub async fn show(State(app): State<App>, session: Session, Query(q): Query<QuoteQ>) -> PageResult {
    let notice = match (&q.imported, q.version) {
        (Some(t), Some(v)) => Some(format!("Imported {t} version {v}.")),
        _ => None,
    };
    render(&app, &session, &q, None, None, notice).await
}

pub async fn import(State(app): State<App>, session: Session, form: Fields) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::RatesWrite).await?;
    let name = form.get("name").unwrap_or_default().trim().to_string();
    let csv = form.get("csv").unwrap_or_default();
    match app
        .import_rate_table(&c.actor, &name, csv.as_bytes(), None)
        .await
    {
        Ok((v, errors)) if errors.is_empty() => {
            // Post, redirect, get: a reload does not import again.
            let mut res = axum::response::IntoResponse::into_response(
                axum::response::Redirect::to(&format!(
                    "/portal/rates?imported={}&version={}",
                    format::url_encode(&v.table_name),
                    v.version
                )),
            );
            *res.status_mut() = axum::http::StatusCode::SEE_OTHER;
            Ok(res)
        }
        Ok((_, errors)) => {
            let mut t = Table::new(
                &format!("{} line(s) refused; nothing was imported", errors.len()),
                &["Line", "Field", "Code", "What is wrong"],
                "",
            );
            for e in errors.iter().take(crate::pages::PAGE_ROWS as usize * 4) {
                t.row(vec![
                    Cell::num(e.line.to_string()),
                    Cell::text(e.field.clone()),
                    Cell::text(e.code.clone()),
                    Cell::text(e.message.clone()),
                ]);
            }
            let mut e = ErrorView::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "rate_table_invalid",
                format!("{} line(s) refused; nothing was imported", errors.len()),
            );
            e.fields
                .insert("csv".into(), "see the refused lines below".into());
            let f = import_form(&session).refill(&form).with_error(e);
            let mut res =
                render(&app, &session, &QuoteQ::default(), Some(f), Some(t), None).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            let status = e.status;
            let f = import_form(&session).refill(&form).with_error(e);
            let mut res = render(&app, &session, &QuoteQ::default(), Some(f), None, None).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}
