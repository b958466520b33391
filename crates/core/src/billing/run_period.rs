//! The period of an invoice run: the usage month it closes (`YYYY-MM`). Its invoices are dated
//! the first day after it (fixed, so a re-run is identical), bill its usage in arrears (B4)
//! and recurring charges in advance up to the end of the following month (B3), and are due
//! the profile's days after the invoice date (B5).

use jiff::civil::Date;
use jiff::Span;

use crate::billing::contract::add_months;
use crate::billing::proration::Period;
use crate::Refusal;

/// A run's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunPeriod {
    /// The usage month.
    pub usage: Period,
    /// Invoice date: the first day after the usage month.
    pub invoice_date: Date,
    /// Recurring charges are billed for service periods starting before this day.
    pub horizon: Date,
}

impl RunPeriod {
    /// `YYYY-MM`, closed on `today` (a run for the current or a future month is refused).
    pub fn parse(s: &str, today: Date) -> Result<RunPeriod, Refusal> {
        let bad = || {
            Refusal::invalid(
                "period_invalid",
                "period",
                format!("`{s}` is not a month (YYYY-MM)"),
            )
        };
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (y, m): (i16, i8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        let first = Date::new(y, m, 1).map_err(|_| bad())?;
        let usage = Period::month_of(first);
        if usage.end > today {
            return Err(Refusal::invalid(
                "period_not_closed",
                "period",
                format!(
                    "{s} closes on {}; a run bills a closed month only",
                    usage.end
                ),
            ));
        }
        Ok(RunPeriod {
            usage,
            invoice_date: usage.end,
            horizon: add_months(usage.end, 1),
        })
    }

    /// `YYYY-MM`.
    pub fn label(&self) -> String {
        format!(
            "{:04}-{:02}",
            self.usage.start.year(),
            self.usage.start.month()
        )
    }

    /// B5: the due date, `days` after the invoice date.
    pub fn due_date(&self, days: u32) -> Date {
        self.invoice_date
            .checked_add(Span::new().days(i64::from(days)))
            .expect("a civil date in range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn b5_due_date_is_the_invoice_date_plus_the_profiles_days() {
        let r = RunPeriod::parse("2026-10", date(2026, 11, 23)).unwrap();
        assert_eq!(r.invoice_date, date(2026, 11, 1));
        assert_eq!(r.horizon, date(2026, 12, 1));
        // 1 November + 30 days = 1 December.
        assert_eq!(r.due_date(30), date(2026, 12, 1));
        assert_eq!(r.label(), "2026-10");
    }

    #[test]
    fn b3_b4_a_run_for_an_unclosed_or_malformed_month_is_refused() {
        let today = date(2026, 11, 23);
        assert_eq!(
            RunPeriod::parse("2026-11", today).unwrap_err().code,
            "period_not_closed"
        );
        assert_eq!(
            RunPeriod::parse("2027-01", today).unwrap_err().code,
            "period_not_closed"
        );
        for bad in ["2026-13", "2026-1", "26-10", "2026/10", "", "2026-00"] {
            assert_eq!(
                RunPeriod::parse(bad, today).unwrap_err().code,
                "period_invalid",
                "{bad}"
            );
        }
    }
}
