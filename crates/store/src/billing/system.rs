//! System-wide billing reads and writes: the catalog (the operator's, the same for every
//! caller), prices in force, tax rates, and what an invoice run needs. A run is the
//! operator's batch over every tenant (no caller scope applies); its callers are
//! `App::run_billing` and the seeding of the demo.

use sqlx::Row;

use super::*;

// --- catalog ---------------------------------------------------------------------------------

pub async fn list_products(store: &Store) -> Result<Vec<ProductRow>> {
    fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM products ORDER BY code",
            ProductRow::cols("")
        ),
        vec![],
        ProductRow::from_row,
    )
    .await
}

/// A product by its code or id.
pub async fn find_product(store: &Store, code_or_id: &str) -> Result<Option<ProductRow>> {
    Ok(fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM products WHERE code = $1 OR id = $1",
            ProductRow::cols("")
        ),
        vec![Arg::Text(code_or_id.into())],
        ProductRow::from_row,
    )
    .await?
    .pop())
}

/// The list for `(level, owner, tier, currency)`, if any.
pub async fn find_price_list(
    store: &Store,
    level: &str,
    owner_partner_id: Option<&str>,
    tier: Option<&str>,
    currency: &str,
) -> Result<Option<PriceListRow>> {
    Ok(fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM price_lists WHERE level = $1 AND COALESCE(owner_partner_id, '') = $2 \
             AND COALESCE(tier, '') = $3 AND currency = $4",
            PriceListRow::cols("")
        ),
        vec![
            Arg::Text(level.into()),
            Arg::Text(owner_partner_id.unwrap_or("").into()),
            Arg::Text(tier.unwrap_or("").into()),
            Arg::Text(currency.into()),
        ],
        PriceListRow::from_row,
    )
    .await?
    .pop())
}

/// A version's items and term discounts.
pub async fn version_contents(
    store: &Store,
    version_id: &str,
) -> Result<(Vec<PriceItemRow>, Vec<PriceDiscountRow>)> {
    let items = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM price_list_items WHERE version_id = $1 ORDER BY product_id",
            PriceItemRow::cols("")
        ),
        vec![Arg::Text(version_id.into())],
        PriceItemRow::from_row,
    )
    .await?;
    let discounts = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM price_list_discounts WHERE version_id = $1 ORDER BY term",
            PriceDiscountRow::cols("")
        ),
        vec![Arg::Text(version_id.into())],
        PriceDiscountRow::from_row,
    )
    .await?;
    Ok((items, discounts))
}

/// The version of `list_id` in force on `on` (the highest version valid from then or
/// earlier), with its contents.
pub async fn version_in_force(
    store: &Store,
    list_id: &str,
    on: i64,
) -> Result<Option<(PriceVersionRow, Vec<PriceItemRow>, Vec<PriceDiscountRow>)>> {
    let v = fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM price_list_versions WHERE price_list_id = $1 AND valid_from <= $2 \
             ORDER BY version DESC LIMIT 1",
            PriceVersionRow::cols("")
        ),
        vec![Arg::Text(list_id.into()), Arg::Int(on)],
        PriceVersionRow::from_row,
    )
    .await?
    .pop();
    let Some(v) = v else { return Ok(None) };
    let (items, discounts) = version_contents(store, &v.id).await?;
    Ok(Some((v, items, discounts)))
}

/// Every tax and fee rate, by jurisdiction and date.
pub async fn list_tax_rates(store: &Store) -> Result<Vec<TaxRateRow>> {
    fetch_dynamic(
        store.reader(),
        &format!(
            "SELECT {} FROM tax_rates ORDER BY jurisdiction, valid_from, name",
            TaxRateRow::cols("")
        ),
        vec![],
        TaxRateRow::from_row,
    )
    .await
}

// --- runs ------------------------------------------------------------------------------------

/// A run's bookkeeping row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: String,
    pub period: String,
    pub usage_end: i64,
    /// `running` or `done`.
    pub state: String,
    /// `host:pid` of the process running it.
    pub owner: String,
    pub heartbeat_at: i64,
    pub started_at: i64,
    pub started_by: String,
    pub finished_at: Option<i64>,
    pub invoices: i64,
}

fn run_row(r: &sqlx::any::AnyRow) -> Result<RunRow, sqlx::Error> {
    Ok(RunRow {
        id: r.try_get("id")?,
        period: r.try_get("period")?,
        usage_end: r.try_get("usage_end")?,
        state: r.try_get("state")?,
        owner: r.try_get("owner")?,
        heartbeat_at: r.try_get("heartbeat_at")?,
        started_at: r.try_get("started_at")?,
        started_by: r.try_get("started_by")?,
        finished_at: r.try_get("finished_at")?,
        invoices: r.try_get("invoices")?,
    })
}

const RUN_COLS: &str =
    "id, period, usage_end, state, owner, heartbeat_at, started_at, started_by, finished_at, invoices";

pub async fn get_run(store: &Store, period: &str) -> Result<Option<RunRow>> {
    Ok(fetch_dynamic(
        store.reader(),
        &format!("SELECT {RUN_COLS} FROM billing_runs WHERE period = $1"),
        vec![Arg::Text(period.into())],
        run_row,
    )
    .await?
    .pop())
}

pub async fn list_runs(store: &Store) -> Result<Vec<RunRow>> {
    fetch_dynamic(
        store.reader(),
        &format!("SELECT {RUN_COLS} FROM billing_runs ORDER BY period DESC"),
        vec![],
        run_row,
    )
    .await
}

/// Inserts a new run row; a conflict means another run of the period exists.
pub async fn insert_run(tx: &mut Tx, r: &RunRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO billing_runs ({RUN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&r.id)
    .bind(&r.period)
    .bind(r.usage_end)
    .bind(&r.state)
    .bind(&r.owner)
    .bind(r.heartbeat_at)
    .bind(r.started_at)
    .bind(&r.started_by)
    .bind(r.finished_at)
    .bind(r.invoices)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes over a run from `old_owner` (whose process is gone or silent); false if someone
/// else took it first.
pub async fn take_over_run(
    tx: &mut Tx,
    period: &str,
    old_owner: &str,
    old_heartbeat: i64,
    owner: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE billing_runs SET owner = $1, heartbeat_at = $2 WHERE period = $3 AND \
         state = 'running' AND owner = $4 AND heartbeat_at = $5",
    )
    .bind(owner)
    .bind(now)
    .bind(period)
    .bind(old_owner)
    .bind(old_heartbeat)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Releases a run that stopped on an error: anyone may take it over at once.
pub async fn release_run(tx: &mut Tx, period: &str) -> Result<()> {
    sqlx::query(
        "UPDATE billing_runs SET owner = '', heartbeat_at = 0 WHERE period = $1 AND state = 'running'",
    )
    .bind(period)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks progress (inside a group's transaction: the heartbeat commits with the invoices).
pub async fn run_heartbeat(tx: &mut Tx, period: &str, now: i64, invoices: i64) -> Result<()> {
    sqlx::query(
        "UPDATE billing_runs SET heartbeat_at = $1, invoices = invoices + $2 WHERE period = $3",
    )
    .bind(now)
    .bind(invoices)
    .bind(period)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn finish_run(tx: &mut Tx, period: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE billing_runs SET state = 'done', finished_at = $1, heartbeat_at = $1 \
         WHERE period = $2",
    )
    .bind(now)
    .bind(period)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

mod run;
pub use run::*;

/// T3, L1, L2: the concurrent calls an account's licence subscriptions carry on `day` (those
/// started and not ended), or none when the account never had a licence subscription (its
/// guard policy's figure applies). For the guard's account cache.
pub async fn licensed_calls(store: &Store, account: &str, day: i64) -> Result<Option<i64>> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(CASE WHEN charges_from <= $2 \
         AND (ends_on IS NULL OR ends_on > $2) THEN included_calls * quantity ELSE 0 END), 0) \
         AS BIGINT) AS calls FROM subscriptions WHERE billing_account_id = $1 AND kind IN \
         ('licence', 'extra_channel')",
    )
    .bind(account)
    .bind(day)
    .fetch_one(store.reader())
    .await?;
    let n: i64 = r.try_get("n")?;
    Ok((n > 0).then(|| r.try_get("calls")).transpose()?)
}

/// The id of the invoice with this number or payment reference (bank statements carry the
/// payment reference). Keyed: the caller reads the invoice in its scope next.
/// Two issuers' numbers may coincide (their prefixes come from their names): an ambiguous
/// key is a conflict, never a guess.
pub async fn invoice_id_by_reference(store: &Store, key: &str) -> Result<Option<String>> {
    let rows = sqlx::query(
        "SELECT id FROM invoices WHERE payment_reference = $1 OR number = $1 ORDER BY id LIMIT 2",
    )
    .bind(key)
    .fetch_all(store.reader())
    .await?;
    if rows.len() > 1 {
        return Err(StoreError::Conflict(format!(
            "`{key}` names invoices of more than one issuer: give the invoice id"
        )));
    }
    Ok(rows.first().map(|r| r.try_get("id")).transpose()?)
}

/// An invoice by id (keyed: the caller checked it acts for the issuer).
pub async fn invoice_by_id(store: &Store, id: &str) -> Result<InvoiceRow> {
    let r = sqlx::query(&format!(
        "SELECT {} FROM invoices WHERE id = $1",
        InvoiceRow::cols("")
    ))
    .bind(id)
    .fetch_optional(store.reader())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(InvoiceRow::from_row(&r)?)
}

/// Whether `key` names a credit note (by id or number).
pub async fn is_credit_note(store: &Store, key: &str) -> Result<bool> {
    let r = sqlx::query("SELECT id FROM credit_notes WHERE id = $1 OR number = $1 LIMIT 1")
        .bind(key)
        .fetch_optional(store.reader())
        .await?;
    Ok(r.is_some())
}
