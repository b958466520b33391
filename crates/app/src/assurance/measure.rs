//! Availability (S1, S2): per service per day, published by the daily job (the status page's
//! bars), and per month for a service or for a customer from the components its services
//! use. Exact seconds; the percentage shown is floored to the hundredth so it never
//! overstates.

use std::collections::BTreeSet;

use tollgate_core::assurance::availability::{self, Measure, Span};
use tollgate_store::assurance::{self as astore, system as asys, DailyRow};
use tollgate_store::ScopeFilter;

use super::STATUS_DAYS;
use crate::messaging::usage::month_bounds;
use crate::{App, AppError, Caller};

/// Seconds in a day (UTC days; availability is published per UTC day).
pub const DAY_S: i64 = 86_400;

/// A month's availability of a customer's services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerMonth {
    pub customer_id: String,
    pub month: String,
    pub profile: String,
    /// The components measured.
    pub components: Vec<String>,
    pub lead_s: i64,
    pub measure: Measure,
}

/// The first second of the UTC day holding `t`.
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(DAY_S) * DAY_S
}

impl App {
    /// The maintenance lead time of a profile, in seconds.
    pub(crate) fn lead_s(profile: &tollgate_core::terms::TermsProfile) -> i64 {
        i64::from(profile.availability.maintenance_notice_h) * 3_600
    }

    /// The longest maintenance lead time of the terms profiles, seconds: a window notified
    /// this far ahead is excluded for every customer (S1).
    pub fn longest_lead_s(&self) -> i64 {
        self.terms.all().iter().map(Self::lead_s).max().unwrap_or(0)
    }

    pub(crate) fn default_lead_s(&self) -> Result<i64, AppError> {
        let p = self
            .terms
            .get(crate::terms::DEFAULT_PROFILE, None)
            .ok_or_else(|| AppError::Internal("default profile missing".into()))?;
        Ok(Self::lead_s(p))
    }

    /// S2: computes and publishes each service's availability for the last [`STATUS_DAYS`]
    /// days (UTC); a day already published after it ended is kept as published. Returns the
    /// days written.
    pub async fn publish_daily(&self) -> Result<usize, AppError> {
        let now = self.now();
        let today = day_of(now);
        let first = today - (STATUS_DAYS - 1) * DAY_S;
        let lead = self.default_lead_s()?;
        let components = asys::components(&self.store).await?;
        let mut written = 0;
        for s in asys::services(&self.store).await? {
            let published = asys::daily(&self.store, &s.id, first, today + DAY_S).await?;
            let todo: Vec<i64> = (0..STATUS_DAYS)
                .map(|k| first + k * DAY_S)
                .filter(|d| {
                    !published
                        .iter()
                        .any(|p| p.day == *d && p.computed_at >= d + DAY_S)
                })
                .collect();
            let Some(&from) = todo.first() else { continue };
            let ids: BTreeSet<String> = components
                .iter()
                .filter(|c| c.service_id == s.id)
                .map(|c| c.id.clone())
                .collect();
            let facts = self.assurance_facts(&ids, from, today + DAY_S).await?;
            let mut tx = self.store.begin().await?;
            for day in todo {
                let m = availability::measure_parts(
                    Span {
                        start: day,
                        end: day + DAY_S,
                    },
                    now,
                    &facts.parts,
                    lead,
                );
                astore::put_daily(
                    &mut tx,
                    &DailyRow {
                        service_id: s.id.clone(),
                        day,
                        period_s: m.period_s,
                        counted_s: m.counted_s,
                        excluded_maintenance_s: m.excluded_maintenance_s,
                        excluded_other_s: m.excluded_other_s,
                        computed_at: now,
                    },
                )
                .await?;
                written += 1;
            }
            tollgate_store::commit(tx).await?;
        }
        Ok(written)
    }

    /// The published days of a service in `[from, to)`.
    pub async fn service_days(
        &self,
        service_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<DailyRow>, AppError> {
        if !asys::services(&self.store)
            .await?
            .iter()
            .any(|s| s.id == service_id)
        {
            return Err(AppError::NotFound("service"));
        }
        Ok(asys::daily(&self.store, service_id, day_of(from), to).await?)
    }

    /// A service's availability over a month (`YYYY-MM`), as of now.
    pub async fn service_month(&self, service_id: &str, month: &str) -> Result<Measure, AppError> {
        let (from, to) = month_bounds(month)?;
        let ids: BTreeSet<String> = asys::components(&self.store)
            .await?
            .into_iter()
            .filter(|c| c.service_id == service_id)
            .map(|c| c.id)
            .collect();
        if ids.is_empty()
            && !asys::services(&self.store)
                .await?
                .iter()
                .any(|s| s.id == service_id)
        {
            return Err(AppError::NotFound("service"));
        }
        self.measure_components(&ids, from, to, self.default_lead_s()?)
            .await
    }

    /// A customer's availability over a month: the components its services use (every
    /// component when the NOC has mapped none), its agreement's maintenance lead time.
    pub async fn customer_month(
        &self,
        caller: &Caller,
        customer_id: &str,
        month: &str,
    ) -> Result<CustomerMonth, AppError> {
        self.get_customer(caller, customer_id).await?;
        let (from, to) = month_bounds(month)?;
        let mapped =
            astore::customer_components(&self.store, ScopeFilter::of(&caller.scope), customer_id)
                .await?;
        if mapped.is_empty() {
            return Err(AppError::invalid(
                "components_unmapped",
                "customer_id",
                "the NOC has not mapped the components this customer's services use",
            ));
        }
        let components: BTreeSet<String> = mapped.into_iter().map(|c| c.component_id).collect();
        let profile = self.profile_for(customer_id).await?;
        let lead_s = Self::lead_s(&profile);
        let measure = self
            .measure_components(&components, from, to, lead_s)
            .await?;
        Ok(CustomerMonth {
            customer_id: customer_id.into(),
            month: month.into(),
            profile: profile.id.clone(),
            components: components.into_iter().collect(),
            lead_s,
            measure,
        })
    }
}
