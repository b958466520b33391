//! Login limits per account and per address, and TOTP replay protection (A3).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::*;

/// Password hashes (argon2id, ~20-50 ms of CPU each) computed at once on the blocking pool;
/// more wait their turn, so a login burst never starves the guard of executor threads.
pub const MAX_CONCURRENT_HASHES: usize = 2;

/// Sliding-window counter of failed logins, bounded in memory, and the last TOTP step each
/// user logged in with (a code is accepted once: A3 replay protection).
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
    totp_steps: Mutex<HashMap<String, i64>>,
}

impl LoginLimiter {
    /// Records the TOTP step a user just used; `false` when that step (or a later one) was
    /// already used: the code is a replay. Entries older than the skew window are dropped
    /// when the map is full (they can no longer be replayed).
    pub fn use_totp_step(&self, user_id: &str, step: i64, now: i64) -> bool {
        let mut m = self.totp_steps.lock().expect("totp lock");
        if m.len() >= MAX_TRACKED_LOGIN_KEYS {
            let oldest = now.div_euclid(secrets::TOTP_STEP_S) - secrets::TOTP_SKEW_STEPS;
            m.retain(|_, s| *s >= oldest);
        }
        match m.get(user_id) {
            Some(last) if *last >= step => false,
            _ => {
                m.insert(user_id.to_string(), step);
                true
            }
        }
    }

    fn keys(email: &str, source: &str) -> [(String, usize); 2] {
        [
            (
                format!("a:{}|{source}", email.trim().to_lowercase()),
                MAX_FAILED_LOGINS_PER_ACCOUNT,
            ),
            (format!("s:{source}"), MAX_FAILED_LOGINS_PER_SOURCE),
        ]
    }

    /// Seconds until the next attempt is allowed, or `None` when allowed now.
    pub fn blocked_for(&self, email: &str, source: &str, now: i64) -> Option<i64> {
        let mut map = self.failures.lock().expect("limiter lock");
        let mut wait = None;
        for (key, max) in Self::keys(email, source) {
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| *t <= now - LOGIN_WINDOW_S) {
                    q.pop_front();
                }
                if q.len() >= max {
                    let w = q.front().map_or(1, |t| t + LOGIN_WINDOW_S - now).max(1);
                    wait = Some(wait.map_or(w, |x: i64| x.max(w)));
                }
            }
        }
        wait
    }

    pub fn record_failure(&self, email: &str, source: &str, now: i64) {
        let mut map = self.failures.lock().expect("limiter lock");
        if map.len() >= MAX_TRACKED_LOGIN_KEYS {
            map.retain(|_, q| q.back().is_some_and(|t| *t > now - LOGIN_WINDOW_S));
            if map.len() >= MAX_TRACKED_LOGIN_KEYS {
                map.clear();
            }
        }
        for (key, max) in Self::keys(email, source) {
            let q = map.entry(key).or_default();
            q.push_back(now);
            while q.len() > max {
                q.pop_front();
            }
        }
    }

    pub fn record_success(&self, email: &str, source: &str) {
        let mut map = self.failures.lock().expect("limiter lock");
        map.remove(&Self::keys(email, source)[0].0);
    }
}
