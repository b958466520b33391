//! The outbox: notifications written in the same transaction as the change that causes them.

use sqlx::Row;

use crate::{Result, Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: String,
    pub at: i64,
    /// `email` or `webhook`.
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// The rule that caused the notification.
    pub rule: String,
}

pub async fn enqueue(tx: &mut Tx, m: &OutboxRow) -> Result<()> {
    sqlx::query("INSERT INTO outbox (id, at, channel, recipient, subject, body, rule) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&m.id)
        .bind(m.at)
        .bind(&m.channel)
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.rule)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

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
