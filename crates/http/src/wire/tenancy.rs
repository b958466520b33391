//! Answers of the tenancy routes (P1-P3): partners, customers, billing accounts, users,
//! terms profiles, the audit log.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use tollgate_app::records::AuditRow;
use tollgate_app::records::FlagRow;
use tollgate_app::records::UserRow;
use tollgate_app::records::{AgreementRow, BillingAccountRow, CustomerRow, PartnerRow};
use tollgate_core::tenancy::PartnerTier;
use tollgate_core::terms::TermsProfile;
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::ToSchema;

use crate::extract::ts;

pub(crate) fn tier_schema() -> ObjectBuilder {
    super::strings(PartnerTier::ALL.map(PartnerTier::as_str))
}

/// ISO 4217, from the list the code checks currencies against.
pub(crate) fn currency_schema() -> ObjectBuilder {
    super::strings(tollgate_core::money::ISO_4217_CODES.iter().copied())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerOut {
    pub id: String,
    pub name: String,
    #[schema(schema_with = tier_schema)]
    pub tier: String,
    pub assigned_partner_id: Option<String>,
    pub created_at: String,
}

impl From<PartnerRow> for PartnerOut {
    fn from(p: PartnerRow) -> PartnerOut {
        PartnerOut {
            id: p.id,
            name: p.name,
            tier: p.tier,
            assigned_partner_id: p.assigned_partner_id,
            created_at: ts(p.created_at),
        }
    }
}

/// B11: a missed document deadline, open until cleared.
#[derive(Debug, Serialize, ToSchema)]
pub struct NonresponsiveFlagOut {
    pub id: String,
    pub document_request_id: String,
    pub raised_at: String,
    pub rule: &'static str,
}

impl From<FlagRow> for NonresponsiveFlagOut {
    fn from(f: FlagRow) -> NonresponsiveFlagOut {
        NonresponsiveFlagOut {
            id: f.id,
            document_request_id: f.document_request_id,
            raised_at: ts(f.raised_at),
            rule: "B11",
        }
    }
}

/// A partner with its open non-responsive flags (B11).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDetailOut {
    #[serde(flatten)]
    pub partner: PartnerOut,
    pub nonresponsive: bool,
    pub nonresponsive_flags: Vec<NonresponsiveFlagOut>,
}

/// The agreement a customer signed, under a terms profile version.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementOut {
    pub id: String,
    /// `operator` or the issuing partner's id.
    pub issuer: String,
    pub terms_profile: String,
    pub terms_version: i64,
    pub signed_at: String,
}

impl From<AgreementRow> for AgreementOut {
    fn from(a: AgreementRow) -> AgreementOut {
        AgreementOut {
            id: a.id,
            issuer: a.issuer,
            terms_profile: a.profile_id,
            terms_version: a.profile_version,
            signed_at: ts(a.signed_at),
        }
    }
}

/// A customer; one customer alone also shows its agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerOut {
    pub id: String,
    pub name: String,
    pub partner_id: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<AgreementOut>,
}

impl CustomerOut {
    pub fn new(c: CustomerRow, a: Option<AgreementRow>) -> CustomerOut {
        CustomerOut {
            id: c.id,
            name: c.name,
            partner_id: c.partner_id,
            created_at: ts(c.created_at),
            agreement: a.map(Into::into),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingAccountOut {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    /// ISO 4217.
    pub currency: String,
    pub rate_table: Option<String>,
    pub created_at: String,
}

impl From<BillingAccountRow> for BillingAccountOut {
    fn from(b: BillingAccountRow) -> BillingAccountOut {
        BillingAccountOut {
            id: b.id,
            customer_id: b.customer_id,
            name: b.name,
            currency: b.currency,
            rate_table: b.rate_table,
            created_at: ts(b.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    #[schema(schema_with = super::access::role_schema)]
    pub role: String,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub totp_enabled: bool,
    pub created_at: String,
}

impl From<UserRow> for UserOut {
    fn from(u: UserRow) -> UserOut {
        UserOut {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            partner_id: u.partner_id,
            customer_id: u.customer_id,
            totp_enabled: u.totp_enabled,
            created_at: ts(u.created_at),
        }
    }
}

/// A terms profile (versioned data): the figures the rules apply and the clause texts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermsProfileOut {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub source: String,
    pub effective_from: String,
    pub availability: AvailabilityOut,
    pub telephony: TelephonyOut,
    pub contract: ContractOut,
    pub billing: BillingTermsOut,
    pub support: SupportOut,
    /// Clause texts by clause reference.
    pub clauses: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityOut {
    pub commitment_pct: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TelephonyOut {
    pub restoration_time_h: u32,
    pub max_call_duration_s: u32,
    pub bandwidth_per_call_kbps: u32,
    pub included_area1_minutes_per_user: u32,
    pub included_sms_per_user: u32,
    pub no_trunking: bool,
    pub number_quarantine_days: u32,
    pub emergency_address_pending_h: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractOut {
    pub cancellation_window_days: u32,
    pub cancellation_refund: String,
    pub price_increase: String,
    pub price_increase_withdraw_days: u32,
    pub price_increase_notice_days: u32,
    pub renewal_notice_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingTermsOut {
    pub currency: Option<String>,
    pub invoice_due_days: u32,
    pub late_interest_annual_pct: String,
    pub interest_compounding: String,
    pub dispute_window_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupportOut {
    pub direct_tiers: Vec<String>,
    pub bronze_limited: bool,
}

impl From<&TermsProfile> for TermsProfileOut {
    fn from(p: &TermsProfile) -> TermsProfileOut {
        let (t, c, b) = (&p.telephony, &p.contract, &p.billing);
        TermsProfileOut {
            id: p.id.clone(),
            version: p.version,
            title: p.title.clone(),
            source: p.source.clone(),
            effective_from: p.effective_from.clone(),
            availability: AvailabilityOut {
                commitment_pct: p.availability.commitment_pct.clone(),
            },
            telephony: TelephonyOut {
                restoration_time_h: t.restoration_time_h,
                max_call_duration_s: t.max_call_duration_s,
                bandwidth_per_call_kbps: t.bandwidth_per_call_kbps,
                included_area1_minutes_per_user: t.included_area1_minutes_per_user,
                included_sms_per_user: t.included_sms_per_user,
                no_trunking: t.no_trunking,
                number_quarantine_days: t.number_quarantine_days,
                emergency_address_pending_h: t.emergency_address_pending_h,
            },
            contract: ContractOut {
                cancellation_window_days: c.cancellation_window_days,
                cancellation_refund: c.cancellation_refund.clone(),
                price_increase: c.price_increase.clone(),
                price_increase_withdraw_days: c.price_increase_withdraw_days,
                price_increase_notice_days: c.price_increase_notice_days,
                renewal_notice_days: c.renewal_notice_days,
            },
            billing: BillingTermsOut {
                currency: b.currency.clone(),
                invoice_due_days: b.invoice_due_days,
                late_interest_annual_pct: b.late_interest_annual_pct.clone(),
                interest_compounding: b.interest_compounding.clone(),
                dispute_window_days: b.dispute_window_days,
            },
            support: SupportOut {
                direct_tiers: p.support.direct_tiers.clone(),
                bronze_limited: p.support.bronze_limited,
            },
            clauses: p.clauses.clone(),
        }
    }
}

/// One entry of the append-only audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub id: String,
    pub at: String,
    /// `user:<id>`, `cli` or `system`.
    pub actor: String,
    /// Stable action name, e.g. `customer.create`.
    pub action: String,
    pub target: String,
    pub source: String,
    pub request_id: String,
    /// Details of the action (never secrets); null when unreadable.
    pub detail: Value,
}

impl From<AuditRow> for AuditEntryOut {
    fn from(a: AuditRow) -> AuditEntryOut {
        AuditEntryOut {
            detail: serde_json::from_str::<Value>(&a.detail).unwrap_or(Value::Null),
            id: a.id,
            at: ts(a.at),
            actor: a.actor,
            action: a.action,
            target: a.target,
            source: a.source,
            request_id: a.request_id,
        }
    }
}
