//! Emergency (T13): addresses, acknowledgements, contacts, emergency-call notifications.

use super::*;

impl App {
    /// T13: registers a number's emergency service address. The first address (or any before
    /// the number is in service) applies at once; a change of a number in service applies
    /// after [`numbers_rules::ADDRESS_CHANGE_PENDING_S`] and the old address is used meanwhile. A newer
    /// change withdraws an older one not yet applied. History is kept.
    pub async fn set_emergency_address(
        &self,
        caller: &Caller,
        id: &str,
        address: &Address,
    ) -> Result<AddressRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let state = state_of(&n)?;
        if !matches!(
            state,
            NumberState::Reserved
                | NumberState::Active
                | NumberState::Suspended
                | NumberState::PortOutPending
        ) {
            return Err(Refusal::new(
                "address_not_applicable",
                rules::T13,
                format!(
                    "+{} is {}: no emergency address can be registered",
                    n.e164, n.state
                ),
            )
            .into());
        }
        numbers_rules::check_address(address)?;
        let now = self.now();
        let rows = self.holder_addresses(&n).await?;
        let has_current = address_in_force(&rows, now).is_some();
        let pending_s = match &n.customer_id {
            Some(c) => self
                .profile_of_customer(c)
                .await?
                .map(|p| i64::from(p.telephony.emergency_address_pending_h) * 3600),
            None => None,
        }
        .unwrap_or(numbers_rules::ADDRESS_CHANGE_PENDING_S);
        let effective_at = numbers_rules::address_effective_at(state, has_current, now, pending_s);
        let row = address_row(&n.id, address, &caller.actor.actor, now, effective_at);
        let mut tx = self.store.begin().await?;
        let withdrawn = numbers_store::withdraw_pending_addresses(&mut tx, &n.id, now).await?;
        numbers_store::insert_address(&mut tx, &row).await?;
        record_step(
            &mut tx,
            &caller.actor,
            &n,
            "emergency_address",
            rules::T13,
            &if effective_at > now {
                format!("address change registered; applies in {} h, the old address is used meanwhile", pending_s / 3600)
            } else {
                "address registered".to_string()
            },
            json!({"e164": format!("+{}", n.e164), "address": address.one_line(), "effective_at": effective_at, "withdrawn_pending": withdrawn}),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// T13: records the customer's written acknowledgement of the emergency-call limitations.
    pub async fn acknowledge_emergency(
        &self,
        caller: &Caller,
        customer_id: &str,
        text_version: &str,
        signer_name: &str,
    ) -> Result<AckRow, AppError> {
        let c =
            tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), customer_id)
                .await
                .map_err(not_found("customer"))?;
        if text_version != numbers_rules::EMERGENCY_ACK_TEXT_VERSION {
            return Err(AppError::invalid(
                "ack_text_version_outdated",
                "text_version",
                format!(
                    "the current text is version {} (GET /v1/emergency-acknowledgements/text)",
                    numbers_rules::EMERGENCY_ACK_TEXT_VERSION
                ),
            ));
        }
        let signer = text_field("signer_name", signer_name)?;
        let now = self.now();
        let row = AckRow {
            id: new_id("eak"),
            customer_id: c.id.clone(),
            text_version: text_version.into(),
            signer_name: signer,
            acknowledged_by: caller.actor.actor.clone(),
            acknowledged_at: now,
        };
        let mut tx = self.store.begin().await?;
        numbers_store::insert_ack(&mut tx, &row).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "emergency.acknowledge",
                &c.id,
                json!({"text_version": row.text_version, "signer_name": row.signer_name, "rule": "T13"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn emergency_acks(
        &self,
        caller: &Caller,
        customer_id: &str,
    ) -> Result<Vec<AckRow>, AppError> {
        let c =
            tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), customer_id)
                .await
                .map_err(not_found("customer"))?;
        Ok(numbers_store::acks_of(&self.store, ScopeFilter::of(&caller.scope), &c.id).await?)
    }

    /// T13: the customer's designated contact, notified of every emergency call.
    pub async fn set_emergency_contact(
        &self,
        caller: &Caller,
        customer_id: &str,
        name: &str,
        email: &str,
    ) -> Result<ContactRow, AppError> {
        let c =
            tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), customer_id)
                .await
                .map_err(not_found("customer"))?;
        let name = text_field("name", name)?;
        let email = email.trim();
        let valid = email.len() <= MAX_EMAIL_CHARS
            && email
                .split_once('@')
                .is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.'))
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(AppError::invalid(
                "email_invalid",
                "email",
                "must be an e-mail address",
            ));
        }
        let now = self.now();
        let row = ContactRow {
            customer_id: c.id.clone(),
            name,
            email: email.to_string(),
            updated_by: caller.actor.actor.clone(),
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        numbers_store::set_contact(&mut tx, &row).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "emergency.contact",
                &c.id,
                json!({"name": row.name, "email": row.email}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// T13: the address in force at `at` for an emergency call from `digits`, with the
    /// call-back number. Pending changes apply only after their 48 h.
    pub async fn emergency_address_at(
        &self,
        digits: &str,
        at: i64,
    ) -> Result<Option<EmergencyInfo>, AppError> {
        let digits = digits.strip_prefix('+').unwrap_or(digits);
        let Some(n) = numbers_store::system::find_by_e164(&self.store, digits).await? else {
            return Ok(None);
        };
        let rows = self.holder_addresses(&n).await?;
        Ok(address_in_force(&rows, at).map(|a| EmergencyInfo {
            address: address_of(a).one_line(),
            callback: format!("+{}", n.e164),
        }))
    }

    /// T13: places a notification of an emergency call in the outbox, to the customer's
    /// designated contact (the customer's record when none is designated).
    pub async fn notify_emergency_call(
        &self,
        digits: &str,
        at: i64,
        destination: &str,
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        self.emergency_notice_in(&mut tx, digits, at, destination)
            .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// The T13 notice and its audit entry, in the caller's transaction (the guard's write
    /// queue writes it behind the answer).
    pub(crate) async fn emergency_notice_in(
        &self,
        tx: &mut tollgate_store::Tx,
        digits: &str,
        at: i64,
        destination: &str,
    ) -> Result<(), AppError> {
        let digits = digits.strip_prefix('+').unwrap_or(digits);
        let n = numbers_store::system::find_by_e164(&self.store, digits).await?;
        let customer = n.as_ref().and_then(|n| n.customer_id.clone());
        let contact = match &customer {
            Some(c) => numbers_store::system::contact_of(&self.store, c).await?,
            None => None,
        };
        let recipient = match (&contact, &customer) {
            (Some(c), _) => c.email.clone(),
            (None, Some(c)) => {
                tracing::warn!(customer = %c, "emergency call without a designated contact");
                format!("customer:{c}")
            }
            (None, None) => "operator".to_string(),
        };
        let info = self.emergency_address_at(digits, at).await?;
        let when = jiff::Timestamp::from_second(at)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| at.to_string());
        let body = format!(
            "An emergency call was placed from +{digits} to {destination} at {when}.\n\
             Registered address: {}\nCall-back number: +{digits}\n",
            info.as_ref()
                .map(|i| i.address.as_str())
                .unwrap_or("(none registered)")
        );
        let actor = Actor {
            actor: "system:guard".into(),
            source: "guard".into(),
            request_id: new_id("req"),
        };
        outbox::enqueue(
            &mut *tx,
            &outbox::OutboxRow {
                id: new_id("obx"),
                at,
                channel: "email".into(),
                recipient,
                subject: format!("Emergency call from +{digits} to {destination}"),
                body,
                rule: rules::T13.rule.into(),
            },
        )
        .await?;
        audit::append(
            &mut *tx,
            &audit_row(
                &actor,
                at,
                "emergency.call",
                n.as_ref().map(|n| n.id.as_str()).unwrap_or(digits),
                json!({"from": format!("+{digits}"), "to": destination, "address": info.map(|i| i.address), "rule": "T13"}),
            ),
        )
        .await?;
        Ok(())
    }
}
