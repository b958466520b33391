//! E.164 numbers: `+` and up to 15 digits, country code first.

use crate::decision::Refusal;

/// The longest number E.164 allows (ITU-T E.164 section 6.1).
pub const E164_MAX_DIGITS: usize = 15;
/// Shortest number we accept as a destination (short codes like 112 are handled apart).
pub const E164_MIN_DIGITS: usize = 3;

/// Normalises a dialled or presented number to its E.164 digits (without `+`).
///
/// Accepts `+4420...`, `004420...`, `4420...` and ignores spaces, dashes, dots and brackets.
/// A `sip:`/`tel:` URI user part is accepted too (`sip:+4420...@host`).
pub fn normalize(input: &str, field: &'static str) -> Result<String, Refusal> {
    let mut s = input.trim();
    for scheme in ["sip:", "sips:", "tel:"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            s = rest;
        }
    }
    if let Some(at) = s.find(['@', ';']) {
        s = &s[..at];
    }
    let s = s
        .strip_prefix('+')
        .or_else(|| s.strip_prefix("00"))
        .unwrap_or(s);
    let mut digits = String::with_capacity(E164_MAX_DIGITS);
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(Refusal::invalid(
                    "number_invalid",
                    field,
                    format!("`{input}` is not an E.164 number: unexpected character `{c}`"),
                ))
            }
        }
    }
    if digits.len() < E164_MIN_DIGITS || digits.len() > E164_MAX_DIGITS {
        return Err(Refusal::invalid(
            "number_invalid",
            field,
            format!(
                "`{input}` is not an E.164 number: {} digits, expected {E164_MIN_DIGITS} to {E164_MAX_DIGITS}",
                digits.len()
            ),
        ));
    }
    if digits.starts_with('0') {
        return Err(Refusal::invalid(
            "number_invalid",
            field,
            format!("`{input}` is not an E.164 number: country codes never start with 0"),
        ));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for (input, want) in [
            ("+44 20 7946 0000", "442079460000"),
            ("00442079460000", "442079460000"),
            ("sip:+14155550100@pbx.example;user=phone", "14155550100"),
            ("tel:+1-415-555-0100", "14155550100"),
        ] {
            assert_eq!(normalize(input, "to").unwrap(), want, "{input}");
        }
    }

    #[test]
    fn refuses_garbage_naming_the_field() {
        for input in ["", "+12", "abc", "+0123456", "+1234567890123456"] {
            let err = normalize(input, "to").unwrap_err();
            assert_eq!(err.code, "number_invalid");
            assert_eq!(err.field, Some("to"));
        }
    }
}
