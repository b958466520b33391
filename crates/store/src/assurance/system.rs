//! Reads of service assurance without a tenant scope. Callers: the status page and the API's
//! incident, maintenance and availability reads (the provider's public information, no tenant
//! data), the probe runner, the daily availability job, the NOC's ticket sweep and the SLA
//! close (which reads every account's licences and components).

use sqlx::Row;

use super::{
    ComponentRow, CustomerComponentRow, DailyRow, IncidentRow, IncidentUpdateRow, MaintenanceRow,
    ProbeResultRow, ProbeRow, ServiceRow, SlaCreditRow,
};
use crate::billing::SubscriptionRow;
use crate::{Arg, Page, Result, ScopedQuery, Store, Tx};

fn rows<T>(
    rows: &[sqlx::any::AnyRow],
    map: impl Fn(&sqlx::any::AnyRow) -> std::result::Result<T, sqlx::Error>,
) -> Result<Vec<T>> {
    Ok(rows
        .iter()
        .map(map)
        .collect::<std::result::Result<_, _>>()?)
}

async fn all<T>(
    store: &Store,
    sql: &str,
    args: Vec<Arg>,
    map: impl Fn(&sqlx::any::AnyRow) -> std::result::Result<T, sqlx::Error>,
) -> Result<Vec<T>> {
    crate::query::fetch_dynamic(store.reader(), sql, args, map).await
}

/// Every service, in the status page's order.
pub async fn services(store: &Store) -> Result<Vec<ServiceRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_services ORDER BY position, name",
        ServiceRow::cols("")
    );
    all(store, &sql, vec![], ServiceRow::from_row).await
}

/// Every component, by service and name.
pub async fn components(store: &Store) -> Result<Vec<ComponentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_components ORDER BY service_id, name",
        ComponentRow::cols("")
    );
    all(store, &sql, vec![], ComponentRow::from_row).await
}

/// Every probe, by id.
pub async fn probes(store: &Store) -> Result<Vec<ProbeRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_probes ORDER BY id",
        ProbeRow::cols("")
    );
    all(store, &sql, vec![], ProbeRow::from_row).await
}

/// One probe.
pub async fn probe(store: &Store, id: &str) -> Result<Option<ProbeRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_probes WHERE id = $1",
        ProbeRow::cols("")
    );
    Ok(
        all(store, &sql, vec![Arg::Text(id.into())], ProbeRow::from_row)
            .await?
            .pop(),
    )
}

/// One probe, read in a transaction (the runner's write sees its own state).
pub async fn probe_in(tx: &mut Tx, id: &str) -> Result<Option<ProbeRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM assurance_probes WHERE id = $1",
        ProbeRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(ProbeRow::from_row).transpose()?)
}

/// Enabled probes due at `now`, the most overdue first, at most `limit`.
pub async fn due_probes(store: &Store, now: i64, limit: i64) -> Result<Vec<ProbeRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_probes WHERE enabled = 1 AND next_run_at <= $1 \
         ORDER BY next_run_at, id LIMIT $2",
        ProbeRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Int(now), Arg::Int(limit)],
        ProbeRow::from_row,
    )
    .await
}

/// A probe's latest results, newest first.
pub async fn probe_results(
    store: &Store,
    probe_id: &str,
    limit: i64,
) -> Result<Vec<ProbeResultRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_probe_results WHERE probe_id = $1 ORDER BY at DESC, id DESC \
         LIMIT $2",
        ProbeResultRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Text(probe_id.into()), Arg::Int(limit)],
        ProbeResultRow::from_row,
    )
    .await
}

/// Filters of an incident listing.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub state: Option<String>,
    pub cause: Option<String>,
    /// Incidents that were open at some time in `[from, to)`.
    pub during: Option<(i64, i64)>,
}

/// Incidents by id (ids are time-ordered).
pub async fn incidents(store: &Store, f: &IncidentFilter, page: &Page) -> Result<Vec<IncidentRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM assurance_incidents i",
        IncidentRow::cols("i")
    ));
    q.filter("i.state", "=", f.state.clone().map(Arg::Text))
        .filter("i.cause", "=", f.cause.clone().map(Arg::Text))
        .clause(|sql, args| {
            if let Some((from, to)) = f.during {
                args.push(Arg::Int(to));
                sql.push_str(&format!(" AND i.started_at < ${}", args.len()));
                args.push(Arg::Int(from));
                sql.push_str(&format!(
                    " AND (i.resolved_at IS NULL OR i.resolved_at > ${})",
                    args.len()
                ));
            }
        })
        .page("i.id", page);
    q.fetch(store.reader(), IncidentRow::from_row).await
}

/// Every incident open at some time in `[from, to)`, oldest first (availability: bounded by
/// the period, not paged).
pub async fn incidents_during(store: &Store, from: i64, to: i64) -> Result<Vec<IncidentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_incidents WHERE started_at < $1 AND \
         (resolved_at IS NULL OR resolved_at > $2) ORDER BY started_at, id",
        IncidentRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Int(to), Arg::Int(from)],
        IncidentRow::from_row,
    )
    .await
}

/// Every open incident, oldest first (the status page's state: never capped).
pub async fn open_incidents(store: &Store) -> Result<Vec<IncidentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_incidents WHERE state = 'open' ORDER BY started_at, id",
        IncidentRow::cols("")
    );
    all(store, &sql, vec![], IncidentRow::from_row).await
}

/// Incidents resolved at or after `since`, the latest started first, at most `limit`.
pub async fn resolved_since(store: &Store, since: i64, limit: i64) -> Result<Vec<IncidentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_incidents WHERE state = 'resolved' AND resolved_at >= $1 \
         ORDER BY started_at DESC, id DESC LIMIT $2",
        IncidentRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Int(since), Arg::Int(limit)],
        IncidentRow::from_row,
    )
    .await
}

/// One incident.
pub async fn incident(store: &Store, id: &str) -> Result<Option<IncidentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_incidents WHERE id = $1",
        IncidentRow::cols("")
    );
    Ok(all(
        store,
        &sql,
        vec![Arg::Text(id.into())],
        IncidentRow::from_row,
    )
    .await?
    .pop())
}

/// One incident, read in a transaction.
pub async fn incident_in(tx: &mut Tx, id: &str) -> Result<Option<IncidentRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM assurance_incidents WHERE id = $1",
        IncidentRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(IncidentRow::from_row).transpose()?)
}

/// `(incident, component)` pairs of every incident open at some time in `[from, to)`.
pub async fn incident_components_during(
    store: &Store,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String)>> {
    let r = sqlx::query(
        "SELECT c.incident_id, c.component_id FROM assurance_incident_components c \
         JOIN assurance_incidents i ON i.id = c.incident_id WHERE i.started_at < $1 AND \
         (i.resolved_at IS NULL OR i.resolved_at > $2) ORDER BY c.incident_id, c.component_id",
    )
    .bind(to)
    .bind(from)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| Ok((x.try_get(0)?, x.try_get(1)?)))
}

/// The components of one incident.
pub async fn incident_components(store: &Store, incident_id: &str) -> Result<Vec<String>> {
    let r = sqlx::query(
        "SELECT component_id FROM assurance_incident_components WHERE incident_id = $1 \
         ORDER BY component_id",
    )
    .bind(incident_id)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| x.try_get(0))
}

/// The public updates of an incident, oldest first.
pub async fn incident_updates(store: &Store, incident_id: &str) -> Result<Vec<IncidentUpdateRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_incident_updates WHERE incident_id = $1 ORDER BY at, id",
        IncidentUpdateRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Text(incident_id.into())],
        IncidentUpdateRow::from_row,
    )
    .await
}

/// Incidents whose NOC tickets have not been opened yet (S4), oldest first.
pub async fn incidents_without_tickets(store: &Store, limit: i64) -> Result<Vec<IncidentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_incidents WHERE tickets_at IS NULL ORDER BY created_at, id \
         LIMIT $1",
        IncidentRow::cols("")
    );
    all(store, &sql, vec![Arg::Int(limit)], IncidentRow::from_row).await
}

/// Maintenance windows (not cancelled) overlapping `[from, to)`, by start.
pub async fn maintenance_during(store: &Store, from: i64, to: i64) -> Result<Vec<MaintenanceRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_maintenance WHERE cancelled_at IS NULL AND starts_at < $1 \
         AND ends_at > $2 ORDER BY starts_at, id",
        MaintenanceRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Int(to), Arg::Int(from)],
        MaintenanceRow::from_row,
    )
    .await
}

/// One maintenance window.
pub async fn maintenance(store: &Store, id: &str) -> Result<Option<MaintenanceRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_maintenance WHERE id = $1",
        MaintenanceRow::cols("")
    );
    Ok(all(
        store,
        &sql,
        vec![Arg::Text(id.into())],
        MaintenanceRow::from_row,
    )
    .await?
    .pop())
}

/// The components of one window (cancelled or not).
pub async fn maintenance_components(store: &Store, id: &str) -> Result<Vec<String>> {
    let r = sqlx::query(
        "SELECT component_id FROM assurance_maintenance_components WHERE maintenance_id = $1 \
         ORDER BY component_id",
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| x.try_get(0))
}

/// `(maintenance, component)` pairs of the windows overlapping `[from, to)`.
pub async fn maintenance_components_during(
    store: &Store,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String)>> {
    let r = sqlx::query(
        "SELECT c.maintenance_id, c.component_id FROM assurance_maintenance_components c \
         JOIN assurance_maintenance m ON m.id = c.maintenance_id WHERE m.cancelled_at IS NULL \
         AND m.starts_at < $1 AND m.ends_at > $2 ORDER BY c.maintenance_id, c.component_id",
    )
    .bind(to)
    .bind(from)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| Ok((x.try_get(0)?, x.try_get(1)?)))
}

/// The published days of a service in `[from_day, to_day)`, oldest first.
pub async fn daily(
    store: &Store,
    service_id: &str,
    from_day: i64,
    to_day: i64,
) -> Result<Vec<DailyRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_daily WHERE service_id = $1 AND day >= $2 AND day < $3 \
         ORDER BY day",
        DailyRow::cols("")
    );
    all(
        store,
        &sql,
        vec![
            Arg::Text(service_id.into()),
            Arg::Int(from_day),
            Arg::Int(to_day),
        ],
        DailyRow::from_row,
    )
    .await
}

/// Every customer's components (the SLA close and the NOC's tickets).
pub async fn all_customer_components(store: &Store) -> Result<Vec<CustomerComponentRow>> {
    let sql = format!(
        "SELECT {} FROM assurance_customer_components ORDER BY customer_id, component_id",
        CustomerComponentRow::cols("")
    );
    all(store, &sql, vec![], CustomerComponentRow::from_row).await
}

/// The customers using any of `components`, with their partner (the NOC's tickets, S4).
pub async fn customers_of_components(
    store: &Store,
    components: &[String],
) -> Result<Vec<CustomerComponentRow>> {
    let mut out = Vec::new();
    for c in components {
        let sql = format!(
            "SELECT {} FROM assurance_customer_components WHERE component_id = $1 \
             ORDER BY customer_id",
            CustomerComponentRow::cols("")
        );
        out.extend(
            all(
                store,
                &sql,
                vec![Arg::Text(c.clone())],
                CustomerComponentRow::from_row,
            )
            .await?,
        );
    }
    out.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    out.dedup_by(|a, b| a.customer_id == b.customer_id);
    Ok(out)
}

/// Licence subscriptions in service at some time in `[from, to)` (the fee S3 reduces).
pub async fn licences_during(store: &Store, from: i64, to: i64) -> Result<Vec<SubscriptionRow>> {
    let sql = format!(
        "SELECT {} FROM subscriptions WHERE kind = 'licence' AND charges_from IS NOT NULL \
         AND charges_from < $1 AND (ends_on IS NULL OR ends_on > $2) \
         ORDER BY billing_account_id, id",
        SubscriptionRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Int(to), Arg::Int(from)],
        SubscriptionRow::from_row,
    )
    .await
}

/// The credit already written for an account, month and level, if any (idempotence).
pub async fn credit_of(
    tx: &mut Tx,
    account: &str,
    month: &str,
    level: &str,
) -> Result<Option<SlaCreditRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM sla_credits WHERE billing_account_id = $1 AND month = $2 AND level = $3",
        SlaCreditRow::cols("")
    ))
    .bind(account)
    .bind(month)
    .bind(level)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(SlaCreditRow::from_row).transpose()?)
}
