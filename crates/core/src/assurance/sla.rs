//! S3 (W 20.3): the month's availability decides the share of the licence fee payable; the
//! rest is credited on the next invoice (B12).
//!
//! The terms' table: 99 % or higher → 100 %; between 90 % and 99 % → 90 %; between 80 % and
//! 90 % → 70 %; between 70 % and 80 % → 50 %; lower than 70 % → 0 %.
//!
//! **Decision:** each boundary belongs to the upper tier (exactly 99.00 % pays 100 %, exactly
//! 90.00 % pays 90 %), compared exactly in integers (`up_s × 1,000,000 ≥ from_ppm × period_s`),
//! never through a rounded percentage. The credit is rounded half up to the micro.

use crate::billing::catalog::round_div;
use crate::{rules, Refusal};

/// Parts per million of a period: 1,000,000 = 100 %.
pub const PPM: i64 = 1_000_000;
/// Most tiers a table may have.
pub const MAX_TIERS: usize = 16;

/// From `from_ppm` of the period up (to the next tier), `payable_pct` of the fee is payable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// Availability in ppm of the period: 990,000 = 99 %.
    pub from_ppm: i64,
    /// Share of the fee payable, percent.
    pub payable_pct: i64,
}

/// A tier table, from the best tier down; the last tier starts at 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiers(pub Vec<Tier>);

impl Tiers {
    /// The terms' table (S3, W 20.3).
    pub fn s3_default() -> Tiers {
        let t = |from_ppm, payable_pct| Tier {
            from_ppm,
            payable_pct,
        };
        Tiers(vec![
            t(990_000, 100),
            t(900_000, 90),
            t(800_000, 70),
            t(700_000, 50),
            t(0, 0),
        ])
    }

    /// A table from `(availability percent as a decimal, payable percent)` pairs, best first,
    /// e.g. `[("99", 100), ("90", 90), ..., ("0", 0)]`. Checks: at most [`MAX_TIERS`] tiers;
    /// percentages between 0 and 100 with at most 4 decimals; strictly descending; the last
    /// one "0"; payable between 0 and 100 and never higher for a worse tier.
    pub fn from_pairs(pairs: &[(String, i64)]) -> Result<Tiers, String> {
        if pairs.is_empty() {
            return Err("the SLA table has no tiers".into());
        }
        if pairs.len() > MAX_TIERS {
            return Err(format!("the SLA table has more than {MAX_TIERS} tiers"));
        }
        let mut tiers: Vec<Tier> = Vec::with_capacity(pairs.len());
        for (pct, payable_pct) in pairs {
            let from_ppm = pct_to_ppm(pct)
                .ok_or_else(|| format!("`{pct}` is not a percentage between 0 and 100"))?;
            if !(0..=100).contains(payable_pct) {
                return Err(format!(
                    "the payable share {payable_pct} % for `{pct}` is not between 0 and 100"
                ));
            }
            if let Some(prev) = tiers.last() {
                if from_ppm >= prev.from_ppm {
                    return Err(format!("`{pct}` does not descend from the tier before"));
                }
                if *payable_pct > prev.payable_pct {
                    return Err(format!(
                        "`{pct}` pays {payable_pct} %, more than the better tier before it"
                    ));
                }
            }
            tiers.push(Tier {
                from_ppm,
                payable_pct: *payable_pct,
            });
        }
        if tiers.last().map(|t| t.from_ppm) != Some(0) {
            return Err("the last SLA tier must start at \"0\"".into());
        }
        Ok(Tiers(tiers))
    }
}

/// "99.5" → 995,000 ppm. At most 4 decimals; 0..=100.
fn pct_to_ppm(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 3 || !digits(int) || frac.len() > 4 || !digits(frac) {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..4 {
        f *= 10;
    }
    let ppm = int * 10_000 + f;
    (0..=PPM).contains(&ppm).then_some(ppm)
}

/// Which tier a period fell in and what it means for the fee (S3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaOutcome {
    /// The tier's lower bound, ppm.
    pub tier_from_ppm: i64,
    pub payable_pct: i64,
    /// `100 - payable_pct`: the share credited on the next invoice (B12).
    pub credit_pct: i64,
}

/// The tier `up_s` out of `period_s` falls in, compared exactly; an empty period is the top
/// tier.
pub fn evaluate(up_s: i64, period_s: i64, tiers: &Tiers) -> SlaOutcome {
    assert!(!tiers.0.is_empty(), "a tier table is never empty");
    let hit = if period_s <= 0 {
        &tiers.0[0]
    } else {
        let up = i128::from(up_s) * i128::from(PPM);
        tiers
            .0
            .iter()
            .find(|t| up >= i128::from(t.from_ppm) * i128::from(period_s))
            .unwrap_or(tiers.0.last().expect("not empty"))
    };
    SlaOutcome {
        tier_from_ppm: hit.from_ppm,
        payable_pct: hit.payable_pct,
        credit_pct: 100 - hit.payable_pct,
    }
}

/// The credit on `fee_micros`: `fee × credit_pct / 100`, half up to the micro (S3, B12).
/// `credit_pct_invalid` outside 0..=100, `amount_overflow` if it does not fit.
pub fn credit_micros(fee_micros: i64, credit_pct: i64) -> Result<i64, Refusal> {
    if !(0..=100).contains(&credit_pct) {
        return Err(Refusal::new(
            "credit_pct_invalid",
            rules::S3,
            format!("a credit of {credit_pct} % is not between 0 and 100"),
        )
        .on_field("credit_pct"));
    }
    let num = i128::from(fee_micros)
        .checked_mul(i128::from(credit_pct))
        .ok_or_else(overflow)?;
    i64::try_from(round_div(num, 100)).map_err(|_| overflow())
}

fn overflow() -> Refusal {
    Refusal::new("amount_overflow", rules::S3, "the SLA credit overflows").on_field("fee_micros")
}
