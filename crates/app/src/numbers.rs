//! Number use cases (RULEBOOK T6-T14, B2, B11): inventory import, reservation (provisional,
//! T10), provider verification and customer confirmation, activation (its Activation Date
//! starts billing, B2), release into quarantine (T9), suspension (B11), port-outs (T6, T8),
//! port-ins with LOA data and documents (T7), document requests with deadlines (B11),
//! emergency addresses, acknowledgements and contacts (T13), routing (T14) and CNAM.
//!
//! Each use case loads what the rule needs, asks `tollgate_core::numbers` to decide, and
//! commits the change, the recorded transition (actor, time, reason, rule) and the audit entry
//! in one transaction.

use serde_json::json;
use sha2::{Digest, Sha256};
use tollgate_core::numbers::{
    self as cn, Address, Loa, MissPolicy, NumberEvent, NumberFacts, NumberState, NumberType,
    PortInEvent, PortInFacts, PortInState, Routing, Transition,
};
use tollgate_core::terms::TermsProfile;
use tollgate_core::{e164, rules, Refusal, RuleRef};
use tollgate_store::numbers::{
    self as sn, AckRow, AddressRow, ContactRow, DocRequestRow, DocumentRow, FlagRow, NumberFilter,
    NumberRow, PortInRow, PortOutRow, TransitionRow,
};
use tollgate_store::tenancy as st;
use tollgate_store::{audit, outbox, Page, ScopeFilter, StoreError, Tx};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::rating::LineError;
use crate::{Actor, App, AppError, Caller};

/// Ways a customer confirms a provisional number (T10).
pub const CONFIRM_METHODS: &[&str] = &["test_call", "written", "portal"];
/// Longest e-mail address of an emergency contact.
pub const MAX_EMAIL_CHARS: usize = 254;

/// What the guard needs for an emergency call (T13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyInfo {
    /// The registered address in force, one line, human readable.
    pub address: String,
    /// The call-back number, E.164 with `+`.
    pub callback: String,
}

/// A number with what is in force now.
#[derive(Debug, Clone)]
pub struct NumberDetail {
    pub number: NumberRow,
    /// The emergency address in force now.
    pub address: Option<AddressRow>,
    /// A registered change not applied yet (T13: 48 h).
    pub pending_address: Option<AddressRow>,
    pub port_out: Option<PortOutRow>,
}

/// Everything recorded about a number.
#[derive(Debug, Clone)]
pub struct NumberHistory {
    pub transitions: Vec<TransitionRow>,
    pub addresses: Vec<AddressRow>,
    pub documents: Vec<DocumentRow>,
    pub document_requests: Vec<DocRequestRow>,
}

/// A port-in with its documents, document requests and transitions.
#[derive(Debug, Clone)]
pub struct PortInDetail {
    pub port_in: PortInRow,
    pub documents: Vec<DocumentRow>,
    pub document_requests: Vec<DocRequestRow>,
    pub transitions: Vec<TransitionRow>,
    /// B11: the owning partner is flagged non-responsive.
    pub partner_nonresponsive: bool,
}

/// One line of an inventory import.
#[derive(Debug, Clone)]
pub struct NumberImportLine {
    pub e164: String,
    /// `voice,sms,fax`; the number type's default when absent.
    pub capabilities: Option<String>,
}

/// What an import did: numbers added, lines refused (with line numbers, 1-based).
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub inserted: Vec<NumberRow>,
    pub rejected: Vec<LineError>,
}

/// A new port-in request (T7): LOA data and the billing account the numbers will bill to.
#[derive(Debug, Clone)]
pub struct NewPortIn {
    pub billing_account_id: String,
    pub holder: String,
    pub service_address: Address,
    pub losing_provider: String,
    pub account_number: String,
    pub signatory: String,
    pub existing_service_active: bool,
    pub numbers: Vec<String>,
}

/// What documents attach to.
#[derive(Debug, Clone, Copy)]
pub enum DocSubject<'a> {
    PortIn(&'a str),
    Number(&'a str),
}

/// A document upload.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub content_base64: String,
}

/// What a sweep did at `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub missed_requests: Vec<String>,
    pub flagged_partners: Vec<String>,
    pub suspended: Vec<String>,
    pub quarantine_ended: Vec<String>,
    pub ported_out: Vec<String>,
}

fn text_field(field: &'static str, v: &str) -> Result<String, AppError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > cn::MAX_TEXT_CHARS || t.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "field_invalid",
            field,
            format!(
                "must be 1 to {} characters without control characters",
                cn::MAX_TEXT_CHARS
            ),
        ));
    }
    Ok(t.to_string())
}

fn opt_text_field(field: &'static str, v: Option<&str>) -> Result<Option<String>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => text_field(field, s).map(Some),
    }
}

/// A list filter whose value can match nothing (`?state=bogus`): a 422 naming the parameter,
/// never an empty list that looks like an answer (issue 11 #13f).
fn filter_invalid(param: &'static str, value: &str, expected: &str) -> AppError {
    AppError::invalid(
        "filter_invalid",
        param,
        format!("`{value}` is not a valid `{param}`: expected {expected}"),
    )
}

fn state_of(n: &NumberRow) -> Result<NumberState, AppError> {
    NumberState::parse(&n.state)
        .ok_or_else(|| AppError::Internal(format!("number {} has unknown state {}", n.id, n.state)))
}

fn port_in_state(p: &PortInRow) -> Result<PortInState, AppError> {
    PortInState::parse(&p.state).ok_or_else(|| {
        AppError::Internal(format!("port-in {} has unknown state {}", p.id, p.state))
    })
}

fn not_found(what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::NotFound(what),
        e => e.into(),
    }
}

fn address_row(number_id: &str, a: &Address, by: &str, now: i64, effective_at: i64) -> AddressRow {
    AddressRow {
        id: new_id("ead"),
        number_id: number_id.to_string(),
        street: a.street.clone(),
        city: a.city.clone(),
        postcode: a.postcode.clone(),
        country: a.country.clone(),
        region: a.region.clone(),
        floor: a.floor.clone(),
        room: a.room.clone(),
        registered_at: now,
        registered_by: by.to_string(),
        effective_at,
        withdrawn_at: None,
    }
}

/// The structured address of a stored row.
/// When the current holder's time with a number began (its reservation or port-in); a
/// number without a holder has no current history.
pub fn holding_start(n: &NumberRow) -> i64 {
    n.reserved_at.unwrap_or(i64::MAX)
}

pub fn address_of(a: &AddressRow) -> Address {
    Address {
        street: a.street.clone(),
        city: a.city.clone(),
        postcode: a.postcode.clone(),
        country: a.country.clone(),
        region: a.region.clone(),
        floor: a.floor.clone(),
        room: a.room.clone(),
    }
}

/// T13: the address of `rows` in force at `at` (withdrawn changes never applied).
pub fn address_in_force(rows: &[AddressRow], at: i64) -> Option<&AddressRow> {
    let versions: Vec<(i64, i64, &AddressRow)> = rows
        .iter()
        .filter(|a| a.withdrawn_at.is_none())
        .map(|a| (a.effective_at, a.registered_at, a))
        .collect();
    cn::in_force_at(&versions, at).copied()
}

#[allow(clippy::too_many_arguments)]
fn transition_row(
    actor: &Actor,
    subject_type: &str,
    subject_id: &str,
    e164: Option<&str>,
    from: &str,
    to: &str,
    event: &str,
    rule: RuleRef,
    reason: &str,
    now: i64,
) -> TransitionRow {
    TransitionRow {
        id: new_id("ntr"),
        subject_type: subject_type.into(),
        subject_id: subject_id.into(),
        e164: e164.map(str::to_string),
        from_state: from.into(),
        to_state: to.into(),
        event: event.into(),
        actor: actor.actor.clone(),
        at: now,
        reason: reason.into(),
        rule: rule.rule.into(),
        clause: rule.clause.into(),
    }
}

/// Records a number transition and its audit entry in `tx`.
async fn record(
    tx: &mut Tx,
    actor: &Actor,
    n: &NumberRow,
    t: &Transition,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    sn::insert_transition(
        tx,
        &transition_row(
            actor,
            "number",
            &n.id,
            Some(&n.e164),
            t.from.as_str(),
            t.to.as_str(),
            t.event.as_str(),
            t.rule,
            reason,
            now,
        ),
    )
    .await?;
    audit::append(
        tx,
        &audit_row(
            actor,
            now,
            &format!("number.{}", t.event.as_str()),
            &n.id,
            json!({"e164": format!("+{}", n.e164), "from": t.from.as_str(), "to": t.to.as_str(), "rule": t.rule.rule, "clause": t.rule.clause, "reason": reason}),
        ),
    )
    .await?;
    Ok(())
}

/// Records a step that does not change the state (verification, confirmation, settings).
#[allow(clippy::too_many_arguments)]
async fn record_step(
    tx: &mut Tx,
    actor: &Actor,
    n: &NumberRow,
    event: &str,
    rule: RuleRef,
    reason: &str,
    detail: serde_json::Value,
    now: i64,
) -> Result<(), AppError> {
    sn::insert_transition(
        tx,
        &transition_row(
            actor,
            "number",
            &n.id,
            Some(&n.e164),
            &n.state,
            &n.state,
            event,
            rule,
            reason,
            now,
        ),
    )
    .await?;
    audit::append(
        tx,
        &audit_row(actor, now, &format!("number.{event}"), &n.id, detail),
    )
    .await?;
    Ok(())
}

impl App {
    /// The terms profile of a customer's agreement in force.
    pub async fn profile_of_customer(
        &self,
        customer_id: &str,
    ) -> Result<Option<TermsProfile>, AppError> {
        Ok(st::current_agreement(&self.store, customer_id)
            .await?
            .and_then(|a| {
                self.terms
                    .get(&a.profile_id, Some(a.profile_version as u32))
                    .cloned()
            }))
    }

    async fn no_trunking_of(&self, customer_id: &str) -> Result<bool, AppError> {
        Ok(self
            .profile_of_customer(customer_id)
            .await?
            .is_some_and(|p| p.telephony.no_trunking))
    }

    /// Whether the customer acknowledged the current emergency-limitations text (T13).
    async fn has_current_ack(&self, customer_id: &str) -> Result<bool, AppError> {
        Ok(sn::acks_of(&self.store, customer_id)
            .await?
            .iter()
            .any(|a| a.text_version == cn::EMERGENCY_ACK_TEXT_VERSION))
    }

    /// A number in the caller's scope (unassigned inventory too, except for customers).
    async fn number_in_scope(&self, caller: &Caller, id: &str) -> Result<NumberRow, AppError> {
        let key = id.strip_prefix('+').unwrap_or(id);
        sn::get_number(&self.store, ScopeFilter(&caller.scope), key, true)
            .await
            .map_err(not_found("number"))
    }

    /// A number that belongs to a customer in scope (unassigned inventory is not enough).
    async fn assigned_number(&self, caller: &Caller, id: &str) -> Result<NumberRow, AppError> {
        let n = self.number_in_scope(caller, id).await?;
        if n.customer_id.is_none() {
            return Err(AppError::Refused(Refusal::new(
                "number_not_assigned",
                rules::T10,
                format!("+{} is not assigned to a customer", n.e164),
            )));
        }
        Ok(n)
    }

    /// The emergency addresses of the current holder of `n` (registered since it was
    /// reserved): a reused number never carries its previous holder's address (T13).
    async fn holder_addresses(&self, n: &NumberRow) -> Result<Vec<AddressRow>, AppError> {
        let mut rows = sn::addresses_of(&self.store, &n.id).await?;
        rows.retain(|a| a.registered_at >= holding_start(n));
        Ok(rows)
    }

    /// What the core needs to decide an event on `n` at `now`.
    async fn facts(&self, n: &NumberRow, now: i64) -> Result<NumberFacts, AppError> {
        let state = state_of(n)?;
        let number_type = NumberType::parse(&n.number_type).unwrap_or(NumberType::Geographic);
        let addresses = self.holder_addresses(n).await?;
        let ack = match &n.customer_id {
            Some(c) => self.has_current_ack(c).await?,
            None => false,
        };
        let identity = sn::documents_of(&self.store, None, Some(&n.id))
            .await?
            .iter()
            .any(|d| d.kind == "identity" && d.uploaded_at >= holding_start(n));
        Ok(NumberFacts {
            state,
            country: n.country.clone(),
            number_type,
            voice: n.capabilities.split(',').any(|c| c == "voice"),
            provider_verified: n.provider_verified_at.is_some(),
            customer_confirmed: n.customer_confirmed_at.is_some(),
            address_country: address_in_force(&addresses, now).map(|a| a.country.clone()),
            emergency_ack: ack,
            identity_document: identity,
            quarantine_until: n.quarantine_until,
            port_date: sn::pending_port_out(&self.store, &n.id)
                .await?
                .map(|p| p.port_date),
        })
    }

    /// Adds the profile's own clause for a rule to a refusal's message (the rule's default
    /// clause stays in `rule`).
    async fn with_profile_clause(&self, r: Refusal, customer_id: Option<&str>) -> AppError {
        let mut r = r;
        if let (Some(rule), Some(c)) = (r.rule, customer_id) {
            if let Ok(Some(p)) = self.profile_of_customer(c).await {
                let clause = p.clause_for(rule);
                if clause != rule.clause {
                    r.message = format!("{} ({} under {}: {clause})", r.message, rule.rule, p.id);
                }
            }
        }
        AppError::Refused(r)
    }

    // --- inventory --------------------------------------------------------------------------

    /// Adds numbers to the inventory as `available`. Valid lines are added; refused lines are
    /// reported with their line number (1-based, the CSV header is line 1).
    pub async fn import_numbers(
        &self,
        caller: &Caller,
        lines: Vec<NumberImportLine>,
        first_line: usize,
    ) -> Result<ImportReport, AppError> {
        if lines.len() > cn::MAX_IMPORT_NUMBERS {
            return Err(AppError::invalid(
                "too_many_numbers",
                "numbers",
                format!("at most {} numbers per import", cn::MAX_IMPORT_NUMBERS),
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
                let info = cn::classify(&d, "e164")?;
                let caps = match l.capabilities.as_deref().filter(|c| !c.trim().is_empty()) {
                    Some(c) => cn::parse_capabilities(c, "capabilities")?,
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
                || sn::find_by_e164(&self.store, &info.digits).await?.is_some()
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
                capabilities: cn::capabilities_text(&caps),
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
            sn::insert_number(&mut tx, n).await?;
            sn::insert_transition(
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
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(text);
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
        Ok(sn::list_numbers(&self.store, ScopeFilter(&caller.scope), filter, page).await?)
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
        let port_out = sn::pending_port_out(&self.store, &n.id).await?;
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
            transitions: sn::transitions_of(&self.store, &n.id).await?,
            addresses: sn::addresses_of(&self.store, &n.id).await?,
            documents: sn::documents_of(&self.store, None, Some(&n.id)).await?,
            document_requests: sn::doc_requests_of(&self.store, None, Some(&n.id)).await?,
        };
        h.transitions.retain(|t| t.at >= from);
        h.addresses.retain(|a| a.registered_at >= from);
        h.documents.retain(|d| d.uploaded_at >= from);
        h.document_requests.retain(|r| r.requested_at >= from);
        Ok(h)
    }

    /// The E.164 digits of the active numbers of a billing account (the guard, billing).
    pub async fn numbers_of_account(
        &self,
        billing_account_id: &str,
    ) -> Result<Vec<String>, AppError> {
        Ok(sn::active_numbers_of_account(&self.store, billing_account_id).await?)
    }

    // --- the state machine ------------------------------------------------------------------

    /// T10: reserves an available number for a billing account (provisional).
    pub async fn reserve_number(
        &self,
        caller: &Caller,
        id: &str,
        billing_account_id: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.number_in_scope(caller, id).await?;
        let ba =
            st::get_billing_account(&self.store, ScopeFilter(&caller.scope), billing_account_id)
                .await
                .map_err(|_| {
                    AppError::invalid(
                        "billing_account_unknown",
                        "billing_account_id",
                        format!("no billing account `{billing_account_id}` in your scope"),
                    )
                })?;
        if !sn::open_port_ins_with(&self.store, &n.e164)
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
        let t = cn::decide(NumberEvent::Reserve, &self.facts(&n, now).await?, now)?;
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
        sn::update_number(&mut tx, &m, &n.state).await?;
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

    async fn reload(&self, id: &str) -> Result<NumberRow, AppError> {
        sn::get_number(
            &self.store,
            ScopeFilter(&tollgate_store::Scope::All),
            id,
            true,
        )
        .await
        .map_err(not_found("number"))
    }

    /// Applies `event` to the number and records it; `change` adjusts the other columns.
    async fn apply_event(
        &self,
        actor: &Actor,
        n: &NumberRow,
        event: NumberEvent,
        reason: &str,
        change: impl FnOnce(&mut NumberRow),
    ) -> Result<NumberRow, AppError> {
        let now = self.now();
        let t = match cn::decide(event, &self.facts(n, now).await?, now) {
            Ok(t) => t,
            Err(r) => return Err(self.with_profile_clause(r, n.customer_id.as_deref()).await),
        };
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.updated_at = now;
        change(&mut m);
        let mut tx = self.store.begin().await?;
        sn::update_number(&mut tx, &m, &n.state).await?;
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
        sn::update_number(&mut tx, &m, &n.state).await?;
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
        sn::update_number(&mut tx, &m, &n.state).await?;
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

    async fn release(
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
                .unwrap_or(cn::DEFAULT_QUARANTINE_DAYS),
            None => cn::DEFAULT_QUARANTINE_DAYS,
        };
        let facts = self.facts(n, now).await?;
        let released = cn::decide(NumberEvent::Release, &facts, now)?;
        let quarantined = cn::decide(
            NumberEvent::StartQuarantine,
            &NumberFacts {
                state: released.to,
                ..facts
            },
            now,
        )?;
        let until = cn::quarantine_until(now, days);
        let mut m = n.clone();
        m.state = quarantined.to.as_str().into();
        m.quarantine_until = Some(until);
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        sn::update_number(&mut tx, &m, &n.state).await?;
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

    /// T8: records a gaining provider's valid port-out request; it must be followed.
    pub async fn request_port_out(
        &self,
        caller: &Caller,
        id: &str,
        gaining_provider: &str,
        authorisation_ref: &str,
        port_date: i64,
    ) -> Result<(NumberRow, PortOutRow), AppError> {
        let n = self.assigned_number(caller, id).await?;
        let now = self.now();
        cn::check_port_out_request(gaining_provider, authorisation_ref, port_date, now)?;
        let t = cn::decide(
            NumberEvent::RequestPortOut,
            &self.facts(&n, now).await?,
            now,
        )?;
        let po = PortOutRow {
            id: new_id("pto"),
            number_id: n.id.clone(),
            e164: n.e164.clone(),
            gaining_provider: gaining_provider.trim().into(),
            authorisation_ref: authorisation_ref.trim().into(),
            port_date,
            state: "pending".into(),
            previous_state: n.state.clone(),
            requested_by: caller.actor.actor.clone(),
            requested_at: now,
            resolved_at: None,
        };
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        sn::update_number(&mut tx, &m, &n.state).await?;
        sn::insert_port_out(&mut tx, &po).await?;
        record(
            &mut tx,
            &caller.actor,
            &m,
            &t,
            &format!("port-out to {} requested", po.gaining_provider),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok((self.reload(&m.id).await?, po))
    }

    /// T6: the number leaves at the port date; the contract (customer, billing account)
    /// continues.
    pub async fn complete_port_out(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        self.finish_port_out(&caller.actor, &n, true).await
    }

    /// T8: the gaining provider withdrew its request.
    pub async fn cancel_port_out(&self, caller: &Caller, id: &str) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        self.finish_port_out(&caller.actor, &n, false).await
    }

    async fn finish_port_out(
        &self,
        actor: &Actor,
        n: &NumberRow,
        complete: bool,
    ) -> Result<NumberRow, AppError> {
        let now = self.now();
        let event = if complete {
            NumberEvent::CompletePortOut
        } else {
            NumberEvent::CancelPortOut
        };
        let mut t = cn::decide(event, &self.facts(n, now).await?, now)?;
        let po = sn::pending_port_out(&self.store, &n.id).await?;
        // A withdrawn port-out returns the number to where it was: a number suspended for
        // missing documents (B11) stays suspended.
        if !complete
            && po
                .as_ref()
                .is_some_and(|p| p.previous_state == NumberState::Suspended.as_str())
        {
            t.to = NumberState::Suspended;
        }
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.updated_at = now;
        let reason = match (&po, complete) {
            (Some(p), true) => format!(
                "ported out to {} ({}); the contract continues",
                p.gaining_provider, p.authorisation_ref
            ),
            (Some(p), false) => format!("port-out to {} withdrawn", p.gaining_provider),
            (None, _) => "port-out resolved".into(),
        };
        let mut tx = self.store.begin().await?;
        sn::update_number(&mut tx, &m, &n.state).await?;
        if let Some(p) = &po {
            sn::resolve_port_out(
                &mut tx,
                &p.id,
                if complete { "completed" } else { "cancelled" },
                now,
            )
            .await?;
        }
        record(&mut tx, actor, &m, &t, &reason, now).await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// T14: sets where calls to the number go; trunking is refused under a no-trunking profile.
    pub async fn set_routing(
        &self,
        caller: &Caller,
        id: &str,
        routing: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let r = Routing::parse(routing).ok_or_else(|| {
            AppError::invalid(
                "routing_invalid",
                "routing",
                format!(
                    "must be one of {}",
                    Routing::ALL.map(|r| r.as_str()).join(", ")
                ),
            )
        })?;
        let customer = n.customer_id.clone().unwrap_or_default();
        let no_trunking = self.no_trunking_of(&customer).await?;
        if let Err(e) = cn::check_routing(no_trunking, r) {
            return Err(self.with_profile_clause(e, Some(&customer)).await);
        }
        let now = self.now();
        let mut m = n.clone();
        m.routing = r.as_str().into();
        m.no_trunking = no_trunking;
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        sn::update_number(&mut tx, &m, &n.state).await?;
        record_step(
            &mut tx,
            &caller.actor,
            &m,
            "routing",
            rules::T14,
            &format!("routing set to {}", r.as_str()),
            json!({"e164": format!("+{}", m.e164), "routing": r.as_str()}),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// CNAM (caller name) for US/CA numbers.
    pub async fn set_cnam(
        &self,
        caller: &Caller,
        id: &str,
        name: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let name = cn::check_cnam(&n.country, name)?;
        let now = self.now();
        let mut m = n.clone();
        m.cnam = Some(name.clone());
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        sn::update_number(&mut tx, &m, &n.state).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "number.cnam",
                &m.id,
                json!({"e164": format!("+{}", m.e164), "cnam": name}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    // --- emergency (T13) --------------------------------------------------------------------

    /// T13: registers a number's emergency service address. The first address (or any before
    /// the number is in service) applies at once; a change of a number in service applies
    /// after [`cn::ADDRESS_CHANGE_PENDING_S`] and the old address is used meanwhile. A newer
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
        cn::check_address(address)?;
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
        .unwrap_or(cn::ADDRESS_CHANGE_PENDING_S);
        let effective_at = cn::address_effective_at(state, has_current, now, pending_s);
        let row = address_row(&n.id, address, &caller.actor.actor, now, effective_at);
        let mut tx = self.store.begin().await?;
        let withdrawn = sn::withdraw_pending_addresses(&mut tx, &n.id, now).await?;
        sn::insert_address(&mut tx, &row).await?;
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
        let c = st::get_customer(&self.store, ScopeFilter(&caller.scope), customer_id)
            .await
            .map_err(not_found("customer"))?;
        if text_version != cn::EMERGENCY_ACK_TEXT_VERSION {
            return Err(AppError::invalid(
                "ack_text_version_outdated",
                "text_version",
                format!(
                    "the current text is version {} (GET /v1/emergency-acknowledgements/text)",
                    cn::EMERGENCY_ACK_TEXT_VERSION
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
        sn::insert_ack(&mut tx, &row).await?;
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
        let c = st::get_customer(&self.store, ScopeFilter(&caller.scope), customer_id)
            .await
            .map_err(not_found("customer"))?;
        Ok(sn::acks_of(&self.store, &c.id).await?)
    }

    /// T13: the customer's designated contact, notified of every emergency call.
    pub async fn set_emergency_contact(
        &self,
        caller: &Caller,
        customer_id: &str,
        name: &str,
        email: &str,
    ) -> Result<ContactRow, AppError> {
        let c = st::get_customer(&self.store, ScopeFilter(&caller.scope), customer_id)
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
        sn::set_contact(&mut tx, &row).await?;
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
        let Some(n) = sn::find_by_e164(&self.store, digits).await? else {
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
        let n = sn::find_by_e164(&self.store, digits).await?;
        let customer = n.as_ref().and_then(|n| n.customer_id.clone());
        let contact = match &customer {
            Some(c) => sn::contact_of(&self.store, c).await?,
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

    // --- port-ins (T7) ----------------------------------------------------------------------

    /// T7: a new port-in request (draft) with complete LOA data, through the reseller.
    pub async fn create_port_in(
        &self,
        caller: &Caller,
        new: NewPortIn,
    ) -> Result<PortInRow, AppError> {
        let ba = st::get_billing_account(
            &self.store,
            ScopeFilter(&caller.scope),
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
            cn::classify(&d, "numbers")?;
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
        cn::check_loa(&loa)?;
        self.check_portable(&digits, None).await?;
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
        sn::insert_port_in(&mut tx, &row).await?;
        sn::insert_transition(
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
        self.port_in_row(caller, &row.id).await
    }

    /// T7 (no slamming): a number we already serve, or one in another open port-in, cannot be
    /// ported in.
    async fn check_portable(&self, digits: &[String], this: Option<&str>) -> Result<(), AppError> {
        for d in digits {
            if let Some(n) = sn::find_by_e164(&self.store, d).await? {
                if !matches!(n.state.as_str(), "ported_out" | "available") {
                    return Err(Refusal::new(
                        "number_already_served",
                        rules::T7,
                        format!("+{d} is already served by this provider"),
                    )
                    .on_field("numbers")
                    .into());
                }
            }
            if sn::open_port_ins_with(&self.store, d)
                .await?
                .iter()
                .any(|id| Some(id.as_str()) != this)
            {
                return Err(Refusal::new(
                    "port_in_duplicate",
                    rules::T7,
                    format!("+{d} is already in an open port-in request"),
                )
                .on_field("numbers")
                .into());
            }
        }
        Ok(())
    }

    async fn port_in_row(&self, caller: &Caller, id: &str) -> Result<PortInRow, AppError> {
        sn::get_port_in(&self.store, ScopeFilter(&caller.scope), id)
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
        Ok(sn::list_port_ins(&self.store, ScopeFilter(&caller.scope), state, page).await?)
    }

    pub async fn port_in_detail(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<PortInDetail, AppError> {
        let p = self.port_in_row(caller, id).await?;
        let flagged = match &p.partner_id {
            Some(pid) => !sn::open_flags(&self.store, pid).await?.is_empty(),
            None => false,
        };
        Ok(PortInDetail {
            documents: sn::documents_of(&self.store, Some(&p.id), None).await?,
            document_requests: sn::doc_requests_of(&self.store, Some(&p.id), None).await?,
            transitions: sn::transitions_of(&self.store, &p.id).await?,
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
        let requests = sn::doc_requests_of(&self.store, Some(&p.id), None).await?;
        let docs = sn::documents_of(&self.store, Some(&p.id), None).await?;
        let facts = PortInFacts {
            state,
            foc_date: p.foc_date,
            open_document_requests: requests
                .iter()
                .filter(|r| r.state == "open" || r.state == "missed")
                .count(),
            emergency_ack: self.has_current_ack(&p.customer_id).await?,
        };
        let to = match cn::decide_port_in(event, &facts, foc_date, now) {
            Ok(to) => to,
            Err(r) => return Err(self.with_profile_clause(r, Some(&p.customer_id)).await),
        };
        if event == PortInEvent::Submit {
            cn::check_loa(&loa_of(&p))?;
            if !docs.iter().any(|d| d.kind == "loa") {
                return Err(Refusal::new(
                    "loa_document_missing",
                    rules::T7,
                    "upload the signed letter of authorisation (kind `loa`) before submitting",
                )
                .into());
            }
            self.check_portable(&p.numbers, Some(&p.id)).await?;
        }
        let mut new_numbers: Vec<(NumberRow, Option<NumberRow>)> = Vec::new();
        if event == PortInEvent::Complete {
            let identity = docs.iter().any(|d| d.kind == "identity");
            let no_trunking = self.no_trunking_of(&p.customer_id).await?;
            for d in &p.numbers {
                let info = cn::classify(d, "numbers")?;
                let existing = sn::find_by_e164(&self.store, d).await?;
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
                if let Err(r) = cn::check_numbering_rules(&facts) {
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
                        .unwrap_or_else(|| cn::capabilities_text(&caps)),
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
        sn::update_port_in(&mut tx, &m, &p.state).await?;
        sn::insert_transition(
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
                Some(e) => sn::update_number(&mut tx, row, &e.state).await?,
                None => sn::insert_number(&mut tx, row).await?,
            }
            let from = existing
                .as_ref()
                .map(|e| e.state.as_str())
                .unwrap_or("none");
            sn::insert_transition(
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
            sn::insert_address(
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

    // --- documents and document requests (B11) ----------------------------------------------

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
        cn::check_document_kind(&doc.kind)?;
        let filename = text_field("filename", &doc.filename)?;
        let bytes = cn::decode_base64(
            &doc.content_base64,
            cn::MAX_DOCUMENT_BYTES,
            "content_base64",
        )?;
        cn::check_document(&doc.content_type, &bytes)?;
        let existing =
            sn::documents_of(&self.store, port_in_id.as_deref(), number_id.as_deref()).await?;
        if existing.len() >= cn::MAX_DOCUMENTS_PER_SUBJECT {
            return Err(AppError::invalid(
                "too_many_documents",
                "content_base64",
                format!("at most {} documents", cn::MAX_DOCUMENTS_PER_SUBJECT),
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
        let requests =
            sn::doc_requests_of(&self.store, port_in_id.as_deref(), number_id.as_deref()).await?;
        let mut tx = self.store.begin().await?;
        sn::insert_document(&mut tx, &row).await?;
        for r in requests.iter().filter(|r| r.kind == row.kind) {
            match r.state.as_str() {
                "open" => sn::resolve_doc_request(&mut tx, &r.id, "open", "fulfilled", now).await?,
                "missed" => {
                    sn::resolve_doc_request(&mut tx, &r.id, "missed", "fulfilled_late", now)
                        .await?;
                    sn::clear_flags_for(&mut tx, &r.id, now).await?;
                    for d in r.affected.split(',').filter(|d| !d.is_empty()) {
                        let Some(n) = sn::find_by_e164(&self.store, d).await? else {
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
                        let still = sn::missed_requests_affecting(&self.store, d).await?;
                        if let Some(other) =
                            still.iter().find(|id| !resolving.contains(&id.as_str()))
                        {
                            let mut m = n.clone();
                            m.suspension_ref = Some(other.clone());
                            m.updated_at = now;
                            sn::update_number(&mut tx, &m, &n.state).await?;
                            continue;
                        }
                        let t = cn::decide(NumberEvent::Resume, &self.facts(&n, now).await?, now)?;
                        let mut m = n.clone();
                        m.state = t.to.as_str().into();
                        m.suspended_reason = None;
                        m.suspension_ref = None;
                        m.updated_at = now;
                        sn::update_number(&mut tx, &m, &n.state).await?;
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
        if numbers.len() > cn::MAX_NUMBERS_PER_PORT_IN {
            return Err(AppError::invalid(
                "too_many_numbers",
                "numbers",
                format!(
                    "at most {} numbers per request",
                    cn::MAX_NUMBERS_PER_PORT_IN
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
                    if let Some(n) = sn::find_by_e164(&self.store, d).await? {
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
        cn::check_document_kind(kind)?;
        let now = self.now();
        cn::check_deadline(deadline, now)?;
        let policy = match on_miss {
            None => cn::DEFAULT_MISS_POLICY,
            Some(p) => MissPolicy::parse(p).ok_or_else(|| {
                AppError::invalid("on_miss_invalid", "on_miss", "must be suspend or flag_only")
            })?,
        };
        let note = opt_text_field("note", note)?.unwrap_or_default();
        for d in numbers {
            let digits = e164::normalize(d, "numbers")?;
            let n = sn::find_by_e164(&self.store, &digits).await?;
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
        let customer = st::get_customer(
            &self.store,
            ScopeFilter(&tollgate_store::Scope::All),
            &customer_id,
        )
        .await?;
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
        sn::insert_doc_request(&mut tx, &row).await?;
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
    pub async fn nonresponsive_flags(&self, partner_id: &str) -> Result<Vec<FlagRow>, AppError> {
        Ok(sn::open_flags(&self.store, partner_id).await?)
    }

    // --- the sweep --------------------------------------------------------------------------

    /// Applies what time decides, at `self.now()`: missed document deadlines flag the partner
    /// and, per the request's policy, suspend the affected numbers (B11; the partner stays
    /// liable: the Activation Date is unchanged); quarantines that are over make numbers
    /// available (T9); port-outs at their port date complete (T6).
    pub async fn sweep_numbers(&self, actor: &Actor) -> Result<SweepReport, AppError> {
        let now = self.now();
        let mut rep = SweepReport::default();
        for r in sn::overdue_doc_requests(&self.store, now).await? {
            if !cn::deadline_missed(r.state == "open", r.deadline, now) {
                continue;
            }
            let mut tx = self.store.begin().await?;
            sn::resolve_doc_request(&mut tx, &r.id, "open", "missed", now).await?;
            if let Some(p) = &r.partner_id {
                sn::insert_flag(
                    &mut tx,
                    &FlagRow {
                        id: new_id("nrf"),
                        partner_id: p.clone(),
                        document_request_id: r.id.clone(),
                        raised_at: now,
                        cleared_at: None,
                    },
                )
                .await?;
                rep.flagged_partners.push(p.clone());
            }
            if r.on_miss == MissPolicy::Suspend.as_str() {
                for d in r.affected.split(',').filter(|d| !d.is_empty()) {
                    let Some(n) = sn::find_by_e164(&self.store, d).await? else {
                        continue;
                    };
                    if n.customer_id.as_deref() != Some(r.customer_id.as_str()) {
                        continue;
                    }
                    let Ok(t) = cn::decide(NumberEvent::Suspend, &self.facts(&n, now).await?, now)
                    else {
                        continue;
                    };
                    let mut m = n.clone();
                    m.state = t.to.as_str().into();
                    m.suspended_reason = Some(format!(
                        "requested documents ({}) not delivered by the deadline; the partner stays liable",
                        r.kind
                    ));
                    m.suspension_ref = Some(r.id.clone());
                    m.updated_at = now;
                    sn::update_number(&mut tx, &m, &n.state).await?;
                    record(
                        &mut tx,
                        actor,
                        &m,
                        &t,
                        &format!("document request {} missed: partner non-responsive", r.id),
                        now,
                    )
                    .await?;
                    rep.suspended.push(m.e164.clone());
                }
            }
            audit::append(
                &mut tx,
                &audit_row(
                    actor,
                    now,
                    "document.missed",
                    &r.id,
                    json!({"partner_id": r.partner_id, "on_miss": r.on_miss, "rule": "B11", "clause": rules::B11.clause}),
                ),
            )
            .await?;
            tollgate_store::commit(tx).await?;
            rep.missed_requests.push(r.id.clone());
        }
        for n in sn::quarantine_over(&self.store, now).await? {
            self.apply_event(
                actor,
                &n,
                NumberEvent::EndQuarantine,
                "quarantine over: available for reassignment",
                |m| {
                    m.customer_id = None;
                    m.billing_account_id = None;
                    m.reserved_at = None;
                    m.provider_verified_at = None;
                    m.provider_verified_by = None;
                    m.customer_confirmed_at = None;
                    m.customer_confirmed_by = None;
                    m.confirm_method = None;
                    m.activated_at = None;
                    m.quarantine_until = None;
                    m.suspended_reason = None;
                    m.suspension_ref = None;
                    m.cnam = None;
                    m.no_trunking = false;
                    m.routing = Routing::Direct.as_str().into();
                },
            )
            .await?;
            rep.quarantine_ended.push(n.e164.clone());
        }
        for p in sn::due_port_outs(&self.store, now).await? {
            if let Some(n) = sn::find_by_e164(&self.store, &p.e164).await? {
                self.finish_port_out(actor, &n, true).await?;
                rep.ported_out.push(n.e164);
            }
        }
        Ok(rep)
    }
}

fn loa_of(p: &PortInRow) -> Loa {
    Loa {
        holder: p.holder.clone(),
        service_address: Address {
            street: p.street.clone(),
            city: p.city.clone(),
            postcode: p.postcode.clone(),
            country: p.country.clone(),
            region: p.region.clone(),
            floor: p.floor.clone(),
            room: p.room.clone(),
        },
        losing_provider: p.losing_provider.clone(),
        account_number: p.account_number.clone(),
        signatory: p.signatory.clone(),
        existing_service_active: p.existing_service_active,
        numbers: p.numbers.clone(),
    }
}

// --- demo ----------------------------------------------------------------------------------

/// A one-page PDF placeholder for demo documents (starts with the PDF signature).
pub const DEMO_PDF_BASE64: &str = "JVBERi0xLjQKJSBUb2xsZ2F0ZSBkZW1vIGRvY3VtZW50CiUlRU9GCg==";

fn demo_address(street: &str, city: &str, postcode: &str, country: &str) -> Address {
    Address {
        street: street.into(),
        city: city.into(),
        postcode: postcode.into(),
        country: country.into(),
        region: None,
        floor: None,
        room: None,
    }
}

/// Seeds demo numbers (idempotent): active numbers with addresses for Acme Dental (FR),
/// Harbor Logistics (GB, no trunking), Direct Corp (US, with CNAM) and Bayview Bakery (NL);
/// one provisional (reserved) number for Acme; a port-in in progress for Bayview.
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    if sn::find_by_e164(&app.store, "33170000001").await?.is_some() {
        return Ok(());
    }
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let sys = Caller::system(actor.clone());
    let lines = [
        "+33170000001",
        "+33170000002",
        "+33170000003",
        "+442079460100",
        "+14155550142",
        "+31205550100",
        "+442079460101",
        "+442079460102",
    ]
    .iter()
    .map(|e| NumberImportLine {
        e164: e.to_string(),
        capabilities: None,
    })
    .collect();
    let report = app.import_numbers(&sys, lines, 1).await?;
    if let Some(e) = report.rejected.first() {
        return Err(AppError::Internal(format!(
            "demo number line {}: {}",
            e.line, e.message
        )));
    }
    struct Plan {
        customer: &'static str,
        account: &'static str,
        contact: (&'static str, &'static str),
        numbers: &'static [&'static str],
        reserved: &'static [&'static str],
        address: (&'static str, &'static str, &'static str, &'static str),
    }
    let plans = [
        Plan {
            customer: "Acme Dental",
            account: "Acme Dental HQ",
            contact: ("Front desk", "emergency@acme-dental.test"),
            numbers: &["33170000001", "33170000002"],
            reserved: &["33170000003"],
            address: ("12 Rue de la Paix", "Paris", "75002", "FR"),
        },
        Plan {
            customer: "Harbor Logistics",
            account: "Harbor Logistics UK",
            contact: ("Site safety", "safety@harbor-logistics.test"),
            numbers: &["442079460100"],
            reserved: &[],
            address: ("1 Dock Road", "London", "E16 1AA", "GB"),
        },
        Plan {
            customer: "Direct Corp",
            account: "Direct Corp",
            contact: ("Security desk", "security@direct-corp.test"),
            numbers: &["14155550142"],
            reserved: &[],
            address: ("500 Market St", "San Francisco", "94105", "US"),
        },
        Plan {
            customer: "Bayview Bakery",
            account: "Bayview Bakery",
            contact: ("Owner", "owner@bayview-bakery.test"),
            numbers: &["31205550100"],
            reserved: &[],
            address: ("Prinsengracht 1", "Amsterdam", "1015 DK", "NL"),
        },
    ];
    for plan in &plans {
        let Some(c) = st::find_customer_by_name(&app.store, plan.customer).await? else {
            continue;
        };
        let accounts = app
            .list_billing_accounts(&sys, Some(&c.id), &Page::first(10))
            .await?;
        let Some(ba) = accounts.iter().find(|a| a.name == plan.account) else {
            continue;
        };
        app.acknowledge_emergency(
            &sys,
            &c.id,
            cn::EMERGENCY_ACK_TEXT_VERSION,
            &format!("{} admin", plan.customer),
        )
        .await?;
        app.set_emergency_contact(&sys, &c.id, plan.contact.0, plan.contact.1)
            .await?;
        let (street, city, postcode, country) = plan.address;
        let addr = demo_address(street, city, postcode, country);
        for d in plan.numbers.iter().chain(plan.reserved) {
            app.reserve_number(&sys, d, &ba.id).await?;
        }
        for d in plan.numbers {
            app.set_emergency_address(&sys, d, &addr).await?;
            app.upload_document(
                &sys,
                DocSubject::Number(d),
                NewDocument {
                    kind: "identity".into(),
                    filename: "identity.pdf".into(),
                    content_type: "application/pdf".into(),
                    content_base64: DEMO_PDF_BASE64.into(),
                },
            )
            .await?;
            app.verify_number(&sys, d, Some("demo: verified")).await?;
            app.confirm_number(&sys, d, "test_call", Some("demo: test call answered"))
                .await?;
            app.activate_number(&sys, d).await?;
            if country == "US" {
                app.set_cnam(&sys, d, "DIRECT CORP").await?;
            }
        }
    }
    // A port-in in progress for Bayview Bakery (through its partner, T7), with a document
    // request whose deadline is still ahead.
    if let Some(c) = st::find_customer_by_name(&app.store, "Bayview Bakery").await? {
        let accounts = app
            .list_billing_accounts(&sys, Some(&c.id), &Page::first(10))
            .await?;
        if let Some(ba) = accounts.first() {
            let p = app
                .create_port_in(
                    &sys,
                    NewPortIn {
                        billing_account_id: ba.id.clone(),
                        holder: "Bayview Bakery B.V.".into(),
                        service_address: demo_address(
                            "Prinsengracht 1",
                            "Amsterdam",
                            "1015 DK",
                            "NL",
                        ),
                        losing_provider: "Old Dutch Telecom".into(),
                        account_number: "ODT-778812".into(),
                        signatory: "Bayview Bakery admin".into(),
                        existing_service_active: true,
                        numbers: vec!["+31205550180".into(), "+31205550181".into()],
                    },
                )
                .await?;
            app.upload_document(
                &sys,
                DocSubject::PortIn(&p.id),
                NewDocument {
                    kind: "loa".into(),
                    filename: "loa-signed.pdf".into(),
                    content_type: "application/pdf".into(),
                    content_base64: DEMO_PDF_BASE64.into(),
                },
            )
            .await?;
            app.port_in_event(&sys, &p.id, PortInEvent::Submit, None, None)
                .await?;
            app.port_in_event(&sys, &p.id, PortInEvent::Accept, None, None)
                .await?;
            app.request_documents(
                &sys,
                DocSubject::PortIn(&p.id),
                "bill",
                app.now() + 10 * 86_400,
                None,
                Some("a recent bill of the losing provider"),
                &[],
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenancy::NewCustomer;
    use crate::Clock;

    const NOW: i64 = 1_795_000_000; // 2026-11-17
    const DAY: i64 = 86_400;

    async fn setup() -> (App, Caller) {
        let store = tollgate_store::testing::any().await;
        let app = App::new(store, Clock::fixed(NOW)).unwrap();
        let dir = std::env::temp_dir().join(format!("tg-num-{}", new_id("t")));
        crate::demo::seed(&app, &dir).await.unwrap();
        (app, Caller::system(Actor::cli()))
    }

    fn refusal(e: AppError) -> (&'static str, &'static str, &'static str) {
        match e {
            AppError::Refused(r) => {
                let rule = r.rule.expect("rule");
                (r.code, rule.rule, rule.clause)
            }
            e => panic!("expected a refusal, got {e:?}"),
        }
    }

    /// A new customer (under Northwind) with one EUR billing account and nothing on file.
    async fn fresh_customer(app: &App, sys: &Caller) -> (String, String) {
        let partner = st::find_partner_by_name(&app.store, "Northwind Communications")
            .await
            .unwrap()
            .unwrap();
        let (c, _) = app
            .create_customer(
                sys,
                NewCustomer {
                    name: format!("Fresh {}", new_id("x")),
                    partner_id: Some(partner.id),
                    terms_profile: None,
                    terms_version: None,
                },
            )
            .await
            .unwrap();
        let ba = app
            .create_billing_account(sys, &c.id, "Main", "EUR", None)
            .await
            .unwrap();
        (c.id, ba.id)
    }

    fn london() -> Address {
        Address {
            street: "1 Fleet Street".into(),
            city: "London".into(),
            postcode: "EC4Y 1AA".into(),
            country: "GB".into(),
            floor: Some("3".into()),
            ..Address::default()
        }
    }

    fn pdf(kind: &str) -> NewDocument {
        NewDocument {
            kind: kind.into(),
            filename: format!("{kind}.pdf"),
            content_type: "application/pdf".into(),
            content_base64: DEMO_PDF_BASE64.into(),
        }
    }

    #[tokio::test]
    async fn t10_t13_activation_needs_confirmation_address_and_acknowledgement() {
        let (app, sys) = setup().await;
        let (cid, ba) = fresh_customer(&app, &sys).await;
        let r = app
            .import_numbers_csv(
                &sys,
                b"e164,capabilities\n+442079460500,voice\nnonsense,\n+442079460500,\n",
            )
            .await
            .unwrap();
        assert_eq!(r.inserted.len(), 1);
        let codes: Vec<(usize, &str)> = r
            .rejected
            .iter()
            .map(|l| (l.line, l.code.as_str()))
            .collect();
        assert_eq!(codes, vec![(3, "number_invalid"), (4, "number_exists")]);
        let n = app
            .reserve_number(&sys, "+442079460500", &ba)
            .await
            .unwrap();
        assert_eq!(
            (n.state.as_str(), n.customer_id.as_deref()),
            ("reserved", Some(cid.as_str()))
        );
        let code = |e| refusal(e).0;
        assert_eq!(
            code(app.activate_number(&sys, &n.id).await.unwrap_err()),
            "provider_verification_missing"
        );
        app.verify_number(&sys, &n.id, None).await.unwrap();
        assert_eq!(
            code(app.activate_number(&sys, &n.id).await.unwrap_err()),
            "customer_confirmation_missing"
        );
        app.confirm_number(&sys, &n.id, "test_call", None)
            .await
            .unwrap();
        assert_eq!(
            refusal(app.activate_number(&sys, &n.id).await.unwrap_err()),
            ("emergency_address_missing", "T13", "X 5.B.ii")
        );
        app.set_emergency_address(&sys, &n.id, &london())
            .await
            .unwrap();
        assert_eq!(
            refusal(app.activate_number(&sys, &n.id).await.unwrap_err()),
            ("emergency_ack_missing", "T13", "X 5.B.ii")
        );
        app.acknowledge_emergency(&sys, &cid, cn::EMERGENCY_ACK_TEXT_VERSION, "Jane Doe")
            .await
            .unwrap();
        let n = app.activate_number(&sys, &n.id).await.unwrap();
        assert_eq!((n.state.as_str(), n.activated_at), ("active", Some(NOW)));
        assert_eq!(
            app.numbers_of_account(&ba).await.unwrap(),
            vec!["442079460500".to_string()]
        );
        let h = app.number_history(&sys, &n.id).await.unwrap();
        let events: Vec<&str> = h.transitions.iter().map(|t| t.event.as_str()).collect();
        assert_eq!(
            events,
            [
                "import",
                "reserve",
                "provider_verify",
                "customer_confirm",
                "emergency_address",
                "activate"
            ]
        );
        let act = h.transitions.last().unwrap();
        assert_eq!(
            (
                act.rule.as_str(),
                act.clause.as_str(),
                act.actor.as_str(),
                act.at
            ),
            ("B2", "W 7.9.1", "cli", NOW)
        );
        // Refused transitions keep their code and clause on the way out.
        assert_eq!(
            refusal(app.reserve_number(&sys, &n.id, &ba).await.unwrap_err()),
            ("number_not_available", "T10", "X 15")
        );
    }

    #[tokio::test]
    async fn t7_a_port_in_runs_through_to_completion() {
        let (app, sys) = setup().await;
        let (cid, ba) = fresh_customer(&app, &sys).await;
        let new = NewPortIn {
            billing_account_id: ba.clone(),
            holder: "Fresh Ltd".into(),
            service_address: london(),
            losing_provider: "Old Telco".into(),
            account_number: "OT-1".into(),
            signatory: "Jane Doe".into(),
            existing_service_active: true,
            numbers: vec!["+442079460600".into(), "+447700900600".into()],
        };
        let bad = NewPortIn {
            existing_service_active: false,
            ..new.clone()
        };
        assert_eq!(
            refusal(app.create_port_in(&sys, bad).await.unwrap_err()).0,
            "existing_service_inactive"
        );
        let p = app.create_port_in(&sys, new.clone()).await.unwrap();
        assert_eq!(p.state, "draft");
        assert_eq!(
            refusal(app.create_port_in(&sys, new).await.unwrap_err()).0,
            "port_in_duplicate"
        );
        let ev = |e, foc| app.port_in_event(&sys, &p.id, e, foc, None);
        assert_eq!(
            refusal(ev(PortInEvent::Submit, None).await.unwrap_err()).0,
            "loa_document_missing"
        );
        app.upload_document(&sys, DocSubject::PortIn(&p.id), pdf("loa"))
            .await
            .unwrap();
        assert_eq!(
            ev(PortInEvent::Submit, None).await.unwrap().state,
            "submitted"
        );
        assert_eq!(
            refusal(ev(PortInEvent::Complete, None).await.unwrap_err()),
            ("port_in_state_invalid", "T7", "X 15.A-E")
        );
        assert_eq!(
            ev(PortInEvent::Accept, None).await.unwrap().state,
            "pending"
        );
        let req = app
            .request_documents(
                &sys,
                DocSubject::PortIn(&p.id),
                "bill",
                NOW + 2 * DAY,
                None,
                None,
                &[],
            )
            .await
            .unwrap();
        let p2 = ev(PortInEvent::Schedule, Some(NOW + 3 * DAY))
            .await
            .unwrap();
        assert_eq!(
            (p2.state.as_str(), p2.foc_date),
            ("scheduled", Some(NOW + 3 * DAY))
        );
        assert_eq!(
            refusal(ev(PortInEvent::Complete, None).await.unwrap_err()).0,
            "foc_date_not_reached"
        );
        app.clock.advance(3 * DAY);
        assert_eq!(
            refusal(ev(PortInEvent::Complete, None).await.unwrap_err()).0,
            "documents_outstanding"
        );
        app.upload_document(&sys, DocSubject::PortIn(&p.id), pdf("bill"))
            .await
            .unwrap();
        let d = app.port_in_detail(&sys, &p.id).await.unwrap();
        assert_eq!(d.document_requests[0].id, req.id);
        assert_eq!(d.document_requests[0].state, "fulfilled");
        assert_eq!(
            refusal(ev(PortInEvent::Complete, None).await.unwrap_err()),
            ("emergency_ack_missing", "T13", "X 5.B.ii")
        );
        app.acknowledge_emergency(&sys, &cid, cn::EMERGENCY_ACK_TEXT_VERSION, "Jane Doe")
            .await
            .unwrap();
        let done = ev(PortInEvent::Complete, None).await.unwrap();
        assert_eq!(done.state, "completed");
        let now = app.now();
        let mut active = app.numbers_of_account(&ba).await.unwrap();
        active.sort();
        assert_eq!(active, ["442079460600", "447700900600"]);
        let n = app.number_detail(&sys, "442079460600").await.unwrap();
        assert_eq!(
            (n.number.activated_at, n.number.origin.as_str()),
            (Some(now), "port_in")
        );
        assert_eq!(n.address.unwrap().street, "1 Fleet Street");
        let info = app
            .emergency_address_at("442079460600", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(info.callback, "+442079460600");
        let d = app.port_in_detail(&sys, &p.id).await.unwrap();
        let states: Vec<&str> = d.transitions.iter().map(|t| t.to_state.as_str()).collect();
        assert_eq!(
            states,
            ["draft", "submitted", "pending", "scheduled", "completed"]
        );
        assert_eq!(d.transitions.last().unwrap().rule, "B2");
        // Final states refuse everything.
        assert_eq!(
            refusal(ev(PortInEvent::Cancel, None).await.unwrap_err()).0,
            "port_in_state_invalid"
        );
    }

    #[tokio::test]
    async fn b11_a_missed_document_deadline_flags_the_partner_and_suspends() {
        let (app, sys) = setup().await;
        let northwind = st::find_partner_by_name(&app.store, "Northwind Communications")
            .await
            .unwrap()
            .unwrap();
        let req = app
            .request_documents(
                &sys,
                DocSubject::Number("33170000001"),
                "address_proof",
                NOW + DAY,
                None,
                Some("proof of address"),
                &[],
            )
            .await
            .unwrap();
        let flag_only = app
            .request_documents(
                &sys,
                DocSubject::Number("33170000002"),
                "other",
                NOW + DAY,
                Some("flag_only"),
                None,
                &[],
            )
            .await
            .unwrap();
        // Not yet missed at the deadline itself.
        app.clock.advance(DAY);
        assert_eq!(
            app.sweep_numbers(&sys.actor).await.unwrap(),
            SweepReport::default()
        );
        app.clock.advance(1);
        let rep = app.sweep_numbers(&sys.actor).await.unwrap();
        assert_eq!(
            rep.missed_requests,
            vec![req.id.clone(), flag_only.id.clone()]
        );
        assert_eq!(rep.suspended, vec!["33170000001".to_string()]);
        assert_eq!(
            rep.flagged_partners,
            vec![northwind.id.clone(), northwind.id.clone()]
        );
        assert_eq!(
            app.nonresponsive_flags(&northwind.id).await.unwrap().len(),
            2
        );
        let n = app.number_detail(&sys, "33170000001").await.unwrap().number;
        assert_eq!(n.state, "suspended");
        assert_eq!(n.suspension_ref.as_deref(), Some(req.id.as_str()));
        // The partner stays liable: the Activation Date is unchanged.
        assert_eq!(n.activated_at, Some(NOW));
        let t = app.number_history(&sys, &n.id).await.unwrap().transitions;
        let last = t.last().unwrap();
        assert_eq!(
            (
                last.to_state.as_str(),
                last.rule.as_str(),
                last.clause.as_str()
            ),
            ("suspended", "B11", "W 7.9.3")
        );
        assert_eq!(
            app.number_detail(&sys, "33170000002")
                .await
                .unwrap()
                .number
                .state,
            "active"
        );
        // A sweep is idempotent.
        assert_eq!(
            app.sweep_numbers(&sys.actor).await.unwrap(),
            SweepReport::default()
        );
        // The documents arrive late: the flag clears and the service resumes.
        app.upload_document(
            &sys,
            DocSubject::Number("33170000001"),
            pdf("address_proof"),
        )
        .await
        .unwrap();
        assert_eq!(
            app.number_detail(&sys, "33170000001")
                .await
                .unwrap()
                .number
                .state,
            "active"
        );
        assert_eq!(
            app.nonresponsive_flags(&northwind.id).await.unwrap().len(),
            1
        );
        let reqs = app
            .number_history(&sys, "33170000001")
            .await
            .unwrap()
            .document_requests;
        assert_eq!(reqs[0].state, "fulfilled_late");
    }

    #[tokio::test]
    async fn b11_a_number_held_by_two_missed_requests_resumes_only_when_both_are_met() {
        let (app, sys) = setup().await;
        for kind in ["address_proof", "bill"] {
            app.request_documents(
                &sys,
                DocSubject::Number("33170000001"),
                kind,
                NOW + DAY,
                None,
                None,
                &[],
            )
            .await
            .unwrap();
        }
        app.clock.advance(DAY + 1);
        app.sweep_numbers(&sys.actor).await.unwrap();
        let state = |app: &App| {
            let (app, sys) = (app.clone(), sys.clone());
            async move {
                app.number_detail(&sys, "33170000001")
                    .await
                    .unwrap()
                    .number
                    .state
            }
        };
        assert_eq!(state(&app).await, "suspended");
        app.upload_document(
            &sys,
            DocSubject::Number("33170000001"),
            pdf("address_proof"),
        )
        .await
        .unwrap();
        assert_eq!(state(&app).await, "suspended"); // the bill is still missing
        app.upload_document(&sys, DocSubject::Number("33170000001"), pdf("bill"))
            .await
            .unwrap();
        assert_eq!(state(&app).await, "active");
    }

    #[tokio::test]
    async fn t9_release_quarantine_then_available_after_the_quarantine() {
        let (app, sys) = setup().await;
        let n = app
            .release_number(&sys, "33170000002", "line cancelled")
            .await
            .unwrap();
        assert_eq!(
            (n.state.as_str(), n.quarantine_until),
            ("quarantine", Some(NOW + 90 * DAY))
        );
        let t = app.number_history(&sys, &n.id).await.unwrap().transitions;
        let tail: Vec<(&str, &str, &str)> = t
            .iter()
            .rev()
            .take(2)
            .rev()
            .map(|t| (t.from_state.as_str(), t.to_state.as_str(), t.rule.as_str()))
            .collect();
        assert_eq!(
            tail,
            [
                ("active", "released", "T9"),
                ("released", "quarantine", "T9")
            ]
        );
        assert_eq!(
            refusal(
                app.release_number(&sys, "33170000002", "again")
                    .await
                    .unwrap_err()
            ),
            ("number_not_releasable", "T9", "X 15.F")
        );
        app.clock.advance(90 * DAY - 1);
        assert!(app
            .sweep_numbers(&sys.actor)
            .await
            .unwrap()
            .quarantine_ended
            .is_empty());
        app.clock.advance(1);
        let rep = app.sweep_numbers(&sys.actor).await.unwrap();
        assert_eq!(rep.quarantine_ended, vec!["33170000002".to_string()]);
        let n = app.number_detail(&sys, "33170000002").await.unwrap().number;
        assert_eq!(
            (n.state.as_str(), n.customer_id, n.activated_at),
            ("available", None, None)
        );
    }

    #[tokio::test]
    async fn t9_t13_a_reused_number_never_carries_its_previous_holders_data() {
        let (app, sys) = setup().await;
        assert!(app
            .emergency_address_at("+33170000001", NOW)
            .await
            .unwrap()
            .is_some());
        app.release_number(&sys, "33170000001", "line cancelled")
            .await
            .unwrap();
        app.clock.advance(90 * DAY);
        app.sweep_numbers(&sys.actor).await.unwrap();
        // Back in the inventory: no holder, no address in force.
        assert!(app
            .emergency_address_at("+33170000001", NOW + 90 * DAY)
            .await
            .unwrap()
            .is_none());
        let (_, ba) = fresh_customer(&app, &sys).await;
        let n = app.reserve_number(&sys, "33170000001", &ba).await.unwrap();
        assert!(app
            .emergency_address_at("+33170000001", NOW + 90 * DAY)
            .await
            .unwrap()
            .is_none());
        // A partner sees only the new holding; the operator sees the whole history.
        let partner = Caller {
            scope: tollgate_core::tenancy::Scope::Partners(vec![n.partner_id.clone().unwrap()]),
            ..sys.clone()
        };
        let theirs = app.number_history(&partner, &n.id).await.unwrap();
        assert!(theirs.addresses.is_empty());
        assert!(theirs.transitions.iter().all(|t| t.at >= NOW + 90 * DAY));
        let all = app.number_history(&sys, &n.id).await.unwrap();
        assert!(!all.addresses.is_empty());
    }

    #[tokio::test]
    async fn t13_address_change_pending_48h_then_applies_and_emergency_calls_use_the_address_in_force(
    ) {
        let (app, sys) = setup().await;
        let before = app
            .emergency_address_at("+33170000001", NOW)
            .await
            .unwrap()
            .unwrap();
        assert!(
            before.address.starts_with("12 Rue de la Paix"),
            "{}",
            before.address
        );
        assert_eq!(before.callback, "+33170000001");
        let new = Address {
            street: "8 Avenue de l'Opera".into(),
            city: "Paris".into(),
            postcode: "75001".into(),
            country: "FR".into(),
            room: Some("B12".into()),
            ..Address::default()
        };
        let row = app
            .set_emergency_address(&sys, "33170000001", &new)
            .await
            .unwrap();
        assert_eq!(row.effective_at, NOW + cn::ADDRESS_CHANGE_PENDING_S);
        let d = app.number_detail(&sys, "33170000001").await.unwrap();
        assert_eq!(d.address.unwrap().street, "12 Rue de la Paix");
        assert_eq!(d.pending_address.unwrap().street, "8 Avenue de l'Opera");
        let at = |t| app.emergency_address_at("33170000001", t);
        assert_eq!(at(NOW + 48 * 3600 - 1).await.unwrap(), Some(before.clone()));
        let after = at(NOW + 48 * 3600).await.unwrap().unwrap();
        assert!(
            after.address.starts_with("8 Avenue de l'Opera, room B12"),
            "{}",
            after.address
        );
        // An emergency call during the pending window carries the old address and notifies
        // the designated contact through the outbox.
        app.notify_emergency_call("33170000001", NOW + 3600, "112")
            .await
            .unwrap();
        let mail: Vec<_> = outbox::pending_for(&app.store, "emergency@acme-dental.test")
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.at == NOW + 3600)
            .collect();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].rule, "T13");
        assert!(
            mail[0].body.contains("12 Rue de la Paix"),
            "{}",
            mail[0].body
        );
        // History is kept.
        assert_eq!(
            app.number_history(&sys, "33170000001")
                .await
                .unwrap()
                .addresses
                .len(),
            2
        );
        app.clock.advance(48 * 3600);
        let d = app.number_detail(&sys, "33170000001").await.unwrap();
        assert_eq!(
            (d.address.unwrap().street.as_str(), d.pending_address),
            ("8 Avenue de l'Opera", None)
        );
    }

    #[tokio::test]
    async fn t6_t8_port_out_is_followed_and_the_contract_continues() {
        let (app, sys) = setup().await;
        let (n, po) = app
            .request_port_out(&sys, "442079460100", "New Telco", "PAC-991", NOW + 5 * DAY)
            .await
            .unwrap();
        assert_eq!(
            (n.state.as_str(), po.state.as_str()),
            ("port_out_pending", "pending")
        );
        assert_eq!(
            refusal(
                app.release_number(&sys, "442079460100", "x")
                    .await
                    .unwrap_err()
            ),
            ("port_out_pending", "T8", "X 15.C")
        );
        assert_eq!(
            refusal(
                app.complete_port_out(&sys, "442079460100")
                    .await
                    .unwrap_err()
            ),
            ("port_date_not_reached", "T6", "W 5.1")
        );
        app.clock.advance(5 * DAY);
        let rep = app.sweep_numbers(&sys.actor).await.unwrap();
        assert_eq!(rep.ported_out, vec!["442079460100".to_string()]);
        let n = app
            .number_detail(&sys, "442079460100")
            .await
            .unwrap()
            .number;
        assert_eq!(n.state, "ported_out");
        assert!(n.customer_id.is_some() && n.billing_account_id.is_some());
        assert!(app
            .numbers_of_account(n.billing_account_id.as_deref().unwrap())
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn t14_no_trunking_under_x_hoppers_and_cnam_for_us() {
        let (app, sys) = setup().await;
        let harbor = app
            .number_detail(&sys, "442079460100")
            .await
            .unwrap()
            .number;
        assert!(harbor.no_trunking);
        assert_eq!(
            refusal(
                app.set_routing(&sys, &harbor.id, "sip_trunk")
                    .await
                    .unwrap_err()
            ),
            ("trunking_not_allowed", "T14", "X 14.B")
        );
        assert_eq!(
            app.set_routing(&sys, &harbor.id, "direct")
                .await
                .unwrap()
                .routing,
            "direct"
        );
        assert_eq!(
            app.set_routing(&sys, "33170000001", "sip_trunk")
                .await
                .unwrap()
                .routing,
            "sip_trunk"
        );
        let us = app.number_detail(&sys, "14155550142").await.unwrap().number;
        assert_eq!(us.cnam.as_deref(), Some("DIRECT CORP"));
        assert!(matches!(
            app.set_cnam(&sys, "33170000001", "ACME").await.unwrap_err(),
            AppError::Invalid {
                code: "cnam_not_applicable",
                ..
            }
        ));
    }
}
