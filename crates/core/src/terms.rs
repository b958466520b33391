//! Terms profiles: the parameters of the RULEBOOK profile table, as versioned data.
//!
//! The three texts (`wildix-2026`, `wildix-earlier`, `x-hoppers-2025`) are three profiles of
//! one engine, never code branches. A profile is parsed from TOML text (the caller reads the
//! file) and validated; every error names the file, the key and the problem.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::decision::RuleRef;
use crate::money::{parse_scaled, Currency};
use crate::rules;
use crate::tenancy::PartnerTier;

/// A terms profile, validated.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TermsProfile {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// The terms text the profile was read from (a file under `shared/terms/`).
    pub source: String,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    pub availability: Availability,
    pub telephony: Telephony,
    pub contract: Contract,
    pub billing: Billing,
    pub support: Support,
    /// Clause overrides per rule ID, where the profile's text numbers a rule differently.
    #[serde(default)]
    pub clauses: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// S1: availability commitment in percent, as a decimal string (`"99.99"`).
    pub commitment_pct: String,
    /// S1: hours before a maintenance window its notice must go out for the window to be
    /// excluded from availability. **Decision:** the terms say "notified in advance" without a
    /// lead time; 48 hours unless the profile says otherwise.
    #[serde(default = "default_maintenance_notice_h")]
    pub maintenance_notice_h: u32,
    /// S3: the tiers of the month's availability and the share of the licence fee payable:
    /// `[["99", 100], ["90", 90], ...]`, descending, the last from `"0"`.
    #[serde(default = "default_sla_tiers")]
    pub sla_tiers: Vec<(String, i64)>,
}

fn default_maintenance_notice_h() -> u32 {
    48
}

fn default_sla_tiers() -> Vec<(String, i64)> {
    [("99", 100), ("90", 90), ("80", 70), ("70", 50), ("0", 0)]
        .iter()
        .map(|(p, v)| (p.to_string(), *v))
        .collect()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Telephony {
    /// T5: CLASSOUND restoration time, hours.
    pub restoration_time_h: u32,
    /// Longest single call, seconds (product facts: 4 h).
    pub max_call_duration_s: u32,
    /// T1: guaranteed bandwidth per simultaneous call.
    pub bandwidth_per_call_kbps: u32,
    /// Product facts: minutes to Area 1 included per user per month.
    pub included_area1_minutes_per_user: u32,
    /// Product facts: SMS included per user per month.
    pub included_sms_per_user: u32,
    /// T14: numbers may not be trunked or forwarded to a PBX.
    pub no_trunking: bool,
    /// T9: days a released number stays in quarantine.
    pub number_quarantine_days: u32,
    /// T13: hours an emergency-address change stays pending (the old address is used).
    #[serde(default = "default_address_pending_h")]
    pub emergency_address_pending_h: u32,
}

fn default_address_pending_h() -> u32 {
    48
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// C4: days after the effective date within which a purchase may be cancelled (0 = final).
    pub cancellation_window_days: u32,
    /// C4: `none` or `pro_rata`.
    pub cancellation_refund: String,
    /// C3: `notice_with_withdrawal` (customer may withdraw) or `next_renewal_only`.
    pub price_increase: String,
    /// C3: days the customer has to withdraw after a price-increase notice.
    pub price_increase_withdraw_days: u32,
    /// C3: minimum notice before term end for a price increase.
    pub price_increase_notice_days: u32,
    /// C2: notice of non-renewal, and renewal notice, in days before expiry.
    pub renewal_notice_days: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Billing {
    /// B1: fixed currency, or absent when the order decides.
    pub currency: Option<String>,
    /// B5: days from invoice date to due date.
    pub invoice_due_days: u32,
    /// B6: late interest, percent per year (decimal string, `"0"` when none).
    pub late_interest_annual_pct: String,
    /// B6: `none` or `monthly` capitalisation.
    pub interest_compounding: String,
    /// B9: days from invoice date to dispute it.
    pub dispute_window_days: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Support {
    /// H1: partner tiers with direct support.
    pub direct_tiers: Vec<String>,
    /// H1: bronze support is limited to a few ticket topics.
    pub bronze_limited: bool,
}

/// A profile that failed to load: which file, which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsError {
    pub file: String,
    pub key: String,
    pub problem: String,
}

impl fmt::Display for TermsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: key `{}`: {}", self.file, self.key, self.problem)
    }
}

impl std::error::Error for TermsError {}

impl TermsProfile {
    /// Parses and validates a profile. `file` is only used to name errors.
    pub fn parse(file: &str, text: &str) -> Result<TermsProfile, TermsError> {
        let profile: TermsProfile = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let key = msg
                .split('`')
                .nth(1)
                .map(str::to_string)
                .unwrap_or_else(|| "(document)".to_string());
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            TermsError {
                file: file.to_string(),
                key,
                problem: match line {
                    Some(l) => format!("{msg} (line {l})"),
                    None => msg,
                },
            }
        })?;
        profile.validate(file)?;
        Ok(profile)
    }

    fn validate(&self, file: &str) -> Result<(), TermsError> {
        let err = |key: &str, problem: String| TermsError {
            file: file.to_string(),
            key: key.to_string(),
            problem,
        };
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err(
                "id",
                format!(
                    "`{}` must be lower-case letters, digits and dashes",
                    self.id
                ),
            ));
        }
        if self.version == 0 {
            return Err(err("version", "must be 1 or more".into()));
        }
        if jiff::civil::Date::strptime("%Y-%m-%d", &self.effective_from).is_err() {
            return Err(err(
                "effective_from",
                format!("`{}` is not a YYYY-MM-DD date", self.effective_from),
            ));
        }
        let pct = self
            .availability_commitment_ppm()
            .map_err(|p| err("availability.commitment_pct", p))?;
        if pct == 0 || pct > 1_000_000 {
            return Err(err(
                "availability.commitment_pct",
                "must be above 0 and at most 100".into(),
            ));
        }
        self.sla_tiers()
            .map_err(|p| err("availability.sla_tiers", p))?;
        if self.availability.maintenance_notice_h > 24 * 90 {
            return Err(err(
                "availability.maintenance_notice_h",
                "at most 2160 hours (90 days)".into(),
            ));
        }
        if self.telephony.bandwidth_per_call_kbps == 0 {
            return Err(err(
                "telephony.bandwidth_per_call_kbps",
                "must be above 0".into(),
            ));
        }
        if self.telephony.emergency_address_pending_h > 24 * 30 {
            return Err(err(
                "telephony.emergency_address_pending_h",
                "at most 720 hours".into(),
            ));
        }
        if self.telephony.max_call_duration_s == 0 {
            return Err(err(
                "telephony.max_call_duration_s",
                "must be above 0".into(),
            ));
        }
        if !["none", "pro_rata"].contains(&self.contract.cancellation_refund.as_str()) {
            return Err(err(
                "contract.cancellation_refund",
                "must be `none` or `pro_rata`".into(),
            ));
        }
        if (self.contract.cancellation_window_days == 0)
            != (self.contract.cancellation_refund == "none")
        {
            return Err(err(
                "contract.cancellation_refund",
                "a cancellation window needs a `pro_rata` refund, and no window means `none`"
                    .into(),
            ));
        }
        if !["notice_with_withdrawal", "next_renewal_only"]
            .contains(&self.contract.price_increase.as_str())
        {
            return Err(err(
                "contract.price_increase",
                "must be `notice_with_withdrawal` or `next_renewal_only`".into(),
            ));
        }
        if let Some(c) = &self.billing.currency {
            Currency::parse(c).map_err(|p| err("billing.currency", p))?;
        }
        self.late_interest_annual_bp()
            .map_err(|p| err("billing.late_interest_annual_pct", p))?;
        if !["none", "monthly"].contains(&self.billing.interest_compounding.as_str()) {
            return Err(err(
                "billing.interest_compounding",
                "must be `none` or `monthly`".into(),
            ));
        }
        for t in &self.support.direct_tiers {
            if PartnerTier::parse(t).is_none_or(|t| t == PartnerTier::Reseller) {
                return Err(err(
                    "support.direct_tiers",
                    format!("`{t}` is not a partner tier (diamond, platinum, gold_plus, gold, silver, bronze)"),
                ));
            }
        }
        for k in self.clauses.keys() {
            if rules::by_id(k).is_none() {
                return Err(err(
                    &format!("clauses.{k}"),
                    format!("`{k}` is not a RULEBOOK rule ID"),
                ));
            }
        }
        Ok(())
    }

    /// S1 commitment in parts per million (99.99 % = 999_900).
    pub fn availability_commitment_ppm(&self) -> Result<u32, String> {
        let v = parse_scaled(&self.availability.commitment_pct, 4)?;
        u32::try_from(v).map_err(|_| "must be between 0 and 100".to_string())
    }

    /// S3 tiers, validated.
    pub fn sla_tiers(&self) -> Result<crate::assurance::sla::Tiers, String> {
        crate::assurance::sla::Tiers::from_pairs(&self.availability.sla_tiers)
    }

    /// B6 late interest in basis points per year (12 % = 1200).
    pub fn late_interest_annual_bp(&self) -> Result<u32, String> {
        let v = parse_scaled(&self.billing.late_interest_annual_pct, 2)?;
        u32::try_from(v).map_err(|_| "must not be negative".to_string())
    }

    /// The clause this profile cites for a rule: its override, else the RULEBOOK default.
    pub fn clause_for(&self, rule: RuleRef) -> &str {
        self.clauses
            .get(rule.rule)
            .map(String::as_str)
            .unwrap_or(rule.clause)
    }

    /// T1: concurrent calls a site's declared bandwidth carries.
    pub fn calls_for_bandwidth(&self, bandwidth_kbps: u32) -> u32 {
        bandwidth_kbps / self.telephony.bandwidth_per_call_kbps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SAMPLE: &str = r#"
id = "sample"
version = 1
title = "Sample"
source = "terms/sample.txt"
effective_from = "2026-03-01"
[availability]
commitment_pct = "99.99"
[telephony]
restoration_time_h = 4
max_call_duration_s = 14400
bandwidth_per_call_kbps = 60
included_area1_minutes_per_user = 1000
included_sms_per_user = 200
no_trunking = false
number_quarantine_days = 90
[contract]
cancellation_window_days = 0
cancellation_refund = "none"
price_increase = "notice_with_withdrawal"
price_increase_withdraw_days = 60
price_increase_notice_days = 0
renewal_notice_days = 30
[billing]
invoice_due_days = 30
late_interest_annual_pct = "0"
interest_compounding = "none"
dispute_window_days = 30
[support]
direct_tiers = ["diamond", "gold"]
bronze_limited = true
[clauses]
F2 = "W 8.2"
"#;

    #[test]
    fn parses_a_valid_profile() {
        let p = TermsProfile::parse("sample.toml", SAMPLE).unwrap();
        assert_eq!(p.availability_commitment_ppm(), Ok(999_900));
        assert_eq!(p.calls_for_bandwidth(1000), 16);
        assert_eq!(p.clause_for(rules::F2), "W 8.2");
        assert_eq!(p.clause_for(rules::T1), "W 3.1");
    }

    #[test]
    fn errors_name_file_key_and_problem() {
        let cases = [
            (
                SAMPLE.replace("no_trunking = false", "no_trunking = false\nbogus = 1"),
                "bogus",
            ),
            (
                SAMPLE.replace("\"99.99\"", "\"101\""),
                "availability.commitment_pct",
            ),
            (
                SAMPLE.replace("\"99.99\"", "\"lots\""),
                "availability.commitment_pct",
            ),
            (
                SAMPLE.replace("[\"diamond\", \"gold\"]", "[\"tin\"]"),
                "support.direct_tiers",
            ),
            (SAMPLE.replace("F2 = ", "Z9 = "), "clauses.Z9"),
            (SAMPLE.replace("2026-03-01", "March"), "effective_from"),
            (SAMPLE.replace("id = \"sample\"\n", ""), "id"),
        ];
        for (text, key) in cases {
            let e = TermsProfile::parse("bad.toml", &text).unwrap_err();
            assert_eq!(e.file, "bad.toml");
            assert_eq!(e.key, key, "{e}");
            assert!(!e.problem.is_empty());
        }
    }
}
