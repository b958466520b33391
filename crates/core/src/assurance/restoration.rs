//! T5 (W 6.2): each outage runs against the guaranteed CLASSOUND restoration time (SRT: 4 h
//! in `wildix-2026`, 8 h in `x-hoppers-2025`; the profile's `restoration_time_h`).
//!
//! **Decision:** the clock runs in wall time from the outage's start, around the clock (the
//! NOC works 24/7, S4), until it is resolved or, while open, until `now`. Restored in exactly
//! the SRT is in time; one second more is a breach.

/// Where an outage stands against the SRT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restoration {
    /// Seconds from the start to the resolution (or to `now` while open); never negative.
    pub elapsed_s: i64,
    /// When the SRT runs out: `started + srt_h × 3600`.
    pub due_at: i64,
    /// `elapsed_s > srt_h × 3600`.
    pub breached: bool,
}

/// The outage that `started` and was `resolved` (or not yet), as of `now`, against an SRT of
/// `srt_h` hours.
pub fn restoration(started: i64, resolved: Option<i64>, now: i64, srt_h: i64) -> Restoration {
    let srt_s = srt_h.max(0).saturating_mul(3_600);
    let end = resolved.unwrap_or(now);
    let elapsed_s = end.saturating_sub(started).max(0);
    Restoration {
        elapsed_s,
        due_at: started.saturating_add(srt_s),
        breached: elapsed_s > srt_s,
    }
}
