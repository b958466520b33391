//! B3: recurring charges are billed in advance at their frequency; a period the service starts
//! (or ends) within is prorated by days (the RULEBOOK's decision).

use jiff::civil::Date;

use crate::Refusal;

/// A billing period of calendar days, `[start, end)` (the end day is the next period's first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    /// The calendar month holding `day`.
    pub fn month_of(day: Date) -> Period {
        let start = day.first_of_month();
        let end = start
            .checked_add(jiff::Span::new().months(1))
            .expect("a month after a civil date in range");
        Period { start, end }
    }

    /// Its length in days.
    pub fn days(&self) -> i64 {
        i64::from((self.end - self.start).get_days())
    }
}

/// Days of `period` in which a service running `[from, until)` (no `until`: still running) is
/// in service.
pub fn days_in_service(period: Period, from: Date, until: Option<Date>) -> i64 {
    let start = period.start.max(from);
    let end = until.map_or(period.end, |u| period.end.min(u));
    if end <= start {
        0
    } else {
        i64::from((end - start).get_days())
    }
}

/// The part of `price_micros` (the whole period's price) for `days` of the period's days, in
/// micro units, half up: exact to the micro, rounded to the minor unit only on the invoice
/// line. Checked: an overflow refuses.
pub fn prorate_micros(price_micros: i64, days: i64, period_days: i64) -> Result<i64, Refusal> {
    let overflow =
        || Refusal::invalid("amount_too_large", "price", "the prorated amount overflows");
    if period_days <= 0 || !(0..=period_days).contains(&days) {
        return Err(Refusal::invalid(
            "period_invalid",
            "period",
            "days outside the period",
        ));
    }
    let num = i128::from(price_micros) * i128::from(days);
    let den = i128::from(period_days);
    let (q, r) = (num / den, num % den);
    let rounded = if r.abs() * 2 >= den {
        q + r.signum()
    } else {
        q
    };
    i64::try_from(rounded).map_err(|_| overflow())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn b3_a_monthly_licence_starting_on_the_17th_is_prorated_by_days() {
        // November 2026 has 30 days; in service from the 17th: 17..=30 = 14 days.
        // 30.00 a month × 14 / 30 = 14.00.
        let nov = Period::month_of(date(2026, 11, 5));
        assert_eq!(
            (nov.start, nov.end, nov.days()),
            (date(2026, 11, 1), date(2026, 12, 1), 30)
        );
        let days = days_in_service(nov, date(2026, 11, 17), None);
        assert_eq!(days, 14);
        assert_eq!(
            prorate_micros(30_000_000, days, nov.days()).unwrap(),
            14_000_000
        );
    }

    #[test]
    fn b3_proration_is_exact_to_the_micro_and_rounds_half_up() {
        // 10.00 × 1 / 3 = 3.333333.3… → 3.333333; × 2 / 3 = 6.666666.6… → 6.666667.
        assert_eq!(prorate_micros(10_000_000, 1, 3).unwrap(), 3_333_333);
        assert_eq!(prorate_micros(10_000_000, 2, 3).unwrap(), 6_666_667);
        // February 2028 (leap year): 29 days; a service ending on the 15th runs 14 of them.
        let feb = Period::month_of(date(2028, 2, 1));
        assert_eq!(feb.days(), 29);
        assert_eq!(
            days_in_service(feb, date(2027, 1, 1), Some(date(2028, 2, 15))),
            14
        );
        // Before or after the period: no day in service.
        assert_eq!(days_in_service(feb, date(2028, 3, 1), None), 0);
        assert_eq!(prorate_micros(10, 4, 3).unwrap_err().code, "period_invalid");
        assert_eq!(
            prorate_micros(i64::MAX, 2, 1).unwrap_err().code,
            "period_invalid"
        );
        assert_eq!(prorate_micros(i64::MAX, 1, 1).unwrap(), i64::MAX);
    }
}
