//! The route table's tenancy fragment: Partners, customers, billing accounts, users, terms profiles, the audit log (P1-P5).

use super::prelude::*;

api! {
    get "/v1/partners" => tenancy::list_partners, Perm(P::PartnersRead),
        "Partners in scope.";
    post "/v1/partners" => tenancy::create_partner, Perm(P::PartnersWrite),
        "Create a partner (P1, P3).";
    get "/v1/partners/{id}" => tenancy::get_partner, Perm(P::PartnersRead),
        "One partner, with its open non-responsive flags (B11).";
    get "/v1/customers" => tenancy::list_customers, Perm(P::CustomersRead),
        "Customers in scope.";
    post "/v1/customers" => tenancy::create_customer, Perm(P::CustomersWrite),
        "Create a customer and its agreement under a terms profile.";
    get "/v1/customers/{id}" => tenancy::get_customer, Perm(P::CustomersRead),
        "One customer with its agreement.";
    get "/v1/billing-accounts" => tenancy::list_billing_accounts, Perm(P::CustomersRead),
        "Billing accounts in scope (P2).";
    post "/v1/billing-accounts" => tenancy::create_billing_account, Perm(P::CustomersWrite),
        "Create a billing account (P2, B1).";
    get "/v1/users" => tenancy::list_users, Perm(P::UsersRead),
        "Users in scope.";
    post "/v1/users" => tenancy::create_user, Perm(P::UsersWrite),
        "Create a user at your level or below.";
    get "/v1/terms-profiles" => tenancy::list_terms_profiles, Perm(P::TermsRead),
        "Terms profiles (versioned data).";
    get "/v1/audit-log" => tenancy::list_audit, Perm(P::AuditRead),
        "The append-only audit log.";
}
