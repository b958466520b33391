//! Damage, theft and fire (E5, E6): a replacement request states its cause; the decision is
//! free, charged at the model's casualty value, or refused for want of proof (a police report
//! naming model and serial); the replacement ships within one working day (tracked, breaches
//! listed) and its transport is charged at cost on the next invoice.

use serde_json::json;
use tollgate_core::hardware::casualty::{self, Cause, Claim, PoliceReport};
use tollgate_core::rules;
use tollgate_store::hardware::{self as hw, system as hsys, ClaimRow};
use tollgate_store::{audit, Page, ScopeFilter};

use super::{check_serial, close_line, event, pending_charge, same_currency, to_stock};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};
/// Transport charged at most per shipment (micro units): a typo guard.
pub const MAX_TRANSPORT_MICROS: i64 = 10_000_000_000;

/// A replacement request.
#[derive(Debug, Clone, Default)]
pub struct NewClaim {
    pub device_id: String,
    pub cause: String,
    pub label_identifiable: bool,
    pub police_report: Option<(String, String)>,
}

impl App {
    /// E5, E6: decides a replacement request for a leased device in scope.
    pub async fn claim_replacement(
        &self,
        caller: &Caller,
        n: NewClaim,
    ) -> Result<ClaimRow, AppError> {
        let (d, _) = self.device(caller, &n.device_id).await?;
        if d.ownership != "lease" || d.lease_id.is_none() {
            return Err(AppError::invalid(
                "device_not_leased",
                "device_id",
                "a leased device (a CAPEX device has an RMA)",
            ));
        }
        let cause = Cause::parse(&n.cause)?;
        let model = self.model(&d.model_id, "model_id").await?;
        let account = d.billing_account_id.clone().unwrap_or_default();
        let ba = self.get_billing_account(caller, &account).await?;
        let report = n.police_report.as_ref().map(|(m, s)| PoliceReport {
            model: m.clone(),
            serial: s.clone(),
        });
        let outcome = casualty::decide(&Claim {
            cause,
            label_identifiable: n.label_identifiable,
            police_report: report.as_ref(),
            device_model: &model.code,
            device_serial: &d.serial,
        })?;
        let now = self.now();
        let region = self.support_region_of(d.partner_id.as_deref()).await?;
        let ship_by = casualty::ship_by(now, &self.support_calendar(&region).await?);
        let rule = outcome.rule();
        let charge = if outcome.is_charged() {
            same_currency(&model.currency, &ba.currency)?;
            model.casualty_micros
        } else {
            0
        };
        let row = ClaimRow {
            id: new_id("clm"),
            device_id: d.id.clone(),
            customer_id: d.customer_id.clone().unwrap_or_default(),
            partner_id: d.partner_id.clone(),
            cause: cause.as_str().into(),
            label_identifiable: i64::from(n.label_identifiable),
            police_model: report.as_ref().map(|r| r.model.clone()),
            police_serial: report.as_ref().map(|r| r.serial.clone()),
            outcome: if outcome.is_charged() {
                "charged"
            } else {
                "free"
            }
            .into(),
            rule: rule.rule.into(),
            clause: rule.clause.into(),
            charge_micros: charge,
            currency: ba.currency.clone(),
            requested_at: now,
            ship_by,
            shipped_at: None,
            replacement_device_id: None,
            transport_micros: 0,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        if hsys::open_claim_of(&mut tx, &d.id).await? {
            return Err(AppError::Conflict {
                code: "claim_open",
                message: "a replacement of this device is on its way".into(),
            });
        }
        row.insert(&mut tx).await?;
        if charge > 0 {
            pending_charge(
                &account,
                &ba.currency,
                "one_time",
                format!(
                    "{} {}: {} - casualty value (E6)",
                    model.name,
                    d.serial,
                    cause.as_str()
                ),
                charge,
                rule,
                format!("claim:{}", row.id),
                now,
            )
            .insert(&mut tx)
            .await?;
        }
        event(
            &mut tx,
            caller,
            now,
            &d,
            "claim",
            format!(
                "{}: {} ({}, {})",
                cause.as_str(),
                row.outcome,
                rule.rule,
                rule.clause
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// Claims in scope.
    pub async fn claims(&self, caller: &Caller, page: &Page) -> Result<Vec<ClaimRow>, AppError> {
        Ok(hw::list_claims(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }

    /// Claims in scope whose replacement did not ship within its due time, or has not yet
    /// and is past it (E5 breaches).
    pub async fn late_claims(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<ClaimRow>, AppError> {
        Ok(hw::late_claims(
            &self.store,
            ScopeFilter::of(&caller.scope),
            self.now(),
            page,
        )
        .await?)
    }

    /// E5: the replacement shipped: a device of the same model (or its E8 replacement) takes
    /// the old one's place on the lease; the old one is replaced (or lost, after a theft or a
    /// loss); the transport is charged at cost on the next invoice. One transaction, once.
    pub async fn ship_replacement(
        &self,
        caller: &Caller,
        claim_id: &str,
        serial: &str,
        transport_micros: i64,
    ) -> Result<ClaimRow, AppError> {
        if !(0..=MAX_TRANSPORT_MICROS).contains(&transport_micros) {
            return Err(AppError::invalid(
                "amount_invalid",
                "transport",
                "0 or more, at most 10,000",
            ));
        }
        let serial = check_serial(serial, "serial")?;
        let mut c = hw::get_claim(&self.store, ScopeFilter::of(&caller.scope), claim_id)
            .await?
            .ok_or(AppError::NotFound("claim"))?;
        if c.shipped_at.is_some() {
            return Err(AppError::Conflict {
                code: "claim_shipped",
                message: "the replacement has shipped".into(),
            });
        }
        let (mut line, mut old, lease) = self.active_line(caller, &c.device_id).await?;
        let model = self.model(&old.model_id, "model_id").await?;
        let new_model = match &model.replaced_by {
            Some(m) => self.model(m, "model_id").await?,
            None => model.clone(),
        };
        let (sub, _) = self.get_subscription(caller, &line.subscription_id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        close_line(&mut tx, &mut line, "replaced", now).await?;
        let gone = if ["theft", "loss"].contains(&c.cause.as_str()) {
            "lost"
        } else {
            "replaced"
        };
        to_stock(&mut old, gone, now);
        hw::update_device(&mut tx, &old).await?;
        event(
            &mut tx,
            caller,
            now,
            &old,
            gone,
            format!("claim {} ({})", c.id, c.cause),
        )
        .await?;
        if transport_micros > 0 {
            pending_charge(
                &lease.billing_account_id,
                &c.currency,
                "one_time",
                format!(
                    "Transport of the replacement of {} (E5, at cost)",
                    old.serial
                ),
                transport_micros,
                rules::E5,
                format!("claim:{}:transport", c.id),
                now,
            )
            .insert(&mut tx)
            .await?;
        }
        let delivered = self
            .deliver_in(
                &mut tx,
                caller,
                &lease,
                &sub,
                &serial,
                &new_model,
                (
                    line.ordered_on,
                    tollgate_core::time::day_start(super::date(now)),
                ),
            )
            .await?;
        c.shipped_at = Some(now);
        c.transport_micros = transport_micros;
        c.replacement_device_id = Some(delivered.device_id);
        if !hw::ship_claim(&mut tx, &c).await? {
            return Err(AppError::Conflict {
                code: "claim_shipped",
                message: "the replacement has shipped".into(),
            });
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "claim.ship",
                &c.id,
                json!({"late": now > c.ship_by, "transport_micros": transport_micros, "rule": "E5"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(c)
    }
}
