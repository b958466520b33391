//! At start the guard replays the recent persisted calls into its detector windows, so a
//! deploy does not reset fraud state (review issue, item 9).
//!
//! What comes back: attempt rates, enumeration, simultaneous-international and IRSF windows,
//! spend per hour (from the rated CDRs), the dialer signature, the learned baseline (hours,
//! countries, sources) for the last [`REPLAY_LOOKBACK_S`]. Bans come back from the store.
//! What is forgotten, and why that is safe: refused attempts are not persisted, so the
//! forbidden-destination counter starts empty (those calls were refused anyway, and the next
//! three attempts within ten minutes raise the incident again); authentication failures
//! below the ban threshold start empty (a ban in force is kept); announcements (F7) are not
//! applied to the replay, so thresholds are at their lowest (the strict side). Incidents the
//! replay would raise are not raised again: the detectors only remember that they fired.

use std::collections::{HashMap, HashSet};

use super::*;

/// How far back the replay reaches (the baseline's learning needs a week).
pub const REPLAY_LOOKBACK_S: i64 = 7 * 86_400;
/// Most calls replayed (the most recent ones).
pub const MAX_REPLAY_CALLS: i64 = 200_000;

fn replay_policy() -> AccountPolicy {
    AccountPolicy {
        validated: true,
        licensed_calls: u32::MAX,
        site_bandwidth_kbps: None,
        home_country: String::new(),
        international_allowlist: Vec::new(),
        owned_numbers: Vec::new(),
        credit_left_micros: None,
        max_call_duration_s: tollgate_core::rating::MAX_CALL_CAP_S,
        suspensions: Vec::new(),
        announcements: Vec::new(),
    }
}

impl App {
    /// Replays the recent calls into the detector windows; returns how many.
    pub(super) async fn replay_windows(&self, now: i64) -> Result<usize, AppError> {
        let calls = guard_store::system::recent_calls(
            &self.store,
            now - REPLAY_LOOKBACK_S,
            MAX_REPLAY_CALLS,
        )
        .await?;
        if calls.is_empty() {
            return Ok(0);
        }
        let ids: Vec<String> = calls
            .iter()
            .map(|(c, _)| c.billing_account_id.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let tables: HashMap<String, Option<String>> =
            tenancy_store::system::billing_accounts_by_ids(&self.store, &ids)
                .await?
                .into_iter()
                .map(|(b, _, _)| (b.id, b.rate_table))
                .collect();
        // (time, 0 = end before a start at the same second, index)
        let mut events: Vec<(i64, u8, usize)> = Vec::with_capacity(calls.len() * 2);
        for (i, (c, _)) in calls.iter().enumerate() {
            events.push((c.started_at, 1, i));
            if let Some(e) = c.ended_at {
                events.push((e, 0, i));
            }
        }
        events.sort_unstable();
        let policy = replay_policy();
        let detectors = Detectors {
            t: &self.guard.thresholds,
        };
        let mut live: HashMap<&str, Live> = HashMap::new();
        for (at, kind, i) in events {
            let (c, cost) = &calls[i];
            let account = c.billing_account_id.as_str();
            let l = live.entry(account).or_default();
            if kind == 1 {
                let table = tables
                    .get(account)
                    .and_then(|t| t.as_deref())
                    .and_then(|t| self.rates.get(t));
                let facts = CallFacts {
                    to: &c.to_number,
                    rate_per_min_micros: table
                        .as_ref()
                        .and_then(|t| t.lookup(&c.to_number, at))
                        .map(|r| r.rate_per_min_micros),
                    source: Some(c.source.as_str()).filter(|s| !s.is_empty()),
                };
                let before = *l;
                self.guard.counters.account_window(account, at, &mut |w| {
                    detectors.on_attempt(w, &policy, before, &facts, c.international, at);
                });
                l.calls += 1;
                l.international_calls += u32::from(c.international);
            } else {
                l.calls = l.calls.saturating_sub(1);
                l.international_calls = l
                    .international_calls
                    .saturating_sub(u32::from(c.international));
                let talk = c.answered_at.map_or(0, |a| (at - a).max(0));
                let talk = u32::try_from(talk).unwrap_or(u32::MAX);
                self.guard.counters.account_window(account, at, &mut |w| {
                    detectors.on_end(w, &policy, talk, cost.unwrap_or(0), at);
                });
            }
        }
        for account in live.keys() {
            self.guard.counters.account_window(
                account,
                now,
                &mut tollgate_core::guard::forget_strikes,
            );
        }
        Ok(calls.len())
    }
}
