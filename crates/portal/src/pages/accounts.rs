//! A billing account: its guard policy, live calls, suspensions (F4) with suspend and
//! reactivate, its numbers; links to its calls, invoices and statement.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::{ErrorView, PageResult};
use crate::format;
use crate::session::{Fields, Session};
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

/// Pages of an account's suspensions read (500 each); past that the page says it stopped.
pub const MAX_SUSPENSION_PAGES: usize = 20;

fn suspend_form(session: &Session, id: &str) -> Form {
    let opt = |v: &str, l: &str| (v.to_string(), l.to_string());
    Form::post("suspend", "Suspend", format!("/portal/accounts/{id}/suspend"), session)
        .note("Calls in the chosen scope are refused with the rule and clause until reactivated. Emergency calls are never refused.")
        .field(
            Field::new("scope", "What to suspend", Kind::Select(vec![
                opt("international", "International calls"),
                opt("outbound", "All outbound calls"),
                opt("all", "All calls"),
            ]))
            .value("international"),
        )
        .field(
            Field::new("rule", "Rule", Kind::Select(vec![
                opt("F4", "F4: non-payment or breach (W 8.6)"),
                opt("F1", "F1: fraud suspected (W 8.1)"),
                opt("F3", "F3: unusual traffic (W 8.2)"),
                opt("F5", "F5"),
                opt("F6", "F6"),
                opt("T2", "T2"),
                opt("T11", "T11"),
            ]))
            .value("F4"),
        )
        .field(
            Field::new("reason", "Reason (shown to the customer)", Kind::Text).required(),
        )
        .danger()
}

/// A form that came back refused, with what was typed.
enum Returned {
    Suspend(ErrorView, Fields),
    /// The suspension's id.
    Reactivate(String, ErrorView, Fields),
}

async fn render(
    app: &App,
    session: &Session,
    id: &str,
    notice: Option<String>,
    mut returned: Option<Returned>,
) -> PageResult {
    let c = session.caller(app, Permission::CustomersRead).await?;
    let a = app.get_billing_account(&c, id).await?;
    let live = app.live_calls(&a.id);
    let mut page = Page::new(session, "customers", &a.name)
        .lead(format!("Billing account of customer {}", a.customer_id))
        .notice(notice)
        .section(
            Section::new("Account")
                .fact("Currency", a.currency.clone())
                .fact(
                    "Rate table",
                    a.rate_table.clone().unwrap_or_else(|| "—".into()),
                )
                .fact("Live calls now", live.calls.to_string())
                .fact(
                    "Live international calls",
                    live.international_calls.to_string(),
                )
                .link("Customer", format!("/portal/customers/{}", a.customer_id))
                .link("Calls", format!("/portal/calls?account={}", a.id))
                .link("Invoices", format!("/portal/invoices?account={}", a.id))
                .link("Statement", format!("/portal/receivables?account={}", a.id)),
        );
    if session.may(Permission::GuardRead) {
        let g = session.caller(app, Permission::GuardRead).await?;
        let mut s = Section::new("Guard policy");
        match app.get_guard_policy(&g, &a.id).await? {
            Some(p) => {
                s = s
                    .fact("Validated (T2)", if p.validated { "yes" } else { "no" })
                    .fact(
                        "Licensed concurrent calls (T3)",
                        p.licensed_calls.to_string(),
                    )
                    .fact("Home country", p.home_country.clone())
                    .fact(
                        "International allow-list",
                        if p.international_allowlist.is_empty() {
                            "none".to_string()
                        } else {
                            p.international_allowlist.clone()
                        },
                    )
                    .fact(
                        "Credit limit",
                        p.credit_limit_micros
                            .map_or_else(|| "none".into(), |m| format::micros(m, &a.currency)),
                    )
                    .fact("Updated", format::time(p.updated_at));
            }
            None => {
                s = s.text(
                    "No guard policy yet: calls are admitted on the defaults of the terms profile.",
                )
            }
        }
        if session.may(Permission::GuardManage) {
            let p = app.get_guard_policy(&g, &a.id).await?;
            s = s.form(super::policy::policy_form(
                session,
                &a.id,
                p.as_ref(),
                &a.currency,
            ));
        }
        if session.may(Permission::GuardAnnounce) {
            s = s.form(super::policy::announce_form(session, &a.id));
        }
        page = page.section(s);
        let mut sus = Vec::new();
        let mut cursor = tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT);
        let mut complete = false;
        for _ in 0..MAX_SUSPENSION_PAGES {
            let batch = app.account_suspensions(&g, &a.id, &cursor).await?;
            let full = i64::try_from(batch.len()).unwrap_or(0) >= cursor.limit;
            cursor.after = batch.last().map(|s| s.id.clone());
            sus.extend(batch);
            if !full {
                complete = true;
                break;
            }
        }
        // Newest first: ids grow with time.
        sus.reverse();
        let now = app.now();
        let manage = session.may(Permission::GuardSuspend);
        let caption = if complete {
            "Suspensions of this account, newest first".to_string()
        } else {
            format!(
                "The first {} suspensions of this account read, newest first",
                sus.len()
            )
        };
        let mut t = Table::new(
            &caption,
            &["Since", "Scope", "Rule", "Reason", "By", "State"],
            "Never suspended.",
        );
        let mut forms = Vec::new();
        for s in &sus {
            let active = s.lifted_at.is_none() && s.until_at.is_none_or(|u| u > now);
            t.row(vec![
                Cell::text(format::time(s.created_at)),
                Cell::text(s.scope.clone()),
                Cell::text(format!("{} ({})", s.rule, s.clause)),
                Cell::text(s.reason.clone()),
                Cell::text(s.created_by.clone()),
                if active {
                    Cell::text("in force").class("bad")
                } else {
                    Cell::text(match (&s.lifted_at, &s.lift_reason) {
                        (Some(at), Some(r)) => format!("reactivated {}: {r}", format::time(*at)),
                        _ => "expired".into(),
                    })
                    .class("ok")
                },
            ]);
            if active && manage && app.may_lift(&g, s).await? {
                let mut f = Form::post(
                    &format!("reactivate-{}", s.id),
                    &format!("Reactivate {} calls", s.scope),
                    format!("/portal/accounts/{}/suspensions/{}/reactivate", a.id, s.id),
                    session,
                )
                .field(Field::new("reason", "Reason for reactivating", Kind::Text).required());
                if let Some(Returned::Reactivate(sid, e, posted)) = &returned {
                    if *sid == s.id {
                        f = f.refill(posted).with_error(e.clone());
                    }
                }
                forms.push(f);
            }
        }
        let mut s = Section::new("Suspensions").table(t);
        s.forms = forms;
        if manage {
            let mut f = suspend_form(session, &a.id);
            if let Some(Returned::Suspend(e, posted)) = returned.take() {
                f = f.refill(&posted).with_error(e);
            }
            s = s.form(f);
        }
        page = page.section(s);
    }
    if session.may(Permission::NumbersRead) {
        let n = session.caller(app, Permission::NumbersRead).await?;
        let numbers = app.numbers_of_account(&n, &a.id).await?;
        let mut t = Table::new(
            "Numbers of this account",
            &["Number"],
            "No number on this account.",
        );
        for e in numbers {
            t.row(vec![Cell::text(e)]);
        }
        page = page.section(Section::new("Numbers").table(t));
    }
    page.ok()
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQ {
    done: Option<String>,
}

pub async fn show(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQ>,
) -> PageResult {
    let notice = (q.done.as_deref() == Some("announce")).then(|| {
        "Announcement recorded (F7): the guard's detectors allow that much more traffic in that window.".to_string()
    });
    render(&app, &session, &id, notice, None).await
}

fn back(id: &str) -> PageResult {
    let mut res = Redirect::to(&format!("/portal/accounts/{id}")).into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    Ok(res)
}

pub async fn suspend(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::GuardSuspend).await?;
    match app
        .suspend(
            &c,
            &id,
            form.get("scope").unwrap_or_default(),
            form.get("reason").unwrap_or_default(),
            None,
            form.get("rule"),
        )
        .await
    {
        Ok(_) => back(&id),
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let mut res =
                render(&app, &session, &id, None, Some(Returned::Suspend(e, form))).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

pub async fn reactivate(
    State(app): State<App>,
    session: Session,
    Path((id, sid)): Path<(String, String)>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::GuardSuspend).await?;
    match app
        .reactivate(&c, &sid, form.get("reason").unwrap_or_default())
        .await
    {
        Ok(_) => back(&id),
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let mut res = render(
                &app,
                &session,
                &id,
                None,
                Some(Returned::Reactivate(sid, e, form)),
            )
            .await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}
