//! The dashboard: what the signed-in role should see first. Each panel appears only when the
//! role has its permission, and reads through the caller's scope.

use std::collections::BTreeMap;

use axum::extract::State;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::chart::{self, Bar};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Page, Section};

/// Days the usage chart covers (today included).
pub const USAGE_DAYS: i64 = 14;
/// Months the revenue chart covers (the invoices' periods).
pub const REVENUE_MONTHS: usize = 12;
/// Pages of billing accounts summed for the live-call count (500 each).
pub const MAX_ACCOUNT_PAGES: usize = 200;

pub async fn show(State(app): State<App>, session: Session) -> PageResult {
    let caller = session.caller(&app, Permission::CustomersRead).await?;
    let now = app.now();
    let today = now.div_euclid(86_400) * 86_400;
    let mut page = Page::new(&session, "dashboard", "Dashboard").lead(format!(
        "Signed in as {} ({}). Times are UTC; today is {}.",
        session.principal.email,
        session.principal.role.as_str(),
        format::day(today)
    ));
    {
        // Live calls now, over every account in scope (the guard's counters, in memory).
        let mut live = (0u64, 0u64, 0usize);
        let mut page_of = tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT);
        for _ in 0..MAX_ACCOUNT_PAGES {
            let accounts = app.list_billing_accounts(&caller, None, &page_of).await?;
            for a in &accounts {
                let l = app.live_calls(&a.id);
                live.0 += u64::from(l.calls);
                live.1 += u64::from(l.international_calls);
            }
            live.2 += accounts.len();
            match accounts.last() {
                Some(last) if i64::try_from(accounts.len()).unwrap_or(0) >= page_of.limit => {
                    page_of.after = Some(last.id.clone());
                }
                _ => break,
            }
        }
        page = page.section(
            Section::new("Now")
                .fact("Live calls", live.0.to_string())
                .fact("Of which international", live.1.to_string())
                .fact("Billing accounts", live.2.to_string()),
        );
    }
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
        let title = format!("Calls per day, last {USAGE_DAYS} days");
        page = page.section(
            s.chart(
                chart::bars(&title, &bars, Some(("answered", "not answered")), &|v| {
                    v.to_string()
                }),
                chart::table(&title, &bars),
            )
            .link("Review calls", "/portal/calls"),
        );
    }
    if session.may(Permission::GuardRead) {
        let c = session.caller(&app, Permission::GuardRead).await?;
        let (recent, active) = app.guard_counts(&c, now - 86_400).await?;
        page = page.section(
            Section::new("Guard")
                .fact("Incidents in the last 24 h", recent.to_string())
                .fact("Suspensions in force", active.to_string())
                .link("Incidents and suspensions", "/portal/guard"),
        );
    }
    if session.may(Permission::InvoicesRead) {
        let c = session.caller(&app, Permission::InvoicesRead).await?;
        let this = tollgate_core::time::month_index(now);
        let first = this - i32::try_from(REVENUE_MONTHS).unwrap_or(12) + 1;
        let from = format!(
            "{:04}-{:02}",
            first.div_euclid(12),
            first.rem_euclid(12) + 1
        );
        let totals = app.invoice_totals(&c, &from).await?;
        let mut s = Section::new("Invoiced");
        // The currency with the most invoices is charted; every currency is in the facts.
        let mut by_currency: BTreeMap<String, i64> = BTreeMap::new();
        for (_, cur, n, _) in &totals {
            *by_currency.entry(cur.clone()).or_default() += n;
        }
        match by_currency
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(c, _)| c.clone())
        {
            None => {
                s = s.text("No invoice in the last 12 months: the month's invoice run issues them.")
            }
            Some(cur) => {
                let bars: Vec<Bar> = totals
                    .iter()
                    .filter(|(_, c, _, _)| *c == cur)
                    .map(|(period, _, n, minor)| Bar {
                        label: period.clone(),
                        value: *minor,
                        over: 0,
                        text: format!("{n} invoice(s), {}", format::money(*minor, &cur)),
                    })
                    .collect();
                let title = format!("Invoiced per period, {cur}");
                s = s.chart(
                    chart::bars(&title, &bars, None, &|v| format::money(v, &cur)),
                    chart::table(&title, &bars),
                );
            }
        }
        if let Some((last, _, _, _)) = totals.last() {
            for (period, cur, n, minor) in totals.iter().filter(|t| &t.0 == last) {
                s = s.fact(
                    &format!("Period {period}: {n} invoice(s), {cur}"),
                    format::money(*minor, cur),
                );
            }
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
        let (open_n, breached) = app.ticket_counts(&c).await?;
        page = page.section(
            Section::new("Support")
                .fact("Open tickets", open_n.to_string())
                .fact("First response overdue", breached.to_string())
                .link("Tickets", "/portal/tickets")
                .link("Open a ticket", "/portal/tickets/new"),
        );
    }
    page.ok()
}
