//! Rate tables (versions never overwritten), rated CDRs, the reject store, bundle usage.

use crate::marks::{anonymous, values};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{fetch_dynamic, opt_text, Arg, Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

pub mod system;

/// Rows per multi-row INSERT (kept under SQLite's and PostgreSQL's parameter limits).
pub const INSERT_CHUNK_ROWS: usize = 400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateVersionRow {
    pub id: String,
    pub table_name: String,
    pub version: i64,
    pub imported_at: i64,
    pub imported_by: String,
    pub row_count: i64,
}

/// A stored rate row (money in micro units, times in Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRate {
    pub version: i64,
    pub prefix: String,
    pub destination: String,
    pub rate_micros: i64,
    pub connection_fee_micros: i64,
    pub initial_s: i64,
    pub subsequent_s: i64,
    pub min_billed_s: i64,
    pub valid_from: i64,
    pub valid_until: Option<i64>,
    pub currency: String,
    pub zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrRow {
    pub id: String,
    pub source: String,
    pub call_id: String,
    pub billing_account_id: String,
    pub customer_id: String,
    pub from_number: String,
    pub to_number: String,
    pub start_at: i64,
    pub answer_at: Option<i64>,
    pub end_at: i64,
    pub duration_s: i64,
    pub disposition: String,
    pub direction: String,
    pub prefix: Option<String>,
    pub destination: Option<String>,
    pub rate_micros: i64,
    pub billed_s: i64,
    pub bundle_s: i64,
    pub amount_micros: i64,
    pub currency: String,
    pub rate_table: Option<String>,
    pub rate_version: Option<i64>,
    pub ingested_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectRow {
    pub id: String,
    pub batch_id: String,
    pub at: i64,
    pub source: String,
    pub line: i64,
    pub code: String,
    pub field: String,
    pub message: String,
    pub raw: String,
}

pub async fn next_rate_version(tx: &mut Tx, table: &str) -> Result<i64> {
    let v: i64 = sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM rate_table_versions WHERE table_name = $1")
        .bind(table)
        .fetch_one(&mut **tx)
        .await?
        .try_get("v")?;
    Ok(v + 1)
}

/// Adds a version with all its rows (in the caller's transaction: all or nothing).
pub async fn insert_rate_version(
    tx: &mut Tx,
    v: &RateVersionRow,
    rows: &[StoredRate],
) -> Result<()> {
    let anon = anonymous(tx);
    sqlx::query("INSERT INTO rate_table_versions (id, table_name, version, imported_at, imported_by, row_count) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&v.id)
        .bind(&v.table_name)
        .bind(v.version)
        .bind(v.imported_at)
        .bind(&v.imported_by)
        .bind(v.row_count)
        .execute(&mut **tx)
        .await?;
    for chunk in rows.chunks(INSERT_CHUNK_ROWS) {
        let sql = rebuild(chunk.len(), anon);
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&v.id)
                .bind(&v.table_name)
                .bind(v.version)
                .bind(&r.prefix)
                .bind(&r.destination)
                .bind(r.rate_micros)
                .bind(r.connection_fee_micros)
                .bind(r.initial_s)
                .bind(r.subsequent_s)
                .bind(r.min_billed_s)
                .bind(r.valid_from)
                .bind(r.valid_until)
                .bind(&r.currency)
                .bind(&r.zone);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn rebuild(n: usize, anonymous: bool) -> String {
    format!(
        "INSERT INTO rate_rows (version_id, table_name, version, prefix, destination, rate_micros, connection_fee_micros, \
         initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone) VALUES {}",
        values(n, 14, anonymous)
    )
}

fn version_row(r: &AnyRow) -> Result<RateVersionRow, sqlx::Error> {
    Ok(RateVersionRow {
        id: r.try_get("id")?,
        table_name: r.try_get("table_name")?,
        version: r.try_get("version")?,
        imported_at: r.try_get("imported_at")?,
        imported_by: r.try_get("imported_by")?,
        row_count: r.try_get("row_count")?,
    })
}

/// Rate-table versions `scope` may see: every table for the operator; for partners and
/// customers the tables their billing accounts are priced with.
pub async fn list_rate_versions(
    store: &Store,
    scope: ScopeFilter<'_>,
) -> Result<Vec<RateVersionRow>> {
    let mut sql = String::from(
        "SELECT id, table_name, version, imported_at, imported_by, row_count FROM rate_table_versions \
         WHERE table_name IS NOT NULL",
    );
    let mut args = Vec::new();
    scope.push_in(
        &mut sql,
        &mut args,
        "table_name",
        "SELECT b.rate_table FROM billing_accounts b JOIN customers c ON c.id = b.customer_id \
         WHERE b.rate_table IS NOT NULL",
        "c.id",
        "c.partner_id",
    );
    sql.push_str(" ORDER BY table_name, version");
    fetch_dynamic(store.reader(), &sql, args, version_row).await
}

fn stored_rate(r: &AnyRow) -> Result<StoredRate, sqlx::Error> {
    Ok(StoredRate {
        version: r.try_get("version")?,
        prefix: r.try_get("prefix")?,
        destination: r.try_get("destination")?,
        rate_micros: r.try_get("rate_micros")?,
        connection_fee_micros: r.try_get("connection_fee_micros")?,
        initial_s: r.try_get("initial_s")?,
        subsequent_s: r.try_get("subsequent_s")?,
        min_billed_s: r.try_get("min_billed_s")?,
        valid_from: r.try_get("valid_from")?,
        valid_until: r.try_get("valid_until")?,
        currency: r.try_get("currency")?,
        zone: opt_text(r, "zone")?,
    })
}

const RATE_COLS: &str = "version, prefix, destination, rate_micros, connection_fee_micros, initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone";

/// Which of `call_ids` from `source` are already stored.
pub async fn existing_call_ids(
    tx: &mut Tx,
    source: &str,
    call_ids: &[&str],
) -> Result<Vec<String>> {
    let anon = anonymous(tx);
    let mut out = Vec::new();
    for chunk in call_ids.chunks(INSERT_CHUNK_ROWS) {
        let mut sql = if anon {
            "SELECT call_id FROM cdrs WHERE source = ? AND call_id IN ("
        } else {
            "SELECT call_id FROM cdrs WHERE source = $1 AND call_id IN ("
        }
        .to_string();
        for i in 0..chunk.len() {
            let p = if anon {
                "?".to_string()
            } else {
                format!("${}", i + 2)
            };
            sql.push_str(&format!("{}{p}", if i > 0 { ", " } else { "" }));
        }
        sql.push(')');
        let mut q = sqlx::query(&sql).bind(source);
        for c in chunk {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut **tx).await? {
            out.push(r.try_get("call_id")?);
        }
    }
    Ok(out)
}

/// Inserts rated CDRs; a (source, call_id) already present is skipped. Returns rows inserted.
/// The inserted ones (and only those) are added to `usage_daily`, one upsert per chunk.
pub async fn insert_cdrs(tx: &mut Tx, rows: &[CdrRow]) -> Result<u64> {
    let anon = anonymous(tx);
    const COLS: usize = 23;
    let mut inserted = 0;
    for chunk in rows.chunks(INSERT_CHUNK_ROWS / 2) {
        let sql = format!(
            "INSERT INTO cdrs (id, source, call_id, billing_account_id, customer_id, from_number, to_number, start_at, answer_at, \
             end_at, duration_s, disposition, direction, prefix, destination, rate_micros, billed_s, bundle_s, amount_micros, \
             currency, rate_table, rate_version, ingested_at) VALUES {} ON CONFLICT (source, call_id) DO NOTHING",
            values(chunk.len(), COLS, anon)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q
                .bind(&c.id)
                .bind(&c.source)
                .bind(&c.call_id)
                .bind(&c.billing_account_id)
                .bind(&c.customer_id)
                .bind(&c.from_number)
                .bind(&c.to_number)
                .bind(c.start_at)
                .bind(c.answer_at)
                .bind(c.end_at)
                .bind(c.duration_s)
                .bind(&c.disposition)
                .bind(&c.direction)
                .bind(&c.prefix)
                .bind(&c.destination)
                .bind(c.rate_micros)
                .bind(c.billed_s)
                .bind(c.bundle_s)
                .bind(c.amount_micros)
                .bind(&c.currency)
                .bind(&c.rate_table)
                .bind(c.rate_version)
                .bind(c.ingested_at);
        }
        let n = q.execute(&mut **tx).await?.rows_affected();
        inserted += n;
        if n == chunk.len() as u64 {
            // Every row was new (the usual case): all of them count.
            add_usage(tx, chunk.iter(), anon).await?;
        } else if n > 0 {
            // Some were duplicates: the new ones are those whose id is now stored. A CDR id
            // is fresh for every insert attempt (`new_id`), so a skipped duplicate's id is
            // not in the table.
            let ids = stored_ids(tx, chunk, anon).await?;
            add_usage(tx, chunk.iter().filter(|c| ids.contains(&c.id)), anon).await?;
        }
    }
    Ok(inserted)
}

/// The ids of `rows` present in `cdrs`.
async fn stored_ids(
    tx: &mut Tx,
    rows: &[CdrRow],
    anon: bool,
) -> Result<std::collections::HashSet<String>> {
    let marks: Vec<String> = (1..=rows.len())
        .map(|i| {
            if anon {
                "?".to_string()
            } else {
                format!("${i}")
            }
        })
        .collect();
    let sql = format!("SELECT id FROM cdrs WHERE id IN ({})", marks.join(", "));
    let mut q = sqlx::query(&sql);
    for r in rows {
        q = q.bind(&r.id);
    }
    Ok(q.fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<std::result::Result<_, _>>()?)
}

/// Adds CDRs to `usage_daily`: summed per (account, UTC day, currency) in memory, one upsert.
async fn add_usage<'a>(
    tx: &mut Tx,
    rows: impl Iterator<Item = &'a CdrRow>,
    anon: bool,
) -> Result<()> {
    let mut sums: std::collections::BTreeMap<(&str, i64, &str), [i64; 4]> =
        std::collections::BTreeMap::new();
    for c in rows {
        let day = c.start_at.div_euclid(86_400) * 86_400;
        let e = sums
            .entry((c.billing_account_id.as_str(), day, c.currency.as_str()))
            .or_default();
        e[0] += 1;
        e[1] += i64::from(c.disposition == "answered");
        e[2] += c.billed_s;
        e[3] += c.amount_micros;
    }
    if sums.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO usage_daily AS u (billing_account_id, day, currency, calls, answered, billed_s, amount_micros) \
         VALUES {} ON CONFLICT (billing_account_id, day, currency) DO UPDATE SET calls = u.calls + excluded.calls, \
         answered = u.answered + excluded.answered, billed_s = u.billed_s + excluded.billed_s, \
         amount_micros = u.amount_micros + excluded.amount_micros",
        values(sums.len(), 7, anon)
    );
    let mut q = sqlx::query(&sql);
    for ((account, day, currency), v) in &sums {
        q = q
            .bind(*account)
            .bind(*day)
            .bind(*currency)
            .bind(v[0])
            .bind(v[1])
            .bind(v[2])
            .bind(v[3]);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The identity of a rejected line: its source and its content (SHA-256, hex). A reject with
/// no content (a body that breaks off, a CSV syntax error) is identified by its line, code and
/// message instead, so two different breaks are two rejects and a re-post of the same is one.
fn reject_fingerprint(r: &RejectRow) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(r.source.as_bytes());
    h.update([0u8]);
    if r.raw.is_empty() {
        h.update(format!("\0{}\0{}\0{}", r.line, r.code, r.message).as_bytes());
    } else {
        h.update(r.raw.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn insert_rejects(tx: &mut Tx, rows: &[RejectRow]) -> Result<()> {
    let anon = anonymous(tx);
    const COLS: usize = 10;
    for chunk in rows.chunks(INSERT_CHUNK_ROWS) {
        // Idempotent by (source, line content): a re-posted file adds no copy.
        let sql = format!(
            "INSERT INTO cdr_rejects (id, batch_id, at, source, line, code, field, message, raw, fingerprint) VALUES {} \
             ON CONFLICT (fingerprint) DO NOTHING",
            values(chunk.len(), COLS, anon)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&r.id)
                .bind(&r.batch_id)
                .bind(r.at)
                .bind(&r.source)
                .bind(r.line)
                .bind(&r.code)
                .bind(&r.field)
                .bind(&r.message)
                .bind(&r.raw)
                .bind(reject_fingerprint(r));
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The included seconds used in a month, **locked** until the transaction ends: a concurrent
/// intake of the same account waits here, then reads what this one added (PostgreSQL: a row
/// lock; SQLite: its single writer already serialises write transactions).
pub async fn bundle_used(tx: &mut Tx, account: &str, month: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO bundle_usage (billing_account_id, month, used_s) VALUES ($1, $2, 0) \
         ON CONFLICT (billing_account_id, month) DO NOTHING",
    )
    .bind(account)
    .bind(month)
    .execute(&mut **tx)
    .await?;
    let lock = if anonymous(tx) { "" } else { " FOR UPDATE" };
    let r = sqlx::query(&format!(
        "SELECT used_s FROM bundle_usage WHERE billing_account_id = $1 AND month = $2{lock}"
    ))
    .bind(account)
    .bind(month)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match r {
        Some(r) => r.try_get("used_s")?,
        None => 0,
    })
}

/// Adds `delta_s` to the included seconds used in a month. A delta, not an absolute value, so
/// two concurrent batches (PostgreSQL) never lose each other's consumption.
pub async fn add_bundle_used(tx: &mut Tx, account: &str, month: i64, delta_s: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO bundle_usage (billing_account_id, month, used_s) VALUES ($1, $2, $3) \
         ON CONFLICT (billing_account_id, month) DO UPDATE SET used_s = bundle_usage.used_s + excluded.used_s",
    )
    .bind(account)
    .bind(month)
    .bind(delta_s)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_included_minutes(
    tx: &mut Tx,
    account: &str,
    zone: Option<&str>,
    seconds: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE billing_accounts SET included_zone = $1, included_seconds = $2 WHERE id = $3",
    )
    .bind(zone)
    .bind(seconds)
    .bind(account)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) const CDR_COLS: &str = "d.id, d.source, d.call_id, d.billing_account_id, d.customer_id, d.from_number, d.to_number, d.start_at, \
    d.answer_at, d.end_at, d.duration_s, d.disposition, d.direction, d.prefix, d.destination, d.rate_micros, d.billed_s, \
    d.bundle_s, d.amount_micros, d.currency, d.rate_table, d.rate_version, d.ingested_at";

pub(crate) fn cdr(r: &AnyRow) -> Result<CdrRow, sqlx::Error> {
    Ok(CdrRow {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        call_id: r.try_get("call_id")?,
        billing_account_id: r.try_get("billing_account_id")?,
        customer_id: r.try_get("customer_id")?,
        from_number: r.try_get("from_number")?,
        to_number: r.try_get("to_number")?,
        start_at: r.try_get("start_at")?,
        answer_at: r.try_get("answer_at")?,
        end_at: r.try_get("end_at")?,
        duration_s: r.try_get("duration_s")?,
        disposition: r.try_get("disposition")?,
        direction: r.try_get("direction")?,
        prefix: opt_text(r, "prefix")?,
        destination: opt_text(r, "destination")?,
        rate_micros: r.try_get("rate_micros")?,
        billed_s: r.try_get("billed_s")?,
        bundle_s: r.try_get("bundle_s")?,
        amount_micros: r.try_get("amount_micros")?,
        currency: r.try_get("currency")?,
        rate_table: opt_text(r, "rate_table")?,
        rate_version: r.try_get("rate_version")?,
        ingested_at: r.try_get("ingested_at")?,
    })
}

/// A page of one billing account's CDRs in scope, in call order (`start_at`, then id),
/// optionally within a start-time range `[from, to)`, after the row `(start_at, id)`. Served
/// by the index `cdrs_account_start_id` whatever the number of CDRs (issue 11 #6).
pub async fn list_account_cdrs(
    store: &Store,
    scope: ScopeFilter<'_>,
    account: &str,
    range: (Option<i64>, Option<i64>),
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<CdrRow>> {
    account_cdrs_query(scope, account, range, after, limit)
        .fetch(store.reader(), cdr)
        .await
}

/// The query of [`list_account_cdrs`] (its plan is checked by the store suite).
pub fn account_cdrs_query(
    scope: ScopeFilter<'_>,
    account: &str,
    range: (Option<i64>, Option<i64>),
    after: Option<(i64, &str)>,
    limit: i64,
) -> ScopedQuery {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {CDR_COLS} FROM cdrs d JOIN billing_accounts b ON b.id = d.billing_account_id \
         JOIN customers c ON c.id = b.customer_id"
    ));
    q.filter("d.billing_account_id", "=", Arg::Text(account.into()))
        .filter("d.start_at", ">=", range.0.map(Arg::Int))
        .filter("d.start_at", "<", range.1.map(Arg::Int))
        .scope(&scope, "c.id", "c.partner_id")
        .keyset(
            &["d.start_at", "d.id"],
            after.map(|(s, id)| vec![Arg::Int(s), Arg::Text(id.into())]),
            limit,
        );
    q
}

/// CDR lines refused at intake: the operator's data (no tenant owns a refused line), none for
/// any other scope.
pub async fn list_rejects(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<RejectRow>> {
    let mut q = ScopedQuery::new(
        "SELECT id, batch_id, at, source, line, code, field, message, raw FROM cdr_rejects",
    );
    q.clause(|sql, _| scope.push_operator_only(sql))
        .page("id", page);
    q.fetch(store.reader(), |r| {
        Ok(RejectRow {
            id: r.try_get("id")?,
            batch_id: r.try_get("batch_id")?,
            at: r.try_get("at")?,
            source: r.try_get("source")?,
            line: r.try_get("line")?,
            code: r.try_get("code")?,
            field: r.try_get("field")?,
            message: r.try_get("message")?,
            raw: r.try_get("raw")?,
        })
    })
    .await
}

/// One day's calls in scope, per currency: what the portal's usage chart draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyUsage {
    /// 00:00 UTC of the day, Unix seconds.
    pub day: i64,
    pub currency: String,
    pub calls: i64,
    pub answered: i64,
    pub billed_s: i64,
    pub amount_micros: i64,
}

/// Calls per day (UTC) and currency in scope on the days in `[from, to)` (day starts), in day
/// order: read from `usage_daily`, which [`insert_cdrs`] keeps (migration 14).
pub async fn daily_usage(
    store: &Store,
    scope: ScopeFilter<'_>,
    from: i64,
    to: i64,
) -> Result<Vec<DailyUsage>> {
    let mut q = ScopedQuery::new(
        "SELECT u.day AS day, u.currency AS currency, CAST(SUM(u.calls) AS BIGINT) AS calls, \
         CAST(SUM(u.answered) AS BIGINT) AS answered, CAST(SUM(u.billed_s) AS BIGINT) AS billed_s, \
         CAST(SUM(u.amount_micros) AS BIGINT) AS amount_micros \
         FROM usage_daily u JOIN billing_accounts b ON b.id = u.billing_account_id \
         JOIN customers c ON c.id = b.customer_id",
    );
    q.filter("u.day", ">=", Arg::Int(from))
        .filter("u.day", "<", Arg::Int(to))
        .scope(&scope, "c.id", "c.partner_id")
        .clause(|sql, _| sql.push_str(" GROUP BY u.day, u.currency ORDER BY 1, 2"));
    q.fetch(store.reader(), |r| {
        Ok(DailyUsage {
            day: r.try_get("day")?,
            currency: r.try_get("currency")?,
            calls: r.try_get("calls")?,
            answered: r.try_get("answered")?,
            billed_s: r.try_get("billed_s")?,
            amount_micros: r.try_get("amount_micros")?,
        })
    })
    .await
}
