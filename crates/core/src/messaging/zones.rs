//! The time zones and the state of a telephone number (M4): the **one** table, generated from
//! libphonenumber's metadata by `scripts/gen_number_zones.py` into
//! `reference/number-zones.csv` (`prefix,zones,region`; the longest prefix wins). A NANP
//! area code lists every zone any part of it is in (the rule then requires all of them) and
//! its US state or Canadian province (`US-TX`).

use std::collections::HashMap;
use std::sync::OnceLock;

const NUMBER_ZONES: &str = include_str!("../../../../reference/number-zones.csv");
/// Longest prefix the table may hold.
const MAX_PREFIX_DIGITS: usize = 15;

/// Where a number is: its IANA zones and, for NANP numbers in the US and Canada, its ISO
/// 3166-2 subdivision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub zones: &'static [&'static str],
    pub region: Option<&'static str>,
}

fn table() -> &'static HashMap<&'static str, Place> {
    static T: OnceLock<HashMap<&'static str, Place>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for line in NUMBER_ZONES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .skip(1)
        {
            let mut cols = line.splitn(3, ',');
            let (Some(prefix), Some(zones), region) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let zones: Vec<&'static str> = zones.split(';').filter(|z| !z.is_empty()).collect();
            if zones.is_empty() {
                continue;
            }
            m.insert(
                prefix,
                Place {
                    zones: Box::leak(zones.into_boxed_slice()),
                    region: region.filter(|r| !r.is_empty()),
                },
            );
        }
        m
    })
}

/// The place of an E.164 number (digits, no `+`): the longest listed prefix's.
pub fn place_of(digits: &str) -> Option<Place> {
    let t = table();
    (1..=digits.len().min(MAX_PREFIX_DIGITS))
        .rev()
        .find_map(|n| digits.get(..n).and_then(|p| t.get(p)).copied())
}

/// Every zone name the table uses (to resolve them all once at start).
pub fn all_zones() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = table()
        .values()
        .flat_map(|p| p.zones.iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}
