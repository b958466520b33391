//! The public call points' rate limits: scans per point and per scanner address within a
//! window, in memory, bounded.

use std::collections::HashMap;
use std::sync::Mutex;

/// The window scans are counted in.
pub const SCAN_WINDOW_S: i64 = 60;
/// Scans of one call point per window at most (a crowd at one shelf, not a script).
pub const MAX_SCANS_PER_POINT: u32 = 30;
/// Scans from one address per window at most (across points).
pub const MAX_SCANS_PER_SOURCE: u32 = 10;
/// Keys tracked at most; when full, windows that ended are forgotten, and if it is still full
/// scans wait for the next window.
pub const MAX_TRACKED_SCAN_KEYS: usize = 100_000;

/// The scanner's key: an IPv4 address, or an IPv6 address's /64 (one subscriber's network,
/// which hands out addresses freely).
fn source_key(source: &str) -> String {
    match source.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(a)) => {
            let s = a.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => source.to_string(),
    }
}

/// Fixed-window counters by key.
#[derive(Default)]
pub struct WindowLimiter {
    counts: Mutex<HashMap<String, (i64, u32)>>,
}

impl WindowLimiter {
    /// Counts one scan of `point` from `source` at `now_s`; `Err(retry_after_s)` when either
    /// is over its limit (nothing is counted then).
    pub fn admit(&self, point: &str, source: &str, now_s: i64) -> Result<(), i64> {
        let window = now_s - now_s.rem_euclid(SCAN_WINDOW_S);
        let retry = window + SCAN_WINDOW_S - now_s;
        let mut m = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() + 2 > MAX_TRACKED_SCAN_KEYS {
            // Windows that ended are forgotten; counters of this window never are (that would
            // reset them), so a map still full refuses until the window ends.
            m.retain(|_, (w, _)| *w == window);
            if m.len() + 2 > MAX_TRACKED_SCAN_KEYS {
                return Err(retry);
            }
        }
        let count = |m: &HashMap<String, (i64, u32)>, k: &str| match m.get(k) {
            Some((w, n)) if *w == window => *n,
            _ => 0,
        };
        let (pk, sk) = (format!("p:{point}"), format!("s:{}", source_key(source)));
        if count(&m, &pk) >= MAX_SCANS_PER_POINT || count(&m, &sk) >= MAX_SCANS_PER_SOURCE {
            return Err(retry);
        }
        for k in [pk, sk] {
            let e = m.entry(k).or_insert((window, 0));
            if e.0 != window {
                *e = (window, 0);
            }
            e.1 += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_limited_per_source_and_per_point_within_the_window() {
        let l = WindowLimiter::default();
        // Window [60, 120): ten scans from one address pass, the eleventh waits 120 − 70 = 50 s.
        for _ in 0..MAX_SCANS_PER_SOURCE {
            assert!(l.admit("cp1", "10.0.0.1", 70).is_ok());
        }
        assert_eq!(l.admit("cp2", "10.0.0.1", 70), Err(50));
        // Other addresses reach the point's own limit: 30 in all, 10 already counted.
        for i in 0..(MAX_SCANS_PER_POINT - MAX_SCANS_PER_SOURCE) {
            assert!(l.admit("cp1", &format!("10.0.1.{i}"), 71).is_ok());
        }
        assert_eq!(l.admit("cp1", "10.0.2.1", 71), Err(49));
        // The next window starts afresh.
        assert!(l.admit("cp1", "10.0.0.1", 120).is_ok());
    }

    #[test]
    fn an_ipv6_network_counts_as_one_scanner() {
        let l = WindowLimiter::default();
        for i in 0..MAX_SCANS_PER_SOURCE {
            assert!(l.admit("cp1", &format!("2001:db8:1:2::{i:x}"), 0).is_ok());
        }
        assert!(l.admit("cp1", "2001:db8:1:2:ffff::1", 0).is_err());
        assert!(l.admit("cp1", "2001:db8:1:3::1", 0).is_ok());
    }
}
