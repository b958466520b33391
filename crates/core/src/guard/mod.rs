//! The real-time guard: admit or refuse a call against the contract (RULEBOOK T1-T4, T13,
//! F1-F8, L1), and the fraud detectors over sliding windows.
//!
//! # Order of checks (precedence; the first that applies decides)
//!
//! | # | code | decision | rule |
//! |---|---|---|---|
//! | 1 | `emergency_call` | allow, always, even suspended, past every limit | T13 |
//! | 2 | `account_suspended` | deny | F4 (or F1) |
//! | 3 | `service_suspended` (outbound, international or a destination class) | deny | F4 |
//! | 4 | `source_banned` (SIP brute force from this IP) | deny | F6 |
//! | 4b | `destination_invalid` (not an E.164 number nor an emergency code) | deny | B4 |
//! | 5 | `account_not_validated` | deny | T2 |
//! | 6 | `caller_id_not_owned` | deny | F8 |
//! | 7 | `destination_premium_rate`, `destination_shared_cost`, `destination_personal_number`, `destination_uan`, `destination_high_risk` | deny | F2 |
//! | 8 | `international_not_allowed` (off by default, opened by allowlist) | deny | F2 |
//! | 9 | `over_licensed_calls` | busy (SIP 486) | T3, T4, L1 |
//! | 10 | `over_bandwidth` (60 kbps per call) | busy (SIP 486) | T1, T4 |
//! | 11 | fraud detectors (see [`Detectors`]) | deny when the policy blocks this call | F3, F4, F6 |
//! | 12 | `destination_unrated` | deny | B4 |
//! | 13 | `insufficient_credit` | deny | B5 |
//! | 14 | `allowed` | allow, with `max_duration_s` from credit and the profile's cap | B4 |
//!
//! Forbidden destinations stay forbidden during announced activity (F7): an announcement only
//! raises volume thresholds (attempts, simultaneous international calls, spend, enumeration);
//! the dialer signature (F3, a prohibition) is never relaxed.

use crate::country;
use crate::decision::RuleRef;
use crate::rating::{max_affordable_duration, RateRow};
use crate::rules;

mod classes;
mod detectors;
pub mod irsf;
#[cfg(test)]
mod tests;

pub use classes::{DestClass, DestinationClasses};
pub use detectors::*;
pub use irsf::CallFacts;

/// Bandwidth one call needs (T1).
pub const KBPS_PER_CALL: u32 = 60;

/// The answer to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Over a limit: the caller hears busy (SIP 486), not an error (T4).
    Busy,
    Deny,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Allow, Decision::Busy, Decision::Deny];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Busy => "busy",
            Decision::Deny => "deny",
        }
    }
}

/// What may be suspended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspensionScope {
    /// Everything but emergency calls.
    All,
    /// Outbound calls.
    Outbound,
    /// International outbound calls only (F4: "only as far as needed").
    International,
    /// Messages only (F4, M6, F9): calls go on.
    Messaging,
}

impl SuspensionScope {
    pub const ALL: [SuspensionScope; 4] = [
        SuspensionScope::All,
        SuspensionScope::Outbound,
        SuspensionScope::International,
        SuspensionScope::Messaging,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            SuspensionScope::All => "all",
            SuspensionScope::Outbound => "outbound",
            SuspensionScope::International => "international",
            SuspensionScope::Messaging => "messaging",
        }
    }

    pub fn parse(s: &str) -> Option<SuspensionScope> {
        Some(match s {
            "all" => SuspensionScope::All,
            "outbound" => SuspensionScope::Outbound,
            "international" => SuspensionScope::International,
            "messaging" => SuspensionScope::Messaging,
            _ => return None,
        })
    }
}

/// An active suspension of an account (full or selective).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    pub id: String,
    pub scope: SuspensionScope,
    /// Expires by itself at this time; `None` until reactivated.
    pub until: Option<i64>,
    pub rule: RuleRef,
    pub reason: String,
}

impl Suspension {
    pub fn active(&self, now: i64) -> bool {
        self.until.is_none_or(|u| now < u)
    }
}

/// The contract terms of one billing account that the guard applies.
#[derive(Debug, Clone)]
pub struct AccountPolicy {
    /// T2: validation (KYC, caller ID registration) completed.
    pub validated: bool,
    /// T3, L1: simultaneous calls the licences allow.
    pub licensed_calls: u32,
    /// T1: the site's declared bandwidth; `None` when not declared.
    pub site_bandwidth_kbps: Option<u32>,
    /// The account's home country, ISO 3166-1 alpha-2 (calls elsewhere are international).
    pub home_country: String,
    /// F2: countries (ISO 3166-1 alpha-2) opened for international calls.
    pub international_allowlist: Vec<String>,
    /// F8: E.164 numbers the account owns or has verified, **sorted** (binary search).
    pub owned_numbers: Vec<String>,
    /// Credit left for usage, micro units; `None` = postpaid without a credit limit.
    pub credit_left_micros: Option<i64>,
    /// The profile's longest call (product facts: 4 h).
    pub max_call_duration_s: u32,
    pub suspensions: Vec<Suspension>,
    /// F7: announced unusual activity `(from, until, factor)`; thresholds rise by `factor`.
    pub announcements: Vec<(i64, i64, u32)>,
}

/// A call asking to be admitted.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// Presented caller ID, E.164 digits.
    pub from: &'a str,
    /// The dialled destination as received (short codes allowed).
    pub dialled: &'a str,
    /// Normalised E.164 digits of the destination (`None` for short codes).
    pub to: Option<&'a str>,
    pub source: Option<&'a str>,
    pub now: i64,
}

/// Live state of an account the guard needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Live {
    pub calls: u32,
    pub international_calls: u32,
}

/// The guard's answer, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub code: &'static str,
    pub rule: RuleRef,
    pub message: String,
    pub max_duration_s: u32,
    pub emergency: bool,
    pub international: bool,
}

fn verdict(decision: Decision, code: &'static str, rule: RuleRef, message: String) -> Verdict {
    Verdict {
        decision,
        code,
        rule,
        message,
        max_duration_s: 0,
        emergency: false,
        international: false,
    }
}

/// Whether a dialled string is an emergency number for this caller (T13): in the country of
/// the calling number or in the account's home country (ISO codes), from
/// [`crate::country`], the one table of emergency numbers. With neither known, any code
/// that is an emergency number somewhere (see [`country::is_emergency`]).
pub fn is_emergency(dialled: &str, from: Option<&str>, home_country: Option<&str>) -> bool {
    let number_country = from.and_then(country::country_of);
    let home = home_country.filter(|h| country::is_known(h));
    match (number_country, home) {
        (None, None) => country::is_emergency(dialled, None),
        (a, b) => [a, b]
            .into_iter()
            .flatten()
            .any(|c| country::is_emergency(dialled, Some(c))),
    }
}

/// The country of a destination for the international checks (F2): its ISO region, or the
/// calling code when the table does not know it (never equal to a home country).
fn destination_country(to: &str) -> &str {
    country::country_of(to).unwrap_or_else(|| &to[..to.len().min(3)])
}

/// Decides a call up to (not including) the fraud detectors: steps 1-10 of the precedence.
/// Returns `Ok(international)` when the call may go on to the detectors.
pub fn check_contract(
    policy: &AccountPolicy,
    live: Live,
    attempt: &Attempt,
    classes: &DestinationClasses,
    banned_source: bool,
) -> Result<bool, Verdict> {
    let now = attempt.now;
    // F8: only a calling number the account owns says where the caller is.
    let owned = policy
        .owned_numbers
        .binary_search_by(|n| n.as_str().cmp(attempt.from))
        .is_ok();
    if is_emergency(
        attempt.dialled,
        Some(attempt.from).filter(|_| owned),
        Some(&policy.home_country),
    ) {
        return Err(Verdict {
            emergency: true,
            max_duration_s: policy.max_call_duration_s,
            ..verdict(
                Decision::Allow,
                "emergency_call",
                rules::T13,
                "emergency call: always admitted".into(),
            )
        });
    }
    let international = attempt
        .to
        .map(|to| destination_country(to) != policy.home_country);
    let active = || policy.suspensions.iter().filter(|s| s.active(now));
    if let Some(s) = active().find(|s| s.scope == SuspensionScope::All) {
        return Err(verdict(
            Decision::Deny,
            "account_suspended",
            s.rule,
            format!("the account is suspended: {}", s.reason),
        ));
    }
    let selective = active().find(|s| match s.scope {
        SuspensionScope::All | SuspensionScope::Outbound => true,
        SuspensionScope::International => international == Some(true),
        SuspensionScope::Messaging => false,
    });
    if let Some(s) = selective {
        return Err(verdict(
            Decision::Deny,
            "service_suspended",
            s.rule,
            format!(
                "{} calls are suspended for this account: {}",
                s.scope.as_str(),
                s.reason
            ),
        ));
    }
    if banned_source {
        return Err(verdict(
            Decision::Deny,
            "source_banned",
            rules::F6,
            "the source address is blocked after repeated authentication failures".into(),
        ));
    }
    let (Some(to), Some(international)) = (attempt.to, international) else {
        return Err(verdict(
            Decision::Deny,
            "destination_invalid",
            rules::B4,
            format!("`{}` is not a dialable E.164 number", attempt.dialled),
        ));
    };
    if !policy.validated {
        return Err(verdict(
            Decision::Deny,
            "account_not_validated",
            rules::T2,
            "validation (KYC, caller ID registration) is not complete".into(),
        ));
    }
    if policy
        .owned_numbers
        .binary_search_by(|n| n.as_str().cmp(attempt.from))
        .is_err()
    {
        return Err(verdict(
            Decision::Deny,
            "caller_id_not_owned",
            rules::F8,
            format!("+{} is not a number of this account", attempt.from),
        ));
    }
    if let Some((class, prefix)) = classes.classify(to) {
        return Err(verdict(
            Decision::Deny,
            class.code(),
            rules::F2,
            format!("+{to} is a {} number (prefix {prefix})", class.as_str()),
        ));
    }
    if international
        && !policy
            .international_allowlist
            .iter()
            .any(|c| c == destination_country(to))
    {
        return Err(verdict(
            Decision::Deny,
            "international_not_allowed",
            rules::F2,
            format!(
                "international calls to {} (+{to}) are not opened for this account",
                destination_country(to)
            ),
        ));
    }
    if live.calls >= policy.licensed_calls {
        return Err(verdict(
            Decision::Busy,
            "over_licensed_calls",
            rules::T3,
            format!("{} simultaneous calls are licensed", policy.licensed_calls),
        ));
    }
    if let Some(bw) = policy.site_bandwidth_kbps {
        let max = bw / KBPS_PER_CALL;
        if live.calls >= max {
            return Err(verdict(
                Decision::Busy,
                "over_bandwidth",
                rules::T1,
                format!("{bw} kbps carries {max} calls at {KBPS_PER_CALL} kbps each"),
            ));
        }
    }
    Ok(international)
}

/// What a call of `duration_s` at `row` costs at most: the amount reserved against the
/// credit while it is live (B5).
pub fn worst_case_cost(row: &RateRow, duration_s: u32) -> i64 {
    crate::rating::rate_with_row(row, 0, duration_s, None, None).amount_micros
}

/// Steps 12-14: the rate, the credit and `max_duration_s`, with the rating code itself.
/// `reserved_micros` is the credit live calls of the account already hold (B5), so N
/// simultaneous calls never each get the whole credit.
pub fn check_price(
    policy: &AccountPolicy,
    row: Option<&RateRow>,
    international: bool,
    reserved_micros: i64,
) -> Verdict {
    let Some(row) = row else {
        return verdict(
            Decision::Deny,
            "destination_unrated",
            rules::B4,
            "no rate is valid for this destination now".into(),
        );
    };
    let max = match policy.credit_left_micros {
        None => policy.max_call_duration_s,
        Some(credit) => max_affordable_duration(
            row,
            // An overflow can only come from absurd holds: no credit left then.
            credit.checked_sub(reserved_micros).unwrap_or(0),
            policy.max_call_duration_s,
        ),
    };
    if max == 0 {
        return verdict(
            Decision::Deny,
            "insufficient_credit",
            rules::B5,
            "the credit left does not pay for the first billing increment".into(),
        );
    }
    Verdict {
        max_duration_s: max,
        international,
        ..verdict(Decision::Allow, "allowed", rules::B4, "admitted".into())
    }
}
