//! Billing rules that invoices are built from (issue 12, begun): recurring charges prorated by
//! days (B3) and invoice lines rounded once, half up, with the total the sum of rounded lines
//! (RULEBOOK "Decision (money)"). Invoices, runs and their storage come next.

mod lines;
mod proration;

pub use lines::{invoice_total, line_minor, LineAmount};
pub use proration::{days_in_service, prorate_micros, Period};
