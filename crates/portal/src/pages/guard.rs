//! The guard's incidents (with their evidence: detector, count over window against the
//! threshold, rule and clause) and every suspension in scope.

use axum::extract::{Query, State};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use super::accounts::MAX_SUSPENSION_PAGES;
use super::{next_link, After};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

pub async fn show(State(app): State<App>, session: Session, Query(q): Query<After>) -> PageResult {
    let c = session.caller(&app, Permission::GuardRead).await?;
    let incidents = app.list_incidents(&c, &q.page()).await?;
    let mut t = Table::new(
        "Incidents, by id",
        &[
            "When", "Account", "Detector", "Evidence", "Rule", "Action", "Detail",
        ],
        "No incident: the guard has not seen traffic that breaks a rule.",
    );
    for i in &incidents {
        let account = i.billing_account_id.clone().unwrap_or_default();
        t.row(vec![
            Cell::text(format::time(i.at)),
            if account.is_empty() {
                Cell::text(i.source.clone().unwrap_or_else(|| "—".into()))
            } else {
                Cell::link(account.clone(), format!("/portal/accounts/{account}"))
            },
            Cell::text(i.detector.clone()),
            Cell::text(format!(
                "{} in {} (threshold {})",
                i.count,
                format::duration(i.window_s),
                i.threshold
            )),
            Cell::text(format!("{} ({})", i.rule, i.clause)),
            Cell::text(i.action.clone()),
            Cell::text(i.detail.clone()),
        ]);
    }
    t.next = next_link(
        "/portal/guard",
        incidents.len(),
        incidents.last().map(|i| i.id.as_str()),
    );
    let now = app.now();
    // Every suspension in force (read page by page), newest first.
    let mut active = Vec::new();
    let mut cursor = tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT);
    let mut complete = false;
    for _ in 0..MAX_SUSPENSION_PAGES {
        let batch = app.list_suspensions(&c, &cursor).await?;
        let full = i64::try_from(batch.len()).unwrap_or(0) >= cursor.limit;
        cursor.after = batch.last().map(|s| s.id.clone());
        active.extend(
            batch
                .into_iter()
                .filter(|s| s.lifted_at.is_none() && s.until_at.is_none_or(|u| u > now)),
        );
        if !full {
            complete = true;
            break;
        }
    }
    active.reverse();
    let caption = if complete {
        "Suspensions in force, newest first (each account's page lists its lifted ones)".to_string()
    } else {
        format!(
            "Suspensions in force among the first {} read, newest first",
            MAX_SUSPENSION_PAGES * tollgate_store::MAX_PAGE_LIMIT as usize
        )
    };
    let mut st = Table::new(
        &caption,
        &["Account", "Since", "Scope", "Rule", "Reason", "Until"],
        "No suspension in force.",
    );
    for s in &active {
        st.row(vec![
            Cell::link(
                s.billing_account_id.clone(),
                format!("/portal/accounts/{}", s.billing_account_id),
            ),
            Cell::text(format::time(s.created_at)),
            Cell::text(s.scope.clone()).class("bad"),
            Cell::text(format!("{} ({})", s.rule, s.clause)),
            Cell::text(s.reason.clone()),
            Cell::text(
                s.until_at
                    .map_or_else(|| "reactivation".to_string(), format::time),
            ),
        ]);
    }
    Page::new(&session, "guard", "Guard")
        .lead("Every refusal and suspension names its rule and clause of the terms.")
        .section(Section::new("Incidents").table(t))
        .section(Section::new("Suspensions").table(st))
        .ok()
}
