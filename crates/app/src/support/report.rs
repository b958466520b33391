//! Support reports (issue 16 #10): response-time attainment per class of service and partner
//! for a month, and the open backlog by age. Read in the caller's scope, every page.

use std::collections::BTreeMap;

use tollgate_core::support::ticket::State;
use tollgate_store::support::{self as support_store, TicketFilter, TicketRow};
use tollgate_store::{Page, ScopeFilter, MAX_PAGE_LIMIT};

use crate::{App, AppError, Caller};

/// Backlog age buckets, upper bounds in days (the last is open-ended).
pub const BACKLOG_BUCKETS_DAYS: [i64; 3] = [1, 3, 7];

/// Attainment of one class of service for one partner (`None`: tickets without a partner).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attainment {
    pub tickets: u64,
    /// First response by the due time.
    pub in_time: u64,
    /// First response after the due time.
    pub late: u64,
    /// No response yet and the due time passed.
    pub overdue: u64,
    /// No response yet, not due yet.
    pub pending: u64,
    /// Median minutes from creation to first response, of those answered.
    pub median_response_min: Option<i64>,
}

impl Attainment {
    /// In time over those whose due time has passed or that were answered; `None` without any.
    pub fn percent(&self) -> Option<f64> {
        let decided = self.in_time + self.late + self.overdue;
        (decided > 0).then(|| self.in_time as f64 * 100.0 / decided as f64)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupportReport {
    /// (class of service, partner id) → attainment, tickets created in the month.
    pub attainment: BTreeMap<(String, Option<String>), Attainment>,
    /// Open tickets (new, open, pending customer) now by age: under 1 day, 1-3, 3-7, over 7.
    pub backlog: [u64; BACKLOG_BUCKETS_DAYS.len() + 1],
}

/// `YYYY-MM` → the month's first second and the next month's, UTC.
fn month_bounds(month: &str) -> Result<(i64, i64), AppError> {
    let bad = || AppError::invalid("month_invalid", "month", "YYYY-MM");
    let first: jiff::civil::Date = format!("{month}-01").parse().map_err(|_| bad())?;
    if month.len() != 7 {
        return Err(bad());
    }
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|_| bad())?;
    Ok((
        tollgate_core::time::day_start(first),
        tollgate_core::time::day_start(next),
    ))
}

impl App {
    async fn all_tickets(
        &self,
        caller: &Caller,
        f: &TicketFilter,
    ) -> Result<Vec<TicketRow>, AppError> {
        let mut out = Vec::new();
        let mut page = Page::first(MAX_PAGE_LIMIT);
        loop {
            let rows =
                support_store::list_tickets(&self.store, ScopeFilter::of(&caller.scope), f, &page)
                    .await?;
            let full = rows.len() as i64 == page.limit;
            page.after = rows.last().map(|t| t.id.clone());
            out.extend(rows);
            if !full {
                return Ok(out);
            }
        }
    }

    /// The month's attainment and today's backlog, in the caller's scope.
    pub async fn support_report(
        &self,
        caller: &Caller,
        month: &str,
    ) -> Result<SupportReport, AppError> {
        let (from, to) = month_bounds(month)?;
        let now = self.now();
        let mut r = SupportReport::default();
        let created = self
            .all_tickets(
                caller,
                &TicketFilter {
                    created: Some((from, to)),
                    ..TicketFilter::default()
                },
            )
            .await?;
        let mut minutes: BTreeMap<(String, Option<String>), Vec<i64>> = BTreeMap::new();
        for t in &created {
            let key = (t.cos.clone(), t.partner_id.clone());
            let a = r.attainment.entry(key.clone()).or_default();
            a.tickets += 1;
            match t.first_response_at {
                Some(at) if at <= t.response_due_at => a.in_time += 1,
                Some(_) => a.late += 1,
                None if t.response_due_at < now => a.overdue += 1,
                None => a.pending += 1,
            }
            if let Some(at) = t.first_response_at {
                minutes
                    .entry(key)
                    .or_default()
                    .push((at - t.created_at) / 60);
            }
        }
        for (key, mut m) in minutes {
            m.sort_unstable();
            if let Some(a) = r.attainment.get_mut(&key) {
                a.median_response_min = m.get(m.len() / 2).copied();
            }
        }
        for state in [State::New, State::Open, State::PendingCustomer] {
            let f = TicketFilter {
                state: Some(state.as_str().into()),
                ..TicketFilter::default()
            };
            for t in self.all_tickets(caller, &f).await? {
                let days = (now - t.created_at) / 86_400;
                let i = BACKLOG_BUCKETS_DAYS
                    .iter()
                    .position(|&b| days < b)
                    .unwrap_or(BACKLOG_BUCKETS_DAYS.len());
                r.backlog[i] += 1;
            }
        }
        Ok(r)
    }
}

impl App {
    /// Open tickets in scope, and those whose first response is overdue now.
    pub async fn ticket_counts(&self, caller: &Caller) -> Result<(i64, i64), AppError> {
        let scope = || ScopeFilter::of(&caller.scope);
        let open = support_store::TicketFilter {
            state: None,
            breached_at: None,
            created: None,
        };
        let breached = support_store::TicketFilter {
            breached_at: Some(self.now()),
            ..open.clone()
        };
        Ok((
            support_store::count_tickets(&self.store, scope(), &open, true).await?,
            support_store::count_tickets(&self.store, scope(), &breached, true).await?,
        ))
    }

    /// Tickets in the caller's scope sorted by a column, keyset-paged after `(value, id)`;
    /// `breached`: only those whose first response is overdue now.
    pub async fn tickets_sorted(
        &self,
        caller: &Caller,
        state: Option<&str>,
        breached: bool,
        p: &tollgate_store::SortedPage<'_, support_store::TicketSort>,
    ) -> Result<Vec<TicketRow>, AppError> {
        let f = self.ticket_filter(state, breached)?;
        Ok(
            support_store::list_tickets_sorted(&self.store, ScopeFilter::of(&caller.scope), &f, p)
                .await?,
        )
    }

    /// The filter of a ticket list: a known state (or any), and `breached`: the first
    /// response overdue now.
    pub(crate) fn ticket_filter(
        &self,
        state: Option<&str>,
        breached: bool,
    ) -> Result<TicketFilter, AppError> {
        if let Some(s) = state {
            State::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "filter_invalid",
                    "state",
                    "new, open, pending_customer, resolved or closed",
                )
            })?;
        }
        Ok(TicketFilter {
            state: state.map(String::from),
            breached_at: breached.then(|| self.now()),
            created: None,
        })
    }
}
