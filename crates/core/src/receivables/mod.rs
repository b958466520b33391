//! Receivables (issue 13): what happens to an invoice after it is issued. Payments allocated
//! oldest first (B9 overpayments become a billing credit), late interest (B6), disputes and
//! their resolution (B9), cancellation within the window (C4). Pure: dates are passed in.

pub mod allocation;
pub mod cancellation;
pub mod dispute;
pub mod dunning;
pub mod interest;

/// B9: a rejected (or partly upheld) dispute's unpaid amount is due this many days after the
/// resolution; C5: what a customer owes on termination is due in as many.
pub const RESOLUTION_DUE_DAYS: i64 = 30;
