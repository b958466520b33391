//! System-wide reads of users and credentials, without a tenant scope. Callers: authentication
//! before a caller exists (a token by its hash, a login or reset by e-mail), the CLI's local
//! administration on the machine (`tollgate users`, `tollgate tokens`), the demo seed, and the
//! guard's incident notices (the admin contacts of the customer it suspended). API reads of
//! users and tokens take a `ScopeFilter` (`super::get_user`, `super::get_credential`, ...).

use super::*;

pub async fn find_user_by_email(store: &Store, email: &str) -> Result<Option<UserRow>> {
    let r = sqlx::query(&format!(
        "SELECT {USER_COLS} FROM users u WHERE u.email = $1"
    ))
    .bind(email)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(user).transpose()?)
}

/// A credential with its user, by token hash (valid or not: the caller decides).
pub async fn find_credential_by_hash(
    store: &Store,
    hash: &str,
) -> Result<Option<(CredentialRow, UserRow)>> {
    let r = sqlx::query(&format!(
        "SELECT {CRED_COLS} FROM credentials WHERE token_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(store.reader())
    .await?;
    let Some(r) = r else { return Ok(None) };
    let c = credential(&r)?;
    let u = get_user(store, ScopeFilter::system(), &c.user_id).await?;
    Ok(Some((c, u)))
}

/// Credentials of the given users (none when `user_ids` is empty).
pub async fn list_credentials(
    store: &Store,
    user_ids: &[String],
    page: &Page,
) -> Result<Vec<CredentialRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Arg> = Vec::new();
    let mut sql =
        format!("SELECT {CRED_COLS} FROM credentials WHERE kind = 'api_token' AND user_id IN (");
    for (i, u) in user_ids.iter().enumerate() {
        args.push(Arg::Text(u.clone()));
        sql.push_str(&format!("{}${}", if i > 0 { ", " } else { "" }, args.len()));
    }
    sql.push(')');
    push_page(&mut sql, &mut args, "id", page);
    fetch_dynamic(store.reader(), &sql, args, credential).await
}

/// Contacts of a customer for notices, by key: the e-mails of its customer admins and of
/// its partner's admins (none for a direct customer's partner). Bounded by
/// [`MAX_CONTACTS`].
pub async fn admin_contacts_of_customer(
    store: &Store,
    customer_id: &str,
    partner_id: Option<&str>,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT email FROM users WHERE (customer_id = $1 AND role = 'customer_admin') \
         OR (partner_id IS NOT NULL AND partner_id = $2 AND role = 'partner_admin') \
         ORDER BY email LIMIT $3",
    )
    .bind(customer_id)
    .bind(partner_id)
    .bind(MAX_CONTACTS as i64)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("email"))
        .collect::<Result<_, _>>()?)
}
