//! Demo hardware: the catalog (a desk phone, its successor, a headset), Acme Dental HQ's lease
//! of the five leased desk phones it ordered last month (Annex A with serials), a fire claim
//! replaced free, and a CAPEX headset sold to Bayview Bakery in 2021 with a 5-year agreement.

use tollgate_store::hardware::system as hsys;
use tollgate_store::tenancy::system as tenancy_store;
use tollgate_store::Page;

use super::capex::NewSale;
use super::catalog::NewModel;
use super::claims::NewClaim;
use crate::{Actor, App, AppError, Caller};

pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    if hsys::any_lease(&app.store).await? {
        return Ok(());
    }
    let sys = Caller::system(Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    });
    let model = |code: &str, name: &str, kind: &str, casualty: i64| NewModel {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        casualty_micros: casualty,
        currency: "EUR".into(),
    };
    let phone = app
        .create_model(
            &sys,
            model("WP480G", "WorkForce desk phone", "desk_phone", 180_000_000),
        )
        .await?;
    app.create_model(
        &sys,
        model(
            "WP490G",
            "WorkForce desk phone, second generation",
            "desk_phone",
            190_000_000,
        ),
    )
    .await?;
    let headset = app
        .create_model(
            &sys,
            model("MHS-DUO", "Headset, two ears", "headset", 90_000_000),
        )
        .await?;
    let Some(acme) = tenancy_store::find_customer_by_name(&app.store, "Acme Dental").await? else {
        return Ok(());
    };
    let page = Page::first(10);
    let Some(hq) = app
        .list_billing_accounts(&sys, Some(&acme.id), &page)
        .await?
        .into_iter()
        .find(|b| b.name == "Acme Dental HQ")
    else {
        return Ok(());
    };
    let Some(sub) = app
        .list_subscriptions(&sys, Some(&hq.id), &Page::first(50))
        .await?
        .into_iter()
        .find(|s| s.kind == "leased_device")
    else {
        return Ok(());
    };
    let lease = app.create_lease(&sys, &hq.id, "five_years").await?;
    // Delivered three days after the order, or today if the order is more recent.
    let today = tollgate_core::time::day_start(super::date(app.now()));
    let delivered = (sub.ordered_on + 3 * 86_400).min(today);
    let mut first = None;
    for k in 1..=sub.quantity.min(5) {
        let line = app
            .deliver_device(
                &sys,
                &lease.id,
                &sub.id,
                &format!("WP480G-DEMO-{k:03}"),
                &phone.id,
                None,
                delivered,
            )
            .await?;
        first.get_or_insert(line.device_id);
    }
    if let Some(device) = first {
        let claim = app
            .claim_replacement(
                &sys,
                NewClaim {
                    device_id: device,
                    cause: "fire".into(),
                    label_identifiable: true,
                    police_report: None,
                },
            )
            .await?;
        app.ship_replacement(&sys, &claim.id, "WP480G-DEMO-101", 12_500_000)
            .await?;
    }
    if let Some(bay) = tenancy_store::find_customer_by_name(&app.store, "Bayview Bakery").await? {
        if let Some(ba) = app
            .list_billing_accounts(&sys, Some(&bay.id), &page)
            .await?
            .into_iter()
            .next()
        {
            app.record_sale(
                &sys,
                NewSale {
                    billing_account: ba.id,
                    serial: "MHS-DEMO-2021".into(),
                    model_id: headset.id,
                    purchased_on: tollgate_core::time::day_start(jiff::civil::date(2021, 3, 1)),
                    five_year_agreement: true,
                    agreement_copy: Some("contracts/bayview-2021-warranty.pdf".into()),
                },
            )
            .await?;
        }
    }
    Ok(())
}
