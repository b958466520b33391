//! System-wide reads of the outbox, without a tenant scope. Callers: the delivery of queued
//! mail to its recipients and the tests that check what was queued. No API caller reads it.

use super::*;

pub mod webhooks;

/// Unsent messages for a recipient, oldest first.
pub async fn pending_for(store: &Store, recipient: &str) -> Result<Vec<OutboxRow>> {
    let rows = sqlx::query(
        "SELECT id, at, channel, recipient, subject, body, rule FROM outbox WHERE recipient = $1 AND sent_at IS NULL ORDER BY id",
    )
    .bind(recipient)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(OutboxRow {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                channel: r.try_get("channel")?,
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                rule: r.try_get("rule")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// A queued message with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub message: OutboxRow,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub dead_at: Option<i64>,
    pub last_error: Option<String>,
}

const QUEUED_COLS: &str =
    "id, at, channel, recipient, subject, body, rule, attempts, next_attempt_at, sent_at, dead_at, last_error";

fn queued(r: &sqlx::any::AnyRow) -> std::result::Result<Queued, sqlx::Error> {
    Ok(Queued {
        message: OutboxRow {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            channel: r.try_get("channel")?,
            recipient: r.try_get("recipient")?,
            subject: r.try_get("subject")?,
            body: r.try_get("body")?,
            rule: r.try_get("rule")?,
        },
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        sent_at: r.try_get("sent_at")?,
        dead_at: r.try_get("dead_at")?,
        last_error: r.try_get("last_error")?,
    })
}

/// Messages due for a delivery attempt at `now`, oldest first.
pub async fn due(store: &Store, now: i64, limit: i64) -> Result<Vec<Queued>> {
    let rows = sqlx::query(&format!(
        "SELECT {QUEUED_COLS} FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL \
         AND next_attempt_at <= $1 ORDER BY at, id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(queued)
        .collect::<std::result::Result<_, _>>()?)
}

/// Claims a message for one attempt before it is sent: counts the attempt and moves the next
/// one to `retry_at`, so a crash mid-send retries later and two workers never both send.
/// False when another worker claimed it first.
pub async fn claim(store: &Store, id: &str, now: i64, retry_at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2 \
         AND sent_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $3",
    )
    .bind(retry_at)
    .bind(id)
    .bind(now)
    .execute(store.writer())
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn mark_sent(store: &Store, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(store.writer())
        .await?;
    Ok(())
}

/// Records a failed attempt; `dead_at` set: no more attempts (the dead-letter state).
pub async fn mark_failed(store: &Store, id: &str, error: &str, dead_at: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE outbox SET last_error = $1, dead_at = $2 WHERE id = $3")
        .bind(error)
        .bind(dead_at)
        .bind(id)
        .execute(store.writer())
        .await?;
    Ok(())
}

/// Messages by state: `pending`, `sent` or `dead`, newest first.
pub async fn by_state(store: &Store, state: &str, limit: i64) -> Result<Vec<Queued>> {
    let cond = match state {
        "sent" => "sent_at IS NOT NULL",
        "dead" => "dead_at IS NOT NULL",
        _ => "sent_at IS NULL AND dead_at IS NULL",
    };
    let rows = sqlx::query(&format!(
        "SELECT {QUEUED_COLS} FROM outbox WHERE {cond} ORDER BY at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(queued)
        .collect::<std::result::Result<_, _>>()?)
}

/// Puts a dead message back in the queue (an operator's retry after fixing the cause).
pub async fn requeue(store: &Store, id: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1 WHERE id = $2 \
         AND dead_at IS NOT NULL AND sent_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(store.writer())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Messages to `recipient` for `rule` queued at or after `since` (sent or not): the support
/// desk's automatic replies are limited per sender with it.
pub async fn sent_or_queued_since(
    store: &Store,
    recipient: &str,
    rule: &str,
    since: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM outbox WHERE recipient = $1 AND rule = $2 AND at >= $3",
    )
    .bind(recipient)
    .bind(rule)
    .bind(since)
    .fetch_one(store.reader())
    .await?;
    Ok(row.try_get("n")?)
}
