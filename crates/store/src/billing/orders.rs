//! Orders (C1), their lines, and the subscriptions fulfilled orders become (B2, C2, C3),
//! scoped through the customer they belong to.

use super::*;

/// Orders of a customer (or all in scope), newest id last.
pub async fn list_orders(
    store: &Store,
    scope: ScopeFilter<'_>,
    customer_id: Option<&str>,
    page: &Page,
) -> Result<Vec<OrderRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM orders o JOIN customers c ON c.id = o.customer_id",
        OrderRow::cols("o")
    ));
    q.filter(
        "o.customer_id",
        "=",
        customer_id.map(|c| Arg::Text(c.into())),
    )
    .scope(&scope, "c.id", "c.partner_id")
    .page("o.id", page);
    q.fetch(store.reader(), OrderRow::from_row).await
}

pub async fn get_order(store: &Store, scope: ScopeFilter<'_>, id: &str) -> Result<OrderRow> {
    let mut sql = format!(
        "SELECT {} FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
        OrderRow::cols("o")
    );
    let mut args = vec![Arg::Text(id.into())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    fetch_dynamic(store.reader(), &sql, args, OrderRow::from_row)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The lines of an order in scope, in order.
pub async fn order_lines(
    store: &Store,
    scope: ScopeFilter<'_>,
    order_id: &str,
) -> Result<Vec<OrderLineRow>> {
    let mut sql = format!(
        "SELECT {} FROM order_lines l JOIN orders o ON o.id = l.order_id \
         JOIN customers c ON c.id = o.customer_id WHERE l.order_id = $1",
        OrderLineRow::cols("l")
    );
    let mut args = vec![Arg::Text(order_id.into())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    sql.push_str(" ORDER BY l.line_no");
    fetch_dynamic(store.reader(), &sql, args, OrderLineRow::from_row).await
}

/// Moves an order from `from` to its new state (the row as given); false if it was no
/// longer in `from` (a concurrent change).
pub async fn update_order(tx: &mut Tx, o: &OrderRow, from: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE orders SET state = $1, executed_at = $2, executed_by = $3, accepted_at = $4, \
         accepted_by = $5, accepted_how = $6, fulfilled_at = $7, cancelled_at = $8 \
         WHERE id = $9 AND state = $10",
    )
    .bind(&o.state)
    .bind(o.executed_at)
    .bind(&o.executed_by)
    .bind(o.accepted_at)
    .bind(&o.accepted_by)
    .bind(&o.accepted_how)
    .bind(o.fulfilled_at)
    .bind(o.cancelled_at)
    .bind(&o.id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Subscriptions in scope, by id.
pub async fn list_subscriptions(
    store: &Store,
    scope: ScopeFilter<'_>,
    billing_account_id: Option<&str>,
    page: &Page,
) -> Result<Vec<SubscriptionRow>> {
    let mut q = ScopedQuery::new(&format!(
        "SELECT {} FROM subscriptions s JOIN customers c ON c.id = s.customer_id",
        SubscriptionRow::cols("s")
    ));
    q.filter(
        "s.billing_account_id",
        "=",
        billing_account_id.map(|c| Arg::Text(c.into())),
    )
    .scope(&scope, "c.id", "c.partner_id")
    .page("s.id", page);
    q.fetch(store.reader(), SubscriptionRow::from_row).await
}

pub async fn get_subscription(
    store: &Store,
    scope: ScopeFilter<'_>,
    id: &str,
) -> Result<SubscriptionRow> {
    let mut sql = format!(
        "SELECT {} FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE s.id = $1",
        SubscriptionRow::cols("s")
    );
    let mut args = vec![Arg::Text(id.into())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    fetch_dynamic(store.reader(), &sql, args, SubscriptionRow::from_row)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Price changes of a subscription in scope (C3), oldest first.
pub async fn subscription_prices(
    store: &Store,
    scope: ScopeFilter<'_>,
    subscription_id: &str,
) -> Result<Vec<SubscriptionPriceRow>> {
    let mut sql = format!(
        "SELECT {} FROM subscription_prices p JOIN subscriptions s ON s.id = p.subscription_id \
         JOIN customers c ON c.id = s.customer_id WHERE p.subscription_id = $1",
        SubscriptionPriceRow::cols("p")
    );
    let mut args = vec![Arg::Text(subscription_id.into())];
    scope.push(&mut sql, &mut args, "c.id", "c.partner_id");
    sql.push_str(" ORDER BY p.effective_from, p.id");
    fetch_dynamic(store.reader(), &sql, args, SubscriptionPriceRow::from_row).await
}

/// Writes a subscription's mutable state (quantity, dates, state, billing marks).
pub async fn update_subscription(tx: &mut Tx, s: &SubscriptionRow) -> Result<()> {
    sqlx::query(
        "UPDATE subscriptions SET quantity = $1, charges_from = $2, state = $3, \
         non_renewal_at = $4, ends_on = $5, renewal_notice_for = $6, retail_billed_until = $7, \
         wholesale_billed_until = $8, unit_micros = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(s.quantity)
    .bind(s.charges_from)
    .bind(&s.state)
    .bind(s.non_renewal_at)
    .bind(s.ends_on)
    .bind(s.renewal_notice_for)
    .bind(s.retail_billed_until)
    .bind(s.wholesale_billed_until)
    .bind(s.unit_micros)
    .bind(s.updated_at)
    .bind(&s.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
