//! Messaging storage (issue 15): the message log and delivery queue, the consent ledger,
//! suppression lists, registrations, prices. Scoped reads take the caller's scope; the
//! admission cache, the delivery worker and inbound messages use [`system`].

use crate::row_macro::table_row;
use crate::{Arg, Page, Result, ScopeFilter, ScopedQuery, Store, Tx};

pub mod system;

table_row! {
    /// A message: the log entry (M7) and, while it is queued, the delivery queue's.
    pub struct MessageRow in "messages" {
        id: String,
        billing_account_id: String,
        customer_id: String,
        partner_id: Option<String>,
        direction: String,
        idempotency_key: Option<String>,
        sender: String,
        recipient: String,
        category: String,
        campaign: Option<String>,
        body: Option<String>,
        encoding: String,
        segments: i64,
        status: String,
        code: String,
        rule: Option<String>,
        clause: Option<String>,
        reason: String,
        state: String,
        send_at: Option<i64>,
        connector: Option<String>,
        smsc_id: Option<String>,
        attempts: i64,
        submitted_at: Option<i64>,
        done_at: Option<i64>,
        error: Option<String>,
        surcharge_micros: i64,
        keyword: Option<String>,
        review: Option<String>,
        created_by: String,
        created_at: i64,
        updated_at: i64,
        billed_month: Option<String>,
    }
}

table_row! {
    /// An event of the consent ledger (append-only).
    pub struct ConsentRow in "message_consents" {
        id: String,
        billing_account_id: String,
        customer_id: String,
        partner_id: Option<String>,
        recipient: String,
        action: String,
        method: String,
        text_shown: Option<String>,
        evidence: Option<String>,
        country: Option<String>,
        region: Option<String>,
        time_zone: Option<String>,
        at: i64,
        recorded_by: String,
        message_id: Option<String>,
    }
}

table_row! {
    /// An entry of a suppression list (`billing_account_id` NULL: the provider's list).
    pub struct SuppressionRow in "message_suppressions" {
        id: String,
        billing_account_id: Option<String>,
        customer_id: Option<String>,
        partner_id: Option<String>,
        recipient: String,
        reason: String,
        added_at: i64,
        added_by: String,
        removed_at: Option<i64>,
        removed_by: Option<String>,
    }
}

table_row! {
    /// A registration (M5) with its pass-through fees (B8).
    pub struct RegistrationRow in "message_registrations" {
        id: String,
        billing_account_id: String,
        customer_id: String,
        partner_id: Option<String>,
        kind: String,
        reference: String,
        brand_id: Option<String>,
        numbers: String,
        region: Option<String>,
        status: String,
        expires_at: Option<i64>,
        currency: String,
        fee_micros: i64,
        monthly_fee_micros: i64,
        surcharge_micros: i64,
        created_at: i64,
        updated_at: i64,
        billed_month: Option<String>,
    }
}

/// Filters of a message listing.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub billing_account: Option<String>,
    pub direction: Option<String>,
    pub state: Option<String>,
    pub recipient: Option<String>,
    /// Inbound messages waiting for a person's review.
    pub review_pending: bool,
    /// Created in `[from, to)`.
    pub created: Option<(i64, i64)>,
}

fn push_period(col: &str, period: Option<(i64, i64)>, sql: &mut String, args: &mut Vec<Arg>) {
    if let Some((from, to)) = period {
        args.push(Arg::Int(from));
        sql.push_str(&format!(" AND {col} >= ${}", args.len()));
        args.push(Arg::Int(to));
        sql.push_str(&format!(" AND {col} < ${}", args.len()));
    }
}

/// Messages in scope, by id (ids are time-ordered).
pub async fn list_messages(
    store: &Store,
    scope: ScopeFilter<'_>,
    f: &MessageFilter,
    page: &Page,
) -> Result<Vec<MessageRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM messages m", MessageRow::cols("m")));
    q.filter(
        "m.billing_account_id",
        "=",
        f.billing_account.clone().map(Arg::Text),
    )
    .filter("m.direction", "=", f.direction.clone().map(Arg::Text))
    .filter("m.state", "=", f.state.clone().map(Arg::Text))
    .filter("m.recipient", "=", f.recipient.clone().map(Arg::Text))
    .filter(
        "m.review",
        "=",
        f.review_pending.then(|| Arg::Text("pending".into())),
    )
    .clause(|sql, args| {
        push_period("m.created_at", f.created, sql, args);
        scope.push(sql, args, "m.customer_id", "m.partner_id")
    })
    .page("m.id", page);
    q.fetch(store.reader(), MessageRow::from_row).await
}

/// One message in scope.
pub async fn get_message(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<MessageRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {} FROM messages m", MessageRow::cols("m")));
    q.filter("m.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| scope.push(sql, args, "m.customer_id", "m.partner_id"));
    Ok(q.fetch(store.reader(), MessageRow::from_row).await?.pop())
}

/// Consent events in scope, of an account and a recipient when given, in a period.
pub async fn list_consents(
    store: &Store,
    scope: ScopeFilter<'_>,
    account: Option<&str>,
    recipient: Option<&str>,
    period: Option<(i64, i64)>,
    page: &Page,
) -> Result<Vec<ConsentRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM message_consents c",
        ConsentRow::cols("c")
    ));
    q.filter(
        "c.billing_account_id",
        "=",
        account.map(|a| Arg::Text(a.into())),
    )
    .filter("c.recipient", "=", recipient.map(|r| Arg::Text(r.into())))
    .clause(|sql, args| {
        push_period("c.at", period, sql, args);
        scope.push(sql, args, "c.customer_id", "c.partner_id")
    })
    .page("c.id", page);
    q.fetch(store.reader(), ConsentRow::from_row).await
}

/// Registrations in scope, of an account when given.
pub async fn list_registrations(
    store: &Store,
    scope: ScopeFilter<'_>,
    account: Option<&str>,
    page: &Page,
) -> Result<Vec<RegistrationRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM message_registrations r",
        RegistrationRow::cols("r")
    ));
    q.filter(
        "r.billing_account_id",
        "=",
        account.map(|a| Arg::Text(a.into())),
    )
    .clause(|sql, args| scope.push(sql, args, "r.customer_id", "r.partner_id"))
    .page("r.id", page);
    q.fetch(store.reader(), RegistrationRow::from_row).await
}

/// One registration in scope.
pub async fn get_registration(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<Option<RegistrationRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM message_registrations r",
        RegistrationRow::cols("r")
    ));
    q.filter("r.id", "=", Some(Arg::Text(id.into())))
        .clause(|sql, args| scope.push(sql, args, "r.customer_id", "r.partner_id"));
    Ok(q.fetch(store.reader(), RegistrationRow::from_row)
        .await?
        .pop())
}

/// Suppression entries in scope: the account's, and the provider's list for the operator.
pub async fn list_suppressions(
    store: &Store,
    scope: ScopeFilter<'_>,
    account: Option<&str>,
    page: &Page,
) -> Result<Vec<SuppressionRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM message_suppressions s",
        SuppressionRow::cols("s")
    ));
    q.filter(
        "s.billing_account_id",
        "=",
        account.map(|a| Arg::Text(a.into())),
    )
    .clause(|sql, args| {
        sql.push_str(" AND s.removed_at IS NULL");
        scope.push(sql, args, "s.customer_id", "s.partner_id")
    })
    .page("s.id", page);
    q.fetch(store.reader(), SuppressionRow::from_row).await
}

/// Rows of one multi-row `INSERT` at most (33 columns each: within SQLite's and PostgreSQL's
/// limits on bound parameters).
pub const INSERT_CHUNK: usize = 256;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_message<'q>(q: AnyQuery<'q>, m: &'q MessageRow) -> AnyQuery<'q> {
    q.bind(&m.id)
        .bind(&m.billing_account_id)
        .bind(&m.customer_id)
        .bind(&m.partner_id)
        .bind(&m.direction)
        .bind(&m.idempotency_key)
        .bind(&m.sender)
        .bind(&m.recipient)
        .bind(&m.category)
        .bind(&m.campaign)
        .bind(&m.body)
        .bind(&m.encoding)
        .bind(m.segments)
        .bind(&m.status)
        .bind(&m.code)
        .bind(&m.rule)
        .bind(&m.clause)
        .bind(&m.reason)
        .bind(&m.state)
        .bind(m.send_at)
        .bind(&m.connector)
        .bind(&m.smsc_id)
        .bind(m.attempts)
        .bind(m.submitted_at)
        .bind(m.done_at)
        .bind(&m.error)
        .bind(m.surcharge_micros)
        .bind(&m.keyword)
        .bind(&m.review)
        .bind(&m.created_by)
        .bind(m.created_at)
        .bind(m.updated_at)
        .bind(&m.billed_month)
}

/// Inserts messages in multi-row statements (one round trip per [`INSERT_CHUNK`] rows: what
/// lets the queue's group commit keep up), skipping any whose idempotency key is already used;
/// for each row whether it was stored. When a chunk stored fewer rows than it had (a key
/// taken), the stored ones are found by their ids (each id is new).
pub async fn insert_messages(tx: &mut Tx, rows: &[MessageRow]) -> Result<Vec<bool>> {
    let n = MessageRow::COLS.len();
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(INSERT_CHUNK) {
        let values = (0..chunk.len())
            .map(|r| {
                let marks: Vec<String> = (1..=n).map(|c| format!("${}", r * n + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO messages ({}) VALUES {values} ON CONFLICT DO NOTHING",
            MessageRow::cols("")
        );
        let mut q = sqlx::query(&sql);
        for m in chunk {
            q = bind_message(q, m);
        }
        let stored = q.execute(&mut **tx).await?.rows_affected() as usize;
        if stored == chunk.len() {
            out.extend(std::iter::repeat_n(true, chunk.len()));
            continue;
        }
        for m in chunk {
            let r = sqlx::query("SELECT 1 AS one FROM messages WHERE id = $1")
                .bind(&m.id)
                .fetch_optional(&mut **tx)
                .await?;
            out.push(r.is_some());
        }
    }
    Ok(out)
}

/// Sets a registration's status.
pub async fn set_registration_status(tx: &mut Tx, id: &str, status: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE message_registrations SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks an inbound message's review done.
pub async fn set_review(tx: &mut Tx, id: &str, review: &str, at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE messages SET review = $1, updated_at = $2 WHERE id = $3 AND review = 'pending'",
    )
    .bind(review)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes a suppression entry (kept, marked removed).
pub async fn remove_suppression(tx: &mut Tx, id: &str, by: &str, at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE message_suppressions SET removed_at = $1, removed_by = $2 WHERE id = $3 AND removed_at IS NULL",
    )
    .bind(at)
    .bind(by)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets an account's price per segment beyond the included SMS.
pub async fn put_price(tx: &mut Tx, account: &str, segment_micros: i64, at: i64) -> Result<()> {
    sqlx::query("DELETE FROM messaging_prices WHERE billing_account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO messaging_prices (billing_account_id, segment_micros, updated_at) VALUES ($1, $2, $3)",
    )
    .bind(account)
    .bind(segment_micros)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
