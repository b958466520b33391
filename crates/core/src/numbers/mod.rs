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

mod address;
mod documents;
mod port_in;
mod routing;
mod state;
mod table;
#[cfg(test)]
mod tests;

pub use address::*;
pub use documents::*;
pub use port_in::*;
pub use routing::*;
pub use state::*;
pub use table::*;

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
