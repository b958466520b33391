//! Billing use cases (issue 12): the catalog and price lists, orders (C1) and subscriptions
//! (B2, C2, C3, E4), invoice runs for every level of the reseller chain (B1-B5, B7, B8, B12),
//! the ledger that records them and its verification, and the invoice as a document.
//!
//! Each use case loads what the rule needs, asks `tollgate_core::billing` to decide, and
//! commits the effects with the audit entry in one transaction; a run commits one partner's
//! whole chain (its customers' retail invoices and its wholesale invoice) per transaction.

mod catalog;
pub mod demo;
mod details;
pub mod document;
mod issue;
mod orders;
mod quantity;
mod renewal;
mod run;
mod verify;
mod views;

pub use catalog::{NewPriceVersion, NewProduct, NewTaxRate, PriceListView};
pub use details::BillingDetails;
pub(crate) use orders::notice_day;
pub use orders::{NewOrder, NewOrderLine, OrderView};
pub use run::{RunOutcome, RunProgress, RUN_LEASE_S};
pub use tollgate_store::billing::BillingDetailsOf;
pub use verify::LedgerReport;
pub use views::{invoice_csv, pct_text, InvoiceView};

use sha2::{Digest, Sha256};
use tollgate_core::money::{format_scaled, Currency, MICRO_DIGITS};
use tollgate_core::time::{date_of, day_start};

use crate::AppError;

/// Levels of an invoice or a price list.
pub const WHOLESALE: &str = "wholesale";
pub const RETAIL: &str = "retail";

/// A stable id from the parts that identify a record once (`inv_` + 22 hex digits of their
/// SHA-256): a re-run, or the rerun after a crash, names the same invoice the same way.
pub(crate) fn stable_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    let hex: String = d.iter().take(11).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// `YYYY-MM-DD` of a stored day.
pub fn day_text(unix_s: i64) -> String {
    date_of(unix_s).to_string()
}

/// A stored day from a civil date.
pub(crate) fn day(d: jiff::civil::Date) -> i64 {
    day_start(d)
}

/// A micro amount as a decimal string (`12.990000` → trimmed to at least the currency's
/// minor digits: `12.99`, `0.012345`).
pub fn micros_text(micros: i64, currency: Currency) -> String {
    let s = format_scaled(i128::from(micros), MICRO_DIGITS);
    let keep = currency.minor_digits() as usize;
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let trimmed = frac.trim_end_matches('0');
    let frac = if trimmed.len() < keep {
        &frac[..keep]
    } else {
        trimmed
    };
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// A stored currency code (checked when it was written).
pub(crate) fn currency(code: &str) -> Result<Currency, AppError> {
    Currency::parse_stored(code).map_err(AppError::Internal)
}

impl crate::App {
    /// T3, L1, L2: the guard reloads the account's licensed calls (at most
    /// `ACCOUNT_CACHE_TTL_S` later anyway).
    pub(crate) async fn refresh_licensed_calls(&self, account: &str) -> Result<(), AppError> {
        self.invalidate_guard_account(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_name_a_record_by_its_identifying_parts() {
        let a = stable_id("inv", &["retail", "ba_1", "2026-10", "GBP"]);
        assert_eq!(a, stable_id("inv", &["retail", "ba_1", "2026-10", "GBP"]));
        assert_ne!(a, stable_id("inv", &["retail", "ba_12", "026-10", "GBP"]));
        assert_eq!(a.len(), 4 + 22);
    }

    #[test]
    fn micro_amounts_print_with_at_least_the_minor_digits() {
        let gbp = Currency::parse("GBP").unwrap();
        assert_eq!(micros_text(12_990_000, gbp), "12.99");
        assert_eq!(micros_text(12_000_000, gbp), "12.00");
        assert_eq!(micros_text(12_345, gbp), "0.012345");
        assert_eq!(micros_text(-5_000_000, gbp), "-5.00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(micros_text(3_000_000, jpy), "3");
    }
}
