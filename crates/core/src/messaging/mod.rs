//! Messaging compliance (M1-M7, T2, F4, F8, F9, D1): every SMS/MMS admitted like a call.
//!
//! Admission precedence (the first check that refuses decides; `code` → rule):
//!
//! | # | check | code | rule |
//! |---|---|---|---|
//! | 1 | the account's suspension (all, outbound, messaging; international to a foreign recipient) | `account_suspended`, `service_suspended` | the suspension's (F4, F1…) |
//! | 2 | validation complete | `account_not_validated` | T2 |
//! | 3 | the sender is a number the account owns | `sender_not_owned` | F8 |
//! | 4 | registrations: US A2P from a 10-digit number covered by an approved 10DLC campaign, a toll-free number verified, a short code or sender ID approved (sender IDs never towards NANP), for marketing the state's telemarketer registration where its law asks | `tendlc_unregistered`, `toll_free_unverified`, `short_code_unregistered`, `sender_id_unregistered`, `sender_id_not_supported`, `state_registration_missing` | M5 |
//! | 5 | the recipient has not opted out and is on no suppression list | `recipient_opted_out`, `recipient_suppressed` | M3 |
//! | 6 | marketing: consent on record | `consent_missing` | M2 |
//! | 7 | marketing: an opt-out instruction in the body | `opt_out_instruction_missing` | M3 |
//! | 8 | marketing: inside the quiet-hours window in all the recipient's zones | `quiet_hours` (refused), or deferred if every later check passes | M4 |
//! | 9 | marketing: the jurisdiction's cap per recipient per 24 hours (a deferred message counts) | `jurisdiction_cap` | M4 |
//! | 10 | bulk sends to recipients without consent | `bulk_without_consent` | F9 |
//! | 11 | recipients enumerated in sequence | `recipient_enumeration` | M6 |
//!
//! A deferred message (`quiet_hours_deferred`, M4) passed every check; at its release the
//! delivery worker asks the suspension, opt-out and quiet-hours questions again.
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
    // The number says where the recipient's line is (F4 international, M5 A2P); an address
    // on the consent record says only whose quiet hours apply (M4).
    let number_country = country::country_of(req.recipient.number);
    let international = number_country != Some(facts.home_country);
    if let Some(a) = check_suspension(facts.suspensions, international, now) {
        return a;
    }
    if !facts.validated {
        return refused(
            "account_not_validated",
            rules::T2,
            "validation (KYC, sender and campaign registration) is not complete".into(),
        );
    }
    let js = quiet.applicable(
        req.recipient.country.or(number_country),
        req.recipient.region,
    );
    if let Some(a) = check_sender(req, facts, number_country, &js) {
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
    let deferred = if req.category == Category::Marketing {
        match check_marketing(req, facts, quiet, &js) {
            Ok(d) => d,
            Err(a) => return a,
        }
    } else {
        None
    };
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
    match deferred {
        // Every later check passed: the message waits only for the quiet hours to end.
        Some(a) => a,
        None => Admission {
            status: Status::Accepted,
            code: "accepted",
            rule: None,
            message: "admitted".into(),
            send_at: None,
        },
    }
}

/// Step 1: a suspension of the account that covers messages (all, outbound, messaging;
/// international towards a foreign recipient). Also what delivery asks again at release.
pub fn check_suspension(
    suspensions: &[Suspension],
    international: bool,
    now: i64,
) -> Option<Admission> {
    let active = || suspensions.iter().filter(|s| s.active(now));
    if let Some(s) = active().find(|s| s.scope == SuspensionScope::All) {
        return Some(refused(
            "account_suspended",
            s.rule,
            format!("the account is suspended: {}", s.reason),
        ));
    }
    active()
        .find(|s| match s.scope {
            SuspensionScope::All | SuspensionScope::Outbound | SuspensionScope::Messaging => true,
            SuspensionScope::International => international,
        })
        .map(|s| {
            refused(
                "service_suspended",
                s.rule,
                format!(
                    "{} service is suspended for this account: {}",
                    s.scope.as_str(),
                    s.reason
                ),
            )
        })
}

/// Steps 3-4: the sender is the account's and registered where the carriers or the
/// recipient's state require it (M5: 10DLC, toll-free verification, short codes, sender IDs,
/// state telemarketer registrations for marketing).
fn check_sender(
    req: &Request,
    facts: &Facts,
    number_country: Option<&str>,
    js: &[&quiet::Jurisdiction],
) -> Option<Admission> {
    let r = facts.registered;
    let to_us = number_country == Some("US");
    let registration = match req.sender {
        Sender::Number(n) => {
            let owned = facts
                .owned_numbers
                .binary_search_by(|x| x.as_str().cmp(n))
                .is_ok();
            if !owned {
                return Some(refused(
                    "sender_not_owned",
                    rules::F8,
                    format!("`{n}` is not a number the account owns"),
                ));
            }
            if !to_us {
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
            }
        }
        Sender::ShortCode(c) => (!has(&r.short_codes, c)).then_some((
            "short_code_unregistered",
            "no approved short code registration of the account for",
        )),
        Sender::Alphanumeric(id) => {
            if !has(&r.sender_ids, id) {
                Some((
                    "sender_id_unregistered",
                    "no approved sender ID registration of the account for",
                ))
            } else if country::calling_code(req.recipient.number) == Some("1") {
                Some((
                    "sender_id_not_supported",
                    "NANP carriers do not accept alphanumeric sender IDs such as",
                ))
            } else {
                None
            }
        }
    };
    if let Some((code, text)) = registration {
        return Some(refused(
            code,
            rules::M5,
            format!("{text} `{}`", req.sender.key()),
        ));
    }
    if req.category != Category::Marketing {
        return None;
    }
    js.iter()
        .find(|j| j.registration && !has(&facts.registered.states, &j.id))
        .map(|j| {
            refused(
                "state_registration_missing",
                rules::M5,
                format!(
                    "marketing to {} needs a state registration ({})",
                    j.id, j.source
                ),
            )
        })
}

/// Steps 6-10 for marketing messages: a refusal, or the deferral the quiet hours call for
/// (returned only after the caps: a deferred message counts like a sent one).
fn check_marketing(
    req: &Request,
    facts: &Facts,
    quiet: &QuietRules,
    js: &[&quiet::Jurisdiction],
) -> Result<Option<Admission>, Admission> {
    if !facts.consent {
        return Err(refused(
            "consent_missing",
            rules::M2,
            format!(
                "no prior express written consent of +{} on record",
                req.recipient.number
            ),
        ));
    }
    if !keywords::has_opt_out_instruction(req.body) {
        return Err(refused(
            "opt_out_instruction_missing",
            rules::M3,
            "a marketing message must carry an opt-out instruction (e.g. \"Reply STOP to opt out\")"
                .into(),
        ));
    }
    if req.recipient.zones.is_empty() {
        return Err(refused(
            "recipient_zone_unknown",
            rules::M4,
            format!(
                "the local time of +{} is unknown: record an address with its consent",
                req.recipient.number
            ),
        ));
    }
    let mut deferred = None;
    if let Quiet::Outside {
        jurisdiction,
        source,
        next_allowed,
    } = quiet.check(js, req.recipient.zones, req.now)
    {
        let why = format!(
            "outside the allowed hours of {jurisdiction} in the recipient's local time ({source})"
        );
        match next_allowed {
            Some(at) if req.defer_if_quiet => {
                deferred = Some(Admission {
                    status: Status::Deferred,
                    code: "quiet_hours_deferred",
                    rule: Some(rules::M4),
                    message: format!("{why}: deferred to the first allowed minute"),
                    send_at: Some(at),
                })
            }
            _ => return Err(refused("quiet_hours", rules::M4, why)),
        }
    }
    if let Some(j) = js.iter().find(|j| {
        j.max_per_24h
            .is_some_and(|cap| facts.marketing_last_24h >= cap)
    }) {
        return Err(refused(
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
    Ok(deferred)
}
