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

use std::collections::{HashMap, VecDeque};

use crate::country;
use crate::decision::RuleRef;
use crate::rating::{max_affordable_duration, RateRow};
use crate::rules;

/// Bandwidth one call needs (T1).
pub const KBPS_PER_CALL: u32 = 60;
/// Per-second attempt counters kept per account (one minute).
pub const ATTEMPT_BUCKETS: usize = 60;
/// Refused forbidden-destination attempts kept per account.
pub const MAX_WINDOW_FORBIDDEN: usize = 32;
/// Completed calls kept per account for the dialer detector.
pub const MAX_WINDOW_COMPLETED: usize = 64;
/// Recent destinations kept per account for the enumeration detector.
pub const MAX_WINDOW_DESTINATIONS: usize = 32;
/// Countries remembered per account for the new-country detector.
pub const MAX_WINDOW_COUNTRIES: usize = 64;
/// Five-minute spend buckets kept per account (one hour).
pub const SPEND_BUCKETS: usize = 12;
/// Seconds per spend bucket.
pub const SPEND_BUCKET_S: i64 = 300;
/// Upper bound of an account window's size in bytes at full windows (see the test).
pub const MAX_ACCOUNT_WINDOW_BYTES: usize = 2_048;
/// Authentication failures kept per source.
pub const MAX_AUTH_FAILURES: usize = 64;

/// The answer to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Over a limit: the caller hears busy (SIP 486), not an error (T4).
    Busy,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Busy => "busy",
            Decision::Deny => "deny",
        }
    }
}

/// Destination classes the terms forbid (F2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestClass {
    PremiumRate,
    SharedCost,
    PersonalNumber,
    Uan,
    HighRisk,
}

impl DestClass {
    pub fn parse(s: &str) -> Option<DestClass> {
        Some(match s {
            "premium_rate" => DestClass::PremiumRate,
            "shared_cost" => DestClass::SharedCost,
            "personal_number" => DestClass::PersonalNumber,
            "uan" => DestClass::Uan,
            "high_risk" => DestClass::HighRisk,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DestClass::PremiumRate => "premium_rate",
            DestClass::SharedCost => "shared_cost",
            DestClass::PersonalNumber => "personal_number",
            DestClass::Uan => "uan",
            DestClass::HighRisk => "high_risk",
        }
    }

    fn code(self) -> &'static str {
        match self {
            DestClass::PremiumRate => "destination_premium_rate",
            DestClass::SharedCost => "destination_shared_cost",
            DestClass::PersonalNumber => "destination_personal_number",
            DestClass::Uan => "destination_uan",
            DestClass::HighRisk => "destination_high_risk",
        }
    }
}

/// Prefix lists of forbidden destination classes: built-in data plus operator additions.
#[derive(Debug, Clone, Default)]
pub struct DestinationClasses {
    by_prefix: HashMap<String, DestClass>,
}

impl DestinationClasses {
    /// Parses `prefix,class,note` lines (`#` comments and a header allowed).
    pub fn parse(text: &str) -> Result<DestinationClasses, String> {
        let mut d = DestinationClasses::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("prefix,") {
                continue;
            }
            let mut cols = line.splitn(3, ',');
            let (p, c) = (
                cols.next().unwrap_or("").trim(),
                cols.next().unwrap_or("").trim(),
            );
            let class = DestClass::parse(c)
                .ok_or_else(|| format!("line {}: unknown class `{c}`", i + 1))?;
            d.add(p, class)
                .map_err(|e| format!("line {}: {e}", i + 1))?;
        }
        Ok(d)
    }

    pub fn add(&mut self, prefix: &str, class: DestClass) -> Result<(), String> {
        if prefix.is_empty() || prefix.len() > 15 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{prefix}` is not a digit prefix"));
        }
        self.by_prefix.insert(prefix.to_string(), class);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.by_prefix.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_prefix.is_empty()
    }

    /// The class of the longest listed prefix of `digits`.
    pub fn classify(&self, digits: &str) -> Option<(DestClass, &str)> {
        (1..=digits.len().min(15)).rev().find_map(|n| {
            self.by_prefix
                .get_key_value(&digits[..n])
                .map(|(k, c)| (*c, k.as_str()))
        })
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
}

impl SuspensionScope {
    pub fn as_str(&self) -> &'static str {
        match self {
            SuspensionScope::All => "all",
            SuspensionScope::Outbound => "outbound",
            SuspensionScope::International => "international",
        }
    }

    pub fn parse(s: &str) -> Option<SuspensionScope> {
        Some(match s {
            "all" => SuspensionScope::All,
            "outbound" => SuspensionScope::Outbound,
            "international" => SuspensionScope::International,
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
    if is_emergency(
        attempt.dialled,
        Some(attempt.from),
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

/// Detector thresholds: configuration (`<data-dir>/guard.toml`), every key optional with the
/// defaults below; unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    pub attempts_per_minute: usize,
    pub simultaneous_international: u32,
    pub spend_per_hour_micros: i64,
    pub dialer_min_calls: usize,
    pub dialer_short_pct: usize,
    pub dialer_short_s: u32,
    pub enumeration_numbers: usize,
    pub enumeration_window_s: i64,
    pub enumeration_shared_digits: usize,
    pub learning_period_s: i64,
    pub auth_failures: usize,
    pub auth_window_s: i64,
    pub ban_s: i64,
    pub forbidden_attempts: usize,
    pub forbidden_window_s: i64,
    pub temporary_block_s: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            attempts_per_minute: 30,
            simultaneous_international: 5,
            spend_per_hour_micros: 50_000_000,
            dialer_min_calls: 20,
            dialer_short_pct: 90,
            dialer_short_s: 60,
            enumeration_numbers: 10,
            enumeration_window_s: 10,
            enumeration_shared_digits: 3,
            learning_period_s: 7 * 86_400,
            auth_failures: 5,
            auth_window_s: 600,
            ban_s: 600,
            forbidden_attempts: 3,
            forbidden_window_s: 600,
            temporary_block_s: 900,
        }
    }
}

/// What a detector does when it fires ("only as far as needed", F4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    AlertOnly,
    Suspend {
        scope: SuspensionScope,
        until: Option<i64>,
    },
    BanSource {
        source: String,
        until: i64,
    },
}

/// A detector that fired, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub detector: &'static str,
    pub rule: RuleRef,
    pub count: u64,
    pub window_s: i64,
    pub threshold: u64,
    pub detail: String,
    pub action: Action,
}

/// Sliding-window state of one account, bounded by the `MAX_WINDOW_*` and `*_BUCKETS`
/// limits: at most [`MAX_ACCOUNT_WINDOW_BYTES`]. Times are Unix seconds as `u32` (to 2106).
#[derive(Debug, Clone, Default)]
pub struct AccountWindow {
    /// `(second, attempts in that second)`.
    attempts: VecDeque<(u32, u32)>,
    completed: VecDeque<u16>,
    destinations: VecDeque<(u32, u64)>,
    countries: Vec<u16>,
    first_seen: Option<i64>,
    /// `(bucket, micro units)`.
    spend: VecDeque<(u32, i64)>,
    forbidden: VecDeque<u32>,
    /// Detectors already fired, so an incident is raised once per episode.
    fired: u16,
}

/// Sliding-window state of one source address.
#[derive(Debug, Clone, Default)]
pub struct SourceWindow {
    failures: VecDeque<i64>,
    pub banned_until: Option<i64>,
}

/// Whether a detector fires now: its condition holds and it has not fired in this episode.
/// When the condition no longer holds the detector re-arms, so a later episode is caught
/// again (a temporary block that expires by itself does not silence the detector).
fn arm(fired: &mut u16, flag: u16, over: bool) -> bool {
    if !over {
        *fired &= !flag;
        return false;
    }
    if *fired & flag != 0 {
        return false;
    }
    *fired |= flag;
    true
}

fn push_bounded<T>(q: &mut VecDeque<T>, v: T, max: usize) {
    if q.len() == max {
        q.pop_front();
    }
    q.push_back(v);
}

const FIRED_RATE: u16 = 1;
const FIRED_INTL: u16 = 2;
const FIRED_SPEND: u16 = 4;
const FIRED_DIALER: u16 = 8;
const FIRED_ENUM: u16 = 16;
const FIRED_FORBIDDEN: u16 = 32;

/// The fraud detectors, as pure functions over windows.
pub struct Detectors<'a> {
    pub t: &'a Thresholds,
}

impl Detectors<'_> {
    fn factor(policy: &AccountPolicy, now: i64) -> usize {
        policy
            .announcements
            .iter()
            .filter(|(f, u, _)| *f <= now && now < *u)
            .map(|(_, _, k)| *k as usize)
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// An attempt that passed the contract checks: attempt rate, simultaneous international
    /// calls, enumeration, new countries.
    pub fn on_attempt(
        &self,
        w: &mut AccountWindow,
        policy: &AccountPolicy,
        live: Live,
        to: &str,
        international: bool,
        now: i64,
    ) -> Vec<Incident> {
        let t = self.t;
        let k = Self::factor(policy, now);
        let mut out = Vec::new();
        let sec = now as u32;
        match w.attempts.back_mut() {
            Some((s, n)) if *s == sec => *n += 1,
            _ => push_bounded(&mut w.attempts, (sec, 1), ATTEMPT_BUCKETS),
        }
        let in_minute: usize = w
            .attempts
            .iter()
            .filter(|(s, _)| i64::from(*s) > now - 60)
            .map(|(_, n)| *n as usize)
            .sum();
        if arm(
            &mut w.fired,
            FIRED_RATE,
            in_minute > t.attempts_per_minute * k,
        ) {
            out.push(Incident {
                detector: "attempts_per_minute",
                rule: rules::F4,
                count: in_minute as u64,
                window_s: 60,
                threshold: (t.attempts_per_minute * k) as u64,
                detail: "call attempts per minute above the threshold".into(),
                action: Action::Suspend {
                    scope: SuspensionScope::Outbound,
                    until: Some(now + t.temporary_block_s),
                },
            });
        }
        let over_intl =
            international && live.international_calls + 1 > t.simultaneous_international * k as u32;
        if arm(&mut w.fired, FIRED_INTL, over_intl) {
            out.push(Incident {
                detector: "simultaneous_international",
                rule: rules::F4,
                count: u64::from(live.international_calls + 1),
                window_s: 0,
                threshold: u64::from(t.simultaneous_international * k as u32),
                detail: "simultaneous international calls above the threshold".into(),
                action: Action::Suspend {
                    scope: SuspensionScope::International,
                    until: None,
                },
            });
        }
        let shared = to.len().saturating_sub(t.enumeration_shared_digits);
        let head: u64 = to[..shared].parse().unwrap_or(0);
        let full: u64 = to.parse().unwrap_or(0);
        push_bounded(
            &mut w.destinations,
            (now as u32, full),
            MAX_WINDOW_DESTINATIONS,
        );
        let mut same: Vec<u64> = w
            .destinations
            .iter()
            .filter(|(ts, n)| {
                i64::from(*ts) > now - t.enumeration_window_s
                    && n / 10u64.pow(t.enumeration_shared_digits as u32) == head
            })
            .map(|(_, n)| *n)
            .collect();
        same.sort_unstable();
        same.dedup();
        if arm(
            &mut w.fired,
            FIRED_ENUM,
            same.len() >= t.enumeration_numbers * k,
        ) {
            out.push(Incident {
                detector: "number_enumeration",
                rule: rules::F3,
                count: same.len() as u64,
                window_s: t.enumeration_window_s,
                threshold: (t.enumeration_numbers * k) as u64,
                detail: format!(
                    "distinct numbers sharing +{}{} dialled",
                    &to[..shared],
                    "X".repeat(to.len() - shared)
                ),
                action: Action::Suspend {
                    scope: SuspensionScope::Outbound,
                    until: Some(now + t.temporary_block_s),
                },
            });
        }
        let iso = destination_country(to);
        let cc = iso
            .bytes()
            .take(2)
            .fold(0u16, |acc, b| (acc << 8) | u16::from(b));
        let first = *w.first_seen.get_or_insert(now);
        if !w.countries.contains(&cc) {
            if now - first > t.learning_period_s {
                out.push(Incident {
                    detector: "new_country",
                    rule: rules::F4,
                    count: 1,
                    window_s: t.learning_period_s,
                    threshold: 0,
                    detail: format!("first call to {iso} after the learning period"),
                    action: Action::AlertOnly,
                });
            }
            if w.countries.len() < MAX_WINDOW_COUNTRIES {
                w.countries.push(cc);
            }
        }
        out
    }

    /// A refused attempt to a forbidden destination (traffic pumping probes, F2).
    pub fn on_forbidden(&self, w: &mut AccountWindow, now: i64) -> Vec<Incident> {
        push_bounded(&mut w.forbidden, now as u32, MAX_WINDOW_FORBIDDEN);
        let n = w
            .forbidden
            .iter()
            .filter(|t| i64::from(**t) > now - self.t.forbidden_window_s)
            .count();
        if arm(
            &mut w.fired,
            FIRED_FORBIDDEN,
            n >= self.t.forbidden_attempts,
        ) {
            return vec![Incident {
                detector: "forbidden_destination_attempts",
                rule: rules::F2,
                count: n as u64,
                window_s: self.t.forbidden_window_s,
                threshold: self.t.forbidden_attempts as u64,
                detail: "repeated attempts to premium-rate or high-risk destinations".into(),
                action: Action::Suspend {
                    scope: SuspensionScope::International,
                    until: None,
                },
            }];
        }
        Vec::new()
    }

    /// A finished call: spend per hour and the dialer signature (F3).
    pub fn on_end(
        &self,
        w: &mut AccountWindow,
        policy: &AccountPolicy,
        duration_s: u32,
        cost_micros: i64,
        now: i64,
    ) -> Vec<Incident> {
        let t = self.t;
        let k = Self::factor(policy, now);
        let mut out = Vec::new();
        let bucket = now.div_euclid(SPEND_BUCKET_S) as u32;
        match w.spend.back_mut() {
            Some((b, v)) if *b == bucket => *v += cost_micros,
            _ => push_bounded(&mut w.spend, (bucket, cost_micros), SPEND_BUCKETS),
        }
        let first = i64::from(bucket) - 3_600 / SPEND_BUCKET_S;
        let hour: i64 = w
            .spend
            .iter()
            .filter(|(b, _)| i64::from(*b) > first)
            .map(|(_, v)| v)
            .sum();
        if arm(
            &mut w.fired,
            FIRED_SPEND,
            hour > t.spend_per_hour_micros * k as i64,
        ) {
            out.push(Incident {
                detector: "spend_per_hour",
                rule: rules::F4,
                count: hour as u64,
                window_s: 3_600,
                threshold: (t.spend_per_hour_micros * k as i64) as u64,
                detail: "spend in the last hour (micro units) above the threshold".into(),
                action: Action::Suspend {
                    scope: SuspensionScope::International,
                    until: None,
                },
            });
        }
        push_bounded(
            &mut w.completed,
            duration_s.min(u32::from(u16::MAX)) as u16,
            MAX_WINDOW_COMPLETED,
        );
        let n = w.completed.len().min(t.dialer_min_calls.max(1) * 2);
        let recent: Vec<u32> = w
            .completed
            .iter()
            .rev()
            .take(n)
            .map(|d| u32::from(*d))
            .collect();
        // F3 forbids dialers outright: an announcement (F7) does not relax this detector.
        let short = recent.iter().filter(|d| **d < t.dialer_short_s).count();
        let acd = recent.iter().map(|d| u64::from(*d)).sum::<u64>() / recent.len().max(1) as u64;
        let dialer = recent.len() >= t.dialer_min_calls
            && short * 100 >= t.dialer_short_pct * recent.len()
            && acd < u64::from(t.dialer_short_s);
        {
            if arm(&mut w.fired, FIRED_DIALER, dialer) {
                out.push(Incident {
                    detector: "dialer_short_calls",
                    rule: rules::F3,
                    count: short as u64,
                    window_s: 0,
                    threshold: t.dialer_short_pct as u64,
                    detail: format!(
                        "{short} of the last {} calls under {} s, ACD {acd} s",
                        recent.len(),
                        t.dialer_short_s
                    ),
                    action: Action::Suspend {
                        scope: SuspensionScope::Outbound,
                        until: None,
                    },
                });
            }
        }
        out
    }

    /// An authentication failure seen by the SIP edge (F6).
    pub fn on_auth_failure(&self, w: &mut SourceWindow, source: &str, now: i64) -> Vec<Incident> {
        push_bounded(&mut w.failures, now, MAX_AUTH_FAILURES);
        let n = w
            .failures
            .iter()
            .filter(|t| **t > now - self.t.auth_window_s)
            .count();
        if n >= self.t.auth_failures && w.banned_until.is_none_or(|u| u <= now) {
            let until = now + self.t.ban_s;
            w.banned_until = Some(until);
            return vec![Incident {
                detector: "auth_failures",
                rule: rules::F6,
                count: n as u64,
                window_s: self.t.auth_window_s,
                threshold: self.t.auth_failures as u64,
                detail: format!("authentication failures from {source}"),
                action: Action::BanSource {
                    source: source.into(),
                    until,
                },
            }];
        }
        Vec::new()
    }
}

impl Thresholds {
    /// Parses `guard.toml` text; errors name the key (`file` only names the error).
    pub fn parse(file: &str, text: &str) -> Result<Thresholds, String> {
        let t: Thresholds = toml::from_str(text).map_err(|e| format!("{file}: {}", e.message()))?;
        if t.attempts_per_minute == 0
            || t.dialer_min_calls == 0
            || t.enumeration_numbers == 0
            || t.auth_failures == 0
            || t.forbidden_attempts == 0
        {
            return Err(format!("{file}: counts must be at least 1"));
        }
        if t.dialer_short_pct > 100 {
            return Err(format!("{file}: dialer_short_pct is a percentage (0-100)"));
        }
        if [
            t.enumeration_window_s,
            t.auth_window_s,
            t.ban_s,
            t.forbidden_window_s,
            t.temporary_block_s,
            t.learning_period_s,
        ]
        .iter()
        .any(|v| *v <= 0)
        {
            return Err(format!(
                "{file}: windows and durations must be positive seconds"
            ));
        }
        Ok(t)
    }
}

/// Clears a window's fired flags (after an operator reactivates the account).
pub fn reset_fired(w: &mut AccountWindow) {
    w.fired = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    const NOW: i64 = 1_795_000_000;

    fn policy() -> AccountPolicy {
        AccountPolicy {
            validated: true,
            licensed_calls: 2,
            site_bandwidth_kbps: None,
            home_country: "FR".into(),
            international_allowlist: vec!["DE".into()],
            owned_numbers: vec!["33170000001".into()],
            credit_left_micros: None,
            max_call_duration_s: 14_400,
            suspensions: vec![],
            announcements: vec![],
        }
    }

    fn classes() -> DestinationClasses {
        DestinationClasses::parse(
            "prefix,class,note\n3389,premium_rate,FR\n882,high_risk,x\n4487,shared_cost,UK\n",
        )
        .unwrap()
    }

    fn attempt<'a>(to: &'a str) -> Attempt<'a> {
        Attempt {
            from: "33170000001",
            dialled: to,
            to: Some(to),
            source: None,
            now: NOW,
        }
    }

    fn check(p: &AccountPolicy, live: Live, a: &Attempt) -> (Decision, &'static str, &'static str) {
        match check_contract(p, live, a, &classes(), false) {
            Ok(_) => (Decision::Allow, "passes", ""),
            Err(v) => (v.decision, v.code, v.rule.rule),
        }
    }

    fn suspended(scope: SuspensionScope) -> AccountPolicy {
        AccountPolicy {
            suspensions: vec![Suspension {
                id: "s".into(),
                scope,
                until: None,
                rule: rules::F4,
                reason: "test".into(),
            }],
            ..policy()
        }
    }

    #[test]
    fn t13_emergency_calls_pass_even_when_suspended() {
        let p = suspended(SuspensionScope::All);
        for n in ["112", "15", "17", "18", "+33112", "+33 15"] {
            let a = Attempt {
                to: None,
                ..attempt(n)
            };
            let v = check_contract(
                &p,
                Live {
                    calls: 99,
                    international_calls: 0,
                },
                &a,
                &classes(),
                true,
            )
            .unwrap_err();
            assert_eq!(
                (v.decision, v.code, v.rule.rule, v.emergency),
                (Decision::Allow, "emergency_call", "T13", true),
                "{n}"
            );
        }
    }

    #[test]
    fn t13_a_short_code_that_is_an_emergency_number_elsewhere_is_not_one_at_home() {
        // A suspended UK account: 118 (directory enquiries in the UK, an ambulance in Italy),
        // 101 and 100 are ordinary services and stay refused; 999 and 112 pass.
        let p = AccountPolicy {
            home_country: "GB".into(),
            owned_numbers: vec!["442079460000".into()],
            ..suspended(SuspensionScope::All)
        };
        let a = |d: &'static str| Attempt {
            from: "442079460000",
            to: None,
            ..attempt(d)
        };
        for d in ["118", "101", "100", "911", "144"] {
            let v = check_contract(&p, Live::default(), &a(d), &classes(), false).unwrap_err();
            assert_eq!(v.code, "account_suspended", "{d}");
        }
        for d in ["999", "112"] {
            let v = check_contract(&p, Live::default(), &a(d), &classes(), false).unwrap_err();
            assert_eq!((v.code, v.emergency), ("emergency_call", true), "{d}");
        }
        // An Austrian caller's 144 (ambulance) is an emergency call.
        let at = AccountPolicy {
            home_country: "AT".into(),
            ..p.clone()
        };
        let v = check_contract(
            &at,
            Live::default(),
            &Attempt {
                from: "4315550000",
                ..a("144")
            },
            &classes(),
            false,
        )
        .unwrap_err();
        assert_eq!((v.code, v.rule.rule), ("emergency_call", "T13"));
    }

    #[test]
    fn f4_suspensions_full_and_selective() {
        assert_eq!(
            check(
                &suspended(SuspensionScope::All),
                Live::default(),
                &attempt("33142685300")
            ),
            (Decision::Deny, "account_suspended", "F4")
        );
        let intl = suspended(SuspensionScope::International);
        assert_eq!(
            check(&intl, Live::default(), &attempt("4930123456")),
            (Decision::Deny, "service_suspended", "F4")
        );
        assert_eq!(
            check(&intl, Live::default(), &attempt("33142685300")).1,
            "passes"
        ); // only as far as needed
        let mut temp = suspended(SuspensionScope::Outbound);
        temp.suspensions[0].until = Some(NOW);
        assert_eq!(
            check(&temp, Live::default(), &attempt("33142685300")).1,
            "passes"
        ); // expired by itself
    }

    #[test]
    fn f6_banned_source_is_refused() {
        let v = check_contract(
            &policy(),
            Live::default(),
            &attempt("33142685300"),
            &classes(),
            true,
        )
        .unwrap_err();
        assert_eq!((v.code, v.rule.rule), ("source_banned", "F6"));
    }

    #[test]
    fn t2_unvalidated_accounts_cannot_call() {
        let p = AccountPolicy {
            validated: false,
            ..policy()
        };
        assert_eq!(
            check(&p, Live::default(), &attempt("33142685300")),
            (Decision::Deny, "account_not_validated", "T2")
        );
    }

    #[test]
    fn f8_caller_id_must_be_owned() {
        let a = Attempt {
            from: "33999999999",
            ..attempt("33142685300")
        };
        assert_eq!(
            check(&policy(), Live::default(), &a),
            (Decision::Deny, "caller_id_not_owned", "F8")
        );
    }

    #[test]
    fn f2_forbidden_destination_classes() {
        assert_eq!(
            check(&policy(), Live::default(), &attempt("33899123456")),
            (Decision::Deny, "destination_premium_rate", "F2")
        );
        assert_eq!(
            check(&policy(), Live::default(), &attempt("882123456789")),
            (Decision::Deny, "destination_high_risk", "F2")
        );
        assert_eq!(
            check(&policy(), Live::default(), &attempt("448712345678")),
            (Decision::Deny, "destination_shared_cost", "F2")
        );
    }

    #[test]
    fn f2_international_is_off_by_default_and_opened_by_allowlist() {
        assert_eq!(
            check(&policy(), Live::default(), &attempt("442079460000")),
            (Decision::Deny, "international_not_allowed", "F2")
        );
        assert_eq!(
            check(&policy(), Live::default(), &attempt("4930123456")).1,
            "passes"
        );
    }

    #[test]
    fn t3_t4_over_licence_is_busy_not_an_error() {
        assert_eq!(
            check(
                &policy(),
                Live {
                    calls: 2,
                    international_calls: 0
                },
                &attempt("33142685300")
            ),
            (Decision::Busy, "over_licensed_calls", "T3")
        );
    }

    #[test]
    fn t1_bandwidth_caps_calls_at_60_kbps_each() {
        let p = AccountPolicy {
            licensed_calls: 100,
            site_bandwidth_kbps: Some(150),
            ..policy()
        };
        assert_eq!(
            check(
                &p,
                Live {
                    calls: 1,
                    international_calls: 0
                },
                &attempt("33142685300")
            )
            .1,
            "passes"
        );
        assert_eq!(
            check(
                &p,
                Live {
                    calls: 2,
                    international_calls: 0
                },
                &attempt("33142685300")
            ),
            (Decision::Busy, "over_bandwidth", "T1")
        );
    }

    fn rate_row(rate: i64) -> RateRow {
        RateRow {
            prefix: "33".into(),
            destination: "France".into(),
            rate_per_min_micros: rate,
            connection_fee_micros: 0,
            initial_s: 60,
            subsequent_s: 60,
            min_billed_s: 0,
            valid_from: 0,
            valid_until: None,
            currency: Currency::parse("EUR").unwrap(),
            zone: None,
            version: 1,
        }
    }

    #[test]
    fn b4_max_duration_comes_from_credit_with_the_rating_code() {
        let p = AccountPolicy {
            credit_left_micros: Some(100_000),
            ..policy()
        };
        let v = check_price(&p, Some(&rate_row(10_000)), false, 0);
        assert_eq!((v.decision, v.max_duration_s), (Decision::Allow, 600)); // 0.10 at 0.01/min
        let v = check_price(
            &AccountPolicy {
                credit_left_micros: Some(1),
                ..policy()
            },
            Some(&rate_row(10_000)),
            false,
            0,
        );
        assert_eq!(
            (v.decision, v.code, v.rule.rule),
            (Decision::Deny, "insufficient_credit", "B5")
        );
        // B5: what live calls hold is not credit left. 0.10 credit, 0.06 held by live
        // calls: 0.04 at 0.01/min buys 240 s, and a call of 240 s holds exactly 0.04.
        let v = check_price(&p, Some(&rate_row(10_000)), false, 60_000);
        assert_eq!(v.max_duration_s, 240);
        assert_eq!(worst_case_cost(&rate_row(10_000), 240), 40_000);
        let v = check_price(&p, Some(&rate_row(10_000)), false, 100_000);
        assert_eq!(v.code, "insufficient_credit");
        assert_eq!(
            check_price(&policy(), None, false, 0).code,
            "destination_unrated"
        );
        assert_eq!(
            check_price(&policy(), Some(&rate_row(10_000)), false, 0).max_duration_s,
            14_400
        );
    }

    #[test]
    fn f3_dialer_signature_fires_once() {
        let t = Thresholds::default();
        let d = Detectors { t: &t };
        let mut w = AccountWindow::default();
        let mut fired = vec![];
        for i in 0..25 {
            fired.extend(d.on_end(
                &mut w,
                &policy(),
                if i % 10 == 0 { 90 } else { 12 },
                100,
                NOW + i,
            ));
        }
        assert_eq!(fired.len(), 1);
        assert_eq!(
            (fired[0].detector, fired[0].rule.rule),
            ("dialer_short_calls", "F3")
        );
    }

    #[test]
    fn f3_enumeration_and_f7_announcement_raises_thresholds() {
        let t = Thresholds::default();
        let d = Detectors { t: &t };
        let mut w = AccountWindow::default();
        let mut fired = vec![];
        for i in 0..10 {
            let to = format!("33142685{i:03}");
            fired.extend(d.on_attempt(&mut w, &policy(), Live::default(), &to, false, NOW));
        }
        assert_eq!(
            fired.iter().map(|i| i.detector).collect::<Vec<_>>(),
            ["number_enumeration"]
        );
        let announced = AccountPolicy {
            announcements: vec![(NOW - 10, NOW + 3_600, 5)],
            ..policy()
        };
        let mut w = AccountWindow::default();
        let mut fired = vec![];
        for i in 0..10 {
            fired.extend(d.on_attempt(
                &mut w,
                &announced,
                Live::default(),
                &format!("33142685{i:03}"),
                false,
                NOW,
            ));
        }
        assert!(fired.is_empty());
    }

    #[test]
    fn f4_detectors_re_arm_after_the_episode() {
        let t = Thresholds::default();
        let d = Detectors { t: &t };
        let mut w = AccountWindow::default();
        let burst = |w: &mut AccountWindow, at: i64| {
            (0..40)
                .flat_map(|i| {
                    d.on_attempt(
                        w,
                        &policy(),
                        Live::default(),
                        &format!("3314{:07}", i * 7919),
                        false,
                        at,
                    )
                })
                .filter(|i| i.detector == "attempts_per_minute")
                .count()
        };
        assert_eq!(burst(&mut w, NOW), 1);
        assert_eq!(burst(&mut w, NOW + 10), 0); // same episode
        d.on_attempt(
            &mut w,
            &policy(),
            Live::default(),
            "33142685300",
            false,
            NOW + 3_600,
        ); // quiet again
        assert_eq!(burst(&mut w, NOW + 7_200), 1); // a later burst is caught again
    }

    #[test]
    fn f6_auth_failures_ban_the_source_for_ten_minutes() {
        let t = Thresholds::default();
        let d = Detectors { t: &t };
        let mut w = SourceWindow::default();
        let mut fired = vec![];
        for i in 0..5 {
            fired.extend(d.on_auth_failure(&mut w, "192.0.2.7", NOW + i * 60));
        }
        assert_eq!(fired.len(), 1);
        assert_eq!(
            fired[0].action,
            Action::BanSource {
                source: "192.0.2.7".into(),
                until: NOW + 240 + 600
            }
        );
    }

    #[test]
    fn account_window_stays_within_its_byte_bound() {
        let t = Thresholds::default();
        let d = Detectors { t: &t };
        let mut w = AccountWindow::default();
        for i in 0..10_000i64 {
            let to = format!("{}{:08}", 20 + i % 80, i);
            d.on_attempt(&mut w, &policy(), Live::default(), &to, false, NOW + i);
            d.on_end(&mut w, &policy(), 30, 10, NOW + i * 60);
            d.on_forbidden(&mut w, NOW + i);
        }
        let bytes = std::mem::size_of::<AccountWindow>()
            + w.attempts.capacity() * std::mem::size_of::<(u32, u32)>()
            + w.completed.capacity() * 2
            + w.destinations.capacity() * std::mem::size_of::<(u32, u64)>()
            + w.countries.capacity() * 2
            + w.spend.capacity() * std::mem::size_of::<(u32, i64)>()
            + w.forbidden.capacity() * 4;
        assert!(bytes <= MAX_ACCOUNT_WINDOW_BYTES, "{bytes} bytes");
    }

    #[test]
    fn thresholds_are_configuration_with_defaults() {
        let t =
            Thresholds::parse("guard.toml", "attempts_per_minute = 120\nban_s = 3600\n").unwrap();
        assert_eq!(
            (t.attempts_per_minute, t.ban_s, t.auth_failures),
            (120, 3_600, Thresholds::default().auth_failures)
        );
        assert!(Thresholds::parse("guard.toml", "attempts_per_minut = 1")
            .unwrap_err()
            .contains("attempts_per_minut"));
        assert!(Thresholds::parse("guard.toml", "dialer_short_pct = 150").is_err());
        assert!(Thresholds::parse("guard.toml", "ban_s = 0").is_err());
    }

    #[test]
    fn f2_international_is_by_iso_country_so_nanp_neighbours_are_abroad() {
        // A US account: Canada and Jamaica share +1 but are other countries; only an
        // allowlisted one may be called.
        let p = AccountPolicy {
            home_country: "US".into(),
            international_allowlist: vec!["CA".into()],
            owned_numbers: vec!["14155550100".into()],
            ..policy()
        };
        let a = |to: &'static str| Attempt {
            from: "14155550100",
            ..attempt(to)
        };
        let run = |to| check_contract(&p, Live::default(), &a(to), &classes(), false);
        assert_eq!(run("12125550123"), Ok(false), "US to US is domestic");
        assert_eq!(run("14165550123"), Ok(true), "Canada is allowlisted");
        let jm = run("18765550123").unwrap_err();
        assert_eq!((jm.code, jm.rule.rule), ("international_not_allowed", "F2"));
        assert!(jm.message.contains("JM"), "{}", jm.message);
    }
}
