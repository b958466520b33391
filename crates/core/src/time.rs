//! Time helpers. The core never reads the clock: `now` is always an argument.
//! Timestamps inside the core are Unix seconds (`i64`), UTC.

/// Civil year and month (UTC) of a Unix timestamp, as `year * 12 + (month - 1)`:
/// a dense month index, so that consecutive months differ by one.
pub fn month_index(unix_s: i64) -> i32 {
    let (y, m, _) = civil_from_days(unix_s.div_euclid(86_400));
    y * 12 + (m as i32 - 1)
}

/// Year, month (1-12), day (1-31) from days since 1970-01-01 (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_boundaries() {
        // 2026-01-31T23:59:59Z and 2026-02-01T00:00:00Z
        assert_eq!(month_index(1_769_903_999) + 1, month_index(1_769_904_000));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }
}
