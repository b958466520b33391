//! Users and credentials (API tokens and login sessions), stored only as hashes.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{
    fetch_dynamic, opt_text, push_page, Arg, Page, Result, ScopeFilter, ScopedQuery, Store,
    StoreError, Tx,
};

pub mod system;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRow {
    pub id: String,
    pub user_id: String,
    /// `api_token` or `session`.
    pub kind: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

const USER_COLS: &str =
    "u.id, u.email, u.name, u.role, u.partner_id, u.customer_id, u.password_hash, u.totp_secret, u.totp_enabled, u.created_at";
const CRED_COLS: &str =
    "id, user_id, kind, name, token_hash, created_at, expires_at, revoked_at, revoked_reason";

fn user(r: &AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        partner_id: opt_text(r, "partner_id")?,
        customer_id: opt_text(r, "customer_id")?,
        password_hash: opt_text(r, "password_hash")?,
        totp_secret: opt_text(r, "totp_secret")?,
        totp_enabled: r.try_get::<i64, _>("totp_enabled")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

fn credential(r: &AnyRow) -> Result<CredentialRow, sqlx::Error> {
    Ok(CredentialRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        token_hash: r.try_get("token_hash")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
        revoked_reason: opt_text(r, "revoked_reason")?,
    })
}

pub async fn insert_user(tx: &mut Tx, u: &UserRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, name, role, partner_id, customer_id, password_hash, totp_secret, totp_enabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&u.id)
    .bind(&u.email)
    .bind(&u.name)
    .bind(&u.role)
    .bind(&u.partner_id)
    .bind(&u.customer_id)
    .bind(&u.password_hash)
    .bind(&u.totp_secret)
    .bind(i64::from(u.totp_enabled))
    .bind(u.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A user in `scope` (as [`list_users`]); otherwise `NotFound`.
pub async fn get_user(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<UserRow> {
    let mut sql = format!(
        "SELECT {USER_COLS} FROM users u LEFT JOIN customers c ON c.id = u.customer_id WHERE u.id = $1"
    );
    let mut args = vec![Arg::Text(id.to_string())];
    push_user_scope(&mut sql, &mut args, scope);
    fetch_dynamic(store.reader(), &sql, args, user)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Restricts `users u LEFT JOIN customers c` to the users `scope` sees.
fn push_user_scope(sql: &mut String, args: &mut Vec<Arg>, scope: ScopeFilter<'_>) {
    match scope.scope() {
        crate::Scope::All => {}
        crate::Scope::Customer(_) => scope.push(sql, args, "u.customer_id", "u.partner_id"),
        crate::Scope::Partners(_) => scope.push(
            sql,
            args,
            "u.customer_id",
            "COALESCE(u.partner_id, c.partner_id)",
        ),
    }
}

/// Users in scope: operator users only for the operator; a partner's users and its
/// customers' users for a partner; a customer's users for a customer.
pub async fn list_users(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<UserRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {USER_COLS} FROM users u LEFT JOIN customers c ON c.id = u.customer_id"
    ));
    q.clause(|sql, args| push_user_scope(sql, args, scope))
        .page("u.id", page);
    q.fetch(store.reader(), user).await
}

pub async fn set_totp(
    tx: &mut Tx,
    user_id: &str,
    secret: Option<&str>,
    enabled: bool,
) -> Result<()> {
    sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3")
        .bind(secret)
        .bind(i64::from(enabled))
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_password_hash(tx: &mut Tx, user_id: &str, hash: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_credential(tx: &mut Tx, c: &CredentialRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO credentials ({CRED_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&c.id)
    .bind(&c.user_id)
    .bind(&c.kind)
    .bind(&c.name)
    .bind(&c.token_hash)
    .bind(c.created_at)
    .bind(c.expires_at)
    .bind(c.revoked_at)
    .bind(&c.revoked_reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A credential of a user in `scope` (as [`get_user`]); otherwise `NotFound`.
pub async fn get_credential(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<CredentialRow> {
    let mut sql = format!(
        "SELECT {CRED_COLS} FROM credentials WHERE id = $1 AND user_id IN \
         (SELECT u.id FROM users u LEFT JOIN customers c ON c.id = u.customer_id WHERE u.id = user_id"
    );
    let mut args = vec![Arg::Text(id.to_string())];
    push_user_scope(&mut sql, &mut args, scope);
    sql.push(')');
    fetch_dynamic(store.reader(), &sql, args, credential)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Most admins a notice goes to (a customer's and its partner's).
pub const MAX_CONTACTS: usize = 200;

/// API tokens a caller may see, in one keyed query: its own, and those of users in `scope`
/// whose role is in `manageable_roles` (an admin's reach; empty for everyone else).
pub async fn list_tokens_in_scope(
    store: &Store,
    scope: ScopeFilter<'_>,
    own_user_id: &str,
    manageable_roles: &[&str],
    page: &Page,
) -> Result<Vec<CredentialRow>> {
    let cols: String = CRED_COLS
        .split(',')
        .map(|c| format!("cr.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut args = vec![Arg::Text(own_user_id.to_string())];
    let mut sql = format!(
        "SELECT {cols} FROM credentials cr JOIN users u ON u.id = cr.user_id \
         LEFT JOIN customers c ON c.id = u.customer_id \
         WHERE cr.kind = 'api_token' AND (cr.user_id = $1"
    );
    if !manageable_roles.is_empty() {
        sql.push_str(" OR (u.role IN (");
        for (i, r) in manageable_roles.iter().enumerate() {
            args.push(Arg::Text((*r).to_string()));
            sql.push_str(&format!("{}${}", if i > 0 { ", " } else { "" }, args.len()));
        }
        sql.push(')');
        scope.push(
            &mut sql,
            &mut args,
            "u.customer_id",
            "COALESCE(u.partner_id, c.partner_id)",
        );
        sql.push(')');
    }
    sql.push(')');
    push_page(&mut sql, &mut args, "cr.id", page);
    fetch_dynamic(store.reader(), &sql, args, credential).await
}

/// Revokes one credential; returns whether it was active.
pub async fn revoke_credential(tx: &mut Tx, id: &str, at: i64, reason: &str) -> Result<bool> {
    let n = sqlx::query("UPDATE credentials SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// A2: revokes every token and session of a user at once; returns how many.
pub async fn revoke_all_for_user(tx: &mut Tx, user_id: &str, at: i64, reason: &str) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE credentials SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(reason)
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
