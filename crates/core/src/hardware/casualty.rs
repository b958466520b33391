//! Damage, fire, theft and loss of a leased device (E5 W 21.17-21.18, E6 W 21.19) and worn
//! devices (E8 W 21.14): whether the replacement is free or charged at the model's casualty
//! value, and when it must ship.

use crate::decision::RuleRef;
use crate::rules;
use crate::support::clock::{self, Calendar};
use crate::Refusal;

/// The cause a replacement request states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// A product defect.
    Defect,
    /// Accidental damage.
    Accident,
    /// Damage inflicted voluntarily by the operating personnel.
    Deliberate,
    Fire,
    Theft,
    /// Complete loss not caused by fire or theft.
    Loss,
    /// Damage from use in an environment the device is not designed for.
    UnsuitableEnvironment,
    /// Normal wear: the appearance no longer good enough for the intended use.
    Wear,
}

impl Cause {
    pub const ALL: [Cause; 8] = [
        Cause::Defect,
        Cause::Accident,
        Cause::Deliberate,
        Cause::Fire,
        Cause::Theft,
        Cause::Loss,
        Cause::UnsuitableEnvironment,
        Cause::Wear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Defect => "defect",
            Cause::Accident => "accident",
            Cause::Deliberate => "deliberate",
            Cause::Fire => "fire",
            Cause::Theft => "theft",
            Cause::Loss => "loss",
            Cause::UnsuitableEnvironment => "unsuitable_environment",
            Cause::Wear => "wear",
        }
    }

    /// Reads a stored or submitted cause; `cause_invalid` on field `cause` otherwise.
    pub fn parse(s: &str) -> Result<Cause, Refusal> {
        Cause::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "cause_invalid",
                    "cause",
                    format!(
                        "`{s}` is not a cause; one of: defect, accident, deliberate, fire, \
                         theft, loss, unsuitable_environment, wear"
                    ),
                )
            })
    }
}

/// The police report filed for a theft or a fire (E5): the model and serial number it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoliceReport {
    pub model: String,
    pub serial: String,
}

/// A replacement request for one leased device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim<'a> {
    pub cause: Cause,
    /// Whether the device and its serial-number label can still be identified.
    pub label_identifiable: bool,
    pub police_report: Option<&'a PoliceReport>,
    /// The device's model and serial as Annex A lists them.
    pub device_model: &'a str,
    pub device_serial: &'a str,
}

/// What a replacement costs the lessee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Replaced at no cost (transport aside, charged at cost on the next invoice, E5).
    Free { rule: RuleRef },
    /// The model's casualty value is invoiced.
    Charged { rule: RuleRef },
}

impl Outcome {
    pub fn rule(self) -> RuleRef {
        match self {
            Outcome::Free { rule } | Outcome::Charged { rule } => rule,
        }
    }

    pub fn is_charged(self) -> bool {
        matches!(self, Outcome::Charged { .. })
    }
}

/// Whether a replacement is free or charged (E5, E6, E8), or refused for want of proof.
///
/// - Defect, accident, deliberate damage, fire: free while the device and its serial label can
///   be identified (E5, W 21.17-21.18).
/// - Theft, and fire that destroyed the label: free with a police report naming the device's
///   model and serial (compared trimmed, case-insensitively); refused without one
///   (`police_report_required`) or when it names another device (`police_report_mismatch`).
/// - **Decision:** damage (defect, accident, deliberate) that left the device or its label
///   unidentifiable follows the same path: W 21.17 replaces "theft, fire, or other events that
///   make it impossible to read the original Equipment label information" on a police report.
///   Without one it is refused with `device_unidentifiable` (field `label_identifiable`); with a
///   matching one it is free.
/// - Complete loss not caused by fire or theft, and damage from an unsuitable environment:
///   charged at the casualty value (E6, W 21.19).
/// - Wear: free on request (E8, W 21.14).
pub fn decide(c: &Claim<'_>) -> Result<Outcome, Refusal> {
    let free = Ok(Outcome::Free { rule: rules::E5 });
    match c.cause {
        Cause::Loss | Cause::UnsuitableEnvironment => Ok(Outcome::Charged { rule: rules::E6 }),
        Cause::Wear => Ok(Outcome::Free { rule: rules::E8 }),
        Cause::Defect | Cause::Accident | Cause::Deliberate | Cause::Fire
            if c.label_identifiable =>
        {
            free
        }
        Cause::Defect | Cause::Accident | Cause::Deliberate if c.police_report.is_none() => {
            Err(Refusal::new(
                "device_unidentifiable",
                rules::E5,
                "a damaged device is replaced free while it and its serial label can be \
                 identified; otherwise a police report naming the model and serial number is \
                 needed",
            )
            .on_field("label_identifiable"))
        }
        Cause::Defect | Cause::Accident | Cause::Deliberate | Cause::Fire | Cause::Theft => {
            check_police_report(c)?;
            free
        }
    }
}

/// E5: the claim's police report exists and names the device's model and serial.
fn check_police_report(c: &Claim<'_>) -> Result<(), Refusal> {
    let what = match c.cause {
        Cause::Theft => "a stolen device",
        Cause::Fire => "a device whose label a fire destroyed",
        _ => "a device whose label cannot be read",
    };
    let Some(report) = c.police_report else {
        return Err(Refusal::new(
            "police_report_required",
            rules::E5,
            format!(
                "{what} is replaced on a copy of the police report naming its model and serial \
                 number"
            ),
        )
        .on_field("police_report"));
    };
    let same = |a: &str, b: &str| {
        let (a, b) = (a.trim(), b.trim());
        !a.is_empty() && a.to_lowercase() == b.to_lowercase()
    };
    if same(&report.model, c.device_model) && same(&report.serial, c.device_serial) {
        return Ok(());
    }
    Err(Refusal::new(
        "police_report_mismatch",
        rules::E5,
        format!(
            "the police report names model `{}` serial `{}`; the device is model `{}` serial `{}`",
            report.model.trim(),
            report.serial.trim(),
            c.device_model.trim(),
            c.device_serial.trim()
        ),
    )
    .on_field("police_report"))
}

/// E5: "the new product will be shipped within one working day", in support-hour minutes.
///
/// **Decision:** one working day is one day of support hours (09:00-18:00 local, Monday to
/// Friday less the region's holidays), the reading H7 gives "one business day"; this is the
/// same figure as [`clock::CARE_REVIEW_MIN`].
pub const SHIP_WITHIN_MIN: i64 = clock::CARE_REVIEW_MIN;

/// E5: when a replacement requested at `requested_at_unix` must have shipped: one working day
/// of the region's support calendar later (the clock stands still outside support hours).
/// Requested Monday 15:00 → Tuesday 15:00; Friday 17:00 → Monday 17:00; on a Saturday →
/// Monday 18:00. The app tracks the due time and reports breaches.
pub fn ship_by(requested_at_unix: i64, calendar: &Calendar) -> i64 {
    calendar.add_support_minutes(requested_at_unix, SHIP_WITHIN_MIN)
}
