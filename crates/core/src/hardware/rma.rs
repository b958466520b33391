//! RMA for CAPEX devices (K4, W 22.5): what opens one, its states, and the data a US partner
//! sends logistics for a return label.

use crate::rules;
use crate::Refusal;

/// An RMA's state. The replacement ships only once the faulty unit is received and verified;
/// when none is available, a refurbished equivalent or a credit note (through the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RmaState {
    Requested,
    Approved,
    UnitReceived,
    Verified,
    ReplacementShipped,
    RefurbishedShipped,
    CreditNote,
    /// Refused under a rule (K2 expired, K3 exclusion, ...), recorded with the refusal.
    Refused,
}

impl RmaState {
    pub const ALL: [RmaState; 8] = [
        RmaState::Requested,
        RmaState::Approved,
        RmaState::UnitReceived,
        RmaState::Verified,
        RmaState::ReplacementShipped,
        RmaState::RefurbishedShipped,
        RmaState::CreditNote,
        RmaState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RmaState::Requested => "requested",
            RmaState::Approved => "approved",
            RmaState::UnitReceived => "unit_received",
            RmaState::Verified => "verified",
            RmaState::ReplacementShipped => "replacement_shipped",
            RmaState::RefurbishedShipped => "refurbished_shipped",
            RmaState::CreditNote => "credit_note",
            RmaState::Refused => "refused",
        }
    }

    /// Reads a stored or submitted state; `rma_state_invalid` on field `state` otherwise.
    pub fn parse(s: &str) -> Result<RmaState, Refusal> {
        RmaState::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "rma_state_invalid",
                    "state",
                    format!(
                        "`{s}` is not an RMA state; one of: requested, approved, unit_received, \
                         verified, replacement_shipped, refurbished_shipped, credit_note, refused"
                    ),
                )
            })
    }
}

/// Whether an RMA in this state is closed: shipped, credited or refused.
pub fn is_final(s: RmaState) -> bool {
    matches!(
        s,
        RmaState::ReplacementShipped
            | RmaState::RefurbishedShipped
            | RmaState::CreditNote
            | RmaState::Refused
    )
}

/// K4: requested → approved → unit received → verified → replacement shipped | refurbished
/// shipped | credit note; refused from any open state. Anything else is refused with
/// `rma_transition_invalid` on field `state`.
pub fn transition(from: RmaState, to: RmaState) -> Result<(), Refusal> {
    use RmaState::*;
    let ok = matches!(
        (from, to),
        (Requested, Approved)
            | (Approved, UnitReceived)
            | (UnitReceived, Verified)
            | (
                Verified,
                ReplacementShipped | RefurbishedShipped | CreditNote
            )
            | (Requested | Approved | UnitReceived | Verified, Refused)
    );
    if ok {
        return Ok(());
    }
    let why = if is_final(from) {
        "; the RMA is closed"
    } else if matches!(to, ReplacementShipped | RefurbishedShipped | CreditNote) {
        "; a replacement, refurbished unit or credit note follows the receipt and verification \
         of the faulty unit"
    } else {
        ""
    };
    Err(Refusal::new(
        "rma_transition_invalid",
        rules::K4,
        format!(
            "an RMA cannot move from {} to {}{why}",
            from.as_str(),
            to.as_str()
        ),
    )
    .on_field("state"))
}

/// K4 (W 22.5 a): an RMA is opened with a fault description and proof of purchase
/// (`fault_description_required`, `proof_of_purchase_required`).
pub fn check_request(fault_description: &str, proof_of_purchase: bool) -> Result<(), Refusal> {
    if fault_description.trim().is_empty() {
        return Err(Refusal::new(
            "fault_description_required",
            rules::K4,
            "an RMA needs a description of the fault",
        )
        .on_field("fault_description"));
    }
    if !proof_of_purchase {
        return Err(Refusal::new(
            "proof_of_purchase_required",
            rules::K4,
            "an RMA needs the proof of purchase",
        )
        .on_field("proof_of_purchase"));
    }
    Ok(())
}

/// Longest RMA number accepted on a label request.
pub const MAX_RMA_NUMBER_LEN: usize = 32;
/// Heaviest return parcel accepted, in grams: 68 kg (150 lb), the US parcel carriers' limit.
pub const MAX_WEIGHT_G: i64 = 68_000;
/// Longest side of a return parcel accepted, in millimetres: 2,740 mm (108 in), the US parcel
/// carriers' limit on length.
pub const MAX_SIDE_MM: i64 = 2_740;

/// What a US partner sends logistics for a return label (K4, W 22.5 b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsReturnLabel {
    pub rma_number: String,
    pub weight_g: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
}

/// The label request's data: an RMA number of 1-32 characters `[A-Za-z0-9-]`
/// (`rma_number_invalid`), a weight of 1 g to [`MAX_WEIGHT_G`] (`weight_invalid`) and sides
/// of 1 mm to [`MAX_SIDE_MM`] (`dimension_invalid`, naming the side).
pub fn check_us_label(l: &UsReturnLabel) -> Result<(), Refusal> {
    let n = &l.rma_number;
    if n.is_empty()
        || n.len() > MAX_RMA_NUMBER_LEN
        || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Refusal::invalid(
            "rma_number_invalid",
            "rma_number",
            format!(
                "an RMA number is 1-{MAX_RMA_NUMBER_LEN} characters of letters, digits and `-`"
            ),
        ));
    }
    if !(1..=MAX_WEIGHT_G).contains(&l.weight_g) {
        return Err(Refusal::invalid(
            "weight_invalid",
            "weight_g",
            format!(
                "the weight is between 1 and {MAX_WEIGHT_G} g; got {}",
                l.weight_g
            ),
        ));
    }
    for (field, v) in [
        ("length_mm", l.length_mm),
        ("width_mm", l.width_mm),
        ("height_mm", l.height_mm),
    ] {
        if !(1..=MAX_SIDE_MM).contains(&v) {
            return Err(Refusal::invalid(
                "dimension_invalid",
                field,
                format!("each side is between 1 and {MAX_SIDE_MM} mm; {field} is {v}"),
            ));
        }
    }
    Ok(())
}
