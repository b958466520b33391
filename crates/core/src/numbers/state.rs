//! The number state machine (T6-T10, B2, B11).

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberState {
    Available,
    /// Provisional (T10): held for a customer, not yet verified and confirmed.
    Reserved,
    Active,
    PortOutPending,
    PortedOut,
    Released,
    Quarantine,
    Suspended,
}

impl NumberState {
    pub const ALL: [NumberState; 8] = [
        NumberState::Available,
        NumberState::Reserved,
        NumberState::Active,
        NumberState::PortOutPending,
        NumberState::PortedOut,
        NumberState::Released,
        NumberState::Quarantine,
        NumberState::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NumberState::Available => "available",
            NumberState::Reserved => "reserved",
            NumberState::Active => "active",
            NumberState::PortOutPending => "port_out_pending",
            NumberState::PortedOut => "ported_out",
            NumberState::Released => "released",
            NumberState::Quarantine => "quarantine",
            NumberState::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<NumberState> {
        NumberState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the number is in service with a customer (calls may use it).
    pub fn in_service(self) -> bool {
        matches!(
            self,
            NumberState::Active | NumberState::Suspended | NumberState::PortOutPending
        )
    }
}

/// What may happen to a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberEvent {
    /// T10: hold an available number for a customer (provisional).
    Reserve,
    /// T10: give a provisional number back.
    Unreserve,
    /// T10, T13, T11, B2: make a reserved number active; its Activation Date starts billing.
    Activate,
    /// T8: a gaining provider's valid port-out request.
    RequestPortOut,
    /// T6: the number leaves at the port date; the contract continues.
    CompletePortOut,
    /// T8: the gaining provider withdrew the request.
    CancelPortOut,
    /// T9: released at cancellation or termination.
    Release,
    /// T9 decision: a released number waits in quarantine.
    StartQuarantine,
    /// T9 decision: after the quarantine the number is available again.
    EndQuarantine,
    /// B11 (or T11): the provider suspends the number.
    Suspend,
    /// B11: the cause is resolved; the number is active again.
    Resume,
}

impl NumberEvent {
    pub const ALL: [NumberEvent; 11] = [
        NumberEvent::Reserve,
        NumberEvent::Unreserve,
        NumberEvent::Activate,
        NumberEvent::RequestPortOut,
        NumberEvent::CompletePortOut,
        NumberEvent::CancelPortOut,
        NumberEvent::Release,
        NumberEvent::StartQuarantine,
        NumberEvent::EndQuarantine,
        NumberEvent::Suspend,
        NumberEvent::Resume,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NumberEvent::Reserve => "reserve",
            NumberEvent::Unreserve => "unreserve",
            NumberEvent::Activate => "activate",
            NumberEvent::RequestPortOut => "request_port_out",
            NumberEvent::CompletePortOut => "complete_port_out",
            NumberEvent::CancelPortOut => "cancel_port_out",
            NumberEvent::Release => "release",
            NumberEvent::StartQuarantine => "start_quarantine",
            NumberEvent::EndQuarantine => "end_quarantine",
            NumberEvent::Suspend => "suspend",
            NumberEvent::Resume => "resume",
        }
    }

    /// The rule the event rests on.
    pub fn rule(self) -> RuleRef {
        match self {
            NumberEvent::Reserve | NumberEvent::Unreserve => rules::T10,
            NumberEvent::Activate => rules::B2,
            NumberEvent::RequestPortOut | NumberEvent::CancelPortOut => rules::T8,
            NumberEvent::CompletePortOut => rules::T6,
            NumberEvent::Release | NumberEvent::StartQuarantine | NumberEvent::EndQuarantine => {
                rules::T9
            }
            NumberEvent::Suspend | NumberEvent::Resume => rules::B11,
        }
    }

    /// The states the event may start from, the state it leads to, and the code refusing
    /// any other start.
    fn shape(self) -> (&'static [NumberState], NumberState, &'static str) {
        use NumberState::*;
        match self {
            NumberEvent::Reserve => (&[Available], Reserved, "number_not_available"),
            NumberEvent::Unreserve => (&[Reserved], Available, "number_not_reserved"),
            NumberEvent::Activate => (&[Reserved], Active, "number_not_reserved"),
            NumberEvent::RequestPortOut => (
                &[Active, Suspended],
                PortOutPending,
                "number_not_in_service",
            ),
            NumberEvent::CompletePortOut => (&[PortOutPending], PortedOut, "port_out_not_pending"),
            NumberEvent::CancelPortOut => (&[PortOutPending], Active, "port_out_not_pending"),
            NumberEvent::Release => (&[Active, Suspended], Released, "number_not_releasable"),
            NumberEvent::StartQuarantine => (&[Released], Quarantine, "number_not_released"),
            NumberEvent::EndQuarantine => (&[Quarantine], Available, "number_not_in_quarantine"),
            NumberEvent::Suspend => (&[Active], Suspended, "number_not_active"),
            NumberEvent::Resume => (&[Suspended], Active, "number_not_suspended"),
        }
    }
}

/// What the rules need to know about a number to decide an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFacts {
    pub state: NumberState,
    pub country: String,
    pub number_type: NumberType,
    pub voice: bool,
    /// T10: verified by the provider.
    pub provider_verified: bool,
    /// T10: confirmed by the customer (e.g. a recorded test call).
    pub customer_confirmed: bool,
    /// T13: country of the registered emergency/service address, when there is one.
    pub address_country: Option<String>,
    /// T13: the customer acknowledged the current limitations text.
    pub emergency_ack: bool,
    /// T11: an identity document is on file for the number.
    pub identity_document: bool,
    /// T9: end of the quarantine.
    pub quarantine_until: Option<i64>,
    /// T6: the date the pending port-out takes effect.
    pub port_date: Option<i64>,
}

impl NumberFacts {
    /// Facts of a number in `state` with nothing on file.
    pub fn new(state: NumberState, country: &str, number_type: NumberType) -> NumberFacts {
        NumberFacts {
            state,
            country: country.to_string(),
            number_type,
            voice: true,
            provider_verified: false,
            customer_confirmed: false,
            address_country: None,
            emergency_ack: false,
            identity_document: false,
            quarantine_until: None,
            port_date: None,
        }
    }
}

/// An allowed transition, to be recorded with actor, time and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub event: NumberEvent,
    pub from: NumberState,
    pub to: NumberState,
    pub rule: RuleRef,
}

/// T11: the per-country requirements checked before activation.
pub fn check_numbering_rules(f: &NumberFacts) -> Result<(), Refusal> {
    let Some(c) = country(&f.country) else {
        return Ok(());
    };
    if c.local_address_for_geographic
        && f.number_type == NumberType::Geographic
        && f.address_country.as_deref().is_some_and(|a| a != c.iso)
    {
        return Err(Refusal::new(
            "numbering_local_address_required",
            rules::T11,
            format!(
                "a geographic {} number needs a service address in {}",
                c.iso, c.iso
            ),
        ));
    }
    if c.identity_document_for.contains(&f.number_type) && !f.identity_document {
        return Err(Refusal::new(
            "numbering_identity_document_required",
            rules::T11,
            format!(
                "a {} {} number needs an identity document on file before activation",
                c.iso,
                f.number_type.as_str()
            ),
        ));
    }
    Ok(())
}

/// Decides an event on a number at `now`: the transition, or the refusal with its rule.
pub fn decide(event: NumberEvent, f: &NumberFacts, now: i64) -> Result<Transition, Refusal> {
    let (from, to, code) = event.shape();
    if !from.contains(&f.state) {
        // T8: a pending port-out must be followed; releasing it away is refused under T8.
        if event == NumberEvent::Release && f.state == NumberState::PortOutPending {
            return Err(Refusal::new(
                "port_out_pending",
                rules::T8,
                "a valid port-out is pending: it must be followed, the number cannot be released",
            ));
        }
        let rule = match event {
            NumberEvent::Activate => rules::T10,
            e => e.rule(),
        };
        return Err(Refusal::new(
            code,
            rule,
            format!(
                "cannot {} a number that is {}",
                event.as_str().replace('_', " "),
                f.state.as_str()
            ),
        ));
    }
    match event {
        NumberEvent::Activate => {
            if !f.provider_verified {
                return Err(Refusal::new(
                    "provider_verification_missing",
                    rules::T10,
                    "the number is provisional until the provider verifies it",
                ));
            }
            if !f.customer_confirmed {
                return Err(Refusal::new(
                    "customer_confirmation_missing",
                    rules::T10,
                    "the number is provisional until the customer confirms it (e.g. a test call)",
                ));
            }
            if f.voice && f.address_country.is_none() {
                return Err(Refusal::new(
                    "emergency_address_missing",
                    rules::T13,
                    "a voice number needs a registered emergency service address before activation",
                ));
            }
            if f.voice && !f.emergency_ack {
                return Err(Refusal::new(
                    "emergency_ack_missing",
                    rules::T13,
                    format!(
                        "the customer must acknowledge the emergency-call limitations (text version {EMERGENCY_ACK_TEXT_VERSION}) before activation"
                    ),
                ));
            }
            check_numbering_rules(f)?;
        }
        NumberEvent::CompletePortOut if f.port_date.is_some_and(|d| now < d) => {
            return Err(Refusal::new(
                "port_date_not_reached",
                rules::T6,
                "the number leaves at the port date, not before",
            ));
        }
        NumberEvent::EndQuarantine if f.quarantine_until.is_some_and(|u| now < u) => {
            return Err(Refusal::new(
                "quarantine_not_over",
                rules::T9,
                "the number is still in quarantine",
            ));
        }
        _ => {}
    }
    Ok(Transition {
        event,
        from: f.state,
        to,
        rule: event.rule(),
    })
}

/// T9: when a number released at `now` leaves quarantine.
pub fn quarantine_until(now: i64, days: u32) -> i64 {
    now + i64::from(days) * 86_400
}

/// Furthest ahead a port-out may be dated (issue 11 #9): a year.
pub const MAX_PORT_DATE_AHEAD_DAYS: i64 = 365;

/// T8: a port-out request is valid when it names the gaining provider, carries the
/// authorisation reference and a port date not in the past.
pub fn check_port_out_request(
    gaining_provider: &str,
    authorisation_ref: &str,
    port_date: i64,
    now: i64,
) -> Result<(), Refusal> {
    text("gaining_provider", gaining_provider, true)?;
    text("authorisation_ref", authorisation_ref, true)?;
    if port_date < now - 86_400 {
        return Err(Refusal::new(
            "port_date_in_past",
            rules::T8,
            "the port date of a port-out request cannot lie in the past",
        )
        .on_field("port_date"));
    }
    if port_date > now + MAX_PORT_DATE_AHEAD_DAYS * 86_400 {
        return Err(Refusal::invalid(
            "port_date_too_far",
            "port_date",
            format!("a port date is at most {MAX_PORT_DATE_AHEAD_DAYS} days ahead"),
        ));
    }
    Ok(())
}
