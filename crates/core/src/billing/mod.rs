//! Billing rules that invoices are built from: the catalog's vocabulary, contract dates (B2,
//! C2, C3, E4), recurring charges in advance prorated by days (B3), the run period (B4, B5),
//! and invoices in money with their ledger transactions (B1, B7, B8, B12, the money decision).

pub mod catalog;
pub mod contract;
pub mod invoice;
mod lines;
mod proration;
pub mod recurring;
pub mod run_period;

pub use lines::{invoice_total, line_minor, LineAmount};
pub use proration::{days_in_service, prorate_micros, Period};
