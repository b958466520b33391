//! Numbers: the inventory and its state (T6-T10).

use super::*;

/// A number of the inventory. `e164` is digits without `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRow {
    pub id: String,
    pub e164: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// `geographic`, `mobile`, `toll_free`, `national`, `premium_rate`, `shared_cost`, `personal`.
    pub number_type: String,
    /// `voice,sms,fax` (sorted, comma separated).
    pub capabilities: String,
    /// `available`, `reserved`, `active`, `port_out_pending`, `ported_out`, `released`,
    /// `quarantine`, `suspended`.
    pub state: String,
    pub customer_id: Option<String>,
    pub billing_account_id: Option<String>,
    pub reserved_at: Option<i64>,
    pub provider_verified_at: Option<i64>,
    pub provider_verified_by: Option<String>,
    pub customer_confirmed_at: Option<i64>,
    pub customer_confirmed_by: Option<String>,
    pub confirm_method: Option<String>,
    /// B2: the Activation Date (technical activation or port completion); billing starts here.
    pub activated_at: Option<i64>,
    pub quarantine_until: Option<i64>,
    pub suspended_reason: Option<String>,
    /// What suspended the number (a document request id, or a free reference).
    pub suspension_ref: Option<String>,
    pub cnam: Option<String>,
    /// T14: the customer's terms forbid trunking.
    pub no_trunking: bool,
    pub routing: String,
    /// `inventory` or `port_in`.
    pub origin: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The owning customer's partner (read from the join; not stored on the number).
    pub partner_id: Option<String>,
}

pub(super) const NUMBER_COLS: &str = "n.id, n.e164, n.country, n.number_type, n.capabilities, n.state, n.customer_id, \
    n.billing_account_id, n.reserved_at, n.provider_verified_at, n.provider_verified_by, n.customer_confirmed_at, \
    n.customer_confirmed_by, n.confirm_method, n.activated_at, n.quarantine_until, n.suspended_reason, \
    n.suspension_ref, n.cnam, n.no_trunking, n.routing, n.origin, n.created_at, n.updated_at, c.partner_id";

pub(super) const NUMBER_FROM: &str = "numbers n LEFT JOIN customers c ON c.id = n.customer_id";

pub(super) fn number(r: &AnyRow) -> Result<NumberRow, sqlx::Error> {
    Ok(NumberRow {
        id: r.try_get("id")?,
        e164: r.try_get("e164")?,
        country: r.try_get("country")?,
        number_type: r.try_get("number_type")?,
        capabilities: r.try_get("capabilities")?,
        state: r.try_get("state")?,
        customer_id: opt_text(r, "customer_id")?,
        billing_account_id: opt_text(r, "billing_account_id")?,
        reserved_at: r.try_get("reserved_at")?,
        provider_verified_at: r.try_get("provider_verified_at")?,
        provider_verified_by: opt_text(r, "provider_verified_by")?,
        customer_confirmed_at: r.try_get("customer_confirmed_at")?,
        customer_confirmed_by: opt_text(r, "customer_confirmed_by")?,
        confirm_method: opt_text(r, "confirm_method")?,
        activated_at: r.try_get("activated_at")?,
        quarantine_until: r.try_get("quarantine_until")?,
        suspended_reason: opt_text(r, "suspended_reason")?,
        suspension_ref: opt_text(r, "suspension_ref")?,
        cnam: opt_text(r, "cnam")?,
        no_trunking: r.try_get::<i64, _>("no_trunking")? != 0,
        routing: r.try_get("routing")?,
        origin: r.try_get("origin")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        partner_id: opt_text(r, "partner_id")?,
    })
}

pub async fn insert_number(tx: &mut Tx, n: &NumberRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO numbers (id, e164, country, number_type, capabilities, state, customer_id, billing_account_id, \
         reserved_at, provider_verified_at, provider_verified_by, customer_confirmed_at, customer_confirmed_by, \
         confirm_method, activated_at, quarantine_until, suspended_reason, suspension_ref, cnam, no_trunking, routing, \
         origin, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24)",
    )
    .bind(&n.id)
    .bind(&n.e164)
    .bind(&n.country)
    .bind(&n.number_type)
    .bind(&n.capabilities)
    .bind(&n.state)
    .bind(&n.customer_id)
    .bind(&n.billing_account_id)
    .bind(n.reserved_at)
    .bind(n.provider_verified_at)
    .bind(&n.provider_verified_by)
    .bind(n.customer_confirmed_at)
    .bind(&n.customer_confirmed_by)
    .bind(&n.confirm_method)
    .bind(n.activated_at)
    .bind(n.quarantine_until)
    .bind(&n.suspended_reason)
    .bind(&n.suspension_ref)
    .bind(&n.cnam)
    .bind(i64::from(n.no_trunking))
    .bind(&n.routing)
    .bind(&n.origin)
    .bind(n.created_at)
    .bind(n.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes every mutable column of `n`, only if the stored state is still `expected_state`
/// (another writer changed it otherwise: `Conflict`).
pub async fn update_number(tx: &mut Tx, n: &NumberRow, expected_state: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE numbers SET state = $1, customer_id = $2, billing_account_id = $3, reserved_at = $4, \
         provider_verified_at = $5, provider_verified_by = $6, customer_confirmed_at = $7, customer_confirmed_by = $8, \
         confirm_method = $9, activated_at = $10, quarantine_until = $11, suspended_reason = $12, suspension_ref = $13, \
         cnam = $14, no_trunking = $15, routing = $16, capabilities = $17, updated_at = $18 WHERE id = $19 AND state = $20",
    )
    .bind(&n.state)
    .bind(&n.customer_id)
    .bind(&n.billing_account_id)
    .bind(n.reserved_at)
    .bind(n.provider_verified_at)
    .bind(&n.provider_verified_by)
    .bind(n.customer_confirmed_at)
    .bind(&n.customer_confirmed_by)
    .bind(&n.confirm_method)
    .bind(n.activated_at)
    .bind(n.quarantine_until)
    .bind(&n.suspended_reason)
    .bind(&n.suspension_ref)
    .bind(&n.cnam)
    .bind(i64::from(n.no_trunking))
    .bind(&n.routing)
    .bind(&n.capabilities)
    .bind(n.updated_at)
    .bind(&n.id)
    .bind(expected_state)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "number {} is no longer {expected_state}",
            n.e164
        )));
    }
    Ok(())
}

pub(super) fn push_number_scope(
    sql: &mut String,
    args: &mut Vec<Arg>,
    scope: ScopeFilter<'_>,
    unassigned: bool,
) {
    sql.push_str(" AND ((n.customer_id IS NOT NULL");
    scope.push(sql, args, "c.id", "c.partner_id");
    sql.push(')');
    if unassigned && !matches!(scope.scope(), Scope::Customer(_)) {
        sql.push_str(" OR n.customer_id IS NULL");
    }
    sql.push(')');
}

/// A number by id or E.164 digits, if in scope (`unassigned`: also inventory without a
/// customer, for the operator and partners); otherwise `NotFound`.
pub async fn get_number(
    store: &Store,
    scope: ScopeFilter<'_>,
    id_or_digits: &str,
    unassigned: bool,
) -> Result<NumberRow> {
    let mut sql =
        format!("SELECT {NUMBER_COLS} FROM {NUMBER_FROM} WHERE (n.id = $1 OR n.e164 = $1)");
    let mut args = vec![Arg::Text(id_or_digits.to_string())];
    push_number_scope(&mut sql, &mut args, scope, unassigned);
    fetch_dynamic(store.reader(), &sql, args, number)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Filters of the number list.
#[derive(Debug, Clone, Default)]
pub struct NumberFilter {
    pub state: Option<String>,
    pub customer_id: Option<String>,
    pub billing_account_id: Option<String>,
    pub country: Option<String>,
}

pub async fn list_numbers(
    store: &Store,
    scope: ScopeFilter<'_>,
    filter: &NumberFilter,
    page: &Page,
) -> Result<Vec<NumberRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {NUMBER_COLS} FROM {NUMBER_FROM}"));
    for (col, v) in [
        ("n.state", &filter.state),
        ("n.customer_id", &filter.customer_id),
        ("n.billing_account_id", &filter.billing_account_id),
        ("n.country", &filter.country),
    ] {
        q.filter(col, "=", v.clone().map(Arg::Text));
    }
    q.clause(|sql, args| push_number_scope(sql, args, scope, true))
        .page("n.id", page);
    q.fetch(store.reader(), number).await
}
