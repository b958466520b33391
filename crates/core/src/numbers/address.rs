//! Structured service addresses (T13; the LOA service address, T7) and when they apply.

use super::*;

/// A structured service address (T13; also the LOA's service address, T7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub region: Option<String>,
    /// Dispatchable location: floor and room.
    pub floor: Option<String>,
    pub room: Option<String>,
}

impl Address {
    /// One human-readable line.
    pub fn one_line(&self) -> String {
        let mut parts = vec![self.street.clone()];
        if let Some(f) = &self.floor {
            parts.push(format!("floor {f}"));
        }
        if let Some(r) = &self.room {
            parts.push(format!("room {r}"));
        }
        let mut city = format!("{} {}", self.postcode, self.city);
        if let Some(r) = &self.region {
            city.push_str(&format!(" {r}"));
        }
        parts.push(city);
        parts.push(self.country.clone());
        parts.join(", ")
    }
}

/// Countries whose emergency dispatch needs the state or province with the address (the
/// NANP's 911 centres route by state and province).
pub const REGION_REQUIRED: &[&str] = &["US", "CA"];

/// Checks a structured address, naming the bad field.
pub fn check_address(a: &Address) -> Result<(), Refusal> {
    text("street", &a.street, true)?;
    text("city", &a.city, true)?;
    text("postcode", &a.postcode, true)?;
    for (f, v) in [
        ("region", &a.region),
        ("floor", &a.floor),
        ("room", &a.room),
    ] {
        if let Some(v) = v {
            text(f, v, false)?;
        }
    }
    if a.country.len() != 2
        || !a.country.bytes().all(|b| b.is_ascii_uppercase())
        || !crate::country::is_known(&a.country)
    {
        return Err(Refusal::invalid(
            "country_invalid",
            "country",
            "must be an ISO 3166-1 alpha-2 code such as GB",
        ));
    }
    if REGION_REQUIRED.contains(&a.country.as_str()) && a.region.is_none() {
        return Err(Refusal::invalid(
            "region_required",
            "region",
            format!(
                "an address in {} names its state or province (emergency dispatch, T13)",
                a.country
            ),
        ));
    }
    if !crate::postcode::is_plausible(&a.country, &a.postcode) {
        return Err(Refusal::invalid(
            "postcode_invalid",
            "postcode",
            format!("not a postcode of {}", a.country),
        ));
    }
    Ok(())
}

/// T13: when an address registered at `now` takes effect. The first address of a number,
/// or any address of a number not yet in service, applies at once; a change for a number in
/// service is pending for [`ADDRESS_CHANGE_PENDING_S`] and the old address is used meanwhile.
pub fn address_effective_at(
    state: NumberState,
    has_address: bool,
    now: i64,
    pending_s: i64,
) -> i64 {
    if has_address && state.in_service() {
        now + pending_s
    } else {
        now
    }
}

/// T13: the address version in force at `at`: the latest `effective_at <= at` (later
/// registrations win ties). `versions` are `(effective_at, registered_at, value)`.
pub fn in_force_at<T>(versions: &[(i64, i64, T)], at: i64) -> Option<&T> {
    versions
        .iter()
        .filter(|(eff, _, _)| *eff <= at)
        .max_by_key(|(eff, reg, _)| (*eff, *reg))
        .map(|(_, _, v)| v)
}
