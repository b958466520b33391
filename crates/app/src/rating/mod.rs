//! Rating use cases: rate-table import (a new version each time), quotes, CDR intake
//! (idempotent by source + call_id, rejects kept), traffic review (T12).

mod accounts;
mod cache;
mod cdr_list;
mod demo;
mod import;
mod intake;
mod intake_parse;
mod tables;

pub use cache::RateCache;
pub use cdr_list::{CdrCursor, CdrFilter, CdrPage, MAX_ACCOUNTS_PER_CDR_PAGE};
pub use demo::{
    demo_rate_table, ensure_demo_rates, seed_demo, DEMO_CURRENCIES, DEMO_RATES_CSV, DEMO_RATE_TABLE,
};
pub use import::{parse_rate_csv, RATE_COLUMNS};
pub use intake::{IngestReport, MAX_REMEMBERED_KEYS};
pub use intake_parse::{
    parse_cdrs, parse_stream, BodyReader, BodySender, CdrFormat, ParsedLine, CDR_FIELDS,
    MAX_CDR_LINE_BYTES,
};
pub use tables::Quote;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde_json::json;
use tollgate_core::cdr::{self, Cdr};
use tollgate_core::money::{parse_scaled, Currency, MICRO_DIGITS};
use tollgate_core::rating::{rate_with_row, Bundle, BundleUsage, RateRow, RateTable};
use tollgate_core::{e164, time, Refusal};
use tollgate_store::rating::{self as rating_store, CdrRow, RateVersionRow, RejectRow, StoredRate};
use tollgate_store::tenancy::{self as tenancy_store, BillingAccountRow};
use tollgate_store::{audit, Page, ScopeFilter};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

/// Most rows one rate-table import may carry.
pub const MAX_RATE_ROWS: usize = 2_000_000;
/// Most included minutes a billing account may have per month.
pub const MAX_INCLUDED_MINUTES: i64 = 10_000_000;
/// CDRs committed per transaction during intake, so no other writer waits behind a batch
/// for more than one chunk.
pub const INTAKE_CHUNK_ROWS: usize = 5_000;
/// Input bytes after which a chunk is handed on even if it has fewer rows (long lines), so a
/// chunk's memory is bounded by bytes as well as by rows.
pub const INTAKE_CHUNK_BYTES: usize = 8 << 20;
/// Line errors listed in one refused rate-table import.
pub const MAX_LISTED_ERRORS: usize = 100;
/// Rejects returned inline in an intake response (all are stored).
pub const MAX_INLINE_REJECTS: usize = 1_000;
/// Longest raw line kept with a reject.
pub const MAX_REJECT_RAW_CHARS: usize = 2_000;

/// Progress of a long job: `(done, total)`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// How a billing account is priced (B4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRating {
    pub billing_account: String,
    pub currency: String,
    pub rate_table: Option<String>,
    /// `(zone, minutes per month)`.
    pub included: Option<(String, i64)>,
}

/// A CSV line that failed, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub code: String,
    pub field: String,
    pub message: String,
}
