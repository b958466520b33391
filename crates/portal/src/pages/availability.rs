//! Availability: the services' state and uptime (S2), incidents with their cause and, for
//! CLASSOUND, the restoration time (T5), and the SLA outcomes in scope with their
//! computation and the credit on the next invoice (S3, B12). The public page is `/status`.

use axum::extract::State;
use tollgate_app::records::CreditFilter;
use tollgate_app::App;
use tollgate_core::assurance::availability::format_pct;
use tollgate_core::tenancy::Permission;

use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

/// Rows of each table.
const ROWS: i64 = 50;

pub async fn show(State(app): State<App>, session: Session) -> PageResult {
    let c = session.caller(&app, Permission::AssuranceRead).await?;
    let v = app.status().await?;
    let mut st = Table::new(
        "Services: state now and availability over the published days",
        &[
            "Service",
            "State",
            "Availability",
            "Counted down",
            "Excluded maintenance",
        ],
        "No service yet.",
    );
    for s in &v.services {
        st.row(vec![
            Cell::text(s.service.name.clone()),
            Cell::text(s.state.replace('_', " ")).class(if s.state.ends_with("outage") {
                "bad"
            } else {
                "ok"
            }),
            Cell::num(if s.window.period_s == 0 {
                "—".into()
            } else {
                format!("{} %", format_pct(s.window.pct_hundredths()))
            }),
            Cell::num(format!("{} min", s.window.counted_s / 60)),
            Cell::num(format!("{} min", s.window.excluded_maintenance_s / 60)),
        ]);
    }
    let now = app.now();

    let mut it = Table::new(
        "Open incidents and those resolved in the last three months, latest first: cause (only the provider's counts, S3) and restoration (T5)",
        &["Started", "Resolved", "Incident", "Cause", "Restoration (T5)"],
        "No incident.",
    );
    for i in app.recent_incidents(now - 92 * 86_400).await? {
        let view = app.incident_for(&c, &i.id).await?;
        let srt = view
            .restoration
            .iter()
            .map(|r| {
                format!(
                    "{} {} h: {}",
                    r.profile,
                    r.srt_h,
                    if r.restoration.breached {
                        "breached"
                    } else {
                        "met"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        it.row(vec![
            Cell::text(format::time(i.started_at)),
            Cell::text(format::time_opt(i.resolved_at)),
            Cell::text(i.title.clone()),
            Cell::text(i.cause.replace('_', " ")),
            Cell::text(if srt.is_empty() { "—".into() } else { srt }),
        ]);
    }
    let credits = app
        .sla_credits(
            &c,
            &CreditFilter::default(),
            &tollgate_store::Page::first(ROWS),
        )
        .await?;
    let mut ct = Table::new(
        "SLA outcomes (S3): the month's availability, the share payable and the credit on the next invoice (B12)",
        &["Month", "Account", "Level", "Availability", "Down / month", "Maintenance excluded", "Payable", "Fee", "Credit"],
        "No month closed yet.",
    );
    for s in &credits {
        ct.row(vec![
            Cell::text(s.month.clone()),
            Cell::link(
                s.billing_account_id.clone(),
                format!("/portal/accounts/{}", s.billing_account_id),
            ),
            Cell::text(s.level.clone()),
            Cell::num(format!("{} %", format_pct(s.availability_hundredths))),
            Cell::num(format!("{} / {} min", s.counted_s / 60, s.period_s / 60)),
            Cell::num(format!("{} min", s.excluded_maintenance_s / 60)),
            Cell::num(format!("{} %", s.payable_pct)),
            Cell::num(format::micros(s.fee_micros, &s.currency)),
            Cell::num(format::micros(s.credit_micros, &s.currency)).class(if s.credit_micros > 0 {
                "ok"
            } else {
                ""
            }),
        ]);
    }
    Page::new(&session, "availability", "Availability")
        .lead("Availability is measured per day from incidents and probes; maintenance notified in advance and outages that are not the provider's fault are excluded (S1, S3). The public status page is at /status.")
        .section(Section::new("Services").table(st))
        .section(Section::new("Incidents").table(it))
        .section(Section::new("SLA credits").table(ct))
        .ok()
}
