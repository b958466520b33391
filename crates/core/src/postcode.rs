//! Plausible postcodes per country: the one table of postcode formats (issue 11 #9). An
//! emergency address whose postcode cannot exist in its country is refused, so a dispatcher
//! is never sent a typo.
//!
//! Formats are the national postcode formats published by the Universal Postal Union
//! ("Postal addressing systems in member countries"), for the countries Tollgate's demo and
//! terms serve; `N` is a digit, `A` a letter, `*` a letter or digit, anything else itself.
//! A country not listed gets the generic check: 2 to 10 letters, digits, spaces or hyphens,
//! with at least one letter or digit.

/// `(country, formats)`, sorted by country for a binary search.
pub const POSTCODE_FORMATS: &[(&str, &[&str])] = &[
    ("AT", &["NNNN"]),
    ("AU", &["NNNN"]),
    ("BE", &["NNNN"]),
    ("CA", &["ANA NAN", "ANANAN"]),
    ("CH", &["NNNN"]),
    ("DE", &["NNNNN"]),
    ("DK", &["NNNN"]),
    ("ES", &["NNNNN"]),
    ("FI", &["NNNNN"]),
    ("FR", &["NNNNN"]),
    (
        "GB",
        &[
            "AN NAA", "ANN NAA", "AAN NAA", "AANN NAA", "ANA NAA", "AANA NAA",
        ],
    ),
    ("IE", &["A** ****", "A*******"]),
    ("IT", &["NNNNN"]),
    ("LU", &["NNNN", "L-NNNN"]),
    ("NL", &["NNNN AA", "NNNNAA"]),
    ("NO", &["NNNN"]),
    ("NZ", &["NNNN"]),
    ("PL", &["NN-NNN"]),
    ("PT", &["NNNN-NNN"]),
    ("SE", &["NNN NN", "NNNNN"]),
    ("US", &["NNNNN", "NNNNN-NNNN"]),
];

fn fits(code: &str, format: &str) -> bool {
    code.len() == format.len()
        && code.bytes().zip(format.bytes()).all(|(c, f)| match f {
            b'N' => c.is_ascii_digit(),
            b'A' => c.is_ascii_alphabetic(),
            b'*' => c.is_ascii_alphanumeric(),
            other => c == other,
        })
}

/// Whether `postcode` (any case, surrounding spaces ignored) is a plausible postcode of
/// `country` (ISO 3166-1 alpha-2, upper case).
pub fn is_plausible(country: &str, postcode: &str) -> bool {
    let code = postcode.trim().to_ascii_uppercase();
    match POSTCODE_FORMATS.binary_search_by(|(c, _)| c.cmp(&country)) {
        Ok(i) => POSTCODE_FORMATS[i].1.iter().any(|f| fits(&code, f)),
        Err(_) => {
            (2..=10).contains(&code.len())
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
                && code.bytes().any(|b| b.is_ascii_alphanumeric())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_for_its_binary_search() {
        assert!(POSTCODE_FORMATS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn i11_9_postcodes_are_checked_against_their_country() {
        for (c, p) in [
            ("FR", "75007"),
            ("GB", "SW1A 1AA"),
            ("GB", "m1 1ae"),
            ("NL", "1015 DK"),
            ("US", "94105-1804"),
            ("IE", "D02 X285"),
            ("CA", "K1A 0B1"),
            ("JP", "100-0001"),
        ] {
            assert!(is_plausible(c, p), "{c} {p}");
        }
        for (c, p) in [
            ("FR", "7500"),
            ("GB", "12345"),
            ("US", "ABCDE"),
            ("NL", "DK 1015"),
            ("DE", "1234567"),
            ("JP", "!!"),
            ("JP", "x"),
        ] {
            assert!(!is_plausible(c, p), "{c} {p}");
        }
    }
}
