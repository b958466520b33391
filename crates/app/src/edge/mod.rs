//! The SIP edge (issue 14): Kamailio in front of the traffic asks the guard over its evapi
//! socket. Tollgate is the evapi client: it connects to Kamailio, checks the edge's `sip_edge`
//! credential in the first message, answers every suspended INVITE with a decision naming
//! its transaction, turns each answer and end into the call's record (a rated CDR, once), and
//! pushes the guard's cuts (F4) and bans (F6) to the edge. Reconnects with backoff; the live
//! calls survive a restart (the guard restores them), so an end reported after it still
//! makes exactly one CDR.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub mod messages;
pub mod netstring;
mod session;

pub use session::{
    EdgeMode, EDGE_HELLO_TIMEOUT_MS, EDGE_PUSH_INTERVAL_MS, EDGE_QUEUE, EDGE_RECONNECT_MAX_MS,
};

/// What the edge connection has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct EdgeStats {
    pub connected: AtomicBool,
    pub connects: AtomicU64,
    pub refused_hellos: AtomicU64,
    pub invites: AtomicU64,
    pub allowed: AtomicU64,
    pub busy: AtomicU64,
    pub denied: AtomicU64,
    pub unavailable: AtomicU64,
    pub answered: AtomicU64,
    pub ended: AtomicU64,
    pub auth_failures: AtomicU64,
    pub cuts_sent: AtomicU64,
    pub bans_sent: AtomicU64,
    pub protocol_errors: AtomicU64,
    /// Commands waiting to be written to the edge now.
    pub queued: AtomicU64,
}

impl EdgeStats {
    pub(crate) fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}
