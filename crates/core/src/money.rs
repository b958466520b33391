//! Exact money. Never `f64`.
//!
//! * Rates and exact charges are integers in **micro units** of the currency's major unit
//!   (`1 GBP = 1_000_000`), so rates may carry sub-cent precision (six decimals).
//! * Invoice amounts are integers in the currency's **minor unit** (pence, cents).
//! * Rounding rule (RULEBOOK "Decision (money)"): an exact amount becomes a minor-unit
//!   amount by rounding **half up** (away from zero for the half), once per invoice line;
//!   totals are sums of rounded lines.

use std::fmt;

/// Decimal digits of a micro amount.
pub const MICRO_DIGITS: u32 = 6;
/// `1.000000` in micro units.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// The ISO 4217 currency codes accepted as input, sorted (for a binary search).
///
/// Source: the Debian `iso-codes` 4.15.0 package (`/usr/share/iso-codes/json/iso_4217.json`,
/// current as of 2023; a few codes since withdrawn, such as `HRK`, stay so old tables import),
/// plus `XCG` (Caribbean guilder) and `ZWG` (Zimbabwe Gold) added to ISO 4217 since, minus the
/// codes that are not money one can bill in: precious metals (`XAG`, `XAU`, `XPD`, `XPT`),
/// bond-market units (`XBA`..`XBD`), `XTS` (testing) and `XXX` (no currency).
/// Regenerate from a newer list when ISO 4217 changes; this is the only copy.
pub const ISO_4217_CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XDR", "XOF", "XPF", "XSU", "XUA", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL",
];

/// An ISO 4217 currency code, three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// An active ISO 4217 code ([`ISO_4217_CODES`]): `GBP`, `EUR`; `ZZZ` and `gbp` are refused.
    pub fn parse(s: &str) -> Result<Currency, String> {
        let c = Currency::parse_stored(s)?;
        if ISO_4217_CODES.binary_search(&c.as_str()).is_err() {
            return Err(format!("`{s}` is not an active ISO 4217 currency code"));
        }
        Ok(c)
    }

    /// Three capital letters, without the ISO 4217 list: only for data read back from the
    /// store, which older versions accepted on that check alone (a rate table in `ZZZ` must
    /// still load). Input always goes through [`Currency::parse`].
    pub fn parse_stored(s: &str) -> Result<Currency, String> {
        let b = s.as_bytes();
        if b.len() != 3 || !b.iter().all(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "`{s}` is not an ISO 4217 currency code (three capital letters)"
            ));
        }
        Ok(Currency([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        std::str::from_utf8(&self.0).expect("currency is ASCII")
    }

    /// Digits of the minor unit (ISO 4217 exponent).
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a plain decimal (`12`, `0.0125`, `-3.5`) into an integer scaled by `10^digits`.
/// More fractional digits than `digits` is an error, never a silent truncation.
pub fn parse_scaled(s: &str, digits: u32) -> Result<i64, String> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("`{s}` is not a decimal number"));
    }
    if frac_part.len() > digits as usize {
        return Err(format!("`{s}` has more than {digits} decimal places"));
    }
    let mut v: i64 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(|| format!("`{s}` is too large"))?;
    }
    for _ in frac_part.len()..digits as usize {
        v = v
            .checked_mul(10)
            .ok_or_else(|| format!("`{s}` is too large"))?;
    }
    Ok(if neg { -v } else { v })
}

/// Formats an integer scaled by `10^digits` as a plain decimal with exactly `digits` places.
pub fn format_scaled(v: i128, digits: u32) -> String {
    let scale = 10i128.pow(digits);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let (i, f) = (a / scale as u128, a % scale as u128);
    if digits == 0 {
        format!("{sign}{i}")
    } else {
        format!("{sign}{i}.{f:0width$}", width = digits as usize)
    }
}

/// Rounds a micro amount to the currency's minor unit, half up (half away from zero).
pub fn micros_to_minor(micros: i128, currency: Currency) -> i64 {
    let div = 10i128.pow(MICRO_DIGITS - currency.minor_digits());
    let q = micros / div;
    let r = micros % div;
    let rounded = if r.abs() * 2 >= div {
        q + r.signum()
    } else {
        q
    };
    i64::try_from(rounded).expect("minor amount fits in i64")
}

/// Formats a minor-unit amount in major units (`1234` GBP → `12.34`).
pub fn format_minor(minor: i64, currency: Currency) -> String {
    format_scaled(i128::from(minor), currency.minor_digits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_exactly() {
        assert_eq!(parse_scaled("0.0125", 6), Ok(12_500));
        assert_eq!(parse_scaled("12", 6), Ok(12_000_000));
        assert_eq!(parse_scaled("-3.5", 2), Ok(-350));
        assert_eq!(parse_scaled(".5", 2), Ok(50));
        assert!(parse_scaled("0.1234567", 6).is_err());
        assert!(parse_scaled("1e3", 6).is_err());
        assert!(parse_scaled("", 6).is_err());
        assert!(parse_scaled("99999999999999999999", 6).is_err());
        assert_eq!(format_scaled(12_500, 6), "0.012500");
        assert_eq!(format_scaled(-350, 2), "-3.50");
    }

    #[test]
    fn b_money_rounds_half_up_to_the_minor_unit() {
        let gbp = Currency::parse("GBP").unwrap();
        assert_eq!(micros_to_minor(12_345, gbp), 1); // 0.012345 -> 0.01
        assert_eq!(micros_to_minor(15_000, gbp), 2); // 0.015 -> 0.02 (half up)
        assert_eq!(micros_to_minor(14_999, gbp), 1);
        assert_eq!(micros_to_minor(-15_000, gbp), -2); // half away from zero
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(micros_to_minor(1_500_000, jpy), 2);
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(micros_to_minor(1_234_500, kwd), 1_235);
        assert!(Currency::parse("gbp").is_err());
    }

    #[test]
    fn i11_8_currencies_are_active_iso_4217_codes() {
        assert!(
            ISO_4217_CODES.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(ISO_4217_CODES.len() > 170);
        for ok in ["GBP", "EUR", "USD", "JPY", "KWD", "CHF", "XOF", "ZWG"] {
            assert!(Currency::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["ZZZ", "XXX", "XAU", "ABC", "gbp", "GB", "GBPX", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
        assert!(Currency::parse_stored("ZZZ").is_ok());
    }
}
