//! Registrations (M5, W 23.6): 10DLC brands and campaigns, short codes, toll-free
//! verifications, sender IDs and state telemarketer registrations, each with its status and
//! expiry. Their fees pass through to the account (B8, W 23.9): the one-off fee on approval,
//! the monthly fee and the per-message surcharges at the month's usage close.

use serde_json::json;
use tollgate_core::messaging::{Sender, MAX_SENDER_ID_CHARS};
use tollgate_core::{e164, rules};
use tollgate_store::billing::PendingChargeRow;
use tollgate_store::messaging::{self as msg_store, system as msg_system, RegistrationRow};
use tollgate_store::{audit, Page, ScopeFilter};

use crate::access::audit_row;
use crate::billing::{day_text, stable_id, RETAIL};
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// What may be registered.
pub const KINDS: &[&str] = &[
    "tendlc_brand",
    "tendlc_campaign",
    "short_code",
    "toll_free",
    "sender_id",
    "state",
];
/// A registration's states; `pending` only at filing.
pub const STATUSES: &[&str] = &["pending", "approved", "rejected", "suspended", "expired"];
/// Numbers one campaign or verification may cover.
pub const MAX_REGISTERED_NUMBERS: usize = 500;
/// Longest registry reference.
pub const MAX_REFERENCE_CHARS: usize = 64;

/// A registration to file.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    pub billing_account: String,
    pub kind: String,
    pub reference: String,
    pub brand_id: Option<String>,
    pub numbers: Vec<String>,
    pub region: Option<String>,
    pub expires_at: Option<i64>,
    pub fee_micros: i64,
    pub monthly_fee_micros: i64,
    pub surcharge_micros: i64,
}

impl App {
    /// Files a registration for an account in scope (`pending` until the registry answers).
    pub async fn file_registration(
        &self,
        caller: &Caller,
        i: RegistrationInput,
    ) -> Result<RegistrationRow, AppError> {
        let ba = self.get_billing_account(caller, &i.billing_account).await?;
        if !KINDS.contains(&i.kind.as_str()) {
            return Err(AppError::invalid(
                "kind_invalid",
                "kind",
                format!("one of {}", KINDS.join(", ")),
            ));
        }
        let reference = i.reference.trim().to_string();
        if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS {
            return Err(AppError::invalid(
                "reference_invalid",
                "reference",
                format!("1 to {MAX_REFERENCE_CHARS} characters"),
            ));
        }
        match i.kind.as_str() {
            "short_code" if !matches!(Sender::parse(&reference), Ok(Sender::ShortCode(_))) => {
                return Err(AppError::invalid(
                    "reference_invalid",
                    "reference",
                    "a short code: 3 to 6 digits",
                ));
            }
            "sender_id" if !matches!(Sender::parse(&reference), Ok(Sender::Alphanumeric(_))) => {
                return Err(AppError::invalid(
                    "reference_invalid",
                    "reference",
                    format!("a sender ID: letters, digits and spaces, at most {MAX_SENDER_ID_CHARS}, one letter at least"),
                ));
            }
            _ => {}
        }
        if i.numbers.len() > MAX_REGISTERED_NUMBERS {
            return Err(AppError::invalid(
                "numbers_too_many",
                "numbers",
                format!("at most {MAX_REGISTERED_NUMBERS}"),
            ));
        }
        let numbers = i
            .numbers
            .iter()
            .map(|n| e164::normalize(n, "numbers"))
            .collect::<Result<Vec<_>, _>>()?;
        if matches!(i.kind.as_str(), "tendlc_campaign" | "toll_free") && numbers.is_empty() {
            return Err(AppError::invalid(
                "numbers_required",
                "numbers",
                "the numbers the registration covers",
            ));
        }
        if i.kind == "tendlc_campaign" {
            let brand = i.brand_id.as_deref().unwrap_or_default();
            let regs = msg_system::registrations_of_account(&self.store, &ba.id).await?;
            if !regs
                .iter()
                .any(|r| r.id == brand && r.kind == "tendlc_brand")
            {
                return Err(AppError::invalid(
                    "brand_unknown",
                    "brand_id",
                    "a 10DLC brand registration of the same account",
                ));
            }
        }
        if i.kind == "state"
            && !i
                .region
                .as_deref()
                .is_some_and(|r| r.starts_with("US-") && r.len() == 5)
        {
            return Err(AppError::invalid(
                "region_invalid",
                "region",
                "a US state as ISO 3166-2 (US-TX)",
            ));
        }
        check_fees(
            Some(i.fee_micros),
            Some(i.monthly_fee_micros),
            Some(i.surcharge_micros),
        )?;
        // B8: the fees are the registry's and carriers', passed through by the provider; a
        // customer or partner filing a registration does not set what it will be billed.
        let provider = matches!(caller.scope, tollgate_core::tenancy::Scope::All);
        if !provider && (i.fee_micros, i.monthly_fee_micros, i.surcharge_micros) != (0, 0, 0) {
            return Err(AppError::invalid(
                "fees_set_by_provider",
                "fee",
                "the provider sets a registration's pass-through fees (at filing or approval)",
            ));
        }
        let now = self.now();
        let customer =
            tollgate_store::tenancy::system::get_customer(&self.store, &ba.customer_id).await?;
        let row = RegistrationRow {
            id: new_id("reg"),
            billing_account_id: ba.id.clone(),
            customer_id: ba.customer_id.clone(),
            partner_id: customer.partner_id,
            kind: i.kind,
            reference,
            brand_id: i.brand_id,
            numbers: numbers.join(","),
            region: i.region,
            status: "pending".into(),
            expires_at: i.expires_at,
            currency: ba.currency.clone(),
            fee_micros: i.fee_micros,
            monthly_fee_micros: i.monthly_fee_micros,
            surcharge_micros: i.surcharge_micros,
            created_at: now,
            updated_at: now,
            billed_month: None,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "registration.file",
                &row.id,
                json!({"kind": row.kind, "reference": row.reference}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(row)
    }

    /// The registry's answer (the provider's messaging desk): approved, rejected, suspended
    /// or expired. The first approval puts the one-off fee on the next invoice (B8).
    pub async fn set_registration_status(
        &self,
        caller: &Caller,
        id: &str,
        change: StatusChange,
    ) -> Result<RegistrationRow, AppError> {
        let StatusChange {
            status,
            expires_at,
            fees,
        } = change;
        let status = status.as_str();
        check_fees(fees.0, fees.1, fees.2)?;
        if !STATUSES.contains(&status) || status == "pending" {
            return Err(AppError::invalid(
                "status_invalid",
                "status",
                "approved, rejected, suspended or expired",
            ));
        }
        msg_store::get_registration(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("registration"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut r = msg_system::registration(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("registration"))?;
        if fees != (None, None, None) {
            r.fee_micros = fees.0.unwrap_or(r.fee_micros);
            r.monthly_fee_micros = fees.1.unwrap_or(r.monthly_fee_micros);
            r.surcharge_micros = fees.2.unwrap_or(r.surcharge_micros);
            msg_system::set_registration_fees(
                &mut tx,
                id,
                r.fee_micros,
                r.monthly_fee_micros,
                r.surcharge_micros,
            )
            .await?;
        }
        msg_store::set_registration_status(&mut tx, id, status, now).await?;
        if let Some(e) = expires_at {
            msg_system::set_registration_expiry(&mut tx, id, e).await?;
        }
        if r.status == "pending" && status == "approved" && r.fee_micros > 0 {
            PendingChargeRow {
                id: stable_id("chg", &[&r.id, "registration_fee"]),
                level: RETAIL.into(),
                billing_account_id: Some(r.billing_account_id.clone()),
                partner_id: None,
                kind: "pass_through".into(),
                description: format!(
                    "{} registration fee: {} (approved {})",
                    kind_label(&r.kind),
                    r.reference,
                    day_text(now)
                ),
                quantity: 1,
                unit_micros: r.fee_micros,
                currency: r.currency.clone(),
                rule: rules::B8.rule.into(),
                clause: rules::B8.clause.into(),
                ready_on: now,
                source: r.id.clone(),
                created_at: now,
                invoice_id: None,
            }
            .insert(&mut tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "registration.status",
                id,
                json!({"from": r.status, "to": status}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.invalidate_messaging_facts(&r.billing_account_id);
        Ok(RegistrationRow {
            status: status.into(),
            expires_at: expires_at.or(r.expires_at),
            updated_at: now,
            ..r
        })
    }

    /// Registrations in scope.
    pub async fn list_registrations(
        &self,
        caller: &Caller,
        account: Option<&str>,
        page: &Page,
    ) -> Result<Vec<RegistrationRow>, AppError> {
        Ok(msg_store::list_registrations(
            &self.store,
            ScopeFilter::of(&caller.scope),
            account,
            page,
        )
        .await?)
    }
}

/// A registration's new status (the registry's answer), its expiry, and the fees the provider
/// sets: `(one-off, monthly, per message)`, each kept when `None`.
#[derive(Debug, Clone, Default)]
pub struct StatusChange {
    pub status: String,
    pub expires_at: Option<i64>,
    pub fees: (Option<i64>, Option<i64>, Option<i64>),
}

fn check_fees(
    fee: Option<i64>,
    monthly: Option<i64>,
    surcharge: Option<i64>,
) -> Result<(), AppError> {
    for (field, v) in [
        ("fee", fee),
        ("monthly_fee", monthly),
        ("surcharge", surcharge),
    ] {
        if v.is_some_and(|v| v < 0) {
            return Err(AppError::invalid(
                "amount_negative",
                field,
                "must not be negative",
            ));
        }
    }
    Ok(())
}

/// How a registration kind reads on an invoice.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "tendlc_brand" => "10DLC brand",
        "tendlc_campaign" => "10DLC campaign",
        "short_code" => "Short code",
        "toll_free" => "Toll-free verification",
        "sender_id" => "Sender ID",
        "state" => "State telemarketer registration",
        _ => "Registration",
    }
}
