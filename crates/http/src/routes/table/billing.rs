//! The route table's billing fragment: Catalog, price lists, tax rates, orders and subscriptions, invoice runs, invoices, the ledger (B1-B5, B7, B8, B12, C1-C3, E4).

use super::prelude::*;
use crate::wire::billing::{InvoiceOut, InvoiceSummaryOut};

api! {
    get "/v1/products" => billing_routes::list_products, Perm(P::CatalogRead),
        "The catalog: products with their kind (licence, number, leased device, ...) and what a licence includes (T3).";
    post "/v1/products" => billing_routes::create_product, Perm(P::CatalogWrite),
        "Add a product to the catalog (the operator's).";
    get "/v1/price-lists" => billing_routes::list_price_lists, Perm(P::CatalogRead),
        "Price lists in scope: the operator's wholesale list per partner tier and retail lists, partners' retail lists.";
    post "/v1/price-lists" => billing_routes::create_price_list, Perm(P::CatalogWrite),
        "Create a price list: wholesale (the operator, per tier) or retail (the operator's, or a partner's own).";
    get "/v1/price-lists/{id}" => billing_routes::get_price_list, Perm(P::CatalogRead),
        "A price list with every version (never overwritten), its items and term discounts.";
    post "/v1/price-lists/{id}/versions" => billing_routes::add_price_version, Perm(P::CatalogWrite),
        "Add a version valid from a day; earlier versions stay as they were (orders keep the price they were made at).";
    get "/v1/tax-rates" => billing_routes::list_tax_rates, Perm(P::CatalogRead),
        "Tax and regulatory-fee rates per jurisdiction with the day each applies from (B7).";
    post "/v1/tax-rates" => billing_routes::add_tax_rate, Perm(P::CatalogWrite),
        "Add a rate from the authority's date (B7); a later row of the same jurisdiction and name replaces it, 0 abolishes it.";
    put "/v1/billing-accounts/{id}/billing-details" => billing_routes::account_details, Perm(P::CustomersWrite),
        "The billing address, jurisdiction (taxes, B7) and tax id an account's invoices print.";
    put "/v1/partners/{id}/billing-details" => billing_routes::partner_details, Perm(P::CatalogWrite),
        "A partner's billing address, jurisdiction and tax id (its wholesale invoices; its retail invoices as issuer).";
    put "/v1/operator/billing-details" => billing_routes::operator_details, Perm(P::CatalogWrite),
        "The operator's address and tax id as issuer.";
    get "/v1/orders" => billing_routes::list_orders, Perm(P::OrdersRead),
        "Orders in scope (C1).";
    post "/v1/orders" => billing_routes::create_order, Perm(P::OrdersWrite),
        "Draft an order: lines priced from the lists in force today (B1: one currency, a fixed-currency profile's).";
    get "/v1/orders/{id}" => billing_routes::get_order, Perm(P::OrdersRead),
        "One order with its lines and prices.";
    post "/v1/orders/{id}/execute" => billing_routes::execute_order, Perm(P::OrdersExecute),
        "The customer executes the order (C1).";
    post "/v1/orders/{id}/accept" => billing_routes::accept_order, Perm(P::OrdersAccept),
        "The provider accepts the executed order (C1).";
    post "/v1/orders/{id}/fulfil" => billing_routes::fulfil_order, Perm(P::OrdersAccept),
        "The provider fulfils the order (starting the work accepts it, C1): lines become subscriptions (B2, E4) and one-time charges.";
    post "/v1/orders/{id}/cancel" => billing_routes::cancel_order, Perm(P::OrdersWrite),
        "Cancel an order before acceptance.";
    get "/v1/subscriptions" => billing_routes::list_subscriptions, Perm(P::OrdersRead),
        "Subscriptions in scope.";
    get "/v1/subscriptions/{id}" => billing_routes::get_subscription, Perm(P::OrdersRead),
        "One subscription with its price changes (C3).";
    post "/v1/subscriptions/{id}/non-renewal" => billing_routes::non_renewal, Perm(P::OrdersExecute),
        "Notice of non-renewal: at least 30 days before the term ends, or refused and the term renews (C2).";
    post "/v1/subscriptions/{id}/price-changes" => billing_routes::price_change, Perm(P::OrdersWrite),
        "Change the price from a day (C3): under x-hoppers-2025 an increase only from the next renewal term with 30 days' notice; under wildix-* on notice, with 60 days to withdraw.";
    get "/v1/billing/runs" => billing_routes::list_runs, Perm(P::BillingRun),
        "Invoice runs by period.";
    post "/v1/billing/runs" => billing_routes::run_billing, Perm(P::BillingRun),
        "Invoice a closed month: recurring in advance (B3), usage in arrears with late calls (B4), one-time, pass-through (B8) and credits (B12), fees and taxes (B7); wholesale and retail for every chain; idempotent (a re-run returns the same invoices).";
    get "/v1/invoices" => billing_routes::list_invoices, Perm(P::InvoicesRead),
        "Invoices in scope: a customer its own; a partner those it issued and received; the operator all.",
        doc: |d| d
            .answer::<Page<InvoiceSummaryOut>>(200, "OK")
            .answer_as(200, "text/csv", text_schema("With format=csv: a row per line and tax, with the ledger account, for accounting."), "OK");
    get "/v1/invoices/{id}" => billing_routes::get_invoice, Perm(P::InvoicesRead),
        "One invoice with lines (rule, clause, source) and taxes; `{id}.pdf`, `{id}.html` and `{id}.csv` give the document.",
        doc: |d| d
            .errors(&[404])
            .answer::<InvoiceOut>(200, "OK")
            .answer_as(200, "application/pdf", text_schema("With `.pdf` after the id: the printable invoice with page numbers, usage summary and call annex."), "OK")
            .answer_as(200, "text/html", text_schema("With `.html` after the id."), "OK")
            .answer_as(200, "text/csv", text_schema("With `.csv` after the id."), "OK");
    get "/v1/ledger/verify" => billing_routes::verify_ledger, Perm(P::BillingRun),
        "Check every ledger invariant: balanced transactions, balances equal to entries, invoice totals equal to their transactions, every call of an invoiced period on an invoice.";
}
