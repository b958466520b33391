//! Phone numbers (RULEBOOK T6-T14, B2, B11): number metadata, the number state machine,
//! port-in requests, documents, emergency addresses and the per-country numbering rules.
//!
//! Number metadata is a compact table kept here as data ([`COUNTRIES`]): E.164 country
//! calling code, national significant number length and the leading digits of each number
//! type. It is deliberately small (the `phonenumber` crate is not used, for compile cost):
//! it covers NANP (US/CA), UK, DE, FR, IT, ES, NL, BE, IE, AT, CH and AU. A number outside
//! these countries is refused at import with `number_country_unsupported`.
//!
//! Everything here is pure: `now` is an argument, nothing is read from a clock or a store.

use crate::decision::{Refusal, RuleRef};
use crate::rules;

/// T9 decision: days a released number stays in quarantine when the profile says nothing.
pub const DEFAULT_QUARANTINE_DAYS: u32 = 90;
/// T13: by default an address change applies this long after it is registered; the old
/// address is used meanwhile. A terms profile may set its own
/// (`telephony.emergency_address_pending_h`).
pub const ADDRESS_CHANGE_PENDING_S: i64 = 48 * 3600;
/// The version of the emergency-call limitations text a customer acknowledges (T13).
pub const EMERGENCY_ACK_TEXT_VERSION: &str = "2026-11";
/// The text acknowledged, in the version above (X 5.B.ii). It must agree with the guard's
/// T13 decision: emergency calls are admitted even while the service is suspended (version
/// 2026-03 said the opposite; acknowledgements of it stay on file but a new one is needed).
pub const EMERGENCY_ACK_TEXT: &str = "VoIP emergency calls differ from traditional telephone \
service: they do not work during a power, network or service outage (they do work while the \
service is suspended: emergency numbers are always admitted); they are routed using the registered service address, so the address must be kept \
accurate and a change can take up to 48 hours to apply; calls from another location may reach \
the wrong emergency centre. Keep an alternative way to call emergency services.";
/// Largest document accepted (decoded bytes); fits the default 1 MiB request body once
/// base64-encoded.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
/// Document content types accepted, with the leading bytes the content must start with.
pub const DOCUMENT_TYPES: &[(&str, &[u8])] = &[
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
];
/// Document kinds a request or an upload may name.
pub const DOCUMENT_KINDS: &[&str] = &["loa", "identity", "address_proof", "bill", "other"];
/// Most documents attached to one port-in or number.
pub const MAX_DOCUMENTS_PER_SUBJECT: usize = 20;
/// Most numbers in one port-in request.
pub const MAX_NUMBERS_PER_PORT_IN: usize = 100;
/// Most numbers in one inventory import.
pub const MAX_IMPORT_NUMBERS: usize = 100_000;
/// Shortest and longest deadline of a document request, in days from the request.
pub const MIN_DOCUMENT_DEADLINE_S: i64 = 3600;
pub const MAX_DOCUMENT_DEADLINE_S: i64 = 60 * 86_400;
/// Longest free-text field (names, streets, reasons).
pub const MAX_TEXT_CHARS: usize = 200;
/// CNAM display names are at most 15 characters (US/CA caller-name databases).
pub const CNAM_MAX_CHARS: usize = 15;

/// What a number may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    Voice,
    Sms,
    Fax,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Voice, Capability::Sms, Capability::Fax];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Voice => "voice",
            Capability::Sms => "sms",
            Capability::Fax => "fax",
        }
    }

    pub fn parse(s: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Parses a capability list (`voice,sms`), refusing unknown or empty ones. Sorted, unique.
pub fn parse_capabilities(s: &str, field: &'static str) -> Result<Vec<Capability>, Refusal> {
    let mut out = Vec::new();
    for part in s.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        let c = Capability::parse(part).ok_or_else(|| {
            Refusal::invalid(
                "capability_invalid",
                field,
                format!("`{part}` is not a capability (voice, sms, fax)"),
            )
        })?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(Refusal::invalid(
            "capability_invalid",
            field,
            "name at least one capability (voice, sms, fax)",
        ));
    }
    out.sort();
    Ok(out)
}

/// Formats capabilities as stored (`voice,sms`).
pub fn capabilities_text(caps: &[Capability]) -> String {
    caps.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberType {
    Geographic,
    Mobile,
    TollFree,
    National,
    PremiumRate,
    SharedCost,
    Personal,
}

impl NumberType {
    pub const ALL: [NumberType; 7] = [
        NumberType::Geographic,
        NumberType::Mobile,
        NumberType::TollFree,
        NumberType::National,
        NumberType::PremiumRate,
        NumberType::SharedCost,
        NumberType::Personal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NumberType::Geographic => "geographic",
            NumberType::Mobile => "mobile",
            NumberType::TollFree => "toll_free",
            NumberType::National => "national",
            NumberType::PremiumRate => "premium_rate",
            NumberType::SharedCost => "shared_cost",
            NumberType::Personal => "personal",
        }
    }

    pub fn parse(s: &str) -> Option<NumberType> {
        NumberType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Capabilities a number of this type has when the import does not say.
    pub fn default_capabilities(self) -> Vec<Capability> {
        match self {
            NumberType::Geographic => vec![Capability::Voice, Capability::Fax],
            NumberType::Mobile => vec![Capability::Voice, Capability::Sms],
            _ => vec![Capability::Voice],
        }
    }
}

/// One country of the numbering table.
#[derive(Debug, Clone, Copy)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub iso: &'static str,
    /// E.164 country calling code.
    pub cc: &'static str,
    /// National significant number length, shortest and longest.
    pub nsn_len: (usize, usize),
    /// Leading digits of the national number → type; longest match wins; otherwise
    /// `default_type`.
    pub types: &'static [(&'static str, NumberType)],
    pub default_type: NumberType,
    /// T11: a geographic number needs a service address in the number's country.
    pub local_address_for_geographic: bool,
    /// T11: number types that need an identity document on file before activation.
    pub identity_document_for: &'static [NumberType],
    /// CNAM (caller name) is provisioned for this country.
    pub cnam: bool,
}

use NumberType::{Geographic, Mobile, National, Personal, PremiumRate, SharedCost, TollFree};

const NANP_TYPES: &[(&str, NumberType)] = &[
    ("800", TollFree),
    ("833", TollFree),
    ("844", TollFree),
    ("855", TollFree),
    ("866", TollFree),
    ("877", TollFree),
    ("888", TollFree),
    ("900", PremiumRate),
    ("500", Personal),
    ("533", Personal),
    ("544", Personal),
];

/// The numbering table (data, not code branches). Requirements per country (T11) are the
/// product's reading of common national rules; an operator confirms them for its market.
pub const COUNTRIES: &[Country] = &[
    Country {
        iso: "US",
        cc: "1",
        nsn_len: (10, 10),
        types: NANP_TYPES,
        default_type: Geographic,
        local_address_for_geographic: false,
        identity_document_for: &[],
        cnam: true,
    },
    Country {
        iso: "CA",
        cc: "1",
        nsn_len: (10, 10),
        types: NANP_TYPES,
        default_type: Geographic,
        local_address_for_geographic: false,
        identity_document_for: &[],
        cnam: true,
    },
    Country {
        iso: "GB",
        cc: "44",
        nsn_len: (9, 10),
        types: &[
            ("1", Geographic),
            ("2", Geographic),
            ("3", National),
            ("55", National),
            ("56", National),
            ("7", Mobile),
            ("70", Personal),
            ("800", TollFree),
            ("808", TollFree),
            ("84", SharedCost),
            ("87", SharedCost),
            ("9", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "DE",
        cc: "49",
        nsn_len: (6, 13),
        types: &[
            ("15", Mobile),
            ("16", Mobile),
            ("17", Mobile),
            ("180", SharedCost),
            ("32", National),
            ("700", Personal),
            ("800", TollFree),
            ("900", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic, National],
        cnam: false,
    },
    Country {
        iso: "FR",
        cc: "33",
        nsn_len: (9, 9),
        types: &[
            ("1", Geographic),
            ("2", Geographic),
            ("3", Geographic),
            ("4", Geographic),
            ("5", Geographic),
            ("6", Mobile),
            ("7", Mobile),
            ("80", TollFree),
            ("81", SharedCost),
            ("82", SharedCost),
            ("89", PremiumRate),
            ("9", National),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic],
        cnam: false,
    },
    Country {
        iso: "IT",
        cc: "39",
        nsn_len: (6, 11),
        types: &[
            ("0", Geographic),
            ("3", Mobile),
            ("178", Personal),
            ("800", TollFree),
            ("803", TollFree),
            ("84", SharedCost),
            ("89", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic, Mobile],
        cnam: false,
    },
    Country {
        iso: "ES",
        cc: "34",
        nsn_len: (9, 9),
        types: &[
            ("6", Mobile),
            ("7", Mobile),
            ("70", Personal),
            ("51", National),
            ("8", Geographic),
            ("9", Geographic),
            ("803", PremiumRate),
            ("806", PremiumRate),
            ("807", PremiumRate),
            ("900", TollFree),
            ("901", SharedCost),
            ("902", SharedCost),
            ("905", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic],
        cnam: false,
    },
    Country {
        iso: "NL",
        cc: "31",
        nsn_len: (9, 9),
        types: &[
            ("6", Mobile),
            ("800", TollFree),
            ("84", Personal),
            ("87", Personal),
            ("85", National),
            ("88", National),
            ("90", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "BE",
        cc: "32",
        nsn_len: (8, 9),
        types: &[
            ("45", Mobile),
            ("46", Mobile),
            ("47", Mobile),
            ("48", Mobile),
            ("49", Mobile),
            ("70", SharedCost),
            ("78", National),
            ("800", TollFree),
            ("90", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic],
        cnam: false,
    },
    Country {
        iso: "IE",
        cc: "353",
        nsn_len: (7, 9),
        types: &[
            ("83", Mobile),
            ("85", Mobile),
            ("86", Mobile),
            ("87", Mobile),
            ("89", Mobile),
            ("1800", TollFree),
            ("1850", SharedCost),
            ("1890", SharedCost),
            ("818", SharedCost),
            ("15", PremiumRate),
            ("76", National),
            ("700", Personal),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "AT",
        cc: "43",
        nsn_len: (4, 13),
        types: &[
            ("65", Mobile),
            ("66", Mobile),
            ("67", Mobile),
            ("68", Mobile),
            ("69", Mobile),
            ("720", National),
            ("780", National),
            ("800", TollFree),
            ("810", SharedCost),
            ("820", SharedCost),
            ("821", SharedCost),
            ("900", PremiumRate),
            ("930", PremiumRate),
            ("939", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic, National],
        cnam: false,
    },
    Country {
        iso: "CH",
        cc: "41",
        nsn_len: (9, 9),
        types: &[
            ("74", Mobile),
            ("75", Mobile),
            ("76", Mobile),
            ("77", Mobile),
            ("78", Mobile),
            ("79", Mobile),
            ("58", National),
            ("800", TollFree),
            ("84", SharedCost),
            ("878", Personal),
            ("90", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "AU",
        cc: "61",
        nsn_len: (9, 9),
        types: &[
            ("2", Geographic),
            ("3", Geographic),
            ("7", Geographic),
            ("8", Geographic),
            ("4", Mobile),
            ("5", Personal),
            ("1800", TollFree),
            ("13", SharedCost),
            ("1300", SharedCost),
            ("190", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
];

/// A country by ISO code.
pub fn country(iso: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.iso == iso)
}

/// What the table says about a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberInfo {
    /// E.164 digits, no `+`.
    pub digits: String,
    pub country: &'static str,
    pub cc: &'static str,
    pub number_type: NumberType,
}

/// Classifies E.164 digits (already normalised, see [`crate::e164::normalize`]): country by
/// calling code, length check, type by the longest matching leading digits.
pub fn classify(digits: &str, field: &'static str) -> Result<NumberInfo, Refusal> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::invalid(
            "number_invalid",
            field,
            format!("`{digits}` is not E.164 digits"),
        ));
    }
    // The country comes from the one calling-code table (NANP by area code); the numbering
    // table says what this product supports there.
    let supported =
        crate::country::country_of(digits).and_then(|iso| COUNTRIES.iter().find(|c| c.iso == iso));
    let Some(c) = supported else {
        return Err(Refusal::invalid(
            "number_country_unsupported",
            field,
            format!(
                "+{digits}: {} is not in the numbering table",
                crate::country::country_of(digits).unwrap_or("the country calling code")
            ),
        ));
    };
    let cc = c.cc;
    let nsn = &digits[cc.len()..];
    if nsn.len() < c.nsn_len.0 || nsn.len() > c.nsn_len.1 {
        return Err(Refusal::invalid(
            "number_length_invalid",
            field,
            format!(
                "+{digits}: a {} number has {} to {} digits after +{cc}, not {}",
                c.iso,
                c.nsn_len.0,
                c.nsn_len.1,
                nsn.len()
            ),
        ));
    }
    if cc == "1" && (nsn.starts_with('0') || nsn.starts_with('1')) {
        return Err(Refusal::invalid(
            "number_invalid",
            field,
            format!("+{digits}: NANP area codes never start with 0 or 1"),
        ));
    }
    let number_type = c
        .types
        .iter()
        .filter(|(p, _)| nsn.starts_with(p))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, t)| *t)
        .unwrap_or(c.default_type);
    Ok(NumberInfo {
        digits: digits.to_string(),
        country: c.iso,
        cc,
        number_type,
    })
}

// ---------------------------------------------------------------------------------------
// The number state machine (T6-T10, B2, B11).

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
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Port-in (T7) and documents (B11).

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

/// A structured service address (T13; also the LOA's service address, T7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub region: Option<String>,
    /// Dispatchable location: floor and room.
    pub floor: Option<String>,
    pub room: Option<String>,
}

impl Address {
    /// One human-readable line.
    pub fn one_line(&self) -> String {
        let mut parts = vec![self.street.clone()];
        if let Some(f) = &self.floor {
            parts.push(format!("floor {f}"));
        }
        if let Some(r) = &self.room {
            parts.push(format!("room {r}"));
        }
        let mut city = format!("{} {}", self.postcode, self.city);
        if let Some(r) = &self.region {
            city.push_str(&format!(" {r}"));
        }
        parts.push(city);
        parts.push(self.country.clone());
        parts.join(", ")
    }
}

fn text(field: &'static str, v: &str, required: bool) -> Result<(), Refusal> {
    let n = v.trim().chars().count();
    if (required && n == 0) || n > MAX_TEXT_CHARS || v.chars().any(char::is_control) {
        return Err(Refusal::invalid(
            "field_invalid",
            field,
            format!("must be 1 to {MAX_TEXT_CHARS} characters without control characters"),
        ));
    }
    Ok(())
}

/// Checks a structured address, naming the bad field.
pub fn check_address(a: &Address) -> Result<(), Refusal> {
    text("street", &a.street, true)?;
    text("city", &a.city, true)?;
    text("postcode", &a.postcode, true)?;
    for (f, v) in [
        ("region", &a.region),
        ("floor", &a.floor),
        ("room", &a.room),
    ] {
        if let Some(v) = v {
            text(f, v, false)?;
        }
    }
    if a.country.len() != 2 || !a.country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Refusal::invalid(
            "country_invalid",
            "country",
            "must be an ISO 3166-1 alpha-2 code such as GB",
        ));
    }
    Ok(())
}

/// T13: when an address registered at `now` takes effect. The first address of a number,
/// or any address of a number not yet in service, applies at once; a change for a number in
/// service is pending for [`ADDRESS_CHANGE_PENDING_S`] and the old address is used meanwhile.
pub fn address_effective_at(
    state: NumberState,
    has_address: bool,
    now: i64,
    pending_s: i64,
) -> i64 {
    if has_address && state.in_service() {
        now + pending_s
    } else {
        now
    }
}

/// T13: the address version in force at `at`: the latest `effective_at <= at` (later
/// registrations win ties). `versions` are `(effective_at, registered_at, value)`.
pub fn in_force_at<T>(versions: &[(i64, i64, T)], at: i64) -> Option<&T> {
    versions
        .iter()
        .filter(|(eff, _, _)| *eff <= at)
        .max_by_key(|(eff, reg, _)| (*eff, *reg))
        .map(|(_, _, v)| v)
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

/// What happens when a document request's deadline passes (B11: the provider *may*
/// suspend the affected services/DIDs; the partner stays liable either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissPolicy {
    Suspend,
    FlagOnly,
}

impl MissPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MissPolicy::Suspend => "suspend",
            MissPolicy::FlagOnly => "flag_only",
        }
    }

    pub fn parse(s: &str) -> Option<MissPolicy> {
        [MissPolicy::Suspend, MissPolicy::FlagOnly]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// The policy when a request does not say.
pub const DEFAULT_MISS_POLICY: MissPolicy = MissPolicy::Suspend;

/// B11: a document request's deadline must leave time to answer, within bounds.
pub fn check_deadline(deadline: i64, now: i64) -> Result<(), Refusal> {
    if deadline < now + MIN_DOCUMENT_DEADLINE_S || deadline > now + MAX_DOCUMENT_DEADLINE_S {
        return Err(Refusal::invalid(
            "deadline_invalid",
            "deadline",
            format!(
                "must be between {} hour(s) and {} days from now",
                MIN_DOCUMENT_DEADLINE_S / 3600,
                MAX_DOCUMENT_DEADLINE_S / 86_400
            ),
        ));
    }
    Ok(())
}

/// B11: an open request whose deadline passed is missed.
pub fn deadline_missed(open: bool, deadline: i64, now: i64) -> bool {
    open && now > deadline
}

/// Checks a document kind.
pub fn check_document_kind(kind: &str) -> Result<(), Refusal> {
    if DOCUMENT_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Refusal::invalid(
            "document_kind_invalid",
            "kind",
            format!("must be one of {}", DOCUMENT_KINDS.join(", ")),
        ))
    }
}

/// Checks an upload: size, declared type among [`DOCUMENT_TYPES`], content matching it.
pub fn check_document(content_type: &str, bytes: &[u8]) -> Result<(), Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::invalid(
            "document_empty",
            "content_base64",
            "the document is empty",
        ));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Refusal::invalid(
            "document_too_large",
            "content_base64",
            format!("{} bytes; at most {MAX_DOCUMENT_BYTES} bytes", bytes.len()),
        ));
    }
    let Some((_, magic)) = DOCUMENT_TYPES.iter().find(|(t, _)| *t == content_type) else {
        return Err(Refusal::invalid(
            "document_type_not_allowed",
            "content_type",
            format!(
                "must be one of {}",
                DOCUMENT_TYPES
                    .iter()
                    .map(|(t, _)| *t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    if !bytes.starts_with(magic) {
        return Err(Refusal::invalid(
            "document_content_mismatch",
            "content_base64",
            format!("the content is not a {content_type} file"),
        ));
    }
    Ok(())
}

/// Decodes standard base64 (RFC 4648, padding optional, ASCII whitespace ignored), refusing
/// anything longer than `max` decoded bytes before decoding it.
pub fn decode_base64(s: &str, max: usize, field: &'static str) -> Result<Vec<u8>, Refusal> {
    let bad = |m: &str| Refusal::invalid("base64_invalid", field, m.to_string());
    if s.len() / 4 * 3 > max + 3 {
        return Err(Refusal::invalid(
            "document_too_large",
            field,
            format!("at most {max} bytes"),
        ));
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut pad = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return Err(bad("not base64: unexpected character")),
        };
        if pad > 0 {
            return Err(bad("not base64: data after padding"));
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if pad > 2 || bits >= 6 {
        return Err(bad("not base64: truncated"));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Extras: T14 routing, CNAM.

/// Where calls to a number go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// To the customer's users and devices.
    Direct,
    /// Forwarded to one single-line number.
    ForwardSingleLine,
    /// Delivered over a SIP trunk to a PBX.
    SipTrunk,
    /// Forwarded to a PBX.
    ForwardPbx,
    /// Forwarded to a multi-call number.
    ForwardMultiCall,
}

impl Routing {
    pub const ALL: [Routing; 5] = [
        Routing::Direct,
        Routing::ForwardSingleLine,
        Routing::SipTrunk,
        Routing::ForwardPbx,
        Routing::ForwardMultiCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Direct => "direct",
            Routing::ForwardSingleLine => "forward_single_line",
            Routing::SipTrunk => "sip_trunk",
            Routing::ForwardPbx => "forward_pbx",
            Routing::ForwardMultiCall => "forward_multi_call",
        }
    }

    pub fn parse(s: &str) -> Option<Routing> {
        Routing::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// T14: trunking or forwarding to a PBX or multi-call number.
    pub fn is_trunking(self) -> bool {
        matches!(
            self,
            Routing::SipTrunk | Routing::ForwardPbx | Routing::ForwardMultiCall
        )
    }
}

/// T14: under a no-trunking profile (`x-hoppers-2025`) numbers may not be trunked or forwarded
/// to a PBX or multi-call number.
pub fn check_routing(no_trunking: bool, r: Routing) -> Result<(), Refusal> {
    if no_trunking && r.is_trunking() {
        return Err(Refusal::new(
            "trunking_not_allowed",
            rules::T14,
            format!(
                "the customer's terms forbid trunking or forwarding numbers to a PBX or multi-call number ({})",
                r.as_str()
            ),
        )
        .on_field("routing"));
    }
    Ok(())
}

/// CNAM for US/CA numbers: up to 15 letters, digits, spaces and `.,&'-`. Returns it trimmed.
pub fn check_cnam(country_iso: &str, name: &str) -> Result<String, Refusal> {
    if !country(country_iso).is_some_and(|c| c.cnam) {
        return Err(Refusal::invalid(
            "cnam_not_applicable",
            "cnam",
            format!(
                "caller name (CNAM) is provisioned for US and CA numbers only, not {country_iso}"
            ),
        ));
    }
    let n = name.trim();
    if n.is_empty()
        || n.chars().count() > CNAM_MAX_CHARS
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " .,&'-".contains(c))
    {
        return Err(Refusal::invalid(
            "cnam_invalid",
            "cnam",
            format!("1 to {CNAM_MAX_CHARS} letters, digits, spaces or .,&'-"),
        ));
    }
    Ok(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberEvent as E;
    use NumberState as S;

    const NOW: i64 = 1_795_000_000;

    /// Facts where every precondition of every event holds.
    fn ready(state: NumberState) -> NumberFacts {
        NumberFacts {
            provider_verified: true,
            customer_confirmed: true,
            address_country: Some("GB".into()),
            emergency_ack: true,
            identity_document: true,
            quarantine_until: Some(NOW - 1),
            port_date: Some(NOW - 1),
            ..NumberFacts::new(state, "GB", NumberType::Geographic)
        }
    }

    /// Every (event, state) pair: the allowed ones with their target and rule, every other
    /// one refused with its stable code and rule.
    #[test]
    fn t6_t10_b11_every_transition_allowed_or_refused_with_code_and_clause() {
        let allowed: &[(E, S, S, &str, &str)] = &[
            (E::Reserve, S::Available, S::Reserved, "T10", "X 15"),
            (E::Unreserve, S::Reserved, S::Available, "T10", "X 15"),
            (E::Activate, S::Reserved, S::Active, "B2", "W 7.9.1"),
            (
                E::RequestPortOut,
                S::Active,
                S::PortOutPending,
                "T8",
                "X 15.C",
            ),
            (
                E::RequestPortOut,
                S::Suspended,
                S::PortOutPending,
                "T8",
                "X 15.C",
            ),
            (
                E::CompletePortOut,
                S::PortOutPending,
                S::PortedOut,
                "T6",
                "W 5.1",
            ),
            (
                E::CancelPortOut,
                S::PortOutPending,
                S::Active,
                "T8",
                "X 15.C",
            ),
            (E::Release, S::Active, S::Released, "T9", "X 15.F"),
            (E::Release, S::Suspended, S::Released, "T9", "X 15.F"),
            (
                E::StartQuarantine,
                S::Released,
                S::Quarantine,
                "T9",
                "X 15.F",
            ),
            (
                E::EndQuarantine,
                S::Quarantine,
                S::Available,
                "T9",
                "X 15.F",
            ),
            (E::Suspend, S::Active, S::Suspended, "B11", "W 7.9.3"),
            (E::Resume, S::Suspended, S::Active, "B11", "W 7.9.3"),
        ];
        let refused_code = |e: E| match e {
            E::Reserve => ("number_not_available", "T10"),
            E::Unreserve | E::Activate => ("number_not_reserved", "T10"),
            E::RequestPortOut => ("number_not_in_service", "T8"),
            E::CompletePortOut => ("port_out_not_pending", "T6"),
            E::CancelPortOut => ("port_out_not_pending", "T8"),
            E::Release => ("number_not_releasable", "T9"),
            E::StartQuarantine => ("number_not_released", "T9"),
            E::EndQuarantine => ("number_not_in_quarantine", "T9"),
            E::Suspend => ("number_not_active", "B11"),
            E::Resume => ("number_not_suspended", "B11"),
        };
        let mut n_allowed = 0;
        for e in E::ALL {
            for s in S::ALL {
                let got = decide(e, &ready(s), NOW);
                match allowed.iter().find(|a| a.0 == e && a.1 == s) {
                    Some(&(_, _, to, rule, clause)) => {
                        let t = got.unwrap_or_else(|r| panic!("{e:?} from {s:?}: {r}"));
                        assert_eq!((t.from, t.to), (s, to), "{e:?} from {s:?}");
                        assert_eq!((t.rule.rule, t.rule.clause), (rule, clause));
                        n_allowed += 1;
                    }
                    None => {
                        let r = got.expect_err(&format!("{e:?} from {s:?} must be refused"));
                        let (code, rule) = if e == E::Release && s == S::PortOutPending {
                            ("port_out_pending", "T8")
                        } else {
                            refused_code(e)
                        };
                        assert_eq!(r.code, code, "{e:?} from {s:?}");
                        let rr = r.rule.expect("business refusal carries a rule");
                        assert_eq!(rr.rule, rule, "{e:?} from {s:?}");
                        assert!(!rr.clause.is_empty());
                    }
                }
            }
        }
        assert_eq!(n_allowed, allowed.len());
    }

    #[test]
    fn t10_new_numbers_are_provisional_until_confirmed() {
        let mut f = ready(S::Reserved);
        f.provider_verified = false;
        let r = decide(E::Activate, &f, NOW).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("provider_verification_missing", Some(rules::T10))
        );
        f.provider_verified = true;
        f.customer_confirmed = false;
        let r = decide(E::Activate, &f, NOW).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("customer_confirmation_missing", Some(rules::T10))
        );
        f.customer_confirmed = true;
        assert_eq!(decide(E::Activate, &f, NOW).unwrap().to, S::Active);
    }

    #[test]
    fn t13_acknowledged_text_agrees_with_the_guard_on_suspension() {
        // T13's decision: emergency numbers are admitted even for suspended accounts, so
        // the text the customer signs must not say they stop working when suspended.
        let text = EMERGENCY_ACK_TEXT.replace(char::is_whitespace, " ");
        assert!(text.contains("they do work while the service is suspended"));
        assert!(!text.contains("or while the service is suspended"));
    }

    #[test]
    fn t13_activation_without_address_or_acknowledgement_is_refused() {
        let mut f = ready(S::Reserved);
        f.address_country = None;
        let r = decide(E::Activate, &f, NOW).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("emergency_address_missing", Some(rules::T13))
        );
        assert_eq!(r.rule.unwrap().clause, "X 5.B.ii");
        f.address_country = Some("GB".into());
        f.emergency_ack = false;
        let r = decide(E::Activate, &f, NOW).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("emergency_ack_missing", Some(rules::T13))
        );
        // A number without voice needs neither (T13 concerns numbers used for calls).
        f.voice = false;
        f.address_country = None;
        assert!(decide(E::Activate, &f, NOW).is_ok());
    }

    #[test]
    fn t11_numbering_rules_are_checked_before_activation() {
        let mut f = ready(S::Reserved);
        f.address_country = Some("FR".into());
        let r = decide(E::Activate, &f, NOW).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("numbering_local_address_required", Some(rules::T11))
        );
        let mut de = NumberFacts {
            country: "DE".into(),
            address_country: Some("DE".into()),
            identity_document: false,
            ..ready(S::Reserved)
        };
        let r = decide(E::Activate, &de, NOW).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("numbering_identity_document_required", Some(rules::T11))
        );
        de.identity_document = true;
        assert!(decide(E::Activate, &de, NOW).is_ok());
        // A mobile GB number has no local-address requirement.
        let mobile = NumberFacts {
            number_type: NumberType::Mobile,
            address_country: Some("IE".into()),
            ..ready(S::Reserved)
        };
        assert!(decide(E::Activate, &mobile, NOW).is_ok());
    }

    #[test]
    fn t9_quarantine_ends_only_after_its_time() {
        let mut f = ready(S::Quarantine);
        f.quarantine_until = Some(quarantine_until(NOW, 90));
        let r = decide(E::EndQuarantine, &f, NOW + 89 * 86_400).unwrap_err();
        assert_eq!((r.code, r.rule), ("quarantine_not_over", Some(rules::T9)));
        assert_eq!(
            decide(E::EndQuarantine, &f, NOW + 90 * 86_400).unwrap().to,
            S::Available
        );
    }

    #[test]
    fn t6_t8_port_out_follows_a_valid_request_and_leaves_at_the_port_date() {
        assert!(check_port_out_request("Other Telco", "PAC123", NOW + 86_400, NOW).is_ok());
        let r = check_port_out_request("Other Telco", "PAC123", NOW - 3 * 86_400, NOW).unwrap_err();
        assert_eq!((r.code, r.rule), ("port_date_in_past", Some(rules::T8)));
        assert_eq!(
            check_port_out_request("", "PAC", NOW, NOW)
                .unwrap_err()
                .field,
            Some("gaining_provider")
        );
        let mut f = ready(S::PortOutPending);
        f.port_date = Some(NOW + 10);
        let r = decide(E::CompletePortOut, &f, NOW).unwrap_err();
        assert_eq!((r.code, r.rule), ("port_date_not_reached", Some(rules::T6)));
        assert!(decide(E::CompletePortOut, &f, NOW + 10).is_ok());
        let r = decide(E::Release, &f, NOW).unwrap_err();
        assert_eq!((r.code, r.rule), ("port_out_pending", Some(rules::T8)));
    }

    #[test]
    fn t7_every_port_in_transition_allowed_or_refused() {
        use PortInEvent as P;
        use PortInState as Q;
        let allowed: &[(P, Q, Q)] = &[
            (P::Submit, Q::Draft, Q::Submitted),
            (P::Accept, Q::Submitted, Q::Pending),
            (P::Schedule, Q::Pending, Q::Scheduled),
            (P::Schedule, Q::Scheduled, Q::Scheduled),
            (P::Complete, Q::Scheduled, Q::Completed),
            (P::Reject, Q::Submitted, Q::Rejected),
            (P::Reject, Q::Pending, Q::Rejected),
            (P::Reject, Q::Scheduled, Q::Rejected),
            (P::Cancel, Q::Draft, Q::Cancelled),
            (P::Cancel, Q::Submitted, Q::Cancelled),
            (P::Cancel, Q::Pending, Q::Cancelled),
            (P::Cancel, Q::Scheduled, Q::Cancelled),
        ];
        for e in PortInEvent::ALL {
            for s in PortInState::ALL {
                let f = PortInFacts {
                    state: s,
                    foc_date: Some(NOW),
                    open_document_requests: 0,
                    emergency_ack: true,
                };
                let got = decide_port_in(e, &f, Some(NOW + 86_400), NOW);
                match allowed.iter().find(|a| a.0 == e && a.1 == s) {
                    Some(&(_, _, to)) => assert_eq!(got, Ok(to), "{e:?} from {s:?}"),
                    None => {
                        let r = got.expect_err("refused");
                        assert_eq!((r.code, r.rule), ("port_in_state_invalid", Some(rules::T7)));
                        assert_eq!(r.rule.unwrap().clause, "X 15.A-E");
                    }
                }
            }
        }
        let sched = PortInFacts {
            state: Q::Scheduled,
            foc_date: Some(NOW + 100),
            open_document_requests: 0,
            emergency_ack: true,
        };
        let code =
            |f: &PortInFacts, foc, now| decide_port_in(P::Complete, f, foc, now).unwrap_err().code;
        assert_eq!(code(&sched, None, NOW), "foc_date_not_reached");
        let docs = PortInFacts {
            open_document_requests: 1,
            ..sched.clone()
        };
        assert_eq!(code(&docs, None, NOW + 100), "documents_outstanding");
        let no_ack = PortInFacts {
            emergency_ack: false,
            ..sched.clone()
        };
        assert_eq!(code(&no_ack, None, NOW + 100), "emergency_ack_missing");
        let pending = PortInFacts {
            state: Q::Pending,
            ..sched
        };
        assert_eq!(
            decide_port_in(P::Schedule, &pending, Some(NOW - 1), NOW)
                .unwrap_err()
                .code,
            "foc_date_in_past"
        );
        assert_eq!(
            decide_port_in(P::Schedule, &pending, None, NOW)
                .unwrap_err()
                .code,
            "foc_date_missing"
        );
    }

    fn loa() -> Loa {
        Loa {
            holder: "Acme Dental".into(),
            service_address: Address {
                street: "1 Rue de Rivoli".into(),
                city: "Paris".into(),
                postcode: "75001".into(),
                country: "FR".into(),
                ..Address::default()
            },
            losing_provider: "Old Telco".into(),
            account_number: "ACC-1".into(),
            signatory: "Dr. A. Smile".into(),
            existing_service_active: true,
            numbers: vec!["33142685301".into()],
        }
    }

    #[test]
    fn t7_loa_must_be_complete_and_existing_service_active() {
        assert!(check_loa(&loa()).is_ok());
        let r = check_loa(&Loa {
            existing_service_active: false,
            ..loa()
        })
        .unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("existing_service_inactive", Some(rules::T7))
        );
        let r = check_loa(&Loa {
            signatory: " ".into(),
            ..loa()
        })
        .unwrap_err();
        assert_eq!((r.code, r.field), ("loa_incomplete", Some("signatory")));
        let r = check_loa(&Loa {
            numbers: vec![],
            ..loa()
        })
        .unwrap_err();
        assert_eq!(r.code, "loa_numbers_invalid");
        let r = check_loa(&Loa {
            numbers: vec!["1".into(), "1".into()],
            ..loa()
        })
        .unwrap_err();
        assert_eq!(r.code, "loa_numbers_invalid");
    }

    #[test]
    fn b11_document_limits_and_deadlines() {
        let pdf = b"%PDF-1.7 hello".to_vec();
        assert!(check_document("application/pdf", &pdf).is_ok());
        assert_eq!(
            check_document("application/zip", &pdf).unwrap_err().code,
            "document_type_not_allowed"
        );
        assert_eq!(
            check_document("image/png", &pdf).unwrap_err().code,
            "document_content_mismatch"
        );
        let big = [b"%PDF-".as_slice(), &vec![0u8; MAX_DOCUMENT_BYTES]].concat();
        assert_eq!(
            check_document("application/pdf", &big).unwrap_err().code,
            "document_too_large"
        );
        assert_eq!(
            check_document("application/pdf", b"").unwrap_err().code,
            "document_empty"
        );
        assert!(check_deadline(NOW + 86_400, NOW).is_ok());
        assert!(check_deadline(NOW + 60, NOW).is_err());
        assert!(check_deadline(NOW + 61 * 86_400, NOW).is_err());
        assert!(!deadline_missed(true, NOW, NOW));
        assert!(deadline_missed(true, NOW, NOW + 1));
        assert!(!deadline_missed(false, NOW, NOW + 1));
        assert!(check_document_kind("identity").is_ok());
        assert!(check_document_kind("selfie").is_err());
    }

    #[test]
    fn base64_round_trips_and_refuses_garbage() {
        assert_eq!(decode_base64("JVBERi0=", 100, "f").unwrap(), b"%PDF-");
        assert_eq!(decode_base64("JVBERi0", 100, "f").unwrap(), b"%PDF-");
        assert_eq!(
            decode_base64("aGVsbG8gd29ybGQ=", 100, "f").unwrap(),
            b"hello world"
        );
        assert_eq!(decode_base64("", 100, "f").unwrap(), b"");
        assert_eq!(
            decode_base64("a$bc", 100, "f").unwrap_err().code,
            "base64_invalid"
        );
        assert_eq!(
            decode_base64("ab=c", 100, "f").unwrap_err().code,
            "base64_invalid"
        );
        assert_eq!(
            decode_base64("a", 100, "f").unwrap_err().code,
            "base64_invalid"
        );
        assert_eq!(
            decode_base64(&"A".repeat(400), 100, "f").unwrap_err().code,
            "document_too_large"
        );
    }

    #[test]
    fn t13_address_change_is_pending_48h_and_the_old_address_is_used_meanwhile() {
        let p = ADDRESS_CHANGE_PENDING_S;
        assert_eq!(address_effective_at(S::Reserved, true, NOW, p), NOW);
        assert_eq!(address_effective_at(S::Active, false, NOW, p), NOW);
        assert_eq!(
            address_effective_at(S::Active, true, NOW, p),
            NOW + ADDRESS_CHANGE_PENDING_S
        );
        assert_eq!(
            address_effective_at(S::Active, true, NOW, 3_600),
            NOW + 3_600
        ); // per profile
        let versions = [(NOW - 100, NOW - 100, "old"), (NOW + 48 * 3600, NOW, "new")];
        assert_eq!(in_force_at(&versions, NOW - 200), None);
        assert_eq!(in_force_at(&versions, NOW), Some(&"old"));
        assert_eq!(in_force_at(&versions, NOW + 48 * 3600 - 1), Some(&"old"));
        assert_eq!(in_force_at(&versions, NOW + 48 * 3600), Some(&"new"));
        let a = Address {
            street: "10 Downing St".into(),
            city: "London".into(),
            postcode: "SW1A 2AA".into(),
            country: "GB".into(),
            floor: Some("2".into()),
            ..Address::default()
        };
        assert_eq!(a.one_line(), "10 Downing St, floor 2, SW1A 2AA London, GB");
        assert!(check_address(&a).is_ok());
        assert_eq!(
            check_address(&Address {
                country: "gb".into(),
                ..a.clone()
            })
            .unwrap_err()
            .field,
            Some("country")
        );
        assert_eq!(
            check_address(&Address {
                street: "".into(),
                ..a
            })
            .unwrap_err()
            .field,
            Some("street")
        );
    }

    #[test]
    fn numbering_table_classifies_country_and_type() {
        let cases = [
            ("442079460000", "GB", NumberType::Geographic),
            ("447700900123", "GB", NumberType::Mobile),
            ("448001234567", "GB", NumberType::TollFree),
            ("443001234567", "GB", NumberType::National),
            ("449001234567", "GB", NumberType::PremiumRate),
            ("448451234567", "GB", NumberType::SharedCost),
            ("447012345678", "GB", NumberType::Personal),
            ("14155550100", "US", NumberType::Geographic),
            ("18005550100", "US", NumberType::TollFree),
            ("14165550100", "CA", NumberType::Geographic),
            ("33142685300", "FR", NumberType::Geographic),
            ("33612345678", "FR", NumberType::Mobile),
            ("4930123456", "DE", NumberType::Geographic),
            ("4915112345678", "DE", NumberType::Mobile),
            ("390612345678", "IT", NumberType::Geographic),
            ("34912345678", "ES", NumberType::Geographic),
            ("31201234567", "NL", NumberType::Geographic),
            ("3221234567", "BE", NumberType::Geographic),
            ("35312345678", "IE", NumberType::Geographic),
            ("35318001234", "IE", NumberType::TollFree),
            ("4312345678", "AT", NumberType::Geographic),
            ("41441234567", "CH", NumberType::Geographic),
            ("61212345678", "AU", NumberType::Geographic),
            ("61412345678", "AU", NumberType::Mobile),
        ];
        for (d, iso, t) in cases {
            let i = classify(d, "e164").unwrap_or_else(|r| panic!("{d}: {r}"));
            assert_eq!((i.country, i.number_type), (iso, t), "{d}");
        }
        assert_eq!(
            classify("8612345678901", "e164").unwrap_err().code,
            "number_country_unsupported"
        );
        assert_eq!(
            classify("4420794", "e164").unwrap_err().code,
            "number_length_invalid"
        );
        assert_eq!(
            classify("10155550100", "e164").unwrap_err().code,
            "number_invalid"
        );
        for c in COUNTRIES {
            assert!(c.nsn_len.0 <= c.nsn_len.1, "{}", c.iso);
        }
    }

    #[test]
    fn t14_no_trunking_and_cnam_for_us_ca_only() {
        assert!(check_routing(true, Routing::Direct).is_ok());
        assert!(check_routing(true, Routing::ForwardSingleLine).is_ok());
        for r in [
            Routing::SipTrunk,
            Routing::ForwardPbx,
            Routing::ForwardMultiCall,
        ] {
            let e = check_routing(true, r).unwrap_err();
            assert_eq!((e.code, e.rule), ("trunking_not_allowed", Some(rules::T14)));
            assert!(check_routing(false, r).is_ok());
        }
        assert_eq!(check_cnam("US", " ACME DENTAL ").unwrap(), "ACME DENTAL");
        assert_eq!(
            check_cnam("GB", "ACME").unwrap_err().code,
            "cnam_not_applicable"
        );
        assert_eq!(
            check_cnam("CA", "A VERY LONG NAME INDEED")
                .unwrap_err()
                .code,
            "cnam_invalid"
        );
        assert_eq!(
            parse_capabilities("voice,sms,voice", "c").unwrap(),
            vec![Capability::Voice, Capability::Sms]
        );
        assert!(parse_capabilities("video", "c").is_err());
    }
}
