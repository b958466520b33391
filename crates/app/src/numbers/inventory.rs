//! Inventory: import (lines and CSV), lists, detail and history.

use super::*;

impl App {
    /// Adds numbers to the inventory as `available`. Valid lines are added; refused lines are
    /// reported with their line number (1-based, the CSV header is line 1).
    pub async fn import_numbers(
        &self,
        caller: &Caller,
        lines: Vec<NumberImportLine>,
        first_line: usize,
    ) -> Result<ImportReport, AppError> {
        if lines.len() > numbers_rules::MAX_IMPORT_NUMBERS {
            return Err(AppError::invalid(
                "too_many_numbers",
                "numbers",
                format!(
                    "at most {} numbers per import",
                    numbers_rules::MAX_IMPORT_NUMBERS
                ),
            ));
        }
        let now = self.now();
        let mut rejected = Vec::new();
        let mut rows: Vec<NumberRow> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, l) in lines.iter().enumerate() {
            let line = first_line + i;
            let reject = |r: Refusal| LineError {
                line,
                code: r.code.into(),
                field: r.field.unwrap_or("e164").into(),
                message: r.message,
            };
            let checked = e164::normalize(&l.e164, "e164").and_then(|d| {
                let info = numbers_rules::classify(&d, "e164")?;
                let caps = match l.capabilities.as_deref().filter(|c| !c.trim().is_empty()) {
                    Some(c) => numbers_rules::parse_capabilities(c, "capabilities")?,
                    None => info.number_type.default_capabilities(),
                };
                Ok((info, caps))
            });
            let (info, caps) = match checked {
                Ok(v) => v,
                Err(r) => {
                    rejected.push(reject(r));
                    continue;
                }
            };
            if !seen.insert(info.digits.clone())
                || numbers_store::system::find_by_e164(&self.store, &info.digits)
                    .await?
                    .is_some()
            {
                rejected.push(LineError {
                    line,
                    code: "number_exists".into(),
                    field: "e164".into(),
                    message: format!("+{} is already in the inventory", info.digits),
                });
                continue;
            }
            rows.push(NumberRow {
                id: new_id("num"),
                e164: info.digits,
                country: info.country.into(),
                number_type: info.number_type.as_str().into(),
                capabilities: numbers_rules::capabilities_text(&caps),
                state: NumberState::Available.as_str().into(),
                customer_id: None,
                billing_account_id: None,
                reserved_at: None,
                provider_verified_at: None,
                provider_verified_by: None,
                customer_confirmed_at: None,
                customer_confirmed_by: None,
                confirm_method: None,
                activated_at: None,
                quarantine_until: None,
                suspended_reason: None,
                suspension_ref: None,
                cnam: None,
                no_trunking: false,
                routing: Routing::Direct.as_str().into(),
                origin: "inventory".into(),
                created_at: now,
                updated_at: now,
                partner_id: None,
            });
        }
        let mut tx = self.store.begin().await?;
        for n in &rows {
            numbers_store::insert_number(&mut tx, n).await?;
            numbers_store::insert_transition(
                &mut tx,
                &transition_row(
                    &caller.actor,
                    "number",
                    &n.id,
                    Some(&n.e164),
                    "none",
                    "available",
                    "import",
                    rules::T10,
                    "added to the inventory",
                    now,
                ),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "number.import",
                "numbers",
                json!({"inserted": rows.len(), "rejected": rejected.len()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(ImportReport {
            inserted: rows,
            rejected,
        })
    }

    /// Imports a CSV with columns `e164` and optionally `capabilities`.
    pub async fn import_numbers_csv(
        &self,
        caller: &Caller,
        text: &[u8],
    ) -> Result<ImportReport, AppError> {
        let mut rdr = crate::csv_in::reader(text);
        let headers = rdr
            .headers()
            .map_err(|e| AppError::invalid("csv_invalid", "header", e.to_string()))?
            .clone();
        let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
        let Some(e) = col("e164") else {
            return Err(AppError::invalid(
                "column_missing",
                "e164",
                "the header has no `e164` column",
            ));
        };
        let caps = col("capabilities");
        let mut lines = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| AppError::invalid("csv_invalid", "body", e.to_string()))?;
            lines.push(NumberImportLine {
                e164: rec.get(e).unwrap_or("").to_string(),
                capabilities: caps.and_then(|c| rec.get(c)).map(str::to_string),
            });
        }
        self.import_numbers(caller, lines, 2).await
    }

    pub async fn list_numbers(
        &self,
        caller: &Caller,
        filter: &NumberFilter,
        page: &Page,
    ) -> Result<Vec<NumberRow>, AppError> {
        if let Some(s) = filter.state.as_deref() {
            if NumberState::parse(s).is_none() {
                let all: Vec<&str> = NumberState::ALL.iter().map(|s| s.as_str()).collect();
                return Err(filter_invalid("state", s, &all.join(", ")));
            }
        }
        if let Some(c) = filter.country.as_deref() {
            if !tollgate_core::country::is_known(c) {
                return Err(filter_invalid(
                    "country",
                    c,
                    "an ISO 3166-1 alpha-2 code (`US`, `GB`)",
                ));
            }
        }
        Ok(
            numbers_store::list_numbers(&self.store, ScopeFilter::of(&caller.scope), filter, page)
                .await?,
        )
    }

    pub async fn number_detail(&self, caller: &Caller, id: &str) -> Result<NumberDetail, AppError> {
        let n = self.number_in_scope(caller, id).await?;
        let now = self.now();
        let rows = self.holder_addresses(&n).await?;
        let address = address_in_force(&rows, now).cloned();
        let pending_address = rows
            .iter()
            .filter(|a| a.withdrawn_at.is_none() && a.effective_at > now)
            .max_by_key(|a| (a.registered_at, a.id.clone()))
            .cloned();
        let port_out =
            numbers_store::pending_port_out(&self.store, ScopeFilter::of(&caller.scope), &n.id)
                .await?;
        Ok(NumberDetail {
            number: n,
            address,
            pending_address,
            port_out,
        })
    }

    pub async fn number_history(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<NumberHistory, AppError> {
        let n = self.number_in_scope(caller, id).await?;
        // A number is reused after quarantine: a partner or customer sees only the current
        // holding; the operator sees the whole history.
        let from = if caller.scope == tollgate_core::tenancy::Scope::All {
            i64::MIN
        } else {
            holding_start(&n)
        };
        let mut h = NumberHistory {
            transitions: numbers_store::transitions_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                &n.id,
            )
            .await?,
            addresses: numbers_store::addresses_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                &n.id,
            )
            .await?,
            documents: numbers_store::documents_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                None,
                Some(&n.id),
            )
            .await?,
            document_requests: numbers_store::doc_requests_of(
                &self.store,
                ScopeFilter::of(&caller.scope),
                None,
                Some(&n.id),
            )
            .await?,
        };
        h.transitions.retain(|t| t.at >= from);
        h.addresses.retain(|a| a.registered_at >= from);
        h.documents.retain(|d| d.uploaded_at >= from);
        h.document_requests.retain(|r| r.requested_at >= from);
        Ok(h)
    }

    /// The E.164 digits of the active numbers of a billing account in the caller's scope.
    pub async fn numbers_of_account(
        &self,
        caller: &Caller,
        billing_account_id: &str,
    ) -> Result<Vec<String>, AppError> {
        tollgate_store::tenancy::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            billing_account_id,
        )
        .await
        .map_err(|e| match e {
            tollgate_store::StoreError::NotFound => AppError::NotFound("billing account"),
            e => e.into(),
        })?;
        Ok(
            numbers_store::system::active_numbers_of_account(&self.store, billing_account_id)
                .await?,
        )
    }
}
