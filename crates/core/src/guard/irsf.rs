//! International revenue-share fraud (IRSF): a score per admitted international call from
//! what matters in IRSF, summed over a sliding window, against the account's own learned
//! baseline. A compromised PBX holding three to five long calls to costly destinations on a
//! Saturday night scores on every call; an office calling its neighbours in business hours
//! scores nothing.
//!
//! | factor | points |
//! |---|---|
//! | destination rate ≥ `very_costly_rate_micros` / ≥ `costly_rate_micros` per minute | 3 / 2 |
//! | a destination country the account has never called (once it has a history) | 2 |
//! | an hour of the week the account has never called in (once it has a history) | 2 |
//! | a source address the account has not used recently (once it has a history) | 1 |
//! | each other international call already live | 1 |
//!
//! Only costly calls score (a cheap call scores nothing, whatever else is unusual); the
//! detector fires when the points of the last `irsf_window_s` reach `irsf_score` (halved for
//! each automatic suspension of the account in the last day), and suspends international
//! calls temporarily (escalating on repeats) with an incident that people review (F4).

use std::collections::VecDeque;

use super::*;

/// Attempts an account needs before its baseline is trusted (hours, countries, sources).
pub const MIN_HISTORY_CALLS: u32 = 20;
/// Source addresses remembered per account.
pub const MAX_BASELINE_SOURCES: usize = 8;
/// Minute buckets of IRSF points kept per account.
pub const MAX_IRSF_BUCKETS: usize = 32;
/// Hours in a week.
const WEEK_HOURS: usize = 168;

/// What the detectors know of a call being admitted.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    /// E.164 digits of the destination.
    pub to: &'a str,
    /// The rate per minute that will price it, when the account has one.
    pub rate_per_min_micros: Option<i64>,
    pub source: Option<&'a str>,
}

/// An account's learned habits, bounded: hours of the week it calls in and its recent source
/// addresses; and its recent IRSF points.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Attempts per hour of the week (UTC, Monday 00:00 = 0), allocated on first use.
    week_hours: Vec<u16>,
    calls: u32,
    sources: VecDeque<u64>,
    /// `(minute, points)`.
    irsf: VecDeque<(u32, u32)>,
}

fn hour_of_week(now: i64) -> usize {
    // 1970-01-01 was a Thursday: 72 hours after a Monday 00:00.
    ((now.div_euclid(3_600) + 72).rem_euclid(WEEK_HOURS as i64)) as usize
}

fn fingerprint(s: &str) -> u64 {
    // FNV-1a: a stable 64-bit fingerprint, so the window holds no strings.
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Baseline {
    pub(super) fn trusted(&self) -> bool {
        self.calls >= MIN_HISTORY_CALLS
    }

    fn knows_hour(&self, now: i64) -> bool {
        self.week_hours
            .get(hour_of_week(now))
            .is_some_and(|n| *n > 0)
    }

    fn knows_source(&self, source: &str) -> bool {
        self.sources.contains(&fingerprint(source))
    }

    /// An admitted attempt joins the baseline.
    pub(super) fn learn(&mut self, source: Option<&str>, now: i64) {
        if self.week_hours.is_empty() {
            self.week_hours = vec![0; WEEK_HOURS];
        }
        let h = &mut self.week_hours[hour_of_week(now)];
        *h = h.saturating_add(1);
        self.calls = self.calls.saturating_add(1);
        if let Some(s) = source.filter(|s| !s.is_empty()) {
            let f = fingerprint(s);
            if !self.sources.contains(&f) {
                if self.sources.len() == MAX_BASELINE_SOURCES {
                    self.sources.pop_front();
                }
                self.sources.push_back(f);
            }
        }
    }

    /// Forgets the recent IRSF points (an operator overruled the suspicion).
    pub(super) fn forget_score(&mut self) {
        self.irsf.clear();
    }

    /// Bytes the baseline holds on the heap now (for the window's size bound).
    pub fn heap_bytes(&self) -> usize {
        self.week_hours.capacity() * 2 + self.sources.capacity() * 8 + self.irsf.capacity() * 8
    }
}

impl Detectors<'_> {
    /// The IRSF points of this call and, when the window's sum reaches the threshold, the
    /// incident (once per episode). A call that scores does not join the baseline (the
    /// attack must not teach the account that Somalia at 2 a.m. is normal).
    pub(super) fn score_irsf(
        &self,
        w: &mut AccountWindow,
        live: Live,
        call: &CallFacts,
        international: bool,
        now: i64,
    ) -> (Option<Incident>, u32) {
        let t = self.t;
        let rate = call.rate_per_min_micros.unwrap_or(0);
        let cost = if rate >= t.very_costly_rate_micros {
            3
        } else if rate >= t.costly_rate_micros {
            2
        } else {
            0
        };
        let mut points = 0u32;
        let mut why = Vec::new();
        if international && cost > 0 {
            points += cost;
            why.push(format!(
                "{} per minute",
                crate::money::format_scaled(i128::from(rate), crate::money::MICRO_DIGITS)
            ));
            let b = &w.baseline;
            if b.trusted() {
                let iso = destination_country(call.to);
                if !w.countries.contains(&super::detectors::country_key(iso)) {
                    points += 2;
                    why.push(format!("first call to {iso}"));
                }
                if !b.knows_hour(now) {
                    points += 2;
                    why.push("an hour the account never calls in".into());
                }
                if call
                    .source
                    .is_some_and(|s| !s.is_empty() && !b.knows_source(s))
                {
                    points += 1;
                    why.push("a new source address".into());
                }
            }
            if live.international_calls > 0 {
                points += live.international_calls;
                why.push(format!(
                    "{} other international calls live",
                    live.international_calls
                ));
            }
        }
        let minute = now.div_euclid(60) as u32;
        if points > 0 {
            match w.baseline.irsf.back_mut() {
                Some((m, p)) if *m == minute => *p += points,
                _ => {
                    if w.baseline.irsf.len() == MAX_IRSF_BUCKETS {
                        w.baseline.irsf.pop_front();
                    }
                    w.baseline.irsf.push_back((minute, points));
                }
            }
        }
        let since = (now - t.irsf_window_s).div_euclid(60);
        let score: u32 = w
            .baseline
            .irsf
            .iter()
            .filter(|(m, _)| i64::from(*m) > since)
            .map(|(_, p)| p)
            .sum();
        // An account suspended automatically in the last day is a repeat offender: the bar
        // halves for each strike, so an attack that resumes when a temporary suspension
        // ends is stopped at its first costly call.
        let (strikes, last) = w.strikes;
        let recent = if now - i64::from(last) <= 86_400 {
            strikes
        } else {
            0
        };
        let threshold = t.irsf_score / (1 + u32::from(recent));
        // Not once per episode: a costly call that reaches the score while the account is not
        // suspended means the last suspension ended and the attack goes on (a suspended
        // account's calls never reach the detectors).
        if points == 0 || score < threshold {
            return (None, points);
        }
        let incident = Incident {
            detector: "irsf_score",
            rule: rules::F4,
            count: u64::from(score),
            window_s: t.irsf_window_s,
            threshold: u64::from(threshold),
            detail: format!(
                "international revenue-share fraud pattern: {} (score {score} in {} min)",
                why.join(", "),
                t.irsf_window_s / 60
            ),
            action: Action::Suspend {
                scope: SuspensionScope::International,
                until: w.block_until(t, now),
            },
        };
        (Some(incident), points)
    }
}
