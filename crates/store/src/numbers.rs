//! Phone numbers: inventory and state (T6-T10), the transitions log, emergency addresses,
//! acknowledgements and contacts (T13), port-ins with documents and document requests
//! (T7, B11), port-outs (T6, T8).
//!
//! Numbers belong to a customer (through it, to a partner); lists and gets are filtered by
//! [`ScopeFilter`] on the owning customer. Unassigned inventory (no customer) is visible to
//! the operator and, for reservation, to partners, never to customers.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{
    fetch_dynamic, opt_text, push_page, Arg, Page, Result, Scope, ScopeFilter, Store, StoreError,
    Tx,
};

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

const NUMBER_COLS: &str = "n.id, n.e164, n.country, n.number_type, n.capabilities, n.state, n.customer_id, \
    n.billing_account_id, n.reserved_at, n.provider_verified_at, n.provider_verified_by, n.customer_confirmed_at, \
    n.customer_confirmed_by, n.confirm_method, n.activated_at, n.quarantine_until, n.suspended_reason, \
    n.suspension_ref, n.cnam, n.no_trunking, n.routing, n.origin, n.created_at, n.updated_at, c.partner_id";

const NUMBER_FROM: &str = "numbers n LEFT JOIN customers c ON c.id = n.customer_id";

fn number(r: &AnyRow) -> Result<NumberRow, sqlx::Error> {
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

fn push_number_scope(sql: &mut String, args: &mut Vec<Arg>, scope: &Scope, unassigned: bool) {
    sql.push_str(" AND ((n.customer_id IS NOT NULL");
    ScopeFilter(scope).push(sql, args, "c.id", "c.partner_id");
    sql.push(')');
    if unassigned && !matches!(scope, Scope::Customer(_)) {
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
    push_number_scope(&mut sql, &mut args, scope.0, unassigned);
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
    let mut sql = format!("SELECT {NUMBER_COLS} FROM {NUMBER_FROM} WHERE 1 = 1");
    let mut args = Vec::new();
    for (col, v) in [
        ("n.state", &filter.state),
        ("n.customer_id", &filter.customer_id),
        ("n.billing_account_id", &filter.billing_account_id),
        ("n.country", &filter.country),
    ] {
        if let Some(v) = v {
            args.push(Arg::Text(v.clone()));
            sql.push_str(&format!(" AND {col} = ${}", args.len()));
        }
    }
    push_number_scope(&mut sql, &mut args, scope.0, true);
    push_page(&mut sql, &mut args, "n.id", page);
    fetch_dynamic(store.reader(), &sql, args, number).await
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

// --- transitions ---------------------------------------------------------------------------

/// One recorded transition of a number (`subject_type = number`) or a port-in (`port_in`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRow {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub e164: Option<String>,
    pub from_state: String,
    pub to_state: String,
    pub event: String,
    pub actor: String,
    pub at: i64,
    pub reason: String,
    pub rule: String,
    pub clause: String,
}

pub async fn insert_transition(tx: &mut Tx, t: &TransitionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO number_transitions (id, subject_type, subject_id, e164, from_state, to_state, event, actor, at, reason, rule, clause) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&t.id)
    .bind(&t.subject_type)
    .bind(&t.subject_id)
    .bind(&t.e164)
    .bind(&t.from_state)
    .bind(&t.to_state)
    .bind(&t.event)
    .bind(&t.actor)
    .bind(t.at)
    .bind(&t.reason)
    .bind(&t.rule)
    .bind(&t.clause)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Transitions of one subject, oldest first.
pub async fn transitions_of(store: &Store, subject_id: &str) -> Result<Vec<TransitionRow>> {
    let rows = sqlx::query(
        "SELECT id, subject_type, subject_id, e164, from_state, to_state, event, actor, at, reason, rule, clause \
         FROM number_transitions WHERE subject_id = $1 ORDER BY at, id",
    )
    .bind(subject_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TransitionRow {
                id: r.try_get("id")?,
                subject_type: r.try_get("subject_type")?,
                subject_id: r.try_get("subject_id")?,
                e164: opt_text(r, "e164")?,
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                event: r.try_get("event")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
                reason: r.try_get("reason")?,
                rule: r.try_get("rule")?,
                clause: r.try_get("clause")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// --- emergency (T13) -----------------------------------------------------------------------

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

/// Every address of a number (withdrawn ones too), oldest first.
pub async fn addresses_of(store: &Store, number_id: &str) -> Result<Vec<AddressRow>> {
    let rows = sqlx::query(
        "SELECT id, number_id, street, city, postcode, country, region, floor, room, registered_at, registered_by, \
         effective_at, withdrawn_at FROM number_emergency_addresses WHERE number_id = $1 ORDER BY registered_at, id",
    )
    .bind(number_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
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
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
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

/// A customer's acknowledgements, newest first.
pub async fn acks_of(store: &Store, customer_id: &str) -> Result<Vec<AckRow>> {
    let rows = sqlx::query(
        "SELECT id, customer_id, text_version, signer_name, acknowledged_by, acknowledged_at FROM emergency_acknowledgements \
         WHERE customer_id = $1 ORDER BY acknowledged_at DESC, id DESC",
    )
    .bind(customer_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AckRow {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                text_version: r.try_get("text_version")?,
                signer_name: r.try_get("signer_name")?,
                acknowledged_by: r.try_get("acknowledged_by")?,
                acknowledged_at: r.try_get("acknowledged_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
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

pub async fn contact_of(store: &Store, customer_id: &str) -> Result<Option<ContactRow>> {
    let r = sqlx::query(
        "SELECT customer_id, name, email, updated_by, updated_at FROM emergency_contacts WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_optional(store.reader())
    .await?;
    r.map(|r| {
        Ok(ContactRow {
            customer_id: r.try_get("customer_id")?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

// --- port-ins (T7) -------------------------------------------------------------------------

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
    let mut sql = format!(
        "SELECT {PORT_IN_COLS} FROM port_ins p JOIN customers c ON c.id = p.customer_id WHERE 1 = 1"
    );
    let mut args = Vec::new();
    if let Some(s) = state {
        args.push(Arg::Text(s.to_string()));
        sql.push_str(&format!(" AND p.state = ${}", args.len()));
    }
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    push_page(&mut sql, &mut args, "p.id", page);
    let rows = fetch_dynamic(store.reader(), &sql, args, port_in).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        out.push(with_numbers(store, p).await?);
    }
    Ok(out)
}

/// Ids of port-ins not final (draft, submitted, pending, scheduled) that carry `digits`.
pub async fn open_port_ins_with(store: &Store, digits: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT p.id FROM port_ins p JOIN port_in_numbers x ON x.port_in_id = p.id \
         WHERE x.e164 = $1 AND p.state IN ('draft', 'submitted', 'pending', 'scheduled') ORDER BY p.id",
    )
    .bind(digits)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?)
}

// --- documents and document requests (B11) -------------------------------------------------

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
    port_in_id: Option<&str>,
    number_id: Option<&str>,
) -> Result<Vec<DocumentRow>> {
    let (col, id) = match (port_in_id, number_id) {
        (Some(p), _) => ("port_in_id", p),
        (None, Some(n)) => ("number_id", n),
        (None, None) => return Ok(Vec::new()),
    };
    let rows = sqlx::query(&format!(
        "SELECT id, port_in_id, number_id, kind, filename, content_type, size_bytes, sha256, uploaded_by, uploaded_at \
         FROM number_documents WHERE {col} = $1 ORDER BY uploaded_at, id"
    ))
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
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
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
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

const DOC_REQ_COLS: &str = "id, port_in_id, number_id, customer_id, partner_id, kind, deadline, on_miss, affected, state, \
    note, requested_by, requested_at, resolved_at";

fn doc_request(r: &AnyRow) -> Result<DocRequestRow, sqlx::Error> {
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
    port_in_id: Option<&str>,
    number_id: Option<&str>,
) -> Result<Vec<DocRequestRow>> {
    let (col, id) = match (port_in_id, number_id) {
        (Some(p), _) => ("port_in_id", p),
        (None, Some(n)) => ("number_id", n),
        (None, None) => return Ok(Vec::new()),
    };
    let rows = sqlx::query(&format!(
        "SELECT {DOC_REQ_COLS} FROM document_requests WHERE {col} = $1 ORDER BY requested_at, id"
    ))
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(doc_request).collect::<Result<_, _>>()?)
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
pub async fn open_flags(store: &Store, partner_id: &str) -> Result<Vec<FlagRow>> {
    let rows = sqlx::query(
        "SELECT id, partner_id, document_request_id, raised_at, cleared_at FROM partner_nonresponsive_flags \
         WHERE partner_id = $1 AND cleared_at IS NULL ORDER BY raised_at, id",
    )
    .bind(partner_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FlagRow {
                id: r.try_get("id")?,
                partner_id: r.try_get("partner_id")?,
                document_request_id: r.try_get("document_request_id")?,
                raised_at: r.try_get("raised_at")?,
                cleared_at: r.try_get("cleared_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// --- port-outs (T6, T8) --------------------------------------------------------------------

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

const PORT_OUT_COLS: &str =
    "id, number_id, e164, gaining_provider, authorisation_ref, port_date, state, previous_state, \
    requested_by, requested_at, resolved_at";

fn port_out(r: &AnyRow) -> Result<PortOutRow, sqlx::Error> {
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
pub async fn pending_port_out(store: &Store, number_id: &str) -> Result<Option<PortOutRow>> {
    let r = sqlx::query(&format!(
        "SELECT {PORT_OUT_COLS} FROM port_outs WHERE number_id = $1 AND state = 'pending' ORDER BY requested_at DESC, id DESC LIMIT 1"
    ))
    .bind(number_id)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(port_out).transpose()?)
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
