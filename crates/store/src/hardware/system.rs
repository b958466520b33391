//! Reads of hardware without a tenant scope. Callers: the catalog (provider data), the use
//! cases' keyed reads inside their transaction after the scoped read found the record, and the
//! demo seed.

use super::{DeviceDocumentRow, DeviceEventRow, DeviceRow, LeaseDeviceRow, LeaseRow, ModelRow};
use crate::{Arg, Result, Store, Tx};

async fn all<T>(
    store: &Store,
    sql: &str,
    args: Vec<Arg>,
    map: impl Fn(&sqlx::any::AnyRow) -> std::result::Result<T, sqlx::Error>,
) -> Result<Vec<T>> {
    crate::query::fetch_dynamic(store.reader(), sql, args, map).await
}

/// The catalog, by code.
pub async fn models(store: &Store) -> Result<Vec<ModelRow>> {
    let sql = format!(
        "SELECT {} FROM device_models ORDER BY code",
        ModelRow::cols("")
    );
    all(store, &sql, vec![], ModelRow::from_row).await
}

/// One model.
pub async fn model(store: &Store, id: &str) -> Result<Option<ModelRow>> {
    let sql = format!(
        "SELECT {} FROM device_models WHERE id = $1",
        ModelRow::cols("")
    );
    Ok(
        all(store, &sql, vec![Arg::Text(id.into())], ModelRow::from_row)
            .await?
            .pop(),
    )
}

/// A device by serial (any tenant: serials are unique), read in a transaction.
pub async fn device_by_serial(tx: &mut Tx, serial: &str) -> Result<Option<DeviceRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM devices WHERE serial = $1",
        DeviceRow::cols("")
    ))
    .bind(serial)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(DeviceRow::from_row).transpose()?)
}

/// Whether a device has a replacement claim not shipped yet, read in a transaction.
pub async fn open_claim_of(tx: &mut Tx, device_id: &str) -> Result<bool> {
    let r = sqlx::query("SELECT id FROM device_claims WHERE device_id = $1 AND shipped_at IS NULL")
        .bind(device_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(r.is_some())
}

/// Whether a device has an RMA in progress, read in a transaction.
pub async fn open_rma_of(tx: &mut Tx, device_id: &str) -> Result<bool> {
    let r = sqlx::query(
        "SELECT id FROM rmas WHERE device_id = $1 AND state IN ('requested', 'approved', \
         'unit_received', 'verified')",
    )
    .bind(device_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.is_some())
}

/// One device, read in a transaction.
pub async fn device_in(tx: &mut Tx, id: &str) -> Result<Option<DeviceRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM devices WHERE id = $1",
        DeviceRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(DeviceRow::from_row).transpose()?)
}

/// A device's history, oldest first.
pub async fn device_events(store: &Store, device_id: &str) -> Result<Vec<DeviceEventRow>> {
    let sql = format!(
        "SELECT {} FROM device_events WHERE device_id = $1 ORDER BY at, id",
        DeviceEventRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Text(device_id.into())],
        DeviceEventRow::from_row,
    )
    .await
}

/// A lease's Annex A, every line ever, by creation.
pub async fn lease_devices(store: &Store, lease_id: &str) -> Result<Vec<LeaseDeviceRow>> {
    let sql = format!(
        "SELECT {} FROM lease_devices WHERE lease_id = $1 ORDER BY created_at, id",
        LeaseDeviceRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Text(lease_id.into())],
        LeaseDeviceRow::from_row,
    )
    .await
}

/// Active leased devices of a model (E8: the lessees an upgrade is offered to).
pub async fn leased_of_model(store: &Store, model_id: &str) -> Result<Vec<DeviceRow>> {
    let sql = format!(
        "SELECT {} FROM devices WHERE model_id = $1 AND ownership = 'lease' AND lease_id IS NOT NULL \
         AND state IN ('delivered', 'in_service') ORDER BY id",
        DeviceRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Text(model_id.into())],
        DeviceRow::from_row,
    )
    .await
}

/// Whether any lease exists (the demo seeds once).
pub async fn any_lease(store: &Store) -> Result<bool> {
    let sql = format!("SELECT {} FROM leases LIMIT 1", LeaseRow::cols(""));
    Ok(!all(store, &sql, vec![], LeaseRow::from_row)
        .await?
        .is_empty())
}

/// The jurisdiction on a billing account's details (`GB`, `US-NY`), if set (E1: the owning
/// entity by region).
pub async fn account_jurisdiction(store: &Store, account: &str) -> Result<Option<String>> {
    use sqlx::Row;
    let r = sqlx::query("SELECT jurisdiction FROM billing_accounts WHERE id = $1")
        .bind(account)
        .fetch_optional(store.reader())
        .await?;
    Ok(match r {
        Some(r) => r.try_get::<Option<String>, _>("jurisdiction")?,
        None => None,
    })
}

/// How many devices are on a subscription now (active Annex A lines), read in a transaction.
pub async fn active_lines_on(tx: &mut Tx, subscription_id: &str) -> Result<i64> {
    use sqlx::Row;
    let r = sqlx::query(
        "SELECT COUNT(*) FROM lease_devices WHERE subscription_id = $1 AND state = 'active'",
    )
    .bind(subscription_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get::<i64, _>(0)?)
}

/// A device's documents, oldest first (the caller checked the device is in scope).
pub async fn device_documents(store: &Store, device_id: &str) -> Result<Vec<DeviceDocumentRow>> {
    let sql = format!(
        "SELECT {} FROM device_documents WHERE device_id = $1 ORDER BY uploaded_at, id",
        DeviceDocumentRow::cols("")
    );
    all(
        store,
        &sql,
        vec![Arg::Text(device_id.into())],
        DeviceDocumentRow::from_row,
    )
    .await
}
