//! The support desk's rules (H1-H12, P3, P4, S4): who may open a ticket, what it must carry,
//! its class of service and its response clock in support hours.

pub mod clock;
pub mod eligibility;
pub mod ticket;
