//! System reads of the support desk, without a tenant scope. Callers: the use cases after
//! they read the ticket in the caller's scope (its thread), inbound e-mail (a ticket named by
//! its reference, the sender then checked against the ticket's tenant), the support calendar
//! (holidays and a partner's region: the operator's data), the suggestion index (the
//! knowledge base is public to every signed-in user) and the NOC sweep (incidents of every
//! tenant).

use sqlx::Row;

use super::{ArticleRow, TicketMessageRow, TicketRow};
use crate::{Result, Store};

/// A ticket by its reference (inbound e-mail; the sender is checked against its tenant).
pub async fn ticket_by_reference(store: &Store, reference: &str) -> Result<Option<TicketRow>> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM tickets WHERE reference = $1",
        TicketRow::cols("")
    ))
    .bind(reference)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.as_ref().map(TicketRow::from_row).transpose()?)
}

/// A ticket's thread, oldest first; internal notes only when `internal` is true.
pub async fn messages(
    store: &Store,
    ticket: &str,
    internal: bool,
) -> Result<Vec<TicketMessageRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM ticket_messages WHERE ticket_id = $1 AND (internal = 0 OR $2 = 1) ORDER BY at, id",
        TicketMessageRow::cols("")
    ))
    .bind(ticket)
    .bind(i64::from(internal))
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(TicketMessageRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

/// The holidays of a support region (days at 00:00 UTC).
pub async fn holidays(store: &Store, region: &str) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT day, name FROM support_holidays WHERE region = $1 ORDER BY day")
        .bind(region)
        .fetch_all(store.reader())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("day")?, r.try_get("name")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

/// A partner's support region.
pub async fn partner_region(store: &Store, partner: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT support_region FROM partners WHERE id = $1")
        .bind(partner)
        .fetch_optional(store.reader())
        .await?;
    Ok(row.map(|r| r.try_get("support_region")).transpose()?)
}

/// Every article (the suggestion index is built from them in memory).
pub async fn all_articles(store: &Store) -> Result<Vec<ArticleRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM kb_articles ORDER BY slug",
        ArticleRow::cols("")
    ))
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(ArticleRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

/// Guard incidents about a customer since `since` that have no ticket yet (S4), oldest first.
pub async fn incidents_without_ticket(
    store: &Store,
    since: i64,
    limit: i64,
) -> Result<Vec<crate::guard::IncidentRow>> {
    let rows = sqlx::query(
        "SELECT i.* FROM incidents i \
         LEFT JOIN tickets t ON t.incident_id = i.id \
         WHERE t.id IS NULL AND i.customer_id IS NOT NULL AND i.at >= $1 ORDER BY i.at, i.id LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(crate::guard::incident_row)
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

/// A ticket's attachments, oldest first (the caller read the ticket in its scope first).
pub async fn attachments(store: &Store, ticket: &str) -> Result<Vec<super::AttachmentRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM ticket_attachments WHERE ticket_id = $1 ORDER BY uploaded_at, id",
        super::AttachmentRow::cols("")
    ))
    .bind(ticket)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(super::AttachmentRow::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

/// Whether an inbound message with this Message-ID was already threaded.
pub async fn inbound_mail_seen(store: &Store, message_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM inbound_mail WHERE message_id = $1")
        .bind(message_id)
        .fetch_optional(store.reader())
        .await?;
    Ok(row.is_some())
}
