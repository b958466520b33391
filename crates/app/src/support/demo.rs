//! The demo's support desk: the knowledge base, holidays per region, a few tickets in their
//! different states, and the NOC's tickets from the demo's guard incidents.

use tollgate_core::support::ticket::Impact;
use tollgate_store::Page;

use super::kb_demo::DEMO_ARTICLES;
use super::NewTicket;
use crate::{Actor, App, AppError, Caller};

/// Holidays of the demo's regions (operators manage their own: `PUT /v1/support/holidays`).
const HOLIDAYS: &[(&str, &str, &str)] = &[
    ("americas", "2026-11-26", "Thanksgiving Day"),
    ("americas", "2026-12-25", "Christmas Day"),
    ("americas", "2027-01-01", "New Year's Day"),
    ("emea", "2026-12-25", "Christmas Day"),
    ("emea", "2026-12-26", "Boxing Day"),
    ("emea", "2027-01-01", "New Year's Day"),
];

pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let sys = Caller::system(Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    });
    let files: Vec<(String, String)> = DEMO_ARTICLES
        .iter()
        .map(|(s, t)| (s.to_string(), t.to_string()))
        .collect();
    app.import_articles(&sys, &files).await?;
    for (region, day, name) in HOLIDAYS {
        app.set_holiday(&sys, region, day, name).await?;
    }
    if !app
        .tickets(&sys, None, false, &Page::first(1))
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let gold = app.caller_for_email("admin@northwind.test").await?;
    let bronze = app.caller_for_email("admin@bronzebay.test").await?;
    let direct = app.caller_for_email("admin@direct-corp.test").await?;
    let acme = tollgate_store::tenancy::system::find_customer_by_name(&app.store, "Acme Dental")
        .await?
        .map(|c| c.id);
    let now = app.now();
    let technical = app
        .create_ticket(
            &gold,
            NewTicket {
                customer_id: acme,
                kind: "technical".into(),
                subject: "Calls to Paris drop after about 20 minutes".into(),
                message: "Since Monday, outbound calls from Acme Dental HQ to Paris numbers end after roughly 20 minutes; inbound calls are fine.".into(),
                device: Some("Wildix WP490 desk phones, cloud PBX".into()),
                versions: Some("PBX 7.02.1, phone firmware 1.18".into()),
                trace_numbers: Some("+33170000001 -> +33142685300".into()),
                trace_at: Some(now - 3_600),
                channel: "portal".into(),
                ..NewTicket::default()
            },
        )
        .await?;
    app.reply_ticket(
        &sys,
        &technical.ticket.id,
        "Thank you: the account's maximum call duration comes from its credit limit. We are checking the limit set on Acme Dental HQ.",
        false,
        "portal",
    )
    .await?;
    app.create_ticket(
        &bronze,
        NewTicket {
            kind: "technical".into(),
            issue: Some("pbx_unreachable".into()),
            subject: "Cloud PBX of Bayview Bakery unreachable".into(),
            message: "The Bayview Bakery PBX web interface and phones cannot reach the cloud system since 08:10.".into(),
            device: Some("Cloud PBX bayview-bakery".into()),
            versions: Some("PBX 7.01.4".into()),
            trace_numbers: Some("+31205550100".into()),
            trace_at: Some(now - 1_800),
            impact: Impact {
                cloud_unreachable: true,
                ..Impact::default()
            },
            channel: "portal".into(),
            ..NewTicket::default()
        },
    )
    .await?;
    let care = app
        .create_ticket(
            &direct,
            NewTicket {
                kind: "customer_care".into(),
                topic: Some("billing".into()),
                subject: "Which clause is the fee on line 3?".into(),
                message: "Our October invoice has a fee on line 3; which clause is it under?"
                    .into(),
                channel: "portal".into(),
                ..NewTicket::default()
            },
        )
        .await?;
    app.reply_ticket(
        &sys,
        &care.ticket.id,
        "Each invoice line names its rule and clause; line 3 is the emergency-services fee (B7).",
        false,
        "portal",
    )
    .await?;
    app.set_ticket_state(&sys, &care.ticket.id, "resolved")
        .await?;
    app.ticket_feedback(&direct, &care.ticket.id, 5, Some("Clear answer, thanks."))
        .await?;
    app.set_ticket_state(&sys, &care.ticket.id, "closed")
        .await?;
    app.noc_sweep().await?;
    Ok(())
}
