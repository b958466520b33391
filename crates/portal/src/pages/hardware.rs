//! Hardware: the leases in scope with their Annex A (E1-E4), the replacement claims with their
//! rule and due time (E5, E6), the devices (leased and CAPEX) and the RMAs (K4).

use axum::extract::State;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

/// Rows of each table.
const ROWS: i64 = 100;

pub async fn show(State(app): State<App>, session: Session) -> PageResult {
    let c = session.caller(&app, Permission::HardwareRead).await?;
    let page = tollgate_store::Page::first(ROWS);
    let now = app.now();
    let models = app.models().await?;
    let model = |id: &str| {
        models
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| id.to_string(), |m| format!("{} ({})", m.name, m.code))
    };

    let mut lt = Table::new(
        "Annex A of each lease: the devices, invoiced from 14 days after their order (E4), changed no earlier than 6 months after delivery (E3)",
        &["Lease", "Owner (E1)", "Term", "Serial", "Model", "Delivered", "Invoiced from", "Changes from", "State"],
        "No lease.",
    );
    for l in app.leases(&c, &page).await? {
        let view = app.lease(&c, &l.id).await?;
        for d in &view.lines {
            lt.row(vec![
                Cell::text(l.id.clone()),
                Cell::text(l.entity.replace('_', " ")),
                Cell::text(l.term.replace('_', " ")),
                Cell::text(d.serial.clone()),
                Cell::text(model(&d.model_id)),
                Cell::text(format::day(d.delivered_on)),
                Cell::text(format::day(d.invoicing_from)),
                Cell::text(
                    tollgate_core::hardware::lease::first_change_allowed(
                        tollgate_core::time::date_of(d.delivered_on),
                    )
                    .to_string(),
                ),
                Cell::text(d.state.replace('_', " ")).class(if d.state == "active" {
                    "ok"
                } else {
                    ""
                }),
            ]);
        }
    }

    let mut ct = Table::new(
        "Replacement requests: the cause decides (E5, E6); the replacement ships within one working day",
        &["Requested", "Device", "Cause", "Outcome", "Rule", "Charged", "Ship by", "Shipped"],
        "No replacement requested.",
    );
    for k in app.claims(&c, &page).await? {
        let late = k.shipped_at.unwrap_or(now) > k.ship_by;
        ct.row(vec![
            Cell::text(format::time(k.requested_at)),
            Cell::text(k.device_id.clone()),
            Cell::text(k.cause.replace('_', " ")),
            Cell::text(k.outcome.clone()),
            Cell::text(format!("{} ({})", k.rule, k.clause)),
            Cell::num(format::micros(k.charge_micros, &k.currency)),
            Cell::text(format::time(k.ship_by)).class(if late { "bad" } else { "" }),
            Cell::text(format::time_opt(k.shipped_at)),
        ]);
    }

    let mut dt = Table::new(
        "Devices in your hands: leased (owned by the provider's entity) or bought (CAPEX)",
        &[
            "Serial",
            "Model",
            "Ownership",
            "Owner",
            "State",
            "Delivered or bought",
            "Operational",
        ],
        "No device.",
    );
    for d in app.devices(&c, None, &page).await? {
        dt.row(vec![
            Cell::text(d.serial.clone()),
            Cell::text(model(&d.model_id)),
            Cell::text(d.ownership.clone()),
            Cell::text(d.owner.replace('_', " ")),
            Cell::text(d.state.replace('_', " ")),
            Cell::text(format::day_opt(d.purchased_on.or(d.delivered_on))),
            Cell::text(if d.operational == 1 { "yes" } else { "no" }),
        ]);
    }

    let mut rt = Table::new(
        "RMAs of CAPEX devices (K4): under warranty only (K2); the verifier's findings refuse them (K3)",
        &["Opened", "Device", "State", "Fault", "Refused (rule)"],
        "No RMA.",
    );
    for r in app.rmas(&c, &page).await? {
        rt.row(vec![
            Cell::text(format::time(r.created_at)),
            Cell::text(r.device_id.clone()),
            Cell::text(r.state.replace('_', " ")),
            Cell::text(r.fault.clone()),
            Cell::text(match (&r.refused_code, &r.refused_rule) {
                (Some(code), Some(rule)) => format!("{code} ({rule})"),
                _ => "—".into(),
            }),
        ]);
    }

    Page::new(&session, "hardware", "Hardware")
        .lead("Leased devices (HWaaS) stay the provider's; a device not returned at the end of its lease is invoiced its unpaid term, its casualty value and 10 % (E7). Bought devices (CAPEX) carry their warranty (K2).")
        .section(Section::new("Leases").table(lt))
        .section(Section::new("Replacements").table(ct))
        .section(Section::new("Devices").table(dt))
        .section(Section::new("RMAs").table(rt))
        .ok()
}
