//! Answers of the number routes (T6-T14, B2, B11): numbers, addresses, documents, document
//! requests, port-ins and port-outs, the emergency acknowledgement and contact.
//!
//! Numbers are rendered E.164 with `+`; times RFC 3339.

use serde::Serialize;
use tollgate_app::numbers::{ImportReport, NumberDetail, NumberHistory, PortInDetail, SweepReport};
use tollgate_app::records::{
    AckRow, AddressRow, ContactRow, DocRequestRow, DocumentRow, NumberRow, PortInRow, PortOutRow,
    TransitionRow,
};
use tollgate_core::numbers::{
    self as numbers_rules, Capability, MissPolicy, NumberState, NumberType, PortInState, Routing,
};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder};
use utoipa::ToSchema;

use crate::extract::ts;

fn ots(v: Option<i64>) -> Option<String> {
    v.map(ts)
}

fn plus(digits: &str) -> String {
    format!("+{digits}")
}

pub(crate) fn number_state_schema() -> ObjectBuilder {
    super::strings(NumberState::ALL.map(NumberState::as_str))
}

pub(crate) fn port_in_state_schema() -> ObjectBuilder {
    super::strings(PortInState::ALL.map(PortInState::as_str))
}

pub(crate) fn routing_schema() -> ObjectBuilder {
    super::strings(Routing::ALL.map(Routing::as_str))
}

pub(crate) fn capabilities_schema() -> ArrayBuilder {
    super::string_array(Capability::ALL.map(Capability::as_str))
}

fn number_type_schema() -> ObjectBuilder {
    super::strings(NumberType::ALL.map(NumberType::as_str))
}

pub(crate) fn document_kind_schema() -> ObjectBuilder {
    super::strings(numbers_rules::DOCUMENT_KINDS.iter().copied())
}

pub(crate) fn document_type_schema() -> ObjectBuilder {
    super::strings(numbers_rules::DOCUMENT_TYPES.iter().map(|(t, _)| *t))
}

pub(crate) fn miss_policy_schema() -> ObjectBuilder {
    super::strings([MissPolicy::Suspend, MissPolicy::FlagOnly].map(MissPolicy::as_str))
}

pub(crate) fn confirm_method_schema() -> ObjectBuilder {
    super::strings(tollgate_app::numbers::CONFIRM_METHODS.iter().copied())
}

/// A number in the inventory or in service.
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberOut {
    pub id: String,
    /// E.164 with `+`.
    pub e164: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(rename = "type")]
    #[schema(schema_with = number_type_schema)]
    pub number_type: String,
    #[schema(schema_with = capabilities_schema)]
    pub capabilities: Vec<String>,
    #[schema(schema_with = number_state_schema)]
    pub state: String,
    pub customer_id: Option<String>,
    pub billing_account_id: Option<String>,
    pub reserved_at: Option<String>,
    pub provider_verified_at: Option<String>,
    pub customer_confirmed_at: Option<String>,
    pub confirm_method: Option<String>,
    /// B2: billing starts here.
    pub activation_date: Option<String>,
    pub quarantine_until: Option<String>,
    pub suspended_reason: Option<String>,
    pub cnam: Option<String>,
    pub no_trunking: bool,
    #[schema(schema_with = routing_schema)]
    pub routing: String,
    /// `inventory` or `port_in`.
    pub origin: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&NumberRow> for NumberOut {
    fn from(n: &NumberRow) -> NumberOut {
        NumberOut {
            id: n.id.clone(),
            e164: plus(&n.e164),
            country: n.country.clone(),
            number_type: n.number_type.clone(),
            capabilities: n
                .capabilities
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            state: n.state.clone(),
            customer_id: n.customer_id.clone(),
            billing_account_id: n.billing_account_id.clone(),
            reserved_at: ots(n.reserved_at),
            provider_verified_at: ots(n.provider_verified_at),
            customer_confirmed_at: ots(n.customer_confirmed_at),
            confirm_method: n.confirm_method.clone(),
            activation_date: ots(n.activated_at),
            quarantine_until: ots(n.quarantine_until),
            suspended_reason: n.suspended_reason.clone(),
            cnam: n.cnam.clone(),
            no_trunking: n.no_trunking,
            routing: n.routing.clone(),
            origin: n.origin.clone(),
            created_at: ts(n.created_at),
            updated_at: ts(n.updated_at),
        }
    }
}

impl From<NumberRow> for NumberOut {
    fn from(n: NumberRow) -> NumberOut {
        NumberOut::from(&n)
    }
}

/// An emergency service address registered for a number (T13).
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressOut {
    pub id: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub region: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
    /// The address on one line, as dispatched.
    pub one_line: String,
    pub registered_at: String,
    pub registered_by: String,
    /// When it applies (48 h after registration for a number in service).
    pub effective_at: String,
    /// Set when a later change replaced it before it applied.
    pub withdrawn_at: Option<String>,
}

impl From<&AddressRow> for AddressOut {
    fn from(a: &AddressRow) -> AddressOut {
        AddressOut {
            id: a.id.clone(),
            street: a.street.clone(),
            city: a.city.clone(),
            postcode: a.postcode.clone(),
            country: a.country.clone(),
            region: a.region.clone(),
            floor: a.floor.clone(),
            room: a.room.clone(),
            one_line: tollgate_app::numbers::address_of(a).one_line(),
            registered_at: ts(a.registered_at),
            registered_by: a.registered_by.clone(),
            effective_at: ts(a.effective_at),
            withdrawn_at: ots(a.withdrawn_at),
        }
    }
}

/// An address just registered: pending until it applies (T13).
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressRegisteredOut {
    #[serde(flatten)]
    pub address: AddressOut,
    pub pending: bool,
    pub rule: &'static str,
}

/// One recorded transition of a number or port-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionOut {
    pub id: String,
    pub from: String,
    pub to: String,
    pub event: String,
    pub actor: String,
    pub at: String,
    pub reason: String,
    pub rule: String,
    pub clause: String,
}

impl From<&TransitionRow> for TransitionOut {
    fn from(t: &TransitionRow) -> TransitionOut {
        TransitionOut {
            id: t.id.clone(),
            from: t.from_state.clone(),
            to: t.to_state.clone(),
            event: t.event.clone(),
            actor: t.actor.clone(),
            at: ts(t.at),
            reason: t.reason.clone(),
            rule: t.rule.clone(),
            clause: t.clause.clone(),
        }
    }
}

/// An uploaded document (never its content).
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    #[schema(schema_with = document_kind_schema)]
    pub kind: String,
    pub filename: String,
    #[schema(schema_with = document_type_schema)]
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl From<&DocumentRow> for DocumentOut {
    fn from(d: &DocumentRow) -> DocumentOut {
        DocumentOut {
            id: d.id.clone(),
            kind: d.kind.clone(),
            filename: d.filename.clone(),
            content_type: d.content_type.clone(),
            size_bytes: d.size_bytes,
            sha256: d.sha256.clone(),
            uploaded_by: d.uploaded_by.clone(),
            uploaded_at: ts(d.uploaded_at),
        }
    }
}

/// A request for documents by a deadline (B11).
#[derive(Debug, Serialize, ToSchema)]
pub struct DocRequestOut {
    pub id: String,
    pub port_in_id: Option<String>,
    pub number_id: Option<String>,
    pub kind: String,
    pub deadline: String,
    #[schema(schema_with = miss_policy_schema)]
    pub on_miss: String,
    /// The numbers suspended if the deadline is missed (E.164).
    pub affected: Vec<String>,
    /// `open`, `fulfilled`, `missed`, `fulfilled_late`, `cancelled`.
    pub state: String,
    pub note: String,
    pub requested_by: String,
    pub requested_at: String,
    pub resolved_at: Option<String>,
    pub rule: &'static str,
    pub clause: &'static str,
}

impl From<&DocRequestRow> for DocRequestOut {
    fn from(r: &DocRequestRow) -> DocRequestOut {
        DocRequestOut {
            id: r.id.clone(),
            port_in_id: r.port_in_id.clone(),
            number_id: r.number_id.clone(),
            kind: r.kind.clone(),
            deadline: ts(r.deadline),
            on_miss: r.on_miss.clone(),
            affected: r
                .affected
                .split(',')
                .filter(|d| !d.is_empty())
                .map(plus)
                .collect(),
            state: r.state.clone(),
            note: r.note.clone(),
            requested_by: r.requested_by.clone(),
            requested_at: ts(r.requested_at),
            resolved_at: ots(r.resolved_at),
            rule: "B11",
            clause: tollgate_core::rules::B11.clause,
        }
    }
}

/// The service address on a letter of authorisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAddressOut {
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub region: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
}

/// Letter-of-authorisation data of a port-in (T7).
#[derive(Debug, Serialize, ToSchema)]
pub struct LoaOut {
    pub holder: String,
    pub service_address: ServiceAddressOut,
    pub losing_provider: String,
    pub account_number: String,
    pub signatory: String,
    pub existing_service_active: bool,
}

/// A port-in request (T7).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortInOut {
    pub id: String,
    pub customer_id: String,
    pub billing_account_id: String,
    #[schema(schema_with = port_in_state_schema)]
    pub state: String,
    pub loa: LoaOut,
    /// E.164.
    pub numbers: Vec<String>,
    /// Firm order commitment date.
    pub foc_date: Option<String>,
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&PortInRow> for PortInOut {
    fn from(p: &PortInRow) -> PortInOut {
        PortInOut {
            id: p.id.clone(),
            customer_id: p.customer_id.clone(),
            billing_account_id: p.billing_account_id.clone(),
            state: p.state.clone(),
            loa: LoaOut {
                holder: p.holder.clone(),
                service_address: ServiceAddressOut {
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
            },
            numbers: p.numbers.iter().map(|d| plus(d)).collect(),
            foc_date: ots(p.foc_date),
            reason: p.reason.clone(),
            created_by: p.created_by.clone(),
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
        }
    }
}

impl From<PortInRow> for PortInOut {
    fn from(p: PortInRow) -> PortInOut {
        PortInOut::from(&p)
    }
}

/// A port-in with its documents, document requests and transitions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortInDetailOut {
    #[serde(flatten)]
    pub port_in: PortInOut,
    pub documents: Vec<DocumentOut>,
    pub document_requests: Vec<DocRequestOut>,
    pub transitions: Vec<TransitionOut>,
    /// B11: the owning partner is flagged non-responsive.
    pub partner_nonresponsive: bool,
}

impl From<&PortInDetail> for PortInDetailOut {
    fn from(d: &PortInDetail) -> PortInDetailOut {
        PortInDetailOut {
            port_in: (&d.port_in).into(),
            documents: d.documents.iter().map(Into::into).collect(),
            document_requests: d.document_requests.iter().map(Into::into).collect(),
            transitions: d.transitions.iter().map(Into::into).collect(),
            partner_nonresponsive: d.partner_nonresponsive,
        }
    }
}

/// A pending port-out of a number (T6, T8).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortOutOut {
    pub id: String,
    pub gaining_provider: String,
    pub authorisation_ref: String,
    pub port_date: String,
    pub state: String,
    pub requested_at: String,
}

impl From<&PortOutRow> for PortOutOut {
    fn from(p: &PortOutRow) -> PortOutOut {
        PortOutOut {
            id: p.id.clone(),
            gaining_provider: p.gaining_provider.clone(),
            authorisation_ref: p.authorisation_ref.clone(),
            port_date: ts(p.port_date),
            state: p.state.clone(),
            requested_at: ts(p.requested_at),
        }
    }
}

/// A number with what is in force now: the emergency address, a pending change of it and a
/// pending port-out (each null when there is none).
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberDetailOut {
    #[serde(flatten)]
    pub number: NumberOut,
    #[schema(required = true)]
    pub emergency_address: Option<AddressOut>,
    #[schema(required = true)]
    pub pending_emergency_address: Option<AddressOut>,
    #[schema(required = true)]
    pub port_out: Option<PortOutOut>,
}

impl From<&NumberDetail> for NumberDetailOut {
    fn from(d: &NumberDetail) -> NumberDetailOut {
        NumberDetailOut {
            number: (&d.number).into(),
            emergency_address: d.address.as_ref().map(Into::into),
            pending_emergency_address: d.pending_address.as_ref().map(Into::into),
            port_out: d.port_out.as_ref().map(Into::into),
        }
    }
}

/// Everything recorded about a number.
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberHistoryOut {
    pub transitions: Vec<TransitionOut>,
    pub emergency_addresses: Vec<AddressOut>,
    pub documents: Vec<DocumentOut>,
    pub document_requests: Vec<DocRequestOut>,
}

impl From<&NumberHistory> for NumberHistoryOut {
    fn from(h: &NumberHistory) -> NumberHistoryOut {
        NumberHistoryOut {
            transitions: h.transitions.iter().map(Into::into).collect(),
            emergency_addresses: h.addresses.iter().map(Into::into).collect(),
            documents: h.documents.iter().map(Into::into).collect(),
            document_requests: h.document_requests.iter().map(Into::into).collect(),
        }
    }
}

/// A refused line of a bulk input, by line number.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineRejectOut {
    pub line: usize,
    pub code: String,
    pub field: String,
    pub message: String,
}

/// What an inventory import added and refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportOut {
    pub inserted: usize,
    pub numbers: Vec<NumberOut>,
    pub rejected: Vec<LineRejectOut>,
}

impl From<&ImportReport> for ImportReportOut {
    fn from(r: &ImportReport) -> ImportReportOut {
        ImportReportOut {
            inserted: r.inserted.len(),
            numbers: r.inserted.iter().map(Into::into).collect(),
            rejected: r
                .rejected
                .iter()
                .map(|l| LineRejectOut {
                    line: l.line,
                    code: l.code.clone(),
                    field: l.field.clone(),
                    message: l.message.clone(),
                })
                .collect(),
        }
    }
}

/// What a sweep applied (numbers E.164).
#[derive(Debug, Serialize, ToSchema)]
pub struct SweepOut {
    pub at: String,
    pub missed_document_requests: Vec<String>,
    pub flagged_partners: Vec<String>,
    pub suspended: Vec<String>,
    pub quarantine_ended: Vec<String>,
    pub ported_out: Vec<String>,
}

impl SweepOut {
    pub fn new(at: i64, r: SweepReport) -> SweepOut {
        let plus_all = |v: Vec<String>| v.iter().map(|d| plus(d)).collect();
        SweepOut {
            at: ts(at),
            missed_document_requests: r.missed_requests,
            flagged_partners: r.flagged_partners,
            suspended: plus_all(r.suspended),
            quarantine_ended: plus_all(r.quarantine_ended),
            ported_out: plus_all(r.ported_out),
        }
    }
}

/// The emergency-call limitations text to acknowledge (T13).
#[derive(Debug, Serialize, ToSchema)]
pub struct AckTextOut {
    pub text_version: &'static str,
    pub text: &'static str,
    pub address_change_pending_h: i64,
    pub rule: &'static str,
    pub clause: &'static str,
}

/// A customer's written acknowledgement (T13).
#[derive(Debug, Serialize, ToSchema)]
pub struct AckOut {
    pub id: String,
    pub customer_id: String,
    pub text_version: String,
    pub signer_name: String,
    pub acknowledged_by: String,
    pub acknowledged_at: String,
}

impl From<&AckRow> for AckOut {
    fn from(a: &AckRow) -> AckOut {
        AckOut {
            id: a.id.clone(),
            customer_id: a.customer_id.clone(),
            text_version: a.text_version.clone(),
            signer_name: a.signer_name.clone(),
            acknowledged_by: a.acknowledged_by.clone(),
            acknowledged_at: ts(a.acknowledged_at),
        }
    }
}

/// The contact notified of every emergency call (T13).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub updated_at: String,
}

impl From<ContactRow> for ContactOut {
    fn from(r: ContactRow) -> ContactOut {
        ContactOut {
            customer_id: r.customer_id,
            name: r.name,
            email: r.email,
            updated_at: ts(r.updated_at),
        }
    }
}
