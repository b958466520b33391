//! Frontline services (issue 19, RULEBOOK Q, X 2.B): a retailer's stores, broadcasts and staff
//! (`setup`), events in from call points, AI video alerts and the staff's own requests
//! (`raise`, committed in groups by `writer`), the live engine that announces, repeats,
//! escalates and closes notifications (`engine`) to the connected staff (`live`), presence
//! (`presence`), the manager's statistics (`stats`) and the demo.
//!
//! One node runs a store's live engine: the database's conditional updates make an accept,
//! an escalation and a miss happen once whatever the nodes, but announcements reach the staff
//! connected to the node that raised or restored the notification.

use std::sync::Arc;

use tollgate_store::frontline::{system as fsys, StaffRow};

use crate::{App, AppError};

pub mod demo;
pub mod engine;
pub mod limiter;
pub mod live;
pub mod presence;
pub mod raise;
pub mod setup;
pub mod stats;
pub mod views;
pub mod writer;

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
}

impl App {
    /// The frontline's state, created with the app.
    pub(crate) fn frontline(&self) -> &Arc<Frontline> {
        &self.frontline
    }

    /// The staff member a device token names (active only), or 401.
    pub async fn staff_by_token(&self, token: &str) -> Result<StaffRow, AppError> {
        let unknown = || AppError::Unauthenticated {
            code: "staff_token_invalid",
            message: "a staff member's device token is required".into(),
        };
        if !token.starts_with(STAFF_TOKEN_PREFIX) {
            return Err(unknown());
        }
        fsys::staff_by_token(&self.store, &crate::secrets::token_hash(token))
            .await?
            .ok_or_else(unknown)
    }
}

impl App {
    /// Commits of the raise writer and the raises they stored (the benchmark's group size).
    pub fn frontline_writer_counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let w = &self.frontline.writer;
        (w.commits.load(Relaxed), w.rows.load(Relaxed))
    }
}
