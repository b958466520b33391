//! Rating (RULEBOOK B4, X 3.A; C3 "outbound call rates are those in effect at time of use").
//!
//! One function, [`RateTable::rate`], prices a call: the guard's live quote and post-call
//! rating both call it, so they cannot disagree.
//!
//! # Matching
//! Longest prefix of the destination's E.164 digits among the rows *valid at the call's start*
//! (`valid_from <= start < valid_until`). When several imports (versions) hold a valid row for
//! the same prefix, the newest import wins; within one import, the latest `valid_from`.
//!
//! # Billed duration
//! A call of `d > 0` seconds is billed `max(d, minimum)` rounded up to the increments: the
//! first `initial_s` seconds as one block, then blocks of `subsequent_s` (60/60, 1/1, 30/6).
//! Calls of 0 seconds (not answered) are not billed and carry no connection fee.
//!
//! # Money and rounding
//! Rates are micro units (1e-6 of the currency) per minute. A call's exact charge is
//! `connection_fee + rate_per_min × paid_s / 60`, rounded half up to the micro unit (the only
//! rounding below a cent, at most 0.0000005 per call). Invoice lines sum these micro amounts
//! and round half up to the currency's minor unit once per line.
//!
//! # Included minutes
//! A bundle ("1,000 minutes per user per month to Area 1") covers billed seconds of calls to
//! its zone, per calendar month (UTC) of the call's start, in call order; the connection fee
//! stays due. What a call consumed is returned in [`Rated::bundle_s`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::decision::{Refusal, RuleRef};
use crate::money::Currency;
use crate::rules;

/// Longest prefix a rate row may have (E.164 maximum).
pub const MAX_PREFIX_DIGITS: usize = 15;
/// Largest rate per minute and connection fee (1,000,000.00 in micro units): bounds the
/// arithmetic of a charge well inside `i64`.
pub const MAX_RATE_MICROS: i64 = 1_000_000_000_000;
/// The longest call when no terms profile says (product facts: 4 hours).
pub const MAX_CALL_CAP_S: u32 = 14_400;
/// Largest billing increment, seconds.
pub const MAX_INCREMENT_S: u32 = 3_600;

/// One row of a rate table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    /// E.164 digits, no `+`.
    pub prefix: String,
    pub destination: String,
    pub rate_per_min_micros: i64,
    pub connection_fee_micros: i64,
    pub initial_s: u32,
    pub subsequent_s: u32,
    pub min_billed_s: u32,
    /// Unix seconds, inclusive.
    pub valid_from: i64,
    /// Unix seconds, exclusive; `None` = open-ended.
    pub valid_until: Option<i64>,
    pub currency: Currency,
    /// Bundle zone ("area1"), if any.
    pub zone: Option<String>,
    /// The import (version) the row came from; newer wins on overlap.
    pub version: u32,
}

impl RateRow {
    /// Checks a row's own consistency; `field` names what is wrong.
    pub fn validate(&self) -> Result<(), Refusal> {
        let bad = |field: &'static str, m: &str| {
            Err(Refusal::invalid("rate_row_invalid", field, m.to_string()))
        };
        if self.prefix.is_empty()
            || self.prefix.len() > MAX_PREFIX_DIGITS
            || !self.prefix.bytes().all(|b| b.is_ascii_digit())
        {
            return bad("prefix", "must be 1 to 15 digits");
        }
        if !(0..=MAX_RATE_MICROS).contains(&self.rate_per_min_micros) {
            return bad("rate_per_min", "must be 0 to 1000000 per minute");
        }
        if !(0..=MAX_RATE_MICROS).contains(&self.connection_fee_micros) {
            return bad("connection_fee", "must be 0 to 1000000");
        }
        if self.initial_s == 0 || self.initial_s > MAX_INCREMENT_S {
            return bad("initial_s", "must be 1 to 3600");
        }
        if self.subsequent_s == 0 || self.subsequent_s > MAX_INCREMENT_S {
            return bad("subsequent_s", "must be 1 to 3600");
        }
        if self.valid_until.is_some_and(|u| u <= self.valid_from) {
            return bad("valid_until", "must be after valid_from");
        }
        Ok(())
    }
}

/// Seconds billed for a call of `duration_s` under a row's increments and minimum.
pub fn billed_duration(
    duration_s: u32,
    initial_s: u32,
    subsequent_s: u32,
    min_billed_s: u32,
) -> u32 {
    if duration_s == 0 {
        return 0;
    }
    // In u64, then capped: no duration a caller sends can wrap (a u32 near its maximum would
    // otherwise round up past it and wrap to a tiny, nearly free duration).
    let d = u64::from(duration_s.max(min_billed_s));
    let (initial, subsequent) = (u64::from(initial_s), u64::from(subsequent_s.max(1)));
    if d <= initial {
        return initial_s;
    }
    let billed = initial + (d - initial).div_ceil(subsequent) * subsequent;
    u32::try_from(billed).unwrap_or(u32::MAX)
}

/// `rate_per_min × seconds / 60`, half up to the micro.
fn per_minute_charge(rate_per_min_micros: i64, seconds: u32) -> i64 {
    let num = i128::from(rate_per_min_micros) * i128::from(seconds);
    i64::try_from((num + 30) / 60).unwrap_or(i64::MAX)
}

/// Included minutes of a billing account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub zone: String,
    pub seconds_per_month: u64,
}

/// How much of a bundle is used in a month (`month` from [`crate::time::month_index`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BundleUsage {
    pub month: i32,
    pub used_s: u64,
}

/// A priced call; borrows the row that priced it (no allocation on the hot path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated<'a> {
    pub row: &'a RateRow,
    pub billed_s: u32,
    /// Seconds covered by included minutes.
    pub bundle_s: u32,
    /// Exact charge, micro units.
    pub amount_micros: i64,
    pub rule: RuleRef,
}

#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _bytes: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }
    fn write_u64(&mut self, k: u64) {
        // Fibonacci multiplicative hashing; keys are already well spread digits.
        self.0 = k.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// Key of a prefix: its digits as a number, times 16, plus its length (so "1" ≠ "01").
fn key(value: u64, len: usize) -> u64 {
    (value << 4) | len as u64
}

/// A rate table ready for matching.
#[derive(Debug, Clone, Default)]
pub struct RateTable {
    rows: Vec<RateRow>,
    /// Prefix key → row indexes, sorted newest version first, then latest `valid_from`.
    index: KeyMap<Vec<u32>>,
    /// Bit `n` set when some prefix has `n` digits.
    lengths: u16,
}

impl RateTable {
    /// Builds the index. Rows must be valid ([`RateRow::validate`]).
    pub fn new(rows: Vec<RateRow>) -> RateTable {
        let mut index: KeyMap<Vec<u32>> = KeyMap::default();
        let mut lengths = 0u16;
        for (i, r) in rows.iter().enumerate() {
            let v = r
                .prefix
                .bytes()
                .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
            index
                .entry(key(v, r.prefix.len()))
                .or_default()
                .push(i as u32);
            lengths |= 1 << r.prefix.len();
        }
        for ids in index.values_mut() {
            ids.sort_by(|a, b| {
                let (ra, rb) = (&rows[*a as usize], &rows[*b as usize]);
                (rb.version, rb.valid_from).cmp(&(ra.version, ra.valid_from))
            });
            ids.shrink_to_fit();
        }
        RateTable {
            rows,
            index,
            lengths,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> &[RateRow] {
        &self.rows
    }

    /// The row that prices a call to `digits` starting at `start`: longest prefix among rows
    /// valid at `start`.
    pub fn lookup(&self, digits: &str, start: i64) -> Option<&RateRow> {
        let b = digits.as_bytes();
        let n = b.len().min(MAX_PREFIX_DIGITS);
        let mut values = [0u64; MAX_PREFIX_DIGITS + 1];
        let mut v = 0u64;
        for i in 0..n {
            let d = b[i].wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + u64::from(d);
            values[i + 1] = v;
        }
        for len in (1..=n).rev() {
            if self.lengths & (1 << len) == 0 {
                continue;
            }
            if let Some(ids) = self.index.get(&key(values[len], len)) {
                for &i in ids {
                    let r = &self.rows[i as usize];
                    if r.valid_from <= start && r.valid_until.is_none_or(|u| start < u) {
                        return Some(r);
                    }
                }
            }
        }
        None
    }

    /// Prices a call. `bundle` and `usage` are the account's included minutes and what is used
    /// of them; `usage` is advanced by what this call consumes.
    pub fn rate(
        &self,
        digits: &str,
        start: i64,
        duration_s: u32,
        bundle: Option<&Bundle>,
        usage: Option<&mut BundleUsage>,
    ) -> Result<Rated<'_>, Refusal> {
        let row = self.lookup(digits, start).ok_or_else(|| {
            Refusal::new(
                "no_rate_found",
                rules::B4,
                format!("no rate for +{digits} valid at the call's start"),
            )
            .on_field("to")
        })?;
        Ok(rate_with_row(row, start, duration_s, bundle, usage))
    }
}

/// Prices a call with a known row (the second half of [`RateTable::rate`]).
pub fn rate_with_row<'a>(
    row: &'a RateRow,
    start: i64,
    duration_s: u32,
    bundle: Option<&Bundle>,
    usage: Option<&mut BundleUsage>,
) -> Rated<'a> {
    let billed_s = billed_duration(
        duration_s,
        row.initial_s,
        row.subsequent_s,
        row.min_billed_s,
    );
    let mut bundle_s = 0u32;
    if let (Some(b), Some(u), Some(zone)) = (bundle, usage, row.zone.as_deref()) {
        if b.zone == zone && billed_s > 0 {
            let month = crate::time::month_index(start);
            if u.month != month {
                *u = BundleUsage { month, used_s: 0 };
            }
            let left = b.seconds_per_month.saturating_sub(u.used_s);
            bundle_s = u64::from(billed_s).min(left) as u32;
            u.used_s += u64::from(bundle_s);
        }
    }
    let fee = if billed_s > 0 {
        row.connection_fee_micros
    } else {
        0
    };
    Rated {
        row,
        billed_s,
        bundle_s,
        amount_micros: fee.saturating_add(per_minute_charge(
            row.rate_per_min_micros,
            billed_s - bundle_s,
        )),
        rule: rules::B4,
    }
}

/// The longest call, in seconds, that `credit_micros` pays for at `row` (for the guard's
/// `max_duration_s`), capped at `cap_s`. Uses [`rate_with_row`], so live and post-call agree:
/// a call of the returned length never costs more than the credit.
pub fn max_affordable_duration(row: &RateRow, credit_micros: i64, cap_s: u32) -> u32 {
    let cost = |d: u32| rate_with_row(row, 0, d, None, None).amount_micros;
    if cost(cap_s) <= credit_micros {
        return cap_s;
    }
    if cost(1) > credit_micros {
        return 0;
    }
    let (mut lo, mut hi) = (1u32, cap_s);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if cost(mid) <= credit_micros {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JAN_1: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    const JAN_15: i64 = JAN_1 + 14 * 86_400;
    const FEB_1: i64 = JAN_1 + 31 * 86_400;

    fn row(prefix: &str, rate: &str, inc: (u32, u32), from: i64, until: Option<i64>) -> RateRow {
        RateRow {
            prefix: prefix.into(),
            destination: format!("dest {prefix}"),
            rate_per_min_micros: crate::money::parse_scaled(rate, 6).unwrap(),
            connection_fee_micros: 0,
            initial_s: inc.0,
            subsequent_s: inc.1,
            min_billed_s: 0,
            valid_from: from,
            valid_until: until,
            currency: Currency::parse("EUR").unwrap(),
            zone: None,
            version: 1,
        }
    }

    #[test]
    fn b4_longest_prefix_wins() {
        let t = RateTable::new(vec![
            row("44", "0.10", (60, 60), 0, None),
            row("447", "0.20", (60, 60), 0, None),
        ]);
        assert_eq!(t.lookup("447700900000", JAN_1).unwrap().prefix, "447");
        assert_eq!(t.lookup("442079460000", JAN_1).unwrap().prefix, "44");
        assert!(t.lookup("33123456789", JAN_1).is_none());
    }

    #[test]
    fn b4_rate_change_mid_month_applies_by_call_start() {
        let t = RateTable::new(vec![
            row("44", "0.10", (60, 60), JAN_1, Some(JAN_15)),
            row("44", "0.05", (60, 60), JAN_15, None),
        ]);
        let before = t.rate("442079460000", JAN_15 - 1, 600, None, None).unwrap();
        let after = t.rate("442079460000", JAN_15, 600, None, None).unwrap();
        assert_eq!(before.amount_micros, 1_000_000); // 10 min at 0.10
        assert_eq!(after.amount_micros, 500_000); // 10 min at 0.05
                                                  // A call that starts before the change and ends after it keeps the old rate.
        assert_eq!(
            t.rate("442079460000", JAN_15 - 60, 3_600, None, None)
                .unwrap()
                .row
                .rate_per_min_micros,
            100_000
        );
    }

    #[test]
    fn b4_newer_import_wins_on_overlap_and_longest_valid_prefix_falls_back() {
        let mut newer = row("44", "0.07", (60, 60), JAN_1, None);
        newer.version = 2;
        let t = RateTable::new(vec![
            row("44", "0.10", (60, 60), JAN_1, None),
            newer,
            row("447", "0.20", (60, 60), FEB_1, None),
        ]);
        assert_eq!(
            t.lookup("442079460000", JAN_15)
                .unwrap()
                .rate_per_min_micros,
            70_000
        );
        // 447 is not valid yet in January: the shorter 44 prices the call.
        assert_eq!(t.lookup("447700900000", JAN_15).unwrap().prefix, "44");
        assert_eq!(t.lookup("447700900000", FEB_1).unwrap().prefix, "447");
    }

    #[test]
    fn b4_increments_60_60_1_1_30_6() {
        let cases = [
            ((60, 60), 1, 60),
            ((60, 60), 61, 120),
            ((60, 60), 120, 120),
            ((1, 1), 1, 1),
            ((1, 1), 61, 61),
            ((30, 6), 1, 30),
            ((30, 6), 31, 36),
            ((30, 6), 36, 36),
            ((30, 6), 37, 42),
        ];
        for ((i, s), d, want) in cases {
            assert_eq!(billed_duration(d, i, s, 0), want, "{i}/{s} for {d}s");
        }
        let t = RateTable::new(vec![row("1", "0.60", (30, 6), 0, None)]);
        // 37 s billed as 42 s at 0.60/min = 0.42
        assert_eq!(
            t.rate("14155550100", JAN_1, 37, None, None)
                .unwrap()
                .amount_micros,
            420_000
        );
    }

    #[test]
    fn b4_minimum_billed_duration() {
        assert_eq!(billed_duration(5, 1, 1, 30), 30);
        assert_eq!(billed_duration(45, 1, 1, 30), 45);
        assert_eq!(billed_duration(0, 1, 1, 30), 0); // unanswered: nothing billed
    }

    #[test]
    fn b4_connection_fee_is_added_to_answered_calls_only() {
        let mut r = row("49", "0.012", (1, 1), 0, None);
        r.connection_fee_micros = 50_000;
        let t = RateTable::new(vec![r]);
        assert_eq!(
            t.rate("4930123456", JAN_1, 60, None, None)
                .unwrap()
                .amount_micros,
            62_000
        );
        assert_eq!(
            t.rate("4930123456", JAN_1, 0, None, None)
                .unwrap()
                .amount_micros,
            0
        );
    }

    #[test]
    fn sub_micro_charges_round_half_up() {
        // 0.000001/min for 30 s = 0.0000005 -> rounds up to 1 micro
        assert_eq!(per_minute_charge(1, 30), 1);
        assert_eq!(per_minute_charge(1, 29), 0);
    }

    #[test]
    fn bundle_consumed_in_call_order_and_resets_across_a_month_boundary() {
        let mut r = row("33", "0.10", (60, 60), 0, None);
        r.zone = Some("area1".into());
        let t = RateTable::new(vec![r]);
        let b = Bundle {
            zone: "area1".into(),
            seconds_per_month: 600,
        };
        let mut u = BundleUsage::default();
        let a = t
            .rate("33123456789", FEB_1 - 3_600, 420, Some(&b), Some(&mut u))
            .unwrap();
        assert_eq!((a.bundle_s, a.amount_micros), (420, 0));
        let c = t
            .rate("33123456789", FEB_1 - 60, 300, Some(&b), Some(&mut u))
            .unwrap();
        assert_eq!((c.bundle_s, c.amount_micros), (180, 200_000)); // 180 s left, 120 s paid
        let d = t
            .rate("33123456789", FEB_1, 300, Some(&b), Some(&mut u))
            .unwrap();
        assert_eq!((d.bundle_s, d.amount_micros), (300, 0)); // new month, fresh bundle
        assert_eq!(u.used_s, 300);
    }

    #[test]
    fn quote_equals_post_call_rating() {
        let t = RateTable::new(vec![row("44", "0.0123", (30, 6), 0, None)]);
        let r = t.lookup("442079460000", JAN_1).unwrap().clone();
        for d in [0, 1, 29, 30, 31, 600, 14_400] {
            assert_eq!(
                t.rate("442079460000", JAN_1, d, None, None).unwrap(),
                rate_with_row(&r, JAN_1, d, None, None)
            );
        }
    }

    #[test]
    fn max_affordable_duration_never_exceeds_credit() {
        let mut r = row("44", "0.60", (30, 6), 0, None);
        r.connection_fee_micros = 100_000;
        for credit in [0, 50_000, 400_000, 1_000_000, 99_000_000] {
            let d = max_affordable_duration(&r, credit, 14_400);
            assert!(rate_with_row(&r, 0, d, None, None).amount_micros <= credit);
            if d < 14_400 {
                assert!(rate_with_row(&r, 0, d + 1, None, None).amount_micros > credit || d == 0);
            }
        }
    }

    #[test]
    fn huge_durations_never_wrap() {
        assert_eq!(billed_duration(u32::MAX, 60, 60, 0), u32::MAX);
        assert_eq!(billed_duration(u32::MAX, 30, 6, 0), u32::MAX);
        assert!(billed_duration(u32::MAX - 1, 1, 1, 0) >= u32::MAX - 1);
    }

    proptest! {
        #[test]
        fn prop_rating_is_deterministic_monotone_and_never_underbills(
            rate in 0i64..10_000_000, fee in 0i64..1_000_000,
            inc in prop::sample::select(vec![(60u32, 60u32), (1, 1), (30, 6), (60, 1)]),
            min in 0u32..120, d in 0u32..20_000, extra in 0u32..600,
        ) {
            let mut r = row("44", "0", inc, 0, None);
            r.rate_per_min_micros = rate;
            r.connection_fee_micros = fee;
            r.min_billed_s = min;
            let a = rate_with_row(&r, 0, d, None, None);
            prop_assert_eq!(&a, &rate_with_row(&r, 0, d, None, None));
            prop_assert!(a.billed_s >= d);
            let b = rate_with_row(&r, 0, d + extra, None, None);
            prop_assert!(b.amount_micros >= a.amount_micros);
            prop_assert!(b.billed_s >= a.billed_s);
        }
    }
}
