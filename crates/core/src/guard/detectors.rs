//! The fraud detectors over bounded sliding windows (F3, F4, F6, F7).

use std::collections::VecDeque;

use super::irsf::Baseline;
use super::*;

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
pub const MAX_ACCOUNT_WINDOW_BYTES: usize = 3_072;
/// Authentication failures kept per source.
pub const MAX_AUTH_FAILURES: usize = 64;

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
    /// First automatic suspension; each repeat within a day doubles it (F4: temporary,
    /// escalated to people by the incident's notice).
    pub temporary_block_s: i64,
    /// Longest automatic suspension or ban.
    pub max_block_s: i64,
    /// IRSF score over `irsf_window_s` that suspends international calls (see [`irsf`]).
    pub irsf_score: u32,
    pub irsf_window_s: i64,
    /// A destination at or above this rate per minute counts as costly (IRSF points).
    pub costly_rate_micros: i64,
    /// ... and at or above this one as very costly.
    pub very_costly_rate_micros: i64,
    /// Longest call admitted to a very costly destination while the guard cannot cut calls
    /// by itself (the edge tears calls down on suspension; this bounds the loss meanwhile).
    pub costly_call_max_s: u32,
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
            max_block_s: 86_400,
            irsf_score: 12,
            irsf_window_s: 900,
            costly_rate_micros: 100_000,
            very_costly_rate_micros: 400_000,
            costly_call_max_s: 1_800,
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
    pub(super) attempts: VecDeque<(u32, u32)>,
    pub(super) completed: VecDeque<u16>,
    pub(super) destinations: VecDeque<(u32, u64)>,
    pub(super) countries: Vec<u16>,
    pub(super) first_seen: Option<i64>,
    /// `(bucket, micro units)`.
    pub(super) spend: VecDeque<(u32, i64)>,
    pub(super) forbidden: VecDeque<u32>,
    /// Detectors already fired, so an incident is raised once per episode.
    pub(super) fired: u16,
    /// The account's learned baseline and IRSF score (see [`irsf`]).
    pub(super) baseline: Baseline,
    /// Automatic suspensions in the last day `(count, last)`: each doubles the next.
    pub(super) strikes: (u8, u32),
}

/// Sliding-window state of one source address.
#[derive(Debug, Clone, Default)]
pub struct SourceWindow {
    failures: VecDeque<i64>,
    pub banned_until: Option<i64>,
    /// Bans so far: a repeat offender's ban doubles each time (F6).
    strikes: u8,
    /// When the last "the attack goes on" incident was raised.
    last_extension_notice: Option<i64>,
}

/// Whether a detector fires now: its condition holds and it has not fired in this episode.
/// When the condition no longer holds the detector re-arms, so a later episode is caught
/// again (a temporary block that expires by itself does not silence the detector).
/// A country as the windows keep it: its two ISO letters in a `u16`.
pub(super) fn country_key(iso: &str) -> u16 {
    iso.bytes()
        .take(2)
        .fold(0u16, |acc, b| (acc << 8) | u16::from(b))
}

pub(super) fn arm(fired: &mut u16, flag: u16, over: bool) -> bool {
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

/// `base × 2^(n-1)` for the n-th strike, capped at `max` (repeat offences escalate).
fn escalated(base: i64, n: u8, max: i64) -> i64 {
    base.checked_mul(1i64 << u32::from(n.saturating_sub(1)).min(20))
        .unwrap_or(max)
        .min(max)
}

impl AccountWindow {
    /// The end of the next automatic suspension of this account: temporary, doubled for each
    /// one in the last day (F4: "only as far as needed"; people decide beyond that).
    pub(super) fn block_until(&mut self, t: &Thresholds, now: i64) -> Option<i64> {
        let (n, last) = self.strikes;
        let n = if now - i64::from(last) > 86_400 { 0 } else { n };
        let n = n.saturating_add(1);
        self.strikes = (n, now as u32);
        Some(now + escalated(t.temporary_block_s, n, t.max_block_s))
    }
}

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
    /// calls, IRSF score, enumeration, new countries; then the attempt joins the account's
    /// learned baseline.
    pub fn on_attempt(
        &self,
        w: &mut AccountWindow,
        policy: &AccountPolicy,
        live: Live,
        call: &CallFacts,
        international: bool,
        now: i64,
    ) -> Vec<Incident> {
        let to = call.to;
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
                    until: w.block_until(t, now),
                },
            });
        }
        // Weighed by the destination's cost: cheap neighbours (an office calling Ireland and
        // Germany) get twice the room of costly ones, and never less than the account's own
        // learned peak allows.
        let cheap = call
            .rate_per_min_micros
            .is_some_and(|r| r < t.costly_rate_micros);
        let limit = t.simultaneous_international * k as u32 * if cheap { 2 } else { 1 };
        let over_intl = international && live.international_calls + 1 > limit;
        if arm(&mut w.fired, FIRED_INTL, over_intl) {
            out.push(Incident {
                detector: "simultaneous_international",
                rule: rules::F4,
                count: u64::from(live.international_calls + 1),
                window_s: 0,
                threshold: u64::from(limit),
                detail: "simultaneous international calls above the threshold".into(),
                action: Action::Suspend {
                    scope: SuspensionScope::International,
                    until: w.block_until(t, now),
                },
            });
        }
        let (irsf, suspicious) = self.score_irsf(w, live, call, international, now);
        out.extend(irsf);
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
                    until: w.block_until(t, now),
                },
            });
        }
        let iso = destination_country(to);
        let cc = country_key(iso);
        let first = *w.first_seen.get_or_insert(now);
        if !w.countries.contains(&cc) && suspicious == 0 {
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
        if suspicious == 0 {
            w.baseline.learn(call.source, now);
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
                    until: w.block_until(self.t, now),
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
                    until: w.block_until(self.t, now),
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
                        until: w.block_until(self.t, now),
                    },
                });
            }
        }
        out
    }

    /// An authentication failure seen by the SIP edge (F6).
    /// An authentication failure seen by the SIP edge (F6). Enough failures in the window
    /// ban the source; a repeat offender's ban doubles each time (up to `max_block_s`).
    /// Failures during a ban extend it (an attack that goes on never outlasts its ban), with
    /// an incident at most once per half ban so people see the attack continue.
    pub fn on_auth_failure(&self, w: &mut SourceWindow, source: &str, now: i64) -> Vec<Incident> {
        let t = self.t;
        push_bounded(&mut w.failures, now, MAX_AUTH_FAILURES);
        let n = w
            .failures
            .iter()
            .filter(|f| **f > now - t.auth_window_s)
            .count();
        let ban_len = |strikes: u8| escalated(t.ban_s, strikes, t.max_block_s);
        if let Some(until) = w.banned_until.filter(|u| *u > now) {
            let extended = (now + ban_len(w.strikes)).max(until);
            w.banned_until = Some(extended);
            let notice_due = w
                .last_extension_notice
                .is_none_or(|l| now - l >= t.ban_s / 2);
            if extended > until && notice_due {
                w.last_extension_notice = Some(now);
                return vec![Incident {
                    detector: "auth_failures_during_ban",
                    rule: rules::F6,
                    count: n as u64,
                    window_s: t.auth_window_s,
                    threshold: t.auth_failures as u64,
                    detail: format!("authentication failures from {source} go on during its ban"),
                    action: Action::BanSource {
                        source: source.into(),
                        until: extended,
                    },
                }];
            }
            return Vec::new();
        }
        if n >= t.auth_failures {
            w.strikes = w.strikes.saturating_add(1);
            let until = now + ban_len(w.strikes);
            w.banned_until = Some(until);
            w.last_extension_notice = Some(now);
            return vec![Incident {
                detector: "auth_failures",
                rule: rules::F6,
                count: n as u64,
                window_s: t.auth_window_s,
                threshold: t.auth_failures as u64,
                detail: if w.strikes > 1 {
                    format!(
                        "authentication failures from {source} (ban {} of this source)",
                        w.strikes
                    )
                } else {
                    format!("authentication failures from {source}")
                },
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
            t.max_block_s,
            t.irsf_window_s,
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

/// Clears a window's fired flags, strikes and recent evidence (an operator reactivated the
/// account: the suspicion was not confirmed, F4). The learned baseline stays.
pub fn reset_fired(w: &mut AccountWindow) {
    w.fired = 0;
    w.strikes = (0, 0);
    // The evidence the operator overruled goes too, or the next call would raise the same
    // incident again at once.
    w.completed.clear();
    w.spend.clear();
    w.destinations.clear();
    w.forbidden.clear();
    w.attempts.clear();
    w.baseline.forget_score();
}

/// Forgets the strikes a replay of past calls counted (suspensions that replay decided were
/// not applied again, so they must not escalate the next one).
pub fn forget_strikes(w: &mut AccountWindow) {
    w.strikes = (0, 0);
}
