//! The guard's counters: live calls per account and the detectors' sliding windows, behind
//! [`CounterStore`] so a shared backend (Redis, for several nodes) can replace the in-memory
//! one without touching the decision code.
//!
//! Contract of every implementation: [`CounterStore::try_admit`] checks the call-id and the
//! account's call limit and counts the call **atomically**, so concurrent admissions never
//! exceed a licence; [`CounterStore::end`] returns a call once, so it is never rated twice.

use std::collections::HashMap;
use std::sync::Mutex;

use tollgate_core::guard::{AccountWindow, Live, SourceWindow};

/// Live calls tracked at once; admissions beyond answer busy rather than lose state.
pub const MAX_LIVE_CALLS: usize = 1_000_000;
/// Account windows kept; the least recently used tenth is evicted beyond.
pub const MAX_TRACKED_ACCOUNTS: usize = 200_000;
/// Source windows kept; the least recently used tenth is evicted beyond.
pub const MAX_TRACKED_SOURCES: usize = 200_000;

/// A call in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCall {
    pub account: String,
    pub from: String,
    pub to: String,
    pub international: bool,
    pub started: i64,
    pub answered: Option<i64>,
}

/// Why an admission was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmitRefused {
    /// The call id is already live.
    DuplicateCallId,
    /// The account is at its limit (licences or bandwidth).
    AtLimit,
    /// The store tracks its maximum of live calls.
    AtCapacity,
}

/// Live-call counters and detector windows.
pub trait CounterStore: Send + Sync {
    /// Live calls of an account now.
    fn live(&self, account: &str) -> Live;
    /// Counts a call if its id is new and the account has fewer than `max_calls` live calls.
    fn try_admit(&self, call_id: &str, call: LiveCall, max_calls: u32) -> Result<(), AdmitRefused>;
    /// A live call; `None` when not live.
    fn get(&self, call_id: &str) -> Option<LiveCall>;
    /// Marks a live call answered (first answer wins); `None` when not live.
    fn answer(&self, call_id: &str, at: i64) -> Option<LiveCall>;
    /// Removes a live call and returns it; `None` when not live (so it ends once).
    fn end(&self, call_id: &str) -> Option<LiveCall>;
    /// Restores calls found live in the database at start; ids already live are skipped.
    fn restore(&self, calls: Vec<(String, LiveCall)>);
    /// Runs `f` on an account's window (created empty when new).
    fn account_window(&self, account: &str, now: i64, f: &mut dyn FnMut(&mut AccountWindow));
    /// Runs `f` on a source address's window (created empty when new).
    fn source_window(&self, source: &str, now: i64, f: &mut dyn FnMut(&mut SourceWindow));
    /// Whether a source address is banned at `now`.
    fn banned(&self, source: &str, now: i64) -> bool;
    /// Calls live now, every account.
    fn live_total(&self) -> usize;
    /// Every source banned at `now`, with the end of its ban (for the SIP edge).
    fn bans(&self, now: i64) -> Vec<(String, i64)>;
    /// The live calls of an account (to cut them when it is suspended).
    fn calls_of(&self, account: &str) -> Vec<(String, LiveCall)>;
    /// Ids of calls that started before `before` (never reported ended).
    fn started_before(&self, before: i64) -> Vec<String>;
}

#[derive(Default)]
struct Counters {
    live: HashMap<String, LiveCall>,
    by_account: HashMap<String, Live>,
    windows: HashMap<String, (AccountWindow, i64)>,
    sources: HashMap<String, (SourceWindow, i64)>,
}

/// The in-memory [`CounterStore`] of a single node.
#[derive(Default)]
pub struct MemoryCounters {
    inner: Mutex<Counters>,
}

fn evict_oldest<V>(map: &mut HashMap<String, (V, i64)>, max: usize) {
    if map.len() >= max {
        // Drop the least recently used tenth in one pass, so eviction is rare and amortised.
        let mut seen: Vec<i64> = map.values().map(|(_, t)| *t).collect();
        seen.sort_unstable();
        let cut = seen[seen.len() / 10];
        map.retain(|_, (_, t)| *t > cut);
    }
}

fn count(c: &mut Counters, call: &LiveCall, up: bool) {
    let l = c.by_account.entry(call.account.clone()).or_default();
    if up {
        l.calls += 1;
        l.international_calls += u32::from(call.international);
    } else {
        l.calls = l.calls.saturating_sub(1);
        l.international_calls = l
            .international_calls
            .saturating_sub(u32::from(call.international));
    }
}

impl CounterStore for MemoryCounters {
    fn live(&self, account: &str) -> Live {
        self.inner
            .lock()
            .expect("counters")
            .by_account
            .get(account)
            .copied()
            .unwrap_or_default()
    }

    fn try_admit(&self, call_id: &str, call: LiveCall, max_calls: u32) -> Result<(), AdmitRefused> {
        let mut c = self.inner.lock().expect("counters");
        if c.live.contains_key(call_id) {
            return Err(AdmitRefused::DuplicateCallId);
        }
        if c.live.len() >= MAX_LIVE_CALLS {
            return Err(AdmitRefused::AtCapacity);
        }
        if c.by_account
            .get(&call.account)
            .is_some_and(|l| l.calls >= max_calls)
        {
            return Err(AdmitRefused::AtLimit);
        }
        count(&mut c, &call, true);
        c.live.insert(call_id.to_string(), call);
        Ok(())
    }

    fn get(&self, call_id: &str) -> Option<LiveCall> {
        self.inner
            .lock()
            .expect("counters")
            .live
            .get(call_id)
            .cloned()
    }

    fn answer(&self, call_id: &str, at: i64) -> Option<LiveCall> {
        let mut c = self.inner.lock().expect("counters");
        let call = c.live.get_mut(call_id)?;
        call.answered.get_or_insert(at);
        Some(call.clone())
    }

    fn end(&self, call_id: &str) -> Option<LiveCall> {
        let mut c = self.inner.lock().expect("counters");
        let call = c.live.remove(call_id)?;
        count(&mut c, &call, false);
        Some(call)
    }

    fn restore(&self, calls: Vec<(String, LiveCall)>) {
        let mut c = self.inner.lock().expect("counters");
        for (id, call) in calls {
            if c.live.contains_key(&id) || c.live.len() >= MAX_LIVE_CALLS {
                continue;
            }
            count(&mut c, &call, true);
            c.live.insert(id, call);
        }
    }

    fn account_window(&self, account: &str, now: i64, f: &mut dyn FnMut(&mut AccountWindow)) {
        let mut c = self.inner.lock().expect("counters");
        evict_oldest(&mut c.windows, MAX_TRACKED_ACCOUNTS);
        let w = c.windows.entry(account.to_string()).or_default();
        w.1 = now;
        f(&mut w.0);
    }

    fn source_window(&self, source: &str, now: i64, f: &mut dyn FnMut(&mut SourceWindow)) {
        let mut c = self.inner.lock().expect("counters");
        evict_oldest(&mut c.sources, MAX_TRACKED_SOURCES);
        let w = c.sources.entry(source.to_string()).or_default();
        w.1 = now;
        f(&mut w.0);
    }

    fn calls_of(&self, account: &str) -> Vec<(String, LiveCall)> {
        let c = self.inner.lock().expect("counters lock");
        if c.by_account.get(account).is_none_or(|l| l.calls == 0) {
            return Vec::new();
        }
        c.live
            .iter()
            .filter(|(_, call)| call.account == account)
            .map(|(id, call)| (id.clone(), call.clone()))
            .collect()
    }

    fn started_before(&self, before: i64) -> Vec<String> {
        let c = self.inner.lock().expect("counters");
        c.live
            .iter()
            .filter(|(_, l)| l.started < before)
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn live_total(&self) -> usize {
        self.inner.lock().expect("counters").live.len()
    }

    fn bans(&self, now: i64) -> Vec<(String, i64)> {
        let c = self.inner.lock().expect("counters");
        c.sources
            .iter()
            .filter_map(|(s, (w, _))| w.banned_until.filter(|&u| now < u).map(|u| (s.clone(), u)))
            .collect()
    }

    fn banned(&self, source: &str, now: i64) -> bool {
        self.inner
            .lock()
            .expect("counters")
            .sources
            .get(source)
            .is_some_and(|(w, _)| w.banned_until.is_some_and(|u| now < u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(account: &str, intl: bool) -> LiveCall {
        LiveCall {
            account: account.into(),
            from: "1".into(),
            to: "2".into(),
            international: intl,
            started: 0,
            answered: None,
        }
    }

    #[test]
    fn admission_is_atomic_against_the_limit_and_ends_once() {
        let c = MemoryCounters::default();
        assert_eq!(c.try_admit("a", call("x", true), 2), Ok(()));
        assert_eq!(
            c.try_admit("a", call("x", false), 2),
            Err(AdmitRefused::DuplicateCallId)
        );
        assert_eq!(c.try_admit("b", call("x", false), 2), Ok(()));
        assert_eq!(
            c.try_admit("c", call("x", false), 2),
            Err(AdmitRefused::AtLimit)
        );
        assert_eq!(
            c.live("x"),
            Live {
                calls: 2,
                international_calls: 1
            }
        );
        assert!(c.end("a").is_some());
        assert!(c.end("a").is_none());
        assert_eq!(
            c.live("x"),
            Live {
                calls: 1,
                international_calls: 0
            }
        );
        c.restore(vec![
            ("b".into(), call("x", false)),
            ("d".into(), call("x", true)),
        ]);
        assert_eq!(
            c.live("x"),
            Live {
                calls: 2,
                international_calls: 1
            }
        );
    }
}
