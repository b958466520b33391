//! The audit log in scope: who did what, when, from where.

use axum::extract::{Query, State};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use super::{next_link, After};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

pub async fn list(State(app): State<App>, session: Session, Query(q): Query<After>) -> PageResult {
    let c = session.caller(&app, Permission::AuditRead).await?;
    let rows = app.list_audit(&c, &q.page()).await?;
    let mut t = Table::new(
        "Audit entries, by id",
        &["When", "Who", "Action", "Target", "From", "Detail"],
        "Nothing recorded yet.",
    );
    for r in &rows {
        t.row(vec![
            Cell::text(format::time(r.at)),
            Cell::text(r.actor.clone()),
            Cell::text(r.action.clone()),
            Cell::text(r.target.clone()),
            Cell::text(r.source.clone()),
            Cell::text(r.detail.clone()),
        ]);
    }
    t.next = next_link(
        "/portal/audit",
        rows.len(),
        rows.last().map(|r| r.id.as_str()),
    );
    Page::new(&session, "audit", "Audit log")
        .section(Section::new("").table(t))
        .ok()
}
