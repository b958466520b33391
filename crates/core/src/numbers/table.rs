//! The numbering table (as data): capabilities, number types, countries, classification.

use super::*;

/// What a number may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    Voice,
    Sms,
    Fax,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Voice, Capability::Sms, Capability::Fax];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Voice => "voice",
            Capability::Sms => "sms",
            Capability::Fax => "fax",
        }
    }

    pub fn parse(s: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Parses a capability list (`voice,sms`), refusing unknown or empty ones. Sorted, unique.
pub fn parse_capabilities(s: &str, field: &'static str) -> Result<Vec<Capability>, Refusal> {
    let mut out = Vec::new();
    for part in s.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        let c = Capability::parse(part).ok_or_else(|| {
            Refusal::invalid(
                "capability_invalid",
                field,
                format!("`{part}` is not a capability (voice, sms, fax)"),
            )
        })?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(Refusal::invalid(
            "capability_invalid",
            field,
            "name at least one capability (voice, sms, fax)",
        ));
    }
    out.sort();
    Ok(out)
}

/// Formats capabilities as stored (`voice,sms`).
pub fn capabilities_text(caps: &[Capability]) -> String {
    caps.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberType {
    Geographic,
    Mobile,
    TollFree,
    National,
    PremiumRate,
    SharedCost,
    Personal,
}

impl NumberType {
    pub const ALL: [NumberType; 7] = [
        NumberType::Geographic,
        NumberType::Mobile,
        NumberType::TollFree,
        NumberType::National,
        NumberType::PremiumRate,
        NumberType::SharedCost,
        NumberType::Personal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NumberType::Geographic => "geographic",
            NumberType::Mobile => "mobile",
            NumberType::TollFree => "toll_free",
            NumberType::National => "national",
            NumberType::PremiumRate => "premium_rate",
            NumberType::SharedCost => "shared_cost",
            NumberType::Personal => "personal",
        }
    }

    pub fn parse(s: &str) -> Option<NumberType> {
        NumberType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Capabilities a number of this type has when the import does not say.
    pub fn default_capabilities(self) -> Vec<Capability> {
        match self {
            NumberType::Geographic => vec![Capability::Voice, Capability::Fax],
            NumberType::Mobile => vec![Capability::Voice, Capability::Sms],
            _ => vec![Capability::Voice],
        }
    }
}

/// One country of the numbering table.
#[derive(Debug, Clone, Copy)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub iso: &'static str,
    /// E.164 country calling code.
    pub cc: &'static str,
    /// National significant number length, shortest and longest.
    pub nsn_len: (usize, usize),
    /// Leading digits of the national number → type; longest match wins; otherwise
    /// `default_type`.
    pub types: &'static [(&'static str, NumberType)],
    pub default_type: NumberType,
    /// T11: a geographic number needs a service address in the number's country.
    pub local_address_for_geographic: bool,
    /// T11: number types that need an identity document on file before activation.
    pub identity_document_for: &'static [NumberType],
    /// CNAM (caller name) is provisioned for this country.
    pub cnam: bool,
}

use NumberType::{Geographic, Mobile, National, Personal, PremiumRate, SharedCost, TollFree};

const NANP_TYPES: &[(&str, NumberType)] = &[
    ("800", TollFree),
    ("833", TollFree),
    ("844", TollFree),
    ("855", TollFree),
    ("866", TollFree),
    ("877", TollFree),
    ("888", TollFree),
    ("900", PremiumRate),
    ("500", Personal),
    ("533", Personal),
    ("544", Personal),
];

/// The numbering table (data, not code branches). Requirements per country (T11) are the
/// product's reading of common national rules; an operator confirms them for its market.
pub const COUNTRIES: &[Country] = &[
    Country {
        iso: "US",
        cc: "1",
        nsn_len: (10, 10),
        types: NANP_TYPES,
        default_type: Geographic,
        local_address_for_geographic: false,
        identity_document_for: &[],
        cnam: true,
    },
    Country {
        iso: "CA",
        cc: "1",
        nsn_len: (10, 10),
        types: NANP_TYPES,
        default_type: Geographic,
        local_address_for_geographic: false,
        identity_document_for: &[],
        cnam: true,
    },
    Country {
        iso: "GB",
        cc: "44",
        nsn_len: (9, 10),
        types: &[
            ("1", Geographic),
            ("2", Geographic),
            ("3", National),
            ("55", National),
            ("56", National),
            ("7", Mobile),
            ("70", Personal),
            ("800", TollFree),
            ("808", TollFree),
            ("84", SharedCost),
            ("87", SharedCost),
            ("9", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "DE",
        cc: "49",
        nsn_len: (6, 13),
        types: &[
            ("15", Mobile),
            ("16", Mobile),
            ("17", Mobile),
            ("180", SharedCost),
            ("32", National),
            ("700", Personal),
            ("800", TollFree),
            ("900", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic, National],
        cnam: false,
    },
    Country {
        iso: "FR",
        cc: "33",
        nsn_len: (9, 9),
        types: &[
            ("1", Geographic),
            ("2", Geographic),
            ("3", Geographic),
            ("4", Geographic),
            ("5", Geographic),
            ("6", Mobile),
            ("7", Mobile),
            ("80", TollFree),
            ("81", SharedCost),
            ("82", SharedCost),
            ("89", PremiumRate),
            ("9", National),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic],
        cnam: false,
    },
    Country {
        iso: "IT",
        cc: "39",
        nsn_len: (6, 11),
        types: &[
            ("0", Geographic),
            ("3", Mobile),
            ("178", Personal),
            ("800", TollFree),
            ("803", TollFree),
            ("84", SharedCost),
            ("89", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic, Mobile],
        cnam: false,
    },
    Country {
        iso: "ES",
        cc: "34",
        nsn_len: (9, 9),
        types: &[
            ("6", Mobile),
            ("7", Mobile),
            ("70", Personal),
            ("51", National),
            ("8", Geographic),
            ("9", Geographic),
            ("803", PremiumRate),
            ("806", PremiumRate),
            ("807", PremiumRate),
            ("900", TollFree),
            ("901", SharedCost),
            ("902", SharedCost),
            ("905", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic],
        cnam: false,
    },
    Country {
        iso: "NL",
        cc: "31",
        nsn_len: (9, 9),
        types: &[
            ("6", Mobile),
            ("800", TollFree),
            ("84", Personal),
            ("87", Personal),
            ("85", National),
            ("88", National),
            ("90", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "BE",
        cc: "32",
        nsn_len: (8, 9),
        types: &[
            ("45", Mobile),
            ("46", Mobile),
            ("47", Mobile),
            ("48", Mobile),
            ("49", Mobile),
            ("70", SharedCost),
            ("78", National),
            ("800", TollFree),
            ("90", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic],
        cnam: false,
    },
    Country {
        iso: "IE",
        cc: "353",
        nsn_len: (7, 9),
        types: &[
            ("83", Mobile),
            ("85", Mobile),
            ("86", Mobile),
            ("87", Mobile),
            ("89", Mobile),
            ("1800", TollFree),
            ("1850", SharedCost),
            ("1890", SharedCost),
            ("818", SharedCost),
            ("15", PremiumRate),
            ("76", National),
            ("700", Personal),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "AT",
        cc: "43",
        nsn_len: (4, 13),
        types: &[
            ("65", Mobile),
            ("66", Mobile),
            ("67", Mobile),
            ("68", Mobile),
            ("69", Mobile),
            ("720", National),
            ("780", National),
            ("800", TollFree),
            ("810", SharedCost),
            ("820", SharedCost),
            ("821", SharedCost),
            ("900", PremiumRate),
            ("930", PremiumRate),
            ("939", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[Geographic, National],
        cnam: false,
    },
    Country {
        iso: "CH",
        cc: "41",
        nsn_len: (9, 9),
        types: &[
            ("74", Mobile),
            ("75", Mobile),
            ("76", Mobile),
            ("77", Mobile),
            ("78", Mobile),
            ("79", Mobile),
            ("58", National),
            ("800", TollFree),
            ("84", SharedCost),
            ("878", Personal),
            ("90", PremiumRate),
        ],
        default_type: Geographic,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
    Country {
        iso: "AU",
        cc: "61",
        nsn_len: (9, 9),
        types: &[
            ("2", Geographic),
            ("3", Geographic),
            ("7", Geographic),
            ("8", Geographic),
            ("4", Mobile),
            ("5", Personal),
            ("1800", TollFree),
            ("13", SharedCost),
            ("1300", SharedCost),
            ("190", PremiumRate),
        ],
        default_type: National,
        local_address_for_geographic: true,
        identity_document_for: &[],
        cnam: false,
    },
];

/// A country by ISO code.
pub fn country(iso: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.iso == iso)
}

/// What the table says about a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberInfo {
    /// E.164 digits, no `+`.
    pub digits: String,
    pub country: &'static str,
    pub cc: &'static str,
    pub number_type: NumberType,
}

/// Classifies E.164 digits (already normalised, see [`crate::e164::normalize`]): country by
/// calling code, length check, type by the longest matching leading digits.
pub fn classify(digits: &str, field: &'static str) -> Result<NumberInfo, Refusal> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::invalid(
            "number_invalid",
            field,
            format!("`{digits}` is not E.164 digits"),
        ));
    }
    // The country comes from the one calling-code table (NANP by area code); the numbering
    // table says what this product supports there.
    let supported =
        crate::country::country_of(digits).and_then(|iso| COUNTRIES.iter().find(|c| c.iso == iso));
    let Some(c) = supported else {
        return Err(Refusal::invalid(
            "number_country_unsupported",
            field,
            format!(
                "+{digits}: {} is not in the numbering table",
                crate::country::country_of(digits).unwrap_or("the country calling code")
            ),
        ));
    };
    let cc = c.cc;
    let nsn = &digits[cc.len()..];
    if nsn.len() < c.nsn_len.0 || nsn.len() > c.nsn_len.1 {
        return Err(Refusal::invalid(
            "number_length_invalid",
            field,
            format!(
                "+{digits}: a {} number has {} to {} digits after +{cc}, not {}",
                c.iso,
                c.nsn_len.0,
                c.nsn_len.1,
                nsn.len()
            ),
        ));
    }
    if cc == "1" && (nsn.starts_with('0') || nsn.starts_with('1')) {
        return Err(Refusal::invalid(
            "number_invalid",
            field,
            format!("+{digits}: NANP area codes never start with 0 or 1"),
        ));
    }
    let number_type = c
        .types
        .iter()
        .filter(|(p, _)| nsn.starts_with(p))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, t)| *t)
        .unwrap_or(c.default_type);
    Ok(NumberInfo {
        digits: digits.to_string(),
        country: c.iso,
        cc,
        number_type,
    })
}
