//! Messaging compliance (M1-M7, T2, F4, F8, F9, D1): every SMS/MMS admitted like a call.
//!
//! Admission precedence (the first check that refuses decides; `code` → rule):
//!
//! | # | check | code | rule |
//! |---|---|---|---|
//! | 1 | the account's suspension (all, outbound, messaging; international to a foreign recipient) | `account_suspended`, `service_suspended` | the suspension's (F4, F1…) |
//! | 2 | validation complete | `account_not_validated` | T2 |
//! | 3 | the sender is a number the account owns or its approved sender ID or short code | `sender_not_owned` | F8 |
//! | 4 | US A2P from a 10-digit number: an approved 10DLC campaign covers it; a short code or toll-free number: approved | `tendlc_unregistered`, `short_code_unregistered`, `toll_free_unverified`, `sender_id_not_supported` | M5 |
//! | 5 | the recipient has not opted out and is on no suppression list | `recipient_opted_out`, `recipient_suppressed` | M3 |
//! | 6 | marketing: consent on record | `consent_missing` | M2 |
//! | 7 | marketing: an opt-out instruction in the body | `opt_out_instruction_missing` | M3 |
//! | 8 | marketing: the state's telemarketer registration where required | `state_registration_missing` | M5 |
//! | 9 | marketing: inside the quiet-hours window in all the recipient's zones | `quiet_hours` (refused) or `quiet_hours_deferred` | M4 |
//! | 10 | marketing: the jurisdiction's cap per recipient per 24 hours | `jurisdiction_cap` | M4 |
//! | 11 | recipients enumerated in sequence | `recipient_enumeration` | M6 |
//! | 12 | bulk sends to recipients without consent | `bulk_without_consent` | F9 |
//!
//! The body is read only to count segments, to find the opt-out instruction and to match
//! inbound keywords (D1).

pub mod detectors;
pub mod gsm7;
pub mod keywords;
pub mod quiet;
pub mod segments;
pub mod zones;

#[cfg(test)]
mod tests;

use jiff::tz::TimeZone;

use crate::guard::{Suspension, SuspensionScope};
use crate::{country, rules, Refusal, RuleRef};
use quiet::{Quiet, QuietRules};

/// Longest body accepted (characters): ten concatenated parts of GSM-7 text.
pub const MAX_BODY_CHARS: usize = 1_530;
/// Longest alphanumeric sender ID (3GPP TS 23.040: 11 characters).
pub const MAX_SENDER_ID_CHARS: usize = 11;
/// Short codes have 3 to 6 digits.
pub const SHORT_CODE_DIGITS: std::ops::RangeInclusive<usize> = 3..=6;
/// NANP toll-free area codes (toll-free verification instead of 10DLC).
pub const NANP_TOLL_FREE: &[&str] = &["1800", "1833", "1844", "1855", "1866", "1877", "1888"];

/// What a message is for (the terms' categories; marketing carries the consent, opt-out
/// instruction and quiet-hours duties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Transactional,
    Informational,
    Marketing,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::Transactional,
        Category::Informational,
        Category::Marketing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Transactional => "transactional",
            Category::Informational => "informational",
            Category::Marketing => "marketing",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Who a message says it is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// E.164 digits.
    Number(String),
    ShortCode(String),
    /// An alphanumeric sender ID as registered.
    Alphanumeric(String),
}

impl Sender {
    /// The sender as stored and matched against registrations.
    pub fn key(&self) -> &str {
        match self {
            Sender::Number(s) | Sender::ShortCode(s) | Sender::Alphanumeric(s) => s,
        }
    }

    /// Reads `from`: `+` and digits are a number (3-6 digits a short code); letters, digits
    /// and spaces up to 11 characters with one letter at least, a sender ID.
    pub fn parse(from: &str) -> Result<Sender, Refusal> {
        let t = from.trim();
        let digits = t.strip_prefix('+').unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if SHORT_CODE_DIGITS.contains(&digits.len()) && !t.starts_with('+') {
                return Ok(Sender::ShortCode(digits.into()));
            }
            return crate::e164::normalize(t, "from").map(Sender::Number);
        }
        let ok = !t.is_empty()
            && t.chars().count() <= MAX_SENDER_ID_CHARS
            && t.chars().any(|c| c.is_ascii_alphabetic())
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ');
        if ok {
            Ok(Sender::Alphanumeric(t.into()))
        } else {
            Err(Refusal::invalid(
                "sender_invalid",
                "from",
                format!(
                    "`{t}` is neither an E.164 number, a short code nor a sender ID (letters, \
                     digits and spaces, at most {MAX_SENDER_ID_CHARS})"
                ),
            ))
        }
    }
}

/// The account's approved registrations that admission reads (M5), each sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registered {
    /// Numbers covered by an approved 10DLC campaign of an approved brand.
    pub tendlc_numbers: Vec<String>,
    pub short_codes: Vec<String>,
    /// Verified toll-free numbers.
    pub toll_free: Vec<String>,
    pub sender_ids: Vec<String>,
    /// ISO 3166-2 regions with a state telemarketer registration.
    pub states: Vec<String>,
}

fn has(list: &[String], x: &str) -> bool {
    list.binary_search_by(|n| n.as_str().cmp(x)).is_ok()
}

/// Where a recipient is, for the quiet hours: from the number, or the address on the
/// consent record.
#[derive(Debug, Clone, Default)]
pub struct Recipient<'a> {
    /// E.164 digits.
    pub number: &'a str,
    pub country: Option<&'a str>,
    pub region: Option<&'a str>,
    pub zones: &'a [TimeZone],
}

/// Everything admission reads about the account and the recipient.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub validated: bool,
    pub suspensions: &'a [Suspension],
    pub home_country: &'a str,
    /// Numbers the account owns, sorted.
    pub owned_numbers: &'a [String],
    pub registered: &'a Registered,
    pub opted_out: bool,
    pub suppressed: bool,
    pub consent: bool,
    /// Marketing messages from the account to the recipient in the last 24 hours.
    pub marketing_last_24h: u32,
    /// The detectors' findings for this recipient ([`detectors`]).
    pub enumeration: bool,
    pub bulk_without_consent: bool,
}

/// A message asking to be admitted.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub sender: &'a Sender,
    pub recipient: Recipient<'a>,
    pub category: Category,
    pub body: &'a str,
    pub defer_if_quiet: bool,
    pub now: i64,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Accepted,
    Refused,
    Deferred,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Refused => "refused",
            Status::Deferred => "deferred",
        }
    }
}

/// A decision with its code, rule and explanation; `send_at` for a deferred message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub status: Status,
    pub code: &'static str,
    pub rule: Option<RuleRef>,
    pub message: String,
    pub send_at: Option<i64>,
}

fn refused(code: &'static str, rule: RuleRef, message: String) -> Admission {
    Admission {
        status: Status::Refused,
        code,
        rule: Some(rule),
        message,
        send_at: None,
    }
}

/// Whether a number is a US 10-digit long code that is not toll-free (10DLC applies).
pub fn is_us_long_code(digits: &str) -> bool {
    digits.len() == 11
        && country::country_of(digits) == Some("US")
        && !NANP_TOLL_FREE.iter().any(|p| digits.starts_with(p))
}

fn is_toll_free(digits: &str) -> bool {
    digits.len() == 11 && NANP_TOLL_FREE.iter().any(|p| digits.starts_with(p))
}

/// Decides a message (see the module's precedence table).
pub fn admit(req: &Request, facts: &Facts, quiet: &QuietRules) -> Admission {
    let now = req.now;
    let to_country = req
        .recipient
        .country
        .or_else(|| country::country_of(req.recipient.number));
    let international = to_country != Some(facts.home_country);
    let active = || facts.suspensions.iter().filter(|s| s.active(now));
    if let Some(s) = active().find(|s| s.scope == SuspensionScope::All) {
        return refused(
            "account_suspended",
            s.rule,
            format!("the account is suspended: {}", s.reason),
        );
    }
    if let Some(s) = active().find(|s| match s.scope {
        SuspensionScope::All | SuspensionScope::Outbound | SuspensionScope::Messaging => true,
        SuspensionScope::International => international,
    }) {
        return refused(
            "service_suspended",
            s.rule,
            format!(
                "{} service is suspended for this account: {}",
                s.scope.as_str(),
                s.reason
            ),
        );
    }
    if !facts.validated {
        return refused(
            "account_not_validated",
            rules::T2,
            "validation (KYC, sender and campaign registration) is not complete".into(),
        );
    }
    if let Some(a) = check_sender(req, facts, to_country) {
        return a;
    }
    if facts.opted_out {
        return refused(
            "recipient_opted_out",
            rules::M3,
            format!(
                "+{} has opted out of this account's messages",
                req.recipient.number
            ),
        );
    }
    if facts.suppressed {
        return refused(
            "recipient_suppressed",
            rules::M3,
            format!("+{} is on a suppression list", req.recipient.number),
        );
    }
    if req.category == Category::Marketing {
        if let Some(a) = check_marketing(req, facts, quiet) {
            return a;
        }
    }
    if facts.enumeration {
        return refused(
            "recipient_enumeration",
            rules::M6,
            format!(
                "recipients in a numeric sequence: at least {} consecutive numbers within {} s",
                detectors::ENUMERATION_RUN,
                detectors::ENUMERATION_WINDOW_S
            ),
        );
    }
    if facts.bulk_without_consent {
        return refused(
            "bulk_without_consent",
            rules::F9,
            format!(
                "more than {} recipients without consent on record within {} s",
                detectors::BULK_NO_CONSENT_LIMIT,
                detectors::BULK_WINDOW_S
            ),
        );
    }
    Admission {
        status: Status::Accepted,
        code: "accepted",
        rule: None,
        message: "admitted".into(),
        send_at: None,
    }
}

/// Steps 3-4: the sender is the account's and registered where US carriers require it.
fn check_sender(req: &Request, facts: &Facts, to_country: Option<&str>) -> Option<Admission> {
    let r = facts.registered;
    let to_us = to_country == Some("US");
    let (owned, registration) = match req.sender {
        Sender::Number(n) => {
            let owned = facts
                .owned_numbers
                .binary_search_by(|x| x.as_str().cmp(n))
                .is_ok();
            let reg = if !to_us {
                None
            } else if is_us_long_code(n) && !has(&r.tendlc_numbers, n) {
                Some((
                    "tendlc_unregistered",
                    "no approved 10DLC brand and campaign covers",
                ))
            } else if is_toll_free(n) && !has(&r.toll_free, n) {
                Some((
                    "toll_free_unverified",
                    "toll-free verification is not approved for",
                ))
            } else {
                None
            };
            (owned, reg)
        }
        Sender::ShortCode(c) => {
            let ok = has(&r.short_codes, c);
            (ok, None)
        }
        Sender::Alphanumeric(id) => {
            let ok = has(&r.sender_ids, id);
            let reg = (ok && country::calling_code(req.recipient.number) == Some("1")).then_some((
                "sender_id_not_supported",
                "NANP carriers do not accept alphanumeric sender IDs such as",
            ));
            (ok, reg)
        }
    };
    if !owned {
        let what = match req.sender {
            Sender::ShortCode(_) => "an approved short code of the account",
            Sender::Alphanumeric(_) => "an approved sender ID of the account",
            Sender::Number(_) => "a number the account owns",
        };
        return Some(refused(
            "sender_not_owned",
            rules::F8,
            format!("`{}` is not {what}", req.sender.key()),
        ));
    }
    registration
        .map(|(code, text)| refused(code, rules::M5, format!("{text} `{}`", req.sender.key())))
}

/// Steps 6-10 for marketing messages.
fn check_marketing(req: &Request, facts: &Facts, quiet: &QuietRules) -> Option<Admission> {
    if !facts.consent {
        return Some(refused(
            "consent_missing",
            rules::M2,
            format!(
                "no prior express written consent of +{} on record",
                req.recipient.number
            ),
        ));
    }
    if !keywords::has_opt_out_instruction(req.body) {
        return Some(refused(
            "opt_out_instruction_missing",
            rules::M3,
            "a marketing message must carry an opt-out instruction (e.g. \"Reply STOP to opt out\")"
                .into(),
        ));
    }
    let country = req
        .recipient
        .country
        .or_else(|| country::country_of(req.recipient.number));
    let js = quiet.applicable(country, req.recipient.region);
    if let Some(j) = js
        .iter()
        .find(|j| j.registration && !has(&facts.registered.states, &j.id))
    {
        return Some(refused(
            "state_registration_missing",
            rules::M5,
            format!(
                "marketing to {} needs a state registration ({})",
                j.id, j.source
            ),
        ));
    }
    if req.recipient.zones.is_empty() {
        return Some(refused(
            "recipient_zone_unknown",
            rules::M4,
            format!(
                "the local time of +{} is unknown: record an address with its consent",
                req.recipient.number
            ),
        ));
    }
    if let Quiet::Outside {
        jurisdiction,
        source,
        next_allowed,
    } = quiet.check(&js, req.recipient.zones, req.now)
    {
        let why = format!(
            "outside the allowed hours of {jurisdiction} in the recipient's local time ({source})"
        );
        return Some(match next_allowed {
            Some(at) if req.defer_if_quiet => Admission {
                status: Status::Deferred,
                code: "quiet_hours_deferred",
                rule: Some(rules::M4),
                message: format!("{why}: deferred to the first allowed minute"),
                send_at: Some(at),
            },
            _ => refused("quiet_hours", rules::M4, why),
        });
    }
    if let Some(j) = js.iter().find(|j| {
        j.max_per_24h
            .is_some_and(|cap| facts.marketing_last_24h >= cap)
    }) {
        return Some(refused(
            "jurisdiction_cap",
            rules::M4,
            format!(
                "{} allows at most {} marketing messages to a recipient in 24 hours ({})",
                j.id,
                j.max_per_24h.unwrap_or(0),
                j.source
            ),
        ));
    }
    None
}
