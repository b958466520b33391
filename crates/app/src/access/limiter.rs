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

    fn keys(email: &str, source: &str) -> [(String, usize); 3] {
        let email = email.trim().to_lowercase();
        [
            (format!("a:{email}|{source}"), MAX_FAILED_LOGINS_PER_ACCOUNT),
            (format!("s:{source}"), MAX_FAILED_LOGINS_PER_SOURCE),
            (
                format!("e:{email}"),
                MAX_FAILED_LOGINS_PER_ACCOUNT_ANY_SOURCE,
            ),
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
                // Still full of live keys (a flood of addresses): forget the half whose last
                // failure is oldest, never every counter at once.
                let mut lasts: Vec<i64> = map.values().filter_map(|q| q.back().copied()).collect();
                lasts.sort_unstable();
                let cut = lasts[lasts.len() / 2];
                map.retain(|_, q| q.back().is_some_and(|t| *t > cut));
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000;

    #[test]
    fn i11_5_one_account_guessed_from_many_addresses_is_limited_too() {
        let l = LoginLimiter::default();
        // One failure from each of 50 addresses: no address and no (account, address) pair
        // is over its limit, the account from any address is.
        for i in 0..MAX_FAILED_LOGINS_PER_ACCOUNT_ANY_SOURCE {
            let src = format!("198.51.100.{i}");
            assert_eq!(l.blocked_for("Victim@x.test", &src, NOW), None, "try {i}");
            l.record_failure("victim@x.test", &src, NOW);
        }
        assert_eq!(
            l.blocked_for("victim@x.test", "203.0.113.9", NOW + 1),
            Some(LOGIN_WINDOW_S - 1)
        );
        // Another account from the same new address is not touched.
        assert_eq!(l.blocked_for("other@x.test", "203.0.113.9", NOW + 1), None);
    }

    #[test]
    fn i11_5_a_flood_of_addresses_forgets_the_oldest_counters_not_every_counter() {
        let l = LoginLimiter::default();
        // Older failures first: a flood of one-off addresses a minute before.
        for i in 0..MAX_TRACKED_LOGIN_KEYS {
            l.record_failure(
                &format!("u{i}@x.test"),
                &format!("2001:db8::{i:x}"),
                NOW - 60,
            );
        }
        // The victim's five failures now, when the map is full.
        for _ in 0..MAX_FAILED_LOGINS_PER_ACCOUNT {
            l.record_failure("victim@x.test", "192.0.2.1", NOW);
        }
        assert!(l.blocked_for("victim@x.test", "192.0.2.1", NOW).is_some());
        let tracked = l.failures.lock().unwrap().len();
        assert!(tracked <= MAX_TRACKED_LOGIN_KEYS, "bounded: {tracked}");
    }
}
