//! The dashboard: what the signed-in role should see first. Each panel appears only when the
//! role has its permission, and reads through the caller's scope.

use std::collections::BTreeMap;

use axum::extract::State;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;
use tollgate_store::billing::InvoiceFilter;

use crate::chart::{self, Bar};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Page, Section};

/// Days the usage chart covers (today included).
pub const USAGE_DAYS: i64 = 14;

pub async fn show(State(app): State<App>, session: Session) -> PageResult {
    let caller = session.caller(&app, Permission::SelfRead).await?;
    let now = app.now();
    let today = now.div_euclid(86_400) * 86_400;
    let mut page = Page::new(&session, "dashboard", "Dashboard").lead(format!(
        "Signed in as {} ({}). Times are UTC; today is {}.",
        session.principal.email,
        session.principal.role.as_str(),
        format::day(today)
    ));
    if session.may(Permission::CdrsRead) {
        let c = session.caller(&app, Permission::CdrsRead).await?;
        let from = today - (USAGE_DAYS - 1) * 86_400;
        let usage = app.usage_per_day(&c, from, today + 86_400).await?;
        let mut per_day: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
        let mut amounts: BTreeMap<String, i64> = BTreeMap::new();
        for u in &usage {
            let e = per_day.entry(u.day).or_default();
            e.0 += u.calls;
            e.1 += u.calls - u.answered;
            e.2 += u.billed_s;
            *amounts.entry(u.currency.clone()).or_default() += u.amount_micros;
        }
        let bars: Vec<Bar> = (0..USAGE_DAYS)
            .map(|i| {
                let day = from + i * 86_400;
                let (calls, unanswered, billed) = per_day.get(&day).copied().unwrap_or_default();
                Bar {
                    label: format::day(day)[5..].to_string(),
                    value: calls,
                    over: unanswered,
                    text: format!(
                        "{calls} calls, {unanswered} not answered, {} billed",
                        format::duration(billed)
                    ),
                }
            })
            .collect();
        let (calls_today, _, billed_today) = per_day.get(&today).copied().unwrap_or_default();
        let mut s = Section::new("Calls")
            .fact("Calls today", calls_today.to_string())
            .fact("Billed time today", format::duration(billed_today))
            .fact(
                &format!("Calls in {USAGE_DAYS} days"),
                per_day.values().map(|v| v.0).sum::<i64>().to_string(),
            );
        for (cur, micros) in &amounts {
            s = s.fact(
                &format!("Usage charges ({cur})"),
                format::micros(*micros, cur),
            );
        }
        page = page.section(
            s.svg(chart::bars(
                &format!("Calls per day, last {USAGE_DAYS} days"),
                &bars,
                Some(("answered", "not answered")),
            ))
            .link("Review calls", "/portal/calls"),
        );
    }
    if session.may(Permission::GuardRead) {
        let c = session.caller(&app, Permission::GuardRead).await?;
        let incidents = app
            .list_incidents(&c, &tollgate_store::Page::first(super::PAGE_ROWS))
            .await?;
        let recent = incidents.iter().filter(|i| i.at >= now - 86_400).count();
        let suspensions = app
            .list_suspensions(&c, &tollgate_store::Page::first(super::PAGE_ROWS))
            .await?;
        let active = suspensions
            .iter()
            .filter(|s| s.lifted_at.is_none() && s.until_at.is_none_or(|u| u > now))
            .count();
        page = page.section(
            Section::new("Guard")
                .fact("Incidents in the last 24 h", recent.to_string())
                .fact("Suspensions in force", active.to_string())
                .link("Incidents and suspensions", "/portal/guard"),
        );
    }
    if session.may(Permission::InvoicesRead) {
        let c = session.caller(&app, Permission::InvoicesRead).await?;
        let month = &format::day(now)[..7];
        let f = InvoiceFilter {
            period: None,
            ..InvoiceFilter::default()
        };
        let invoices = app
            .list_invoices(
                &c,
                &f,
                &tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT),
            )
            .await?;
        let mut issued: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for i in invoices
            .iter()
            .filter(|i| format::day(i.invoice_date).starts_with(month))
        {
            let e = issued.entry(i.currency.clone()).or_default();
            e.0 += 1;
            e.1 += i.total_minor;
        }
        let mut s = Section::new(&format!("Invoices dated {month}"));
        if issued.is_empty() {
            s = s.text("No invoice dated this month yet: the month's invoice run issues them.");
        }
        for (cur, (n, total)) in &issued {
            s = s.fact(
                &format!("{n} invoice(s), {cur}"),
                format::money(*total, cur),
            );
        }
        page = page.section(s.link("All invoices", "/portal/invoices"));
    }
    if session.may(Permission::ReceivablesReport) {
        let c = session.caller(&app, Permission::ReceivablesReport).await?;
        let aged = app.aged_receivables(&c).await?;
        let mut open: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for a in &aged {
            let e = open.entry(a.currency.clone()).or_default();
            e.0 += a.total_minor;
            e.1 += a
                .buckets
                .iter()
                .filter(|b| b.label != "current")
                .map(|b| b.minor)
                .sum::<i64>();
        }
        let mut s = Section::new("Receivables");
        if open.is_empty() {
            s = s.text("Nothing is owed to you.");
        }
        for (cur, (total, overdue)) in &open {
            s = s
                .fact(&format!("Open ({cur})"), format::money(*total, cur))
                .fact(&format!("Past due ({cur})"), format::money(*overdue, cur));
        }
        page = page.section(s.link("Aged receivables", "/portal/receivables"));
    }
    if session.may(Permission::TicketsRead) {
        let c = session.caller(&app, Permission::TicketsRead).await?;
        let open = app
            .tickets(
                &c,
                None,
                false,
                &tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT),
            )
            .await?;
        let open_n = open.iter().filter(|t| t.closed_at.is_none()).count();
        let breached = app
            .tickets(
                &c,
                None,
                true,
                &tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT),
            )
            .await?
            .len();
        page = page.section(
            Section::new("Support")
                .fact("Open tickets", open_n.to_string())
                .fact("First response overdue", breached.to_string())
                .link("Tickets", "/portal/tickets")
                .link("Open a ticket", "/portal/tickets/new"),
        );
    }
    let _ = caller;
    page.ok()
}
