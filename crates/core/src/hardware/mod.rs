//! Hardware: leased devices (HWaaS, E1-E8, W 21) and devices sold outright (CAPEX, K1-K5,
//! W 22), as date arithmetic and decisions.
//!
//! | module | what | rules |
//! |---|---|---|
//! | this one | device kinds and states, region → owning entity, calendar months | E1 |
//! | [`lease`] | terms, the 6-month hold, invoicing start, cancellation, non-return | E2, E3, E4, E7 |
//! | [`casualty`] | damage, fire, theft, loss: free or charged; when a replacement ships | E5, E6, E8 |
//! | [`warranty`] | CAPEX warranty from dates, exclusions, conversion to HWaaS | K1, K2, K3, K5 |
//! | [`rma`] | the RMA state machine, the US return label's data | K4 |
//!
//! Architecture invariant: everything here is pure. Dates are `jiff::civil::Date` (UTC civil
//! days) passed in by the caller; money is integer micros with checked arithmetic. The store
//! keeps the catalog, devices, leases and RMAs; the app reads the clock and asks these
//! functions what the terms say.
//!
//! **Decision (dates):** a period of months runs from a day to the same day of the month
//! `n` months later, exclusive (delivered 2026-06-01 + 6 months = 2026-12-01, the first day
//! outside the period); a day that does not exist in the target month clamps to its last day
//! (2026-08-31 + 6 months = 2027-02-28).

pub mod casualty;
pub mod lease;
pub mod rma;
pub mod warranty;

#[cfg(test)]
mod tests;

use jiff::civil::Date;
use jiff::Span;

use crate::Refusal;

/// What a device is (catalog data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    DeskPhone,
    Headset,
    Gateway,
    Other,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 4] = [
        DeviceKind::DeskPhone,
        DeviceKind::Headset,
        DeviceKind::Gateway,
        DeviceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::DeskPhone => "desk_phone",
            DeviceKind::Headset => "headset",
            DeviceKind::Gateway => "gateway",
            DeviceKind::Other => "other",
        }
    }

    /// Reads a stored or submitted kind; `kind_invalid` on field `kind` otherwise.
    pub fn parse(s: &str) -> Result<DeviceKind, Refusal> {
        DeviceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "kind_invalid",
                    "kind",
                    format!(
                        "`{s}` is not a device kind; one of: desk_phone, headset, gateway, other"
                    ),
                )
            })
    }
}

/// Where a device (by serial number) stands in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceState {
    Delivered,
    InService,
    Replaced,
    Returned,
    Lost,
    Refurbished,
    Sold,
}

impl DeviceState {
    pub const ALL: [DeviceState; 7] = [
        DeviceState::Delivered,
        DeviceState::InService,
        DeviceState::Replaced,
        DeviceState::Returned,
        DeviceState::Lost,
        DeviceState::Refurbished,
        DeviceState::Sold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Delivered => "delivered",
            DeviceState::InService => "in_service",
            DeviceState::Replaced => "replaced",
            DeviceState::Returned => "returned",
            DeviceState::Lost => "lost",
            DeviceState::Refurbished => "refurbished",
            DeviceState::Sold => "sold",
        }
    }

    /// Reads a stored or submitted state; `state_invalid` on field `state` otherwise.
    pub fn parse(s: &str) -> Result<DeviceState, Refusal> {
        DeviceState::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "state_invalid",
                    "state",
                    format!(
                        "`{s}` is not a device state; one of: delivered, in_service, replaced, \
                         returned, lost, refurbished, sold"
                    ),
                )
            })
    }
}

/// The lessee's region, for the owning entity (E1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    Eu,
    Uk,
    Us,
    Other,
}

/// The 27 EU member states (ISO 3166-1 alpha-2; Greece is `GR`).
pub const EU_MEMBER_STATES: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

impl Region {
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Eu => "eu",
            Region::Uk => "uk",
            Region::Us => "us",
            Region::Other => "other",
        }
    }

    /// The region of the lessee's office from its ISO 3166-1 alpha-2 country code (trimmed,
    /// any case): an EU member state → `Eu`, `GB` (or the reserved `UK`) → `Uk`, `US` → `Us`,
    /// anything else, unknown codes included → `Other`. Never refuses: `Other` is the safe
    /// default (the provider owns the device).
    ///
    /// **Decision:** W 21.4 says "based in Europe"; RULEBOOK E1 reads it as the EU, and so
    /// does this function. A lessee in Norway, Switzerland or another European country
    /// outside the EU and the UK falls to `Other`.
    pub fn parse(iso: &str) -> Region {
        let code = iso.trim().to_ascii_uppercase();
        match code.as_str() {
            "GB" | "UK" => Region::Uk,
            "US" => Region::Us,
            c if EU_MEMBER_STATES.contains(&c) => Region::Eu,
            _ => Region::Other,
        }
    }
}

/// E1 (W 21.4): who owns a leased device. Ownership never passes while it is leased (only on
/// non-return, E7): EU lessees' devices belong to the Estonian entity (Wildix EE OU, Tallinn),
/// UK lessees' to the UK entity (Wildix Limited, Coventry); elsewhere the terms name no
/// entity, and the device stays the provider's.
pub fn owning_entity(region: Region) -> &'static str {
    match region {
        Region::Eu => "estonian_entity",
        Region::Uk => "uk_entity",
        Region::Us | Region::Other => "provider",
    }
}

/// `d` plus `n` calendar months, a day missing in the target month clamped to its last day
/// (2026-08-31 + 6 → 2027-02-28; 2024-02-29 + 12 → 2025-02-28). Saturates at jiff's range
/// (years -9999..=9999), far outside any date the product stores, instead of panicking.
pub fn add_months(d: Date, n: i32) -> Date {
    Span::new()
        .try_months(n)
        .ok()
        .and_then(|s| d.checked_add(s).ok())
        .unwrap_or(if n < 0 { Date::MIN } else { Date::MAX })
}

/// The number of months from `from` to `to`, a partial month counted whole: the smallest
/// `n >= 0` with `add_months(from, n) >= to` (0 when `to <= from`).
/// 2027-03-01 → 2027-06-01 = 3; 2027-03-15 → 2027-06-01 = 3 (2.5 rounded up);
/// 2026-01-31 → 2026-02-28 = 1 (the month end clamps).
pub fn months_between(from: Date, to: Date) -> i64 {
    if to <= from {
        return 0;
    }
    let whole = (i64::from(to.year()) - i64::from(from.year())) * 12
        + (i64::from(to.month()) - i64::from(from.month()));
    // At most 239,976 months separate two jiff dates: the count fits an i32.
    let at = |n: i64| add_months(from, i32::try_from(n).unwrap_or(i32::MAX));
    let mut n = whole.max(0);
    while at(n) < to {
        n += 1;
    }
    while n > 0 && at(n - 1) >= to {
        n -= 1;
    }
    n
}
