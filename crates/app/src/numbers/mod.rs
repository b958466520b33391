//! Number use cases (RULEBOOK T6-T14, B2, B11): inventory import, reservation (provisional,
//! T10), provider verification and customer confirmation, activation (its Activation Date
//! starts billing, B2), release into quarantine (T9), suspension (B11), port-outs (T6, T8),
//! port-ins with LOA data and documents (T7), document requests with deadlines (B11),
//! emergency addresses, acknowledgements and contacts (T13), routing (T14) and CNAM.
//!
//! Each use case loads what the rule needs, asks `tollgate_core::numbers` to decide, and
//! commits the change, the recorded transition (actor, time, reason, rule) and the audit entry
//! in one transaction.

mod demo;
mod documents;
mod emergency;
mod inventory;
mod lifecycle;
mod port_in;
mod port_out;
mod routing;
mod sweep;
#[cfg(test)]
mod tests;

pub use demo::{seed_demo, DEMO_PDF_BASE64};

use serde_json::json;
use sha2::{Digest, Sha256};
use tollgate_core::numbers::{
    self as numbers_rules, Address, Loa, MissPolicy, NumberEvent, NumberFacts, NumberState,
    NumberType, PortInEvent, PortInFacts, PortInState, Routing, Transition,
};
use tollgate_core::terms::TermsProfile;
use tollgate_core::{e164, rules, Refusal, RuleRef};
use tollgate_store::numbers::{
    self as numbers_store, AckRow, AddressRow, ContactRow, DocRequestRow, DocumentRow, FlagRow,
    NumberFilter, NumberRow, PortInRow, PortOutRow, TransitionRow,
};
use tollgate_store::tenancy as tenancy_store;
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
    if t.is_empty()
        || t.chars().count() > numbers_rules::MAX_TEXT_CHARS
        || t.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            "field_invalid",
            field,
            format!(
                "must be 1 to {} characters without control characters",
                numbers_rules::MAX_TEXT_CHARS
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
    numbers_rules::in_force_at(&versions, at).copied()
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
    numbers_store::insert_transition(
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
    numbers_store::insert_transition(
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
    pub(crate) async fn profile_of_customer(
        &self,
        customer_id: &str,
    ) -> Result<Option<TermsProfile>, AppError> {
        Ok(
            tenancy_store::system::current_agreement(&self.store, customer_id)
                .await?
                .and_then(|a| {
                    self.terms
                        .get(&a.profile_id, Some(a.profile_version as u32))
                        .cloned()
                }),
        )
    }

    async fn no_trunking_of(&self, customer_id: &str) -> Result<bool, AppError> {
        Ok(self
            .profile_of_customer(customer_id)
            .await?
            .is_some_and(|p| p.telephony.no_trunking))
    }

    /// Whether the customer acknowledged the current emergency-limitations text (T13).
    async fn has_current_ack(&self, customer_id: &str) -> Result<bool, AppError> {
        Ok(numbers_store::system::acks_of(&self.store, customer_id)
            .await?
            .iter()
            .any(|a| a.text_version == numbers_rules::EMERGENCY_ACK_TEXT_VERSION))
    }

    /// A number in the caller's scope (unassigned inventory too, except for customers).
    async fn number_in_scope(&self, caller: &Caller, id: &str) -> Result<NumberRow, AppError> {
        let key = id.strip_prefix('+').unwrap_or(id);
        numbers_store::get_number(&self.store, ScopeFilter::of(&caller.scope), key, true)
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
        let mut rows = numbers_store::system::addresses_of(&self.store, &n.id).await?;
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
        let identity = numbers_store::system::documents_of(&self.store, None, Some(&n.id))
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
            port_date: numbers_store::system::pending_port_out(&self.store, &n.id)
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
