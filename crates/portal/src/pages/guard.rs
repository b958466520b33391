//! The guard's incidents (with their evidence: detector, count over window against the
//! threshold, rule and clause) and every suspension in scope.

use axum::extract::{Query, State};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

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
    let sus = app
        .list_suspensions(&c, &tollgate_store::Page::first(super::PAGE_ROWS))
        .await?;
    let mut st = Table::new(
        "Suspensions (first 50 by id; each account's page lists its own)",
        &["Account", "Since", "Scope", "Rule", "Reason", "State"],
        "No suspension.",
    );
    for s in &sus {
        let active = s.lifted_at.is_none() && s.until_at.is_none_or(|u| u > now);
        st.row(vec![
            Cell::link(
                s.billing_account_id.clone(),
                format!("/portal/accounts/{}", s.billing_account_id),
            ),
            Cell::text(format::time(s.created_at)),
            Cell::text(s.scope.clone()),
            Cell::text(format!("{} ({})", s.rule, s.clause)),
            Cell::text(s.reason.clone()),
            if active {
                Cell::text("in force").class("bad")
            } else {
                Cell::text("lifted").class("ok")
            },
        ]);
    }
    Page::new(&session, "guard", "Guard")
        .lead("Every refusal and suspension names its rule and clause of the terms.")
        .section(Section::new("Incidents").table(t))
        .section(Section::new("Suspensions").table(st))
        .ok()
}
