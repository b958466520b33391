//! Documents and document requests with deadlines (B11), non-responsive flags.

use super::*;

impl App {
    /// Stores a document (size and type limits; content stored as base64 text) and fulfils
    /// the subject's open or missed requests of that kind. A late arrival clears the partner's
    /// non-responsive flag and resumes the numbers the missed request suspended (B11).
    pub async fn upload_document(
        &self,
        caller: &Caller,
        subject: DocSubject<'_>,
        doc: NewDocument,
    ) -> Result<DocumentRow, AppError> {
        let (port_in_id, number_id) = match subject {
            DocSubject::PortIn(id) => {
                let p = self.port_in_row(caller, id).await?;
                if port_in_state(&p)?.is_final() {
                    return Err(Refusal::new(
                        "port_in_state_invalid",
                        rules::T7,
                        format!("the port-in is {}: no more documents", p.state),
                    )
                    .into());
                }
                (Some(p.id), None)
            }
            DocSubject::Number(id) => (None, Some(self.assigned_number(caller, id).await?.id)),
        };
        numbers_rules::check_document_kind(&doc.kind)?;
        let filename = text_field("filename", &doc.filename)?;
        let bytes = numbers_rules::decode_base64(
            &doc.content_base64,
            numbers_rules::MAX_DOCUMENT_BYTES,
            "content_base64",
        )?;
        numbers_rules::check_document(&doc.content_type, &bytes)?;
        let existing = numbers_store::documents_of(
            &self.store,
            ScopeFilter::of(&caller.scope),
            port_in_id.as_deref(),
            number_id.as_deref(),
        )
        .await?;
        if existing.len() >= numbers_rules::MAX_DOCUMENTS_PER_SUBJECT {
            return Err(AppError::invalid(
                "too_many_documents",
                "content_base64",
                format!(
                    "at most {} documents",
                    numbers_rules::MAX_DOCUMENTS_PER_SUBJECT
                ),
            ));
        }
        let now = self.now();
        let row = DocumentRow {
            id: new_id("doc"),
            port_in_id: port_in_id.clone(),
            number_id: number_id.clone(),
            kind: doc.kind.clone(),
            filename,
            content_type: doc.content_type.clone(),
            size_bytes: bytes.len() as i64,
            sha256: Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            content_base64: doc.content_base64.split_whitespace().collect(),
            uploaded_by: caller.actor.actor.clone(),
            uploaded_at: now,
        };
        let requests = numbers_store::doc_requests_of(
            &self.store,
            ScopeFilter::of(&caller.scope),
            port_in_id.as_deref(),
            number_id.as_deref(),
        )
        .await?;
        let mut tx = self.store.begin().await?;
        numbers_store::insert_document(&mut tx, &row).await?;
        for r in requests.iter().filter(|r| r.kind == row.kind) {
            match r.state.as_str() {
                "open" => {
                    numbers_store::resolve_doc_request(&mut tx, &r.id, "open", "fulfilled", now)
                        .await?
                }
                "missed" => {
                    numbers_store::resolve_doc_request(
                        &mut tx,
                        &r.id,
                        "missed",
                        "fulfilled_late",
                        now,
                    )
                    .await?;
                    numbers_store::clear_flags_for(&mut tx, &r.id, now).await?;
                    for d in r.affected.split(',').filter(|d| !d.is_empty()) {
                        let Some(n) = numbers_store::system::find_by_e164(&self.store, d).await?
                        else {
                            continue;
                        };
                        if n.state != "suspended" || n.suspension_ref.as_deref() != Some(&r.id) {
                            continue;
                        }
                        // Another missed request still holds the number: it stays suspended,
                        // now on that request's account (B11).
                        let resolving: Vec<&str> = requests
                            .iter()
                            .filter(|q| q.kind == row.kind && q.state == "missed")
                            .map(|q| q.id.as_str())
                            .collect();
                        let still =
                            numbers_store::system::missed_requests_affecting(&self.store, d)
                                .await?;
                        if let Some(other) =
                            still.iter().find(|id| !resolving.contains(&id.as_str()))
                        {
                            let mut m = n.clone();
                            m.suspension_ref = Some(other.clone());
                            m.updated_at = now;
                            numbers_store::update_number(&mut tx, &m, &n.state).await?;
                            continue;
                        }
                        let t = numbers_rules::decide(
                            NumberEvent::Resume,
                            &self.facts(&n, now).await?,
                            now,
                        )?;
                        let mut m = n.clone();
                        m.state = t.to.as_str().into();
                        m.suspended_reason = None;
                        m.suspension_ref = None;
                        m.updated_at = now;
                        numbers_store::update_number(&mut tx, &m, &n.state).await?;
                        record(
                            &mut tx,
                            &caller.actor,
                            &m,
                            &t,
                            &format!("requested documents arrived ({})", r.id),
                            now,
                        )
                        .await?;
                    }
                }
                _ => {}
            }
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "document.upload",
                &row.id,
                json!({"port_in_id": row.port_in_id, "number_id": row.number_id, "kind": row.kind, "size_bytes": row.size_bytes, "sha256": row.sha256}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// B11: the provider requests documents from the partner by a deadline. `numbers` names
    /// the DIDs affected if it is missed (default: the number itself, or the port-in's numbers
    /// already in service for the customer).
    #[allow(clippy::too_many_arguments)]
    pub async fn request_documents(
        &self,
        caller: &Caller,
        subject: DocSubject<'_>,
        kind: &str,
        deadline: i64,
        on_miss: Option<&str>,
        note: Option<&str>,
        numbers: &[String],
    ) -> Result<DocRequestRow, AppError> {
        if numbers.len() > numbers_rules::MAX_NUMBERS_PER_PORT_IN {
            return Err(AppError::invalid(
                "too_many_numbers",
                "numbers",
                format!(
                    "at most {} numbers per request",
                    numbers_rules::MAX_NUMBERS_PER_PORT_IN
                ),
            ));
        }
        let (port_in_id, number_id, customer_id, mut affected) = match subject {
            DocSubject::PortIn(id) => {
                let p = self.port_in_row(caller, id).await?;
                if port_in_state(&p)?.is_final() {
                    return Err(Refusal::new(
                        "port_in_state_invalid",
                        rules::T7,
                        format!("the port-in is {}", p.state),
                    )
                    .into());
                }
                let mut affected = Vec::new();
                for d in &p.numbers {
                    if let Some(n) = numbers_store::system::find_by_e164(&self.store, d).await? {
                        if n.customer_id.as_deref() == Some(&p.customer_id) && n.state == "active" {
                            affected.push(n.e164);
                        }
                    }
                }
                (Some(p.id), None, p.customer_id, affected)
            }
            DocSubject::Number(id) => {
                let n = self.assigned_number(caller, id).await?;
                let c = n.customer_id.clone().unwrap_or_default();
                (None, Some(n.id), c, vec![n.e164])
            }
        };
        numbers_rules::check_document_kind(kind)?;
        let now = self.now();
        numbers_rules::check_deadline(deadline, now)?;
        let policy = match on_miss {
            None => numbers_rules::DEFAULT_MISS_POLICY,
            Some(p) => MissPolicy::parse(p).ok_or_else(|| {
                AppError::invalid("on_miss_invalid", "on_miss", "must be suspend or flag_only")
            })?,
        };
        let note = opt_text_field("note", note)?.unwrap_or_default();
        for d in numbers {
            let digits = e164::normalize(d, "numbers")?;
            let n = numbers_store::system::find_by_e164(&self.store, &digits).await?;
            if n.as_ref().and_then(|n| n.customer_id.as_deref()) != Some(customer_id.as_str()) {
                return Err(AppError::invalid(
                    "number_unknown",
                    "numbers",
                    format!("+{digits} is not a number of this customer"),
                ));
            }
            if !affected.contains(&digits) {
                affected.push(digits);
            }
        }
        let customer = tenancy_store::system::get_customer(&self.store, &customer_id).await?;
        let row = DocRequestRow {
            id: new_id("drq"),
            port_in_id,
            number_id,
            customer_id,
            partner_id: customer.partner_id.clone(),
            kind: kind.into(),
            deadline,
            on_miss: policy.as_str().into(),
            affected: affected.join(","),
            state: "open".into(),
            note,
            requested_by: caller.actor.actor.clone(),
            requested_at: now,
            resolved_at: None,
        };
        let mut tx = self.store.begin().await?;
        numbers_store::insert_doc_request(&mut tx, &row).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "document.request",
                &row.id,
                json!({"kind": row.kind, "deadline": row.deadline, "on_miss": row.on_miss, "affected": row.affected, "rule": "B11"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// Open flags of a partner (B11 non-responsiveness).
    pub async fn nonresponsive_flags(
        &self,
        caller: &Caller,
        partner_id: &str,
    ) -> Result<Vec<FlagRow>, AppError> {
        Ok(
            numbers_store::open_flags(&self.store, ScopeFilter::of(&caller.scope), partner_id)
                .await?,
        )
    }
}
