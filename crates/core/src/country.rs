//! The country of a telephone number and the emergency numbers of each country: the **one**
//! source of truth for both (T13, F2).
//!
//! Both tables are data generated from libphonenumber's metadata by
//! `scripts/gen_country_tables.py` and committed under `reference/`; nothing is downloaded at
//! build or run time. Every other module asks this one: the guard (international or not,
//! emergency or not), the numbering rules, rating's country lists.
//!
//! * `reference/calling-codes.csv`: `prefix,iso`. A calling code maps to its main region; a
//!   longer prefix (a NANP area code such as `1876` → `JM`, or leading digits such as
//!   `441481` → `GG`) maps to the region that shares the code. The longest prefix wins.
//! * `reference/emergency-numbers.csv`: `iso,number`, the short codes that reach emergency
//!   services in each region, plus the terms' rules (112 in the EU/EEA, GB and CH; 911 in
//!   NANP; 000 in AU). A short code is an emergency number only in the country that lists it:
//!   `118` is medical help in Italy and directory enquiries in the United Kingdom.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const CALLING_CODES: &str = include_str!("../../../reference/calling-codes.csv");
const EMERGENCY_NUMBERS: &str = include_str!("../../../reference/emergency-numbers.csv");

/// Longest prefix the calling-code table holds (E.164 allows 15 digits in all).
const MAX_PREFIX_DIGITS: usize = 15;

struct Tables {
    /// Prefix → ISO 3166-1 alpha-2.
    by_prefix: HashMap<&'static str, &'static str>,
    /// ISO → its calling code (the shortest prefix mapped to it, or the code it shares).
    code_of: HashMap<&'static str, &'static str>,
    /// ISO → emergency short codes.
    emergency: HashMap<&'static str, Vec<&'static str>>,
    /// Every short code that is an emergency number somewhere.
    any_emergency: HashSet<&'static str>,
}

fn rows(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let (a, b) = l.split_once(',')?;
            Some((a.trim(), b.trim()))
        })
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut by_prefix = HashMap::new();
        for (prefix, iso) in rows(CALLING_CODES) {
            by_prefix.insert(prefix, iso);
        }
        // Calling codes are prefix-free (ITU-T E.164), so the shortest listed prefix of a
        // number is its calling code; a region's code is the calling code of its prefixes.
        let mut code_of: HashMap<&'static str, &'static str> = HashMap::new();
        let mut prefixes: Vec<(&'static str, &'static str)> =
            by_prefix.iter().map(|(p, i)| (*p, *i)).collect();
        prefixes.sort_by_key(|(p, _)| (p.len(), *p));
        for (prefix, iso) in prefixes {
            let cc = (1..=prefix.len())
                .map(|n| &prefix[..n])
                .find(|p| by_prefix.contains_key(p))
                .unwrap_or(prefix);
            code_of.entry(iso).or_insert(cc);
        }
        let mut emergency: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        let mut any_emergency = HashSet::new();
        for (iso, number) in rows(EMERGENCY_NUMBERS) {
            emergency.entry(iso).or_default().push(number);
            any_emergency.insert(number);
        }
        Tables {
            by_prefix,
            code_of,
            emergency,
            any_emergency,
        }
    })
}

/// The ISO 3166-1 alpha-2 region of E.164 digits (no `+`), by the longest listed prefix;
/// `None` when no calling code matches.
pub fn country_of(digits: &str) -> Option<&'static str> {
    let t = tables();
    (1..=digits.len().min(MAX_PREFIX_DIGITS))
        .rev()
        .find_map(|n| t.by_prefix.get(&digits[..n]).copied())
}

/// The country calling code of E.164 digits (`1`, `44`, `353`); `None` when unknown.
pub fn calling_code(digits: &str) -> Option<&'static str> {
    let t = tables();
    (1..=digits.len().min(3)).find_map(|n| t.by_prefix.get_key_value(&digits[..n]).map(|(k, _)| *k))
}

/// The calling code of a region (`JM` → `1`, `GG` → `44`).
pub fn calling_code_of(iso: &str) -> Option<&'static str> {
    tables().code_of.get(iso).copied()
}

/// Whether `iso` is a region the numbering tables know (ISO 3166-1 alpha-2, upper case).
pub fn is_known(iso: &str) -> bool {
    tables().code_of.contains_key(iso)
}

/// Every country calling code, sorted (each once, `1` for all of NANP).
pub fn calling_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = tables().code_of.values().copied().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every known region, sorted.
pub fn all() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = tables().code_of.keys().copied().collect();
    v.sort_unstable();
    v
}

/// The emergency short codes of a region (T13).
pub fn emergency_numbers(iso: &str) -> &'static [&'static str] {
    tables().emergency.get(iso).map_or(&[], Vec::as_slice)
}

/// Every emergency short code with the regions that use it, sorted by code: what the SIP
/// edge relays on its own when the guard cannot answer (T13), generated from this table.
pub fn emergency_codes() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut by_code: std::collections::BTreeMap<&'static str, Vec<&'static str>> =
        std::collections::BTreeMap::new();
    for (iso, codes) in &tables().emergency {
        for code in codes {
            by_code.entry(code).or_default().push(iso);
        }
    }
    by_code
        .into_iter()
        .map(|(code, mut isos)| {
            isos.sort_unstable();
            isos.dedup();
            (code, isos)
        })
        .collect()
}

/// The digits of a dialled string, when it is written as a short code or a number (`+`,
/// spaces, dashes, dots and brackets ignored); `None` when it holds anything else.
fn dialled_digits(dialled: &str) -> Option<String> {
    let mut s = dialled.trim();
    for scheme in ["sip:", "sips:", "tel:"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            s = rest;
        }
    }
    if let Some(at) = s.find(['@', ';']) {
        s = &s[..at];
    }
    let plus = s.starts_with('+');
    let mut d = String::with_capacity(16);
    for c in s.trim_start_matches('+').chars() {
        match c {
            '0'..='9' => d.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    if plus {
        d.insert(0, '+');
    }
    Some(d)
}

/// The short code an emergency call dialled in international form reaches (`+44 999` and
/// `0044 999` reach `999`); otherwise the digits as dialled (`000` stays `000`). Emergency
/// calls are recorded under this code, so everything downstream (cuts, CDRs) knows them.
pub fn short_code(dialled: &str) -> String {
    let Some(d) = dialled_digits(dialled) else {
        return String::new();
    };
    let bare = d.trim_start_matches('+');
    let international = d.strip_prefix('+').or_else(|| d.strip_prefix("00"));
    if let Some(rest) = international {
        if let Some(cc) = calling_code(rest) {
            let tail = &rest[cc.len()..];
            if tables().any_emergency.contains(tail) {
                return tail.to_string();
            }
        }
    }
    bare.to_string()
}

/// Whether a dialled string reaches emergency services for a caller in `country` (T13): one
/// of the country's short codes as dialled (`999` in GB, `144` in AT), or written after the
/// country's own calling code (`+44 999`).
///
/// When the caller's country is unknown (no caller ID and no account), every code that is an
/// emergency number somewhere is admitted: refusing a real emergency call is the worse error,
/// and such a call has no account to bill or to defraud.
pub fn is_emergency(dialled: &str, country: Option<&str>) -> bool {
    let Some(d) = dialled_digits(dialled) else {
        return false;
    };
    let Some(iso) = country.filter(|c| is_known(c)) else {
        let bare = d.trim_start_matches('+');
        return !d.starts_with('+') && tables().any_emergency.contains(bare);
    };
    let codes = emergency_numbers(iso);
    if let Some(full) = d.strip_prefix('+') {
        let Some(cc) = calling_code_of(iso) else {
            return false;
        };
        return full
            .strip_prefix(cc)
            .is_some_and(|rest| codes.contains(&rest));
    }
    if codes.contains(&d.as_str()) {
        return true;
    }
    // `00` + calling code + short code, the international form some PBXs send.
    calling_code_of(iso)
        .and_then(|cc| d.strip_prefix("00").and_then(|r| r.strip_prefix(cc)))
        .is_some_and(|rest| codes.contains(&rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// T13: (caller's country, dialled, emergency?). Each row is the terms' decision for a
    /// caller in that country; the `false` rows are short codes that are emergency numbers
    /// elsewhere, or ordinary services at home.
    const T13_TABLE: &[(&str, &str, bool)] = &[
        ("GB", "999", true),
        ("GB", "112", true),
        ("GB", "118", false), // directory enquiries in the UK
        ("GB", "101", false), // police non-emergency
        ("GB", "100", false), // operator
        ("GB", "911", false),
        ("GB", "+44 999", true),
        ("IE", "999", true),
        ("IE", "112", true),
        ("IT", "112", true),
        ("IT", "113", true),
        ("IT", "115", true),
        ("IT", "118", true), // medical emergency in Italy
        ("IT", "999", false),
        ("AT", "144", true),
        ("AT", "133", true),
        ("AT", "122", true),
        ("AT", "112", true),
        ("AT", "911", false),
        ("CH", "144", true),
        ("CH", "117", true),
        ("CH", "118", true),
        ("CH", "112", true),
        ("ES", "112", true),
        ("ES", "091", true),
        ("ES", "999", false),
        ("FR", "15", true),
        ("FR", "17", true),
        ("FR", "18", true),
        ("FR", "112", true),
        ("FR", "118", false),
        ("DE", "110", true),
        ("DE", "112", true),
        ("DE", "118", false),
        ("BE", "100", true),
        ("BE", "101", true),
        ("BE", "112", true),
        ("NL", "112", true),
        ("NL", "999", false),
        ("US", "911", true),
        ("US", "999", false),
        ("US", "118", false),
        ("US", "+1 911", true),
        ("CA", "911", true),
        ("JM", "911", true),
        ("PR", "911", true),
        ("AU", "000", true),
        ("AU", "112", true),
        ("AU", "999", false),
        ("SE", "112", true),
        ("PL", "112", true),
        ("NO", "112", true),
        ("EE", "112", true),
        ("PT", "112", true),
        ("GR", "112", true),
        ("LI", "112", true),
        ("IS", "112", true),
        ("US", "4155550100", false),
        ("GB", "+33 112", false), // France's code with a UK caller: not the caller's country
    ];

    #[test]
    fn t13_emergency_numbers_are_per_country() {
        assert!(T13_TABLE.len() >= 40);
        for (iso, dialled, want) in T13_TABLE {
            assert_eq!(
                is_emergency(dialled, Some(iso)),
                *want,
                "{iso} dialling {dialled}"
            );
        }
    }

    #[test]
    fn t13_every_eu_eea_country_and_gb_ch_has_112() {
        const EU_EEA: &[&str] = &[
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
            "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS",
            "LI", "NO", "GB", "CH",
        ];
        for iso in EU_EEA {
            assert!(emergency_numbers(iso).contains(&"112"), "{iso}");
        }
    }

    #[test]
    fn t13_every_nanp_region_has_911() {
        let nanp: Vec<&str> = all()
            .into_iter()
            .filter(|i| calling_code_of(i) == Some("1"))
            .collect();
        assert!(nanp.len() >= 20, "NANP regions: {nanp:?}");
        for iso in nanp {
            assert!(emergency_numbers(iso).contains(&"911"), "{iso}");
        }
    }

    #[test]
    fn t13_an_emergency_call_is_recorded_under_its_short_code() {
        assert_eq!(short_code("+33 112"), "112");
        assert_eq!(short_code("0044999"), "999");
        assert_eq!(short_code("000"), "000");
        assert_eq!(short_code("112"), "112");
        assert_eq!(short_code("+33142685300"), "33142685300");
    }

    #[test]
    fn t13_unknown_country_admits_any_emergency_code() {
        assert!(is_emergency("112", None));
        assert!(is_emergency("144", None));
        assert!(!is_emergency("4155550100", None));
        assert!(!is_emergency("+112", None));
    }

    #[test]
    fn f2_nanp_country_by_area_code() {
        // Caribbean and Pacific NANP members are other countries (revenue-share fraud routes).
        for (digits, iso) in [
            ("18765550123", "JM"),
            ("18095550123", "DO"),
            ("12425550123", "BS"),
            ("14165550123", "CA"),
            ("16045550123", "CA"),
            ("12125550123", "US"),
            ("14155550100", "US"),
            ("17875550123", "PR"),
            ("442079460000", "GB"),
            ("441481700000", "GG"),
            ("33142685300", "FR"),
            ("353123456", "IE"),
            ("79161234567", "RU"),
        ] {
            assert_eq!(country_of(digits), Some(iso), "+{digits}");
        }
        assert_eq!(calling_code("18765550123"), Some("1"));
        assert_eq!(calling_code("353123456"), Some("353"));
        assert_eq!(calling_code("442079460000"), Some("44"));
        assert_eq!(calling_code_of("JM"), Some("1"));
        assert_eq!(calling_code_of("GG"), Some("44"));
        assert!(is_known("US") && is_known("JM") && !is_known("XX") && !is_known("1"));
    }
}
