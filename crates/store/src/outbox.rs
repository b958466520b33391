//! The outbox: notifications written in the same transaction as the change that causes them.

use sqlx::Row;

use crate::{Result, Store, Tx};

pub mod system;

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
