//! Rating use cases: rate-table import (a new version each time), quotes, CDR intake
//! (idempotent by source + call_id, rejects kept), traffic review (T12).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde_json::json;
use tollgate_core::cdr::{self, Cdr, RawCdr};
use tollgate_core::money::{parse_scaled, Currency, MICRO_DIGITS};
use tollgate_core::rating::{rate_with_row, Bundle, BundleUsage, RateRow, RateTable};
use tollgate_core::{e164, time, Refusal};
use tollgate_store::rating::{self as sr, CdrRow, RateVersionRow, RejectRow, StoredRate};
use tollgate_store::tenancy::{self as st, BillingAccountRow};
use tollgate_store::{audit, Page, ScopeFilter};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

/// The rate table demo billing accounts point at.
pub const DEMO_RATE_TABLE: &str = "demo-retail";
/// Most rows one rate-table import may carry.
pub const MAX_RATE_ROWS: usize = 2_000_000;
/// Most included minutes a billing account may have per month.
pub const MAX_INCLUDED_MINUTES: i64 = 10_000_000;
/// Most CDR lines in one intake batch.
pub const MAX_CDRS_PER_BATCH: usize = 1_000_000;
/// CDRs committed per transaction during intake, so no other writer waits behind a batch
/// for more than one chunk.
pub const INTAKE_CHUNK_ROWS: usize = 5_000;
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

/// In-memory rate tables (rebuilt from the store on import and at start).
#[derive(Default)]
pub struct RateCache {
    tables: RwLock<HashMap<String, Arc<RateTable>>>,
}

impl RateCache {
    pub fn get(&self, name: &str) -> Option<Arc<RateTable>> {
        self.tables.read().expect("rate cache").get(name).cloned()
    }

    fn put(&self, name: &str, t: RateTable) {
        self.tables
            .write()
            .expect("rate cache")
            .insert(name.to_string(), Arc::new(t));
    }
}

/// A CSV line that failed, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub code: String,
    pub field: String,
    pub message: String,
}

/// A rate's validity bound: `YYYY-MM-DD` (midnight UTC), RFC 3339 or Unix seconds, between
/// 1970 and 2200 (`date_out_of_range` outside, `timestamp_invalid` when not a date at all).
fn parse_date(s: &str, field: &'static str) -> Result<i64, Refusal> {
    let s = s.trim();
    let t = if s.len() == 10 && s.as_bytes()[4] == b'-' {
        jiff::civil::Date::strptime("%Y-%m-%d", s)
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp().as_second())
            .ok_or_else(|| {
                Refusal::invalid("timestamp_invalid", field, format!("`{s}` is not a date"))
            })?
    } else {
        match cdr::parse_time(s, field) {
            Err(r) if r.code == "timestamp_out_of_range" => i64::MIN,
            r => r?,
        }
    };
    if !(cdr::MIN_TIMESTAMP..=cdr::MAX_TIMESTAMP).contains(&t) {
        return Err(Refusal::invalid(
            "date_out_of_range",
            field,
            format!("`{s}` is outside 1970-01-01 to 2200-01-01"),
        ));
    }
    Ok(t)
}

/// Two rows of one import for the same prefix whose validity overlaps leave the price of a
/// call to row order: refused with both line numbers (`rate_overlap`, field `prefix`).
/// Back-to-back rows (`valid_until` of one = `valid_from` of the next) do not overlap.
fn overlaps(rows: &[RateRow], lines: &[usize]) -> Vec<LineError> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by(|a, b| {
        let (ra, rb) = (&rows[*a], &rows[*b]);
        (ra.prefix.as_str(), ra.valid_from, lines[*a]).cmp(&(
            rb.prefix.as_str(),
            rb.valid_from,
            lines[*b],
        ))
    });
    let mut errors = Vec::new();
    // The row of the current prefix that reaches furthest so far.
    let mut reach: Option<usize> = None;
    for &i in &order {
        let r = &rows[i];
        match reach {
            Some(j) if rows[j].prefix == r.prefix => {
                // `valid_from` is sorted, so rows[i] starts no earlier than rows[j].
                if rows[j].valid_until.is_none_or(|u| r.valid_from < u) {
                    let (first, second) = (lines[j].min(lines[i]), lines[j].max(lines[i]));
                    errors.push(LineError {
                        line: second,
                        code: "rate_overlap".into(),
                        field: "prefix".into(),
                        message: format!(
                            "lines {first} and {second} both price prefix {} over an overlapping validity",
                            r.prefix
                        ),
                    });
                    if errors.len() >= MAX_LISTED_ERRORS {
                        break;
                    }
                }
                let further = match (rows[j].valid_until, r.valid_until) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(a), Some(b)) => b > a,
                };
                if further {
                    reach = Some(i);
                }
            }
            _ => reach = Some(i),
        }
    }
    errors.sort_by_key(|e| e.line);
    errors
}

/// Rate-table CSV columns (header names; order free). `zone`, `valid_until`,
/// `connection_fee` and `min_billed_s` may be left empty.
pub const RATE_COLUMNS: &[&str] = &[
    "prefix",
    "destination",
    "rate_per_min",
    "connection_fee",
    "initial_s",
    "subsequent_s",
    "min_billed_s",
    "valid_from",
    "valid_until",
    "currency",
    "zone",
];

/// Parses a rate-table CSV into rows of `version`. All-or-nothing: any bad line refuses the
/// import, listing up to [`MAX_LISTED_ERRORS`] lines.
pub fn parse_rate_csv(
    text: &[u8],
    version: u32,
    progress: Option<Progress>,
) -> Result<Vec<RateRow>, Vec<LineError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![LineError {
                line: 1,
                code: "csv_invalid".into(),
                field: "header".into(),
                message: e.to_string(),
            }])
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut errors = Vec::new();
    for required in [
        "prefix",
        "destination",
        "rate_per_min",
        "initial_s",
        "subsequent_s",
        "valid_from",
        "currency",
    ] {
        if col(required).is_none() {
            errors.push(LineError {
                line: 1,
                code: "column_missing".into(),
                field: required.into(),
                message: format!("the header has no `{required}` column"),
            });
        }
    }
    for h in headers.iter() {
        if !RATE_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h)) {
            errors.push(LineError {
                line: 1,
                code: "column_unknown".into(),
                field: h.into(),
                message: format!("unknown column `{h}` (known: {})", RATE_COLUMNS.join(", ")),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let idx: Vec<Option<usize>> = RATE_COLUMNS.iter().map(|c| col(c)).collect();
    let total = text.iter().filter(|b| **b == b'\n').count();
    let mut rows = Vec::new();
    // The file line of each row, for errors that involve two rows.
    let mut lines = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut line = 1;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(LineError {
                    line: line + 1,
                    code: "csv_invalid".into(),
                    field: "line".into(),
                    message: e.to_string(),
                });
                break;
            }
        }
        line = rec.position().map_or(line + 1, |p| p.line() as usize);
        if rows.len() >= MAX_RATE_ROWS {
            errors.push(LineError {
                line,
                code: "too_many_rows".into(),
                field: "line".into(),
                message: format!("at most {MAX_RATE_ROWS} rows"),
            });
            break;
        }
        let get = |i: usize| idx[i].and_then(|c| rec.get(c)).unwrap_or("");
        let parsed = (|| -> Result<RateRow, Refusal> {
            let money = |i: usize, field: &'static str| -> Result<i64, Refusal> {
                let v = get(i);
                if v.is_empty() {
                    return Ok(0);
                }
                parse_scaled(v, MICRO_DIGITS)
                    .map_err(|m| Refusal::invalid("amount_invalid", field, m))
            };
            let secs = |i: usize, field: &'static str, default: u32| -> Result<u32, Refusal> {
                let v = get(i);
                if v.is_empty() {
                    return Ok(default);
                }
                v.parse().map_err(|_| {
                    Refusal::invalid(
                        "seconds_invalid",
                        field,
                        format!("`{v}` is not whole seconds"),
                    )
                })
            };
            let prefix = get(0).trim_start_matches('+').to_string();
            let row = RateRow {
                prefix,
                destination: get(1).to_string(),
                rate_per_min_micros: money(2, "rate_per_min")?,
                connection_fee_micros: money(3, "connection_fee")?,
                initial_s: secs(4, "initial_s", 0)?,
                subsequent_s: secs(5, "subsequent_s", 0)?,
                min_billed_s: secs(6, "min_billed_s", 0)?,
                valid_from: parse_date(get(7), "valid_from")?,
                valid_until: match get(8) {
                    "" => None,
                    v => Some(parse_date(v, "valid_until")?),
                },
                currency: Currency::parse(get(9))
                    .map_err(|m| Refusal::invalid("currency_invalid", "currency", m))?,
                zone: Some(get(10).to_string()).filter(|z| !z.is_empty()),
                version,
            };
            row.validate()?;
            Ok(row)
        })();
        match parsed {
            Ok(r) => {
                rows.push(r);
                lines.push(line);
            }
            Err(r) => errors.push(LineError {
                line,
                code: r.code.into(),
                field: r.field.unwrap_or("line").into(),
                message: r.message,
            }),
        }
        if errors.len() >= MAX_LISTED_ERRORS {
            break;
        }
        if let Some(p) = progress {
            if rows.len().is_multiple_of(100_000) {
                p(rows.len(), total);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(vec![LineError {
            line: 1,
            code: "table_empty".into(),
            field: "body".into(),
            message: "the rate table has no rows".into(),
        }]);
    }
    let errors = overlaps(&rows, &lines);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(rows)
}

fn to_core(r: &StoredRate) -> Result<RateRow, AppError> {
    Ok(RateRow {
        prefix: r.prefix.clone(),
        destination: r.destination.clone(),
        rate_per_min_micros: r.rate_micros,
        connection_fee_micros: r.connection_fee_micros,
        initial_s: r.initial_s as u32,
        subsequent_s: r.subsequent_s as u32,
        min_billed_s: r.min_billed_s as u32,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        currency: Currency::parse_stored(&r.currency).map_err(AppError::Internal)?,
        zone: r.zone.clone(),
        version: r.version as u32,
    })
}

fn to_stored(r: &RateRow) -> StoredRate {
    StoredRate {
        version: i64::from(r.version),
        prefix: r.prefix.clone(),
        destination: r.destination.clone(),
        rate_micros: r.rate_per_min_micros,
        connection_fee_micros: r.connection_fee_micros,
        initial_s: i64::from(r.initial_s),
        subsequent_s: i64::from(r.subsequent_s),
        min_billed_s: i64::from(r.min_billed_s),
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        currency: r.currency.as_str().into(),
        zone: r.zone.clone(),
    }
}

fn check_table_name(name: &str) -> Result<(), AppError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::invalid(
            "table_name_invalid",
            "name",
            "1 to 64 letters, digits, `-` or `_`",
        ));
    }
    Ok(())
}

/// The outcome of an intake batch.
#[derive(Debug, Clone)]
pub struct IngestReport {
    pub batch_id: String,
    pub received: usize,
    pub inserted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub rejects: Vec<RejectRow>,
    /// Currency → (calls, exact micro amount) of the CDRs inserted now.
    pub totals: BTreeMap<String, (u64, i64)>,
}

/// One input line: `(line number, parsed raw CDR or refusal, raw text)`.
pub type ParsedLine = (usize, Result<RawCdr, Refusal>, String);

/// The formats `POST /v1/cdrs` and `tollgate cdrs import` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CdrFormat {
    Json,
    Ndjson,
    Csv,
}

const CDR_FIELDS: &[&str] = &[
    "source",
    "call_id",
    "billing_account",
    "from",
    "to",
    "start",
    "answer",
    "end",
    "duration_s",
    "disposition",
    "direction",
];

fn raw_from_map(get: impl Fn(&str) -> Option<String>) -> RawCdr {
    RawCdr {
        source: get("source"),
        call_id: get("call_id"),
        billing_account: get("billing_account"),
        from: get("from"),
        to: get("to"),
        start: get("start"),
        answer: get("answer"),
        end: get("end"),
        duration_s: get("duration_s"),
        disposition: get("disposition"),
        direction: get("direction"),
    }
}

fn json_line(v: &serde_json::Value) -> Result<RawCdr, Refusal> {
    let obj = v.as_object().ok_or_else(|| {
        Refusal::invalid("line_invalid", "line", "each CDR must be a JSON object")
    })?;
    if let Some(k) = obj.keys().find(|k| !CDR_FIELDS.contains(&k.as_str())) {
        return Err(Refusal::invalid(
            "unknown_field",
            "line",
            format!("unknown field `{k}` (known: {})", CDR_FIELDS.join(", ")),
        ));
    }
    Ok(raw_from_map(|k| match obj.get(k) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }))
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_REJECT_RAW_CHARS).collect()
}

/// Splits a body into `(line number, parsed raw CDR or refusal, raw text)`.
pub fn parse_cdrs(format: CdrFormat, body: &[u8]) -> Result<Vec<ParsedLine>, AppError> {
    let mut out = Vec::new();
    match format {
        CdrFormat::Json => {
            let arr: Vec<serde_json::Value> = serde_json::from_slice(body).map_err(|e| {
                AppError::invalid(
                    "json_invalid",
                    "body",
                    format!("expected a JSON array of CDR objects: {e}"),
                )
            })?;
            for (i, v) in arr.iter().enumerate() {
                out.push((i + 1, json_line(v), clip(&v.to_string())));
            }
        }
        CdrFormat::Ndjson => {
            for (i, line) in body.split(|b| *b == b'\n').enumerate() {
                let text = String::from_utf8_lossy(line);
                if text.trim().is_empty() {
                    continue;
                }
                let parsed = serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| Refusal::invalid("json_invalid", "line", e.to_string()))
                    .and_then(|v| json_line(&v));
                out.push((i + 1, parsed, clip(&text)));
            }
        }
        CdrFormat::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .flexible(true)
                .from_reader(body);
            let headers = rdr
                .headers()
                .map_err(|e| AppError::invalid("csv_invalid", "header", e.to_string()))?
                .clone();
            if let Some(h) = headers.iter().find(|h| !CDR_FIELDS.contains(h)) {
                return Err(AppError::invalid(
                    "column_unknown",
                    h,
                    format!("unknown column `{h}` (known: {})", CDR_FIELDS.join(", ")),
                ));
            }
            let mut rec = csv::StringRecord::new();
            loop {
                match rdr.read_record(&mut rec) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = rec.position().map_or(0, |p| p.line() as usize);
                        let raw = raw_from_map(|k| {
                            headers
                                .iter()
                                .position(|h| h == k)
                                .and_then(|i| rec.get(i))
                                .map(str::to_string)
                        });
                        let parsed = if rec.len() != headers.len() {
                            Err(Refusal::invalid(
                                "csv_invalid",
                                "line",
                                format!("{} fields, the header has {}", rec.len(), headers.len()),
                            ))
                        } else {
                            Ok(raw)
                        };
                        out.push((
                            line,
                            parsed,
                            clip(&rec.iter().collect::<Vec<_>>().join(",")),
                        ));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line() as usize);
                        out.push((
                            line,
                            Err(Refusal::invalid("csv_invalid", "line", e.to_string())),
                            String::new(),
                        ));
                        break;
                    }
                }
            }
        }
    }
    if out.len() > MAX_CDRS_PER_BATCH {
        return Err(AppError::invalid(
            "batch_too_large",
            "body",
            format!("at most {MAX_CDRS_PER_BATCH} CDRs per batch; split the file"),
        ));
    }
    Ok(out)
}

/// A quote: the row that priced the call and the result.
#[derive(Debug, Clone)]
pub struct Quote {
    pub row: RateRow,
    pub billed_s: u32,
    pub amount_micros: i64,
    pub rule: tollgate_core::RuleRef,
}

struct AccountInfo {
    row: BillingAccountRow,
    bundle: Option<Bundle>,
}

impl App {
    /// Loads every rate table into memory (at start).
    pub async fn load_rates(&self) -> Result<(), AppError> {
        let names: HashSet<String> = sr::list_rate_versions(&self.store)
            .await?
            .into_iter()
            .map(|v| v.table_name)
            .collect();
        for n in names {
            self.reload_rate_table(&n).await?;
        }
        Ok(())
    }

    async fn reload_rate_table(&self, name: &str) -> Result<Arc<RateTable>, AppError> {
        let rows = sr::load_rate_rows(&self.store, name).await?;
        let rows = rows.iter().map(to_core).collect::<Result<Vec<_>, _>>()?;
        self.rates.put(name, RateTable::new(rows));
        self.rates
            .get(name)
            .ok_or_else(|| AppError::Internal("rate cache".into()))
    }

    /// Imports a CSV rate table as a new version; history is never overwritten.
    pub async fn import_rate_table(
        &self,
        actor: &Actor,
        name: &str,
        csv: &[u8],
        progress: Option<Progress<'_>>,
    ) -> Result<(RateVersionRow, Vec<LineError>), AppError> {
        check_table_name(name)?;
        let mut tx = self.store.begin().await?;
        let version = sr::next_rate_version(&mut tx, name).await?;
        let rows = match parse_rate_csv(csv, version as u32, progress) {
            Ok(r) => r,
            Err(errors) => {
                return Ok((
                    RateVersionRow {
                        id: String::new(),
                        table_name: name.into(),
                        version: 0,
                        imported_at: 0,
                        imported_by: String::new(),
                        row_count: 0,
                    },
                    errors,
                ))
            }
        };
        let now = self.now();
        let v = RateVersionRow {
            id: new_id("rtv"),
            table_name: name.into(),
            version,
            imported_at: now,
            imported_by: actor.actor.clone(),
            row_count: rows.len() as i64,
        };
        let stored: Vec<StoredRate> = rows.iter().map(to_stored).collect();
        sr::insert_rate_version(&mut tx, &v, &stored).await?;
        audit::append(
            &mut tx,
            &audit_row(
                actor,
                now,
                "rate_table.import",
                name,
                json!({"version": version, "rows": rows.len()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload_rate_table(name).await?;
        Ok((v, Vec::new()))
    }

    /// Rate-table versions the caller may see: all for the operator; for partners and
    /// customers only the tables their billing accounts are priced with (negotiated and
    /// wholesale tables stay private).
    pub async fn rate_versions(&self, caller: &Caller) -> Result<Vec<RateVersionRow>, AppError> {
        let all = sr::list_rate_versions(&self.store).await?;
        let visible = self.visible_rate_tables(caller).await?;
        Ok(all
            .into_iter()
            .filter(|v| {
                visible
                    .as_ref()
                    .is_none_or(|names| names.contains(&v.table_name))
            })
            .collect())
    }

    /// `None`: every table; otherwise the tables of the caller's billing accounts.
    async fn visible_rate_tables(
        &self,
        caller: &Caller,
    ) -> Result<Option<HashSet<String>>, AppError> {
        if caller.scope == tollgate_core::tenancy::Scope::All {
            return Ok(None);
        }
        let mut names = HashSet::new();
        let mut page = Page::first(tollgate_store::MAX_PAGE_LIMIT);
        loop {
            let batch =
                st::list_billing_accounts(&self.store, ScopeFilter(&caller.scope), None, &page)
                    .await?;
            names.extend(batch.iter().filter_map(|b| b.rate_table.clone()));
            match batch.last() {
                Some(last) if batch.len() as i64 == page.limit => {
                    page.after = Some(last.id.clone())
                }
                _ => break,
            }
        }
        Ok(Some(names))
    }

    async fn rate_table_visible(&self, caller: &Caller, table: &str) -> Result<bool, AppError> {
        Ok(self
            .visible_rate_tables(caller)
            .await?
            .is_none_or(|names| names.contains(table)))
    }

    /// Prices a call with the same function post-call rating uses (no bundle).
    pub async fn quote(
        &self,
        caller: &Caller,
        table: &str,
        number: &str,
        at: i64,
        duration_s: u32,
    ) -> Result<Quote, AppError> {
        if !self.rate_table_visible(caller, table).await? {
            return Err(AppError::NotFound("rate table"));
        }
        if i64::from(duration_s) > cdr::MAX_CDR_DURATION_S {
            return Err(AppError::invalid(
                "duration_invalid",
                "duration_s",
                format!("at most {} s", cdr::MAX_CDR_DURATION_S),
            ));
        }
        let t = self
            .rates
            .get(table)
            .ok_or(AppError::NotFound("rate table"))?;
        let digits = e164::normalize(number, "number")?;
        let r = t.rate(&digits, at, duration_s, None, None)?;
        Ok(Quote {
            row: r.row.clone(),
            billed_s: r.billed_s,
            amount_micros: r.amount_micros,
            rule: r.rule,
        })
    }

    /// The billing accounts these ids name, by key (never a scan of every account).
    async fn accounts_by_id(
        &self,
        ids: &HashSet<String>,
    ) -> Result<HashMap<String, AccountInfo>, AppError> {
        let ids: Vec<String> = ids.iter().cloned().collect();
        Ok(st::billing_accounts_by_ids(&self.store, &ids)
            .await?
            .into_iter()
            .map(|(row, zone, seconds)| {
                let bundle = zone.filter(|_| seconds > 0).map(|zone| Bundle {
                    zone,
                    seconds_per_month: seconds as u64,
                });
                (row.id.clone(), AccountInfo { row, bundle })
            })
            .collect())
    }

    /// A rate table an account billing in `currency` may be priced with: it exists, and
    /// every row is in that currency (B1: a call the guard admits must be billable; a table
    /// in another currency would have every CDR of the account rejected).
    pub(crate) fn check_rate_table_for(&self, t: &str, currency: &str) -> Result<(), AppError> {
        let Some(table) = self.rates.get(t) else {
            return Err(AppError::invalid(
                "rate_table_unknown",
                "rate_table",
                format!("no rate table `{t}` (see GET /v1/rate-tables)"),
            ));
        };
        if let Some(other) = table
            .rows()
            .iter()
            .find(|r| r.currency.as_str() != currency)
        {
            return Err(AppError::from(
                Refusal::new(
                    "rate_table_currency_mismatch",
                    tollgate_core::rules::B1,
                    format!(
                        "rate table `{t}` prices in {} but the account bills in {currency}",
                        other.currency
                    ),
                )
                .on_field("rate_table"),
            ));
        }
        Ok(())
    }

    /// How a billing account is priced: its rate table and included minutes (B4).
    pub async fn get_account_rating(
        &self,
        caller: &Caller,
        account: &str,
    ) -> Result<AccountRating, AppError> {
        st::get_billing_account(&self.store, ScopeFilter(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        let (row, zone, seconds) = st::billing_accounts_by_ids(&self.store, &[account.into()])
            .await?
            .pop()
            .ok_or(AppError::NotFound("billing account"))?;
        Ok(AccountRating {
            billing_account: row.id,
            currency: row.currency,
            rate_table: row.rate_table,
            included: zone.filter(|_| seconds > 0).map(|z| (z, seconds / 60)),
        })
    }

    /// Changes only what is given: `rate_table` (`Some(None)` removes it) and the included
    /// minutes (`Some(None)` removes them); the rest stays.
    pub async fn patch_account_rating(
        &self,
        caller: &Caller,
        account: &str,
        rate_table: Option<Option<String>>,
        included: Option<Option<(String, i64)>>,
    ) -> Result<AccountRating, AppError> {
        let current = self.get_account_rating(caller, account).await?;
        let table = rate_table.unwrap_or(current.rate_table);
        let included = included.unwrap_or(current.included);
        self.set_account_rating(
            caller,
            account,
            table.as_deref(),
            included.as_ref().map(|(z, m)| (z.as_str(), *m)),
        )
        .await?;
        self.get_account_rating(caller, account).await
    }

    /// Sets how a billing account is priced: its rate table and its included minutes (B4).
    /// The table must exist; a change applies to calls ingested from now on (rated CDRs are
    /// never re-priced).
    pub async fn set_account_rating(
        &self,
        caller: &Caller,
        account: &str,
        rate_table: Option<&str>,
        included: Option<(&str, i64)>,
    ) -> Result<BillingAccountRow, AppError> {
        let ba = st::get_billing_account(&self.store, ScopeFilter(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        if let Some(t) = rate_table {
            self.check_rate_table_for(t, &ba.currency)?;
        }
        if let Some((zone, minutes)) = included {
            if zone.is_empty()
                || zone.len() > 32
                || !zone
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(AppError::invalid(
                    "zone_invalid",
                    "included_zone",
                    "1 to 32 letters, digits, `-` or `_`",
                ));
            }
            if !(0..=MAX_INCLUDED_MINUTES).contains(&minutes) {
                return Err(AppError::invalid(
                    "included_minutes_invalid",
                    "included_minutes",
                    format!("0 to {MAX_INCLUDED_MINUTES}"),
                ));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        st::set_rate_table(&mut tx, account, rate_table).await?;
        match included {
            Some((zone, minutes)) => {
                sr::set_included_minutes(&mut tx, account, Some(zone), minutes * 60).await?
            }
            None => sr::set_included_minutes(&mut tx, account, None, 0).await?,
        }
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "billing_account.rating", account, json!({"rate_table": rate_table, "included": included.map(|(z, m)| json!({"zone": z, "minutes": m}))})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(account);
        Ok(st::get_billing_account(&self.store, ScopeFilter(&caller.scope), account).await?)
    }

    /// Sets a billing account's included minutes (e.g. 1,000 per user per month to `area1`).
    pub async fn set_included_minutes(
        &self,
        actor: &Actor,
        account: &str,
        zone: &str,
        minutes: i64,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        sr::set_included_minutes(&mut tx, account, Some(zone), minutes * 60).await?;
        audit::append(
            &mut tx,
            &audit_row(
                actor,
                now,
                "billing_account.included_minutes",
                account,
                json!({"zone": zone, "minutes": minutes}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// CDR intake: validates every line, keeps rejects with line number and code, skips
    /// (source, call_id) already stored, rates the rest in call order and stores all of it in
    /// one transaction. Re-sending a batch changes nothing.
    pub async fn ingest_cdrs(
        &self,
        actor: &Actor,
        format: CdrFormat,
        body: &[u8],
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let lines = parse_cdrs(format, body)?;
        self.ingest_lines(actor, lines, default_source, progress)
            .await
    }

    /// Intake of lines already split (the guard hands finished calls in here).
    pub async fn ingest_lines(
        &self,
        actor: &Actor,
        lines: Vec<ParsedLine>,
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let now = self.now();
        let batch_id = new_id("bat");
        let received = lines.len();
        let mut rejects: Vec<RejectRow> = Vec::new();
        let reject =
            |rejects: &mut Vec<RejectRow>, line: usize, source: &str, r: Refusal, raw: &str| {
                rejects.push(RejectRow {
                    id: new_id("rej"),
                    batch_id: batch_id.clone(),
                    at: now,
                    source: source.into(),
                    line: line as i64,
                    code: r.code.into(),
                    field: r.field.unwrap_or("line").into(),
                    message: r.message,
                    raw: raw.into(),
                })
            };
        // A line without a billing account resolves through the number that placed the call
        // (an active number of the inventory), looked up once per number per batch.
        let mut lines = lines;
        let mut by_number: HashMap<String, Option<String>> = HashMap::new();
        for (_, parsed, _) in lines.iter_mut() {
            let Ok(r) = parsed else { continue };
            if r.billing_account
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty())
            {
                continue;
            }
            let Some(from) = r
                .from
                .as_deref()
                .and_then(|f| e164::normalize(f, "from").ok())
            else {
                continue;
            };
            if !by_number.contains_key(&from) {
                let n = tollgate_store::numbers::find_by_e164(&self.store, &from).await?;
                by_number.insert(from.clone(), n.and_then(|n| n.billing_account_id));
            }
            r.billing_account = by_number[&from].clone();
        }
        let named: HashSet<String> = lines
            .iter()
            .filter_map(|(_, p, _)| p.as_ref().ok()?.billing_account.as_deref())
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect();
        let accounts = self.accounts_by_id(&named).await?;
        let mut valid: Vec<(usize, Cdr, String)> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut duplicates = 0usize;
        for (line, parsed, raw) in lines {
            let src = default_source.unwrap_or("");
            match parsed.and_then(|r| cdr::validate(&r, default_source, now)) {
                Err(r) => reject(&mut rejects, line, src, r, &raw),
                Ok(c) if !accounts.contains_key(&c.billing_account) => {
                    let msg = format!("no billing account `{}`", c.billing_account);
                    reject(
                        &mut rejects,
                        line,
                        &c.source,
                        Refusal::invalid("account_unknown", "billing_account", msg),
                        &raw,
                    )
                }
                Ok(c) => {
                    if seen.insert((c.source.clone(), c.call_id.clone())) {
                        valid.push((line, c, raw));
                    } else {
                        duplicates += 1;
                    }
                }
            }
        }
        // Call order: bundles are consumed by start time within each account.
        valid.sort_by(|a, b| {
            (&a.1.billing_account, a.1.start, a.0).cmp(&(&b.1.billing_account, b.1.start, b.0))
        });
        // Committed in chunks of INTAKE_CHUNK_ROWS, each its own transaction, so other
        // writers (the guard's queue, suspensions, logins) interleave within milliseconds of
        // a huge batch. Idempotency makes a resend after a crash or a conflict complete the
        // batch without doubling anything.
        let total = valid.len();
        let mut totals: BTreeMap<String, (u64, i64)> = BTreeMap::new();
        let mut inserted = 0usize;
        let mut rejects_written = 0usize;
        let mut done = 0usize;
        let mut chunks = valid.into_iter().peekable();
        loop {
            let chunk: Vec<(usize, Cdr, String)> =
                chunks.by_ref().take(INTAKE_CHUNK_ROWS).collect();
            let last = chunks.peek().is_none();
            let mut tx = self.store.begin().await?;
            let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
            for (_, c, _) in &chunk {
                by_source
                    .entry(c.source.as_str())
                    .or_default()
                    .push(c.call_id.as_str());
            }
            let mut stored: HashSet<(String, String)> = HashSet::new();
            for (src, ids) in by_source {
                for id in sr::existing_call_ids(&mut tx, src, &ids).await? {
                    stored.insert((src.to_string(), id));
                }
            }
            // B4: included minutes are read locked per chunk, consumed in call order and
            // written back as a delta in the same transaction (no concurrent over-grant).
            let mut usage: HashMap<(String, i32), BundleUsage> = HashMap::new();
            let mut usage_base: HashMap<(String, i32), u64> = HashMap::new();
            let mut rows = Vec::with_capacity(chunk.len());
            for (line, c, raw) in chunk {
                if let Some(p) = progress {
                    if done.is_multiple_of(50_000) {
                        p(done, total);
                    }
                }
                done += 1;
                if stored.contains(&(c.source.clone(), c.call_id.clone())) {
                    duplicates += 1;
                    continue;
                }
                let acct = &accounts[&c.billing_account];
                let currency = acct.row.currency.clone();
                let mut row = CdrRow {
                    id: new_id("cdr"),
                    source: c.source.clone(),
                    call_id: c.call_id.clone(),
                    billing_account_id: c.billing_account.clone(),
                    customer_id: acct.row.customer_id.clone(),
                    from_number: c.from.clone(),
                    to_number: c.to.clone(),
                    start_at: c.start,
                    answer_at: c.answer,
                    end_at: c.end,
                    duration_s: i64::from(c.duration_s),
                    disposition: c.disposition.as_str().into(),
                    direction: c.direction.as_str().into(),
                    prefix: None,
                    destination: None,
                    rate_micros: 0,
                    billed_s: 0,
                    bundle_s: 0,
                    amount_micros: 0,
                    currency,
                    rate_table: acct.row.rate_table.clone(),
                    rate_version: None,
                    ingested_at: now,
                };
                if c.is_billable() {
                    let Some(table) = acct
                        .row
                        .rate_table
                        .as_deref()
                        .and_then(|t| self.rates.get(t))
                    else {
                        let msg = format!(
                            "billing account `{}` has no rate table loaded",
                            c.billing_account
                        );
                        reject(
                            &mut rejects,
                            line,
                            &c.source,
                            Refusal::new("rate_table_missing", tollgate_core::rules::B4, msg)
                                .on_field("billing_account"),
                            &raw,
                        );
                        continue;
                    };
                    // The row first: a call the account cannot be billed for (no rate,
                    // another currency) is rejected before it consumes included minutes.
                    let Some(rate_row) = table.lookup(&c.to, c.start) else {
                        let msg = format!("no rate for +{} valid at the call's start", c.to);
                        reject(
                            &mut rejects,
                            line,
                            &c.source,
                            Refusal::new("no_rate_found", tollgate_core::rules::B4, msg)
                                .on_field("to"),
                            &raw,
                        );
                        continue;
                    };
                    if rate_row.currency.as_str() != acct.row.currency {
                        let msg = format!(
                            "the rate is in {} but the account bills in {}",
                            rate_row.currency, acct.row.currency
                        );
                        reject(
                            &mut rejects,
                            line,
                            &c.source,
                            Refusal::new("currency_mismatch", tollgate_core::rules::B1, msg)
                                .on_field("billing_account"),
                            &raw,
                        );
                        continue;
                    }
                    let month = time::month_index(c.start);
                    let key = (c.billing_account.clone(), month);
                    if acct.bundle.is_some() && !usage.contains_key(&key) {
                        let used =
                            sr::bundle_used(&mut tx, &c.billing_account, i64::from(month)).await?;
                        usage_base.insert(key.clone(), used as u64);
                        usage.insert(
                            key.clone(),
                            BundleUsage {
                                month,
                                used_s: used as u64,
                            },
                        );
                    }
                    let r = rate_with_row(
                        rate_row,
                        c.start,
                        c.duration_s,
                        acct.bundle.as_ref(),
                        usage.get_mut(&key),
                    );
                    row.prefix = Some(r.row.prefix.clone());
                    row.destination = Some(r.row.destination.clone());
                    row.rate_micros = r.row.rate_per_min_micros;
                    row.billed_s = i64::from(r.billed_s);
                    row.bundle_s = i64::from(r.bundle_s);
                    row.amount_micros = r.amount_micros;
                    row.rate_version = Some(i64::from(r.row.version));
                }
                let t = totals.entry(row.currency.clone()).or_default();
                t.0 += 1;
                t.1 = t
                    .1
                    .checked_add(row.amount_micros)
                    .ok_or_else(|| AppError::Internal("batch total overflows 64 bits".into()))?;
                rows.push(row);
            }
            let n = sr::insert_cdrs(&mut tx, &rows).await? as usize;
            if n != rows.len() {
                // Another writer stored some of these between our check and insert: refuse
                // this chunk rather than count a bundle twice; a resend is then idempotent.
                return Err(AppError::Conflict {
                    code: "concurrent_intake",
                    message: format!(
                        "another batch stored some of these CDRs at the same time; {inserted} were stored before it; resend the batch"
                    ),
                });
            }
            inserted += n;
            for ((acct, month), u) in &usage {
                let delta = u.used_s - usage_base[&(acct.clone(), *month)];
                if delta > 0 {
                    sr::add_bundle_used(&mut tx, acct, i64::from(*month), delta as i64).await?;
                }
            }
            sr::insert_rejects(&mut tx, &rejects[rejects_written..]).await?;
            rejects_written = rejects.len();
            if last {
                audit::append(
                    &mut tx,
                    &audit_row(actor, now, "cdrs.ingest", &batch_id, json!({"received": received, "inserted": inserted, "duplicates": duplicates, "rejected": rejects.len()})),
                )
                .await?;
            }
            tollgate_store::commit(tx).await?;
            if last {
                break;
            }
        }
        if let Some(p) = progress {
            p(total, total);
        }
        let rejected = rejects.len();
        rejects.truncate(MAX_INLINE_REJECTS);
        Ok(IngestReport {
            batch_id,
            received,
            inserted,
            duplicates,
            rejected,
            rejects,
            totals,
        })
    }

    /// T12: the caller's calls in full detail, scoped by tenancy.
    pub async fn list_cdrs(
        &self,
        caller: &Caller,
        account: Option<&str>,
        from: Option<i64>,
        to: Option<i64>,
        page: &Page,
    ) -> Result<Vec<CdrRow>, AppError> {
        if let Some(a) = account {
            st::get_billing_account(&self.store, ScopeFilter(&caller.scope), a)
                .await
                .map_err(|_| AppError::NotFound("billing account"))?;
        }
        Ok(sr::list_cdrs(
            &self.store,
            ScopeFilter(&caller.scope),
            account,
            from,
            to,
            page,
        )
        .await?)
    }

    pub async fn list_rejects(&self, page: &Page) -> Result<Vec<RejectRow>, AppError> {
        Ok(sr::list_rejects(&self.store, page).await?)
    }
}

/// The demo rate table: a few destinations, one rate change in the middle of a month.
pub const DEMO_RATES_CSV: &str = "\
prefix,destination,rate_per_min,connection_fee,initial_s,subsequent_s,min_billed_s,valid_from,valid_until,currency,zone
33,France,0.0150,0,60,60,0,2025-01-01,,EUR,area1
336,France mobile,0.0600,0,60,60,0,2025-01-01,,EUR,
44,United Kingdom,0.0180,0,60,60,0,2025-01-01,2026-11-15,EUR,area1
44,United Kingdom,0.0120,0,60,60,0,2026-11-15,,EUR,area1
447,United Kingdom mobile,0.0900,0.0100,30,6,0,2025-01-01,,EUR,
49,Germany,0.0140,0,1,1,0,2025-01-01,,EUR,area1
1,United States,0.0100,0,6,6,0,2025-01-01,,EUR,
";

/// Imports the demo rate table once (before the demo accounts that point at it).
/// The currencies the demo's billing accounts bill in; each has its own retail table.
pub const DEMO_CURRENCIES: &[&str] = &["EUR", "GBP", "USD"];

/// The demo retail table for a currency (B1: an account is priced in its own currency).
pub fn demo_rate_table(currency: &str) -> &'static str {
    match currency {
        "GBP" => "demo-retail-gbp",
        "USD" => "demo-retail-usd",
        _ => DEMO_RATE_TABLE,
    }
}

pub async fn ensure_demo_rates(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    for currency in DEMO_CURRENCIES {
        let name = demo_rate_table(currency);
        if app.rates.get(name).is_some() {
            continue;
        }
        let csv = DEMO_RATES_CSV.replace(",EUR,", &format!(",{currency},"));
        let (_, errors) = app
            .import_rate_table(&actor, name, csv.as_bytes(), None)
            .await?;
        if let Some(e) = errors.first() {
            return Err(AppError::Internal(format!(
                "demo rates ({currency}) line {}: {}",
                e.line, e.message
            )));
        }
    }
    Ok(())
}

/// Seeds the demo bundles and a few calls.
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let Some(acme) = st::find_customer_by_name(&app.store, "Acme Dental").await? else {
        return Ok(());
    };
    let sys = Caller::system(actor.clone());
    let accounts = app
        .list_billing_accounts(&sys, Some(&acme.id), &Page::first(10))
        .await?;
    let Some(hq) = accounts.iter().find(|a| a.name == "Acme Dental HQ") else {
        return Ok(());
    };
    // 5 users × 1,000 minutes to Area 1 (product facts).
    app.set_included_minutes(&actor, &hq.id, "area1", 5_000)
        .await?;
    let now = app.now();
    let day = now - now.rem_euclid(86_400);
    let calls = [
        ("+33142685300", 0, 185),
        ("+442079460000", 3_600, 62),
        ("+447700900123", 7_200, 37),
        ("+4930123456", 9_000, 611),
        ("+14155550100", 10_800, 0),
    ];
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,direction\n");
    for (i, (to, offset, dur)) in calls.iter().enumerate() {
        let start = day - 86_400 + 9 * 3_600 + offset;
        body.push_str(&format!(
            "demo-sbc,demo-{i},{},+33170000001,{to},{start},{},{dur},outbound\n",
            hq.id,
            start + dur + 5
        ));
    }
    app.ingest_cdrs(&actor, CdrFormat::Csv, body.as_bytes(), None, None)
        .await?;
    Ok(())
}
