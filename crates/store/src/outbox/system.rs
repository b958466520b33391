//! System-wide reads of the outbox, without a tenant scope. Callers: the delivery of queued
//! mail to its recipients and the tests that check what was queued. No API caller reads it.

use super::*;

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
