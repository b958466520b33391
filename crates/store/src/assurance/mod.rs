//! Service assurance storage (issue 17): services, components, probes, incidents, maintenance,
//! the published daily availability and SLA credits. What the status page shows is the
//! provider's public information; reads of it (no tenant data) live in [`system`]. The
//! customers' components and their SLA credits are tenant data, read with the caller's scope.

use crate::row_macro::table_row;
use crate::{Arg, Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

pub mod system;

table_row! {
    /// A service as the status page shows it (SIP edge, API, portal, a PBX cluster...).
    pub struct ServiceRow in "assurance_services" {
        id: String,
        name: String,
        description: String,
        position: i64,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A part of a service that probes measure and incidents affect.
    pub struct ComponentRow in "assurance_components" {
        id: String,
        service_id: String,
        name: String,
        /// 1: CLASSOUND telephony (T5 restoration time applies).
        classound: i64,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A customer's use of a component: its availability is measured on these.
    pub struct CustomerComponentRow in "assurance_customer_components" {
        customer_id: String,
        partner_id: Option<String>,
        component_id: String,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A probe of a component, with the streak of its last results.
    pub struct ProbeRow in "assurance_probes" {
        id: String,
        component_id: String,
        name: String,
        kind: String,
        target: String,
        dns_name: Option<String>,
        expect_status: Option<i64>,
        expect_body: Option<String>,
        interval_s: i64,
        timeout_ms: i64,
        fail_threshold: i64,
        recover_threshold: i64,
        enabled: i64,
        next_run_at: i64,
        failures: i64,
        successes: i64,
        open_incident_id: Option<String>,
        last_at: Option<i64>,
        last_ok: Option<i64>,
        last_latency_us: Option<i64>,
        last_detail: Option<String>,
        created_at: i64,
        created_by: String,
        updated_at: i64,
    }
}

table_row! {
    /// One run of a probe.
    pub struct ProbeResultRow in "assurance_probe_results" {
        id: String,
        probe_id: String,
        at: i64,
        ok: i64,
        latency_us: i64,
        detail: String,
    }
}

table_row! {
    /// An incident: opened by a probe or by hand, with its cause (S3) and class (S4).
    pub struct IncidentRow in "assurance_incidents" {
        id: String,
        title: String,
        cause: String,
        state: String,
        cos: String,
        started_at: i64,
        resolved_at: Option<i64>,
        probe_id: Option<String>,
        created_at: i64,
        created_by: String,
        updated_at: i64,
        tickets_at: Option<i64>,
    }
}

table_row! {
    /// A public update of an incident.
    pub struct IncidentUpdateRow in "assurance_incident_updates" {
        id: String,
        incident_id: String,
        at: i64,
        status: String,
        message: String,
        author: String,
    }
}

table_row! {
    /// A maintenance window and when its notice went out (S1).
    pub struct MaintenanceRow in "assurance_maintenance" {
        id: String,
        title: String,
        starts_at: i64,
        ends_at: i64,
        notice_at: Option<i64>,
        cancelled_at: Option<i64>,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// The published availability of a service on a UTC day (S2).
    pub struct DailyRow in "assurance_daily" {
        service_id: String,
        day: i64,
        period_s: i64,
        counted_s: i64,
        excluded_maintenance_s: i64,
        excluded_other_s: i64,
        computed_at: i64,
    }
}

table_row! {
    /// A month's SLA outcome for a billing account (retail) or its partner (wholesale), with
    /// the computation behind the credit (S3, B12).
    pub struct SlaCreditRow in "sla_credits" {
        id: String,
        billing_account_id: String,
        customer_id: String,
        partner_id: Option<String>,
        level: String,
        month: String,
        profile: String,
        period_s: i64,
        counted_s: i64,
        excluded_maintenance_s: i64,
        excluded_other_s: i64,
        availability_hundredths: i64,
        tier_from_ppm: i64,
        payable_pct: i64,
        credit_pct: i64,
        fee_micros: i64,
        credit_micros: i64,
        currency: String,
        pending_charge_id: Option<String>,
        created_at: i64,
        created_by: String,
    }
}

/// The components a customer in scope uses.
pub async fn customer_components(
    store: &Store,
    scope: ScopeFilter<'_>,
    customer_id: &str,
) -> Result<Vec<CustomerComponentRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM assurance_customer_components c",
        CustomerComponentRow::cols("c")
    ));
    q.filter("c.customer_id", "=", Some(Arg::Text(customer_id.into())))
        .clause(|sql, args| {
            scope.push(sql, args, "c.customer_id", "c.partner_id");
            sql.push_str(" ORDER BY c.component_id");
        });
    q.fetch(store.reader(), CustomerComponentRow::from_row)
        .await
}

/// Replaces a customer's components (the caller checked the customer is in its scope).
pub async fn set_customer_components(
    tx: &mut Tx,
    customer_id: &str,
    rows: &[CustomerComponentRow],
) -> Result<()> {
    sqlx::query("DELETE FROM assurance_customer_components WHERE customer_id = $1")
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    for r in rows {
        r.insert(tx).await?;
    }
    Ok(())
}

/// Filters of an SLA credit listing.
#[derive(Debug, Clone, Default)]
pub struct CreditFilter {
    pub month: Option<String>,
    pub billing_account: Option<String>,
    pub level: Option<String>,
}

/// SLA credits in scope, by id.
pub async fn list_credits(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &CreditFilter,
    page: &Page,
) -> Result<Vec<SlaCreditRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM sla_credits s",
        SlaCreditRow::cols("s")
    ));
    q.filter("s.month", "=", f.month.clone().map(Arg::Text))
        .filter(
            "s.billing_account_id",
            "=",
            f.billing_account.clone().map(Arg::Text),
        )
        .filter("s.level", "=", f.level.clone().map(Arg::Text))
        .clause(|sql, args| {
            scope.push_levelled(sql, args, "s.level", "s.customer_id", "s.partner_id")
        })
        .page("s.id", page);
    q.fetch(store.reader(), SlaCreditRow::from_row).await
}

/// Sets an incident's components (at creation, or when the NOC corrects them).
pub async fn set_incident_components(
    tx: &mut Tx,
    incident_id: &str,
    components: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM assurance_incident_components WHERE incident_id = $1")
        .bind(incident_id)
        .execute(&mut **tx)
        .await?;
    for c in components {
        sqlx::query(
            "INSERT INTO assurance_incident_components (incident_id, component_id) VALUES ($1, $2)",
        )
        .bind(incident_id)
        .bind(c)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Sets a maintenance window's components.
pub async fn set_maintenance_components(
    tx: &mut Tx,
    maintenance_id: &str,
    components: &[String],
) -> Result<()> {
    for c in components {
        sqlx::query(
            "INSERT INTO assurance_maintenance_components (maintenance_id, component_id) \
             VALUES ($1, $2)",
        )
        .bind(maintenance_id)
        .bind(c)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Writes an incident's changed fields (state, cause, title, class, resolution, tickets).
pub async fn update_incident(tx: &mut Tx, i: &IncidentRow) -> Result<()> {
    sqlx::query(
        "UPDATE assurance_incidents SET title = $2, cause = $3, state = $4, cos = $5, \
         resolved_at = $6, updated_at = $7, tickets_at = $8 WHERE id = $1",
    )
    .bind(&i.id)
    .bind(&i.title)
    .bind(&i.cause)
    .bind(&i.state)
    .bind(&i.cos)
    .bind(i.resolved_at)
    .bind(i.updated_at)
    .bind(i.tickets_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a maintenance window's notice time or cancellation.
pub async fn update_maintenance(tx: &mut Tx, m: &MaintenanceRow) -> Result<()> {
    sqlx::query("UPDATE assurance_maintenance SET notice_at = $2, cancelled_at = $3 WHERE id = $1")
        .bind(&m.id)
        .bind(m.notice_at)
        .bind(m.cancelled_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a window's notice at `now`, once, while the window is neither over nor cancelled;
/// false otherwise.
pub async fn set_notice(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE assurance_maintenance SET notice_at = $2 WHERE id = $1 AND notice_at IS NULL \
         AND cancelled_at IS NULL AND ends_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records a probe's run: its result, its streak, its next run and the incident it holds open.
pub async fn record_probe(tx: &mut Tx, p: &ProbeRow, result: &ProbeResultRow) -> Result<()> {
    result.insert(tx).await?;
    sqlx::query(
        "UPDATE assurance_probes SET next_run_at = $2, failures = $3, successes = $4, \
         open_incident_id = $5, last_at = $6, last_ok = $7, last_latency_us = $8, \
         last_detail = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(&p.id)
    .bind(p.next_run_at)
    .bind(p.failures)
    .bind(p.successes)
    .bind(&p.open_incident_id)
    .bind(p.last_at)
    .bind(p.last_ok)
    .bind(p.last_latency_us)
    .bind(&p.last_detail)
    .bind(p.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Claims a due probe for one run: moves its next run from `due` to `next`; false when
/// another round (or node) claimed it first.
pub async fn claim_probe(tx: &mut Tx, id: &str, due: i64, next: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE assurance_probes SET next_run_at = $3 WHERE id = $1 AND next_run_at = $2 \
         AND enabled = 1",
    )
    .bind(id)
    .bind(due)
    .bind(next)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Releases the probes holding an incident that a person resolved: their streaks start
/// again, so a service still failing opens a new incident.
pub async fn release_probes_of(tx: &mut Tx, incident_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE assurance_probes SET open_incident_id = NULL, failures = 0, successes = 0 \
         WHERE open_incident_id = $1",
    )
    .bind(incident_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Enables or disables a probe (a disabled probe keeps its incident until a person resolves it).
pub async fn set_probe_enabled(tx: &mut Tx, id: &str, enabled: bool, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE assurance_probes SET enabled = $2, next_run_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(i64::from(enabled))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Forgets the published days in `[from_day, to_day]` (an incident on them changed): the
/// daily job computes them again.
pub async fn unpublish_days(tx: &mut Tx, from_day: i64, to_day: i64) -> Result<()> {
    sqlx::query("DELETE FROM assurance_daily WHERE day >= $1 AND day <= $2")
        .bind(from_day)
        .bind(to_day)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether a month's SLA has been closed (its outcomes written).
pub async fn month_closed(tx: &mut Tx, month: &str) -> Result<bool> {
    let r = sqlx::query("SELECT 1 FROM sla_credits WHERE month = $1 LIMIT 1")
        .bind(month)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(r.is_some())
}

/// Upserts a day's published availability of a service.
pub async fn put_daily(tx: &mut Tx, d: &DailyRow) -> Result<()> {
    sqlx::query("DELETE FROM assurance_daily WHERE service_id = $1 AND day = $2")
        .bind(&d.service_id)
        .bind(d.day)
        .execute(&mut **tx)
        .await?;
    d.insert(tx).await
}

/// Removes results older than `before` (a bounded history), at most `limit` rows.
pub async fn prune_results(tx: &mut Tx, before: i64, limit: i64) -> Result<u64> {
    let r = sqlx::query(
        "DELETE FROM assurance_probe_results WHERE id IN (SELECT id FROM \
         assurance_probe_results WHERE at < $1 ORDER BY at LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}
