//! The one place the application reads the time; tests pin it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Unix seconds, from the system or pinned.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    pub fn fixed(unix_s: i64) -> Clock {
        Clock::Fixed(Arc::new(AtomicI64::new(unix_s)))
    }

    pub fn now(&self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            Clock::Fixed(t) => t.load(Ordering::Relaxed),
        }
    }

    /// Unix milliseconds: the system's, or the pinned second's start.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
            Clock::Fixed(t) => t.load(Ordering::Relaxed) * 1_000,
        }
    }

    /// Sets a pinned clock; no effect on the system clock.
    pub fn set(&self, unix_s: i64) {
        if let Clock::Fixed(t) = self {
            t.store(unix_s, Ordering::Relaxed);
        }
    }

    /// Moves a pinned clock forward; no effect on the system clock.
    pub fn advance(&self, secs: i64) {
        if let Clock::Fixed(t) = self {
            t.fetch_add(secs, Ordering::Relaxed);
        }
    }
}
