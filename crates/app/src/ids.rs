//! Identifiers: `<prefix>_<16 hex digits><6 hex digits>`. The 16 digits are milliseconds
//! since 1970 shifted left by 16 bits plus a sequence, strictly increasing within a process,
//! so ids sort by creation (keyset pagination, stable test order); the last 6 are a random
//! salt drawn once per process, so two processes (nodes) never collide in practice. No system
//! call per id: intake creates one per CDR.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static LAST: AtomicU64 = AtomicU64::new(0);
static SALT: OnceLock<String> = OnceLock::new();

/// A new id with the given prefix (`cus`, `ptn`, `usr`, ...).
pub fn new_id(prefix: &str) -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut prev = LAST.load(Ordering::Relaxed);
    let next = loop {
        let candidate = (ms << 16).max(prev + 1);
        match LAST.compare_exchange_weak(prev, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break candidate,
            Err(p) => prev = p,
        }
    };
    let salt = SALT.get_or_init(|| {
        let mut r = [0u8; 3];
        getrandom::getrandom(&mut r).expect("OS random source");
        format!("{:02x}{:02x}{:02x}", r[0], r[1], r[2])
    });
    format!("{prefix}_{next:016x}{salt}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_strictly_within_a_process() {
        let ids: Vec<String> = (0..10_000).map(|_| new_id("t")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
