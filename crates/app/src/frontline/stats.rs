//! The manager's statistics (Q) per store and across stores, from the event log only: alerts
//! raised in the period with their outcome (accepted with its response time, escalated,
//! missed, still open), staff time in the broadcasts, joins and leaves, call-point scans per
//! point and hour; the comparison between stores as CSV.

use std::collections::{BTreeMap, HashMap};

use tollgate_core::frontline::stats::{presence_ms, summarize, AlertSummary, Outcome};
use tollgate_core::frontline::MAX_MISS_AFTER_S;
use tollgate_store::frontline::{self as fl, ScanCount, StoreRow};
use tollgate_store::{Page, ScopeFilter};

use crate::{App, AppError, Caller};

/// The longest period one statistics request covers.
pub const MAX_STATS_PERIOD_MS: i64 = 93 * 86_400_000;
/// Stores one request compares at most (pages of them are read up to this).
pub const MAX_STATS_STORES: usize = 20_000;

/// One store's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub store_id: String,
    pub store: String,
    pub alerts: AlertSummary,
    pub staff_time_ms: i64,
    pub joins: u64,
    pub leaves: u64,
    pub scans: i64,
}

/// A period's figures: per store, across them, and the scans per point and hour.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub from_ms: i64,
    pub to_ms: i64,
    pub stores: Vec<StoreStats>,
    pub total: StoreStats,
    pub scans: Vec<ScanCount>,
}

#[derive(Default)]
struct Acc {
    outcomes: Vec<Outcome>,
    stays: HashMap<String, Vec<(i64, Option<i64>)>>,
    joins: u64,
    leaves: u64,
    scans: i64,
}

impl Acc {
    fn figures(&self, from: i64, to: i64) -> (AlertSummary, i64) {
        let time = self.stays.values().map(|v| presence_ms(v, from, to)).sum();
        (summarize(&self.outcomes), time)
    }
}

/// A period whose log holds more than the store reads at once is refused, never answered from
/// part of it.
fn too_many(rows: usize) -> Result<(), AppError> {
    if rows as i64 > fl::MAX_STATS_ROWS {
        return Err(AppError::invalid(
            "period_too_large",
            "from",
            format!(
                "more than {} entries in the period: ask for fewer days or one store",
                fl::MAX_STATS_ROWS
            ),
        ));
    }
    Ok(())
}

impl App {
    /// Statistics of the stores in scope (one store when given) for `[from_ms, to_ms)`.
    pub async fn frontline_stats(
        &self,
        caller: &Caller,
        store: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Stats, AppError> {
        if to_ms <= from_ms || to_ms - from_ms > MAX_STATS_PERIOD_MS {
            return Err(AppError::invalid(
                "period_invalid",
                "to",
                "after `from`, at most 93 days later",
            ));
        }
        let scope = || ScopeFilter::of(&caller.scope);
        if let Some(s) = store {
            self.frontline_store(caller, s).await?;
        }
        let stores = self.stores_in_scope(caller, store).await?;
        let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
        // Outcomes come at most `MAX_MISS_AFTER_S` after the raise.
        let log = fl::log_between(
            &self.store,
            scope(),
            store,
            from_ms,
            to_ms + MAX_MISS_AFTER_S * 1_000,
        )
        .await?;
        too_many(log.len())?;
        let mut index: HashMap<String, (String, usize)> = HashMap::new();
        for r in &log {
            let a = acc.entry(r.store_id.clone()).or_default();
            let in_period = r.at_ms < to_ms;
            match (r.kind.as_str(), &r.notification_id) {
                ("raised", Some(n)) if in_period => {
                    index.insert(n.clone(), (r.store_id.clone(), a.outcomes.len()));
                    a.outcomes.push(Outcome {
                        raised_ms: r.at_ms,
                        accepted_ms: None,
                        escalated: false,
                        missed: false,
                    });
                }
                ("joined", _) if in_period => a.joins += 1,
                ("left", _) if in_period => a.leaves += 1,
                _ => {}
            }
        }
        for r in &log {
            let Some((s, i)) = r.notification_id.as_ref().and_then(|n| index.get(n)) else {
                continue;
            };
            let Some(o) = acc.get_mut(s).and_then(|a| a.outcomes.get_mut(*i)) else {
                continue;
            };
            match r.kind.as_str() {
                "accepted" => o.accepted_ms = Some(r.at_ms),
                "escalated" => o.escalated = true,
                "missed" => o.missed = true,
                _ => {}
            }
        }
        let stays = fl::stays_between(&self.store, scope(), store, from_ms, to_ms).await?;
        too_many(stays.len())?;
        for r in stays {
            if let (Some(staff), Some(since)) = (&r.staff_id, r.since_ms) {
                let a = acc.entry(r.store_id.clone()).or_default();
                a.stays
                    .entry(staff.clone())
                    .or_default()
                    .push((since, Some(r.at_ms)));
            }
        }
        // Members still in a broadcast count up to now (a period that has not ended yet).
        let until = to_ms.min(self.clock.now_ms());
        let present = fl::present_staff(&self.store, scope(), store, to_ms).await?;
        too_many(present.len())?;
        for s in present {
            let a = acc.entry(s.store_id.clone()).or_default();
            a.stays
                .entry(s.id.clone())
                .or_default()
                .push((s.joined_at_ms.unwrap_or(until), Some(until)));
        }
        let scans = fl::scans_per_point_hour(&self.store, scope(), store, from_ms, to_ms).await?;
        too_many(scans.len())?;
        for c in &scans {
            acc.entry(c.store_id.clone()).or_default().scans += c.scans;
        }
        let mut out = Stats {
            from_ms,
            to_ms,
            scans,
            ..Stats::default()
        };
        let mut all = Acc::default();
        for st in stores {
            let a = acc.remove(&st.id).unwrap_or_default();
            let (alerts, staff_time_ms) = a.figures(from_ms, to_ms);
            all.outcomes.extend(a.outcomes.iter().copied());
            for (k, v) in a.stays {
                all.stays.insert(k, v);
            }
            all.joins += a.joins;
            all.leaves += a.leaves;
            all.scans += a.scans;
            out.stores.push(StoreStats {
                store_id: st.id,
                store: st.name,
                alerts,
                staff_time_ms,
                joins: a.joins,
                leaves: a.leaves,
                scans: a.scans,
            });
        }
        let (alerts, staff_time_ms) = all.figures(from_ms, to_ms);
        out.total = StoreStats {
            store_id: String::new(),
            store: "all stores".into(),
            alerts,
            staff_time_ms,
            joins: all.joins,
            leaves: all.leaves,
            scans: all.scans,
        };
        Ok(out)
    }

    /// The stores in scope (one when given), every page up to [`MAX_STATS_STORES`].
    async fn stores_in_scope(
        &self,
        caller: &Caller,
        store: Option<&str>,
    ) -> Result<Vec<StoreRow>, AppError> {
        if let Some(s) = store {
            return Ok(vec![self.frontline_store(caller, s).await?]);
        }
        let mut out: Vec<StoreRow> = Vec::new();
        let mut page = Page::first(tollgate_store::MAX_PAGE_LIMIT);
        loop {
            let rows =
                fl::list_stores(&self.store, ScopeFilter::of(&caller.scope), None, &page).await?;
            let full = rows.len() as i64 == page.limit;
            page.after = rows.last().map(|r| r.id.clone());
            out.extend(rows);
            if out.len() > MAX_STATS_STORES {
                return Err(AppError::invalid(
                    "too_many_stores",
                    "store_id",
                    format!("more than {MAX_STATS_STORES} stores: ask per store or per customer"),
                ));
            }
            if !full {
                return Ok(out);
            }
        }
    }
}

/// The comparison between stores as CSV (seconds and minutes as decimals of the log's
/// milliseconds), the total last.
pub fn stats_csv(s: &Stats) -> String {
    let secs = |v: Option<i64>| {
        v.map(|ms| format!("{}.{:03}", ms / 1000, ms % 1000))
            .unwrap_or_default()
    };
    let header = [
        "store_id",
        "store",
        "raised",
        "accepted",
        "missed",
        "escalated",
        "open",
        "response_p50_s",
        "response_p90_s",
        "staff_minutes",
        "joins",
        "leaves",
        "scans",
    ]
    .map(String::from)
    .to_vec();
    let row = |x: &StoreStats| {
        vec![
            x.store_id.clone(),
            x.store.clone(),
            x.alerts.raised.to_string(),
            x.alerts.accepted.to_string(),
            x.alerts.missed.to_string(),
            x.alerts.escalated.to_string(),
            x.alerts.open.to_string(),
            secs(x.alerts.response_p50_ms),
            secs(x.alerts.response_p90_ms),
            (x.staff_time_ms / 60_000).to_string(),
            x.joins.to_string(),
            x.leaves.to_string(),
            x.scans.to_string(),
        ]
    };
    let rows = std::iter::once(header)
        .chain(s.stores.iter().map(row))
        .chain(std::iter::once(row(&s.total)));
    crate::csv_out::to_string(rows)
}
