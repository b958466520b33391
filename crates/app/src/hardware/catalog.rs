//! The device catalog (models, casualty values, replacements) and devices by serial with
//! their history; E8 upgrade offers.

use serde_json::json;
use tollgate_core::hardware::DeviceKind;
use tollgate_core::text::check_name;
use tollgate_store::hardware::{self as hw, system as hsys, DeviceEventRow, DeviceRow, ModelRow};
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::{audit, Page, ScopeFilter};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Characters of a model code at most.
pub const MAX_CODE_CHARS: usize = 32;

/// A model to add to the catalog.
#[derive(Debug, Clone)]
pub struct NewModel {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub casualty_micros: i64,
    pub currency: String,
}

impl App {
    /// Adds a model to the catalog.
    pub async fn create_model(&self, caller: &Caller, n: NewModel) -> Result<ModelRow, AppError> {
        let code = n.code.trim().to_ascii_uppercase();
        if code.is_empty()
            || code.len() > MAX_CODE_CHARS
            || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(AppError::invalid(
                "code_invalid",
                "code",
                format!("1 to {MAX_CODE_CHARS} letters, digits or '-'"),
            ));
        }
        let name = check_name("name", &n.name)?;
        let kind = DeviceKind::parse(&n.kind)?;
        if n.casualty_micros < 0 {
            return Err(AppError::invalid(
                "amount_invalid",
                "casualty_value",
                "0 or more",
            ));
        }
        let currency = tollgate_core::money::Currency::parse(&n.currency)
            .map_err(|_| AppError::invalid("currency_invalid", "currency", "an ISO 4217 code"))?;
        if hsys::models(&self.store)
            .await?
            .iter()
            .any(|m| m.code == code)
        {
            return Err(AppError::Conflict {
                code: "model_exists",
                message: format!("a model {code} exists"),
            });
        }
        let now = self.now();
        let row = ModelRow {
            id: new_id("mdl"),
            code,
            name,
            kind: kind.as_str().into(),
            casualty_micros: n.casualty_micros,
            currency: currency.as_str().into(),
            replaced_by: None,
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
                "model.create",
                &row.id,
                json!({"code": row.code}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// The catalog.
    pub async fn models(&self) -> Result<Vec<ModelRow>, AppError> {
        Ok(hsys::models(&self.store).await?)
    }

    pub(crate) async fn model(&self, id: &str, field: &str) -> Result<ModelRow, AppError> {
        hsys::model(&self.store, id).await?.ok_or_else(|| {
            AppError::invalid("model_unknown", field, format!("{id} is not a model"))
        })
    }

    /// Devices in scope (a lease's when given).
    pub async fn devices(
        &self,
        caller: &Caller,
        lease: Option<&str>,
        page: &Page,
    ) -> Result<Vec<DeviceRow>, AppError> {
        Ok(hw::list_devices(&self.store, ScopeFilter::of(&caller.scope), lease, page).await?)
    }

    /// A device in scope with its history.
    pub async fn device(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(DeviceRow, Vec<DeviceEventRow>), AppError> {
        let d = hw::get_device(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("device"))?;
        let mut events = hsys::device_events(&self.store, &d.id).await?;
        // A device may have served other customers before: they see its history from the
        // day it came into their hands (its last delivery or sale) on.
        if !matches!(caller.scope, tollgate_core::tenancy::Scope::All) {
            if let Some(start) = events
                .iter()
                .rposition(|e| ["delivered", "sold"].contains(&e.event.as_str()))
            {
                events.drain(..start);
            }
        }
        Ok((d, events))
    }

    /// E8: `new_model` replaces `model` with significant improvements: offered free to every
    /// lessee of the old model (a notice to each customer's admins and partner); returns the
    /// leased devices it is offered for. They are exchanged with `exchange_device` (the offer
    /// is not held back by E3).
    pub async fn offer_upgrade(
        &self,
        caller: &Caller,
        model_id: &str,
        new_model_id: &str,
    ) -> Result<Vec<DeviceRow>, AppError> {
        let old = self.model(model_id, "model_id").await?;
        let new = self.model(new_model_id, "replacement_model_id").await?;
        if old.id == new.id {
            return Err(AppError::invalid(
                "model_invalid",
                "replacement_model_id",
                "another model than the one replaced",
            ));
        }
        let devices = hsys::leased_of_model(&self.store, &old.id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        hw::set_replaced_by(&mut tx, &old.id, &new.id).await?;
        let mut customers: Vec<&str> = devices
            .iter()
            .filter_map(|d| d.customer_id.as_deref())
            .collect();
        customers.sort_unstable();
        customers.dedup();
        for c in customers {
            for recipient in self.contacts_of(c).await? {
                outbox::enqueue(
                    &mut tx,
                    &OutboxRow {
                        id: new_id("msg"),
                        at: now,
                        channel: "email".into(),
                        recipient,
                        subject: format!("A free upgrade of your {}", old.name),
                        body: format!(
                            "The {new} replaces the {old} you lease, with significant \
                             improvements: we replace yours free of charge on request (E8, {clause}).\n",
                            new = new.name,
                            old = old.name,
                            clause = tollgate_core::rules::E8.clause
                        ),
                        rule: tollgate_core::rules::E8.rule.into(),
                    },
                )
                .await?;
            }
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "model.upgrade",
                &old.id,
                json!({"replaced_by": new.id, "devices": devices.len(), "rule": "E8"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(devices)
    }
}
