//! Answers of the service-assurance routes (issue 17): services and components, probes and
//! results, incidents with updates and restoration (T5), maintenance, availability (S1, S2),
//! SLA credits with their computation (S3, B12) and the public status feed. Times RFC 3339;
//! availability as a percentage string floored to the hundredth, with the exact seconds.

use serde::Serialize;
use tollgate_app::assurance::incidents::{IncidentView, RestorationView};
use tollgate_app::assurance::measure::CustomerMonth;
use tollgate_app::assurance::status::{ServiceStatus, StatusView};
use tollgate_app::records::{
    AssuranceIncidentRow as IncidentRow, ComponentRow, CustomerComponentRow, DailyRow,
    IncidentUpdateRow, MaintenanceRow, ProbeResultRow, ProbeRow, ServiceRow, SlaCreditRow,
};
use tollgate_core::assurance::availability::{format_pct, notified_in_time, Maintenance, Measure};
use utoipa::ToSchema;

use crate::extract::ts;

fn decimal(micros: i64) -> String {
    tollgate_core::money::format_scaled(i128::from(micros), tollgate_core::money::MICRO_DIGITS)
}

/// A service and its components.
#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    pub id: String,
    pub name: String,
    pub description: String,
    pub position: i64,
    pub components: Vec<ComponentOut>,
}

impl ServiceOut {
    pub fn of(s: ServiceRow, components: &[ComponentRow]) -> ServiceOut {
        ServiceOut {
            components: components
                .iter()
                .filter(|c| c.service_id == s.id)
                .cloned()
                .map(ComponentOut::from)
                .collect(),
            id: s.id,
            name: s.name,
            description: s.description,
            position: s.position,
        }
    }
}

/// A component: what probes measure and incidents affect.
#[derive(Serialize, ToSchema)]
pub struct ComponentOut {
    pub id: String,
    pub service_id: String,
    pub name: String,
    /// CLASSOUND telephony: outages are tracked against the restoration time (T5).
    pub classound: bool,
}

impl From<ComponentRow> for ComponentOut {
    fn from(c: ComponentRow) -> ComponentOut {
        ComponentOut {
            id: c.id,
            service_id: c.service_id,
            name: c.name,
            classound: c.classound == 1,
        }
    }
}

/// The components a customer's services use.
#[derive(Serialize, ToSchema)]
pub struct CustomerComponentsOut {
    pub customer_id: String,
    pub component_ids: Vec<String>,
}

impl CustomerComponentsOut {
    pub fn of(customer_id: String, rows: Vec<CustomerComponentRow>) -> CustomerComponentsOut {
        CustomerComponentsOut {
            customer_id,
            component_ids: rows.into_iter().map(|r| r.component_id).collect(),
        }
    }
}

/// A probe, its schedule, thresholds and last result.
#[derive(Serialize, ToSchema)]
pub struct ProbeOut {
    pub id: String,
    pub component_id: String,
    pub name: String,
    /// `http`, `tcp`, `dns`, `sip_udp` or `sip_tcp`.
    pub kind: String,
    pub target: String,
    pub dns_name: Option<String>,
    pub expect_status: Option<i64>,
    pub expect_body: Option<String>,
    pub interval_s: i64,
    pub timeout_ms: i64,
    pub fail_threshold: i64,
    pub recover_threshold: i64,
    pub enabled: bool,
    pub next_run_at: String,
    /// Consecutive failures and successes so far.
    pub failures: i64,
    pub successes: i64,
    /// The incident this probe opened and has not closed.
    pub open_incident_id: Option<String>,
    pub last_at: Option<String>,
    pub last_ok: Option<bool>,
    pub last_latency_us: Option<i64>,
    pub last_detail: Option<String>,
}

impl From<ProbeRow> for ProbeOut {
    fn from(p: ProbeRow) -> ProbeOut {
        ProbeOut {
            id: p.id,
            component_id: p.component_id,
            name: p.name,
            kind: p.kind,
            target: p.target,
            dns_name: p.dns_name,
            expect_status: p.expect_status,
            expect_body: p.expect_body,
            interval_s: p.interval_s,
            timeout_ms: p.timeout_ms,
            fail_threshold: p.fail_threshold,
            recover_threshold: p.recover_threshold,
            enabled: p.enabled == 1,
            next_run_at: ts(p.next_run_at),
            failures: p.failures,
            successes: p.successes,
            open_incident_id: p.open_incident_id,
            last_at: p.last_at.map(ts),
            last_ok: p.last_ok.map(|v| v == 1),
            last_latency_us: p.last_latency_us,
            last_detail: p.last_detail,
        }
    }
}

/// One run of a probe.
#[derive(Serialize, ToSchema)]
pub struct ProbeResultOut {
    pub at: String,
    pub ok: bool,
    pub latency_us: i64,
    pub detail: String,
}

impl From<ProbeResultRow> for ProbeResultOut {
    fn from(r: ProbeResultRow) -> ProbeResultOut {
        ProbeResultOut {
            at: ts(r.at),
            ok: r.ok == 1,
            latency_us: r.latency_us,
            detail: r.detail,
        }
    }
}

/// How many probes a round ran.
#[derive(Serialize, ToSchema)]
pub struct ProbeRunOut {
    pub ran: usize,
}

/// A public update of an incident.
#[derive(Serialize, ToSchema)]
pub struct ServiceIncidentUpdateOut {
    pub at: String,
    /// `investigating`, `identified`, `monitoring`, `update` or `resolved`.
    pub status: String,
    pub message: String,
}

impl From<IncidentUpdateRow> for ServiceIncidentUpdateOut {
    fn from(u: IncidentUpdateRow) -> ServiceIncidentUpdateOut {
        ServiceIncidentUpdateOut {
            at: ts(u.at),
            status: u.status,
            message: u.message,
        }
    }
}

/// T5: the incident against one terms profile's CLASSOUND restoration time.
#[derive(Serialize, ToSchema)]
pub struct RestorationOut {
    pub profile: String,
    pub srt_h: i64,
    pub elapsed_s: i64,
    pub due_at: String,
    pub breached: bool,
    pub rule: &'static str,
    pub clause: &'static str,
}

impl From<RestorationView> for RestorationOut {
    fn from(r: RestorationView) -> RestorationOut {
        RestorationOut {
            profile: r.profile,
            srt_h: r.srt_h,
            elapsed_s: r.restoration.elapsed_s,
            due_at: ts(r.restoration.due_at),
            breached: r.restoration.breached,
            rule: tollgate_core::rules::T5.rule,
            clause: tollgate_core::rules::T5.clause,
        }
    }
}

/// An incident.
#[derive(Serialize, ToSchema)]
pub struct ServiceIncidentOut {
    pub id: String,
    pub title: String,
    /// `provider`, `force_majeure`, `third_party` or `customer`: only `provider` counts
    /// against availability (S3, W 9.8).
    pub cause: String,
    /// `open` or `resolved`.
    pub state: String,
    /// The NOC's class of service (S4): `critical` or `standard`.
    pub cos: String,
    pub started_at: String,
    pub resolved_at: Option<String>,
    /// The probe that opened it, if one did.
    pub probe_id: Option<String>,
    /// When the NOC's tickets to the affected partners were opened (S4).
    pub tickets_at: Option<String>,
    pub component_ids: Vec<String>,
    pub updates: Vec<ServiceIncidentUpdateOut>,
    /// Per terms profile, for CLASSOUND components (T5); empty otherwise.
    pub restoration: Vec<RestorationOut>,
}

impl ServiceIncidentOut {
    pub fn bare(i: IncidentRow) -> ServiceIncidentOut {
        ServiceIncidentOut {
            id: i.id,
            title: i.title,
            cause: i.cause,
            state: i.state,
            cos: i.cos,
            started_at: ts(i.started_at),
            resolved_at: i.resolved_at.map(ts),
            probe_id: i.probe_id,
            tickets_at: i.tickets_at.map(ts),
            component_ids: Vec::new(),
            updates: Vec::new(),
            restoration: Vec::new(),
        }
    }
}

impl From<IncidentView> for ServiceIncidentOut {
    fn from(v: IncidentView) -> ServiceIncidentOut {
        let mut out = ServiceIncidentOut::bare(v.incident);
        out.component_ids = v.components;
        out.updates = v.updates.into_iter().map(Into::into).collect();
        out.restoration = v.restoration.into_iter().map(Into::into).collect();
        out
    }
}

/// A maintenance window.
#[derive(Serialize, ToSchema)]
pub struct MaintenanceOut {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    /// When the notice went out: the window is excluded from availability only if this is at
    /// least the profile's lead time before it starts (S1).
    pub notice_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub component_ids: Vec<String>,
    /// The longest maintenance lead time of the terms profiles, hours (S1).
    pub lead_h: i64,
    /// Whether the notice went out at least `lead_h` before the start: only then is the
    /// window excluded from every customer's availability; otherwise it counts as downtime.
    pub notified_in_time: bool,
    /// Why the window will count, when it will (no notice yet, or notice too short).
    pub warning: Option<String>,
}

impl MaintenanceOut {
    pub fn of(m: MaintenanceRow, component_ids: Vec<String>, lead_s: i64) -> MaintenanceOut {
        let in_time = notified_in_time(
            &Maintenance {
                start: m.starts_at,
                end: m.ends_at,
                notice_at: m.notice_at,
            },
            lead_s,
        );
        let warning = match (in_time, m.notice_at, m.cancelled_at) {
            (_, _, Some(_)) | (true, _, _) => None,
            (false, None, _) => Some(format!(
                "no notice sent yet: send it at least {} h before the start, or the window counts \
                 as downtime (S1)",
                lead_s / 3_600
            )),
            (false, Some(at), _) => Some(format!(
                "notice sent {} h before the start, less than the {} h lead: the window counts as \
                 downtime (S1)",
                (m.starts_at - at) / 3_600,
                lead_s / 3_600
            )),
        };
        MaintenanceOut {
            lead_h: lead_s / 3_600,
            notified_in_time: in_time,
            warning,
            id: m.id,
            title: m.title,
            starts_at: ts(m.starts_at),
            ends_at: ts(m.ends_at),
            notice_at: m.notice_at.map(ts),
            cancelled_at: m.cancelled_at.map(ts),
            component_ids,
        }
    }
}

/// Availability over a period: exact seconds and the percentage floored to the hundredth.
#[derive(Serialize, ToSchema)]
pub struct MeasureOut {
    pub period_s: i64,
    /// Downtime counted: the provider's outages and maintenance not notified in time (S1, S3).
    pub counted_s: i64,
    /// Notified maintenance, excluded (S1).
    pub excluded_maintenance_s: i64,
    /// Force majeure, third-party and customer outages, excluded (S3, W 9.8).
    pub excluded_other_s: i64,
    /// `"99.19"`.
    pub availability_pct: String,
}

impl From<Measure> for MeasureOut {
    fn from(m: Measure) -> MeasureOut {
        MeasureOut {
            availability_pct: format_pct(m.pct_hundredths()),
            period_s: m.period_s,
            counted_s: m.counted_s,
            excluded_maintenance_s: m.excluded_maintenance_s,
            excluded_other_s: m.excluded_other_s,
        }
    }
}

/// A service's published availability on a UTC day (S2).
#[derive(Serialize, ToSchema)]
pub struct DayOut {
    pub service_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub measure: MeasureOut,
    /// Computed at; a day computed after it ended is final.
    pub computed_at: String,
    /// Computed after the day ended: it stands as published (a later correction of an
    /// incident's cause or end republishes it).
    #[serde(rename = "final")]
    pub is_final: bool,
}

impl From<DailyRow> for DayOut {
    fn from(d: DailyRow) -> DayOut {
        DayOut {
            day: tollgate_core::time::date_of(d.day).to_string(),
            measure: Measure {
                period_s: d.period_s,
                counted_s: d.counted_s,
                excluded_maintenance_s: d.excluded_maintenance_s,
                excluded_other_s: d.excluded_other_s,
            }
            .into(),
            service_id: d.service_id,
            computed_at: ts(d.computed_at),
            is_final: d.computed_at >= d.day + 86_400,
        }
    }
}

/// A month's availability of a service or of a customer's services.
#[derive(Serialize, ToSchema)]
pub struct MonthOut {
    pub month: String,
    pub service_id: Option<String>,
    pub customer_id: Option<String>,
    /// The customer's terms profile (its lead time and tiers).
    pub profile: Option<String>,
    /// The components measured.
    pub component_ids: Vec<String>,
    /// S1: the notice lead time applied, hours.
    pub maintenance_notice_h: i64,
    pub measure: MeasureOut,
}

impl From<CustomerMonth> for MonthOut {
    fn from(c: CustomerMonth) -> MonthOut {
        MonthOut {
            month: c.month,
            service_id: None,
            customer_id: Some(c.customer_id),
            profile: Some(c.profile),
            component_ids: c.components,
            maintenance_notice_h: c.lead_s / 3_600,
            measure: c.measure.into(),
        }
    }
}

/// How many days the daily job wrote.
#[derive(Serialize, ToSchema)]
pub struct PublishedOut {
    pub days: usize,
}

/// A month's SLA outcome and its computation (S3), with the credit on the next invoice (B12).
#[derive(Serialize, ToSchema)]
pub struct SlaCreditOut {
    pub id: String,
    pub billing_account_id: String,
    pub customer_id: String,
    pub partner_id: Option<String>,
    /// `retail` (the customer's licence fee) or `wholesale` (the partner's).
    pub level: String,
    pub month: String,
    pub profile: String,
    pub measure: MeasureOut,
    /// The tier's lower bound, percent.
    pub tier_from_pct: String,
    pub payable_pct: i64,
    pub credit_pct: i64,
    /// The month's licence fee and the credit, decimal in `currency`.
    pub fee: String,
    pub credit: String,
    pub currency: String,
    /// The pending charge that puts the credit on the next invoice.
    pub pending_charge_id: Option<String>,
    pub rule: &'static str,
    pub clause: &'static str,
    pub created_at: String,
}

impl From<SlaCreditRow> for SlaCreditOut {
    fn from(s: SlaCreditRow) -> SlaCreditOut {
        SlaCreditOut {
            measure: Measure {
                period_s: s.period_s,
                counted_s: s.counted_s,
                excluded_maintenance_s: s.excluded_maintenance_s,
                excluded_other_s: s.excluded_other_s,
            }
            .into(),
            tier_from_pct: tollgate_core::money::format_scaled(i128::from(s.tier_from_ppm), 4),
            id: s.id,
            billing_account_id: s.billing_account_id,
            customer_id: s.customer_id,
            partner_id: s.partner_id,
            level: s.level,
            month: s.month,
            profile: s.profile,
            payable_pct: s.payable_pct,
            credit_pct: s.credit_pct,
            fee: decimal(s.fee_micros),
            credit: decimal(s.credit_micros),
            currency: s.currency,
            pending_charge_id: s.pending_charge_id,
            rule: tollgate_core::rules::S3.rule,
            clause: tollgate_core::rules::S3.clause,
            created_at: ts(s.created_at),
        }
    }
}

/// What an SLA close wrote.
#[derive(Serialize, ToSchema)]
pub struct SlaCloseOut {
    pub month: String,
    pub credits: Vec<SlaCreditOut>,
    /// Outcomes of this month an earlier close wrote (left as they were).
    pub already: usize,
    /// Licensed accounts left out: none of their customer's components is mapped (map them
    /// with `PUT /v1/customers/{id}/components` and close again).
    pub unmapped: Vec<String>,
}

/// T5 totals of a month for one terms profile.
#[derive(Serialize, ToSchema)]
pub struct RestorationTotalOut {
    pub profile: String,
    pub srt_h: i64,
    /// CLASSOUND incidents of the month judged against this profile.
    pub incidents: usize,
    pub breached: usize,
}

/// T5: the month's CLASSOUND incidents and the breaches per profile.
#[derive(Serialize, ToSchema)]
pub struct RestorationReportOut {
    pub month: String,
    pub incidents: Vec<ServiceIncidentOut>,
    pub totals: Vec<RestorationTotalOut>,
    pub rule: &'static str,
    pub clause: &'static str,
}

impl RestorationReportOut {
    pub fn of(month: String, views: Vec<IncidentView>) -> RestorationReportOut {
        let mut totals: Vec<RestorationTotalOut> = Vec::new();
        for v in &views {
            for r in &v.restoration {
                let i = match totals.iter().position(|t| t.profile == r.profile) {
                    Some(i) => i,
                    None => {
                        totals.push(RestorationTotalOut {
                            profile: r.profile.clone(),
                            srt_h: r.srt_h,
                            incidents: 0,
                            breached: 0,
                        });
                        totals.len() - 1
                    }
                };
                totals[i].incidents += 1;
                totals[i].breached += usize::from(r.restoration.breached);
            }
        }
        totals.sort_by(|a, b| a.profile.cmp(&b.profile));
        RestorationReportOut {
            month,
            incidents: views.into_iter().map(Into::into).collect(),
            totals,
            rule: tollgate_core::rules::T5.rule,
            clause: tollgate_core::rules::T5.clause,
        }
    }
}

/// A service on the public status feed.
#[derive(Serialize, ToSchema)]
pub struct StatusServiceOut {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `operational`, `maintenance`, `partial_outage` or `major_outage`.
    pub state: String,
    /// The published days of the window summed.
    pub window: MeasureOut,
    /// One per day, oldest first; `null` for a day not published.
    pub days: Vec<Option<DayOut>>,
}

impl From<ServiceStatus> for StatusServiceOut {
    fn from(s: ServiceStatus) -> StatusServiceOut {
        StatusServiceOut {
            id: s.service.id,
            name: s.service.name,
            description: s.service.description,
            state: s.state.into(),
            window: s.window.into(),
            days: s.days.into_iter().map(|(_, d)| d.map(Into::into)).collect(),
        }
    }
}

/// The public status feed (no login): what the status page shows.
#[derive(Serialize, ToSchema)]
pub struct StatusOut {
    pub generated_at: String,
    pub services: Vec<StatusServiceOut>,
    pub incidents: Vec<PublicIncidentOut>,
    pub maintenance: Vec<PublicMaintenanceOut>,
}

/// An incident as the public sees it: no probe or ticket references, components by name.
#[derive(Serialize, ToSchema)]
pub struct PublicIncidentOut {
    pub id: String,
    pub title: String,
    /// `provider`, `force_majeure`, `third_party` or `customer`.
    pub cause: String,
    /// `open` or `resolved`.
    pub state: String,
    pub started_at: String,
    pub resolved_at: Option<String>,
    /// The affected components' names.
    pub components: Vec<String>,
    pub updates: Vec<ServiceIncidentUpdateOut>,
}

/// A planned or ongoing maintenance window as the public sees it.
#[derive(Serialize, ToSchema)]
pub struct PublicMaintenanceOut {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    /// The affected components' names.
    pub components: Vec<String>,
}

impl From<StatusView> for StatusOut {
    fn from(v: StatusView) -> StatusOut {
        StatusOut {
            generated_at: ts(v.generated_at),
            services: v.services.into_iter().map(Into::into).collect(),
            // Public: no probe or ticket references.
            incidents: v
                .incidents
                .into_iter()
                .map(|v| PublicIncidentOut {
                    id: v.incident.id,
                    title: v.incident.title,
                    cause: v.incident.cause,
                    state: v.incident.state,
                    started_at: ts(v.incident.started_at),
                    resolved_at: v.incident.resolved_at.map(ts),
                    components: v.components,
                    updates: v.updates.into_iter().map(Into::into).collect(),
                })
                .collect(),
            maintenance: v
                .maintenance
                .into_iter()
                .map(|(m, c)| PublicMaintenanceOut {
                    id: m.id,
                    title: m.title,
                    starts_at: ts(m.starts_at),
                    ends_at: ts(m.ends_at),
                    components: c,
                })
                .collect(),
        }
    }
}
