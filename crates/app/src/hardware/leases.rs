//! HWaaS leases (W 21): a lease gathers a billing account's leased-device subscriptions (the
//! billing run invoices their fees in advance from 14 days after each order, E2, E4) and the
//! devices on them, its Annex A (E1: model, description, serial; the provider's entity by
//! region owns them). Reductions and exchanges are held for 6 months after delivery (E3);
//! at the end the devices come back or are invoiced (E7). Each use case is one transaction.

use std::collections::BTreeMap;

use serde_json::json;
use tollgate_core::hardware::lease::{self, Change, LeaseTerm};
use tollgate_core::hardware::owning_entity;
use tollgate_core::rules;
use tollgate_core::time::day_start;
use tollgate_store::billing::{self as billing_store, SubscriptionRow};
use tollgate_store::hardware::{
    self as hw, system as hsys, DeviceRow, LeaseDeviceRow, LeaseRow, ModelRow,
};
use tollgate_store::{audit, Page, ScopeFilter, Tx};

use super::{check_serial, close_line, date, event, pending_charge, same_currency, to_stock};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// A lease with its Annex A.
#[derive(Debug, Clone)]
pub struct LeaseView {
    pub lease: LeaseRow,
    /// Every line ever, as delivered (model and serial kept on the line).
    pub lines: Vec<LeaseDeviceRow>,
}

/// What settling a lease invoiced for a device not returned (E7).
#[derive(Debug, Clone)]
pub struct Unreturned {
    pub device_id: String,
    pub serial: String,
    pub outcome: lease::NonReturn,
    pub pending_charge_id: String,
}

fn not_active() -> AppError {
    AppError::Conflict {
        code: "lease_not_active",
        message: "the lease is ending or ended".into(),
    }
}

impl App {
    /// Opens a lease for a billing account in scope: its owning entity from the account's
    /// jurisdiction (E1), its term (E2).
    pub async fn create_lease(
        &self,
        caller: &Caller,
        billing_account: &str,
        term: &str,
    ) -> Result<LeaseRow, AppError> {
        let ba = self.get_billing_account(caller, billing_account).await?;
        let term = LeaseTerm::parse(term)?;
        let (customer, _) = self.get_customer(caller, &ba.customer_id).await?;
        let region = self.region_of_account(&ba.id).await?;
        let now = self.now();
        let row = LeaseRow {
            id: new_id("lse"),
            billing_account_id: ba.id.clone(),
            customer_id: customer.id.clone(),
            partner_id: customer.partner_id.clone(),
            entity: owning_entity(region).into(),
            term: term.as_str().into(),
            state: "active".into(),
            return_due_on: None,
            settled_at: None,
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "lease.create",
                &row.id,
                json!({"entity": row.entity, "term": row.term, "rule": "E1"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// Leases in scope.
    pub async fn leases(&self, caller: &Caller, page: &Page) -> Result<Vec<LeaseRow>, AppError> {
        Ok(hw::list_leases(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }

    /// A lease in scope with its Annex A.
    pub async fn lease(&self, caller: &Caller, id: &str) -> Result<LeaseView, AppError> {
        let lease = hw::get_lease(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("lease"))?;
        let lines = hsys::lease_devices(&self.store, &lease.id).await?;
        Ok(LeaseView { lease, lines })
    }

    /// A leased-device subscription of the lease's account, in scope.
    async fn lease_subscription(
        &self,
        caller: &Caller,
        lease: &LeaseRow,
        subscription_id: &str,
    ) -> Result<SubscriptionRow, AppError> {
        let (sub, _) = self.get_subscription(caller, subscription_id).await?;
        if sub.billing_account_id != lease.billing_account_id
            || sub.kind != "leased_device"
            || sub.state != "active"
        {
            return Err(AppError::invalid(
                "subscription_invalid",
                "subscription_id",
                "an active leased-device subscription of the lease's billing account",
            ));
        }
        Ok(sub)
    }

    /// Annex A: a device delivered on a lease, billed by one of the account's leased-device
    /// subscriptions (at most its quantity of devices at once), for the order of `ordered_on`
    /// (the subscription's own order when absent; a later one for devices added since):
    /// invoiced from 14 days after that order (E4), never before the subscription's start.
    #[allow(clippy::too_many_arguments)]
    pub async fn deliver_device(
        &self,
        caller: &Caller,
        lease_id: &str,
        subscription_id: &str,
        serial: &str,
        model_id: &str,
        ordered_on: Option<i64>,
        delivered_on: i64,
    ) -> Result<LeaseDeviceRow, AppError> {
        let view = self.lease(caller, lease_id).await?;
        if view.lease.state != "active" {
            return Err(not_active());
        }
        let sub = self
            .lease_subscription(caller, &view.lease, subscription_id)
            .await?;
        let model = self.model(model_id, "model_id").await?;
        let now = self.now();
        let ordered_on = ordered_on.unwrap_or(sub.ordered_on);
        if ordered_on < sub.ordered_on || ordered_on > now {
            return Err(AppError::invalid(
                "ordered_on_invalid",
                "ordered_on",
                "between the subscription's order and today",
            ));
        }
        if delivered_on < ordered_on || delivered_on > now {
            return Err(AppError::invalid(
                "delivered_on_invalid",
                "delivered_on",
                "between the order and today",
            ));
        }
        let mut tx = self.store.begin().await?;
        let line = self
            .deliver_in(
                &mut tx,
                caller,
                &view.lease,
                &sub,
                serial,
                &model,
                (ordered_on, delivered_on),
            )
            .await?;
        tollgate_store::commit(tx).await?;
        Ok(line)
    }

    /// The delivery in the caller's transaction: the subscription's room and the device's
    /// availability are read in it, so two deliveries cannot both take the last place or the
    /// same device.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn deliver_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        lease: &LeaseRow,
        sub: &SubscriptionRow,
        serial: &str,
        model: &ModelRow,
        (ordered_on, delivered_on): (i64, i64),
    ) -> Result<LeaseDeviceRow, AppError> {
        let serial = check_serial(serial, "serial")?;
        // The account's money lock: deliveries, quantity changes and billing runs of the
        // account take turns, so the count below is the count at commit.
        tollgate_store::receivables::system::lock_party(tx, &lease.billing_account_id).await?;
        if hsys::active_lines_on(tx, &sub.id).await? >= sub.quantity {
            return Err(AppError::invalid(
                "quantity_exceeded",
                "subscription_id",
                format!(
                    "the subscription covers {} devices; order more first",
                    sub.quantity
                ),
            ));
        }
        let now = self.now();
        let mut device = match hsys::device_by_serial(tx, &serial).await? {
            Some(d) if d.customer_id.is_some() || d.lease_id.is_some() => {
                return Err(AppError::Conflict {
                    code: "device_in_use",
                    message: format!("{serial} is with a customer"),
                })
            }
            Some(d) if d.model_id != model.id => {
                return Err(AppError::invalid(
                    "model_mismatch",
                    "model_id",
                    format!("{serial} is a {}", d.model_id),
                ))
            }
            Some(d) => d,
            None => {
                let d = DeviceRow {
                    id: new_id("dev"),
                    serial: serial.clone(),
                    model_id: model.id.clone(),
                    state: "in_stock".into(),
                    customer_id: None,
                    partner_id: None,
                    billing_account_id: None,
                    ownership: "lease".into(),
                    owner: lease.entity.clone(),
                    lease_id: None,
                    ordered_on: None,
                    delivered_on: None,
                    purchased_on: None,
                    five_year_agreement: 0,
                    agreement_copy: None,
                    operational: 1,
                    created_at: now,
                    updated_at: now,
                };
                d.insert(tx).await?;
                d
            }
        };
        device.state = "delivered".into();
        device.customer_id = Some(lease.customer_id.clone());
        device.partner_id = lease.partner_id.clone();
        device.billing_account_id = Some(lease.billing_account_id.clone());
        device.ownership = "lease".into();
        device.owner = lease.entity.clone();
        device.lease_id = Some(lease.id.clone());
        device.ordered_on = Some(ordered_on);
        device.delivered_on = Some(delivered_on);
        device.updated_at = now;
        hw::update_device(tx, &device).await?;
        let line = LeaseDeviceRow {
            id: new_id("lsd"),
            lease_id: lease.id.clone(),
            device_id: device.id.clone(),
            serial: device.serial.clone(),
            model_id: model.id.clone(),
            subscription_id: sub.id.clone(),
            ordered_on,
            delivered_on,
            // E4: 14 days after its order, and never before the subscription's first charge.
            invoicing_from: day_start(lease::invoicing_starts(date(ordered_on)))
                .max(sub.charges_from.unwrap_or(sub.start_date)),
            state: "active".into(),
            removed_on: None,
            created_at: now,
        };
        line.insert(tx).await?;
        event(
            tx,
            caller,
            now,
            &device,
            "delivered",
            format!(
                "on lease {} (Annex A), owned by {} (E1)",
                lease.id, device.owner
            ),
        )
        .await?;
        Ok(line)
    }

    /// A leased device in scope with its active Annex A line and its lease.
    pub(crate) async fn active_line(
        &self,
        caller: &Caller,
        device_id: &str,
    ) -> Result<(LeaseDeviceRow, DeviceRow, LeaseRow), AppError> {
        let (d, _) = self.device(caller, device_id).await?;
        let lease_id = d.lease_id.clone().ok_or_else(|| AppError::Conflict {
            code: "device_not_leased",
            message: "the device is on no active lease".into(),
        })?;
        let view = self.lease(caller, &lease_id).await?;
        let line = view
            .lines
            .into_iter()
            .find(|l| l.device_id == d.id && l.state == "active")
            .ok_or_else(|| AppError::Conflict {
                code: "device_not_leased",
                message: "the device is on no active lease".into(),
            })?;
        Ok((line, d, view.lease))
    }

    /// E3: one device fewer on its lease, refused within 6 months of its delivery (with the
    /// first allowed date); the subscription's quantity goes down from today (the billing
    /// credits the unused part of the period paid in advance); the device is to be returned.
    pub async fn reduce_lease(
        &self,
        caller: &Caller,
        device_id: &str,
    ) -> Result<LeaseDeviceRow, AppError> {
        let (mut line, mut d, lease) = self.active_line(caller, device_id).await?;
        if lease.state != "active" {
            return Err(not_active());
        }
        let now = self.now();
        let today = date(now);
        lease::check_change(Change::Reduce, date(line.delivered_on), today)?;
        let (mut sub, _) = self.get_subscription(caller, &line.subscription_id).await?;
        if sub.quantity <= 1 {
            return Err(AppError::Conflict {
                code: "last_device",
                message: "the subscription's last device: end the lease instead (E7)".into(),
            });
        }
        let mut tx = self.store.begin().await?;
        close_line(&mut tx, &mut line, "removed", now).await?;
        let fewer = sub.quantity - 1;
        self.quantity_in(&mut tx, caller, &mut sub, fewer, today)
            .await?;
        to_stock(&mut d, "returned", now);
        hw::update_device(&mut tx, &d).await?;
        event(
            &mut tx,
            caller,
            now,
            &d,
            "returned",
            format!(
                "reduction of lease {} (E3: allowed from {})",
                line.lease_id,
                lease::first_change_allowed(date(line.delivered_on))
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.refresh_licensed_calls(&sub.billing_account_id).await?;
        Ok(line)
    }

    /// E3: a device exchanged for another model, refused within 6 months of its delivery
    /// unless the provider offered the new model as its replacement (E8); the new device
    /// takes the old one's place on the same subscription, in the same transaction.
    pub async fn exchange_device(
        &self,
        caller: &Caller,
        device_id: &str,
        model_id: &str,
        serial: &str,
    ) -> Result<LeaseDeviceRow, AppError> {
        let (mut line, mut d, lease) = self.active_line(caller, device_id).await?;
        if lease.state != "active" {
            return Err(not_active());
        }
        let new_model = self.model(model_id, "model_id").await?;
        let old_model = self.model(&d.model_id, "model_id").await?;
        if new_model.id == old_model.id {
            return Err(AppError::invalid(
                "model_invalid",
                "model_id",
                "another model (a replacement of the same model is a claim)",
            ));
        }
        let now = self.now();
        let upgrade = old_model.replaced_by.as_deref() == Some(new_model.id.as_str());
        if !upgrade {
            lease::check_change(Change::Exchange, date(line.delivered_on), date(now))?;
        }
        let sub = self
            .lease_subscription(caller, &lease, &line.subscription_id)
            .await?;
        let mut tx = self.store.begin().await?;
        close_line(&mut tx, &mut line, "exchanged", now).await?;
        to_stock(&mut d, "returned", now);
        hw::update_device(&mut tx, &d).await?;
        let why = if upgrade {
            "free upgrade (E8)"
        } else {
            "exchange (E3)"
        };
        event(
            &mut tx,
            caller,
            now,
            &d,
            "returned",
            format!("{why} for a {}", new_model.code),
        )
        .await?;
        let new_line = self
            .deliver_in(
                &mut tx,
                caller,
                &lease,
                &sub,
                serial,
                &new_model,
                (line.ordered_on, day_start(date(now))),
            )
            .await?;
        tollgate_store::commit(tx).await?;
        Ok(new_line)
    }

    /// E7: the lease ends; its devices are to be returned by `return_due_on`.
    pub async fn end_lease(
        &self,
        caller: &Caller,
        id: &str,
        return_due_on: i64,
    ) -> Result<LeaseRow, AppError> {
        let view = self.lease(caller, id).await?;
        let now = self.now();
        if return_due_on < day_start(date(now)) {
            return Err(AppError::invalid(
                "return_due_on_invalid",
                "return_due_on",
                "today or later",
            ));
        }
        let mut l = view.lease;
        l.state = "ending".into();
        l.return_due_on = Some(return_due_on);
        let mut tx = self.store.begin().await?;
        if !hw::update_lease(&mut tx, &l, "active").await? {
            return Err(not_active());
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "lease.end",
                &l.id,
                json!({"return_due_on": date(return_due_on).to_string(), "rule": "E7"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(l)
    }

    /// E7: a device of an ending lease came back (the provider's logistics).
    pub async fn return_device(
        &self,
        caller: &Caller,
        device_id: &str,
    ) -> Result<LeaseDeviceRow, AppError> {
        let (mut line, mut d, lease) = self.active_line(caller, device_id).await?;
        if lease.state != "ending" {
            return Err(AppError::Conflict {
                code: "lease_not_ending",
                message: "devices come back at the end of their lease (E7); a device leaves an \
                          active lease by a reduction (E3)"
                    .into(),
            });
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        close_line(&mut tx, &mut line, "returned", now).await?;
        to_stock(&mut d, "returned", now);
        hw::update_device(&mut tx, &d).await?;
        event(
            &mut tx,
            caller,
            now,
            &d,
            "returned",
            format!("end of lease {}", line.lease_id),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(line)
    }

    /// E7: after the return date, each device not returned is invoiced (the fees of the term
    /// not yet invoiced, its casualty value and 10 % of it) and passes to the lessee; the
    /// lease's subscriptions end where their invoices reached (a device returned within 6
    /// months of its delivery is billed up to 6 months, a product fact); the lease ends. Once.
    pub async fn settle_lease(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Vec<Unreturned>, AppError> {
        let view = self.lease(caller, id).await?;
        let now = self.now();
        let due = match (view.lease.state.as_str(), view.lease.return_due_on) {
            ("ending", Some(d)) => d,
            _ => {
                return Err(AppError::Conflict {
                    code: "lease_not_ending",
                    message: "end the lease first; a settled lease stays settled".into(),
                })
            }
        };
        if now < due + 86_400 {
            return Err(tollgate_core::Refusal::new(
                "return_not_due",
                rules::E7,
                format!("devices may be returned until {} included", date(due)),
            )
            .into());
        }
        let term = LeaseTerm::parse(&view.lease.term)?;
        let today = date(now);
        let mut l = view.lease.clone();
        l.state = "ended".into();
        l.settled_at = Some(now);
        let mut tx = self.store.begin().await?;
        if !hw::update_lease(&mut tx, &l, "ending").await? {
            return Err(AppError::Conflict {
                code: "lease_not_ending",
                message: "the lease was settled".into(),
            });
        }
        let mut out = Vec::new();
        // Per subscription, the day its billing stops: where its invoices reached, or later
        // for a device returned within 6 months of its delivery (billed up to 6 months). Until
        // then every device of it is invoiced by the subscription, so a device not returned
        // owes its fees from that day (never twice).
        let mut subs: BTreeMap<String, SubscriptionRow> = BTreeMap::new();
        let mut ends: BTreeMap<String, i64> = BTreeMap::new();
        for line in &view.lines {
            if !subs.contains_key(&line.subscription_id) {
                let (sub, _) = self.get_subscription(caller, &line.subscription_id).await?;
                subs.insert(sub.id.clone(), sub);
            }
            let sub = &subs[&line.subscription_id];
            let paid_until = sub.retail_billed_until.unwrap_or(line.invoicing_from);
            let end = ends.entry(sub.id.clone()).or_insert(paid_until);
            if line.state == "returned" {
                let min = day_start(lease::billed_until_on_cancel(
                    date(line.delivered_on),
                    date(line.removed_on.unwrap_or(now)),
                ));
                *end = (*end).max(min);
            }
        }
        // E2: the term running on the day the devices were due back.
        let ended_on = date(due);
        for mut line in view.lines.into_iter().filter(|l| l.state == "active") {
            let sub = &subs[&line.subscription_id];
            let paid_until = ends[&sub.id];
            let model = self.model(&line.model_id, "model_id").await?;
            same_currency(&model.currency, &sub.currency)?;
            let term_ends = lease::term_ends(date(line.invoicing_from), term, ended_on);
            // E7 reads "the unpaid service fee for the term": the subscription's monthly
            // unit price for each month from the day its billing stops to the term's end.
            let n = lease::non_return(
                sub.unit_micros,
                date(paid_until),
                term_ends.max(date(paid_until)),
                model.casualty_micros,
            )?;
            let charge = pending_charge(
                &l.billing_account_id,
                &sub.currency,
                "one_time",
                format!(
                    "{} {} not returned: {} months of unpaid fees to {term_ends}, casualty value \
                     and 10 % of it (E7)",
                    model.name, line.serial, n.months_unpaid
                ),
                n.total_micros,
                rules::E7,
                format!("lease:{}:{}:E7", l.id, line.device_id),
                now,
            );
            charge.insert(&mut tx).await?;
            close_line(&mut tx, &mut line, "not_returned", now).await?;
            let mut d = hsys::device_in(&mut tx, &line.device_id)
                .await?
                .ok_or(AppError::NotFound("device"))?;
            d.owner = "customer".into();
            d.ownership = "capex".into();
            d.state = "sold".into();
            d.lease_id = None;
            d.purchased_on = Some(day_start(today));
            d.updated_at = now;
            hw::update_device(&mut tx, &d).await?;
            event(
                &mut tx,
                caller,
                now,
                &d,
                "not_returned",
                format!(
                    "invoiced {} (fees {} months, casualty value, 10 %); ownership passes to the \
                     lessee (E7)",
                    tollgate_core::money::format_scaled(
                        i128::from(n.total_micros),
                        tollgate_core::money::MICRO_DIGITS
                    ),
                    n.months_unpaid
                ),
            )
            .await?;
            out.push(Unreturned {
                device_id: d.id.clone(),
                serial: d.serial.clone(),
                outcome: n,
                pending_charge_id: charge.id,
            });
        }
        // The subscriptions end: no device of the lease is billed again (those not returned
        // are paid to the term's end by their E7 charge).
        let subs =
            billing_store::system::account_subscriptions(&mut tx, &l.billing_account_id).await?;
        for (sub_id, end) in ends {
            if hsys::active_lines_on(&mut tx, &sub_id).await? > 0 {
                continue;
            }
            if let Some(mut s) = subs.iter().find(|s| s.id == sub_id).cloned() {
                if s.state == "active" && s.ends_on.is_none_or(|e| e > end) {
                    s.ends_on = Some(end);
                    s.updated_at = now;
                    billing_store::update_subscription(&mut tx, &s).await?;
                }
            }
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "lease.settle",
                &l.id,
                json!({"not_returned": out.len(), "rule": "E7"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(out)
    }
}
