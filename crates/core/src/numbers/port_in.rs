//! Port-in (T7): the port-in state machine and the letter of authorisation.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortInState {
    Draft,
    Submitted,
    Pending,
    /// The losing provider gave a firm order commitment (FOC) date.
    Scheduled,
    Completed,
    Rejected,
    Cancelled,
}

impl PortInState {
    pub const ALL: [PortInState; 7] = [
        PortInState::Draft,
        PortInState::Submitted,
        PortInState::Pending,
        PortInState::Scheduled,
        PortInState::Completed,
        PortInState::Rejected,
        PortInState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortInState::Draft => "draft",
            PortInState::Submitted => "submitted",
            PortInState::Pending => "pending",
            PortInState::Scheduled => "scheduled",
            PortInState::Completed => "completed",
            PortInState::Rejected => "rejected",
            PortInState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PortInState> {
        PortInState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Completed, rejected and cancelled requests are final.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PortInState::Completed | PortInState::Rejected | PortInState::Cancelled
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortInEvent {
    Submit,
    /// The losing provider acknowledged the request.
    Accept,
    /// The losing provider committed a date (FOC).
    Schedule,
    Complete,
    Reject,
    Cancel,
}

impl PortInEvent {
    pub const ALL: [PortInEvent; 6] = [
        PortInEvent::Submit,
        PortInEvent::Accept,
        PortInEvent::Schedule,
        PortInEvent::Complete,
        PortInEvent::Reject,
        PortInEvent::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortInEvent::Submit => "submit",
            PortInEvent::Accept => "accept",
            PortInEvent::Schedule => "schedule",
            PortInEvent::Complete => "complete",
            PortInEvent::Reject => "reject",
            PortInEvent::Cancel => "cancel",
        }
    }

    fn shape(self) -> (&'static [PortInState], PortInState) {
        use PortInState::*;
        match self {
            PortInEvent::Submit => (&[Draft], Submitted),
            PortInEvent::Accept => (&[Submitted], Pending),
            PortInEvent::Schedule => (&[Pending, Scheduled], Scheduled),
            PortInEvent::Complete => (&[Scheduled], Completed),
            PortInEvent::Reject => (&[Submitted, Pending, Scheduled], Rejected),
            PortInEvent::Cancel => (&[Draft, Submitted, Pending, Scheduled], Cancelled),
        }
    }
}

/// Letter-of-authorisation data (T7): who holds the numbers, where, with whom, who signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loa {
    pub holder: String,
    pub service_address: Address,
    pub losing_provider: String,
    pub account_number: String,
    pub signatory: String,
    /// T7: the customer states that the existing service is still active.
    pub existing_service_active: bool,
    /// E.164 digits.
    pub numbers: Vec<String>,
}

/// T7: the LOA must be complete and accurate before submission; the existing service must
/// still be active.
pub fn check_loa(l: &Loa) -> Result<(), Refusal> {
    let t7 = |code, field, msg: &str| Refusal::new(code, rules::T7, msg).on_field(field);
    for (field, v) in [
        ("holder", &l.holder),
        ("losing_provider", &l.losing_provider),
        ("account_number", &l.account_number),
        ("signatory", &l.signatory),
    ] {
        if v.trim().is_empty() {
            return Err(t7(
                "loa_incomplete",
                field,
                "the letter of authorisation must name the holder, losing provider, account number and signatory",
            ));
        }
        text(field, v, true)?;
    }
    check_address(&l.service_address)?;
    if l.numbers.is_empty() || l.numbers.len() > MAX_NUMBERS_PER_PORT_IN {
        return Err(t7(
            "loa_numbers_invalid",
            "numbers",
            &format!("a port-in carries 1 to {MAX_NUMBERS_PER_PORT_IN} numbers"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for n in &l.numbers {
        if !seen.insert(n) {
            return Err(t7(
                "loa_numbers_invalid",
                "numbers",
                &format!("+{n} is listed twice"),
            ));
        }
    }
    if !l.existing_service_active {
        return Err(t7(
            "existing_service_inactive",
            "existing_service_active",
            "the existing service must stay active until the port completes",
        ));
    }
    Ok(())
}

/// What the rules need to know about a port-in to decide an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInFacts {
    pub state: PortInState,
    pub foc_date: Option<i64>,
    /// Document requests still open (not fulfilled).
    pub open_document_requests: usize,
    /// T13: the customer acknowledged the emergency-call limitations (the ported numbers
    /// become active voice numbers at completion).
    pub emergency_ack: bool,
}

/// Decides a port-in event at `now`; `foc_date` is the date given with `Schedule`.
pub fn decide_port_in(
    event: PortInEvent,
    f: &PortInFacts,
    foc_date: Option<i64>,
    now: i64,
) -> Result<PortInState, Refusal> {
    let (from, to) = event.shape();
    if !from.contains(&f.state) {
        return Err(Refusal::new(
            "port_in_state_invalid",
            rules::T7,
            format!(
                "cannot {} a port-in that is {}",
                event.as_str(),
                f.state.as_str()
            ),
        ));
    }
    match event {
        PortInEvent::Schedule => match foc_date {
            None => {
                return Err(Refusal::invalid(
                    "foc_date_missing",
                    "foc_date",
                    "scheduling needs the firm order commitment date",
                ))
            }
            Some(d) if d < now => {
                return Err(Refusal::new(
                    "foc_date_in_past",
                    rules::T7,
                    "the firm order commitment date cannot lie in the past",
                )
                .on_field("foc_date"))
            }
            Some(_) => {}
        },
        PortInEvent::Complete => {
            if f.foc_date.is_some_and(|d| now < d) {
                return Err(Refusal::new(
                    "foc_date_not_reached",
                    rules::T7,
                    "the port completes on the firm order commitment date, not before",
                ));
            }
            if f.open_document_requests > 0 {
                return Err(Refusal::new(
                    "documents_outstanding",
                    rules::B11,
                    format!(
                        "{} requested document(s) have not arrived",
                        f.open_document_requests
                    ),
                ));
            }
            if !f.emergency_ack {
                return Err(Refusal::new(
                    "emergency_ack_missing",
                    rules::T13,
                    "the customer must acknowledge the emergency-call limitations before the ported numbers go live",
                ));
            }
        }
        _ => {}
    }
    Ok(to)
}
