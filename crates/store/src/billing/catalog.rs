//! Price lists and their versions, scoped: the operator sees every list; a partner its own
//! retail lists and the operator's wholesale list for its tier; a customer the retail list it
//! buys from (its partner's, or the operator's for a direct customer).

use super::*;
use tollgate_core::tenancy::Scope;

/// Appends the price-list scope on alias `l`.
fn push_list_scope(scope: &ScopeFilter<'_>, sql: &mut String, args: &mut Vec<Arg>) {
    match scope.scope() {
        Scope::All => {}
        Scope::Partners(ids) if ids.is_empty() => sql.push_str(" AND 1 = 0"),
        Scope::Partners(ids) => {
            let mut marks = Vec::new();
            for id in ids {
                args.push(Arg::Text(id.clone()));
                marks.push(format!("${}", args.len()));
            }
            let m = marks.join(", ");
            sql.push_str(&format!(
                " AND (l.owner_partner_id IN ({m}) OR (l.level = 'wholesale' AND l.tier IN \
                 (SELECT tier FROM partners WHERE id IN ({m}))))"
            ));
        }
        Scope::Customer(id) => {
            args.push(Arg::Text(id.clone()));
            let n = args.len();
            sql.push_str(&format!(
                " AND l.level = 'retail' AND COALESCE(l.owner_partner_id, '') = \
                 (SELECT COALESCE(partner_id, '') FROM customers WHERE id = ${n})"
            ));
        }
    }
}

pub async fn list_price_lists(
    store: &Store,
    scope: ScopeFilter<'_>,
    page: &Page,
) -> Result<Vec<PriceListRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM price_lists l",
        PriceListRow::cols("l")
    ));
    q.clause(|sql, args| push_list_scope(&scope, sql, args))
        .page("l.id", page);
    q.fetch(store.reader(), PriceListRow::from_row).await
}

pub async fn get_price_list(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<PriceListRow> {
    let mut sql = format!(
        "SELECT {} FROM price_lists l WHERE l.id = $1",
        PriceListRow::cols("l")
    );
    let mut args = vec![Arg::Text(id.into())];
    push_list_scope(&scope, &mut sql, &mut args);
    fetch_dynamic(store.reader(), &sql, args, PriceListRow::from_row)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Every version of a list in scope, newest first, with its items and discounts.
pub async fn price_list_versions(
    store: &Store,
    scope: ScopeFilter<'_>,
    list_id: &str,
) -> Result<Vec<(PriceVersionRow, Vec<PriceItemRow>, Vec<PriceDiscountRow>)>> {
    let list = get_price_list(store, scope, list_id).await?;
    let versions = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM price_list_versions WHERE price_list_id = $1 ORDER BY version DESC",
            PriceVersionRow::cols("")
        ),
        vec![Arg::Text(list.id)],
        PriceVersionRow::from_row,
    )
    .await?;
    let mut out = Vec::with_capacity(versions.len());
    for v in versions {
        let (items, discounts) = system::version_contents(store, &v.id).await?;
        out.push((v, items, discounts));
    }
    Ok(out)
}

/// The next version number of a list (in the writing transaction).
pub async fn next_price_version(tx: &mut Tx, list_id: &str) -> Result<i64> {
    use sqlx::Row;
    let r = sqlx::query(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) AS v FROM price_list_versions \
         WHERE price_list_id = $1",
    )
    .bind(list_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("v")?)
}
