//! Message segments (B8, product facts: SMS are billed per segment): GSM-7 when every
//! character is in the default alphabet (160 septets in one message, 153 per part of a
//! concatenated one, an escaped character never split), UCS-2 otherwise (70 UTF-16 units, 67
//! per part, a surrogate pair never split).

use super::gsm7::{self, Septets};

pub const GSM7_SINGLE: u32 = 160;
pub const GSM7_PART: u32 = 153;
pub const UCS2_SINGLE: u32 = 70;
pub const UCS2_PART: u32 = 67;

/// The encoding a body needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }
}

/// The encoding and the number of segments of a body (an empty body is one segment).
pub fn count(body: &str) -> (Encoding, u32) {
    let gsm: Option<Vec<u32>> = body
        .chars()
        .map(|c| {
            gsm7::encode_char(c).map(|s| match s {
                Septets::Basic(_) => 1,
                Septets::Extended(_) => 2,
            })
        })
        .collect();
    match gsm {
        Some(units) => (Encoding::Gsm7, parts(&units, GSM7_SINGLE, GSM7_PART)),
        None => {
            let units: Vec<u32> = body.chars().map(|c| c.len_utf16() as u32).collect();
            (Encoding::Ucs2, parts(&units, UCS2_SINGLE, UCS2_PART))
        }
    }
}

/// Parts needed for characters of `units` each (never split), `single` in one message,
/// `part` in each part of a concatenated one.
fn parts(units: &[u32], single: u32, part: u32) -> u32 {
    let total: u32 = units.iter().sum();
    if total <= single {
        return 1;
    }
    let (mut n, mut fill) = (1u32, 0u32);
    for &u in units {
        if fill + u > part {
            n += 1;
            fill = 0;
        }
        fill += u;
    }
    n
}
