//! Service assurance (issue 17): services and components, probes of the real interfaces,
//! incidents (by probe or by hand, with their cause), notified maintenance, daily and monthly
//! availability (S1, S2), SLA credits onto the next invoice (S3, B12), restoration time (T5),
//! NOC tickets to the affected partners (S4) and the public status page's data.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_core::assurance::availability::{self, Maintenance, Measure, Outage, Part, Span};
use tollgate_core::assurance::Cause;
use tollgate_store::assurance::system as asys;

use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

pub mod catalog;
pub mod demo;
pub mod incidents;
pub mod maintenance;
pub mod measure;
pub mod net;
pub mod probes;
pub mod sla;
pub mod status;

/// Days of daily availability the status page shows (and the daily job keeps current).
pub const STATUS_DAYS: i64 = 90;
/// Probes run at once, at most, per round of the runner.
pub const PROBE_BATCH: i64 = 64;
/// Results kept per probe run history: older ones are pruned.
pub const RESULT_RETENTION_S: i64 = 30 * 86_400;
/// Results pruned per round, at most (a bounded delete).
pub const PRUNE_BATCH: i64 = 5_000;
/// Incidents looked at per NOC ticket sweep.
pub const TICKET_BATCH: i64 = 50;

/// A system caller for the assurance jobs (probe runner, daily job, NOC sweep).
pub(crate) fn system_caller(who: &str) -> Caller {
    Caller::system(Actor {
        actor: format!("system:{who}"),
        source: who.into(),
        request_id: new_id(who),
    })
}

/// What touched each of a set of components in a period: per component its outages and
/// maintenance windows (an incident of two components is in both; the union counts it once).
pub(crate) struct Facts {
    pub parts: Vec<Part>,
}

impl App {
    /// Loads what availability needs for a set of components over `[from, to)`, per
    /// component, so each component's exclusions apply to it alone (S3).
    pub(crate) async fn assurance_facts(
        &self,
        components: &BTreeSet<String>,
        from: i64,
        to: i64,
    ) -> Result<Facts, AppError> {
        let mut parts: BTreeMap<&str, Part> = components
            .iter()
            .map(|c| (c.as_str(), Part::default()))
            .collect();
        let incidents: BTreeMap<String, Outage> = asys::incidents_during(&self.store, from, to)
            .await?
            .into_iter()
            .map(|i| {
                Ok((
                    i.id,
                    Outage {
                        start: i.started_at,
                        end: i.resolved_at,
                        cause: Cause::parse(&i.cause)?,
                    },
                ))
            })
            .collect::<Result<_, tollgate_core::Refusal>>()?;
        for (i, c) in asys::incident_components_during(&self.store, from, to).await? {
            if let (Some(p), Some(o)) = (parts.get_mut(c.as_str()), incidents.get(&i)) {
                p.outages.push(*o);
            }
        }
        let windows: BTreeMap<String, Maintenance> =
            asys::maintenance_during(&self.store, from, to)
                .await?
                .into_iter()
                .map(|m| {
                    (
                        m.id,
                        Maintenance {
                            start: m.starts_at,
                            end: m.ends_at,
                            notice_at: m.notice_at,
                        },
                    )
                })
                .collect();
        for (m, c) in asys::maintenance_components_during(&self.store, from, to).await? {
            if let (Some(p), Some(w)) = (parts.get_mut(c.as_str()), windows.get(&m)) {
                p.maintenance.push(*w);
            }
        }
        Ok(Facts {
            parts: parts.into_values().collect(),
        })
    }

    /// Availability of a set of components over `[from, to)` as of now, with the default
    /// profile's maintenance lead time unless `lead_s` is given.
    pub(crate) async fn measure_components(
        &self,
        components: &BTreeSet<String>,
        from: i64,
        to: i64,
        lead_s: i64,
    ) -> Result<Measure, AppError> {
        let f = self.assurance_facts(components, from, to).await?;
        Ok(availability::measure_parts(
            Span {
                start: from,
                end: to,
            },
            self.now(),
            &f.parts,
            lead_s,
        ))
    }
}
