//! Abuse detectors over an account's recent recipients (M6, F9), metadata only (D1):
//!
//! * **enumeration** (M6, W 23.7(b)): a recipient that would complete a run of
//!   [`ENUMERATION_RUN`] consecutive numbers sent to within [`ENUMERATION_WINDOW_S`]:
//!   numbers generated in sequence rather than collected from people;
//! * **bulk without consent** (F9, X 14.A): more than [`BULK_NO_CONSENT_LIMIT`] distinct
//!   recipients without consent on record within [`BULK_WINDOW_S`] for non-transactional
//!   messages: random or harvested numbers reached in bulk.
//!
//! Only admitted messages are recorded. Windows are bounded by [`MAX_TRACKED_RECIPIENTS`].

use std::collections::{HashMap, VecDeque};

use super::Category;

/// Consecutive numbers that make an enumeration.
pub const ENUMERATION_RUN: usize = 10;
/// The window of the enumeration detector.
pub const ENUMERATION_WINDOW_S: i64 = 600;
/// Distinct recipients without consent allowed per window.
pub const BULK_NO_CONSENT_LIMIT: usize = 500;
/// The window of the bulk detector.
pub const BULK_WINDOW_S: i64 = 3_600;
/// Recipients remembered per account and window (the oldest go first).
pub const MAX_TRACKED_RECIPIENTS: usize = 20_000;

/// A sliding window of distinct recipients (numbers as integers).
#[derive(Debug, Default, Clone)]
struct Window {
    order: VecDeque<(i64, u64)>,
    count: HashMap<u64, u32>,
}

impl Window {
    fn expire(&mut self, before: i64) {
        while self
            .order
            .front()
            .is_some_and(|(t, _)| *t < before || self.order.len() > MAX_TRACKED_RECIPIENTS)
        {
            let (_, n) = self.order.pop_front().expect("front exists");
            if let Some(c) = self.count.get_mut(&n) {
                *c -= 1;
                if *c == 0 {
                    self.count.remove(&n);
                }
            }
        }
    }

    fn push(&mut self, at: i64, n: u64) {
        self.order.push_back((at, n));
        *self.count.entry(n).or_default() += 1;
    }

    fn has(&self, n: u64) -> bool {
        self.count.contains_key(&n)
    }
}

/// One account's recent recipients.
#[derive(Debug, Default, Clone)]
pub struct Recipients {
    sent: Window,
    without_consent: Window,
}

/// What the detectors find for a recipient.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Findings {
    pub enumeration: bool,
    pub bulk_without_consent: bool,
}

fn as_int(digits: &str) -> Option<u64> {
    digits.parse().ok()
}

impl Recipients {
    fn expire(&mut self, now: i64) {
        self.sent.expire(now - ENUMERATION_WINDOW_S);
        self.without_consent.expire(now - BULK_WINDOW_S);
    }

    /// What sending to `to` now would show (nothing is recorded).
    pub fn check(&mut self, to: &str, category: Category, consent: bool, now: i64) -> Findings {
        self.expire(now);
        let Some(n) = as_int(to) else {
            return Findings::default();
        };
        let mut run = 1;
        let mut k = n;
        while run < ENUMERATION_RUN && k > 0 && self.sent.has(k - 1) {
            run += 1;
            k -= 1;
        }
        let mut k = n;
        while run < ENUMERATION_RUN && self.sent.has(k + 1) {
            run += 1;
            k += 1;
        }
        let counted = category != Category::Transactional && !consent;
        Findings {
            enumeration: run >= ENUMERATION_RUN && !self.sent.has(n),
            bulk_without_consent: counted
                && !self.without_consent.has(n)
                && self.without_consent.count.len() >= BULK_NO_CONSENT_LIMIT,
        }
    }

    /// Records an admitted message.
    pub fn record(&mut self, to: &str, category: Category, consent: bool, now: i64) {
        let Some(n) = as_int(to) else { return };
        self.sent.push(now, n);
        if category != Category::Transactional && !consent {
            self.without_consent.push(now, n);
        }
    }
}
