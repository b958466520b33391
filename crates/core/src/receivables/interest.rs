//! B6 late interest: accrues daily at the annual rate / 365 on the overdue undisputed amount
//! plus interest already capitalised; capitalised on each monthly anniversary of the due
//! date; the rate is the profile's or the jurisdiction's legal maximum if lower. Exact: the
//! accrual of a capitalisation period is summed as a fraction and rounded half up to the
//! micro unit once, when it is capitalised (or at the day asked for).
//!
//! Interest stops when nothing of the invoice is overdue; interest billed on a later invoice
//! is not itself a base (it is compounded here, by capitalisation, instead).

use jiff::civil::Date;
use jiff::Span;

use crate::billing::catalog::{round_div, BASIS_POINTS};
use crate::Refusal;

/// Days in the year the daily rate divides by (B6 decision: 12 %/365).
pub const DAYS_PER_YEAR: i64 = 365;

/// An amount that reduces (positive) or restores (negative, a declined payment) what is
/// overdue, from a day on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub on: Date,
    pub micros: i64,
}

/// An amount not due while it is held: a disputed amount from the dispute until it is
/// resolved (and what stays unpaid, until 30 days after that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub from: Date,
    pub until: Option<Date>,
    pub micros: i64,
}

/// One stretch of days at one base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    pub from: Date,
    pub to: Date,
    pub days: i64,
    /// The overdue undisputed amount plus capitalised interest.
    pub base_micros: i64,
}

/// Interest of one invoice from its due date to a day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Accrual {
    pub stretches: Vec<Stretch>,
    /// Interest capitalised on the anniversaries so far.
    pub capitalised_micros: i64,
    /// All interest to the day asked for (capitalised and accrued since).
    pub total_micros: i64,
    /// The rate applied, in basis points a year.
    pub annual_bp: i64,
}

/// The rate in basis points a year: the profile's, capped by the legal maximum.
pub fn rate_bp(profile_pct: &str, legal_max_bp: Option<i64>) -> Result<i64, Refusal> {
    let bp = crate::money::parse_scaled(profile_pct, 2)
        .ok()
        .filter(|bp| *bp >= 0)
        .ok_or_else(|| {
            Refusal::invalid(
                "interest_rate_invalid",
                "late_interest_annual_pct",
                format!("`{profile_pct}` is not a percentage"),
            )
        })?;
    Ok(legal_max_bp.map_or(bp, |m| bp.min(m)))
}

fn anniversary(due: Date, k: i64) -> Date {
    // From the due date each time (31 January → 28 February → 31 March), never chained.
    due.checked_add(Span::new().months(k))
        .expect("a civil date in range")
}

fn days(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// Interest on `principal_micros` due on `due`, to `as_of` (days after the due date count:
/// an invoice due 15 January and unpaid accrues 61 days to 17 March).
pub fn accrue(
    principal_micros: i64,
    due: Date,
    as_of: Date,
    annual_bp: i64,
    movements: &[Movement],
    holds: &[Hold],
) -> Result<Accrual, Refusal> {
    let mut out = Accrual {
        annual_bp,
        ..Accrual::default()
    };
    if as_of <= due || annual_bp <= 0 {
        return Ok(out);
    }
    let mut cuts: Vec<Date> = vec![due, as_of];
    cuts.extend(movements.iter().map(|m| m.on));
    for h in holds {
        cuts.push(h.from);
        cuts.extend(h.until);
    }
    let mut k = 1;
    loop {
        let a = anniversary(due, k);
        if a >= as_of {
            break;
        }
        cuts.push(a);
        k += 1;
    }
    cuts.retain(|d| *d >= due && *d <= as_of);
    cuts.sort();
    cuts.dedup();
    let overflow = || Refusal::invalid("amount_too_large", "amount", "interest overflows");
    let divisor = i128::from(BASIS_POINTS) * i128::from(DAYS_PER_YEAR);
    let (mut capitalised, mut pending) = (0i64, 0i128);
    let mut next_anniversary = 1;
    for w in cuts.windows(2) {
        let (from, to) = (w[0], w[1]);
        if from >= anniversary(due, next_anniversary) {
            capitalised = i64::try_from(round_div(pending, divisor))
                .ok()
                .and_then(|v| capitalised.checked_add(v))
                .ok_or_else(overflow)?;
            pending = 0;
            next_anniversary += 1;
        }
        let paid: i64 = movements
            .iter()
            .filter(|m| m.on <= from)
            .map(|m| m.micros)
            .sum();
        let held: i64 = holds
            .iter()
            .filter(|h| h.from <= from && h.until.is_none_or(|u| from < u))
            .map(|h| h.micros)
            .sum();
        let overdue = principal_micros.saturating_sub(paid).saturating_sub(held);
        let base = if overdue > 0 {
            overdue.checked_add(capitalised).ok_or_else(overflow)?
        } else {
            0
        };
        let n = days(from, to);
        pending += i128::from(base) * i128::from(annual_bp) * i128::from(n);
        out.stretches.push(Stretch {
            from,
            to,
            days: n,
            base_micros: base,
        });
    }
    out.capitalised_micros = capitalised;
    out.total_micros = i64::try_from(round_div(pending, divisor))
        .ok()
        .and_then(|v| capitalised.checked_add(v))
        .ok_or_else(overflow)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const GBP_1000: i64 = 1_000_000_000;

    #[test]
    fn b6_interest_compounds_on_the_monthly_anniversary() {
        // GBP 1,000.00 due 2026-01-15, unpaid, as of 2026-03-17 at 12 % a year:
        // 15 Jan → 15 Feb, 31 days: 1,000 × 0.12 × 31/365 = 10.191780.8… → 10.191781,
        //   capitalised on 15 February: base 1,010.191781;
        // 15 Feb → 15 Mar, 28 days: 1,010.191781 × 0.12 × 28/365 = 9.299299.7… → 9.299300,
        //   capitalised on 15 March: base 1,019.491081;
        // 15 Mar → 17 Mar, 2 days: 1,019.491081 × 0.12 × 2/365 = 0.670350.3… → 0.670350.
        // Total 10.191781 + 9.299300 + 0.670350 = 20.161431 (GBP 20.16 on an invoice).
        let a = accrue(
            GBP_1000,
            date(2026, 1, 15),
            date(2026, 3, 17),
            1_200,
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(a.capitalised_micros, 10_191_781 + 9_299_300);
        assert_eq!(a.total_micros, 20_161_431);
        let days: Vec<i64> = a.stretches.iter().map(|s| s.days).collect();
        assert_eq!(days, vec![31, 28, 2]);
        assert_eq!(a.stretches[2].base_micros, 1_019_491_081);
    }

    #[test]
    fn b6_a_partial_payment_reduces_the_base_from_its_date() {
        // 1,000.00 due 2026-01-15; 400.00 paid on 2026-02-01; as of 2026-02-15 (one period):
        // 17 days on 1,000 = 1,000 × 0.12 × 17/365 = 5.589041.1…
        // 14 days on 600  = 600 × 0.12 × 14/365   = 2.761643.8…
        // summed exactly then rounded once: (1,000e6 × 17 + 600e6 × 14) × 1,200 / 3,650,000
        //   = 8.350684.9… → 8.350685.
        let paid = [Movement {
            on: date(2026, 2, 1),
            micros: 400_000_000,
        }];
        let a = accrue(
            GBP_1000,
            date(2026, 1, 15),
            date(2026, 2, 15),
            1_200,
            &paid,
            &[],
        )
        .unwrap();
        assert_eq!(a.total_micros, 8_350_685);
        // Paid in full on 1 February: 17 days only, 5.589041.
        let all = [Movement {
            on: date(2026, 2, 1),
            micros: GBP_1000,
        }];
        let a = accrue(
            GBP_1000,
            date(2026, 1, 15),
            date(2026, 3, 17),
            1_200,
            &all,
            &[],
        )
        .unwrap();
        assert_eq!(a.total_micros, 5_589_041);
    }

    #[test]
    fn b6_b9_only_the_undisputed_part_accrues() {
        // 1,000.00 due 2026-01-15, 300.00 disputed from 2026-01-10 (open): 31 days on 700.00 to
        // 15 February = 700 × 0.12 × 31/365 = 7.134246.5… → 7.134247.
        let held = [Hold {
            from: date(2026, 1, 10),
            until: None,
            micros: 300_000_000,
        }];
        let a = accrue(
            GBP_1000,
            date(2026, 1, 15),
            date(2026, 2, 15),
            1_200,
            &[],
            &held,
        )
        .unwrap();
        assert_eq!(a.total_micros, 7_134_247);
    }

    #[test]
    fn b6_no_rate_no_interest_and_the_legal_maximum_caps_the_rate() {
        let a = accrue(GBP_1000, date(2026, 1, 15), date(2026, 3, 17), 0, &[], &[]).unwrap();
        assert_eq!(a.total_micros, 0);
        assert_eq!(rate_bp("12", None).unwrap(), 1_200);
        assert_eq!(rate_bp("12", Some(800)).unwrap(), 800);
        assert_eq!(rate_bp("0", Some(800)).unwrap(), 0);
        assert!(rate_bp("twelve", None).is_err());
    }
}
