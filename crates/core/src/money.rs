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

/// An ISO 4217 currency code, three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(s: &str) -> Result<Currency, String> {
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
}
