//! System-wide reads of rating, without a tenant scope. Callers: the rate cache (it loads
//! every table's rows and versions for every account's pricing), the benchmarks' baselines
//! (`bench rating`, `bench list`: the SQL lookup and the OFFSET page they are measured
//! against) and the store suite's totals. None serves an API caller, so no scope applies.

use super::*;

/// Every row of every version of a table.
pub async fn load_rate_rows(store: &Store, table: &str) -> Result<Vec<StoredRate>> {
    let rows = sqlx::query(&format!(
        "SELECT {RATE_COLS} FROM rate_rows WHERE table_name = $1"
    ))
    .bind(table)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(stored_rate).collect::<Result<_, _>>()?)
}

/// The classic VoIP-billing SQL lookup (the benchmark baseline): every prefix of the number,
/// valid at `at`, longest first.
pub async fn lookup_rate_sql(
    store: &Store,
    table: &str,
    digits: &str,
    at: i64,
) -> Result<Option<StoredRate>> {
    let n = digits.len().min(15);
    let mut sql =
        format!("SELECT {RATE_COLS} FROM rate_rows WHERE table_name = $1 AND prefix IN (");
    for i in 1..=n {
        sql.push_str(&format!("{}${}", if i > 1 { ", " } else { "" }, i + 2));
    }
    sql.push_str(") AND valid_from <= $2 AND (valid_until IS NULL OR valid_until > $2) ORDER BY length(prefix) DESC, version DESC, valid_from DESC LIMIT 1");
    let mut q = sqlx::query(&sql).bind(table).bind(at);
    for i in 1..=n {
        q = q.bind(&digits[..i]);
    }
    Ok(q.fetch_optional(store.reader())
        .await?
        .as_ref()
        .map(stored_rate)
        .transpose()?)
}

/// The benchmark's baseline for CDR pages: the same page in call order read by `OFFSET`
/// (what paging without a keyset costs); never used by the API.
pub async fn account_cdrs_by_offset_baseline(
    store: &Store,
    account: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<CdrRow>> {
    let sql = format!(
        "SELECT {CDR_COLS} FROM cdrs d WHERE d.billing_account_id = $1 ORDER BY d.start_at, d.id LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query(&sql)
        .bind(account)
        .bind(limit)
        .bind(offset)
        .fetch_all(store.reader())
        .await?;
    Ok(rows.iter().map(cdr).collect::<Result<Vec<_>, _>>()?)
}

/// Sum of `amount_micros` and count per currency, for totals checks.
pub async fn cdr_totals(store: &Store) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query("SELECT currency, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(amount_micros) AS BIGINT) AS total FROM cdrs GROUP BY currency ORDER BY currency")
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("currency")?, r.try_get("n")?, r.try_get("total")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Every rate-table version, for the rate cache.
pub async fn list_rate_versions(store: &Store) -> Result<Vec<RateVersionRow>> {
    super::list_rate_versions(store, ScopeFilter::system()).await
}
