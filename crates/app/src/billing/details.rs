//! Billing details: the postal address an invoice prints, the jurisdiction whose taxes and
//! fees apply (B7) and the tax id, of a billing account (by those who manage its customer),
//! a partner (the operator, or the partner's own admin) or the operator.

use serde_json::json;
use tollgate_core::tenancy::Level;
use tollgate_store::billing::{self as billing_store, BillingDetailsOf};
use tollgate_store::{audit, tenancy as tenancy_store, ScopeFilter};

use crate::access::audit_row;
use crate::{App, AppError, Caller};

/// Lines of a postal address.
pub const MAX_ADDRESS_LINES: usize = 6;
/// Characters per address line or tax id.
pub const MAX_ADDRESS_LINE_CHARS: usize = 100;

/// The details to set.
#[derive(Debug, Clone)]
pub struct BillingDetails {
    pub address_lines: Vec<String>,
    /// `GB`, `US-NY`; none: no taxes apply.
    pub jurisdiction: Option<String>,
    pub tax_id: Option<String>,
}

fn checked(d: &BillingDetails) -> Result<(String, Option<String>, Option<String>), AppError> {
    if d.address_lines.is_empty()
        || d.address_lines.len() > MAX_ADDRESS_LINES
        || d.address_lines.iter().any(|l| {
            l.trim().is_empty()
                || l.chars().count() > MAX_ADDRESS_LINE_CHARS
                || l.chars().any(char::is_control)
        })
    {
        return Err(AppError::invalid(
            "address_invalid",
            "address_lines",
            format!("1 to {MAX_ADDRESS_LINES} lines of 1 to {MAX_ADDRESS_LINE_CHARS} printable characters"),
        ));
    }
    let j = match &d.jurisdiction {
        Some(j) => {
            let j = j.trim().to_ascii_uppercase();
            let country = j.split('-').next().unwrap_or("");
            if !tollgate_core::country::is_known(country)
                || j.len() > 10
                || !j.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(AppError::invalid(
                    "jurisdiction_invalid",
                    "jurisdiction",
                    "a country (GB) or a country and subdivision (US-NY)",
                ));
            }
            Some(j)
        }
        None => None,
    };
    let tax = d
        .tax_id
        .as_ref()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if tax
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_ADDRESS_LINE_CHARS)
    {
        return Err(AppError::invalid("tax_id_invalid", "tax_id", "too long"));
    }
    let address = d
        .address_lines
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join("\n");
    Ok((address, j, tax))
}

impl App {
    /// Sets the billing details of a billing account in scope, a partner or the operator.
    pub async fn set_billing_details(
        &self,
        caller: &Caller,
        of: BillingDetailsOf,
        id: &str,
        d: &BillingDetails,
    ) -> Result<(), AppError> {
        let scope = ScopeFilter::of(&caller.scope);
        let level = caller.principal.role.level();
        match of {
            BillingDetailsOf::BillingAccount => {
                tenancy_store::get_billing_account(&self.store, scope, id)
                    .await
                    .map_err(|_| AppError::NotFound("billing account"))?;
            }
            BillingDetailsOf::Partner => {
                let mine = caller.principal.partner_id.as_deref() == Some(id);
                if level != Level::Operator && !mine {
                    return Err(AppError::NotFound("partner"));
                }
                tenancy_store::get_partner(&self.store, scope, id)
                    .await
                    .map_err(|_| AppError::NotFound("partner"))?;
            }
            BillingDetailsOf::Operator => {
                if level != Level::Operator {
                    return Err(AppError::Forbidden(
                        "the operator's details are the operator's".into(),
                    ));
                }
            }
        }
        let (address, j, tax) = checked(d)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !billing_store::set_billing_details(
            &mut tx,
            of,
            id,
            &address,
            j.as_deref(),
            tax.as_deref(),
        )
        .await?
        {
            return Err(AppError::NotFound("billing party"));
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "billing.details",
                id,
                json!({"jurisdiction": j}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }
}

impl App {
    /// The operator's id (one operator per installation).
    pub async fn operator_id(&self) -> Result<String, AppError> {
        Ok(tollgate_store::billing::system::operator_party(&self.store)
            .await?
            .ok_or(AppError::NotFound("operator"))?
            .id)
    }
}
