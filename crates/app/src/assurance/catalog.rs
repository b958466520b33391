//! Services, their components, and the components each customer's services use.

use std::collections::BTreeSet;

use serde_json::json;
use tollgate_core::text::{check_free_text, check_name};
use tollgate_store::assurance::{
    self as astore, system as asys, ComponentRow, CustomerComponentRow, ServiceRow,
};
use tollgate_store::{audit, ScopeFilter};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Services at most (the status page lists them all).
pub const MAX_SERVICES: usize = 100;
/// Components a customer may be mapped to at most.
pub const MAX_CUSTOMER_COMPONENTS: usize = 200;

impl App {
    /// Adds a service to the status page.
    pub async fn create_service(
        &self,
        caller: &Caller,
        name: &str,
        description: &str,
        position: i64,
    ) -> Result<ServiceRow, AppError> {
        let name = check_name("name", name)?;
        let description = if description.trim().is_empty() {
            String::new()
        } else {
            check_free_text("description", description)?
        };
        let existing = asys::services(&self.store).await?;
        if existing.len() >= MAX_SERVICES {
            return Err(AppError::invalid(
                "services_too_many",
                "name",
                format!("at most {MAX_SERVICES} services"),
            ));
        }
        if existing.iter().any(|s| s.name == name) {
            return Err(AppError::Conflict {
                code: "service_exists",
                message: format!("a service is already named {name}"),
            });
        }
        let now = self.now();
        let row = ServiceRow {
            id: new_id("svc"),
            name,
            description,
            position,
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
                "service.create",
                &row.id,
                json!({"name": row.name}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// Every service, in the status page's order.
    pub async fn services(&self) -> Result<Vec<ServiceRow>, AppError> {
        Ok(asys::services(&self.store).await?)
    }

    /// Adds a component to a service.
    pub async fn create_component(
        &self,
        caller: &Caller,
        service_id: &str,
        name: &str,
        classound: bool,
    ) -> Result<ComponentRow, AppError> {
        let name = check_name("name", name)?;
        if !asys::services(&self.store)
            .await?
            .iter()
            .any(|s| s.id == service_id)
        {
            return Err(AppError::NotFound("service"));
        }
        let existing = asys::components(&self.store).await?;
        if existing
            .iter()
            .any(|c| c.service_id == service_id && c.name == name)
        {
            return Err(AppError::Conflict {
                code: "component_exists",
                message: format!("the service already has a component named {name}"),
            });
        }
        let now = self.now();
        let row = ComponentRow {
            id: new_id("cmp"),
            service_id: service_id.into(),
            name,
            classound: i64::from(classound),
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
                "component.create",
                &row.id,
                json!({"service_id": row.service_id, "name": row.name}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// Every component.
    pub async fn components(&self) -> Result<Vec<ComponentRow>, AppError> {
        Ok(asys::components(&self.store).await?)
    }

    /// Checks that every id names a component; refuses the first that does not (`field`).
    pub(crate) async fn check_components(
        &self,
        ids: &[String],
        field: &str,
    ) -> Result<BTreeSet<String>, AppError> {
        let known: BTreeSet<String> = asys::components(&self.store)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut out = BTreeSet::new();
        for id in ids {
            if !known.contains(id) {
                return Err(AppError::invalid(
                    "component_unknown",
                    field,
                    format!("{id} is not a component"),
                ));
            }
            out.insert(id.clone());
        }
        Ok(out)
    }

    /// The components a customer in scope uses.
    pub async fn customer_components(
        &self,
        caller: &Caller,
        customer_id: &str,
    ) -> Result<Vec<CustomerComponentRow>, AppError> {
        self.get_customer(caller, customer_id).await?;
        Ok(
            astore::customer_components(&self.store, ScopeFilter::of(&caller.scope), customer_id)
                .await?,
        )
    }

    /// Sets the components a customer's services use (the NOC's mapping: availability and
    /// tickets follow it).
    pub async fn set_customer_components(
        &self,
        caller: &Caller,
        customer_id: &str,
        components: &[String],
    ) -> Result<Vec<CustomerComponentRow>, AppError> {
        let (customer, _) = self.get_customer(caller, customer_id).await?;
        if components.len() > MAX_CUSTOMER_COMPONENTS {
            return Err(AppError::invalid(
                "components_too_many",
                "component_ids",
                format!("at most {MAX_CUSTOMER_COMPONENTS}"),
            ));
        }
        let ids = self.check_components(components, "component_ids").await?;
        let now = self.now();
        let rows: Vec<CustomerComponentRow> = ids
            .iter()
            .map(|c| CustomerComponentRow {
                customer_id: customer.id.clone(),
                partner_id: customer.partner_id.clone(),
                component_id: c.clone(),
                created_at: now,
                created_by: caller.actor.actor.clone(),
            })
            .collect();
        let mut tx = self.store.begin().await?;
        astore::set_customer_components(&mut tx, &customer.id, &rows).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "customer.components",
                &customer.id,
                json!({"component_ids": ids}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(rows)
    }
}
