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

    /// H4 decision, Critical: 30 support-hour minutes after creation. Flagged for the 24/7
    /// extended service (H3: critical issues around the clock) when created outside support
    /// hours, and when the 30 minutes do not fit before today's close (created at 17:50, due
    /// 09:20 the next working day: the NOC on call takes it meanwhile).
    pub fn critical_due(&self, created: i64) -> Due {
        let at = self.add_support_minutes(created, CRITICAL_RESPONSE_MIN);
        let fits_today = self.in_support_hours(created) && {
            let today = self.local(created).date();
            at <= self.at(today, CLOSES) && self.local(at).date() == today
        };
        Due {
            at,
            extended_service: !fits_today,
        }
    }

    /// The first response's due time for a class of service (H4 decision).
    pub fn response_due(&self, cos: super::ticket::Cos, created: i64) -> Due {
        match cos {
            super::ticket::Cos::Critical => self.critical_due(created),
            super::ticket::Cos::Standard => self.standard_due(created),
        }
    }

    /// H7: when a Customer Care ticket must have been reviewed.
    pub fn care_review_due(&self, created: i64) -> i64 {
        self.add_support_minutes(created, CARE_REVIEW_MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_second()
    }

    fn cal(zone: &str, holidays: &[&str]) -> Calendar {
        Calendar {
            tz: TimeZone::get(zone).unwrap(),
            holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn h4_a_standard_ticket_late_on_a_friday_in_berlin_is_due_18_00_that_day() {
        // Friday 2026-11-20 17:30 CET (UTC+1) = 16:30Z, within support hours:
        // due 18:00 CET that day = 17:00Z.
        let d = cal("Europe/Berlin", &[]).standard_due(ts("2026-11-20T16:30:00Z"));
        assert_eq!(d.at, ts("2026-11-20T17:00:00Z"));
        assert!(!d.extended_service);
    }

    #[test]
    fn h4_a_standard_ticket_after_18_00_on_a_friday_is_due_18_00_on_monday() {
        // Friday 2026-11-20 18:30 CET = 17:30Z: outside hours; next working day Monday
        // 2026-11-23, 18:00 CET = 17:00Z.
        let d = cal("Europe/Berlin", &[]).standard_due(ts("2026-11-20T17:30:00Z"));
        assert_eq!(d.at, ts("2026-11-23T17:00:00Z"));
    }

    #[test]
    fn h4_a_critical_ticket_at_17_50_is_due_09_20_the_next_working_day_for_the_extended_service() {
        // Thursday 2026-11-19 17:50 CET = 16:50Z: 10 support minutes left that day, 20 more
        // from Friday's 09:00 CET: Friday 09:20 CET = 08:20Z.
        let d = cal("Europe/Berlin", &[]).critical_due(ts("2026-11-19T16:50:00Z"));
        assert_eq!(d.at, ts("2026-11-20T08:20:00Z"));
        assert!(d.extended_service);
        // At 10:00 CET the 30 minutes fit: due 10:30, no flag.
        let d = cal("Europe/Berlin", &[]).critical_due(ts("2026-11-19T09:00:00Z"));
        assert_eq!(
            (d.at, d.extended_service),
            (ts("2026-11-19T09:30:00Z"), false)
        );
        // On a Sunday: flagged, due Monday 09:30 CET = 08:30Z.
        let d = cal("Europe/Berlin", &[]).critical_due(ts("2026-11-22T12:00:00Z"));
        assert_eq!(
            (d.at, d.extended_service),
            (ts("2026-11-23T08:30:00Z"), true)
        );
    }

    #[test]
    fn h3_a_standard_ticket_on_the_saturday_before_the_us_dst_change_is_due_18_00_edt_monday() {
        // Saturday 2027-03-13 12:00 EST = 17:00Z; DST starts Sunday 2027-03-14. Due Monday
        // 2027-03-15 18:00 EDT (UTC-4) = 22:00Z, not 23:00Z (which EST would give).
        let d = cal("America/New_York", &[]).standard_due(ts("2027-03-13T17:00:00Z"));
        assert_eq!(d.at, ts("2027-03-15T22:00:00Z"));
    }

    #[test]
    fn h3_a_public_holiday_moves_the_due_time() {
        // Thursday 2026-12-24 19:00 CET = 18:00Z, after hours. Without holidays: Friday
        // 2026-12-25 18:00 CET = 17:00Z; with the 25th a holiday: Monday 2026-12-28.
        let created = ts("2026-12-24T18:00:00Z");
        assert_eq!(
            cal("Europe/Berlin", &[]).standard_due(created).at,
            ts("2026-12-25T17:00:00Z")
        );
        assert_eq!(
            cal("Europe/Berlin", &["2026-12-25"])
                .standard_due(created)
                .at,
            ts("2026-12-28T17:00:00Z")
        );
    }

    #[test]
    fn h4_a_standard_ticket_before_opening_is_due_that_day_and_h7_care_is_reviewed_in_a_business_day(
    ) {
        // Monday 2026-11-23 07:00 CET = 06:00Z: due 18:00 CET that Monday = 17:00Z.
        let c = cal("Europe/Berlin", &[]);
        assert_eq!(
            c.standard_due(ts("2026-11-23T06:00:00Z")).at,
            ts("2026-11-23T17:00:00Z")
        );
        // Customer Care at Monday 15:00 CET (14:00Z): 3 h left Monday, 6 h Tuesday from 09:00:
        // Tuesday 15:00 CET = 14:00Z.
        assert_eq!(
            c.care_review_due(ts("2026-11-23T14:00:00Z")),
            ts("2026-11-24T14:00:00Z")
        );
    }
}
