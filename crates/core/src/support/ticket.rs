//! Tickets: types and topics (H6), class of service (H4), states (no reopen, H9), the data a
//! technical ticket needs (H8), feedback (H10).

use crate::decision::Refusal;
use crate::rules;

/// Longest subject, characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest message in a thread, characters.
pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// H6: Customer Care topics.
pub const CARE_TOPICS: [&str; 9] = [
    "billing",
    "classound",
    "hwaas",
    "pbx_licenses",
    "orders",
    "portal_errors",
    "promo",
    "company_information",
    "feature_request",
];

/// H6: what a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Technical,
    CustomerCare,
    RmaCapex,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Technical => "technical",
            Kind::CustomerCare => "customer_care",
            Kind::RmaCapex => "rma_capex",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, Refusal> {
        match s {
            "technical" => Ok(Kind::Technical),
            "customer_care" => Ok(Kind::CustomerCare),
            "rma_capex" => Ok(Kind::RmaCapex),
            _ => Err(Refusal::new(
                "ticket_kind_invalid",
                rules::H6,
                "technical, customer_care or rma_capex",
            )
            .on_field("kind")),
        }
    }
}

/// H1: the only issues a Bronze partner may open tickets for where its support is limited.
pub const BRONZE_ISSUES: [&str; 3] = ["pbx_unreachable", "password_reset", "classound_outage"];

/// H4: Critical or Standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cos {
    Critical,
    Standard,
}

impl Cos {
    pub fn as_str(self) -> &'static str {
        match self {
            Cos::Critical => "critical",
            Cos::Standard => "standard",
        }
    }

    pub fn parse(s: &str) -> Option<Cos> {
        match s {
            "critical" => Some(Cos::Critical),
            "standard" => Some(Cos::Standard),
            _ => None,
        }
    }
}

/// The answers a ticket form asks that decide its class of service (H4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Impact {
    /// Calls drop, and not because of a carrier/operator.
    pub call_drops_not_operator: bool,
    /// The cloud system (PBX, portal) cannot be reached.
    pub cloud_unreachable: bool,
    /// The business is severely impacted and there is no workaround.
    pub severe_no_workaround: bool,
}

/// H4: the class of service proposed from the answers (an agent may override it). A CLASSOUND
/// outage is a Technical ticket with the higher priority (H6).
pub fn propose_cos(impact: Impact, issue: Option<&str>) -> Cos {
    if impact.call_drops_not_operator
        || impact.cloud_unreachable
        || impact.severe_no_workaround
        || matches!(issue, Some("pbx_unreachable" | "classound_outage"))
    {
        Cos::Critical
    } else {
        Cos::Standard
    }
}

/// Ticket states. `closed` is final: a reply to it opens a new ticket (H9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    New,
    Open,
    PendingCustomer,
    Resolved,
    Closed,
}

impl State {
    pub const ALL: [State; 5] = [
        State::New,
        State::Open,
        State::PendingCustomer,
        State::Resolved,
        State::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Open => "open",
            State::PendingCustomer => "pending_customer",
            State::Resolved => "resolved",
            State::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether an agent may move a ticket from this state to `to`.
    pub fn may_move(self, to: State) -> bool {
        use State::*;
        matches!(
            (self, to),
            (New, Open | PendingCustomer | Resolved | Closed)
                | (Open, PendingCustomer | Resolved | Closed)
                | (PendingCustomer, Open | Resolved | Closed)
                | (Resolved, Open | Closed)
        )
    }

    /// The refusal of a move, naming H9 when the ticket is closed.
    pub fn check_move(self, to: State) -> Result<(), Refusal> {
        if self.may_move(to) {
            return Ok(());
        }
        if self == State::Closed {
            return Err(Refusal::new(
                "ticket_closed",
                rules::H9,
                "a closed ticket cannot be reopened: reply to it and a new ticket referencing it is opened",
            ));
        }
        Err(Refusal::invalid(
            "state_transition_invalid",
            "state",
            format!("a {} ticket cannot become {}", self.as_str(), to.as_str()),
        ))
    }
}

/// H8: what a Technical ticket must carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TechnicalData<'a> {
    pub device: &'a str,
    pub versions: &'a str,
    /// Numbers of an example call.
    pub trace_numbers: &'a str,
    /// When the example call was made.
    pub trace_at: Option<i64>,
}

/// H8: every field of a Technical ticket present, or the first one missing named.
pub fn check_technical(d: &TechnicalData<'_>) -> Result<(), Refusal> {
    let missing = [
        ("device", d.device.trim().is_empty()),
        ("versions", d.versions.trim().is_empty()),
        ("trace_numbers", d.trace_numbers.trim().is_empty()),
        ("trace_at", d.trace_at.is_none()),
    ];
    match missing.into_iter().find(|(_, m)| *m) {
        Some((field, _)) => Err(Refusal::new(
            "technical_data_missing",
            rules::H8,
            "a technical ticket needs the PBX or device, its software/firmware versions and an example call (numbers and time)",
        )
        .on_field(field)),
        None => Ok(()),
    }
}

/// Whether a ticket's first response is overdue at `now` (H4): not answered by its due time.
pub fn first_response_breached(first_response_at: Option<i64>, due_at: i64, now: i64) -> bool {
    first_response_at.is_none() && due_at < now
}

/// H10: a rating 1-5.
pub fn check_rating(rating: i64) -> Result<(), Refusal> {
    if (1..=5).contains(&rating) {
        Ok(())
    } else {
        Err(Refusal::new("rating_invalid", rules::H10, "a rating from 1 to 5").on_field("rating"))
    }
}

/// The largest attachment, bytes (a few minutes of SIP and RTP capture).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// Attachments a ticket takes at most.
pub const MAX_ATTACHMENTS_PER_TICKET: usize = 20;
/// The types a ticket takes, with the bytes their content starts with (text has none: it must
/// be UTF-8 without NUL bytes).
pub const ATTACHMENT_TYPES: &[(&str, &[&[u8]])] = &[
    (
        "application/vnd.tcpdump.pcap",
        &[
            b"\xd4\xc3\xb2\xa1",
            b"\xa1\xb2\xc3\xd4",
            b"\x4d\x3c\xb2\xa1",
            b"\xa1\xb2\x3c\x4d",
            b"\x0a\x0d\x0d\x0a",
        ],
    ),
    ("text/plain", &[]),
    ("image/png", &[b"\x89PNG\r\n\x1a\n"]),
    ("image/jpeg", &[b"\xff\xd8\xff"]),
    ("application/pdf", &[b"%PDF-"]),
    ("application/zip", &[b"PK\x03\x04"]),
];

/// An attachment's declared type among [`ATTACHMENT_TYPES`], its size, and its content matching
/// the type.
pub fn check_attachment(content_type: &str, bytes: &[u8]) -> Result<(), Refusal> {
    if bytes.is_empty() || bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Refusal::invalid(
            "attachment_size_invalid",
            "content_base64",
            format!("1 to {MAX_ATTACHMENT_BYTES} bytes"),
        ));
    }
    let Some((_, magics)) = ATTACHMENT_TYPES.iter().find(|(t, _)| *t == content_type) else {
        return Err(Refusal::invalid(
            "attachment_type_not_allowed",
            "content_type",
            format!(
                "one of {}",
                ATTACHMENT_TYPES
                    .iter()
                    .map(|(t, _)| *t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let matches = if magics.is_empty() {
        std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0'))
    } else {
        magics.iter().any(|m| bytes.starts_with(m))
    };
    if !matches {
        return Err(Refusal::invalid(
            "attachment_content_mismatch",
            "content_base64",
            format!("the content is not {content_type}"),
        ));
    }
    Ok(())
}
