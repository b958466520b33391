//! When an open notification's next step is due (RULEBOOK Q **Decision**): announced at once,
//! repeated at its frequency until accepted, escalated to the store manager after the
//! configured time, counted missed when nobody accepted it in time.

use super::{MAX_MISS_AFTER_S, MAX_REPEAT_S, MIN_REPEAT_S};
use crate::decision::Refusal;

/// A broadcast's timing, in milliseconds, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub repeat_ms: i64,
    pub escalate_after_ms: i64,
    pub miss_after_ms: i64,
}

impl Timing {
    /// Repeat every `repeat_s` ([`MIN_REPEAT_S`]..=[`MAX_REPEAT_S`]), escalate after
    /// `escalate_after_s` (at least one repeat, before the miss), missed after `miss_after_s`
    /// (at most [`MAX_MISS_AFTER_S`]).
    pub fn new(repeat_s: i64, escalate_after_s: i64, miss_after_s: i64) -> Result<Timing, Refusal> {
        if !(MIN_REPEAT_S..=MAX_REPEAT_S).contains(&repeat_s) {
            return Err(Refusal::invalid(
                "repeat_invalid",
                "repeat_s",
                format!("{MIN_REPEAT_S} to {MAX_REPEAT_S} seconds"),
            ));
        }
        if miss_after_s > MAX_MISS_AFTER_S || miss_after_s <= repeat_s {
            return Err(Refusal::invalid(
                "miss_after_invalid",
                "miss_after_s",
                format!("more than the repeat interval and at most {MAX_MISS_AFTER_S} seconds"),
            ));
        }
        if escalate_after_s < repeat_s || escalate_after_s >= miss_after_s {
            return Err(Refusal::invalid(
                "escalate_after_invalid",
                "escalate_after_s",
                "at least one repeat interval and less than miss_after_s",
            ));
        }
        Ok(Timing {
            repeat_ms: repeat_s * 1_000,
            escalate_after_ms: escalate_after_s * 1_000,
            miss_after_ms: miss_after_s * 1_000,
        })
    }
}

/// What is due for an open notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Announce to the broadcast: `repeat` 0 is the first announcement.
    Announce { repeat: u32 },
    /// Tell the store manager nobody has taken it.
    Escalate,
    /// Nobody accepted it in time: close it as missed.
    Miss,
}

/// The next step of an open notification raised at `raised_ms` that has been announced
/// `announced` times: announcements fall at `raised + k × repeat` (k = 0, 1, …) strictly
/// before the miss time; escalation once at `raised + escalate_after`; missed at
/// `raised + miss_after`. At the same instant a miss comes first, then the escalation.
pub fn next_step(raised_ms: i64, t: Timing, announced: u32, escalated: bool) -> (i64, Step) {
    let miss_at = raised_ms + t.miss_after_ms;
    let mut best = (miss_at, Step::Miss);
    if !escalated {
        let at = raised_ms + t.escalate_after_ms;
        if at < best.0 {
            best = (at, Step::Escalate);
        }
    }
    let at = raised_ms + i64::from(announced) * t.repeat_ms;
    if at < best.0 {
        best = (at, Step::Announce { repeat: announced });
    }
    best
}

/// How many announcements fall at or before `now_ms` (at least one: the first is at the
/// raise): after a restart the engine announces once more at once and goes on from here, so
/// the repeats keep their rhythm.
pub fn announcements_by(raised_ms: i64, t: Timing, now_ms: i64) -> u32 {
    let last = (raised_ms + t.miss_after_ms - 1).min(now_ms);
    let k = (last - raised_ms).max(0) / t.repeat_ms + 1;
    u32::try_from(k).unwrap_or(u32::MAX)
}
