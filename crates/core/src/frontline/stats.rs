//! The manager's statistics (Q), computed from the event log only: response times (nearest
//! rank percentiles), missed and escalated alerts, staff time in the broadcast (joins to
//! leaves, overlaps once), joins and leaves, call-point scans per point and per hour.

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;

/// The `pct` percentile of sorted values by nearest rank (the value at rank
/// ⌈pct/100 × n⌉): p50 of [10, 20, 30, 40] is 20, p90 is 40. None when empty.
pub fn percentile(sorted: &[i64], pct: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(pct) * n).div_ceil(100).clamp(1, n);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// One notification's outcome, from the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub raised_ms: i64,
    /// When an associate accepted it.
    pub accepted_ms: Option<i64>,
    pub escalated: bool,
    pub missed: bool,
}

/// A store's (or all stores') alert figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertSummary {
    pub raised: u64,
    pub accepted: u64,
    pub missed: u64,
    pub escalated: u64,
    /// Still open at the period's end.
    pub open: u64,
    pub response_p50_ms: Option<i64>,
    pub response_p90_ms: Option<i64>,
}

/// Sums outcomes: raised = accepted + missed + open; response time = accepted − raised.
pub fn summarize(outcomes: &[Outcome]) -> AlertSummary {
    let mut s = AlertSummary::default();
    let mut responses = Vec::new();
    for o in outcomes {
        s.raised += 1;
        s.escalated += u64::from(o.escalated);
        match (o.accepted_ms, o.missed) {
            (Some(at), _) => {
                s.accepted += 1;
                responses.push(at - o.raised_ms);
            }
            (None, true) => s.missed += 1,
            (None, false) => s.open += 1,
        }
    }
    responses.sort_unstable();
    s.response_p50_ms = percentile(&responses, 50);
    s.response_p90_ms = percentile(&responses, 90);
    s
}

/// Time within `[from, to)` covered by a staff member's presence intervals (join, leave; an
/// interval not left runs to `to`), each instant once.
pub fn presence_ms(intervals: &[(i64, Option<i64>)], from: i64, to: i64) -> i64 {
    let mut clipped: Vec<(i64, i64)> = intervals
        .iter()
        .map(|&(a, b)| (a.max(from), b.unwrap_or(to).min(to)))
        .filter(|(a, b)| a < b)
        .collect();
    clipped.sort_unstable();
    let (mut total, mut reach) = (0, i64::MIN);
    for (a, b) in clipped {
        let a = a.max(reach);
        if b > a {
            total += b - a;
            reach = b;
        }
    }
    total
}

/// The start of the hour an instant falls in (UTC).
pub fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(HOUR_MS) * HOUR_MS
}
