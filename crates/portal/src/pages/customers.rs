//! Customers (and their partner) in the caller's scope, and one customer with its agreement
//! and billing accounts.

use axum::extract::{Path, Query, State};
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use super::{next_link, After};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

pub async fn list(State(app): State<App>, session: Session, Query(q): Query<After>) -> PageResult {
    let c = session.caller(&app, Permission::CustomersRead).await?;
    let rows = app.list_customers(&c, &q.page()).await?;
    let mut t = Table::new(
        "Customers you can see, by id",
        &["Customer", "Partner", "Since"],
        "No customer yet. Partners add customers through the API (POST /v1/customers).",
    );
    for r in &rows {
        t.row(vec![
            Cell::link(r.name.clone(), format!("/portal/customers/{}", r.id)),
            Cell::text(
                r.partner_id
                    .clone()
                    .unwrap_or_else(|| "operator (direct)".into()),
            ),
            Cell::text(format::day(r.created_at)),
        ]);
    }
    t.next = next_link(
        "/portal/customers",
        rows.len(),
        rows.last().map(|r| r.id.as_str()),
    );
    let mut page = Page::new(&session, "customers", "Customers");
    if session.may(Permission::PartnersRead) {
        let partners = app
            .list_partners(
                &c,
                &tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT),
            )
            .await?;
        let caption =
            if i64::try_from(partners.len()).unwrap_or(0) >= tollgate_store::MAX_PAGE_LIMIT {
                format!(
                    "The first {} partners by id (the API lists them all)",
                    partners.len()
                )
            } else {
                "Partners".to_string()
            };
        let mut pt = Table::new(
            &caption,
            &["Partner", "Tier", "Assigned partner"],
            "No partner.",
        );
        for p in &partners {
            pt.row(vec![
                Cell::text(p.name.clone()),
                Cell::text(p.tier.clone()),
                Cell::text(p.assigned_partner_id.clone().unwrap_or_else(|| "—".into())),
            ]);
        }
        page = page.section(Section::new("Partners").table(pt));
    }
    page.section(Section::new("Customers").table(t)).ok()
}

pub async fn show(State(app): State<App>, session: Session, Path(id): Path<String>) -> PageResult {
    let c = session.caller(&app, Permission::CustomersRead).await?;
    let (customer, agreement) = app.get_customer(&c, &id).await?;
    let accounts = app
        .list_billing_accounts(
            &c,
            Some(&id),
            &tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT),
        )
        .await?;
    let mut facts = Section::new("Customer")
        .fact("Name", customer.name.clone())
        .fact(
            "Partner",
            customer
                .partner_id
                .clone()
                .unwrap_or_else(|| "operator (direct)".into()),
        )
        .fact("Since", format::day(customer.created_at));
    if let Some(a) = &agreement {
        facts = facts
            .fact(
                "Terms profile",
                format!("{} v{}", a.profile_id, a.profile_version),
            )
            .fact("Agreement issued by", a.issuer.clone())
            .fact("Signed", format::day(a.signed_at));
    }
    let caption = if i64::try_from(accounts.len()).unwrap_or(0) >= tollgate_store::MAX_PAGE_LIMIT {
        format!(
            "The first {} billing accounts by id (the API lists them all)",
            accounts.len()
        )
    } else {
        "Billing accounts".to_string()
    };
    let mut t = Table::new(
        &caption,
        &["Account", "Currency", "Rate table", "Live calls now"],
        "No billing account yet.",
    );
    for a in &accounts {
        let live = app.live_calls(&a.id);
        t.row(vec![
            Cell::link(a.name.clone(), format!("/portal/accounts/{}", a.id)),
            Cell::text(a.currency.clone()),
            Cell::text(a.rate_table.clone().unwrap_or_else(|| "—".into())),
            Cell::num(live.calls.to_string()),
        ]);
    }
    Page::new(&session, "customers", &customer.name)
        .section(facts)
        .section(Section::new("Billing accounts").table(t))
        .ok()
}
