//! One file per section of the portal.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod customers;
pub mod dashboard;
pub mod guard;
pub mod invoices;
pub mod me;
pub mod numbers;
pub mod policy;
pub mod rates;
pub mod receivables;
pub mod tickets;

use serde::Deserialize;
use tollgate_store::Page as StorePage;

/// Rows per portal table page.
pub const PAGE_ROWS: i64 = 50;

/// `?after=<id>`: the keyset page of a list.
#[derive(Debug, Deserialize, Default)]
pub struct After {
    pub after: Option<String>,
}

impl After {
    pub fn page(&self) -> StorePage {
        StorePage {
            limit: PAGE_ROWS,
            after: self.after.clone().filter(|a| !a.is_empty()),
        }
    }
}

/// The next page's link when the page is full: `base?after=<last id>` (with `&` when `base`
/// already has a query).
pub fn next_link(base: &str, rows: usize, last: Option<&str>) -> Option<String> {
    let last = last?;
    (i64::try_from(rows).unwrap_or(0) >= PAGE_ROWS).then(|| {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}after={}", crate::format::url_encode(last))
    })
}
