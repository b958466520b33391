//! Documents, document requests (B11) and non-responsive flags.

use super::*;

/// A stored document (content as base64 text). Lists leave `content_base64` empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: String,
    pub port_in_id: Option<String>,
    pub number_id: Option<String>,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub content_base64: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

pub async fn insert_document(tx: &mut Tx, d: &DocumentRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO number_documents (id, port_in_id, number_id, kind, filename, content_type, size_bytes, sha256, \
         content_base64, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&d.id)
    .bind(&d.port_in_id)
    .bind(&d.number_id)
    .bind(&d.kind)
    .bind(&d.filename)
    .bind(&d.content_type)
    .bind(d.size_bytes)
    .bind(&d.sha256)
    .bind(&d.content_base64)
    .bind(&d.uploaded_by)
    .bind(d.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Documents of a port-in (`subject_col = port_in_id`) or a number (`number_id`), without
/// their content.
pub async fn documents_of(
    store: &Store,
    scope: ScopeFilter<'_>,
    port_in_id: Option<&str>,
    number_id: Option<&str>,
) -> Result<Vec<DocumentRow>> {
    let (col, id) = match (port_in_id, number_id) {
        (Some(p), _) => ("port_in_id", p),
        (None, Some(n)) => ("number_id", n),
        (None, None) => return Ok(Vec::new()),
    };
    let mut sql = format!(
        "SELECT id, port_in_id, number_id, kind, filename, content_type, size_bytes, sha256, uploaded_by, uploaded_at \
         FROM number_documents WHERE {col} = $1"
    );
    let mut args = vec![Arg::Text(id.to_string())];
    push_subject_in_scope(&mut sql, &mut args, scope, col);
    sql.push_str(" ORDER BY uploaded_at, id");
    fetch_dynamic(store.reader(), &sql, args, |r| {
        Ok(DocumentRow {
            id: r.try_get("id")?,
            port_in_id: opt_text(r, "port_in_id")?,
            number_id: opt_text(r, "number_id")?,
            kind: r.try_get("kind")?,
            filename: r.try_get("filename")?,
            content_type: r.try_get("content_type")?,
            size_bytes: r.try_get("size_bytes")?,
            sha256: r.try_get("sha256")?,
            content_base64: String::new(),
            uploaded_by: r.try_get("uploaded_by")?,
            uploaded_at: r.try_get("uploaded_at")?,
        })
    })
    .await
}

/// `AND <col> IN (...)`: the port-in (`col = port_in_id`) or number (`number_id`) is in scope.
fn push_subject_in_scope(sql: &mut String, args: &mut Vec<Arg>, scope: ScopeFilter<'_>, col: &str) {
    if col == "port_in_id" {
        push_port_in_in_scope(sql, args, scope, col);
    } else {
        push_number_in_scope(sql, args, scope, col);
    }
}

/// A request for documents with a deadline (B11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRequestRow {
    pub id: String,
    pub port_in_id: Option<String>,
    pub number_id: Option<String>,
    pub customer_id: String,
    pub partner_id: Option<String>,
    pub kind: String,
    pub deadline: i64,
    /// `suspend` or `flag_only`.
    pub on_miss: String,
    /// E.164 digits of the numbers suspended if the deadline is missed (comma separated).
    pub affected: String,
    /// `open`, `fulfilled`, `missed`, `fulfilled_late`, `cancelled`.
    pub state: String,
    pub note: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub resolved_at: Option<i64>,
}

pub(super) const DOC_REQ_COLS: &str = "id, port_in_id, number_id, customer_id, partner_id, kind, deadline, on_miss, affected, state, \
    note, requested_by, requested_at, resolved_at";

pub(super) fn doc_request(r: &AnyRow) -> Result<DocRequestRow, sqlx::Error> {
    Ok(DocRequestRow {
        id: r.try_get("id")?,
        port_in_id: opt_text(r, "port_in_id")?,
        number_id: opt_text(r, "number_id")?,
        customer_id: r.try_get("customer_id")?,
        partner_id: opt_text(r, "partner_id")?,
        kind: r.try_get("kind")?,
        deadline: r.try_get("deadline")?,
        on_miss: r.try_get("on_miss")?,
        affected: r.try_get("affected")?,
        state: r.try_get("state")?,
        note: r.try_get("note")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        resolved_at: r.try_get("resolved_at")?,
    })
}

pub async fn insert_doc_request(tx: &mut Tx, d: &DocRequestRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO document_requests ({DOC_REQ_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))
    .bind(&d.id)
    .bind(&d.port_in_id)
    .bind(&d.number_id)
    .bind(&d.customer_id)
    .bind(&d.partner_id)
    .bind(&d.kind)
    .bind(d.deadline)
    .bind(&d.on_miss)
    .bind(&d.affected)
    .bind(&d.state)
    .bind(&d.note)
    .bind(&d.requested_by)
    .bind(d.requested_at)
    .bind(d.resolved_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a request from `expected` to `state` (`Conflict` if it moved meanwhile).
pub async fn resolve_doc_request(
    tx: &mut Tx,
    id: &str,
    expected: &str,
    state: &str,
    at: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE document_requests SET state = $1, resolved_at = $2 WHERE id = $3 AND state = $4",
    )
    .bind(state)
    .bind(at)
    .bind(id)
    .bind(expected)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "document request {id} is no longer {expected}"
        )));
    }
    Ok(())
}

/// Requests of a port-in or a number, oldest first.
pub async fn doc_requests_of(
    store: &Store,
    scope: ScopeFilter<'_>,
    port_in_id: Option<&str>,
    number_id: Option<&str>,
) -> Result<Vec<DocRequestRow>> {
    let (col, id) = match (port_in_id, number_id) {
        (Some(p), _) => ("port_in_id", p),
        (None, Some(n)) => ("number_id", n),
        (None, None) => return Ok(Vec::new()),
    };
    let mut sql = format!("SELECT {DOC_REQ_COLS} FROM document_requests WHERE {col} = $1");
    let mut args = vec![Arg::Text(id.to_string())];
    push_subject_in_scope(&mut sql, &mut args, scope, col);
    sql.push_str(" ORDER BY requested_at, id");
    fetch_dynamic(store.reader(), &sql, args, doc_request).await
}

/// A partner flagged non-responsive (B11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    pub id: String,
    pub partner_id: String,
    pub document_request_id: String,
    pub raised_at: i64,
    pub cleared_at: Option<i64>,
}

pub async fn insert_flag(tx: &mut Tx, f: &FlagRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO partner_nonresponsive_flags (id, partner_id, document_request_id, raised_at, cleared_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&f.id)
    .bind(&f.partner_id)
    .bind(&f.document_request_id)
    .bind(f.raised_at)
    .bind(f.cleared_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Clears the flag raised for a request (its documents arrived).
pub async fn clear_flags_for(tx: &mut Tx, document_request_id: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE partner_nonresponsive_flags SET cleared_at = $1 WHERE document_request_id = $2 AND cleared_at IS NULL",
    )
    .bind(at)
    .bind(document_request_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A partner's flags not cleared.
/// Open flags of a partner `scope` sees (a customer: its own partner's), oldest first.
pub async fn open_flags(
    store: &Store,
    scope: ScopeFilter<'_>,
    partner_id: &str,
) -> Result<Vec<FlagRow>> {
    let mut sql = String::from(
        "SELECT id, partner_id, document_request_id, raised_at, cleared_at FROM partner_nonresponsive_flags \
         WHERE partner_id = $1 AND cleared_at IS NULL",
    );
    let mut args = vec![Arg::Text(partner_id.to_string())];
    scope.push_partner(&mut sql, &mut args, "partner_id");
    sql.push_str(" ORDER BY raised_at, id");
    fetch_dynamic(store.reader(), &sql, args, |r| {
        Ok(FlagRow {
            id: r.try_get("id")?,
            partner_id: r.try_get("partner_id")?,
            document_request_id: r.try_get("document_request_id")?,
            raised_at: r.try_get("raised_at")?,
            cleared_at: r.try_get("cleared_at")?,
        })
    })
    .await
}
