//! Hardware (issue 18): the device catalog and devices by serial with their history; HWaaS
//! leases on the billing's leased-device subscriptions (E1-E4, E7, E8), replacement claims
//! (E5, E6); CAPEX sales, warranty, RMAs and conversion to HWaaS (K1-K5).

use serde_json::json;
use tollgate_core::hardware::Region;
use tollgate_core::time::{date_of, day_start};
use tollgate_core::RuleRef;
use tollgate_store::billing::PendingChargeRow;
use tollgate_store::hardware::{
    self as hw, system as hsys, DeviceEventRow, DeviceRow, LeaseDeviceRow,
};
use tollgate_store::{audit, Tx};

use crate::access::audit_row;
use crate::billing::{stable_id, RETAIL};
use crate::ids::new_id;
use crate::{App, AppError, Caller};

pub mod capex;
pub mod catalog;
pub mod claims;
pub mod demo;
pub mod documents;
pub mod leases;
pub mod rma;

/// Characters of a serial number at most.
pub const MAX_SERIAL_CHARS: usize = 64;

/// A serial number: 1 to [`MAX_SERIAL_CHARS`] letters, digits, `-` or `.`; kept upper case.
pub fn check_serial(s: &str, field: &'static str) -> Result<String, AppError> {
    let t = s.trim().to_ascii_uppercase();
    if t.is_empty()
        || t.len() > MAX_SERIAL_CHARS
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(AppError::invalid(
            "serial_invalid",
            field,
            format!("1 to {MAX_SERIAL_CHARS} letters, digits, '-' or '.'"),
        ));
    }
    Ok(t)
}

/// A day as `YYYY-MM-DD` into its first second (UTC).
pub fn day_of(s: &str, field: &'static str) -> Result<i64, AppError> {
    Ok(day_start(tollgate_core::time::parse_day(s, field)?))
}

/// The civil date of a stored day.
pub fn date(t: i64) -> jiff::civil::Date {
    date_of(t)
}

/// Appends an event to a device's history, with the audit entry, in the caller's transaction.
pub(crate) async fn event(
    tx: &mut Tx,
    caller: &Caller,
    now: i64,
    d: &DeviceRow,
    event: &str,
    detail: String,
) -> Result<(), AppError> {
    DeviceEventRow {
        id: new_id("dev_evt"),
        device_id: d.id.clone(),
        at: now,
        event: event.into(),
        detail: detail.clone(),
        actor: caller.actor.actor.clone(),
    }
    .insert(tx)
    .await?;
    audit::append(
        tx,
        &audit_row(
            &caller.actor,
            now,
            &format!("device.{event}"),
            &d.id,
            json!({"serial": d.serial, "detail": detail}),
        ),
    )
    .await?;
    Ok(())
}

/// Takes a device back from its customer into the provider's stock, in state `state`.
pub(crate) fn to_stock(d: &mut DeviceRow, state: &str, now: i64) {
    d.state = state.into();
    d.customer_id = None;
    d.partner_id = None;
    d.billing_account_id = None;
    d.lease_id = None;
    d.updated_at = now;
}

/// Closes an active Annex A line as `state` in the caller's transaction; a line another writer
/// closed first is a conflict (nothing is written twice).
pub(crate) async fn close_line(
    tx: &mut Tx,
    line: &mut LeaseDeviceRow,
    state: &str,
    now: i64,
) -> Result<(), AppError> {
    line.state = state.into();
    line.removed_on = Some(now);
    if !hw::close_lease_device(tx, line).await? {
        return Err(AppError::Conflict {
            code: "device_not_leased",
            message: "the device is on no active lease".into(),
        });
    }
    Ok(())
}

/// A retail charge on the account's next invoice, with a stable id from `source` (the same
/// decision written twice is one charge).
#[allow(clippy::too_many_arguments)]
pub(crate) fn pending_charge(
    account: &str,
    currency: &str,
    kind: &str,
    description: String,
    micros: i64,
    rule: RuleRef,
    source: String,
    now: i64,
) -> PendingChargeRow {
    PendingChargeRow {
        id: stable_id("chg", &[&source]),
        level: RETAIL.into(),
        billing_account_id: Some(account.into()),
        partner_id: None,
        kind: kind.into(),
        description,
        quantity: 1,
        unit_micros: micros,
        currency: currency.into(),
        rule: rule.rule.into(),
        clause: rule.clause.into(),
        ready_on: now,
        source,
        created_at: now,
        invoice_id: None,
    }
}

/// An amount in a model's currency charged to an account: the currencies must match (a
/// charge in another currency would never reach the account's invoices).
pub(crate) fn same_currency(model: &str, account: &str) -> Result<(), AppError> {
    if model != account {
        return Err(AppError::Conflict {
            code: "currency_mismatch",
            message: format!(
                "the model's values are in {model}, the account is billed in {account}: add the \
                 model in {account}"
            ),
        });
    }
    Ok(())
}

impl App {
    /// The region of a billing account from its tax jurisdiction (`GB`, `US-CA`, `EE`…).
    pub(crate) async fn region_of_account(&self, account: &str) -> Result<Region, AppError> {
        Ok(hsys::account_jurisdiction(&self.store, account)
            .await?
            .map(|j| Region::parse(j.split('-').next().unwrap_or_default()))
            .unwrap_or(Region::Other))
    }
}
