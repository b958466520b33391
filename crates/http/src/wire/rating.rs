//! Answers of the rating routes: rate tables, quotes, account rating, CDR intake and the
//! rated calls (T12). Amounts are exact decimals as strings (`amount_exact` in micro units,
//! `amount` rounded to the currency's minor unit).

use std::collections::BTreeMap;

use serde::Serialize;
use tollgate_app::rating::AccountRating;
use tollgate_app::records::{RateVersionRow, RejectRow};
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::ToSchema;

use crate::extract::ts;

/// `format` of `GET /v1/cdrs`: JSON (default) or CSV; anything else is refused (422).
pub(crate) fn cdr_format_schema() -> ObjectBuilder {
    super::strings(["json", "csv"])
}

/// One version of a rate table.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateTableOut {
    pub name: String,
    pub version: i64,
    pub rows: i64,
    pub imported_at: String,
    pub imported_by: String,
}

impl From<RateVersionRow> for RateTableOut {
    fn from(v: RateVersionRow) -> RateTableOut {
        RateTableOut {
            name: v.table_name,
            version: v.version,
            rows: v.row_count,
            imported_at: ts(v.imported_at),
            imported_by: v.imported_by,
        }
    }
}

/// The version a rate table import created.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateTableImportedOut {
    pub name: String,
    pub version: i64,
    pub rows: i64,
    pub imported_at: String,
}

/// The price of a call: the longest prefix valid at `at` (B4).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteOut {
    pub prefix: String,
    pub destination: String,
    /// Per minute.
    pub rate: String,
    pub connection_fee: String,
    pub billed_duration_s: u32,
    /// Rounded half up to the currency's minor unit.
    pub amount: String,
    pub amount_exact: String,
    pub currency: String,
    pub version: u32,
    pub at: String,
    pub rule: &'static str,
    pub clause: &'static str,
}

/// Included minutes: `minutes` per month to `zone`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncludedOut {
    pub zone: String,
    pub minutes: i64,
}

/// An account's rate table and included minutes (B4); `included_zone` and
/// `included_minutes` repeat `included` flat, for the earlier form.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountRatingOut {
    pub billing_account: String,
    pub currency: String,
    pub rate_table: Option<String>,
    #[schema(required = true)]
    pub included: Option<IncludedOut>,
    pub included_zone: Option<String>,
    pub included_minutes: Option<i64>,
    pub rule: &'static str,
}

impl From<AccountRating> for AccountRatingOut {
    fn from(r: AccountRating) -> AccountRatingOut {
        AccountRatingOut {
            billing_account: r.billing_account,
            currency: r.currency,
            rate_table: r.rate_table,
            included_zone: r.included.as_ref().map(|(z, _)| z.clone()),
            included_minutes: r.included.as_ref().map(|(_, m)| *m),
            included: r
                .included
                .map(|(zone, minutes)| IncludedOut { zone, minutes }),
            rule: "B4",
        }
    }
}

/// A CDR line refused at intake, kept with its raw text.
#[derive(Debug, Serialize, ToSchema)]
pub struct CdrRejectOut {
    pub id: String,
    pub batch_id: String,
    pub at: String,
    pub source: String,
    pub line: i64,
    pub code: String,
    pub field: String,
    pub message: String,
    pub raw: String,
}

impl From<RejectRow> for CdrRejectOut {
    fn from(r: RejectRow) -> CdrRejectOut {
        CdrRejectOut {
            id: r.id,
            batch_id: r.batch_id,
            at: ts(r.at),
            source: r.source,
            line: r.line,
            code: r.code,
            field: r.field,
            message: r.message,
            raw: r.raw,
        }
    }
}

// The two types below describe what `ingest_cdrs` and `list_cdrs` build (see
// `routes/rating.rs`); they are the schema of those answers.

/// What a CDR batch did: idempotent by (source, call_id); committed chunk by chunk as the body
/// streams in (a resend completes a partial batch).
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestReportOut {
    pub batch_id: String,
    pub received: usize,
    pub inserted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub rejects: Vec<IngestRejectOut>,
    /// Calls and exact amount rated, by currency.
    pub totals: BTreeMap<String, IngestTotalOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IngestRejectOut {
    pub line: i64,
    pub code: String,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IngestTotalOut {
    pub calls: u64,
    pub amount_exact: String,
}

/// A rated call (T12). Numbers E.164 with `+`, except an emergency call's `to` (the short
/// code dialled).
#[derive(Debug, Serialize, ToSchema)]
pub struct CdrOut {
    pub id: String,
    pub source: String,
    pub call_id: String,
    pub billing_account: String,
    pub from: String,
    pub to: String,
    pub start: String,
    pub answer: Option<String>,
    pub end: String,
    pub duration_s: i64,
    pub disposition: String,
    pub direction: String,
    pub prefix: Option<String>,
    pub destination: Option<String>,
    pub rate: String,
    pub billed_s: i64,
    pub bundle_s: i64,
    /// Null when the stored currency is not one the code knows.
    pub amount: Option<String>,
    pub amount_exact: String,
    pub currency: String,
    pub rate_table: Option<String>,
    pub rate_version: Option<i64>,
}

/// One CDR as sent: an object of a JSON array, a line of NDJSON, or a CSV row with these
/// column names. Every field is text (JSON numbers are taken as their text); times are
/// RFC 3339 or Unix seconds. A bad line is refused alone, kept with its line number.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CdrLineIn {
    pub source: Option<String>,
    pub call_id: Option<String>,
    pub billing_account: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub start: Option<String>,
    pub answer: Option<String>,
    pub end: Option<String>,
    pub duration_s: Option<String>,
    pub disposition: Option<String>,
    pub direction: Option<String>,
}
