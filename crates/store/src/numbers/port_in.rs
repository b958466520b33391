//! Port-ins (T7) and the numbers they carry.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInRow {
    pub id: String,
    pub customer_id: String,
    pub billing_account_id: String,
    pub state: String,
    pub holder: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub region: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
    pub losing_provider: String,
    pub account_number: String,
    pub signatory: String,
    pub existing_service_active: bool,
    /// Firm order commitment date.
    pub foc_date: Option<i64>,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// E.164 digits of the numbers to port.
    pub numbers: Vec<String>,
    /// The owning customer's partner (from the join).
    pub partner_id: Option<String>,
}

const PORT_IN_COLS: &str = "p.id, p.customer_id, p.billing_account_id, p.state, p.holder, p.street, p.city, p.postcode, \
    p.country, p.region, p.floor, p.room, p.losing_provider, p.account_number, p.signatory, p.existing_service_active, \
    p.foc_date, p.reason, p.created_by, p.created_at, p.updated_at, c.partner_id";

fn port_in(r: &AnyRow) -> Result<PortInRow, sqlx::Error> {
    Ok(PortInRow {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        billing_account_id: r.try_get("billing_account_id")?,
        state: r.try_get("state")?,
        holder: r.try_get("holder")?,
        street: r.try_get("street")?,
        city: r.try_get("city")?,
        postcode: r.try_get("postcode")?,
        country: r.try_get("country")?,
        region: opt_text(r, "region")?,
        floor: opt_text(r, "floor")?,
        room: opt_text(r, "room")?,
        losing_provider: r.try_get("losing_provider")?,
        account_number: r.try_get("account_number")?,
        signatory: r.try_get("signatory")?,
        existing_service_active: r.try_get::<i64, _>("existing_service_active")? != 0,
        foc_date: r.try_get("foc_date")?,
        reason: opt_text(r, "reason")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        numbers: Vec::new(),
        partner_id: opt_text(r, "partner_id")?,
    })
}

pub async fn insert_port_in(tx: &mut Tx, p: &PortInRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO port_ins (id, customer_id, billing_account_id, state, holder, street, city, postcode, country, region, \
         floor, room, losing_provider, account_number, signatory, existing_service_active, foc_date, reason, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21)",
    )
    .bind(&p.id)
    .bind(&p.customer_id)
    .bind(&p.billing_account_id)
    .bind(&p.state)
    .bind(&p.holder)
    .bind(&p.street)
    .bind(&p.city)
    .bind(&p.postcode)
    .bind(&p.country)
    .bind(&p.region)
    .bind(&p.floor)
    .bind(&p.room)
    .bind(&p.losing_provider)
    .bind(&p.account_number)
    .bind(&p.signatory)
    .bind(i64::from(p.existing_service_active))
    .bind(p.foc_date)
    .bind(&p.reason)
    .bind(&p.created_by)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(&mut **tx)
    .await?;
    for n in &p.numbers {
        sqlx::query("INSERT INTO port_in_numbers (port_in_id, e164) VALUES ($1, $2)")
            .bind(&p.id)
            .bind(n)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes state, FOC date and reason, only if the stored state is still `expected_state`.
pub async fn update_port_in(tx: &mut Tx, p: &PortInRow, expected_state: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE port_ins SET state = $1, foc_date = $2, reason = $3, updated_at = $4 WHERE id = $5 AND state = $6",
    )
    .bind(&p.state)
    .bind(p.foc_date)
    .bind(&p.reason)
    .bind(p.updated_at)
    .bind(&p.id)
    .bind(expected_state)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "port-in {} is no longer {expected_state}",
            p.id
        )));
    }
    Ok(())
}

async fn with_numbers(store: &Store, mut p: PortInRow) -> Result<PortInRow> {
    let rows = sqlx::query("SELECT e164 FROM port_in_numbers WHERE port_in_id = $1 ORDER BY e164")
        .bind(&p.id)
        .fetch_all(store.reader())
        .await?;
    p.numbers = rows
        .iter()
        .map(|r| r.try_get("e164"))
        .collect::<Result<_, _>>()?;
    Ok(p)
}

pub async fn get_port_in(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<PortInRow> {
    let mut sql = format!(
        "SELECT {PORT_IN_COLS} FROM port_ins p JOIN customers c ON c.id = p.customer_id WHERE p.id = $1"
    );
    let mut args = vec![Arg::Text(id.to_string())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    let p = fetch_dynamic(store.reader(), &sql, args, port_in)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)?;
    with_numbers(store, p).await
}

pub async fn list_port_ins(
    store: &Store,
    scope: ScopeFilter<'_>,
    state: Option<&str>,
    page: &Page,
) -> Result<Vec<PortInRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {PORT_IN_COLS} FROM port_ins p JOIN customers c ON c.id = p.customer_id"
    ));
    q.filter("p.state", "=", state.map(|s| Arg::Text(s.to_string())))
        .scope(&scope, "c.id", "c.partner_id")
        .page("p.id", page);
    let rows = q.fetch(store.reader(), port_in).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        out.push(with_numbers(store, p).await?);
    }
    Ok(out)
}
