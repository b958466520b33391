//! Service assurance (S1-S4, T5): availability, SLA credits, probes and restoration clocks.
//!
//! The measurements the NOC takes (S4, W 18) become outages; outages and maintenance windows
//! become a monthly or daily availability (S1 W 20.1, S2 W 20.2); the month's availability
//! becomes the share of the licence fee payable and the credit on the next invoice (S3
//! W 20.3, B12); each outage runs against the CLASSOUND restoration time (T5, W 6.2).
//!
//! | module | what | rules |
//! |---|---|---|
//! | [`availability`] | spans, the period's counted downtime and exclusions | S1, S2, S3 |
//! | [`sla`] | availability tiers → payable share, credit in micros | S3, B12 |
//! | [`probe`] | probe specifications, their validation, the open/close state machine | S4 |
//! | [`sip`] | the SIP OPTIONS ping (RFC 3261): request text, response parsing | S2, S4 |
//! | [`dns`] | a DNS A query (RFC 1035): request bytes, header check | S2, S4 |
//! | [`restoration`] | elapsed time against the SRT, breach | T5 |
//!
//! Architecture invariant: everything here is pure. The probe worker in the app crate opens
//! the sockets, reads the clock and stores the results; it asks this module what to send,
//! how to read the answer and what the answers mean.

pub mod availability;
pub mod dns;
pub mod probe;
pub mod restoration;
pub mod sip;
pub mod sla;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_components;

use crate::Refusal;

/// Whose fault an outage is. Only the provider's sole fault counts against availability
/// (S3, W 20.3); force majeure (W 9.8), third parties (W 9.8, last sentence) and the customer
/// are excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Provider,
    ForceMajeure,
    ThirdParty,
    Customer,
}

impl Cause {
    pub const ALL: [Cause; 4] = [
        Cause::Provider,
        Cause::ForceMajeure,
        Cause::ThirdParty,
        Cause::Customer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Provider => "provider",
            Cause::ForceMajeure => "force_majeure",
            Cause::ThirdParty => "third_party",
            Cause::Customer => "customer",
        }
    }

    /// Reads a stored or submitted cause; `cause_invalid` on field `cause` otherwise.
    pub fn parse(s: &str) -> Result<Cause, Refusal> {
        Cause::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "cause_invalid",
                    "cause",
                    format!(
                        "`{s}` is not a cause; one of: provider, force_majeure, third_party, \
                         customer"
                    ),
                )
            })
    }

    /// Whether outages of this cause count against availability (S3: sole fault only).
    pub fn counts(self) -> bool {
        self == Cause::Provider
    }
}
