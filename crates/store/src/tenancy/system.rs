//! System-wide reads of the tenancy tree, without a tenant scope. Callers: `App::authorize`
//! (the resellers assigned to a partner are part of building a caller's scope, so no scope
//! exists yet), the single operator (bootstrap and use cases that attach new partners to it),
//! the demo seed and tests (lookups by name), CDR intake and the guard (billing accounts by
//! key, for every account a line or a call names), and the terms of a customer whose number or
//! account the use case already holds. They run for the system, not for an API caller.

use super::*;

pub async fn find_operator_by_name(store: &Store, name: &str) -> Result<Option<OperatorRow>> {
    let row = sqlx::query("SELECT id, name, created_at FROM operators WHERE name = $1")
        .bind(name)
        .fetch_optional(store.reader())
        .await?;
    row.map(|r| {
        Ok(OperatorRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// The first operator (an installation runs one).
pub async fn first_operator(store: &Store) -> Result<Option<OperatorRow>> {
    let row =
        sqlx::query("SELECT id, name, created_at FROM operators ORDER BY created_at, id LIMIT 1")
            .fetch_optional(store.reader())
            .await?;
    row.map(|r| {
        Ok(OperatorRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

pub async fn find_partner_by_name(store: &Store, name: &str) -> Result<Option<PartnerRow>> {
    let r = sqlx::query(&format!(
        "SELECT {PARTNER_COLS} FROM partners WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(partner).transpose()?)
}

/// Resellers whose assigned partner is `partner_id` (they widen that partner's scope).
pub async fn reseller_ids_assigned_to(store: &Store, partner_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id FROM partners WHERE assigned_partner_id = $1 AND tier = 'reseller' ORDER BY id",
    )
    .bind(partner_id)
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?)
}

pub async fn find_customer_by_name(store: &Store, name: &str) -> Result<Option<CustomerRow>> {
    let r = sqlx::query(&format!(
        "SELECT {CUSTOMER_COLS} FROM customers WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.as_ref().map(customer).transpose()?)
}

/// System-wide read by key (CDR intake resolves the accounts its lines name): the billing
/// accounts with these ids, with their included minutes `(zone, seconds)`. Never a scan.
pub async fn billing_accounts_by_ids(
    store: &Store,
    ids: &[String],
) -> Result<Vec<(BillingAccountRow, Option<String>, i64)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut sql = format!(
            "SELECT {BA_COLS}, b.included_zone, b.included_seconds FROM billing_accounts b WHERE b.id IN ("
        );
        let mut args = Vec::with_capacity(chunk.len());
        for (i, id) in chunk.iter().enumerate() {
            args.push(Arg::Text(id.clone()));
            sql.push_str(&format!("{}${}", if i > 0 { ", " } else { "" }, i + 1));
        }
        sql.push(')');
        out.extend(
            fetch_dynamic(store.reader(), &sql, args, |r| {
                Ok((
                    billing_account(r)?,
                    crate::opt_text(r, "included_zone")?,
                    r.try_get("included_seconds")?,
                ))
            })
            .await?,
        );
    }
    Ok(out)
}

/// The agreement in force of a customer the use case already holds (the guard's account cache,
/// the terms of a number's holder).
pub async fn current_agreement(store: &Store, customer_id: &str) -> Result<Option<AgreementRow>> {
    super::current_agreement(store, ScopeFilter::system(), customer_id).await
}

/// A customer by id, for system work on a customer it already names (the guard's incident
/// notices, document requests raised by the sweeps).
pub async fn get_customer(store: &Store, id: &str) -> Result<CustomerRow> {
    super::get_customer(store, ScopeFilter::system(), id).await
}

/// A billing account by id, for the guard's account cache (every account a call names).
pub async fn get_billing_account(store: &Store, id: &str) -> Result<BillingAccountRow> {
    super::get_billing_account(store, ScopeFilter::system(), id).await
}

/// A partner by id, for billing work on a partner the use case already names (its tier's
/// wholesale list when an order is priced, its party on a wholesale invoice).
pub async fn get_partner(store: &Store, id: &str) -> Result<PartnerRow> {
    super::get_partner(store, ScopeFilter::system(), id).await
}
