//! CAPEX devices (W 22): purchases are final (K1), warranty eligibility from dates (K2), what
//! the warranty does not cover (K3) and conversion to HWaaS (K5).

use jiff::civil::Date;

use super::add_months;
use crate::rules;
use crate::Refusal;

/// K2 (W 22.3): the day from which devices carry the standard 1-year warranty (year, month,
/// day); devices bought before it could carry a signed 5-year warranty agreement.
pub const CUTOFF: (i16, i8, i8) = (2022, 7, 1);

/// Months of the standard warranty (K2, W 22.3 a).
pub const STANDARD_MONTHS: i32 = 12;
/// Months of the extended warranty, and the age past which no device gets warranty service or
/// an RMA (K2, W 22.3 b-c).
pub const EXTENDED_MONTHS: i32 = 60;

/// [`CUTOFF`] as a date.
pub fn cutoff() -> Date {
    Date::constant(CUTOFF.0, CUTOFF.1, CUTOFF.2)
}

/// A device's warranty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warranty {
    OneYear,
    FiveYears,
}

impl Warranty {
    pub fn as_str(self) -> &'static str {
        match self {
            Warranty::OneYear => "one_year",
            Warranty::FiveYears => "five_years",
        }
    }

    pub fn months(self) -> i32 {
        match self {
            Warranty::OneYear => STANDARD_MONTHS,
            Warranty::FiveYears => EXTENDED_MONTHS,
        }
    }
}

/// A device under warranty on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eligibility {
    pub warranty: Warranty,
    /// The first day NOT covered (purchase + 1 or 5 years).
    pub ends_on: Date,
    /// The RMA must carry a copy of the signed 5-year agreement (and one is on file).
    pub agreement_copy_required: bool,
}

/// K2 (W 22.3): whether a device bought on `purchased_on` is under warranty on `on` (the day
/// the RMA is requested).
///
/// - Bought on or after 2022-07-01: 1 year (2022-07-01 → covered through 2023-06-30).
/// - Bought before 2022-07-01 with a signed 5-year agreement: 5 years from purchase
///   (2021-03-01 → covered through 2026-02-28); once the device is a year old (on or after
///   purchase + 1 year) the RMA needs a copy of the agreement: refused with
///   `agreement_copy_required` (field `agreement`) when none is on file.
/// - Past the end: `warranty_expired`, naming the last covered day. A device older than 5
///   years gets neither warranty service nor an RMA (W 22.3 c) whatever its agreement.
///
/// **Decisions:** W 22.3 a) says "purchased after 1 July 2022" and b) "before July 01 2022",
/// leaving the day itself to neither; RULEBOOK K2 puts it in the 1-year rule ("on or after"),
/// and so does this function. A device bought before the cutoff without an agreement: the
/// text gives it no warranty of its own; it gets the standard 1 year (the general rule for
/// CAPEX devices; long expired for any request made today). A 5-year agreement on a device
/// bought on or after the cutoff is not one the terms know (they were sold "before July 01
/// 2022"): such a device has the standard year. "Over one (1) year old" counts from the
/// anniversary of the purchase, the day the standard year would have ended.
pub fn eligibility(
    purchased_on: Date,
    five_year_agreement: bool,
    agreement_copy_on_file: bool,
    on: Date,
) -> Result<Eligibility, Refusal> {
    if on < purchased_on {
        return Err(Refusal::invalid(
            "purchase_date_invalid",
            "purchased_on",
            format!("the purchase date {purchased_on} is after the request date {on}"),
        ));
    }
    let warranty = if five_year_agreement && purchased_on < cutoff() {
        Warranty::FiveYears
    } else {
        Warranty::OneYear
    };
    let ends_on = add_months(purchased_on, warranty.months());
    if on >= ends_on {
        let last = ends_on.yesterday().unwrap_or(ends_on);
        let what = match warranty {
            Warranty::OneYear => "the 1-year warranty",
            Warranty::FiveYears => "the 5-year warranty agreement",
        };
        let older = if on >= add_months(purchased_on, EXTENDED_MONTHS) {
            "; a device older than 5 years gets no warranty service and no RMA"
        } else {
            ""
        };
        return Err(Refusal::new(
            "warranty_expired",
            rules::K2,
            format!("{what} of a device bought on {purchased_on} covered it through {last}{older}"),
        ));
    }
    let agreement_copy_required =
        warranty == Warranty::FiveYears && on >= add_months(purchased_on, STANDARD_MONTHS);
    if agreement_copy_required && !agreement_copy_on_file {
        return Err(Refusal::new(
            "agreement_copy_required",
            rules::K2,
            format!(
                "the device is over one year old (bought on {purchased_on}): an RMA under the \
                 5-year warranty needs a copy of the signed agreement"
            ),
        )
        .on_field("agreement"));
    }
    Ok(Eligibility {
        warranty,
        ends_on,
        agreement_copy_required,
    })
}

/// K3 (W 22.4): what the warranty does not cover, as the verifier records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exclusion {
    Misuse,
    Neglect,
    Accident,
    UnauthorisedChange,
    UnsuitableEnvironment,
    Wear,
    Loss,
    Theft,
}

impl Exclusion {
    pub const ALL: [Exclusion; 8] = [
        Exclusion::Misuse,
        Exclusion::Neglect,
        Exclusion::Accident,
        Exclusion::UnauthorisedChange,
        Exclusion::UnsuitableEnvironment,
        Exclusion::Wear,
        Exclusion::Loss,
        Exclusion::Theft,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::Misuse => "misuse",
            Exclusion::Neglect => "neglect",
            Exclusion::Accident => "accident",
            Exclusion::UnauthorisedChange => "unauthorised_change",
            Exclusion::UnsuitableEnvironment => "unsuitable_environment",
            Exclusion::Wear => "wear",
            Exclusion::Loss => "loss",
            Exclusion::Theft => "theft",
        }
    }

    /// How a refusal names it.
    pub fn label(self) -> &'static str {
        match self {
            Exclusion::Misuse => "damage caused by misuse",
            Exclusion::Neglect => "damage caused by neglect",
            Exclusion::Accident => "damage caused by accidents",
            Exclusion::UnauthorisedChange => "damage caused by unauthorised modifications",
            Exclusion::UnsuitableEnvironment => {
                "damage caused by operation in unsuitable environments"
            }
            Exclusion::Wear => "normal wear and tear",
            Exclusion::Loss => "loss of the equipment",
            Exclusion::Theft => "theft of the equipment",
        }
    }

    /// Reads a stored or submitted exclusion; `exclusion_invalid` on field `exclusion`
    /// otherwise.
    pub fn parse(s: &str) -> Result<Exclusion, Refusal> {
        Exclusion::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "exclusion_invalid",
                    "exclusion",
                    format!(
                        "`{s}` is not a warranty exclusion; one of: misuse, neglect, accident, \
                         unauthorised_change, unsuitable_environment, wear, loss, theft"
                    ),
                )
            })
    }
}

/// K3: the verifier's findings; the first exclusion found refuses the claim (`not_covered`,
/// field `exclusions`), naming it.
pub fn check_exclusions(found: &[Exclusion]) -> Result<(), Refusal> {
    match found.first() {
        None => Ok(()),
        Some(e) => Err(Refusal::new(
            "not_covered",
            rules::K3,
            format!("the warranty does not cover {} ({})", e.label(), e.as_str()),
        )
        .on_field("exclusions")),
    }
}

/// K5 (W 22.6): an operational CAPEX device converts to HWaaS at any time, free; a
/// non-operational one cannot (`device_not_operational`, field `operational`).
pub fn check_conversion(operational: bool) -> Result<(), Refusal> {
    if operational {
        return Ok(());
    }
    Err(Refusal::new(
        "device_not_operational",
        rules::K5,
        "only an operational CAPEX device can be converted to HWaaS",
    )
    .on_field("operational"))
}

/// K1 (W 22.2): a CAPEX purchase is final: no cancellation, return or refund once the order
/// is confirmed (except where the law requires one, which an operator handles outside this
/// rule).
pub fn check_capex_return() -> Refusal {
    Refusal::new(
        "purchase_final",
        rules::K1,
        "CAPEX device purchases are final: once the order is confirmed there is no \
         cancellation, return or refund",
    )
}
