//! The public status page's data (S2): each service's current state, its published daily
//! availability for the last [`STATUS_DAYS`] days, open and recent incidents with their
//! updates, ongoing and planned maintenance. Public information only: no customer appears.

use std::collections::BTreeSet;

use tollgate_core::assurance::availability::Measure;
use tollgate_store::assurance::{system as asys, DailyRow, MaintenanceRow, ServiceRow};

use super::incidents::IncidentView;
use super::measure::{day_of, DAY_S};
use super::STATUS_DAYS;
use crate::{App, AppError};

/// Days back the page lists resolved incidents.
pub const RECENT_INCIDENT_DAYS: i64 = 14;
/// Days ahead the page lists planned maintenance.
pub const PLANNED_DAYS: i64 = 60;
/// Incidents the page lists at most.
pub const MAX_PAGE_INCIDENTS: i64 = 50;

/// A service on the status page.
#[derive(Debug, Clone)]
pub struct ServiceStatus {
    pub service: ServiceRow,
    /// `operational`, `maintenance`, `partial_outage` or `major_outage`.
    pub state: &'static str,
    /// One entry per day, oldest first; `None` for a day not published.
    pub days: Vec<(i64, Option<DailyRow>)>,
    /// The published days summed.
    pub window: Measure,
}

/// Everything the status page shows.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub generated_at: i64,
    pub services: Vec<ServiceStatus>,
    /// Open first, then resolved in the last [`RECENT_INCIDENT_DAYS`] days, newest first;
    /// their components by name.
    pub incidents: Vec<IncidentView>,
    /// Ongoing and planned windows, with the names of their components.
    pub maintenance: Vec<(MaintenanceRow, Vec<String>)>,
}

impl App {
    /// Every open incident (never capped: the services' state rests on them), then those
    /// resolved since `since`, the latest first (at most [`MAX_PAGE_INCIDENTS`]).
    pub async fn recent_incidents(
        &self,
        since: i64,
    ) -> Result<Vec<tollgate_store::assurance::IncidentRow>, AppError> {
        let mut out = asys::open_incidents(&self.store).await?;
        out.reverse();
        out.extend(asys::resolved_since(&self.store, since, MAX_PAGE_INCIDENTS).await?);
        Ok(out)
    }

    /// The status page's data as of now.
    pub async fn status(&self) -> Result<StatusView, AppError> {
        let now = self.now();
        let today = day_of(now);
        let first = today - (STATUS_DAYS - 1) * DAY_S;
        let components = asys::components(&self.store).await?;
        let name_of = |id: &str| {
            components
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| id.to_string(), |c| c.name.clone())
        };
        let mut incidents = Vec::new();
        for i in self
            .recent_incidents(now - RECENT_INCIDENT_DAYS * DAY_S)
            .await?
        {
            incidents.push(self.incident(&i.id).await?);
        }
        let down: BTreeSet<String> = incidents
            .iter()
            .filter(|v| v.incident.state == "open")
            .flat_map(|v| v.components.iter().cloned())
            .collect();
        let windows = self
            .maintenance_windows(now - DAY_S, now + PLANNED_DAYS * DAY_S)
            .await?;
        let in_maintenance: BTreeSet<String> = windows
            .iter()
            .filter(|(m, _)| m.starts_at <= now && now < m.ends_at)
            .flat_map(|(_, c)| c.iter().cloned())
            .collect();
        let mut services = Vec::new();
        for s in asys::services(&self.store).await? {
            let mine: Vec<&String> = components
                .iter()
                .filter(|c| c.service_id == s.id)
                .map(|c| &c.id)
                .collect();
            let hit = mine.iter().filter(|c| down.contains(**c)).count();
            let state = if hit > 0 && hit == mine.len() {
                "major_outage"
            } else if hit > 0 {
                "partial_outage"
            } else if mine.iter().any(|c| in_maintenance.contains(*c)) {
                "maintenance"
            } else {
                "operational"
            };
            let published = asys::daily(&self.store, &s.id, first, today + DAY_S).await?;
            let mut window = Measure::default();
            let days = (0..STATUS_DAYS)
                .map(|k| {
                    let d = first + k * DAY_S;
                    let row = published.iter().find(|p| p.day == d).cloned();
                    if let Some(r) = &row {
                        window.period_s += r.period_s;
                        window.counted_s += r.counted_s;
                        window.excluded_maintenance_s += r.excluded_maintenance_s;
                        window.excluded_other_s += r.excluded_other_s;
                    }
                    (d, row)
                })
                .collect();
            services.push(ServiceStatus {
                service: s,
                state,
                days,
                window,
            });
        }
        // Public: components by name, never by internal id.
        for v in &mut incidents {
            v.components = v.components.iter().map(|id| name_of(id)).collect();
        }
        let maintenance = windows
            .into_iter()
            .filter(|(m, _)| m.ends_at > now)
            .map(|(m, c)| {
                let names = c.iter().map(|id| name_of(id)).collect();
                (m, names)
            })
            .collect();
        Ok(StatusView {
            generated_at: now,
            services,
            incidents,
            maintenance,
        })
    }
}
