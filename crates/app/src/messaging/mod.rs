//! Messaging (issue 15): SMS/MMS admitted like calls (M1-M7, T2, F8, F9), the consent ledger,
//! inbound keywords, registrations, delivery through a connector (SMPP 3.4), usage and the
//! audit export.
//!
//! Hot path: admission reads only memory. An account's consents, suppressions, registrations
//! and the last day's marketing counts are loaded once ([`FACTS_TTL_S`]) and kept current by
//! every change this process makes; the decision, the caps and the detectors' windows are
//! checked and recorded under one short lock, so two concurrent messages cannot both take
//! the last place under a cap. An admitted message is durable before it is answered: the
//! queue writer commits messages in groups ([`queue`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, OnceLock};

use jiff::tz::TimeZone;
use tollgate_core::messaging::quiet::QuietRules;
use tollgate_core::messaging::{detectors, zones, Registered};

pub mod admit;
pub mod connector;
pub mod consent;
pub mod delivery;
pub mod demo;
pub mod export;
mod facts;
pub mod inbound;
pub mod queue;
pub mod registrations;
pub mod smpp;
pub mod usage;
mod views;

/// How long an account's messaging facts stay cached before they are read again (changes by
/// another node show after at most this).
pub const FACTS_TTL_S: i64 = 60;
/// Accounts whose facts are kept in memory; beyond, the cache starts again.
pub const MAX_CACHED_ACCOUNTS: usize = 10_000;
/// The window of the per-recipient caps (M4: "per 24 hours").
pub const CAP_WINDOW_S: i64 = 86_400;
/// Longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;
/// Longest campaign label.
pub const MAX_CAMPAIGN_CHARS: usize = 64;

/// A recipient's consent state: the latest event of the ledger, and the address on record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentState {
    pub granted: bool,
    /// The latest event is a revocation (an opt-out).
    pub opted_out: bool,
    pub country: Option<String>,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    /// The time of the event the state is from (a backdated event changes nothing newer).
    pub at: i64,
}

/// One account's messaging facts and windows.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccountFacts {
    pub(crate) customer_id: String,
    pub(crate) partner_id: Option<String>,
    pub(crate) consent: HashMap<String, ConsentState>,
    pub(crate) suppressed: HashSet<String>,
    pub(crate) registered: Registered,
    /// B8: the per-message surcharge of a sender (its campaign's or short code's).
    pub(crate) surcharge: HashMap<String, i64>,
    /// Marketing sends to each recipient in the last [`CAP_WINDOW_S`].
    pub(crate) marketing: HashMap<String, VecDeque<i64>>,
    pub(crate) recipients: detectors::Recipients,
    pub(crate) loaded_at: i64,
}

/// Counters for `/metrics` and the benchmark.
#[derive(Debug, Default)]
pub struct MessagingStats {
    pub accepted: std::sync::atomic::AtomicU64,
    pub refused: std::sync::atomic::AtomicU64,
    pub deferred: std::sync::atomic::AtomicU64,
    pub submitted: std::sync::atomic::AtomicU64,
    pub delivered: std::sync::atomic::AtomicU64,
    pub failed: std::sync::atomic::AtomicU64,
    pub inbound: std::sync::atomic::AtomicU64,
}

/// The messaging state shared by every request.
pub struct Messaging {
    pub quiet: QuietRules,
    pub(crate) accounts: Mutex<HashMap<String, AccountFacts>>,
    pub(crate) queue: queue::QueueHandle,
    /// Wakes the delivery worker when a message is queued.
    pub wake: tokio::sync::Notify,
    /// Receipts that arrived before their submission was recorded: `smsc id → (state, error)`.
    pub(crate) early_receipts: Mutex<HashMap<String, (String, String)>>,
    pub stats: MessagingStats,
    /// Inbound messages are applied one at a time (the keyword's state read and written
    /// together).
    pub(crate) inbound: tokio::sync::Mutex<()>,
}

impl Default for Messaging {
    fn default() -> Messaging {
        Messaging {
            quiet: QuietRules::builtin(),
            accounts: Mutex::default(),
            queue: queue::QueueHandle::default(),
            wake: tokio::sync::Notify::new(),
            early_receipts: Mutex::default(),
            stats: MessagingStats::default(),
            inbound: tokio::sync::Mutex::new(()),
        }
    }
}

/// Where a recipient is for the quiet hours (M4): the address on the consent record where
/// there is one (its zone, else its country's zones), else the number's zones and state. The
/// line's own country still decides F4 and M5 (the core reads it from the number).
pub fn recipient_place(
    cs: &ConsentState,
    number: &str,
) -> (Option<String>, Option<String>, Vec<TimeZone>) {
    let line_country = tollgate_core::country::country_of(number);
    let place = zones::place_of(number);
    let (country, region, names): (Option<String>, Option<String>, Vec<&str>) =
        match (&cs.country, &cs.time_zone) {
            (Some(c), Some(tz)) => (Some(c.clone()), cs.region.clone(), vec![tz.as_str()]),
            (Some(c), None) if Some(c.as_str()) != line_country => {
                let zs = tollgate_core::country::calling_code_of(c)
                    .and_then(zones::place_of)
                    .map(|p| p.zones.to_vec())
                    .unwrap_or_default();
                (Some(c.clone()), cs.region.clone(), zs)
            }
            _ => (
                line_country.map(str::to_string),
                cs.region
                    .clone()
                    .or_else(|| place.and_then(|p| p.region).map(str::to_string)),
                place.map(|p| p.zones.to_vec()).unwrap_or_default(),
            ),
        };
    (
        country,
        region,
        names.into_iter().filter_map(zone).collect(),
    )
}

/// A zone by name from the system's time-zone database, resolved once.
pub fn zone(name: &str) -> Option<TimeZone> {
    static ZONES: OnceLock<HashMap<&'static str, TimeZone>> = OnceLock::new();
    let table = ZONES.get_or_init(|| {
        zones::all_zones()
            .into_iter()
            .filter_map(|z| TimeZone::get(z).ok().map(|tz| (z, tz)))
            .collect()
    });
    table
        .get(name)
        .cloned()
        .or_else(|| TimeZone::get(name).ok())
}
