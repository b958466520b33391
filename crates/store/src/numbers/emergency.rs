//! Emergency (T13): addresses, acknowledgements and contacts.

use super::*;

/// A registered emergency service address of a number; history is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRow {
    pub id: String,
    pub number_id: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub region: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
    pub registered_at: i64,
    pub registered_by: String,
    /// When it applies (48 h after registration for a change of a number in service).
    pub effective_at: i64,
    /// Set when a later change replaced it before it applied.
    pub withdrawn_at: Option<i64>,
}

pub async fn insert_address(tx: &mut Tx, a: &AddressRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO number_emergency_addresses (id, number_id, street, city, postcode, country, region, floor, room, \
         registered_at, registered_by, effective_at, withdrawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&a.id)
    .bind(&a.number_id)
    .bind(&a.street)
    .bind(&a.city)
    .bind(&a.postcode)
    .bind(&a.country)
    .bind(&a.region)
    .bind(&a.floor)
    .bind(&a.room)
    .bind(a.registered_at)
    .bind(&a.registered_by)
    .bind(a.effective_at)
    .bind(a.withdrawn_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Withdraws the number's address changes not yet applied at `now` (a newer change wins).
pub async fn withdraw_pending_addresses(tx: &mut Tx, number_id: &str, now: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE number_emergency_addresses SET withdrawn_at = $1 WHERE number_id = $2 AND effective_at > $1 AND withdrawn_at IS NULL",
    )
    .bind(now)
    .bind(number_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Every address of a number in `scope` (withdrawn ones too), oldest first.
pub async fn addresses_of(
    store: &Store,
    scope: ScopeFilter<'_>,
    number_id: &str,
) -> Result<Vec<AddressRow>> {
    let mut sql = String::from(
        "SELECT id, number_id, street, city, postcode, country, region, floor, room, registered_at, registered_by, \
         effective_at, withdrawn_at FROM number_emergency_addresses WHERE number_id = $1",
    );
    let mut args = vec![Arg::Text(number_id.to_string())];
    push_number_in_scope(&mut sql, &mut args, scope, "number_id");
    sql.push_str(" ORDER BY registered_at, id");
    fetch_dynamic(store.reader(), &sql, args, |r| {
        Ok(AddressRow {
            id: r.try_get("id")?,
            number_id: r.try_get("number_id")?,
            street: r.try_get("street")?,
            city: r.try_get("city")?,
            postcode: r.try_get("postcode")?,
            country: r.try_get("country")?,
            region: opt_text(r, "region")?,
            floor: opt_text(r, "floor")?,
            room: opt_text(r, "room")?,
            registered_at: r.try_get("registered_at")?,
            registered_by: r.try_get("registered_by")?,
            effective_at: r.try_get("effective_at")?,
            withdrawn_at: r.try_get("withdrawn_at")?,
        })
    })
    .await
}

/// A customer's written acknowledgement of the emergency-call limitations (T13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckRow {
    pub id: String,
    pub customer_id: String,
    pub text_version: String,
    pub signer_name: String,
    /// The principal who recorded it (`user:<id>`).
    pub acknowledged_by: String,
    pub acknowledged_at: i64,
}

pub async fn insert_ack(tx: &mut Tx, a: &AckRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO emergency_acknowledgements (id, customer_id, text_version, signer_name, acknowledged_by, acknowledged_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&a.id)
    .bind(&a.customer_id)
    .bind(&a.text_version)
    .bind(&a.signer_name)
    .bind(&a.acknowledged_by)
    .bind(a.acknowledged_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A customer's acknowledgements (a customer in `scope`), newest first.
pub async fn acks_of(
    store: &Store,
    scope: ScopeFilter<'_>,
    customer_id: &str,
) -> Result<Vec<AckRow>> {
    let mut sql = String::from(
        "SELECT id, customer_id, text_version, signer_name, acknowledged_by, acknowledged_at FROM emergency_acknowledgements \
         WHERE customer_id = $1",
    );
    let mut args = vec![Arg::Text(customer_id.to_string())];
    push_customer_in_scope(&mut sql, &mut args, scope, "customer_id");
    sql.push_str(" ORDER BY acknowledged_at DESC, id DESC");
    fetch_dynamic(store.reader(), &sql, args, |r| {
        Ok(AckRow {
            id: r.try_get("id")?,
            customer_id: r.try_get("customer_id")?,
            text_version: r.try_get("text_version")?,
            signer_name: r.try_get("signer_name")?,
            acknowledged_by: r.try_get("acknowledged_by")?,
            acknowledged_at: r.try_get("acknowledged_at")?,
        })
    })
    .await
}

/// The customer's designated emergency contact (notified of every emergency call, T13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub updated_by: String,
    pub updated_at: i64,
}

pub async fn set_contact(tx: &mut Tx, c: &ContactRow) -> Result<()> {
    sqlx::query("DELETE FROM emergency_contacts WHERE customer_id = $1")
        .bind(&c.customer_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO emergency_contacts (customer_id, name, email, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&c.customer_id)
    .bind(&c.name)
    .bind(&c.email)
    .bind(&c.updated_by)
    .bind(c.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The emergency contact of a customer in `scope`.
pub async fn contact_of(
    store: &Store,
    scope: ScopeFilter<'_>,
    customer_id: &str,
) -> Result<Option<ContactRow>> {
    let mut sql = String::from(
        "SELECT customer_id, name, email, updated_by, updated_at FROM emergency_contacts WHERE customer_id = $1",
    );
    let mut args = vec![Arg::Text(customer_id.to_string())];
    push_customer_in_scope(&mut sql, &mut args, scope, "customer_id");
    Ok(fetch_dynamic(store.reader(), &sql, args, |r| {
        Ok(ContactRow {
            customer_id: r.try_get("customer_id")?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .await?
    .pop())
}
