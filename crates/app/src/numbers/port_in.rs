//! Port-ins (T7): LOA data, the port-in state machine, portability checks.

use super::*;

impl App {
    /// T7: a new port-in request (draft) with complete LOA data, through the reseller.
    pub async fn create_port_in(
        &self,
        caller: &Caller,
        new: NewPortIn,
    ) -> Result<PortInRow, AppError> {
        let ba = tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &new.billing_account_id,
        )
        .await
        .map_err(|_| {
            AppError::invalid(
                "billing_account_unknown",
                "billing_account_id",
                format!(
                    "no billing account `{}` in your scope",
                    new.billing_account_id
                ),
            )
        })?;
        let mut digits = Vec::with_capacity(new.numbers.len());
        for n in &new.numbers {
            let d = e164::normalize(n, "numbers")?;
            numbers_rules::classify(&d, "numbers")?;
            digits.push(d);
        }
        let loa = Loa {
            holder: new.holder.trim().into(),
            service_address: new.service_address.clone(),
            losing_provider: new.losing_provider.trim().into(),
            account_number: new.account_number.trim().into(),
            signatory: new.signatory.trim().into(),
            existing_service_active: new.existing_service_active,
            numbers: digits.clone(),
        };
        numbers_rules::check_loa(&loa)?;
        let held_elsewhere = self.check_portable(caller, &digits, None).await?;
        let now = self.now();
        let a = &loa.service_address;
        let row = PortInRow {
            id: new_id("pin"),
            customer_id: ba.customer_id.clone(),
            billing_account_id: ba.id.clone(),
            state: PortInState::Draft.as_str().into(),
            holder: loa.holder.clone(),
            street: a.street.clone(),
            city: a.city.clone(),
            postcode: a.postcode.clone(),
            country: a.country.clone(),
            region: a.region.clone(),
            floor: a.floor.clone(),
            room: a.room.clone(),
            losing_provider: loa.losing_provider.clone(),
            account_number: loa.account_number.clone(),
            signatory: loa.signatory.clone(),
            existing_service_active: loa.existing_service_active,
            foc_date: None,
            reason: None,
            created_by: caller.actor.actor.clone(),
            created_at: now,
            updated_at: now,
            numbers: digits,
            partner_id: None,
        };
        let mut tx = self.store.begin().await?;
        numbers_store::insert_port_in(&mut tx, &row).await?;
        numbers_store::insert_transition(
            &mut tx,
            &transition_row(
                &caller.actor,
                "port_in",
                &row.id,
                None,
                "none",
                "draft",
                "create",
                rules::T7,
                "port-in requested",
                now,
            ),
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "port_in.create",
                &row.id,
                json!({"numbers": row.numbers, "losing_provider": row.losing_provider}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.audit_held_elsewhere(caller, &row.id, &held_elsewhere)
            .await?;
        self.port_in_row(caller, &row.id).await
    }

    /// T7 (no slamming): a number the caller already has served, or one of its own submitted
    /// port-ins holds, cannot be ported in; a number of the provider's own available inventory
    /// is not a port at all. What the caller cannot see is not revealed (issue 11 #1, #2): a
    /// number another tenant is served with, or holds in a submitted request, gets exactly the
    /// answer of a number nobody holds here; the request goes on, the conflict is returned
    /// (and audited, for the operator only), and completing it is refused
    /// (`number_already_served`, an operator step) while the other tenant holds the number.
    async fn check_portable(
        &self,
        caller: &Caller,
        digits: &[String],
        this: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let mut held_elsewhere = Vec::new();
        for d in digits {
            if let Some(n) = numbers_store::system::find_by_e164(&self.store, d).await? {
                match n.state.as_str() {
                    "ported_out" => {}
                    "available" => {
                        return Err(Refusal::new(
                            "number_in_inventory",
                            rules::T7,
                            format!("+{d} is in this provider's inventory: reserve it instead of porting it"),
                        )
                        .on_field("numbers")
                        .into())
                    }
                    _ => {
                        let visible = match &n.customer_id {
                            Some(c) => tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), c)
                                .await
                                .is_ok(),
                            None => matches!(caller.scope, tollgate_core::tenancy::Scope::All),
                        };
                        if !visible {
                            held_elsewhere.push(d.clone());
                            continue;
                        }
                        return Err(Refusal::new(
                            "number_already_served",
                            rules::T7,
                            format!("+{d} is already served by this provider"),
                        )
                        .on_field("numbers")
                        .into());
                    }
                }
            }
            for id in numbers_store::system::open_port_ins_with(&self.store, d).await? {
                if Some(id.as_str()) == this {
                    continue;
                }
                if numbers_store::get_port_in(&self.store, ScopeFilter::of(&caller.scope), &id)
                    .await
                    .is_ok()
                {
                    return Err(Refusal::new(
                        "port_in_duplicate",
                        rules::T7,
                        format!("+{d} is already in your submitted port-in {id}"),
                    )
                    .on_field("numbers")
                    .into());
                }
                held_elsewhere.push(d.clone());
                break;
            }
        }
        Ok(held_elsewhere)
    }

    /// Audits numbers of a port-in that another tenant holds (operator-only reading).
    async fn audit_held_elsewhere(
        &self,
        caller: &Caller,
        port_in: &str,
        numbers: &[String],
    ) -> Result<(), AppError> {
        if numbers.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                self.now(),
                "port_in.held_elsewhere",
                port_in,
                json!({"numbers": numbers, "rule": "T7", "note": "another tenant holds these numbers; completion is refused while it does"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    pub(super) async fn port_in_row(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<PortInRow, AppError> {
        numbers_store::get_port_in(&self.store, ScopeFilter::of(&caller.scope), id)
            .await
            .map_err(not_found("port-in"))
    }

    pub async fn list_port_ins(
        &self,
        caller: &Caller,
        state: Option<&str>,
        page: &Page,
    ) -> Result<Vec<PortInRow>, AppError> {
        if let Some(s) = state {
            if PortInState::parse(s).is_none() {
                let all: Vec<&str> = PortInState::ALL.iter().map(|s| s.as_str()).collect();
                return Err(filter_invalid("state", s, &all.join(", ")));
            }
        }
        Ok(
            numbers_store::list_port_ins(&self.store, ScopeFilter::of(&caller.scope), state, page)
                .await?,
        )
    }

    pub async fn port_in_detail(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<PortInDetail, AppError> {
        let p = self.port_in_row(caller, id).await?;
        let flagged = match &p.partner_id {
            Some(pid) => {
                !numbers_store::open_flags(&self.store, ScopeFilter::of(&caller.scope), pid)
                    .await?
                    .is_empty()
            }
            None => false,
        };
        Ok(PortInDetail {
            documents: numbers_store::documents_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                Some(&p.id),
                None,
            )
            .await?,
            document_requests: numbers_store::doc_requests_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                Some(&p.id),
                None,
            )
            .await?,
            transitions: numbers_store::transitions_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                &p.id,
            )
            .await?,
            partner_nonresponsive: flagged,
            port_in: p,
        })
    }

    /// Moves a port-in: submit (needs the LOA document, T7), accept, schedule (FOC date),
    /// complete (the numbers become active: their Activation Date is the port completion,
    /// B2), reject, cancel.
    pub async fn port_in_event(
        &self,
        caller: &Caller,
        id: &str,
        event: PortInEvent,
        foc_date: Option<i64>,
        reason: Option<&str>,
    ) -> Result<PortInRow, AppError> {
        let p = self.port_in_row(caller, id).await?;
        let reason = opt_text_field("reason", reason)?;
        let now = self.now();
        let state = port_in_state(&p)?;
        let requests = numbers_store::doc_requests_of(
            &self.store,
            ScopeFilter::of(&caller.scope),
            Some(&p.id),
            None,
        )
        .await?;
        let docs = numbers_store::documents_of(
            &self.store,
            ScopeFilter::of(&caller.scope),
            Some(&p.id),
            None,
        )
        .await?;
        let facts = PortInFacts {
            state,
            foc_date: p.foc_date,
            open_document_requests: requests
                .iter()
                .filter(|r| r.state == "open" || r.state == "missed")
                .count(),
            emergency_ack: self.has_current_ack(&p.customer_id).await?,
        };
        let to = match numbers_rules::decide_port_in(event, &facts, foc_date, now) {
            Ok(to) => to,
            Err(r) => return Err(self.with_profile_clause(r, Some(&p.customer_id)).await),
        };
        if event == PortInEvent::Submit {
            numbers_rules::check_loa(&loa_of(&p))?;
            if !docs.iter().any(|d| d.kind == "loa") {
                return Err(Refusal::new(
                    "loa_document_missing",
                    rules::T7,
                    "upload the signed letter of authorisation (kind `loa`) before submitting",
                )
                .into());
            }
            let held = self.check_portable(caller, &p.numbers, Some(&p.id)).await?;
            self.audit_held_elsewhere(caller, &p.id, &held).await?;
        }
        let mut new_numbers: Vec<(NumberRow, Option<NumberRow>)> = Vec::new();
        if event == PortInEvent::Complete {
            let identity = docs.iter().any(|d| d.kind == "identity");
            let no_trunking = self.no_trunking_of(&p.customer_id).await?;
            for d in &p.numbers {
                let info = numbers_rules::classify(d, "numbers")?;
                let existing = numbers_store::system::find_by_e164(&self.store, d).await?;
                if let Some(e) = &existing {
                    if !matches!(e.state.as_str(), "ported_out" | "available") {
                        return Err(Refusal::new(
                            "number_already_served",
                            rules::T7,
                            format!("+{d} is already served by this provider"),
                        )
                        .into());
                    }
                }
                let facts = NumberFacts {
                    address_country: Some(p.country.clone()),
                    identity_document: identity,
                    ..NumberFacts::new(NumberState::Reserved, info.country, info.number_type)
                };
                if let Err(r) = numbers_rules::check_numbering_rules(&facts) {
                    return Err(self.with_profile_clause(r, Some(&p.customer_id)).await);
                }
                let caps = info.number_type.default_capabilities();
                let row = NumberRow {
                    id: existing
                        .as_ref()
                        .map(|e| e.id.clone())
                        .unwrap_or_else(|| new_id("num")),
                    e164: d.clone(),
                    country: info.country.into(),
                    number_type: info.number_type.as_str().into(),
                    capabilities: existing
                        .as_ref()
                        .map(|e| e.capabilities.clone())
                        .unwrap_or_else(|| numbers_rules::capabilities_text(&caps)),
                    state: NumberState::Active.as_str().into(),
                    customer_id: Some(p.customer_id.clone()),
                    billing_account_id: Some(p.billing_account_id.clone()),
                    reserved_at: Some(now),
                    provider_verified_at: Some(now),
                    provider_verified_by: Some(caller.actor.actor.clone()),
                    customer_confirmed_at: Some(now),
                    customer_confirmed_by: Some(format!("loa:{}", p.signatory)),
                    confirm_method: Some("written".into()),
                    activated_at: Some(now),
                    quarantine_until: None,
                    suspended_reason: None,
                    suspension_ref: None,
                    cnam: None,
                    no_trunking,
                    routing: Routing::Direct.as_str().into(),
                    origin: "port_in".into(),
                    created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
                    updated_at: now,
                    partner_id: None,
                };
                new_numbers.push((row, existing));
            }
        }
        let mut m = p.clone();
        m.state = to.as_str().into();
        m.updated_at = now;
        if event == PortInEvent::Schedule {
            m.foc_date = foc_date;
        }
        if matches!(event, PortInEvent::Reject | PortInEvent::Cancel) {
            m.reason = reason.clone();
        }
        let rule = match event {
            PortInEvent::Complete => rules::B2,
            _ => rules::T7,
        };
        let why = reason.unwrap_or_else(|| match event {
            PortInEvent::Schedule => {
                format!("firm order commitment date {}", foc_date.unwrap_or(0))
            }
            PortInEvent::Complete => "port completed: the Activation Date starts billing".into(),
            e => format!("port-in {}", e.as_str()),
        });
        let mut tx = self.store.begin().await?;
        numbers_store::update_port_in(&mut tx, &m, &p.state).await?;
        numbers_store::insert_transition(
            &mut tx,
            &transition_row(
                &caller.actor,
                "port_in",
                &p.id,
                None,
                &p.state,
                &m.state,
                event.as_str(),
                rule,
                &why,
                now,
            ),
        )
        .await?;
        for (row, existing) in &new_numbers {
            match existing {
                Some(e) => numbers_store::update_number(&mut tx, row, &e.state).await?,
                None => numbers_store::insert_number(&mut tx, row).await?,
            }
            let from = existing
                .as_ref()
                .map(|e| e.state.as_str())
                .unwrap_or("none");
            numbers_store::insert_transition(
                &mut tx,
                &transition_row(
                    &caller.actor,
                    "number",
                    &row.id,
                    Some(&row.e164),
                    from,
                    "active",
                    "port_in_complete",
                    rules::B2,
                    &format!("ported in from {} (port-in {})", p.losing_provider, p.id),
                    now,
                ),
            )
            .await?;
            let addr = Address {
                street: p.street.clone(),
                city: p.city.clone(),
                postcode: p.postcode.clone(),
                country: p.country.clone(),
                region: p.region.clone(),
                floor: p.floor.clone(),
                room: p.room.clone(),
            };
            numbers_store::insert_address(
                &mut tx,
                &address_row(&row.id, &addr, &caller.actor.actor, now, now),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                &format!("port_in.{}", event.as_str()),
                &p.id,
                json!({"from": p.state, "to": m.state, "foc_date": m.foc_date, "rule": rule.rule, "clause": rule.clause}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.port_in_row(caller, &p.id).await
    }
}
