//! Frontline services (issue 19, RULEBOOK Q, X 2.B): a retailer's stores, broadcasts and staff
//! (`setup`) and their call points and video sources (`sources`), events in from call points,
//! AI video alerts and the staff's own requests (`raise`, committed in groups by `writer`),
//! the live engine that announces, repeats, escalates and closes notifications (`engine`) to
//! the connected staff (`live`), presence (`presence`), the manager's statistics (`stats`)
//! and the demo.
//!
//! One node runs a store's live engine: the database's conditional updates make an accept,
//! an escalation and a miss happen once whatever the nodes, but announcements reach the staff
//! connected to the node that raised or restored the notification.

use std::sync::Arc;

use tollgate_store::frontline::{system as fsys, StaffRow};

use crate::{App, AppError};

pub mod cache;
pub mod demo;
pub mod engine;
pub mod limiter;
pub mod live;
pub mod presence;
pub mod raise;
pub mod setup;
pub mod sources;
pub mod stats;
pub mod views;
pub mod writer;

/// Hex digits of a call point's code (the QR code's: 80 random bits).
pub const CALL_POINT_CODE_CHARS: usize = 20;

/// Whether a text can be a call point's code (checked before anything is counted).
pub fn is_call_point_code(code: &str) -> bool {
    code.len() == CALL_POINT_CODE_CHARS && code.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The refusal of a device token that names no active staff member.
pub(crate) fn staff_token_invalid() -> AppError {
    AppError::Unauthenticated {
        code: "staff_token_invalid",
        message: "a staff member's device token is required".into(),
    }
}

/// A staff device token's prefix (a headset's or the app's, not a user's API token).
pub const STAFF_TOKEN_PREFIX: &str = "tgs_";

/// The frontline's in-memory parts: the engine's timers, the live hubs, the raise writer and
/// the call points' rate limits.
#[derive(Default)]
pub struct Frontline {
    pub engine: engine::Engine,
    pub hubs: live::Hubs,
    pub(crate) writer: writer::RaiseWriter,
    pub(crate) scans: limiter::WindowLimiter,
    /// Live streams open on this node, in all and per staff member.
    pub(crate) streams: live::StreamCount,
    /// Video sources and call points with their broadcast, as the raises read them.
    pub(crate) sources: cache::SourceCache,
}

impl App {
    /// The frontline's state, created with the app.
    pub(crate) fn frontline(&self) -> &Arc<Frontline> {
        &self.frontline
    }

    /// The staff member a device token names (active only), or 401.
    pub async fn staff_by_token(&self, token: &str) -> Result<StaffRow, AppError> {
        let unknown = staff_token_invalid;
        if !token.starts_with(STAFF_TOKEN_PREFIX) {
            return Err(unknown());
        }
        let (staff, seat_live) =
            fsys::staff_by_token(&self.store, &crate::secrets::token_hash(token), self.now())
                .await?
                .ok_or_else(unknown)?;
        if !seat_live {
            return Err(tollgate_core::Refusal::new(
                "seat_lapsed",
                tollgate_core::rules::L2,
                format!(
                    "the store's {} subscription is not active: a seat lives only as long as its subscription",
                    staff.device
                ),
            )
            .into());
        }
        Ok(staff)
    }
}

impl App {
    /// Commits of the raise writer, the raises they stored (the benchmark's group size) and
    /// the microseconds it spent writing.
    pub fn frontline_writer_counts(&self) -> (u64, u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let w = &self.frontline.writer;
        (
            w.commits.load(Relaxed),
            w.rows.load(Relaxed),
            w.busy_us.load(Relaxed),
        )
    }
}
