//! Billing storage: the catalog and price lists (versions never overwritten), orders and
//! subscriptions, charges waiting for an invoice, tax rates, and issued invoices (append-only,
//! refused updates and deletes by the database). Money in micro units (prices) or minor units
//! (invoice amounts), days as Unix seconds at 00:00 UTC.

use crate::row_macro::table_row;
use crate::{fetch_dynamic, Arg, Page, Result, ScopeFilter, ScopedQuery, Store, StoreError, Tx};

mod catalog;
mod invoices;
mod orders;
pub mod system;

pub use catalog::*;
pub use invoices::*;
pub use orders::*;

table_row! {
    /// A product of the catalog.
    pub struct ProductRow in "products" {
        id: String,
        code: String,
        name: String,
        /// `licence`, `number`, ... (core `ProductKind`).
        kind: String,
        /// T3: concurrent calls one unit carries (licences, extra channels).
        included_calls: i64,
        included_minutes: i64,
        included_zone: Option<String>,
        created_at: i64,
    }
}

table_row! {
    pub struct PriceListRow in "price_lists" {
        id: String,
        name: String,
        /// `wholesale` (the operator's, per partner tier) or `retail`.
        level: String,
        /// The partner selling at this list (a partner's retail list); none: the operator's.
        owner_partner_id: Option<String>,
        /// The partner tier a wholesale list applies to.
        tier: Option<String>,
        currency: String,
        created_at: i64,
    }
}

table_row! {
    pub struct PriceVersionRow in "price_list_versions" {
        id: String,
        price_list_id: String,
        version: i64,
        valid_from: i64,
        /// Wholesale lists: the partner's discount on its customers' rated usage.
        usage_discount_bp: i64,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    pub struct PriceItemRow in "price_list_items" {
        version_id: String,
        product_id: String,
        /// Per unit and month (recurring) or per unit (one-time, sold devices).
        unit_micros: i64,
    }
}

table_row! {
    pub struct PriceDiscountRow in "price_list_discounts" {
        version_id: String,
        /// `3_year`, `5_year`, ...
        term: String,
        discount_bp: i64,
    }
}

table_row! {
    /// C1: draft → executed (by the customer) → accepted (by the provider, explicitly or by
    /// starting the work) → fulfilled; or cancelled before acceptance.
    pub struct OrderRow in "orders" {
        id: String,
        customer_id: String,
        billing_account_id: String,
        currency: String,
        state: String,
        start_date: i64,
        created_at: i64,
        created_by: String,
        executed_at: Option<i64>,
        executed_by: Option<String>,
        accepted_at: Option<i64>,
        accepted_by: Option<String>,
        /// `explicit` or `work_started` (C1).
        accepted_how: Option<String>,
        fulfilled_at: Option<i64>,
        cancelled_at: Option<i64>,
    }
}

table_row! {
    /// An order line, priced from the lists in force when it was ordered (kept here).
    pub struct OrderLineRow in "order_lines" {
        id: String,
        order_id: String,
        line_no: i64,
        product_id: String,
        quantity: i64,
        term: String,
        frequency: String,
        number_id: Option<String>,
        list_micros: i64,
        discount_bp: i64,
        unit_micros: i64,
        price_version_id: String,
        wholesale_micros: Option<i64>,
        wholesale_version_id: Option<String>,
    }
}

table_row! {
    pub struct SubscriptionRow in "subscriptions" {
        id: String,
        order_line_id: String,
        customer_id: String,
        billing_account_id: String,
        /// The customer's partner: billed wholesale for this subscription.
        partner_id: Option<String>,
        product_id: String,
        kind: String,
        description: String,
        quantity: i64,
        term: String,
        frequency: String,
        currency: String,
        unit_micros: i64,
        wholesale_micros: Option<i64>,
        included_calls: i64,
        ordered_on: i64,
        start_date: i64,
        /// B2/E4: the first charged day; none while a number awaits activation.
        charges_from: Option<i64>,
        number_id: Option<String>,
        /// `active` or `ended`.
        state: String,
        non_renewal_at: Option<i64>,
        /// The first day no longer in service (after a non-renewal or a termination).
        ends_on: Option<i64>,
        /// C2: the term end the last renewal notice was sent for.
        renewal_notice_for: Option<i64>,
        retail_billed_until: Option<i64>,
        wholesale_billed_until: Option<i64>,
        created_at: i64,
        updated_at: i64,
    }
}

table_row! {
    /// C3: a price change noticed on a subscription.
    pub struct SubscriptionPriceRow in "subscription_prices" {
        id: String,
        subscription_id: String,
        unit_micros: i64,
        effective_from: i64,
        noticed_on: i64,
        withdraw_until: Option<i64>,
        created_at: i64,
        created_by: String,
    }
}

table_row! {
    /// A charge waiting for the next invoice: one-time, pass-through (B8) or credit (B12).
    pub struct PendingChargeRow in "pending_charges" {
        id: String,
        /// `retail` (billing_account_id) or `wholesale` (partner_id).
        level: String,
        billing_account_id: Option<String>,
        partner_id: Option<String>,
        /// `one_time`, `pass_through` or `credit`.
        kind: String,
        description: String,
        quantity: i64,
        /// Negative for a credit.
        unit_micros: i64,
        currency: String,
        rule: String,
        clause: String,
        ready_on: i64,
        source: String,
        created_at: i64,
        invoice_id: Option<String>,
    }
}

table_row! {
    /// B7: a tax or recovery-fee rate of a jurisdiction, from the authority's date.
    pub struct TaxRateRow in "tax_rates" {
        id: String,
        jurisdiction: String,
        name: String,
        /// `tax` or `fee`.
        kind: String,
        rate_ppm: i64,
        valid_from: i64,
        valid_until: Option<i64>,
        created_at: i64,
        created_by: String,
    }
}

/// Where invoices go and which taxes apply: a postal address (lines), a jurisdiction (`GB`,
/// `US-NY`) and a tax id, on a billing account, a partner or the operator.
pub async fn set_billing_details(
    tx: &mut Tx,
    table: BillingDetailsOf,
    id: &str,
    address: &str,
    jurisdiction: Option<&str>,
    tax_id: Option<&str>,
) -> Result<bool> {
    let sql = match table {
        BillingDetailsOf::Operator => {
            let r = sqlx::query("UPDATE operators SET address = $1, tax_id = $2 WHERE id = $3")
                .bind(address)
                .bind(tax_id)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            return Ok(r.rows_affected() == 1);
        }
        BillingDetailsOf::Partner => {
            "UPDATE partners SET address = $1, jurisdiction = $2, tax_id = $3 WHERE id = $4"
        }
        BillingDetailsOf::BillingAccount => {
            "UPDATE billing_accounts SET address = $1, jurisdiction = $2, tax_id = $3 WHERE id = $4"
        }
    };
    let r = sqlx::query(sql)
        .bind(address)
        .bind(jurisdiction)
        .bind(tax_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Whose billing details [`set_billing_details`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingDetailsOf {
    Operator,
    Partner,
    BillingAccount,
}
