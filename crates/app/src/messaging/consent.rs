//! The consent ledger (M2, M3, C8) and suppression lists: append-only consent events with
//! who, when, how, the text shown and the evidence; kept at least four years after the last
//! message to the recipient and refused for erasure before then.

use serde_json::json;
use tollgate_core::{country, e164, rules};
use tollgate_store::messaging::{self as msg_store, ConsentRow, SuppressionRow};
use tollgate_store::{audit, ScopeFilter};

use super::zone;
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// How consent was given or withdrawn through the API (`keyword` and `review` are the
/// system's own: inbound messages and reviewed stop requests).
pub const API_METHODS: &[&str] = &["web_form", "paper", "api", "import"];
/// M2: consent records are kept at least this long after the last message to the recipient
/// (4 years of 365.25 days).
pub const CONSENT_RETENTION_S: i64 = 4 * 31_557_600;
/// Longest text shown or evidence reference.
pub const MAX_CONSENT_TEXT_CHARS: usize = 4_000;

/// A consent event to record.
#[derive(Debug, Clone, Default)]
pub struct ConsentInput {
    pub billing_account: String,
    pub recipient: String,
    /// `granted` or `revoked`.
    pub action: String,
    pub method: String,
    pub text_shown: Option<String>,
    pub evidence: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    /// When the consent was given (default: now); never in the future.
    pub at: Option<i64>,
}

fn check_text(field: &str, v: &Option<String>) -> Result<(), AppError> {
    if v.as_ref()
        .is_some_and(|t| t.chars().count() > MAX_CONSENT_TEXT_CHARS)
    {
        return Err(AppError::invalid(
            "text_too_long",
            field,
            format!("at most {MAX_CONSENT_TEXT_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_address(i: &ConsentInput) -> Result<(), AppError> {
    if let Some(c) = &i.country {
        if !country::is_known(c) {
            return Err(AppError::invalid(
                "country_invalid",
                "country",
                "an ISO 3166-1 alpha-2 code",
            ));
        }
    }
    if let Some(r) = &i.region {
        let ok = i
            .country
            .as_ref()
            .is_some_and(|c| r.starts_with(&format!("{c}-")) && r.len() <= 6);
        if !ok {
            return Err(AppError::invalid(
                "region_invalid",
                "region",
                "an ISO 3166-2 code of the country (US-TX)",
            ));
        }
    }
    if let Some(z) = &i.time_zone {
        if zone(z).is_none() {
            return Err(AppError::invalid(
                "time_zone_invalid",
                "time_zone",
                format!("`{z}` is not an IANA time zone"),
            ));
        }
        if i.country.is_none() {
            return Err(AppError::invalid(
                "country_required",
                "country",
                "an address with a time zone names its country",
            ));
        }
    }
    Ok(())
}

impl App {
    /// Records a consent event (M2) or an opt-out (M3) for an account in scope.
    pub async fn record_consent(
        &self,
        caller: &Caller,
        i: ConsentInput,
    ) -> Result<ConsentRow, AppError> {
        let ba = self.get_billing_account(caller, &i.billing_account).await?;
        let recipient = e164::normalize(&i.recipient, "recipient")?;
        if !["granted", "revoked"].contains(&i.action.as_str()) {
            return Err(AppError::invalid(
                "action_invalid",
                "action",
                "granted or revoked",
            ));
        }
        if !API_METHODS.contains(&i.method.as_str()) {
            return Err(AppError::invalid(
                "method_invalid",
                "method",
                format!("one of {}", API_METHODS.join(", ")),
            ));
        }
        if i.action == "granted" && i.text_shown.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(AppError::Refused(
                tollgate_core::Refusal::new(
                    "consent_text_required",
                    rules::M2,
                    "prior express written consent is recorded with the text the recipient agreed to",
                )
                .on_field("text_shown"),
            ));
        }
        check_text("text_shown", &i.text_shown)?;
        check_text("evidence", &i.evidence)?;
        check_address(&i)?;
        let now = self.now();
        let at = i.at.unwrap_or(now);
        if at > now {
            return Err(AppError::invalid(
                "at_in_future",
                "at",
                "consent cannot be given later than now",
            ));
        }
        let customer =
            tollgate_store::tenancy::system::get_customer(&self.store, &ba.customer_id).await?;
        let row = ConsentRow {
            id: new_id("con"),
            billing_account_id: ba.id.clone(),
            customer_id: ba.customer_id.clone(),
            partner_id: customer.partner_id,
            recipient,
            action: i.action,
            method: i.method,
            text_shown: i.text_shown,
            evidence: i.evidence,
            country: i.country,
            region: i.region,
            time_zone: i.time_zone,
            at,
            recorded_by: caller.actor.actor.clone(),
            message_id: None,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, &format!("consent.{}", row.action), &row.id, json!({"billing_account": row.billing_account_id, "recipient": row.recipient, "method": row.method})),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.cache_consent(&row);
        Ok(row)
    }

    /// Erases a recipient's consent events once the retention has run (M2, C8): four years
    /// after the later of the last event and the last message to them; refused before.
    pub async fn erase_consents(
        &self,
        caller: &Caller,
        account: &str,
        recipient: &str,
    ) -> Result<u64, AppError> {
        let ba = self.get_billing_account(caller, account).await?;
        let recipient = e164::normalize(recipient, "recipient")?;
        let now = self.now();
        let last = tollgate_store::messaging::system::last_contact(&self.store, &ba.id, &recipient)
            .await?;
        let Some(last) = last else {
            return Err(AppError::NotFound("consent"));
        };
        let until = last + CONSENT_RETENTION_S;
        if now < until {
            return Err(AppError::Refused(
                tollgate_core::Refusal::new(
                    "consent_retained",
                    rules::M2,
                    format!(
                        "consent records are kept four years after the last message or event (until {}); they survive termination (C8)",
                        crate::billing::day_text(until)
                    ),
                )
                .on_field("recipient"),
            ));
        }
        let mut tx = self.store.begin().await?;
        let n =
            tollgate_store::messaging::system::erase_consents(&mut tx, &ba.id, &recipient).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "consent.erase",
                &ba.id,
                json!({"recipient": recipient, "events": n}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.invalidate_messaging_facts(&ba.id);
        Ok(n)
    }

    /// Consent events in scope.
    pub async fn list_consents(
        &self,
        caller: &Caller,
        account: Option<&str>,
        recipient: Option<&str>,
        period: Option<(i64, i64)>,
        page: &tollgate_store::Page,
    ) -> Result<Vec<ConsentRow>, AppError> {
        let recipient = recipient
            .map(|r| e164::normalize(r, "recipient"))
            .transpose()?;
        Ok(msg_store::list_consents(
            &self.store,
            ScopeFilter::of(&caller.scope),
            account,
            recipient.as_deref(),
            period,
            page,
        )
        .await?)
    }

    /// Adds a recipient to an account's suppression list, or (`account` None, the provider's
    /// messaging desk only) to the provider's list for every account (M3).
    pub async fn add_suppression(
        &self,
        caller: &Caller,
        account: Option<&str>,
        recipient: &str,
        reason: &str,
    ) -> Result<SuppressionRow, AppError> {
        let recipient = e164::normalize(recipient, "recipient")?;
        if reason.trim().is_empty() || reason.chars().count() > MAX_CONSENT_TEXT_CHARS {
            return Err(AppError::invalid("reason_required", "reason", "say why"));
        }
        let (ba, customer, partner) = match account {
            Some(a) => {
                let ba = self.get_billing_account(caller, a).await?;
                let c = tollgate_store::tenancy::system::get_customer(&self.store, &ba.customer_id)
                    .await?;
                (Some(ba.id), Some(c.id), c.partner_id)
            }
            None if matches!(caller.scope, tollgate_core::tenancy::Scope::All) => {
                (None, None, None)
            }
            None => {
                return Err(AppError::invalid(
                    "billing_account_required",
                    "billing_account",
                    "the provider's list is the operator's; name your account",
                ))
            }
        };
        let now = self.now();
        let row = SuppressionRow {
            id: new_id("sup"),
            billing_account_id: ba,
            customer_id: customer,
            partner_id: partner,
            recipient,
            reason: reason.trim().into(),
            added_at: now,
            added_by: caller.actor.actor.clone(),
            removed_at: None,
            removed_by: None,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "suppression.add",
                &row.id,
                json!({"recipient": row.recipient, "billing_account": row.billing_account_id}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut m = self.messaging.accounts.lock().expect("messaging lock");
        match &row.billing_account_id {
            Some(a) => {
                if let Some(f) = m.get_mut(a) {
                    f.suppressed.insert(row.recipient.clone());
                }
            }
            None => {
                for f in m.values_mut() {
                    f.suppressed.insert(row.recipient.clone());
                }
            }
        }
        Ok(row)
    }

    /// Removes a suppression entry in scope (kept in the table, marked removed).
    pub async fn remove_suppression(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let entry = tollgate_store::messaging::system::suppression(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("suppression"))?;
        let visible = match (&entry.customer_id, &caller.scope) {
            (_, tollgate_core::tenancy::Scope::All) => true,
            (Some(c), s) => s.sees_customer(c, entry.partner_id.as_deref()),
            (None, _) => false,
        };
        if !visible {
            return Err(AppError::NotFound("suppression"));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !msg_store::remove_suppression(&mut tx, id, &caller.actor.actor, now).await? {
            return Err(AppError::Conflict {
                code: "already_removed",
                message: "the entry was already removed".into(),
            });
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "suppression.remove",
                id,
                json!({"recipient": entry.recipient}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match &entry.billing_account_id {
            Some(a) => self.invalidate_messaging_facts(a),
            None => self
                .messaging
                .accounts
                .lock()
                .expect("messaging lock")
                .clear(),
        }
        Ok(())
    }
}
