//! The append-only audit log: who did what, when, from where. The database refuses
//! updates and deletes on it (triggers in migration 0001).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    /// `user:<id>` / `cli` / `system`.
    pub actor: String,
    /// Stable action name, e.g. `customer.create`.
    pub action: String,
    /// The object acted on, e.g. the customer id.
    pub target: String,
    /// Where the request came from (IP address, `cli`).
    pub source: String,
    pub request_id: String,
    /// JSON with details (never secrets).
    pub detail: String,
}

pub async fn append(tx: &mut Tx, a: &AuditRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, target, source, request_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.id)
    .bind(a.at)
    .bind(&a.actor)
    .bind(&a.action)
    .bind(&a.target)
    .bind(&a.source)
    .bind(&a.request_id)
    .bind(&a.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn audit(r: &AnyRow) -> Result<AuditRow, sqlx::Error> {
    Ok(AuditRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        source: r.try_get("source")?,
        request_id: r.try_get("request_id")?,
        detail: r.try_get("detail")?,
    })
}

/// The audit log: the operator's (entries name every tenant), none for any other scope.
pub async fn list(store: &Store, scope: ScopeFilter<'_>, page: &Page) -> Result<Vec<AuditRow>> {
    let mut q = ScopedQuery::new(
        "SELECT id, at, actor, action, target, source, request_id, detail FROM audit_log",
    );
    q.clause(|sql, _| scope.push_operator_only(sql))
        .page("id", page);
    q.fetch(store.reader(), audit).await
}
