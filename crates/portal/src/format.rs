//! How the portal writes times, days, money and links: one place, so every page agrees.

use tollgate_core::money::{format_minor, Currency};
use tollgate_core::time::utc;

/// `2026-11-18 11:06 UTC`.
pub fn time(unix_s: i64) -> String {
    let t = utc(unix_s);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

pub fn time_opt(unix_s: Option<i64>) -> String {
    unix_s.map_or_else(|| "—".into(), time)
}

/// `2026-11-18` (days are stored as their UTC midnight).
pub fn day(unix_s: i64) -> String {
    utc(unix_s).date().to_string()
}

pub fn day_opt(unix_s: Option<i64>) -> String {
    unix_s.map_or_else(|| "—".into(), day)
}

/// `1,234.56 EUR` from minor units (exact: the core's formatter, digits grouped).
pub fn money(minor: i64, currency: &str) -> String {
    let Ok(c) = Currency::parse_stored(currency) else {
        return format!("{minor} (minor units) {currency}");
    };
    let text = format_minor(minor, c);
    format!("{} {currency}", group(&text))
}

/// Thousands separators in the integer part of a decimal (`-1234.50` → `-1,234.50`).
fn group(decimal: &str) -> String {
    let (sign, rest) = match decimal.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", decimal),
    };
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Micro units of a currency as a rate (`0.012500 EUR`).
pub fn micros(micros: i64, currency: &str) -> String {
    format!(
        "{} {currency}",
        tollgate_core::money::format_scaled(i128::from(micros), 6)
    )
}

/// A time typed by a person: RFC 3339 (`2026-12-02T09:15:00Z`) or a UTC civil time
/// (`2026-12-02 09:15`, `2026-12-02T09:15`); `None` when it is neither.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    let civil = s.replace(' ', "T");
    civil
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp().as_second())
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `1 h 05 min`, `12 min`, `40 s`.
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_and_grouped() {
        // 123456789 cents = 1,234,567.89 EUR; -5 cents = -0.05.
        assert_eq!(money(123_456_789, "EUR"), "1,234,567.89 EUR");
        assert_eq!(money(-5, "GBP"), "-0.05 GBP");
        assert_eq!(money(100, "JPY"), "100 JPY");
    }

    #[test]
    fn times_are_utc_and_days_are_dates() {
        // 1_795_000_000 s = 2026-11-18 11:06:40 UTC.
        assert_eq!(time(1_795_000_000), "2026-11-18 11:06 UTC");
        assert_eq!(day(1_794_960_000), "2026-11-18");
    }

    #[test]
    fn typed_times_are_utc() {
        // 2026-11-18 11:06:40 UTC = 1_795_000_000.
        assert_eq!(parse_time("2026-11-18T11:06:40Z"), Some(1_795_000_000));
        assert_eq!(parse_time("2026-11-18 11:06:40"), Some(1_795_000_000));
        assert_eq!(parse_time("2026-11-18 11:06"), Some(1_794_999_960));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(url_encode("/portal/x?a=b c"), "/portal/x%3Fa%3Db%20c");
    }
}
