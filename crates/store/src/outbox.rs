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

/// Queues a message, and one copy of it per active webhook endpoint (channel `webhook`, the
/// endpoint id as recipient, a JSON body), in the caller's transaction.
pub async fn enqueue(tx: &mut Tx, m: &OutboxRow) -> Result<()> {
    insert(tx, m).await?;
    if m.channel != "webhook" {
        for endpoint in system::webhooks::active_ids(tx).await? {
            let body = serde_json::json!({
                "id": m.id,
                "at": m.at,
                "channel": m.channel,
                "to": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "rule": m.rule,
            });
            let copy = OutboxRow {
                id: format!("{}.{endpoint}", m.id),
                channel: "webhook".into(),
                recipient: endpoint,
                body: body.to_string(),
                ..m.clone()
            };
            insert(tx, &copy).await?;
        }
    }
    Ok(())
}

async fn insert(tx: &mut Tx, m: &OutboxRow) -> Result<()> {
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
