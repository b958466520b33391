//! Availability of a period (S1 W 20.1, S2 W 20.2, S3 W 20.3): time spans, the downtime that
//! counts and the time excluded.
//!
//! **Decision (how a period is measured):**
//! - A period is a half-open span `[start, end)` of unix seconds: a UTC day for the daily
//!   figure published on the status page (S2), a month for the SLA (S3).
//! - The denominator is always the whole period (`period_s`), even for a day or month not over
//!   yet: the share is "minutes up out of the minutes of the period". Only the part of the
//!   period before `now` can be down; an outage still open runs to `min(now, period.end)`.
//! - Downtime is the union of the outages whose cause is the provider's sole fault and the
//!   maintenance windows **not** notified in time (S1 excludes only maintenance "notified in
//!   advance"; the lead time is the profile's).
//! - Excluded is the union of the maintenance notified in time (S1) and of the outages of
//!   other causes: force majeure (W 9.8), third parties and the customer (S3 counts only the
//!   provider's sole fault). Where an exclusion overlaps downtime, the exclusion wins.
//! - Overlapping incidents count once: every figure is the length of a union.

use super::Cause;

/// A half-open span `[start, end)` of unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Span {
        Span { start, end }
    }

    /// Length in seconds (0 for an empty or inverted span).
    pub fn len_s(self) -> i64 {
        self.end.saturating_sub(self.start).max(0)
    }

    fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// The spans sorted and merged (overlapping or touching spans become one); empty spans are
/// dropped.
pub fn union(spans: &[Span]) -> Vec<Span> {
    let mut v: Vec<Span> = spans.iter().copied().filter(|s| !s.is_empty()).collect();
    v.sort_unstable_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(v.len());
    for s in v {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// The time in `a` and not in `b`, normalized (sorted, merged). Inputs need not be
/// normalized.
pub fn subtract(a: &[Span], b: &[Span]) -> Vec<Span> {
    let b = union(b);
    let mut out = Vec::new();
    for s in union(a) {
        let mut cur = s.start;
        // `b` is sorted and disjoint: walk the cuts that touch `s`.
        for cut in b.iter().filter(|c| c.end > s.start && c.start < s.end) {
            if cut.start > cur {
                out.push(Span::new(cur, cut.start));
            }
            cur = cur.max(cut.end);
        }
        if cur < s.end {
            out.push(Span::new(cur, s.end));
        }
    }
    out
}

/// Total length of the union of the spans, seconds (overlaps count once).
pub fn total(spans: &[Span]) -> i64 {
    union(spans)
        .iter()
        .fold(0i64, |acc, s| acc.saturating_add(s.len_s()))
}

/// The parts of the spans inside `to`, normalized (sorted, merged).
pub fn clip(spans: &[Span], to: Span) -> Vec<Span> {
    let clipped: Vec<Span> = spans
        .iter()
        .map(|s| Span::new(s.start.max(to.start), s.end.min(to.end)))
        .collect();
    union(&clipped)
}

/// An incident: the service was down from `start` until `end` (`None` while still open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    pub start: i64,
    pub end: Option<i64>,
    pub cause: Cause,
}

/// A scheduled maintenance window `[start, end)` and when the customers were told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maintenance {
    pub start: i64,
    pub end: i64,
    /// When the notice went out; `None` = never notified.
    pub notice_at: Option<i64>,
}

/// S1: a maintenance is "notified in advance" when the notice went out at least `lead_s`
/// seconds before it started (`notice_at + lead_s <= start`).
pub fn notified_in_time(m: &Maintenance, lead_s: i64) -> bool {
    match m.notice_at {
        Some(at) => at.saturating_add(lead_s) <= m.start,
        None => false,
    }
}

/// A period's figures, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measure {
    /// The whole period's length (the denominator).
    pub period_s: i64,
    /// Downtime that counts against availability (S1, S3).
    pub counted_s: i64,
    /// Maintenance notified in time (S1), before `now`.
    pub excluded_maintenance_s: i64,
    /// Outages not of the provider's sole fault (S3, W 9.8), not already excluded as
    /// maintenance.
    pub excluded_other_s: i64,
}

impl Measure {
    /// Seconds the service counts as up: the period less the counted downtime.
    pub fn up_s(&self) -> i64 {
        self.period_s - self.counted_s
    }

    /// Availability in hundredths of a percent, rounded down (9919 = 99.19 %): rounding
    /// never lifts a period into a better tier. An empty period is 100 %.
    pub fn pct_hundredths(&self) -> i64 {
        if self.period_s <= 0 {
            return 10_000;
        }
        let num = i128::from(self.up_s()) * 10_000;
        let q = num.div_euclid(i128::from(self.period_s));
        i64::try_from(q).expect("up_s ≤ period_s keeps the share ≤ 10000")
    }
}

/// Hundredths of a percent as text with two decimals: 9919 → "99.19", 10000 → "100.00".
pub fn format_pct(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

/// What happened to one component: its outages and its maintenance windows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    pub outages: Vec<Outage>,
    pub maintenance: Vec<Maintenance>,
}

/// One component's spans within the past part of a period.
struct PartSpans {
    /// Downtime that counts, after this component's own exclusions.
    counted: Vec<Span>,
    notified: Vec<Span>,
    other: Vec<Span>,
}

fn part_spans(part: &Part, past: Span, now: i64, lead_s: i64) -> PartSpans {
    let outage_span = |o: &Outage| Span::new(o.start, o.end.unwrap_or(now));
    let (provider, other): (Vec<&Outage>, Vec<&Outage>) =
        part.outages.iter().partition(|o| o.cause.counts());
    let (notified, unnotified): (Vec<&Maintenance>, Vec<&Maintenance>) = part
        .maintenance
        .iter()
        .partition(|m| notified_in_time(m, lead_s));
    let as_span = |m: &&Maintenance| Span::new(m.start, m.end);
    let notified = clip(&notified.iter().map(as_span).collect::<Vec<_>>(), past);
    let other = clip(
        &other.iter().map(|o| outage_span(o)).collect::<Vec<_>>(),
        past,
    );
    let mut down: Vec<Span> = provider.iter().map(|o| outage_span(o)).collect();
    down.extend(unnotified.iter().map(as_span));
    let mut excluded = notified.clone();
    excluded.extend(other.iter().copied());
    PartSpans {
        counted: subtract(&clip(&down, past), &excluded),
        notified,
        other,
    }
}

/// Measures `period` as of `now` for one component (see the module's Decision). `lead_s` is
/// the notice a maintenance needs to be excluded (S1).
pub fn measure(
    period: Span,
    now: i64,
    outages: &[Outage],
    maintenance: &[Maintenance],
    lead_s: i64,
) -> Measure {
    let part = Part {
        outages: outages.to_vec(),
        maintenance: maintenance.to_vec(),
    };
    measure_parts(period, now, std::slice::from_ref(&part), lead_s)
}

/// Measures `period` as of `now` for a service made of several components: each component's
/// exclusions apply to that component only (a customer-caused outage of one component does
/// not hide the provider's outage of another), then the counted downtime of all components
/// is united (a minute down on two components counts once). The excluded figures are the
/// united exclusions outside the counted downtime, maintenance first.
pub fn measure_parts(period: Span, now: i64, parts: &[Part], lead_s: i64) -> Measure {
    // Only the past can be down.
    let past = Span::new(period.start, period.end.min(now.max(period.start)));
    let (mut counted, mut notified, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for p in parts {
        let s = part_spans(p, past, now, lead_s);
        counted.extend(s.counted);
        notified.extend(s.notified);
        other.extend(s.other);
    }
    let counted = union(&counted);
    let notified = subtract(&notified, &counted);
    let mut not_other = counted.clone();
    not_other.extend(notified.iter().copied());
    let m = Measure {
        period_s: period.len_s(),
        counted_s: total(&counted),
        excluded_maintenance_s: total(&notified),
        excluded_other_s: total(&subtract(&other, &not_other)),
    };
    debug_assert!(m.counted_s + m.excluded_maintenance_s + m.excluded_other_s <= m.period_s);
    m
}
