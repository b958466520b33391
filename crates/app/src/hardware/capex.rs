//! CAPEX devices (W 22): sales are final (K1); warranty eligibility from the dates (K2) and
//! the verifier's exclusions (K3); an operational device converts to HWaaS, free (K5).

use tollgate_core::hardware::warranty::{self, Eligibility};
use tollgate_store::hardware::{self as hw, system as hsys, DeviceRow};

use super::{check_serial, date, event};
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Characters of an agreement copy's reference at most.
pub const MAX_AGREEMENT_REF_CHARS: usize = 200;

/// A sale to record.
#[derive(Debug, Clone, Default)]
pub struct NewSale {
    pub billing_account: String,
    pub serial: String,
    pub model_id: String,
    pub purchased_on: i64,
    /// A signed 5-year warranty agreement (K2).
    pub five_year_agreement: bool,
    /// Where the agreement's copy is (a document reference), if on file.
    pub agreement_copy: Option<String>,
}

impl App {
    /// K1: a CAPEX device sold to a billing account's customer (final).
    pub async fn record_sale(&self, caller: &Caller, n: NewSale) -> Result<DeviceRow, AppError> {
        let ba = self.get_billing_account(caller, &n.billing_account).await?;
        let (customer, _) = self.get_customer(caller, &ba.customer_id).await?;
        let serial = check_serial(&n.serial, "serial")?;
        let model = self.model(&n.model_id, "model_id").await?;
        let now = self.now();
        if n.purchased_on > now {
            return Err(AppError::invalid(
                "purchased_on_invalid",
                "purchased_on",
                "today or earlier",
            ));
        }
        if n.agreement_copy
            .as_ref()
            .is_some_and(|c| c.trim().is_empty() || c.chars().count() > MAX_AGREEMENT_REF_CHARS)
        {
            return Err(AppError::invalid(
                "agreement_copy_invalid",
                "agreement_copy",
                format!("1 to {MAX_AGREEMENT_REF_CHARS} characters"),
            ));
        }
        // K2: the 5-year agreements were sold before 2022-07-01; a later device has the year.
        let (y, m, dd) = warranty::CUTOFF;
        if n.five_year_agreement && date(n.purchased_on) >= jiff::civil::date(y, m, dd) {
            return Err(tollgate_core::Refusal::new(
                "agreement_not_applicable",
                tollgate_core::rules::K2,
                "5-year warranty agreements cover devices bought before 2022-07-01; a device \
                 bought since has the 1-year warranty",
            )
            .on_field("five_year_agreement")
            .into());
        }
        if n.agreement_copy.is_some() && !n.five_year_agreement {
            return Err(AppError::invalid(
                "agreement_copy_invalid",
                "agreement_copy",
                "only with a five-year agreement",
            ));
        }
        let d = DeviceRow {
            id: new_id("dev"),
            serial,
            model_id: model.id,
            state: "sold".into(),
            customer_id: Some(customer.id),
            partner_id: customer.partner_id,
            billing_account_id: Some(ba.id),
            ownership: "capex".into(),
            owner: "customer".into(),
            lease_id: None,
            ordered_on: None,
            delivered_on: Some(n.purchased_on),
            purchased_on: Some(n.purchased_on),
            five_year_agreement: i64::from(n.five_year_agreement),
            agreement_copy: n.agreement_copy,
            operational: 1,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        if hsys::device_by_serial(&mut tx, &d.serial).await?.is_some() {
            return Err(AppError::Conflict {
                code: "serial_exists",
                message: format!("{} is known", d.serial),
            });
        }
        d.insert(&mut tx).await?;
        event(
            &mut tx,
            caller,
            now,
            &d,
            "sold",
            format!(
                "purchased {} (K1: final); five-year agreement: {}",
                date(n.purchased_on),
                n.five_year_agreement
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(d)
    }

    /// K2: the warranty of a CAPEX device in scope on `on` (today when absent), or the refusal
    /// with its rule.
    pub async fn warranty(
        &self,
        caller: &Caller,
        device_id: &str,
        on: Option<i64>,
    ) -> Result<Eligibility, AppError> {
        let (d, _) = self.device(caller, device_id).await?;
        let purchased = match (d.ownership.as_str(), d.purchased_on) {
            ("capex", Some(p)) => p,
            _ => {
                return Err(AppError::invalid(
                    "device_not_capex",
                    "device_id",
                    "a CAPEX device (a leased device is replaced under E5)",
                ))
            }
        };
        let on = on.unwrap_or(self.now());
        Ok(warranty::eligibility(
            date(purchased),
            d.five_year_agreement == 1,
            d.agreement_copy.is_some(),
            date(on),
        )?)
    }

    /// Records whether a device works (the verifier, K3/K5).
    pub async fn set_operational(
        &self,
        caller: &Caller,
        device_id: &str,
        operational: bool,
    ) -> Result<DeviceRow, AppError> {
        let (mut d, _) = self.device(caller, device_id).await?;
        let now = self.now();
        d.operational = i64::from(operational);
        d.updated_at = now;
        let mut tx = self.store.begin().await?;
        hw::update_device(&mut tx, &d).await?;
        event(
            &mut tx,
            caller,
            now,
            &d,
            "verified",
            format!("operational: {operational}"),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(d)
    }

    /// K5: an operational CAPEX device converts to HWaaS, free: it joins a lease of the same
    /// account on one of its leased-device subscriptions; ownership passes to the provider's
    /// entity (E1). One transaction: a refused delivery leaves the device as it was.
    pub async fn convert_to_hwaas(
        &self,
        caller: &Caller,
        device_id: &str,
        lease_id: &str,
        subscription_id: &str,
    ) -> Result<DeviceRow, AppError> {
        let (mut d, _) = self.device(caller, device_id).await?;
        if d.ownership != "capex" {
            return Err(AppError::invalid(
                "device_not_capex",
                "device_id",
                "a CAPEX device",
            ));
        }
        warranty::check_conversion(d.operational == 1)?;
        let view = self.lease(caller, lease_id).await?;
        if Some(&view.lease.billing_account_id) != d.billing_account_id.as_ref()
            || view.lease.state != "active"
        {
            return Err(AppError::invalid(
                "lease_invalid",
                "lease_id",
                "an active lease of the device's billing account",
            ));
        }
        let (sub, _) = self.get_subscription(caller, subscription_id).await?;
        if sub.billing_account_id != view.lease.billing_account_id || sub.kind != "leased_device" {
            return Err(AppError::invalid(
                "subscription_invalid",
                "subscription_id",
                "a leased-device subscription of the lease's billing account",
            ));
        }
        let model = self.model(&d.model_id, "model_id").await?;
        let now = self.now();
        // Out of the customer's hands for a moment, then delivered onto the lease as it is.
        super::to_stock(&mut d, "in_stock", now);
        d.ownership = "lease".into();
        d.owner = view.lease.entity.clone();
        let mut tx = self.store.begin().await?;
        hw::update_device(&mut tx, &d).await?;
        event(
            &mut tx,
            caller,
            now,
            &d,
            "converted",
            format!("to HWaaS on lease {lease_id}, free (K5)"),
        )
        .await?;
        self.deliver_in(
            &mut tx,
            caller,
            &view.lease,
            &sub,
            &d.serial,
            &model,
            // Converted today: a new order of the lease (E4: invoiced from 14 days on).
            (
                tollgate_core::time::day_start(date(now)),
                tollgate_core::time::day_start(date(now)),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(self.device(caller, device_id).await?.0)
    }
}
