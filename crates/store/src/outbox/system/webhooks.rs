//! Webhook endpoints: the operator's receivers of every notification (issue 13 #8). No
//! tenant scope: endpoints are the operator's own (the use cases check the caller is the
//! operator); the outbox's fan-out and the delivery read them for every message.

use sqlx::Row;

use crate::{Result, Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    /// The HMAC-SHA256 key the deliveries are signed with.
    pub secret: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

fn endpoint(r: &sqlx::any::AnyRow) -> std::result::Result<WebhookEndpoint, sqlx::Error> {
    Ok(WebhookEndpoint {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        created_at: r.try_get("created_at")?,
        disabled_at: r.try_get("disabled_at")?,
    })
}

pub async fn insert(tx: &mut Tx, e: &WebhookEndpoint) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, secret, created_at, disabled_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(&e.id)
    .bind(&e.url)
    .bind(&e.secret)
    .bind(e.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Disables an endpoint: no more copies are queued for it, the ones queued fail as dead.
/// False when there is no such active endpoint.
pub async fn disable(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Ids of the active endpoints, inside the transaction that queues a message.
pub async fn active_ids(tx: &mut Tx) -> Result<Vec<String>> {
    let rows =
        sqlx::query("SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL ORDER BY id")
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?)
}

/// One endpoint, active or not.
pub async fn get(store: &Store, id: &str) -> Result<Option<WebhookEndpoint>> {
    let row = sqlx::query(
        "SELECT id, url, secret, created_at, disabled_at FROM webhook_endpoints WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.as_ref().map(endpoint).transpose()?)
}

/// Every endpoint, newest first, at most `limit`.
pub async fn list(store: &Store, limit: i64) -> Result<Vec<WebhookEndpoint>> {
    let rows = sqlx::query(
        "SELECT id, url, secret, created_at, disabled_at FROM webhook_endpoints ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(endpoint)
        .collect::<std::result::Result<_, _>>()?)
}
