//! Frontline: today's figures per store and across stores (Q: response times, missed and
//! escalated alerts, staff time, joins and leaves, call-point scans), the open queues of the
//! broadcasts, the staff with the broadcast each is in and the seat each takes (L1), and the
//! call points and cameras with whether each is in service.

use axum::extract::State;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use crate::chart::{self, Bar};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

/// Rows of each table.
const ROWS: i64 = 100;
/// Stores in the chart (the busiest).
const CHART_STORES: usize = 12;

fn seconds(ms: Option<i64>) -> String {
    ms.map_or_else(
        || "—".into(),
        |v| format!("{}.{} s", v / 1000, (v % 1000) / 100),
    )
}

pub async fn show(State(app): State<App>, session: Session) -> PageResult {
    let c = session.caller(&app, Permission::FrontlineRead).await?;
    let now = app.now();
    let day = now - now.rem_euclid(86_400);
    let stats = app
        .frontline_stats(&c, None, day * 1_000, (day + 86_400) * 1_000)
        .await?;

    let mut st = Table::new(
        "Today (UTC) per store, from the event log: alerts raised = accepted + missed + open; response from raise to accept",
        &["Store", "Raised", "Accepted", "Missed", "Escalated", "Open", "Response p50", "Response p90", "Staff time", "Joins", "Leaves", "Scans"],
        "No store.",
    );
    for s in stats.stores.iter().chain(std::iter::once(&stats.total)) {
        let missed = s.alerts.missed;
        st.row(vec![
            Cell::text(s.store.clone()),
            Cell::num(s.alerts.raised.to_string()),
            Cell::num(s.alerts.accepted.to_string()),
            Cell::num(missed.to_string()).class(if missed > 0 { "bad" } else { "" }),
            Cell::num(s.alerts.escalated.to_string()),
            Cell::num(s.alerts.open.to_string()),
            Cell::num(seconds(s.alerts.response_p50_ms)),
            Cell::num(seconds(s.alerts.response_p90_ms)),
            Cell::num(format!("{} min", s.staff_time_ms / 60_000)),
            Cell::num(s.joins.to_string()),
            Cell::num(s.leaves.to_string()),
            Cell::num(s.scans.to_string()),
        ]);
    }
    let mut busiest: Vec<_> = stats.stores.iter().collect();
    busiest.sort_by_key(|s| std::cmp::Reverse(s.alerts.raised));
    let bars: Vec<Bar> = busiest
        .iter()
        .take(CHART_STORES)
        .map(|s| Bar {
            label: s.store.clone(),
            value: i64::try_from(s.alerts.raised).unwrap_or(i64::MAX),
            over: i64::try_from(s.alerts.accepted).unwrap_or(i64::MAX),
            text: format!("{} raised, {} accepted", s.alerts.raised, s.alerts.accepted),
        })
        .collect();
    let title = "Alerts today, the busiest stores";

    let page = tollgate_store::Page::first(ROWS);
    let mut qt = Table::new(
        "Open alerts in each broadcast's queue, in order: announced again at the broadcast's frequency until an associate accepts",
        &["Broadcast", "#", "From", "Type", "Event", "Text", "Raised", "Escalated"],
        "Nothing waiting.",
    );
    let broadcasts = app.frontline_broadcasts(&c, None, &page).await?;
    for b in &broadcasts {
        for n in app.frontline_queue(&c, &b.id).await? {
            qt.row(vec![
                Cell::text(b.name.clone()),
                Cell::num(n.seq.to_string()),
                Cell::text(n.from_label.clone()),
                Cell::text(n.kind.replace('_', " ")),
                Cell::text(n.event.replace('_', " ")),
                Cell::text(n.text.clone()),
                Cell::text(format::time(n.raised_at_ms / 1_000)),
                Cell::text(format::time_opt(n.escalated_at_ms.map(|m| m / 1_000))).class(
                    if n.escalated_at_ms.is_some() {
                        "bad"
                    } else {
                        ""
                    },
                ),
            ]);
        }
    }

    let mut sf = Table::new(
        "Staff: each takes a headset or app seat of the store's subscription (L1)",
        &[
            "Name",
            "Device",
            "Manager",
            "In broadcast",
            "Since",
            "Active",
        ],
        "No staff.",
    );
    for s in app.frontline_staff_list(&c, None, &page).await? {
        let bc = s
            .broadcast_id
            .as_ref()
            .and_then(|id| broadcasts.iter().find(|b| &b.id == id))
            .map_or_else(|| "—".to_string(), |b| b.name.clone());
        sf.row(vec![
            Cell::text(s.name.clone()),
            Cell::text(s.device.clone()),
            Cell::text(if s.manager == 1 { "yes" } else { "" }),
            Cell::text(bc),
            Cell::text(format::time_opt(s.joined_at_ms.map(|m| m / 1_000))),
            Cell::text(if s.active == 1 { "yes" } else { "no" }),
        ]);
    }

    let mut so = Table::new(
        "Call points and cameras: a point not in service scans as unknown, a camera not in service has its alerts refused (POST /v1/frontline/call-points/{id}/active, /v1/frontline/video-sources/{id}/active)",
        &["Kind", "Name", "Broadcast", "In service"],
        "No call point or camera.",
    );
    let broadcast_name = |id: &str| {
        broadcasts
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| "—".to_string(), |b| b.name.clone())
    };
    let in_service = |active: i64| {
        Cell::text(if active == 1 { "yes" } else { "out of service" }).class(if active == 1 {
            ""
        } else {
            "bad"
        })
    };
    let points = app.frontline_call_points(&c, None, &page).await?;
    let cameras = app.frontline_video_sources(&c, None, &page).await?;
    let sources = points
        .into_iter()
        .map(|p| ("call point", p.label, p.broadcast_id, p.active))
        .chain(
            cameras
                .into_iter()
                .map(|v| ("camera", v.name, v.broadcast_id, v.active)),
        );
    for (kind, name, broadcast, active) in sources {
        so.row(vec![
            Cell::text(kind),
            Cell::text(name),
            Cell::text(broadcast_name(&broadcast)),
            in_service(active),
        ]);
    }

    let mut figures = Section::new("Stores today");
    if !bars.is_empty() {
        figures = figures.chart(
            chart::bars(title, &bars, Some(("raised", "accepted")), &|v| {
                v.to_string()
            }),
            chart::table(title, &bars),
        );
    }
    Page::new(&session, "frontline", "Frontline")
        .lead("Smart call points, AI video alerts and push-to-talk requests become notifications in each broadcast's queue: announced to the staff in the broadcast, repeated until one accepts, escalated to the store manager and counted missed when nobody does (Q, X 2.B). The comparison as CSV: GET /v1/frontline/stats.csv.")
        .section(figures.table(st))
        .section(Section::new("Open alerts").table(qt))
        .section(Section::new("Staff").table(sf))
        .section(Section::new("Call points and cameras").table(so))
        .ok()
}
