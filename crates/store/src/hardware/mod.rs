//! Hardware storage (issue 18): the device catalog, devices by serial and their history,
//! HWaaS leases and their Annex A, replacement claims, RMAs. Devices, leases, claims and RMAs
//! are tenant data (a customer's and its partner's), read with the caller's scope; the
//! catalog and the keyed reads of the use cases live in [`system`].

use crate::row_macro::table_row;
use crate::{Arg, Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

pub mod system;

table_row! {
    /// A device model of the catalog.
    pub struct ModelRow in "device_models" {
        id: String,
        code: String,
        name: String,
        kind: String,
        casualty_micros: i64,
        currency: String,
        replaced_by: Option<String>,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A device by serial number.
    pub struct DeviceRow in "devices" {
        id: String,
        serial: String,
        model_id: String,
        state: String,
        customer_id: Option<String>,
        partner_id: Option<String>,
        billing_account_id: Option<String>,
        ownership: String,
        owner: String,
        lease_id: Option<String>,
        ordered_on: Option<i64>,
        delivered_on: Option<i64>,
        purchased_on: Option<i64>,
        five_year_agreement: i64,
        agreement_copy: Option<String>,
        operational: i64,
        created_at: i64,
        updated_at: i64,
    }
}

table_row! {
    /// An event of a device's history.
    pub struct DeviceEventRow in "device_events" {
        id: String,
        device_id: String,
        at: i64,
        event: String,
        detail: String,
        actor: String,
    }
}

table_row! {
    /// A HWaaS lease.
    pub struct LeaseRow in "leases" {
        id: String,
        billing_account_id: String,
        customer_id: String,
        partner_id: Option<String>,
        entity: String,
        term: String,
        state: String,
        return_due_on: Option<i64>,
        settled_at: Option<i64>,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A device of a lease's Annex A.
    pub struct LeaseDeviceRow in "lease_devices" {
        id: String,
        lease_id: String,
        device_id: String,
        serial: String,
        model_id: String,
        subscription_id: String,
        ordered_on: i64,
        delivered_on: i64,
        invoicing_from: i64,
        state: String,
        removed_on: Option<i64>,
        created_at: i64,
    }
}

table_row! {
    /// A replacement request (E5, E6).
    pub struct ClaimRow in "device_claims" {
        id: String,
        device_id: String,
        customer_id: String,
        partner_id: Option<String>,
        cause: String,
        label_identifiable: i64,
        police_model: Option<String>,
        police_serial: Option<String>,
        outcome: String,
        rule: String,
        clause: String,
        charge_micros: i64,
        currency: String,
        requested_at: i64,
        ship_by: i64,
        shipped_at: Option<i64>,
        replacement_device_id: Option<String>,
        transport_micros: i64,
        created_by: String,
    }
}

table_row! {
    /// An RMA of a CAPEX device (K4).
    pub struct RmaRow in "rmas" {
        id: String,
        device_id: String,
        customer_id: String,
        partner_id: Option<String>,
        ticket_id: Option<String>,
        state: String,
        fault: String,
        proof_of_purchase: String,
        rma_number: Option<String>,
        weight_g: Option<i64>,
        length_mm: Option<i64>,
        width_mm: Option<i64>,
        height_mm: Option<i64>,
        refused_code: Option<String>,
        refused_rule: Option<String>,
        refused_reason: Option<String>,
        exclusions: Option<String>,
        shipped_serial: Option<String>,
        credit_micros: Option<i64>,
        pending_charge_id: Option<String>,
        created_at: i64,
        updated_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A document of a device (the K2 agreement's copy, a proof of purchase, a police report).
    pub struct DeviceDocumentRow in "device_documents" {
        id: String,
        device_id: String,
        customer_id: String,
        partner_id: Option<String>,
        kind: String,
        filename: String,
        content_type: String,
        size_bytes: i64,
        sha256: String,
        content_base64: String,
        uploaded_by: String,
        uploaded_at: i64,
    }
}

/// Devices in scope, of a lease when given, by id.
pub async fn list_devices(
    store: &Store,
    scope: ScopeFilter<'_>,
    lease: Option<&str>,
    page: &Page,
) -> Result<Vec<DeviceRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM devices d", DeviceRow::cols("d")));
    q.filter("d.lease_id", "=", lease.map(|l| Arg::Text(l.into())))
        .clause(|sql, args| {
            // A device in stock belongs to no tenant: only the provider sees it.
            if !matches!(scope.scope(), tollgate_core::tenancy::Scope::All) {
                sql.push_str(" AND d.customer_id IS NOT NULL");
            }
            scope.push(sql, args, "d.customer_id", "d.partner_id")
        })
        .page("d.id", page);
    q.fetch(store.reader(), DeviceRow::from_row).await
}

/// One device in scope.
pub async fn get_device(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<DeviceRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM devices d", DeviceRow::cols("d")));
    q.filter("d.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| {
            if !matches!(scope.scope(), tollgate_core::tenancy::Scope::All) {
                sql.push_str(" AND d.customer_id IS NOT NULL");
            }
            scope.push(sql, args, "d.customer_id", "d.partner_id")
        });
    Ok(q.fetch(store.reader(), DeviceRow::from_row).await?.pop())
}

/// Leases in scope, by id.
pub async fn list_leases(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<LeaseRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM leases l", LeaseRow::cols("l")));
    q.clause(|sql, args| scope.push(sql, args, "l.customer_id", "l.partner_id"))
        .page("l.id", page);
    q.fetch(store.reader(), LeaseRow::from_row).await
}

/// One lease in scope.
pub async fn get_lease(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<LeaseRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM leases l", LeaseRow::cols("l")));
    q.filter("l.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| scope.push(sql, args, "l.customer_id", "l.partner_id"));
    Ok(q.fetch(store.reader(), LeaseRow::from_row).await?.pop())
}

/// Replacement claims in scope, by id.
pub async fn list_claims(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<ClaimRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM device_claims c",
        ClaimRow::cols("c")
    ));
    q.clause(|sql, args| scope.push(sql, args, "c.customer_id", "c.partner_id"))
        .page("c.id", page);
    q.fetch(store.reader(), ClaimRow::from_row).await
}

/// One claim in scope.
pub async fn get_claim(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<ClaimRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM device_claims c",
        ClaimRow::cols("c")
    ));
    q.filter("c.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| scope.push(sql, args, "c.customer_id", "c.partner_id"));
    Ok(q.fetch(store.reader(), ClaimRow::from_row).await?.pop())
}

/// Claims in scope whose replacement has not shipped by its due time, or shipped after it
/// (E5 breaches), by id.
pub async fn late_claims(
    store: &Store,
    scope: ScopeFilter<'_>,
    now: i64,
    page: &Page,
) -> Result<Vec<ClaimRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM device_claims c",
        ClaimRow::cols("c")
    ));
    q.clause(|sql, args| {
        args.push(Arg::Int(now));
        sql.push_str(&format!(
            " AND ((c.shipped_at IS NULL AND c.ship_by < ${n}) OR c.shipped_at > c.ship_by)",
            n = args.len()
        ));
        scope.push(sql, args, "c.customer_id", "c.partner_id")
    })
    .page("c.id", page);
    q.fetch(store.reader(), ClaimRow::from_row).await
}

/// One RMA in scope.
pub async fn get_rma(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<Option<RmaRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM rmas r", RmaRow::cols("r")));
    q.filter("r.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| scope.push(sql, args, "r.customer_id", "r.partner_id"));
    Ok(q.fetch(store.reader(), RmaRow::from_row).await?.pop())
}

/// RMAs in scope, by id.
pub async fn list_rmas(store: &Store, scope: ScopeFilter<'_>, page: &Page) -> Result<Vec<RmaRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM rmas r", RmaRow::cols("r")));
    q.clause(|sql, args| scope.push(sql, args, "r.customer_id", "r.partner_id"))
        .page("r.id", page);
    q.fetch(store.reader(), RmaRow::from_row).await
}

/// Writes a device's changed fields.
pub async fn update_device(tx: &mut Tx, d: &DeviceRow) -> Result<()> {
    sqlx::query(
        "UPDATE devices SET state = $2, customer_id = $3, partner_id = $4, billing_account_id = $5, \
         ownership = $6, owner = $7, lease_id = $8, ordered_on = $9, delivered_on = $10, \
         operational = $11, agreement_copy = $12, updated_at = $13, purchased_on = $14 \
         WHERE id = $1",
    )
    .bind(&d.id)
    .bind(&d.state)
    .bind(&d.customer_id)
    .bind(&d.partner_id)
    .bind(&d.billing_account_id)
    .bind(&d.ownership)
    .bind(&d.owner)
    .bind(&d.lease_id)
    .bind(d.ordered_on)
    .bind(d.delivered_on)
    .bind(d.operational)
    .bind(&d.agreement_copy)
    .bind(d.updated_at)
    .bind(d.purchased_on)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a lease's state if it is still `from`; false when another writer moved it first.
pub async fn update_lease(tx: &mut Tx, l: &LeaseRow, from: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE leases SET state = $2, return_due_on = $3, settled_at = $4 WHERE id = $1 \
         AND state = $5",
    )
    .bind(&l.id)
    .bind(&l.state)
    .bind(l.return_due_on)
    .bind(l.settled_at)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Closes an active Annex A line; false when it was no longer active (another writer).
pub async fn close_lease_device(tx: &mut Tx, l: &LeaseDeviceRow) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE lease_devices SET state = $2, removed_on = $3 WHERE id = $1 AND state = 'active'",
    )
    .bind(&l.id)
    .bind(&l.state)
    .bind(l.removed_on)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Writes a claim's shipment if it has not shipped; false when another writer shipped it.
pub async fn ship_claim(tx: &mut Tx, c: &ClaimRow) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE device_claims SET shipped_at = $2, replacement_device_id = $3, \
         transport_micros = $4 WHERE id = $1 AND shipped_at IS NULL",
    )
    .bind(&c.id)
    .bind(c.shipped_at)
    .bind(&c.replacement_device_id)
    .bind(c.transport_micros)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Writes an RMA's state and what came with it if it is still in state `from`; false when
/// another writer moved it first.
pub async fn update_rma(tx: &mut Tx, r: &RmaRow, from: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE rmas SET state = $2, ticket_id = $3, rma_number = $4, weight_g = $5, \
         length_mm = $6, width_mm = $7, height_mm = $8, refused_code = $9, refused_rule = $10, \
         exclusions = $11, shipped_serial = $12, pending_charge_id = $13, \
         updated_at = $14, refused_reason = $15, credit_micros = $16 WHERE id = $1 \
         AND state = $17",
    )
    .bind(&r.id)
    .bind(&r.state)
    .bind(&r.ticket_id)
    .bind(&r.rma_number)
    .bind(r.weight_g)
    .bind(r.length_mm)
    .bind(r.width_mm)
    .bind(r.height_mm)
    .bind(&r.refused_code)
    .bind(&r.refused_rule)
    .bind(&r.exclusions)
    .bind(&r.shipped_serial)
    .bind(&r.pending_charge_id)
    .bind(r.updated_at)
    .bind(&r.refused_reason)
    .bind(r.credit_micros)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a model's replacement (E8).
pub async fn set_replaced_by(tx: &mut Tx, model_id: &str, by: &str) -> Result<()> {
    sqlx::query("UPDATE device_models SET replaced_by = $2 WHERE id = $1")
        .bind(model_id)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
