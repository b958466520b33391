//! Service assurance (issue 17): services and components, probes of the real interfaces,
//! incidents (by probe or by hand, with their cause), notified maintenance, daily and monthly
//! availability (S1, S2), SLA credits onto the next invoice (S3, B12), restoration time (T5),
//! NOC tickets to the affected partners (S4) and the public status page's data.

use std::collections::BTreeSet;

use tollgate_core::assurance::availability::{self, Maintenance, Measure, Outage, Span};
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

/// The outages and maintenance windows that touched any of `components` in `[from, to)`.
pub(crate) struct Facts {
    pub outages: Vec<Outage>,
    pub maintenance: Vec<Maintenance>,
}

impl App {
    /// Loads what availability needs for a set of components over `[from, to)`: each
    /// incident and window once, however many of the components it touched (overlaps count
    /// once, S3).
    pub(crate) async fn assurance_facts(
        &self,
        components: &BTreeSet<String>,
        from: i64,
        to: i64,
    ) -> Result<Facts, AppError> {
        let touched: BTreeSet<String> = asys::incident_components_during(&self.store, from, to)
            .await?
            .into_iter()
            .filter(|(_, c)| components.contains(c))
            .map(|(i, _)| i)
            .collect();
        let mut outages = Vec::new();
        for i in asys::incidents_during(&self.store, from, to).await? {
            if touched.contains(&i.id) {
                outages.push(Outage {
                    start: i.started_at,
                    end: i.resolved_at,
                    cause: Cause::parse(&i.cause)?,
                });
            }
        }
        let windows: BTreeSet<String> = asys::maintenance_components_during(&self.store, from, to)
            .await?
            .into_iter()
            .filter(|(_, c)| components.contains(c))
            .map(|(m, _)| m)
            .collect();
        let maintenance = asys::maintenance_during(&self.store, from, to)
            .await?
            .into_iter()
            .filter(|m| windows.contains(&m.id))
            .map(|m| Maintenance {
                start: m.starts_at,
                end: m.ends_at,
                notice_at: m.notice_at,
            })
            .collect();
        Ok(Facts {
            outages,
            maintenance,
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
        Ok(availability::measure(
            Span {
                start: from,
                end: to,
            },
            self.now(),
            &f.outages,
            &f.maintenance,
            lead_s,
        ))
    }
}
