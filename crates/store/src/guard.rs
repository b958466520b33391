//! Guard storage: account policies, live calls, suspensions, incidents, bans, announcements,
//! operator destination lists.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{fetch_dynamic, opt_text, Arg, Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

pub mod system;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub billing_account_id: String,
    pub validated: bool,
    pub licensed_calls: i64,
    pub site_bandwidth_kbps: Option<i64>,
    pub home_country: String,
    /// Country codes, comma-separated.
    pub international_allowlist: String,
    pub credit_limit_micros: Option<i64>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub call_id: String,
    pub billing_account_id: String,
    pub from_number: String,
    pub to_number: String,
    pub international: bool,
    pub source: String,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionRow {
    pub id: String,
    pub billing_account_id: String,
    pub scope: String,
    pub rule: String,
    pub clause: String,
    pub reason: String,
    pub created_at: i64,
    pub created_by: String,
    pub until_at: Option<i64>,
    pub incident_id: Option<String>,
    pub lifted_at: Option<i64>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: String,
    pub at: i64,
    pub billing_account_id: Option<String>,
    pub customer_id: Option<String>,
    pub source: Option<String>,
    pub detector: String,
    pub rule: String,
    pub clause: String,
    pub count: i64,
    pub window_s: i64,
    pub threshold: i64,
    pub detail: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementRow {
    pub id: String,
    pub billing_account_id: String,
    pub from_at: i64,
    pub until_at: i64,
    pub factor: i64,
    pub note: String,
    pub created_at: i64,
    pub created_by: String,
}

fn policy(r: &AnyRow) -> Result<PolicyRow, sqlx::Error> {
    Ok(PolicyRow {
        billing_account_id: r.try_get("billing_account_id")?,
        validated: r.try_get::<i64, _>("validated")? != 0,
        licensed_calls: r.try_get("licensed_calls")?,
        site_bandwidth_kbps: r.try_get("site_bandwidth_kbps")?,
        home_country: r.try_get("home_country")?,
        international_allowlist: r.try_get("international_allowlist")?,
        credit_limit_micros: r.try_get("credit_limit_micros")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The guard policy of a billing account in `scope`, if one is set.
pub async fn get_policy(
    store: &Store,
    scope: ScopeFilter<'_>,
    account: &str,
) -> Result<Option<PolicyRow>> {
    let mut sql = String::from("SELECT * FROM guard_policies WHERE billing_account_id = $1");
    let mut args = vec![Arg::Text(account.to_string())];
    push_account_in_scope(&mut sql, &mut args, scope, "billing_account_id");
    Ok(fetch_dynamic(store.reader(), &sql, args, policy)
        .await?
        .pop())
}

/// `AND <col> IN (billing accounts in scope)`.
fn push_account_in_scope(sql: &mut String, args: &mut Vec<Arg>, scope: ScopeFilter<'_>, col: &str) {
    scope.push_in(
        sql,
        args,
        col,
        &format!(
            "SELECT b.id FROM billing_accounts b JOIN customers c ON c.id = b.customer_id \
             WHERE b.id = {col}"
        ),
        "c.id",
        "c.partner_id",
    );
}

pub async fn put_policy(tx: &mut Tx, p: &PolicyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO guard_policies (billing_account_id, validated, licensed_calls, site_bandwidth_kbps, home_country, \
         international_allowlist, credit_limit_micros, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (billing_account_id) DO UPDATE SET validated = excluded.validated, licensed_calls = excluded.licensed_calls, \
         site_bandwidth_kbps = excluded.site_bandwidth_kbps, home_country = excluded.home_country, \
         international_allowlist = excluded.international_allowlist, credit_limit_micros = excluded.credit_limit_micros, \
         updated_at = excluded.updated_at",
    )
    .bind(&p.billing_account_id)
    .bind(i64::from(p.validated))
    .bind(p.licensed_calls)
    .bind(p.site_bandwidth_kbps)
    .bind(&p.home_country)
    .bind(&p.international_allowlist)
    .bind(p.credit_limit_micros)
    .bind(p.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records call events (admission, answer, end) in one transaction; an admission already
/// stored is not stored twice.
pub async fn record_calls(
    tx: &mut Tx,
    admitted: &[CallRow],
    answered: &[(String, i64)],
    ended: &[(String, i64)],
) -> Result<()> {
    for c in admitted {
        sqlx::query(
            "INSERT INTO guard_calls (call_id, billing_account_id, from_number, to_number, international, source, started_at, answered_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (call_id) DO NOTHING",
        )
        .bind(&c.call_id)
        .bind(&c.billing_account_id)
        .bind(&c.from_number)
        .bind(&c.to_number)
        .bind(i64::from(c.international))
        .bind(&c.source)
        .bind(c.started_at)
        .bind(c.answered_at)
        .bind(c.ended_at)
        .execute(&mut **tx)
        .await?;
    }
    for (id, at) in answered {
        sqlx::query(
            "UPDATE guard_calls SET answered_at = $1 WHERE call_id = $2 AND answered_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    for (id, at) in ended {
        sqlx::query("UPDATE guard_calls SET ended_at = $1 WHERE call_id = $2 AND ended_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn call(r: &AnyRow) -> Result<CallRow, sqlx::Error> {
    Ok(CallRow {
        call_id: r.try_get("call_id")?,
        billing_account_id: r.try_get("billing_account_id")?,
        from_number: r.try_get("from_number")?,
        to_number: r.try_get("to_number")?,
        international: r.try_get::<i64, _>("international")? != 0,
        source: r.try_get("source")?,
        started_at: r.try_get("started_at")?,
        answered_at: r.try_get("answered_at")?,
        ended_at: r.try_get("ended_at")?,
    })
}

fn suspension(r: &AnyRow) -> Result<SuspensionRow, sqlx::Error> {
    Ok(SuspensionRow {
        id: r.try_get("id")?,
        billing_account_id: r.try_get("billing_account_id")?,
        scope: r.try_get("scope")?,
        rule: r.try_get("rule")?,
        clause: r.try_get("clause")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        until_at: r.try_get("until_at")?,
        incident_id: opt_text(r, "incident_id")?,
        lifted_at: r.try_get("lifted_at")?,
        lifted_by: opt_text(r, "lifted_by")?,
        lift_reason: opt_text(r, "lift_reason")?,
    })
}

pub async fn insert_suspension(tx: &mut Tx, s: &SuspensionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO suspensions (id, billing_account_id, scope, rule, clause, reason, created_at, created_by, until_at, incident_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&s.id)
    .bind(&s.billing_account_id)
    .bind(&s.scope)
    .bind(&s.rule)
    .bind(&s.clause)
    .bind(&s.reason)
    .bind(s.created_at)
    .bind(&s.created_by)
    .bind(s.until_at)
    .bind(&s.incident_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lifts a suspension; returns whether it was in force.
pub async fn lift_suspension(
    tx: &mut Tx,
    id: &str,
    at: i64,
    by: &str,
    reason: &str,
) -> Result<bool> {
    Ok(sqlx::query("UPDATE suspensions SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL")
        .bind(at)
        .bind(by)
        .bind(reason)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        > 0)
}

/// A suspension of a billing account in `scope`.
pub async fn get_suspension(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<SuspensionRow>> {
    let mut sql = String::from("SELECT * FROM suspensions WHERE id = $1");
    let mut args = vec![Arg::Text(id.to_string())];
    push_account_in_scope(&mut sql, &mut args, scope, "billing_account_id");
    Ok(fetch_dynamic(store.reader(), &sql, args, suspension)
        .await?
        .pop())
}

/// Suspensions in scope (newest first by id).
pub async fn list_suspensions(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<SuspensionRow>> {
    let mut q = ScopedQuery::new(
        "SELECT s.* FROM suspensions s JOIN billing_accounts b ON b.id = s.billing_account_id \
         JOIN customers c ON c.id = b.customer_id",
    );
    q.scope(&scope, "c.id", "c.partner_id").page("s.id", page);
    q.fetch(store.reader(), suspension).await
}

/// The suspensions of one billing account in scope, by id.
pub async fn list_account_suspensions(
    store: &Store,
    scope: ScopeFilter<'_>,
    account: &str,
    page: &Page,
) -> Result<Vec<SuspensionRow>> {
    let mut q = ScopedQuery::new(
        "SELECT s.* FROM suspensions s JOIN billing_accounts b ON b.id = s.billing_account_id \
         JOIN customers c ON c.id = b.customer_id",
    );
    q.filter("s.billing_account_id", "=", Arg::Text(account.into()))
        .scope(&scope, "c.id", "c.partner_id")
        .page("s.id", page);
    q.fetch(store.reader(), suspension).await
}

pub async fn insert_incident(tx: &mut Tx, i: &IncidentRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO incidents (id, at, billing_account_id, customer_id, source, detector, rule, clause, count, window_s, threshold, detail, action) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&i.id)
    .bind(i.at)
    .bind(&i.billing_account_id)
    .bind(&i.customer_id)
    .bind(&i.source)
    .bind(&i.detector)
    .bind(&i.rule)
    .bind(&i.clause)
    .bind(i.count)
    .bind(i.window_s)
    .bind(i.threshold)
    .bind(&i.detail)
    .bind(&i.action)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Incidents in scope. Incidents about a source address (no account) are operator-only.
pub async fn list_incidents(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<IncidentRow>> {
    let mut q = ScopedQuery::new(
        "SELECT i.* FROM incidents i LEFT JOIN customers c ON c.id = i.customer_id",
    );
    q.scope(&scope, "c.id", "c.partner_id").page("i.id", page);
    q.fetch(store.reader(), incident_row).await
}

/// How many incidents in scope happened at or after `since`.
pub async fn count_incidents_since(
    store: &Store,
    scope: ScopeFilter<'_>,
    since: i64,
) -> Result<i64> {
    let mut q = ScopedQuery::new(
        "SELECT COUNT(*) AS n FROM incidents i LEFT JOIN customers c ON c.id = i.customer_id",
    );
    q.filter("i.at", ">=", Arg::Int(since))
        .scope(&scope, "c.id", "c.partner_id");
    Ok(q.fetch(store.reader(), |r| r.try_get::<i64, _>("n"))
        .await?
        .pop()
        .unwrap_or(0))
}

/// How many suspensions in scope are in force at `now` (not lifted, not expired).
pub async fn count_active_suspensions(
    store: &Store,
    scope: ScopeFilter<'_>,
    now: i64,
) -> Result<i64> {
    let mut q = ScopedQuery::new(
        "SELECT COUNT(*) AS n FROM suspensions s JOIN billing_accounts b ON b.id = s.billing_account_id \
         JOIN customers c ON c.id = b.customer_id",
    );
    q.clause(|sql, args| {
        args.push(Arg::Int(now));
        sql.push_str(&format!(
            " AND s.lifted_at IS NULL AND (s.until_at IS NULL OR s.until_at > ${})",
            args.len()
        ));
    })
    .scope(&scope, "c.id", "c.partner_id");
    Ok(q.fetch(store.reader(), |r| r.try_get::<i64, _>("n"))
        .await?
        .pop()
        .unwrap_or(0))
}

/// An incident from a row of `incidents` (every column).
pub(crate) fn incident_row(r: &sqlx::any::AnyRow) -> std::result::Result<IncidentRow, sqlx::Error> {
    Ok(IncidentRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        billing_account_id: opt_text(r, "billing_account_id")?,
        customer_id: opt_text(r, "customer_id")?,
        source: opt_text(r, "source")?,
        detector: r.try_get("detector")?,
        rule: r.try_get("rule")?,
        clause: r.try_get("clause")?,
        count: r.try_get("count")?,
        window_s: r.try_get("window_s")?,
        threshold: r.try_get("threshold")?,
        detail: r.try_get("detail")?,
        action: r.try_get("action")?,
    })
}

pub async fn put_ban(tx: &mut Tx, source: &str, until: i64) -> Result<()> {
    sqlx::query("INSERT INTO source_bans (source, until_at) VALUES ($1, $2) ON CONFLICT (source) DO UPDATE SET until_at = excluded.until_at")
        .bind(source)
        .bind(until)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_announcement(tx: &mut Tx, a: &AnnouncementRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO announcements (id, billing_account_id, from_at, until_at, factor, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.id)
    .bind(&a.billing_account_id)
    .bind(a.from_at)
    .bind(a.until_at)
    .bind(a.factor)
    .bind(&a.note)
    .bind(a.created_at)
    .bind(&a.created_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn put_destination_prefix(
    tx: &mut Tx,
    prefix: &str,
    class: &str,
    note: &str,
    at: i64,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO destination_prefixes (prefix, class, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (prefix) DO UPDATE SET class = excluded.class, note = excluded.note",
    )
    .bind(prefix)
    .bind(class)
    .bind(note)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
