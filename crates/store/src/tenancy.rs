//! Operators, partners, customers, agreements and billing accounts.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{
    fetch_dynamic, opt_text, Arg, Page, Result, ScopeFilter, ScopedQuery, Store, StoreError, Tx,
};

pub mod system;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    pub id: String,
    pub operator_id: String,
    pub name: String,
    pub tier: String,
    pub assigned_partner_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: String,
    pub operator_id: String,
    pub partner_id: Option<String>,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRow {
    pub id: String,
    pub customer_id: String,
    /// `operator` or the issuing partner's id.
    pub issuer: String,
    pub profile_id: String,
    pub profile_version: i64,
    pub signed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingAccountRow {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub currency: String,
    pub rate_table: Option<String>,
    pub created_at: i64,
}

fn partner(r: &AnyRow) -> Result<PartnerRow, sqlx::Error> {
    Ok(PartnerRow {
        id: r.try_get("id")?,
        operator_id: r.try_get("operator_id")?,
        name: r.try_get("name")?,
        tier: r.try_get("tier")?,
        assigned_partner_id: opt_text(r, "assigned_partner_id")?,
        created_at: r.try_get("created_at")?,
    })
}

fn customer(r: &AnyRow) -> Result<CustomerRow, sqlx::Error> {
    Ok(CustomerRow {
        id: r.try_get("id")?,
        operator_id: r.try_get("operator_id")?,
        partner_id: opt_text(r, "partner_id")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
    })
}

fn agreement(r: &AnyRow) -> Result<AgreementRow, sqlx::Error> {
    Ok(AgreementRow {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        issuer: r.try_get("issuer")?,
        profile_id: r.try_get("profile_id")?,
        profile_version: r.try_get("profile_version")?,
        signed_at: r.try_get("signed_at")?,
    })
}

fn billing_account(r: &AnyRow) -> Result<BillingAccountRow, sqlx::Error> {
    Ok(BillingAccountRow {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        name: r.try_get("name")?,
        currency: r.try_get("currency")?,
        rate_table: opt_text(r, "rate_table")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert_operator(tx: &mut Tx, o: &OperatorRow) -> Result<()> {
    sqlx::query("INSERT INTO operators (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&o.id)
        .bind(&o.name)
        .bind(o.created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_partner(tx: &mut Tx, p: &PartnerRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO partners (id, operator_id, name, tier, assigned_partner_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&p.id)
    .bind(&p.operator_id)
    .bind(&p.name)
    .bind(&p.tier)
    .bind(&p.assigned_partner_id)
    .bind(p.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const PARTNER_COLS: &str = "id, operator_id, name, tier, assigned_partner_id, created_at";

/// A partner `scope` sees (customers see none); otherwise `NotFound`.
pub async fn get_partner(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<PartnerRow> {
    let mut sql = format!("SELECT {PARTNER_COLS} FROM partners WHERE id = $1");
    let mut args = vec![Arg::Text(id.to_string())];
    if let crate::Scope::Customer(_) = scope.scope() {
        sql.push_str(" AND 1 = 0");
    } else {
        scope.push(&mut sql, &mut args, "id", "id");
    }
    fetch_dynamic(store.reader(), &sql, args, partner)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Partners visible in `scope`. A partner principal sees itself and its resellers.
pub async fn list_partners(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<PartnerRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {PARTNER_COLS} FROM partners"));
    if let crate::Scope::Customer(_) = scope.scope() {
        q.none();
    } else {
        q.scope(&scope, "id", "id");
    }
    q.page("id", page);
    q.fetch(store.reader(), partner).await
}

pub async fn insert_customer(tx: &mut Tx, c: &CustomerRow) -> Result<()> {
    sqlx::query("INSERT INTO customers (id, operator_id, partner_id, name, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&c.id)
        .bind(&c.operator_id)
        .bind(&c.partner_id)
        .bind(&c.name)
        .bind(c.created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const CUSTOMER_COLS: &str = "id, operator_id, partner_id, name, created_at";

pub async fn list_customers(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<CustomerRow>> {
    let mut q = ScopedQuery::new(&format!("SELECT {CUSTOMER_COLS} FROM customers"));
    q.scope(&scope, "id", "partner_id").page("id", page);
    q.fetch(store.reader(), customer).await
}

/// A customer if it exists *and* is in scope; otherwise `NotFound` (no existence leak).
pub async fn get_customer(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<CustomerRow> {
    let mut sql = format!("SELECT {CUSTOMER_COLS} FROM customers WHERE id = $1");
    let mut args = vec![Arg::Text(id.to_string())];
    scope.push(&mut sql, &mut args, "id", "partner_id");
    fetch_dynamic(store.reader(), &sql, args, customer)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

pub async fn insert_agreement(tx: &mut Tx, a: &AgreementRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO agreements (id, customer_id, issuer, profile_id, profile_version, signed_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&a.id)
    .bind(&a.customer_id)
    .bind(&a.issuer)
    .bind(&a.profile_id)
    .bind(a.profile_version)
    .bind(a.signed_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The customer's agreement in force (the latest signed).
/// The agreement in force of a customer in `scope`.
pub async fn current_agreement(
    store: &Store,
    scope: ScopeFilter<'_>,
    customer_id: &str,
) -> Result<Option<AgreementRow>> {
    let mut sql = String::from(
        "SELECT a.id, a.customer_id, a.issuer, a.profile_id, a.profile_version, a.signed_at FROM agreements a \
         JOIN customers c ON c.id = a.customer_id WHERE a.customer_id = $1",
    );
    let mut args = vec![Arg::Text(customer_id.to_string())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    sql.push_str(" ORDER BY a.signed_at DESC, a.id DESC LIMIT 1");
    Ok(fetch_dynamic(store.reader(), &sql, args, agreement)
        .await?
        .pop())
}

pub async fn insert_billing_account(tx: &mut Tx, b: &BillingAccountRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO billing_accounts (id, customer_id, name, currency, rate_table, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&b.id)
    .bind(&b.customer_id)
    .bind(&b.name)
    .bind(&b.currency)
    .bind(&b.rate_table)
    .bind(b.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const BA_COLS: &str = "b.id, b.customer_id, b.name, b.currency, b.rate_table, b.created_at";

pub async fn list_billing_accounts(
    store: &Store,
    scope: ScopeFilter<'_>,
    customer_id: Option<&str>,
    page: &Page,
) -> Result<Vec<BillingAccountRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {BA_COLS} FROM billing_accounts b JOIN customers c ON c.id = b.customer_id"
    ));
    q.filter(
        "b.customer_id",
        "=",
        customer_id.map(|c| Arg::Text(c.to_string())),
    )
    .scope(&scope, "c.id", "c.partner_id")
    .page("b.id", page);
    q.fetch(store.reader(), billing_account).await
}

/// A billing account in scope, with its customer's owning partner.
pub async fn get_billing_account(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<BillingAccountRow> {
    let mut sql = format!("SELECT {BA_COLS} FROM billing_accounts b JOIN customers c ON c.id = b.customer_id WHERE b.id = $1");
    let mut args = vec![Arg::Text(id.to_string())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    fetch_dynamic(store.reader(), &sql, args, billing_account)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// All billing accounts (unscoped; for loaders that build in-memory indexes).
/// Ids looked up per query by [`billing_accounts_by_ids`].
pub const IDS_PER_QUERY: usize = 500;

/// Sets the rate table a billing account is priced with (`None`: no usage rating).
pub async fn set_rate_table(tx: &mut Tx, id: &str, rate_table: Option<&str>) -> Result<bool> {
    Ok(
        sqlx::query("UPDATE billing_accounts SET rate_table = $1 WHERE id = $2")
            .bind(rate_table)
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            > 0,
    )
}
