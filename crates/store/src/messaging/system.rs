//! System reads and writes of messaging, without a tenant scope. Callers: the admission cache
//! (an account's consents, suppressions and registrations, loaded once and kept current), the
//! delivery worker (due messages, their states, receipts), inbound messages (the account is
//! the one owning the number written to) and the monthly usage close.

use sqlx::Row;

use super::{ConsentRow, MessageRow, RegistrationRow};
use crate::{Result, Store, Tx};

fn rows<T>(
    rows: &[sqlx::any::AnyRow],
    map: impl Fn(&sqlx::any::AnyRow) -> std::result::Result<T, sqlx::Error>,
) -> Result<Vec<T>> {
    Ok(rows
        .iter()
        .map(map)
        .collect::<std::result::Result<_, _>>()?)
}

/// Every consent event of an account, oldest first (folded into the current state).
pub async fn consents_of_account(store: &Store, account: &str) -> Result<Vec<ConsentRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM message_consents WHERE billing_account_id = $1 ORDER BY at, id",
        ConsentRow::cols("")
    ))
    .bind(account)
    .fetch_all(store.reader())
    .await?;
    rows(&r, ConsentRow::from_row)
}

/// Recipients suppressed for an account: its own list and the provider's.
pub async fn suppressed_for(store: &Store, account: &str) -> Result<Vec<String>> {
    let r = sqlx::query(
        "SELECT recipient FROM message_suppressions WHERE removed_at IS NULL AND \
         (billing_account_id = $1 OR billing_account_id IS NULL)",
    )
    .bind(account)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| x.try_get("recipient"))
}

/// Every registration of an account.
pub async fn registrations_of_account(
    store: &Store,
    account: &str,
) -> Result<Vec<RegistrationRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM message_registrations WHERE billing_account_id = $1 ORDER BY id",
        RegistrationRow::cols("")
    ))
    .bind(account)
    .fetch_all(store.reader())
    .await?;
    rows(&r, RegistrationRow::from_row)
}

/// A registration by id, inside a transaction (before a change).
pub async fn registration(tx: &mut Tx, id: &str) -> Result<Option<RegistrationRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM message_registrations WHERE id = $1",
        RegistrationRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.as_ref().map(RegistrationRow::from_row).transpose()?)
}

/// Marketing messages an account had admitted since `since`: `(recipient, created_at)`.
pub async fn marketing_since(
    store: &Store,
    account: &str,
    since: i64,
) -> Result<Vec<(String, i64)>> {
    let r = sqlx::query(
        "SELECT recipient, created_at FROM messages WHERE billing_account_id = $1 AND \
         created_at >= $2 AND direction = 'out' AND category = 'marketing' AND status <> 'refused'",
    )
    .bind(account)
    .bind(since)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| {
        Ok((x.try_get("recipient")?, x.try_get("created_at")?))
    })
}

/// A message by its idempotency key.
pub async fn by_idempotency_key(
    store: &Store,
    account: &str,
    key: &str,
) -> Result<Option<MessageRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE billing_account_id = $1 AND idempotency_key = $2",
        MessageRow::cols("")
    ))
    .bind(account)
    .bind(key)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(MessageRow::from_row).transpose()?)
}

/// A message by id (the worker's own reads).
pub async fn message(store: &Store, id: &str) -> Result<Option<MessageRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE id = $1",
        MessageRow::cols("")
    ))
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(MessageRow::from_row).transpose()?)
}

/// Queued messages due at `now`, the earliest first.
pub async fn due(store: &Store, now: i64, limit: i64) -> Result<Vec<MessageRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE state = 'queued' AND send_at <= $1 ORDER BY send_at, id LIMIT $2",
        MessageRow::cols("")
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows(&r, MessageRow::from_row)
}

/// The earliest `send_at` of a queued message, if any (the worker sleeps until then).
pub async fn next_due(store: &Store) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT MIN(send_at) AS t FROM messages WHERE state = 'queued'")
        .fetch_one(store.reader())
        .await?;
    Ok(r.try_get::<Option<i64>, _>("t")?)
}

/// Claims a queued message for one submission (at most once): `submitting`, one attempt
/// more. False when another worker took it or it is no longer queued.
pub async fn claim(store: &Store, id: &str, connector: &str, at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE messages SET state = 'submitting', attempts = attempts + 1, connector = $1, \
         updated_at = $2 WHERE id = $3 AND state = 'queued'",
    )
    .bind(connector)
    .bind(at)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The SMSC took a message.
pub async fn submitted(store: &Store, id: &str, smsc_id: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE messages SET state = 'submitted', smsc_id = $1, submitted_at = $2, updated_at = $2 \
         WHERE id = $3 AND state = 'submitting'",
    )
    .bind(smsc_id)
    .bind(at)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(())
}

/// Back to the queue (the connector was unavailable), due again at `send_at`.
pub async fn requeue(store: &Store, id: &str, send_at: i64, error: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE messages SET state = 'queued', send_at = $1, error = $2, updated_at = $3 \
         WHERE id = $4 AND state = 'submitting'",
    )
    .bind(send_at)
    .bind(error)
    .bind(at)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(())
}

/// A final state (`failed`, `unknown`) from `submitting`; the body is dropped (D1).
pub async fn finish(store: &Store, id: &str, state: &str, error: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE messages SET state = $1, error = $2, done_at = $3, updated_at = $3, body = NULL \
         WHERE id = $4 AND state = 'submitting'",
    )
    .bind(state)
    .bind(error)
    .bind(at)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(())
}

/// Applies a delivery receipt to the submitted message with this SMSC id; false when none.
pub async fn receipt(
    store: &Store,
    smsc_id: &str,
    state: &str,
    error: &str,
    at: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE messages SET state = $1, error = $2, done_at = $3, updated_at = $3, body = NULL \
         WHERE smsc_id = $4 AND state = 'submitted'",
    )
    .bind(state)
    .bind(error)
    .bind(at)
    .bind(smsc_id)
    .execute(store.writer())
    .await?;
    Ok(r.rows_affected() > 0)
}

/// At start: messages a stopped process was submitting have an unknown outcome (the SMSC
/// may have them). They are not sent again (at most once) but listed as `unknown`.
pub async fn orphaned_submissions(store: &Store, at: i64) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE messages SET state = 'unknown', error = 'the process stopped during submission', \
         done_at = $1, updated_at = $1 WHERE state = 'submitting'",
    )
    .bind(at)
    .execute(store.writer())
    .await?;
    Ok(r.rows_affected())
}

/// An account's messages not yet billed, created before the month's end: `(segments,
/// surcharges)`. Earlier months' too: a message queued when its month closed (deferred, or
/// waiting for the SMSC) is billed by the first close after it went out.
pub async fn unbilled_usage(tx: &mut Tx, account: &str, to: i64) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(segments), 0) AS BIGINT) AS s, \
         CAST(COALESCE(SUM(surcharge_micros), 0) AS BIGINT) AS c FROM messages \
         WHERE billing_account_id = $1 AND direction = 'out' AND status <> 'refused' \
         AND state NOT IN ('refused', 'queued') AND created_at < $2 AND billed_month IS NULL",
    )
    .bind(account)
    .bind(to)
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.try_get("s")?, r.try_get("c")?))
}

/// Marks what [`unbilled_usage`] counted as billed by `month`.
pub async fn mark_billed(tx: &mut Tx, account: &str, to: i64, month: &str) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE messages SET billed_month = $1 WHERE billing_account_id = $2 AND direction = 'out' \
         AND status <> 'refused' AND state NOT IN ('refused', 'queued') AND created_at < $3 \
         AND billed_month IS NULL",
    )
    .bind(month)
    .bind(account)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Accounts with messages not yet billed created before `to`, or with registrations.
pub async fn accounts_with_messaging(store: &Store, to: i64) -> Result<Vec<String>> {
    let r = sqlx::query(
        "SELECT billing_account_id AS a FROM messages WHERE billed_month IS NULL AND \
         direction = 'out' AND created_at < $1 \
         UNION SELECT billing_account_id AS a FROM message_registrations ORDER BY a",
    )
    .bind(to)
    .fetch_all(store.reader())
    .await?;
    rows(&r, |x| x.try_get("a"))
}

/// Marks a registration's monthly fee charged for `month`; false when it already was.
pub async fn registration_billed(tx: &mut Tx, id: &str, month: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE message_registrations SET billed_month = $1 WHERE id = $2 AND \
         (billed_month IS NULL OR billed_month < $1)",
    )
    .bind(month)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An account's price per segment beyond the included SMS.
pub async fn segment_price(tx: &mut Tx, account: &str) -> Result<Option<i64>> {
    let r =
        sqlx::query("SELECT segment_micros FROM messaging_prices WHERE billing_account_id = $1")
            .bind(account)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(r.map(|x| x.try_get("segment_micros")).transpose()?)
}

/// User licences of an account on `day` (product facts: SMS included per user).
pub async fn licence_users(tx: &mut Tx, account: &str, day: i64) -> Result<i64> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS n FROM subscriptions WHERE \
         billing_account_id = $1 AND kind = 'licence' AND charges_from <= $2 AND \
         (ends_on IS NULL OR ends_on > $2)",
    )
    .bind(account)
    .bind(day)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("n")?)
}

/// The latest contact with a recipient: its last consent event or message (M2 retention).
pub async fn last_contact(store: &Store, account: &str, recipient: &str) -> Result<Option<i64>> {
    let r = sqlx::query(
        "SELECT MAX(t) AS t FROM (SELECT MAX(at) AS t FROM message_consents WHERE \
         billing_account_id = $1 AND recipient = $2 UNION ALL SELECT MAX(created_at) AS t FROM \
         messages WHERE billing_account_id = $1 AND recipient = $2) x",
    )
    .bind(account)
    .bind(recipient)
    .fetch_one(store.reader())
    .await?;
    Ok(r.try_get::<Option<i64>, _>("t")?)
}

/// Erases a recipient's consent events after their retention (the caller checked it).
pub async fn erase_consents(tx: &mut Tx, account: &str, recipient: &str) -> Result<u64> {
    let r = sqlx::query(
        "DELETE FROM message_consents WHERE billing_account_id = $1 AND recipient = $2",
    )
    .bind(account)
    .bind(recipient)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// A suppression entry by id (the caller checks its tenant).
pub async fn suppression(store: &Store, id: &str) -> Result<Option<super::SuppressionRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM message_suppressions WHERE id = $1",
        super::SuppressionRow::cols("")
    ))
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref()
        .map(super::SuppressionRow::from_row)
        .transpose()?)
}

/// The account owning a number (inbound messages are the account's that owns the number
/// written to).
pub async fn account_of_number(store: &Store, e164: &str) -> Result<Option<String>> {
    let r = sqlx::query("SELECT billing_account_id FROM numbers WHERE e164 = $1")
        .bind(e164)
        .fetch_optional(store.reader())
        .await?;
    Ok(
        r.map(|x| x.try_get::<Option<String>, _>("billing_account_id"))
            .transpose()?
            .flatten(),
    )
}

/// Drops a message's kept body (D1).
pub async fn drop_body(tx: &mut Tx, id: &str) -> Result<()> {
    sqlx::query("UPDATE messages SET body = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A queued message that may no longer go (its recipient opted out meanwhile): refused.
pub async fn refuse_queued(
    store: &Store,
    id: &str,
    code: &str,
    rule: &str,
    clause: &str,
    reason: &str,
    at: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE messages SET state = 'refused', status = 'refused', code = $1, rule = $2, clause = $3, \
         reason = $4, done_at = $5, updated_at = $5, body = NULL WHERE id = $6 AND state = 'queued'",
    )
    .bind(code)
    .bind(rule)
    .bind(clause)
    .bind(reason)
    .bind(at)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets a registration's expiry.
pub async fn set_registration_expiry(tx: &mut Tx, id: &str, expires_at: i64) -> Result<()> {
    sqlx::query("UPDATE message_registrations SET expires_at = $1 WHERE id = $2")
        .bind(expires_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every registration of an account, inside a transaction (the usage close).
pub async fn registrations_of_account_tx(
    tx: &mut Tx,
    account: &str,
) -> Result<Vec<RegistrationRow>> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM message_registrations WHERE billing_account_id = $1 ORDER BY id",
        RegistrationRow::cols("")
    ))
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    rows(&r, RegistrationRow::from_row)
}

/// How many messages are in a state (benchmarks, metrics).
pub async fn count_state(store: &Store, state: &str) -> Result<i64> {
    let r = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM messages WHERE state = $1")
        .bind(state)
        .fetch_one(store.reader())
        .await?;
    Ok(r.try_get("n")?)
}

/// A queued message due again later (its release found the quiet hours).
pub async fn reschedule(store: &Store, id: &str, send_at: i64, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE messages SET send_at = $1, updated_at = $2 WHERE id = $3 AND state = 'queued'",
    )
    .bind(send_at)
    .bind(at)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(())
}

/// Sets a registration's pass-through fees (the provider's).
pub async fn set_registration_fees(
    tx: &mut Tx,
    id: &str,
    fee: i64,
    monthly: i64,
    surcharge: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE message_registrations SET fee_micros = $1, monthly_fee_micros = $2, \
         surcharge_micros = $3 WHERE id = $4",
    )
    .bind(fee)
    .bind(monthly)
    .bind(surcharge)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
