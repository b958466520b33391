//! Time helpers over the one calendar, jiff's civil types (UTC; the core carries no time-zone
//! database: the core's jiff has neither `tz-system` nor a tzdb feature). The core never reads
//! the clock: `now` is always an argument. Timestamps inside the core are Unix seconds
//! (`i64`), UTC.

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use jiff::Timestamp;

/// The civil date and time (UTC) of a Unix timestamp, clamped to jiff's range
/// (-9999..=9999 years), far outside anything the core accepts as input.
pub fn utc(unix_s: i64) -> DateTime {
    let ts = Timestamp::from_second(unix_s).unwrap_or(if unix_s < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    });
    Offset::UTC.to_datetime(ts)
}

/// Civil year and month (UTC) of a Unix timestamp, as `year * 12 + (month - 1)`:
/// a dense month index, so that consecutive months differ by one.
pub fn month_index(unix_s: i64) -> i32 {
    let d = utc(unix_s).date();
    i32::from(d.year()) * 12 + (i32::from(d.month()) - 1)
}

/// The civil date (UTC) of a Unix timestamp.
pub fn date_of(unix_s: i64) -> Date {
    utc(unix_s).date()
}

/// 00:00 UTC of a civil date, as Unix seconds (how days are stored).
pub fn day_start(d: Date) -> i64 {
    i64::from((d - Date::constant(1970, 1, 1)).get_days()) * 86_400
}

/// Parses `YYYY-MM-DD` (a day field), naming `field` when it is not one.
pub fn parse_day(s: &str, field: &'static str) -> Result<Date, crate::Refusal> {
    s.parse::<Date>().map_err(|_| {
        crate::Refusal::invalid(
            "date_invalid",
            field,
            format!("`{s}` is not a date (YYYY-MM-DD)"),
        )
    })
}

/// Year, month (1-12), day (1-31) from days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let d: Date = utc(days.saturating_mul(86_400)).date();
    (i32::from(d.year()), d.month() as u32, d.day() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_stored_as_their_utc_midnight() {
        let d = Date::constant(2026, 11, 1);
        assert_eq!(day_start(d), 1_793_491_200);
        assert_eq!(date_of(1_793_491_200 + 86_399), d);
        assert_eq!(parse_day("2026-11-01", "x").unwrap(), d);
        assert_eq!(
            parse_day("2026-11-31", "x").unwrap_err().code,
            "date_invalid"
        );
    }

    #[test]
    fn month_boundaries() {
        // 2026-01-31T23:59:59Z and 2026-02-01T00:00:00Z
        assert_eq!(month_index(1_769_903_999) + 1, month_index(1_769_904_000));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        // 2024-02-29 exists; 1969-12-31 is day -1.
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(month_index(-1), 1969 * 12 + 11);
    }
}
