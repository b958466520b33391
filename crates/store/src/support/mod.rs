//! Support desk storage (issue 16): tickets, their messages, holidays per support region, the
//! knowledge base. Scoped reads take the caller's scope; writes are the use cases', which
//! checked the caller first.

use sqlx::Row;

use crate::row_macro::table_row;
use crate::{Arg, Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

pub mod system;

table_row! {
    pub struct TicketRow in "tickets" {
        id: String,
        /// `TKT-000123`: what e-mail subjects carry.
        reference: String,
        /// The secret e-mail follow-ups carry with the reference (`[TKT-000123:<key>]`).
        mail_key: String,
        partner_id: Option<String>,
        customer_id: Option<String>,
        opened_by: String,
        /// `portal`, `api` or `noc` (H5: never `email`).
        channel: String,
        kind: String,
        topic: Option<String>,
        issue: Option<String>,
        subject: String,
        device: Option<String>,
        versions: Option<String>,
        trace_numbers: Option<String>,
        trace_at: Option<i64>,
        cos: String,
        cos_proposed: String,
        state: String,
        /// `americas` or `emea` (H3).
        region: String,
        created_at: i64,
        response_due_at: i64,
        extended_service: i64,
        review_due_at: Option<i64>,
        first_response_at: Option<i64>,
        /// H12: the partner's first action on a ticket about its customer.
        partner_response_at: Option<i64>,
        assignee: Option<String>,
        /// H9: the closed ticket this one continues.
        previous_ticket_id: Option<String>,
        /// S4: the guard incident that opened it.
        incident_id: Option<String>,
        /// H12: when the provider contacted the partner's end customer directly.
        customer_contacted_at: Option<i64>,
        closed_at: Option<i64>,
        rating: Option<i64>,
        feedback: Option<String>,
        updated_at: i64,
    }
}

table_row! {
    pub struct TicketMessageRow in "ticket_messages" {
        id: String,
        ticket_id: String,
        at: i64,
        author: String,
        channel: String,
        internal: i64,
        body: String,
    }
}

table_row! {
    pub struct ArticleRow in "kb_articles" {
        id: String,
        slug: String,
        title: String,
        topic: String,
        /// Comma separated.
        tags: String,
        body: String,
        updated_at: i64,
    }
}

/// Filters of a ticket listing.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub state: Option<String>,
    /// Only tickets whose first response is overdue at this time.
    pub breached_at: Option<i64>,
    /// Only tickets created in `[from, to)`.
    pub created: Option<(i64, i64)>,
}

/// The next ticket reference, inside the creating transaction.
pub async fn next_reference(tx: &mut Tx) -> Result<String> {
    let row = sqlx::query("UPDATE ticket_seq SET last = last + 1 WHERE id = 1 RETURNING last")
        .fetch_one(&mut **tx)
        .await?;
    let n: i64 = row.try_get("last")?;
    Ok(format!("TKT-{n:06}"))
}

/// Tickets in scope, oldest first (keyset pages by id).
pub async fn list_tickets(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &TicketFilter,
    page: &Page,
) -> Result<Vec<TicketRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM tickets t", TicketRow::cols("t")));
    q.filter("t.state", "=", f.state.clone().map(Arg::Text))
        .clause(|sql, args| {
            push_breached(f, sql, args);
            if let Some((from, to)) = f.created {
                args.push(Arg::Int(from));
                sql.push_str(&format!(" AND t.created_at >= ${}", args.len()));
                args.push(Arg::Int(to));
                sql.push_str(&format!(" AND t.created_at < ${}", args.len()));
            }
            scope.push(sql, args, "t.customer_id", "t.partner_id")
        })
        .page("t.id", page);
    q.fetch(store.reader(), TicketRow::from_row).await
}

/// `AND` the first response is overdue at the filter's `breached_at`, when it has one.
fn push_breached(f: &TicketFilter, sql: &mut String, args: &mut Vec<Arg>) {
    if let Some(at) = f.breached_at {
        args.push(Arg::Int(at));
        sql.push_str(&format!(
            " AND t.first_response_at IS NULL AND t.response_due_at < ${}",
            args.len()
        ));
    }
}

/// A column a ticket list can be sorted by (each an integer, with the id breaking ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketSort {
    Opened,
    ResponseDue,
}

impl TicketSort {
    pub fn parse(s: &str) -> Option<TicketSort> {
        match s {
            "opened" => Some(TicketSort::Opened),
            "due" => Some(TicketSort::ResponseDue),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TicketSort::Opened => "opened",
            TicketSort::ResponseDue => "due",
        }
    }

    /// The sort column's value of a row (what a cursor carries).
    pub fn value(self, t: &TicketRow) -> i64 {
        match self {
            TicketSort::Opened => t.created_at,
            TicketSort::ResponseDue => t.response_due_at,
        }
    }
}

/// Tickets in scope sorted by `sort` (then id), ascending or descending, after the row
/// `(value, id)` of the previous page (keyset paging on the sort column).
pub async fn list_tickets_sorted(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &TicketFilter,
    p: &crate::SortedPage<'_, TicketSort>,
) -> Result<Vec<TicketRow>> {
    let col = match p.sort {
        TicketSort::Opened => "t.created_at",
        TicketSort::ResponseDue => "t.response_due_at",
    };
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM tickets t", TicketRow::cols("t")));
    q.filter("t.state", "=", f.state.clone().map(Arg::Text))
        .clause(|sql, args| {
            push_breached(f, sql, args);
            scope.push(sql, args, "t.customer_id", "t.partner_id");
            crate::push_sorted(sql, args, col, "t.id", p);
        });
    q.fetch(store.reader(), TicketRow::from_row).await
}

/// How many tickets in scope match `f`; `open_only`: not closed.
pub async fn count_tickets(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &TicketFilter,
    open_only: bool,
) -> Result<i64> {
    let mut q = ScopedQuery::new("SELECT COUNT(*) AS n FROM tickets t");
    q.filter("t.state", "=", f.state.clone().map(Arg::Text))
        .clause(|sql, args| {
            if open_only {
                sql.push_str(" AND t.closed_at IS NULL");
            }
            push_breached(f, sql, args);
            scope.push(sql, args, "t.customer_id", "t.partner_id")
        });
    Ok(
        q.fetch(store.reader(), |r| sqlx::Row::try_get::<i64, _>(r, "n"))
            .await?
            .pop()
            .unwrap_or(0),
    )
}

/// One ticket in scope.
pub async fn get_ticket(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<TicketRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM tickets t", TicketRow::cols("t")));
    q.filter("t.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| scope.push(sql, args, "t.customer_id", "t.partner_id"));
    Ok(q.fetch(store.reader(), TicketRow::from_row).await?.pop())
}

/// The ticket a guard incident opened, if any (S4: one ticket per incident).
pub async fn ticket_of_incident(tx: &mut Tx, incident: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT id FROM tickets WHERE incident_id = $1")
        .bind(incident)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Locks and reads a ticket for an update, inside the transaction.
pub async fn ticket_for_update(tx: &mut Tx, id: &str) -> Result<Option<TicketRow>> {
    // Touching the row first takes its write lock on PostgreSQL (SQLite: the one writer).
    sqlx::query("UPDATE tickets SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query(&format!(
        "SELECT {} FROM tickets WHERE id = $1",
        TicketRow::cols("")
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(TicketRow::from_row).transpose()?)
}

/// Writes a ticket's mutable fields back.
pub async fn update_ticket(tx: &mut Tx, t: &TicketRow) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET cos = $1, state = $2, response_due_at = $3, extended_service = $4, \
         first_response_at = $5, assignee = $6, customer_contacted_at = $7, closed_at = $8, \
         rating = $9, feedback = $10, updated_at = $11, partner_response_at = $12 WHERE id = $13",
    )
    .bind(&t.cos)
    .bind(&t.state)
    .bind(t.response_due_at)
    .bind(t.extended_service)
    .bind(t.first_response_at)
    .bind(&t.assignee)
    .bind(t.customer_contacted_at)
    .bind(t.closed_at)
    .bind(t.rating)
    .bind(&t.feedback)
    .bind(t.updated_at)
    .bind(t.partner_response_at)
    .bind(&t.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets a holiday of a support region (the day at 00:00 UTC), replacing its name.
pub async fn put_holiday(tx: &mut Tx, region: &str, day: i64, name: &str) -> Result<()> {
    sqlx::query("DELETE FROM support_holidays WHERE region = $1 AND day = $2")
        .bind(region)
        .bind(day)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO support_holidays (region, day, name) VALUES ($1, $2, $3)")
        .bind(region)
        .bind(day)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets a partner's support region; false when there is no such partner.
pub async fn set_partner_region(tx: &mut Tx, partner: &str, region: &str) -> Result<bool> {
    let r = sqlx::query("UPDATE partners SET support_region = $1 WHERE id = $2")
        .bind(region)
        .bind(partner)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Inserts or replaces an article by slug.
pub async fn upsert_article(tx: &mut Tx, a: &ArticleRow) -> Result<()> {
    sqlx::query("DELETE FROM kb_articles WHERE slug = $1")
        .bind(&a.slug)
        .execute(&mut **tx)
        .await?;
    a.insert(tx).await
}

table_row! {
    pub struct AttachmentRow in "ticket_attachments" {
        id: String,
        ticket_id: String,
        filename: String,
        content_type: String,
        size_bytes: i64,
        sha256: String,
        content_base64: String,
        uploaded_by: String,
        uploaded_at: i64,
    }
}

/// Records an inbound message as threaded; false when its Message-ID was already recorded.
pub async fn record_inbound_mail(
    tx: &mut Tx,
    message_id: &str,
    ticket: &str,
    at: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO inbound_mail (message_id, ticket_id, at) VALUES ($1, $2, $3) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(message_id)
    .bind(ticket)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}
