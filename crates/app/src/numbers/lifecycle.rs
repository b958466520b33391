//! The number state machine (T6-T10, B2, B11): reservation, verification, confirmation,
//! activation, release into quarantine, suspension and resumption.

use super::*;

impl App {
    /// T10: reserves an available number for a billing account (provisional).
    pub async fn reserve_number(
        &self,
        caller: &Caller,
        id: &str,
        billing_account_id: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.number_in_scope(caller, id).await?;
        let ba = tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            billing_account_id,
        )
        .await
        .map_err(|_| {
            AppError::invalid(
                "billing_account_unknown",
                "billing_account_id",
                format!("no billing account `{billing_account_id}` in your scope"),
            )
        })?;
        if !numbers_store::system::open_port_ins_with(&self.store, &n.e164)
            .await?
            .is_empty()
        {
            return Err(Refusal::new(
                "number_in_port_in",
                rules::T7,
                format!("+{} is part of an open port-in request", n.e164),
            )
            .into());
        }
        let now = self.now();
        let t = numbers_rules::decide(NumberEvent::Reserve, &self.facts(&n, now).await?, now)?;
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.customer_id = Some(ba.customer_id.clone());
        m.billing_account_id = Some(ba.id.clone());
        m.reserved_at = Some(now);
        m.provider_verified_at = None;
        m.provider_verified_by = None;
        m.customer_confirmed_at = None;
        m.customer_confirmed_by = None;
        m.confirm_method = None;
        m.activated_at = None;
        m.quarantine_until = None;
        m.cnam = None;
        m.routing = Routing::Direct.as_str().into();
        m.no_trunking = self.no_trunking_of(&ba.customer_id).await?;
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        record(
            &mut tx,
            &caller.actor,
            &m,
            &t,
            &format!("provisional for billing account {}", ba.id),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    pub(super) async fn reload(&self, id: &str) -> Result<NumberRow, AppError> {
        numbers_store::system::get_number(&self.store, id)
            .await
            .map_err(not_found("number"))
    }

    /// Applies `event` to the number and records it; `change` adjusts the other columns.
    pub(super) async fn apply_event(
        &self,
        actor: &Actor,
        n: &NumberRow,
        event: NumberEvent,
        reason: &str,
        change: impl FnOnce(&mut NumberRow),
    ) -> Result<NumberRow, AppError> {
        let now = self.now();
        let t = match numbers_rules::decide(event, &self.facts(n, now).await?, now) {
            Ok(t) => t,
            Err(r) => return Err(self.with_profile_clause(r, n.customer_id.as_deref()).await),
        };
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.updated_at = now;
        change(&mut m);
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        record(&mut tx, actor, &m, &t, reason, now).await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// T10: gives a provisional number back to the inventory.
    pub async fn unreserve_number(
        &self,
        caller: &Caller,
        id: &str,
        reason: Option<&str>,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let reason =
            opt_text_field("reason", reason)?.unwrap_or_else(|| "reservation withdrawn".into());
        self.apply_event(&caller.actor, &n, NumberEvent::Unreserve, &reason, |m| {
            m.customer_id = None;
            m.billing_account_id = None;
            m.reserved_at = None;
            m.provider_verified_at = None;
            m.provider_verified_by = None;
            m.customer_confirmed_at = None;
            m.customer_confirmed_by = None;
            m.confirm_method = None;
            m.no_trunking = false;
        })
        .await
    }

    fn require_reserved(n: &NumberRow, what: &str) -> Result<(), AppError> {
        if n.state != NumberState::Reserved.as_str() {
            return Err(Refusal::new(
                "number_not_reserved",
                rules::T10,
                format!(
                    "only a provisional (reserved) number can be {what}; +{} is {}",
                    n.e164, n.state
                ),
            )
            .into());
        }
        Ok(())
    }

    /// T10: the provider verified the provisional number.
    pub async fn verify_number(
        &self,
        caller: &Caller,
        id: &str,
        note: Option<&str>,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        Self::require_reserved(&n, "verified")?;
        let note =
            opt_text_field("note", note)?.unwrap_or_else(|| "verified by the provider".into());
        let now = self.now();
        let mut m = n.clone();
        m.provider_verified_at = Some(now);
        m.provider_verified_by = Some(caller.actor.actor.clone());
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        record_step(
            &mut tx,
            &caller.actor,
            &m,
            "provider_verify",
            rules::T10,
            &note,
            json!({"e164": format!("+{}", m.e164)}),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// T10: the customer confirmed the provisional number (e.g. a recorded test call).
    pub async fn confirm_number(
        &self,
        caller: &Caller,
        id: &str,
        method: &str,
        note: Option<&str>,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        if !CONFIRM_METHODS.contains(&method) {
            return Err(AppError::invalid(
                "confirm_method_invalid",
                "method",
                format!("must be one of {}", CONFIRM_METHODS.join(", ")),
            ));
        }
        Self::require_reserved(&n, "confirmed")?;
        let note = opt_text_field("note", note)?
            .unwrap_or_else(|| format!("confirmed by the customer ({method})"));
        let now = self.now();
        let mut m = n.clone();
        m.customer_confirmed_at = Some(now);
        m.customer_confirmed_by = Some(caller.actor.actor.clone());
        m.confirm_method = Some(method.into());
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        record_step(
            &mut tx,
            &caller.actor,
            &m,
            "customer_confirm",
            rules::T10,
            &note,
            json!({"e164": format!("+{}", m.e164), "method": method}),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// T10, T13, T11: activates a verified and confirmed number with a registered address and
    /// the customer's acknowledgement; the Activation Date starts billing (B2).
    pub async fn activate_number(&self, caller: &Caller, id: &str) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let customer = n.customer_id.clone().unwrap_or_default();
        let no_trunking = self.no_trunking_of(&customer).await?;
        let now = self.now();
        self.apply_event(
            &caller.actor,
            &n,
            NumberEvent::Activate,
            "activated: the Activation Date starts billing",
            |m| {
                m.activated_at = Some(now);
                m.no_trunking = no_trunking;
            },
        )
        .await
    }

    /// T9: releases a number at cancellation or termination; it goes to quarantine for the
    /// profile's `telephony.number_quarantine_days`.
    pub async fn release_number(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let reason = text_field("reason", reason)?;
        self.release(&caller.actor, &n, &reason).await
    }

    pub(crate) async fn release(
        &self,
        actor: &Actor,
        n: &NumberRow,
        reason: &str,
    ) -> Result<NumberRow, AppError> {
        let now = self.now();
        let days = match &n.customer_id {
            Some(c) => self
                .profile_of_customer(c)
                .await?
                .map(|p| p.telephony.number_quarantine_days)
                .unwrap_or(numbers_rules::DEFAULT_QUARANTINE_DAYS),
            None => numbers_rules::DEFAULT_QUARANTINE_DAYS,
        };
        let facts = self.facts(n, now).await?;
        let released = numbers_rules::decide(NumberEvent::Release, &facts, now)?;
        let quarantined = numbers_rules::decide(
            NumberEvent::StartQuarantine,
            &NumberFacts {
                state: released.to,
                ..facts
            },
            now,
        )?;
        let until = numbers_rules::quarantine_until(now, days);
        let mut m = n.clone();
        m.state = quarantined.to.as_str().into();
        m.quarantine_until = Some(until);
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        record(&mut tx, actor, &m, &released, reason, now).await?;
        record(
            &mut tx,
            actor,
            &m,
            &quarantined,
            &format!("quarantine for {days} days"),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// B11 (or T11): the provider suspends a number.
    pub async fn suspend_number(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let reason = text_field("reason", reason)?;
        let r = reason.clone();
        self.apply_event(&caller.actor, &n, NumberEvent::Suspend, &reason, |m| {
            m.suspended_reason = Some(r);
            m.suspension_ref = None;
        })
        .await
    }

    /// B11: the cause is resolved; the number is active again.
    pub async fn resume_number(
        &self,
        caller: &Caller,
        id: &str,
        reason: Option<&str>,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let reason = opt_text_field("reason", reason)?.unwrap_or_else(|| "resumed".into());
        self.apply_event(&caller.actor, &n, NumberEvent::Resume, &reason, |m| {
            m.suspended_reason = None;
            m.suspension_ref = None;
        })
        .await
    }
}
