//! The demo tenant, seeded idempotently by `tollgate serve --demo`.

use std::collections::BTreeMap;
use std::path::Path;

use tollgate_core::tenancy::Role;
use tollgate_store::tenancy as tenancy_store;

use crate::ids::new_id;
use crate::tenancy::{NewCustomer, NewUser};
use crate::{Actor, App, AppError, Caller};

pub const OPERATOR_NAME: &str = "Demo Telecom";
/// Password of every demo user (portal login); demo only.
pub const DEMO_PASSWORD: &str = "tollgate-demo-password";

/// The keys of `demo-tokens.json` and the demo user each belongs to.
pub const TOKEN_USERS: &[(&str, &str)] = &[
    ("operator", "ops@demo-telecom.test"),
    ("partner_gold", "admin@northwind.test"),
    ("partner_bronze", "admin@bronzebay.test"),
    ("customer_a", "admin@acme-dental.test"),
    ("customer_b", "admin@bayview-bakery.test"),
];

struct DemoPartner {
    name: &'static str,
    tier: &'static str,
    assigned_to: Option<&'static str>,
    admin: &'static str,
}

const PARTNERS: &[DemoPartner] = &[
    DemoPartner {
        name: "Northwind Communications",
        tier: "gold",
        assigned_to: None,
        admin: "admin@northwind.test",
    },
    DemoPartner {
        name: "Bronze Bay IT",
        tier: "bronze",
        assigned_to: Some("Northwind Communications"),
        admin: "admin@bronzebay.test",
    },
    DemoPartner {
        name: "Harbor Resell Ltd",
        tier: "reseller",
        assigned_to: Some("Northwind Communications"),
        admin: "admin@harbor-resell.test",
    },
];

struct DemoCustomer {
    name: &'static str,
    partner: Option<&'static str>,
    profile: &'static str,
    admin: &'static str,
    accounts: &'static [(&'static str, &'static str)],
}

const CUSTOMERS: &[DemoCustomer] = &[
    DemoCustomer {
        name: "Acme Dental",
        partner: Some("Northwind Communications"),
        profile: "wildix-2026",
        admin: "admin@acme-dental.test",
        accounts: &[("Acme Dental HQ", "EUR"), ("Acme Dental Branch", "EUR")],
    },
    DemoCustomer {
        name: "Bayview Bakery",
        partner: Some("Bronze Bay IT"),
        profile: "wildix-earlier",
        admin: "admin@bayview-bakery.test",
        accounts: &[("Bayview Bakery", "EUR")],
    },
    DemoCustomer {
        name: "Harbor Logistics",
        partner: Some("Harbor Resell Ltd"),
        profile: "x-hoppers-2025",
        admin: "admin@harbor-logistics.test",
        accounts: &[("Harbor Logistics UK", "GBP")],
    },
    DemoCustomer {
        name: "Direct Corp",
        partner: None,
        profile: "wildix-2026",
        admin: "admin@direct-corp.test",
        accounts: &[("Direct Corp", "USD")],
    },
];

/// Seeds the demo tenant if it is missing (idempotent), then makes sure `demo-tokens.json`
/// in `data_dir` holds a working token for each demo principal.
pub async fn seed(app: &App, data_dir: &Path) -> Result<BTreeMap<String, String>, AppError> {
    let sys = Caller::system(Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    });
    if tenancy_store::system::find_operator_by_name(&app.store, OPERATOR_NAME)
        .await?
        .is_none()
    {
        let mut tx = app.store.begin().await?;
        tenancy_store::insert_operator(
            &mut tx,
            &tenancy_store::OperatorRow {
                id: new_id("op"),
                name: OPERATOR_NAME.into(),
                created_at: app.now(),
            },
        )
        .await?;
        tollgate_store::commit(tx).await?;
    }
    ensure_user(
        app,
        &sys,
        "ops@demo-telecom.test",
        "Olga Operator",
        Role::OperatorAdmin,
        None,
        None,
    )
    .await?;
    crate::rating::ensure_demo_rates(app).await?;
    for p in PARTNERS {
        let row = match tenancy_store::system::find_partner_by_name(&app.store, p.name).await? {
            Some(r) => r,
            None => {
                let assigned = match p.assigned_to {
                    Some(n) => tenancy_store::system::find_partner_by_name(&app.store, n)
                        .await?
                        .map(|r| r.id),
                    None => None,
                };
                app.create_partner(&sys, p.name, p.tier, assigned.as_deref())
                    .await?
            }
        };
        ensure_user(
            app,
            &sys,
            p.admin,
            &format!("{} admin", p.name),
            Role::PartnerAdmin,
            Some(row.id),
            None,
        )
        .await?;
    }
    for c in CUSTOMERS {
        let row = match tenancy_store::system::find_customer_by_name(&app.store, c.name).await? {
            Some(r) => r,
            None => {
                let partner_id = match c.partner {
                    Some(n) => tenancy_store::system::find_partner_by_name(&app.store, n)
                        .await?
                        .map(|r| r.id),
                    None => None,
                };
                let new = NewCustomer {
                    name: c.name.into(),
                    partner_id,
                    terms_profile: Some(c.profile.into()),
                    terms_version: None,
                };
                let (row, _) = app.create_customer(&sys, new).await?;
                for (name, currency) in c.accounts {
                    app.create_billing_account(
                        &sys,
                        &row.id,
                        name,
                        currency,
                        Some(crate::rating::demo_rate_table(currency)),
                    )
                    .await?;
                }
                row
            }
        };
        ensure_user(
            app,
            &sys,
            c.admin,
            &format!("{} admin", c.name),
            Role::CustomerAdmin,
            None,
            Some(row.id),
        )
        .await?;
    }
    repoint_demo_rate_tables(app, &sys).await?;
    crate::rating::seed_demo(app).await?;
    crate::numbers::seed_demo(app).await?;
    crate::guard::seed_demo(app).await?;
    crate::billing::demo::seed_demo(app).await?;
    crate::receivables::demo::seed_demo(app).await?;
    crate::support::demo::seed_demo(app).await?;
    crate::messaging::demo::seed_demo(app).await?;
    crate::assurance::demo::seed_demo(app).await?;
    crate::hardware::demo::seed_demo(app).await?;
    crate::frontline::demo::seed_demo(app, data_dir).await?;
    ensure_tokens(app, &sys, data_dir).await
}

/// Demo data from before B1 was enforced priced GBP and USD accounts with the EUR table;
/// each demo account is priced in its own currency.
async fn repoint_demo_rate_tables(app: &App, sys: &Caller) -> Result<(), AppError> {
    for c in CUSTOMERS {
        let Some(customer) =
            tenancy_store::system::find_customer_by_name(&app.store, c.name).await?
        else {
            continue;
        };
        let page = tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT);
        for ba in app
            .list_billing_accounts(sys, Some(&customer.id), &page)
            .await?
        {
            let want = crate::rating::demo_rate_table(&ba.currency);
            if ba.rate_table.as_deref().is_some_and(|t| t != want) {
                app.patch_account_rating(sys, &ba.id, Some(Some(want.into())), None)
                    .await?;
            }
        }
    }
    Ok(())
}

async fn ensure_user(
    app: &App,
    sys: &Caller,
    email: &str,
    name: &str,
    role: Role,
    partner_id: Option<String>,
    customer_id: Option<String>,
) -> Result<(), AppError> {
    if tollgate_store::auth::system::find_user_by_email(&app.store, email)
        .await?
        .is_none()
    {
        let new = NewUser {
            email: email.into(),
            name: name.into(),
            role: role.as_str().into(),
            partner_id,
            customer_id,
            password: Some(DEMO_PASSWORD.into()),
        };
        app.create_user(sys, new).await?;
    }
    Ok(())
}

async fn ensure_tokens(
    app: &App,
    sys: &Caller,
    data_dir: &Path,
) -> Result<BTreeMap<String, String>, AppError> {
    let path = data_dir.join("demo-tokens.json");
    let existing: BTreeMap<String, String> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for (key, email) in TOKEN_USERS {
        let user = tollgate_store::auth::system::find_user_by_email(&app.store, email)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo user {email} missing")))?;
        let reuse = match existing.get(*key) {
            Some(t) => app
                .authenticate(t)
                .await
                .ok()
                .filter(|p| p.user_id == user.id)
                .map(|_| t.clone()),
            None => None,
        };
        let token = match reuse {
            Some(t) => t,
            None => {
                app.create_token(sys, Some(&user.id), &format!("demo {key}"), None)
                    .await?
                    .token
            }
        };
        out.insert(key.to_string(), token);
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AppError::Internal(format!("{}: {e}", data_dir.display())))?;
    let text = serde_json::to_string_pretty(&out).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
    Ok(out)
}
