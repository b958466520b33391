//! Port-outs (T6, T8).

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortOutRow {
    pub id: String,
    pub number_id: String,
    pub e164: String,
    pub gaining_provider: String,
    pub authorisation_ref: String,
    pub port_date: i64,
    /// `pending`, `completed`, `cancelled`.
    pub state: String,
    pub previous_state: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub resolved_at: Option<i64>,
}

pub(super) const PORT_OUT_COLS: &str =
    "id, number_id, e164, gaining_provider, authorisation_ref, port_date, state, previous_state, \
    requested_by, requested_at, resolved_at";

pub(super) fn port_out(r: &AnyRow) -> Result<PortOutRow, sqlx::Error> {
    Ok(PortOutRow {
        id: r.try_get("id")?,
        number_id: r.try_get("number_id")?,
        e164: r.try_get("e164")?,
        gaining_provider: r.try_get("gaining_provider")?,
        authorisation_ref: r.try_get("authorisation_ref")?,
        port_date: r.try_get("port_date")?,
        state: r.try_get("state")?,
        previous_state: r.try_get("previous_state")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        resolved_at: r.try_get("resolved_at")?,
    })
}

pub async fn insert_port_out(tx: &mut Tx, p: &PortOutRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO port_outs ({PORT_OUT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&p.id)
    .bind(&p.number_id)
    .bind(&p.e164)
    .bind(&p.gaining_provider)
    .bind(&p.authorisation_ref)
    .bind(p.port_date)
    .bind(&p.state)
    .bind(&p.previous_state)
    .bind(&p.requested_by)
    .bind(p.requested_at)
    .bind(p.resolved_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn resolve_port_out(tx: &mut Tx, id: &str, state: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE port_outs SET state = $1, resolved_at = $2 WHERE id = $3 AND state = 'pending'",
    )
    .bind(state)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The pending port-out of a number.
/// The pending port-out of a number in `scope`, if any.
pub async fn pending_port_out(
    store: &Store,
    scope: ScopeFilter<'_>,
    number_id: &str,
) -> Result<Option<PortOutRow>> {
    let mut sql =
        format!("SELECT {PORT_OUT_COLS} FROM port_outs WHERE number_id = $1 AND state = 'pending'");
    let mut args = vec![Arg::Text(number_id.to_string())];
    push_number_in_scope(&mut sql, &mut args, scope, "number_id");
    sql.push_str(" ORDER BY requested_at DESC, id DESC LIMIT 1");
    Ok(fetch_dynamic(store.reader(), &sql, args, port_out)
        .await?
        .pop())
}
