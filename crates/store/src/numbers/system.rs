//! System-wide reads of numbers, without a tenant scope. Callers: the real-time guard and CDR
//! intake (a calling number by its digits), the sweeps and timers (quarantine over, document
//! deadlines, port-out dates), checks that a number or an open port-in exists anywhere
//! (a number exists once across all tenants), and the facts a use case gathers about a number
//! it already holds (fetched in the caller's scope, or by a sweep). No caller's scope applies:
//! these run for the system, not for an API caller; a row read here is never returned to a
//! caller without a scoped read.

use super::documents::{doc_request, DOC_REQ_COLS};
use super::number::{number, NUMBER_COLS, NUMBER_FROM};
use super::port_out::{port_out, PORT_OUT_COLS};
use super::*;

/// A number by its E.164 digits, unscoped (the real-time guard's lookup).
pub async fn find_by_e164(store: &Store, digits: &str) -> Result<Option<NumberRow>> {
    let r = sqlx::query(&format!(
        "SELECT {NUMBER_COLS} FROM {NUMBER_FROM} WHERE n.e164 = $1"
    ))
    .bind(digits)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(number).transpose()?)
}

/// Numbers with one of `digits` (unscoped; port-in checks).
pub async fn numbers_by_e164(store: &Store, digits: &[String]) -> Result<Vec<NumberRow>> {
    let mut out = Vec::new();
    for d in digits {
        if let Some(n) = find_by_e164(store, d).await? {
            out.push(n);
        }
    }
    Ok(out)
}

/// Numbers in `state` whose `col` time is at or before `now` (sweeps).
async fn due(store: &Store, state: &str, col: &str, now: i64) -> Result<Vec<NumberRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {NUMBER_COLS} FROM {NUMBER_FROM} WHERE n.state = $1 AND n.{col} IS NOT NULL AND n.{col} <= $2 ORDER BY n.id"
    ))
    .bind(state)
    .bind(now)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(number).collect::<Result<_, _>>()?)
}

/// T9: numbers whose quarantine is over at `now`.
pub async fn quarantine_over(store: &Store, now: i64) -> Result<Vec<NumberRow>> {
    due(store, "quarantine", "quarantine_until", now).await
}

/// The E.164 digits of the active numbers of a billing account.
pub async fn active_numbers_of_account(
    store: &Store,
    billing_account_id: &str,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT e164 FROM numbers WHERE billing_account_id = $1 AND state = 'active' ORDER BY e164",
    )
    .bind(billing_account_id)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("e164"))
        .collect::<Result<_, _>>()?)
}

/// Ids of port-ins submitted and not final (submitted, pending, scheduled) that carry `digits`.
/// System-wide (the T7 portability check): the submitted, open port-ins that hold a number.
/// A draft holds nothing (issue 11 #1): only a submitted request may block another.
pub async fn open_port_ins_with(store: &Store, digits: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT p.id FROM port_ins p JOIN port_in_numbers x ON x.port_in_id = p.id \
         WHERE x.e164 = $1 AND p.state IN ('submitted', 'pending', 'scheduled') ORDER BY p.id",
    )
    .bind(digits)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?)
}

/// Open requests whose deadline passed before `now`.
pub async fn overdue_doc_requests(store: &Store, now: i64) -> Result<Vec<DocRequestRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {DOC_REQ_COLS} FROM document_requests WHERE state = 'open' AND deadline < $1 ORDER BY deadline, id"
    ))
    .bind(now)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(doc_request).collect::<Result<_, _>>()?)
}

/// Ids of missed document requests with the `suspend` policy that list `digits` among the
/// numbers they affect (a number stays suspended while any of them is outstanding, B11).
pub async fn missed_requests_affecting(store: &Store, digits: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id FROM document_requests WHERE state = 'missed' AND on_miss = 'suspend' \
         AND (',' || affected || ',') LIKE ('%,' || $1 || ',%') ORDER BY id",
    )
    .bind(digits)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Pending port-outs whose port date is at or before `now`.
pub async fn due_port_outs(store: &Store, now: i64) -> Result<Vec<PortOutRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {PORT_OUT_COLS} FROM port_outs WHERE state = 'pending' AND port_date <= $1 ORDER BY port_date, id"
    ))
    .bind(now)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(port_out).collect::<Result<_, _>>()?)
}

/// Every address of a number (facts of a number the use case holds).
pub async fn addresses_of(store: &Store, number_id: &str) -> Result<Vec<AddressRow>> {
    super::addresses_of(store, ScopeFilter::system(), number_id).await
}

/// A customer's acknowledgements (facts of a number the use case holds).
pub async fn acks_of(store: &Store, customer_id: &str) -> Result<Vec<AckRow>> {
    super::acks_of(store, ScopeFilter::system(), customer_id).await
}

/// The customer's emergency contact (the guard's emergency-call notice).
pub async fn contact_of(store: &Store, customer_id: &str) -> Result<Option<ContactRow>> {
    super::contact_of(store, ScopeFilter::system(), customer_id).await
}

/// Documents of a port-in or a number (facts of a number the use case holds).
pub async fn documents_of(
    store: &Store,
    port_in_id: Option<&str>,
    number_id: Option<&str>,
) -> Result<Vec<DocumentRow>> {
    super::documents_of(store, ScopeFilter::system(), port_in_id, number_id).await
}

/// The pending port-out of a number (facts of a number the use case holds, sweeps).
pub async fn pending_port_out(store: &Store, number_id: &str) -> Result<Option<PortOutRow>> {
    super::pending_port_out(store, ScopeFilter::system(), number_id).await
}

/// A number by id or digits, for re-reading a number the use case has just written.
pub async fn get_number(store: &Store, id_or_digits: &str) -> Result<NumberRow> {
    super::get_number(store, ScopeFilter::system(), id_or_digits, true).await
}
