//! System-wide reads of the guard, without a tenant scope. Callers: the guard's in-memory
//! caches and hot path (open calls, bans, destination lists, an account's suspensions,
//! announcements and spend when its cache entry is loaded, the replay of recent calls at
//! start), the data upgrade of legacy policies at start, and the demo seed. They run for the
//! system, before or outside any API caller, and decide for every account, so no caller's
//! scope applies; API reads of guard data take a `ScopeFilter` (`super::get_policy`, ...).

use super::*;

/// System-wide (a data upgrade at start): policies that still name countries by calling code
/// (`33`, `1`) instead of ISO 3166 (`FR`, `US`), as stored before the ISO change.
pub async fn policies_with_calling_codes(store: &Store) -> Result<Vec<PolicyRow>> {
    let rows = sqlx::query(
        "SELECT * FROM guard_policies WHERE home_country < 'A' \
         OR (international_allowlist <> '' AND substr(international_allowlist, 1, 1) < 'A') \
         OR international_allowlist LIKE '%,0%' OR international_allowlist LIKE '%,1%' \
         OR international_allowlist LIKE '%,2%' OR international_allowlist LIKE '%,3%' \
         OR international_allowlist LIKE '%,4%' OR international_allowlist LIKE '%,5%' \
         OR international_allowlist LIKE '%,6%' OR international_allowlist LIKE '%,7%' \
         OR international_allowlist LIKE '%,8%' OR international_allowlist LIKE '%,9%' \
         ORDER BY billing_account_id",
    )
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(policy).collect::<Result<_, _>>()?)
}

/// Calls admitted and not ended (to rebuild live state at start).
pub async fn open_calls(store: &Store) -> Result<Vec<CallRow>> {
    let rows = sqlx::query("SELECT * FROM guard_calls WHERE ended_at IS NULL")
        .fetch_all(store.reader())
        .await?;
    Ok(rows.iter().map(call).collect::<Result<_, _>>()?)
}

/// System-wide (the guard's start): the most recent `limit` calls started since `since`,
/// oldest first, each with what its CDR cost when it was rated (source `guard`).
pub async fn recent_calls(
    store: &Store,
    since: i64,
    limit: i64,
) -> Result<Vec<(CallRow, Option<i64>)>> {
    let rows = sqlx::query(
        "SELECT g.*, d.amount_micros AS cost FROM (SELECT * FROM guard_calls WHERE started_at >= $1 \
         ORDER BY started_at DESC LIMIT $2) g LEFT JOIN cdrs d ON d.source = 'guard' AND d.call_id = g.call_id \
         ORDER BY g.started_at, g.call_id",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| Ok((call(r)?, r.try_get::<Option<i64>, _>("cost")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn get_call(store: &Store, id: &str) -> Result<Option<CallRow>> {
    let r = sqlx::query("SELECT * FROM guard_calls WHERE call_id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?;
    Ok(r.as_ref().map(call).transpose()?)
}

/// Suspensions not lifted and not expired at `now`, of one account.
pub async fn active_suspensions(
    store: &Store,
    account: &str,
    now: i64,
) -> Result<Vec<SuspensionRow>> {
    let rows = sqlx::query(
        "SELECT * FROM suspensions WHERE billing_account_id = $1 AND lifted_at IS NULL AND (until_at IS NULL OR until_at > $2) ORDER BY id",
    )
    .bind(account)
    .bind(now)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(suspension).collect::<Result<_, _>>()?)
}

pub async fn active_bans(store: &Store, now: i64) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT source, until_at FROM source_bans WHERE until_at > $1")
        .bind(now)
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("source")?, r.try_get("until_at")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Announcements of an account that have not ended at `now`.
pub async fn current_announcements(
    store: &Store,
    account: &str,
    now: i64,
) -> Result<Vec<AnnouncementRow>> {
    let rows = sqlx::query(
        "SELECT * FROM announcements WHERE billing_account_id = $1 AND until_at > $2 ORDER BY id",
    )
    .bind(account)
    .bind(now)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AnnouncementRow {
                id: r.try_get("id")?,
                billing_account_id: r.try_get("billing_account_id")?,
                from_at: r.try_get("from_at")?,
                until_at: r.try_get("until_at")?,
                factor: r.try_get("factor")?,
                note: r.try_get("note")?,
                created_at: r.try_get("created_at")?,
                created_by: r.try_get("created_by")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn destination_prefixes(store: &Store) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT prefix, class FROM destination_prefixes ORDER BY prefix")
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("prefix")?, r.try_get("class")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Spend of an account since `from` (micro units), for the credit check.
pub async fn spend_since(store: &Store, account: &str, from: i64) -> Result<i64> {
    Ok(sqlx::query("SELECT CAST(COALESCE(SUM(amount_micros), 0) AS BIGINT) AS s FROM cdrs WHERE billing_account_id = $1 AND start_at >= $2")
        .bind(account)
        .bind(from)
        .fetch_one(store.reader())
        .await?
        .try_get("s")?)
}

/// An account's guard policy, for the guard's account cache.
pub async fn get_policy(store: &Store, account: &str) -> Result<Option<PolicyRow>> {
    super::get_policy(store, ScopeFilter::system(), account).await
}
