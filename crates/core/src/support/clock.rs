//! Response clocks in support hours (H3, H4 and its decision, H7): Monday-Friday 09:00-18:00
//! in the partner's region's zone (America/New_York or Europe/Berlin, DST-aware), less the
//! region's public holidays (an operator-managed calendar, passed in).

use std::collections::BTreeSet;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Support hours open and close, local time (H3).
pub const OPENS: Time = Time::constant(9, 0, 0, 0);
pub const CLOSES: Time = Time::constant(18, 0, 0, 0);
/// H4: a Critical ticket's response is due this many support-hour minutes after creation.
pub const CRITICAL_RESPONSE_MIN: i64 = 30;
/// H7: Customer Care is reviewed within one business day: one day of support hours.
pub const CARE_REVIEW_MIN: i64 = 9 * 60;
/// Days searched for the next working day (a calendar can hold long closures; beyond this a
/// calendar is wrong, not generous).
pub const MAX_CLOSED_DAYS: i64 = 366;

/// A region's support calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub tz: TimeZone,
    pub holidays: BTreeSet<Date>,
}

/// When a ticket's first response is due, and whether it goes to the 24/7 extended service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: i64,
    /// H3/H4 decision: a Critical ticket created outside support hours is flagged for the
    /// 24/7 extended service (NOC on call); its clock is the same.
    pub extended_service: bool,
}

impl Calendar {
    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    fn at(&self, d: Date, t: Time) -> i64 {
        // Support hours never fall in a DST gap or fold (transitions happen at night), so
        // the compatible disambiguation is exact here.
        d.to_datetime(t)
            .to_zoned(self.tz.clone())
            .map(|z| z.timestamp().as_second())
            .expect("a civil time in range converts")
    }

    fn local(&self, unix_s: i64) -> jiff::civil::DateTime {
        Timestamp::from_second(unix_s)
            .expect("a time in range")
            .to_zoned(self.tz.clone())
            .datetime()
    }

    /// Whether `unix_s` falls within support hours.
    pub fn in_support_hours(&self, unix_s: i64) -> bool {
        let l = self.local(unix_s);
        self.is_working_day(l.date()) && l.time() >= OPENS && l.time() < CLOSES
    }

    /// The first working day on or after `d`.
    fn working_day_from(&self, d: Date) -> Date {
        let mut day = d;
        for _ in 0..MAX_CLOSED_DAYS {
            if self.is_working_day(day) {
                return day;
            }
            day = day.tomorrow().expect("a date in range");
        }
        day
    }

    /// The start of the support-hours session that is open at `unix_s` or opens next.
    fn session_from(&self, unix_s: i64) -> (Date, i64) {
        let l = self.local(unix_s);
        let today = l.date();
        if self.is_working_day(today) && l.time() < CLOSES {
            let open = self.at(today, OPENS);
            return (today, open.max(unix_s));
        }
        let next = self.working_day_from(today.tomorrow().expect("a date in range"));
        (next, self.at(next, OPENS))
    }

    /// `minutes` of support hours after `unix_s` (the clock stands still outside them).
    pub fn add_support_minutes(&self, unix_s: i64, minutes: i64) -> i64 {
        let mut left = minutes * 60;
        let (mut day, mut from) = self.session_from(unix_s);
        loop {
            let close = self.at(day, CLOSES);
            if from + left <= close {
                return from + left;
            }
            left -= close - from;
            day = self.working_day_from(day.tomorrow().expect("a date in range"));
            from = self.at(day, OPENS);
        }
    }

    /// H4 decision, Standard: 18:00 local on the day of creation when created within support
    /// hours; otherwise 18:00 on the next working day. "Next" is the next session of support
    /// hours: a ticket created at 07:00 on a Monday is due 18:00 that Monday (the first
    /// working day after its creation opens then), never later than one created at 09:01.
    pub fn standard_due(&self, created: i64) -> Due {
        let (day, _) = self.session_from(created);
        Due {
            at: self.at(day, CLOSES),
            extended_service: false,
        }
    }

    /// H4 decision, Critical: 30 support-hour minutes after creation; outside support hours
    /// also flagged for the 24/7 extended service.
    pub fn critical_due(&self, created: i64) -> Due {
        Due {
            at: self.add_support_minutes(created, CRITICAL_RESPONSE_MIN),
            extended_service: !self.in_support_hours(created),
        }
    }

    /// H7: when a Customer Care ticket must have been reviewed.
    pub fn care_review_due(&self, created: i64) -> i64 {
        self.add_support_minutes(created, CARE_REVIEW_MIN)
    }
}
