//! Demo service assurance: the provider's services and components on the status page, the
//! demo customers mapped to what they use, last month's history (a provider outage on the EU
//! PBX cluster beyond the 4 h restoration time, a maintenance window notified too late, a
//! notified one, a force-majeure outage), a recent third-party incident, a planned window,
//! the daily availability published and last month's SLA closed: Acme Dental gets a 10 %
//! credit on its next invoice.

use tollgate_store::assurance::system as asys;
use tollgate_store::assurance::MaintenanceRow;
use tollgate_store::tenancy::system as tenancy_store;

use super::incidents::{IncidentChange, NewIncident};
use super::maintenance::NewMaintenance;
use super::probes::NewProbe;
use crate::{Actor, App, AppError, Caller};

/// A service: its name, description and components (name, CLASSOUND).
type ServiceSpec = (&'static str, &'static str, &'static [(&'static str, bool)]);

const SERVICES: &[ServiceSpec] = &[
    (
        "SIP edge",
        "SIP trunks and calls in and out (Kamailio)",
        &[("Edge EU", true), ("Edge US", true)],
    ),
    (
        "PBX EU-1",
        "Hosted PBX cluster, Europe",
        &[("PBX EU-1", true)],
    ),
    ("API", "The Tollgate API", &[("API", false)]),
    (
        "Portal",
        "The partner and customer portal",
        &[("Portal", false)],
    ),
    ("Messaging", "SMS delivery", &[("SMSC connector", false)]),
];

fn sys() -> Caller {
    Caller::system(Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    })
}

/// The first second of the month before the one holding `now`, and that month as `YYYY-MM`.
fn last_month(now: i64) -> (i64, String) {
    let d = tollgate_core::time::date_of(now);
    let first = jiff::civil::Date::new(d.year(), d.month(), 1).unwrap_or(d);
    let prev = first
        .checked_sub(jiff::Span::new().months(1))
        .unwrap_or(first);
    (
        tollgate_core::time::day_start(prev),
        format!("{:04}-{:02}", prev.year(), prev.month()),
    )
}

/// A past window as history (the demo's last month): its notice at the time it went out.
async fn history(
    app: &App,
    sys: &Caller,
    title: &str,
    (starts_at, ends_at): (i64, i64),
    component: &str,
    notice_at: i64,
) -> Result<(), AppError> {
    let row = MaintenanceRow {
        id: crate::ids::new_id("mnt"),
        title: title.into(),
        starts_at,
        ends_at,
        notice_at: Some(notice_at),
        cancelled_at: None,
        created_at: notice_at,
        created_by: sys.actor.actor.clone(),
    };
    app.insert_maintenance(sys, &row, &[component.to_string()])
        .await
}

pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    if !asys::services(&app.store).await?.is_empty() {
        return Ok(());
    }
    let sys = sys();
    let mut ids = std::collections::BTreeMap::new();
    for (k, (name, description, components)) in SERVICES.iter().enumerate() {
        let s = app
            .create_service(&sys, name, description, i64::try_from(k).unwrap_or(0))
            .await?;
        for (c, classound) in components.iter() {
            let row = app.create_component(&sys, &s.id, c, *classound).await?;
            ids.insert(*c, row.id);
        }
    }
    let id = |n: &str| ids.get(n).cloned().unwrap_or_default();
    for (customer, uses) in [
        ("Acme Dental", &["Edge EU", "PBX EU-1", "API", "Portal"][..]),
        ("Bayview Bakery", &["Edge EU", "PBX EU-1", "Portal"][..]),
        ("Harbor Logistics", &["Edge EU", "PBX EU-1", "API"][..]),
        ("Direct Corp", &["Edge US", "API", "SMSC connector"][..]),
    ] {
        if let Some(c) = tenancy_store::find_customer_by_name(&app.store, customer).await? {
            let components: Vec<String> = uses.iter().map(|u| id(u)).collect();
            app.set_customer_components(&sys, &c.id, &components)
                .await?;
        }
    }
    let now = app.now();
    let (m, month) = last_month(now);
    let h = 3_600;
    // Day 10 of last month, 10:00-16:00: a provider outage of the EU PBX cluster (6 h: beyond
    // the 4 h restoration time of the wildix profiles, within x-hoppers' 8 h).
    let day = |d: i64| m + (d - 1) * 86_400;
    let outage = app
        .open_incident(
            &sys,
            NewIncident {
                title: "PBX EU-1: calls fail to register".into(),
                cause: "provider".into(),
                cos: Some("critical".into()),
                components: vec![id("PBX EU-1")],
                started_at: Some(day(10) + 10 * h),
                message: "Registrations to the EU-1 cluster fail; we are investigating.".into(),
            },
        )
        .await?;
    app.update_incident(
        &sys,
        &outage.incident.id,
        IncidentChange {
            status: "resolved".into(),
            message: "A failed storage node was replaced; registrations work again.".into(),
            cause: None,
            resolved_at: Some(day(10) + 16 * h),
        },
    )
    .await?;
    // Day 20, 02:00-04:00: maintenance noticed only an hour before (counted, S1).
    history(
        app,
        &sys,
        "PBX EU-1 database upgrade",
        (day(20) + 2 * h, day(20) + 4 * h),
        &id("PBX EU-1"),
        day(20) + h,
    )
    .await?;
    // Day 25, 01:00-03:00: maintenance noticed five days ahead (excluded, S1).
    history(
        app,
        &sys,
        "Edge EU kernel update",
        (day(25) + h, day(25) + 3 * h),
        &id("Edge EU"),
        day(20) + h,
    )
    .await?;
    // Day 27: a regional power failure (force majeure, W 9.8: not counted).
    let fm = app
        .open_incident(
            &sys,
            NewIncident {
                title: "Edge US: regional power failure".into(),
                cause: "force_majeure".into(),
                cos: Some("critical".into()),
                components: vec![id("Edge US")],
                started_at: Some(day(27) + 8 * h),
                message: "A regional grid failure took down the US data centre's power.".into(),
            },
        )
        .await?;
    app.update_incident(
        &sys,
        &fm.incident.id,
        IncidentChange {
            status: "resolved".into(),
            message: "Power is back; the edge answers again.".into(),
            cause: None,
            resolved_at: Some(day(27) + 11 * h),
        },
    )
    .await?;
    // Three days ago: the SMS carrier delayed deliveries for 45 minutes (third party).
    let carrier = app
        .open_incident(
            &sys,
            NewIncident {
                title: "Messaging: delivery delays".into(),
                cause: "third_party".into(),
                cos: Some("standard".into()),
                components: vec![id("SMSC connector")],
                started_at: Some(now - 3 * 86_400),
                message: "A carrier delays delivery receipts; messages are queued.".into(),
            },
        )
        .await?;
    app.update_incident(
        &sys,
        &carrier.incident.id,
        IncidentChange {
            status: "resolved".into(),
            message: "The carrier cleared its backlog.".into(),
            cause: None,
            resolved_at: Some(now - 3 * 86_400 + 45 * 60),
        },
    )
    .await?;
    // Next week: a planned window, notified now.
    let next = tollgate_core::assurance::availability::Span {
        start: (now / 86_400 + 7) * 86_400 + 2 * h,
        end: (now / 86_400 + 7) * 86_400 + 3 * h,
    };
    app.plan_maintenance(
        &sys,
        NewMaintenance {
            title: "Portal release".into(),
            starts_at: next.start,
            ends_at: next.end,
            components: vec![id("Portal")],
            notify: true,
        },
    )
    .await?;
    app.incident_ticket_sweep().await?;
    app.publish_daily().await?;
    app.sla_close(&sys, &month).await?;
    Ok(())
}

/// The demo's probes of what the served demo runs itself: its own API over HTTP and the
/// demo SMSC over TCP (added when serving, once the addresses are known).
pub async fn seed_probes(app: &App, listen: &str, smsc: Option<&str>) -> Result<(), AppError> {
    if !app.probes().await?.is_empty() {
        return Ok(());
    }
    let components = app.components().await?;
    let id = |n: &str| {
        components
            .iter()
            .find(|c| c.name == n)
            .map(|c| c.id.clone())
    };
    let sys = sys();
    let probe = |component_id: String, name: &str, kind: &str, target: String| NewProbe {
        component_id,
        name: name.into(),
        kind: kind.into(),
        target,
        dns_name: None,
        expect_status: None,
        expect_body: None,
        interval_s: 30,
        timeout_ms: 2_000,
        fail_threshold: 3,
        recover_threshold: 2,
    };
    if let Some(api) = id("API") {
        let mut p = probe(
            api,
            "API health",
            "http",
            format!("http://{listen}/healthz"),
        );
        p.expect_status = Some(200);
        app.create_probe(&sys, p).await?;
    }
    if let (Some(c), Some(addr)) = (id("SMSC connector"), smsc) {
        app.create_probe(&sys, probe(c, "SMSC reachable", "tcp", addr.to_string()))
            .await?;
    }
    Ok(())
}
