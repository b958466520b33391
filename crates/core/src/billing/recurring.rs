//! B3: recurring charges in advance. A run bills every service period that starts before its
//! horizon (the end of the month after the usage month) and was not billed before: monthly
//! charges by calendar month, prorated by days where the service starts or ends within one;
//! annual charges once per year of service, anchored at the start date, in advance.

use jiff::civil::Date;

use crate::billing::catalog::Frequency;
use crate::billing::contract::add_months;
use crate::billing::proration::{prorate_micros, Period};
use crate::Refusal;

/// Service periods one run bills for one subscription at most: a subscription started (or
/// last billed) longer ago than this is refused rather than billed for years at once.
pub const MAX_CATCH_UP_PERIODS: usize = 36;

/// One billed service period: `[from, to)`, `days` of `period_days` in service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicePeriod {
    pub from: Date,
    pub to: Date,
    pub days: i64,
    pub period_days: i64,
}

impl ServicePeriod {
    pub fn prorated(&self) -> bool {
        self.days != self.period_days
    }

    /// The charge for the period: `per_period_micros` × days / period days, half up.
    pub fn amount(&self, per_period_micros: i64) -> Result<i64, Refusal> {
        prorate_micros(per_period_micros, self.days, self.period_days)
    }
}

/// A recurring subscription as billing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecurringTerms {
    /// First day charged (B2, E4).
    pub start: Date,
    /// First day no longer charged, when it ended (L2: its licence ends with it).
    pub end: Option<Date>,
    pub frequency: Frequency,
    /// The first day not yet billed (the end of the last billed period).
    pub billed_until: Option<Date>,
}

/// The periods a run with `horizon` (exclusive) bills, in order.
pub fn periods_due(t: &RecurringTerms, horizon: Date) -> Result<Vec<ServicePeriod>, Refusal> {
    let from = t.billed_until.map_or(t.start, |b| b.max(t.start));
    let stop = t.end.map_or(horizon, |e| e.min(horizon));
    let mut out = Vec::new();
    // Periods are calendar months (monthly) or years from the start date (annual).
    let mut cursor = match t.frequency {
        Frequency::Monthly => Period::month_of(from),
        Frequency::Annual => {
            let mut p = year_from(t.start, 0);
            let mut k = 0;
            while p.end <= from {
                k += 1;
                p = year_from(t.start, k);
            }
            p
        }
    };
    let mut k = 0i64;
    while cursor.start < stop {
        let lo = cursor.start.max(from);
        let hi = t.end.map_or(cursor.end, |e| cursor.end.min(e));
        if lo < hi {
            if out.len() == MAX_CATCH_UP_PERIODS {
                return Err(Refusal::invalid(
                    "catch_up_too_long",
                    "start_date",
                    format!(
                        "more than {MAX_CATCH_UP_PERIODS} unbilled periods since {from}; bill \
                         earlier periods first"
                    ),
                ));
            }
            out.push(ServicePeriod {
                from: lo,
                to: hi,
                days: i64::from((hi - lo).get_days()),
                period_days: cursor.days(),
            });
        }
        k += 1;
        cursor = match t.frequency {
            Frequency::Monthly => Period::month_of(cursor.end),
            Frequency::Annual => year_from(t.start, year_index(t.start, cursor.start) + 1),
        };
        debug_assert!(k < 10_000);
    }
    Ok(out)
}

fn year_from(start: Date, k: i64) -> Period {
    Period {
        start: add_months(start, 12 * k),
        end: add_months(start, 12 * (k + 1)),
    }
}

fn year_index(start: Date, period_start: Date) -> i64 {
    i64::from(period_start.year() - start.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn monthly(start: Date) -> RecurringTerms {
        RecurringTerms {
            start,
            end: None,
            frequency: Frequency::Monthly,
            billed_until: None,
        }
    }

    #[test]
    fn b3_a_monthly_licence_starting_on_the_17th_is_prorated_then_billed_in_advance() {
        // The October run's horizon is 1 December: 17–31 October (15 of 31 days) and all of
        // November in advance.
        let p = periods_due(&monthly(date(2026, 10, 17)), date(2026, 12, 1)).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].from, p[0].to, p[0].days, p[0].period_days),
            (date(2026, 10, 17), date(2026, 11, 1), 15, 31)
        );
        assert_eq!((p[1].days, p[1].period_days), (30, 30));
        // 20.00 a month × 15 / 31 = 9.677419.35… → 9.677419.
        assert_eq!(p[0].amount(20_000_000).unwrap(), 9_677_419);
        // The November run bills December only.
        let mut t = monthly(date(2026, 10, 17));
        t.billed_until = Some(date(2026, 12, 1));
        let p = periods_due(&t, date(2027, 1, 1)).unwrap();
        assert_eq!((p.len(), p[0].from, p[0].days), (1, date(2026, 12, 1), 31));
    }

    #[test]
    fn b3_an_annual_subscription_is_billed_once_in_advance() {
        let t = RecurringTerms {
            start: date(2026, 10, 17),
            end: None,
            frequency: Frequency::Annual,
            billed_until: None,
        };
        let p = periods_due(&t, date(2026, 12, 1)).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].from, p[0].to, p[0].prorated()),
            (date(2026, 10, 17), date(2027, 10, 17), false)
        );
        // The next eleven runs bill nothing; the one whose horizon passes 17 October 2027
        // bills the second year.
        let t2 = RecurringTerms {
            billed_until: Some(p[0].to),
            ..t
        };
        assert!(periods_due(&t2, date(2027, 10, 1)).unwrap().is_empty());
        let p2 = periods_due(&t2, date(2027, 11, 1)).unwrap();
        assert_eq!(p2[0].from, date(2027, 10, 17));
    }

    #[test]
    fn l2_an_ended_subscription_is_billed_up_to_its_end_only() {
        let mut t = monthly(date(2026, 1, 1));
        t.billed_until = Some(date(2026, 11, 1));
        t.end = Some(date(2026, 11, 11));
        let p = periods_due(&t, date(2026, 12, 1)).unwrap();
        assert_eq!((p.len(), p[0].days, p[0].period_days), (1, 10, 30));
        // A charge starting after the horizon is not billed yet.
        assert!(periods_due(&monthly(date(2026, 12, 5)), date(2026, 12, 1))
            .unwrap()
            .is_empty());
        // Years of arrears are refused, not billed in one go.
        assert_eq!(
            periods_due(&monthly(date(2020, 1, 1)), date(2026, 12, 1))
                .unwrap_err()
                .code,
            "catch_up_too_long"
        );
    }
}
