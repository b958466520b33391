//! The demo's money: a catalog, the operator's wholesale lists per partner tier and retail
//! lists, each partner's own retail list, tax and fee rates (one changing on the authority's
//! date), billing details, orders fulfilled into subscriptions (licences, numbers, a leased
//! device, a sold device, a set-up fee), rated calls of last month and this one, and last
//! month's run: wholesale and retail invoices at both levels of every chain. Idempotent.

use tollgate_core::billing::run_period::RunPeriod;
use tollgate_core::time::{date_of, day_start};
use tollgate_store::billing::system as billing_system;
use tollgate_store::{tenancy as tenancy_store, Page};

use super::{
    BillingDetails, BillingDetailsOf, NewOrder, NewOrderLine, NewPriceVersion, NewProduct,
    NewTaxRate, RETAIL, WHOLESALE,
};
use crate::rating::CdrFormat;
use crate::{Actor, App, AppError, Caller};

/// (code, name, kind, included calls, included minutes, retail price a month or once).
const PRODUCTS: &[(&str, &str, &str, i64, i64, i64)] = &[
    (
        "UC-BUSINESS",
        "UC Business licence",
        "licence",
        2,
        1_000,
        24_000_000,
    ),
    (
        "UC-ESSENTIAL",
        "UC Essential licence",
        "licence",
        1,
        0,
        14_500_000,
    ),
    (
        "EXTRA-CHANNEL",
        "Extra call channel",
        "extra_channel",
        1,
        0,
        6_000_000,
    ),
    ("DID", "Telephone number (DID)", "number", 0, 0, 2_500_000),
    ("FAX", "Fax to e-mail", "fax", 0, 0, 4_000_000),
    (
        "SMS-200",
        "Messaging bundle, 200 SMS",
        "messaging",
        0,
        0,
        9_000_000,
    ),
    (
        "HWAAS-PHONE",
        "Desk phone, leased (HWaaS)",
        "leased_device",
        0,
        0,
        7_900_000,
    ),
    (
        "PHONE-SOLD",
        "Desk phone, bought",
        "sold_device",
        0,
        0,
        129_000_000,
    ),
    (
        "SETUP",
        "Set-up and provisioning",
        "one_time",
        0,
        0,
        49_000_000,
    ),
];

/// Wholesale share of the retail price per tier, percent, and the tier's usage discount (bp).
const TIERS: &[(&str, i64, i64)] = &[
    ("gold", 70, 2_000),
    ("bronze", 80, 1_000),
    ("reseller", 75, 1_500),
];

/// Partner retail lists: partner, currency, markup over the operator's retail price (percent).
const PARTNER_LISTS: &[(&str, &str, i64)] = &[
    ("Northwind Communications", "EUR", 100),
    ("Bronze Bay IT", "EUR", 105),
    ("Harbor Resell Ltd", "GBP", 110),
];

/// (jurisdiction, name, kind, percent, valid from).
const TAX_RATES: &[(&str, &str, &str, &str, &str)] = &[
    ("FR", "TVA", "tax", "20", "2014-01-01"),
    ("IE", "VAT", "tax", "23", "2021-03-01"),
    ("GB", "VAT", "tax", "20", "2011-01-04"),
    ("US-NY", "Sales tax", "tax", "8.875", "2025-01-01"),
    // B7: a recovery fee the authority made effective from 1 November 2026.
    ("US", "Regulatory recovery fee", "fee", "3.5", "2026-11-01"),
];

/// Billing details: (account or party name, address lines, jurisdiction, tax id).
const DETAILS: &[(&str, &[&str], &str, Option<&str>)] = &[
    (
        "Acme Dental HQ",
        &["12 rue de la Paix", "75002 Paris", "France"],
        "FR",
        Some("FR40123456824"),
    ),
    (
        "Acme Dental Branch",
        &["3 place Bellecour", "69002 Lyon", "France"],
        "FR",
        Some("FR40123456824"),
    ),
    (
        "Bayview Bakery",
        &["4 Harbour Road", "Howth, Dublin D13", "Ireland"],
        "IE",
        None,
    ),
    (
        "Harbor Logistics UK",
        &["Unit 7, Dockside", "Felixstowe IP11 3SY", "United Kingdom"],
        "GB",
        Some("GB123456789"),
    ),
    (
        "Direct Corp",
        &["500 Fifth Avenue", "New York, NY 10110", "United States"],
        "US-NY",
        None,
    ),
];
const PARTNER_DETAILS: &[(&str, &[&str], &str, &str)] = &[
    (
        "Northwind Communications",
        &["8 avenue de l'Opéra", "75001 Paris", "France"],
        "FR",
        "FR55987654321",
    ),
    (
        "Bronze Bay IT",
        &["1 Quay Street", "Galway H91", "Ireland"],
        "IE",
        "IE6388047V",
    ),
    (
        "Harbor Resell Ltd",
        &["22 Wharf Lane", "Ipswich IP4 1AX", "United Kingdom"],
        "GB",
        "GB987654321",
    ),
];

fn sys() -> Caller {
    Caller::system(Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    })
}

pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let sys = sys();
    if billing_system::find_product(&app.store, "UC-BUSINESS")
        .await?
        .is_none()
    {
        seed_catalog(app, &sys).await?;
    }
    seed_details(app, &sys).await?;
    seed_orders(app, &sys).await?;
    seed_calls(app).await?;
    // Last month's run: invoices at both levels (a finished run answers without change).
    let today = date_of(app.now());
    let m = last_month(today);
    let period = RunPeriod::parse(&format!("{:04}-{:02}", m.year(), m.month()), today)?;
    app.run_billing(&sys, &period.label(), &mut |_| {}).await?;
    Ok(())
}

/// The first day of the month before `today`'s.
fn last_month(today: jiff::civil::Date) -> jiff::civil::Date {
    (today.first_of_month() - jiff::Span::new().days(1)).first_of_month()
}

fn version(items: Vec<(String, String)>, usage_discount_bp: i64) -> NewPriceVersion {
    NewPriceVersion {
        valid_from: "2026-01-01".into(),
        items,
        discounts: vec![("3_year".into(), 1_500), ("5_year".into(), 2_000)],
        usage_discount_bp,
    }
}

fn priced(pct: i64) -> Vec<(String, String)> {
    PRODUCTS
        .iter()
        .map(|p| {
            let micros = p.5 * pct / 100;
            (
                p.0.to_string(),
                tollgate_core::money::format_scaled(i128::from(micros), 6),
            )
        })
        .collect()
}

async fn seed_catalog(app: &App, sys: &Caller) -> Result<(), AppError> {
    for p in PRODUCTS {
        app.create_product(
            sys,
            NewProduct {
                code: p.0.into(),
                name: p.1.into(),
                kind: p.2.into(),
                included_calls: p.3,
                included_minutes: p.4,
                included_zone: (p.4 > 0).then(|| "area1".to_string()),
            },
        )
        .await?;
    }
    for cur in ["EUR", "GBP", "USD"] {
        let l = app
            .create_price_list(sys, &format!("Retail {cur}"), RETAIL, None, cur)
            .await?;
        app.add_price_version(sys, &l.id, version(priced(100), 0))
            .await?;
        for (tier, share, usage_bp) in TIERS {
            let l = app
                .create_price_list(
                    sys,
                    &format!("Wholesale {tier} {cur}"),
                    WHOLESALE,
                    Some(tier),
                    cur,
                )
                .await?;
            app.add_price_version(sys, &l.id, version(priced(*share), *usage_bp))
                .await?;
        }
    }
    for (partner, cur, markup) in PARTNER_LISTS {
        let Some(p) = tenancy_store::system::find_partner_by_name(&app.store, partner).await?
        else {
            continue;
        };
        let mut caller = sys.clone();
        caller.principal.role = tollgate_core::tenancy::Role::PartnerAdmin;
        caller.principal.partner_id = Some(p.id.clone());
        caller.scope = tollgate_core::tenancy::Scope::Partners(vec![p.id.clone()]);
        let l = app
            .create_price_list(
                &caller,
                &format!("{partner} retail {cur}"),
                RETAIL,
                None,
                cur,
            )
            .await?;
        app.add_price_version(&caller, &l.id, version(priced(*markup), 0))
            .await?;
    }
    for (j, name, kind, pct, from) in TAX_RATES {
        app.add_tax_rate(
            sys,
            NewTaxRate {
                jurisdiction: (*j).into(),
                name: (*name).into(),
                kind: (*kind).into(),
                rate_pct: (*pct).into(),
                valid_from: (*from).into(),
            },
        )
        .await?;
    }
    Ok(())
}

async fn seed_details(app: &App, sys: &Caller) -> Result<(), AppError> {
    let details = |lines: &[&str], j: &str, tax: Option<&str>| BillingDetails {
        address_lines: lines.iter().map(|l| l.to_string()).collect(),
        jurisdiction: Some(j.into()),
        tax_id: tax.map(String::from),
    };
    if let Some(op) = billing_system::operator_party(&app.store).await? {
        let d = BillingDetails {
            address_lines: vec![
                "1 Exchange Square".into(),
                "London EC2A 2BR".into(),
                "United Kingdom".into(),
            ],
            jurisdiction: None,
            tax_id: Some("GB100200300".into()),
        };
        app.set_billing_details(sys, BillingDetailsOf::Operator, &op.id, &d)
            .await?;
    }
    for (name, lines, j, tax) in PARTNER_DETAILS {
        if let Some(p) = tenancy_store::system::find_partner_by_name(&app.store, name).await? {
            app.set_billing_details(
                sys,
                BillingDetailsOf::Partner,
                &p.id,
                &details(lines, j, Some(tax)),
            )
            .await?;
        }
    }
    for a in billing_system::billable_accounts(&app.store).await? {
        if let Some((_, lines, j, tax)) = DETAILS.iter().find(|d| d.0 == a.name) {
            app.set_billing_details(
                sys,
                BillingDetailsOf::BillingAccount,
                &a.id,
                &details(lines, j, *tax),
            )
            .await?;
        }
    }
    Ok(())
}

/// A demo account's order: its licence line, the start day in last month, other lines.
struct DemoOrder {
    account: &'static str,
    licence: &'static str,
    quantity: i64,
    term: &'static str,
    frequency: Option<&'static str>,
    start_day: i8,
    extra: &'static [(&'static str, i64)],
}

const ORDERS: &[DemoOrder] = &[
    DemoOrder {
        account: "Acme Dental HQ",
        licence: "UC-BUSINESS",
        quantity: 5,
        term: "3_year",
        frequency: Some("monthly"),
        start_day: 1,
        extra: &[("HWAAS-PHONE", 5), ("SETUP", 1)],
    },
    DemoOrder {
        account: "Acme Dental Branch",
        licence: "UC-ESSENTIAL",
        quantity: 1,
        term: "monthly",
        frequency: None,
        start_day: 17,
        extra: &[],
    },
    DemoOrder {
        account: "Bayview Bakery",
        licence: "UC-BUSINESS",
        quantity: 5,
        term: "annual",
        frequency: Some("annual"),
        start_day: 1,
        extra: &[("FAX", 1)],
    },
    DemoOrder {
        account: "Harbor Logistics UK",
        licence: "UC-BUSINESS",
        quantity: 5,
        term: "monthly",
        frequency: None,
        start_day: 1,
        extra: &[("SMS-200", 1)],
    },
    DemoOrder {
        account: "Direct Corp",
        licence: "UC-BUSINESS",
        quantity: 5,
        term: "monthly",
        frequency: None,
        start_day: 1,
        extra: &[("PHONE-SOLD", 2)],
    },
];

async fn seed_orders(app: &App, sys: &Caller) -> Result<(), AppError> {
    let last_month = last_month(date_of(app.now()));
    for a in billing_system::billable_accounts(&app.store).await? {
        let Some(o) = ORDERS.iter().find(|o| o.account == a.name) else {
            continue;
        };
        if !app
            .list_subscriptions(sys, Some(&a.id), &Page::first(1))
            .await?
            .is_empty()
        {
            continue;
        }
        let start = last_month
            .with()
            .day(o.start_day)
            .build()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut lines = vec![NewOrderLine {
            product: o.licence.into(),
            quantity: o.quantity,
            term: o.term.into(),
            frequency: o.frequency.map(String::from),
            number: None,
        }];
        for (p, q) in o.extra.iter() {
            lines.push(NewOrderLine {
                product: (*p).into(),
                quantity: *q,
                term: "monthly".into(),
                frequency: None,
                number: None,
            });
        }
        for n in
            tollgate_store::numbers::system::active_numbers_of_account(&app.store, &a.id).await?
        {
            lines.push(NewOrderLine {
                product: "DID".into(),
                quantity: 1,
                term: "monthly".into(),
                frequency: None,
                number: Some(n),
            });
        }
        let order = app
            .create_order(
                sys,
                NewOrder {
                    billing_account_id: a.id.clone(),
                    currency: a.currency.clone(),
                    start_date: Some(start.to_string()),
                    lines,
                },
            )
            .await?;
        app.order_event(sys, &order.order.id, "execute").await?;
        app.order_event(sys, &order.order.id, "fulfil").await?;
    }
    Ok(())
}

/// Rated calls of last month from every demo account, by fixed call ids
/// (a resend is a no-op).
async fn seed_calls(app: &App) -> Result<(), AppError> {
    let last_month = day_start(last_month(date_of(app.now())));
    let dests = [
        "+33142685300",
        "+33612345678",
        "+442071234567",
        "+4930123456",
        "+12125550100",
    ];
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,direction\n");
    for a in billing_system::billable_accounts(&app.store).await? {
        let from = tollgate_store::numbers::system::active_numbers_of_account(&app.store, &a.id)
            .await?
            .first()
            .map_or("+33170000001".to_string(), |n| format!("+{n}"));
        for i in 0..24i64 {
            let start = last_month + (i % 20 + 2) * 86_400 + 9 * 3_600 + i * 613;
            let dur = 40 + (i * 97) % 900;
            body.push_str(&format!(
                "demo-billing,{}-{i},{},{from},{},{start},{},{dur},outbound\n",
                a.id,
                a.id,
                dests[i as usize % dests.len()],
                start + dur + 4
            ));
        }
    }
    app.ingest_cdrs(
        &Actor::cli(),
        CdrFormat::Csv,
        body.as_bytes(),
        Some("demo-billing"),
        None,
    )
    .await?;
    Ok(())
}
