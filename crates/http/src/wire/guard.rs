//! Answers of the guard routes: decisions, call progress, incidents, suspensions, policies,
//! announcements, destination ranges, teardowns.

use serde::{Deserialize, Serialize};
use tollgate_app::guard::{CutOrder, Decided};
use tollgate_app::records::{AnnouncementRow, IncidentRow, PolicyRow, SuspensionRow};
use tollgate_core::guard::{Decision, DestClass, Live, SuspensionScope};
use tollgate_core::money::{format_scaled, MICRO_DIGITS};
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::ToSchema;

use crate::extract::ts;

fn decision_schema() -> ObjectBuilder {
    super::strings(Decision::ALL.map(Decision::as_str))
}

pub(crate) fn scope_schema() -> ObjectBuilder {
    super::strings(SuspensionScope::ALL.iter().map(SuspensionScope::as_str))
}

pub(crate) fn suspension_rule_schema() -> ObjectBuilder {
    super::strings(tollgate_app::guard::SUSPENSION_RULES.iter().copied())
}

pub(crate) fn dest_class_schema() -> ObjectBuilder {
    super::strings(DestClass::ALL.map(DestClass::as_str))
}

/// ISO 3166-1 alpha-2, from the one country table.
pub(crate) fn country_schema() -> ObjectBuilder {
    super::strings(tollgate_core::country::all())
}

pub(crate) fn countries_schema() -> utoipa::openapi::schema::ArrayBuilder {
    super::string_array(tollgate_core::country::all())
}

/// The SIP status the edge answers a decision with.
fn sip_status_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some([200, 486, 403]))
}

/// An admission decision: allow | busy | deny, with code, rule, clause and the longest the
/// call may last.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    #[schema(schema_with = decision_schema)]
    pub decision: &'static str,
    pub code: &'static str,
    pub rule: &'static str,
    pub clause: String,
    pub message: String,
    pub call_id: String,
    pub billing_account: String,
    pub max_duration_s: u32,
    pub international: bool,
    #[schema(schema_with = sip_status_schema)]
    pub sip_status: u16,
    /// Only on emergency calls (T13).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency: Option<EmergencyOut>,
    /// Incidents the call raised; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<String>,
}

/// T13: where to dispatch and whom to call back.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergencyOut {
    pub address: Option<String>,
    pub address_registered: bool,
    pub callback: String,
    pub note: &'static str,
}

impl From<&Decided> for DecisionOut {
    fn from(d: &Decided) -> DecisionOut {
        let v = &d.verdict;
        DecisionOut {
            decision: v.decision.as_str(),
            code: v.code,
            rule: v.rule.rule,
            clause: d.clause.clone(),
            message: v.message.clone(),
            call_id: d.call_id.clone(),
            billing_account: d.billing_account.clone(),
            max_duration_s: v.max_duration_s,
            international: v.international,
            sip_status: match v.decision {
                Decision::Allow => 200,
                Decision::Busy => 486,
                Decision::Deny => 403,
            },
            emergency: d.emergency.as_ref().map(|e| EmergencyOut {
                address: e.address.clone(),
                address_registered: e.address.is_some(),
                callback: e.callback.clone(),
                note: if e.address.is_some() {
                    "dispatch to the registered address"
                } else {
                    "no emergency address is registered for this number"
                },
            }),
            incidents: d.incidents.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallAnsweredOut {
    pub call_id: String,
    pub answered: bool,
}

/// The end of a call: its rating and the incidents it raised.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallEndedOut {
    pub call_id: String,
    pub duration_s: i64,
    /// Stored as a rated CDR.
    pub rated: bool,
    /// Why intake refused the CDR, if it did.
    #[schema(required = true)]
    pub rejected: Option<CdrRefusalOut>,
    pub incidents: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CdrRefusalOut {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthFailureOut {
    pub source: String,
    /// Incidents the failure raised.
    pub incidents: Vec<String>,
}

/// A fraud or abuse incident with its evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: String,
    pub at: String,
    pub billing_account: Option<String>,
    pub customer_id: Option<String>,
    pub source: Option<String>,
    pub detector: String,
    pub rule: String,
    pub clause: String,
    pub evidence: EvidenceOut,
    pub action: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceOut {
    pub count: i64,
    pub window_s: i64,
    pub threshold: i64,
    pub detail: String,
}

impl From<IncidentRow> for IncidentOut {
    fn from(i: IncidentRow) -> IncidentOut {
        IncidentOut {
            id: i.id,
            at: ts(i.at),
            billing_account: i.billing_account_id,
            customer_id: i.customer_id,
            source: i.source,
            detector: i.detector,
            rule: i.rule,
            clause: i.clause,
            evidence: EvidenceOut {
                count: i.count,
                window_s: i.window_s,
                threshold: i.threshold,
                detail: i.detail,
            },
            action: i.action,
        }
    }
}

/// A suspension, full or selective, lifted or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuspensionOut {
    pub id: String,
    pub billing_account: String,
    #[schema(schema_with = scope_schema)]
    pub scope: String,
    pub rule: String,
    pub clause: String,
    pub reason: String,
    pub created_at: String,
    pub created_by: String,
    pub until: Option<String>,
    pub incident_id: Option<String>,
    pub lifted_at: Option<String>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

impl From<SuspensionRow> for SuspensionOut {
    fn from(s: SuspensionRow) -> SuspensionOut {
        SuspensionOut {
            id: s.id,
            billing_account: s.billing_account_id,
            scope: s.scope,
            rule: s.rule,
            clause: s.clause,
            reason: s.reason,
            created_at: ts(s.created_at),
            created_by: s.created_by,
            until: s.until_at.map(ts),
            incident_id: s.incident_id,
            lifted_at: s.lifted_at.map(ts),
            lifted_by: s.lifted_by,
            lift_reason: s.lift_reason,
        }
    }
}

/// An account's guard policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    pub billing_account: String,
    pub validated: bool,
    pub licensed_calls: i64,
    pub site_bandwidth_kbps: Option<i64>,
    /// ISO 3166-1 alpha-2.
    pub home_country: String,
    /// ISO 3166-1 alpha-2 countries.
    pub international_allowlist: Vec<String>,
    /// A decimal amount in the account's currency, or null for none.
    pub credit_limit: Option<String>,
    pub updated_at: String,
}

impl From<&PolicyRow> for PolicyOut {
    fn from(p: &PolicyRow) -> PolicyOut {
        PolicyOut {
            billing_account: p.billing_account_id.clone(),
            validated: p.validated,
            licensed_calls: p.licensed_calls,
            site_bandwidth_kbps: p.site_bandwidth_kbps,
            home_country: p.home_country.clone(),
            international_allowlist: p
                .international_allowlist
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            credit_limit: p
                .credit_limit_micros
                .map(|m| format_scaled(i128::from(m), MICRO_DIGITS)),
            updated_at: ts(p.updated_at),
        }
    }
}

/// An account's policy (null when it has none yet) and its live calls now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyViewOut {
    #[schema(required = true)]
    pub policy: Option<PolicyOut>,
    pub live_calls: u32,
    pub live_international_calls: u32,
}

impl PolicyViewOut {
    pub fn new(p: Option<&PolicyRow>, live: Live) -> PolicyViewOut {
        PolicyViewOut {
            policy: p.map(Into::into),
            live_calls: live.calls,
            live_international_calls: live.international_calls,
        }
    }
}

/// F7: legitimate unusual activity announced; thresholds rise by `factor` in the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementOut {
    pub id: String,
    pub billing_account: String,
    pub from: String,
    pub until: String,
    pub factor: i64,
    pub note: String,
    pub rule: &'static str,
}

impl From<AnnouncementRow> for AnnouncementOut {
    fn from(a: AnnouncementRow) -> AnnouncementOut {
        AnnouncementOut {
            id: a.id,
            billing_account: a.billing_account_id,
            from: ts(a.from_at),
            until: ts(a.until_at),
            factor: a.factor,
            note: a.note,
            rule: "F7",
        }
    }
}

/// F2: a forbidden destination range added.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrefixOut {
    pub prefix: String,
    #[schema(schema_with = dest_class_schema)]
    pub class: String,
    pub rule: &'static str,
}

/// A live call the SIP edge must tear down now (F4).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeardownOut {
    pub call_id: String,
    pub billing_account: String,
    pub rule: &'static str,
    pub clause: &'static str,
    pub reason: String,
    pub ordered_at: String,
}

impl From<CutOrder> for TeardownOut {
    fn from(c: CutOrder) -> TeardownOut {
        TeardownOut {
            call_id: c.call_id,
            billing_account: c.billing_account,
            rule: c.rule.rule,
            clause: c.rule.clause,
            reason: c.reason,
            ordered_at: ts(c.ordered_at),
        }
    }
}

/// The teardown orders, oldest first (not paged: the list is short-lived).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeardownsOut {
    pub items: Vec<TeardownOut>,
}
