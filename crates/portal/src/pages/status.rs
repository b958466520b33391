//! The public status page (S2, no login): each service's state, its published daily
//! availability as a strip of bars, open and recent incidents with their updates, scheduled
//! maintenance. Self-contained: its style is inline and its bars are inline SVG, so the page
//! downloads nothing else.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tollgate_app::assurance::status::RECENT_INCIDENT_DAYS;
use tollgate_app::App;
use tollgate_core::assurance::availability::format_pct;

use crate::format;

/// The page's one style block, inline (the page downloads nothing else); the page's content
/// security policy allows exactly it, by its hash.
const CSS: &str = include_str!("status.css");

/// `style-src 'sha256-...'` of [`CSS`]: the policy names the one inline style allowed.
fn csp() -> String {
    use sha2::Digest;
    let hash = tollgate_core::numbers::encode_base64(&sha2::Sha256::digest(CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; form-action 'none'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Width of one day's bar and the gap after it, in SVG units.
const BAR_W: i64 = 6;
const BAR_GAP: i64 = 2;

pub struct DayBar {
    x: i64,
    w: i64,
    colour: &'static str,
    title: String,
}

pub struct ServiceView {
    name: String,
    description: String,
    state: &'static str,
    state_label: &'static str,
    width: i64,
    bars: Vec<DayBar>,
    days_label: String,
    uptime: String,
}

pub struct IncidentItem {
    title: String,
    state: String,
    cause: String,
    span: String,
    updates: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "status.html", whitespace = "minimize")]
struct StatusPage {
    css: &'static str,
    headline: String,
    any_down: bool,
    any_maint: bool,
    services: Vec<ServiceView>,
    incidents: Vec<IncidentItem>,
    maintenance: Vec<(String, String, String)>,
    recent_days: i64,
    generated: String,
}

fn label(state: &str) -> &'static str {
    match state {
        "major_outage" => "Major outage",
        "partial_outage" => "Partial outage",
        "maintenance" => "Under maintenance",
        _ => "Operational",
    }
}

/// A day's colour: green when fully up, amber below 99.9 %, red below 99 %, grey unpublished.
fn colour(hundredths: Option<i64>) -> &'static str {
    match hundredths {
        None => "#c8c8c8",
        Some(h) if h >= 10_000 => "#2e7d32",
        Some(h) if h >= 9_990 => "#7cb342",
        Some(h) if h >= 9_900 => "#f9a825",
        Some(_) => "#c62828",
    }
}

pub async fn show(State(app): State<App>) -> Response {
    let v = match app.status().await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "status page");
            return (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "The status page is unavailable; try again shortly.",
            )
                .into_response();
        }
    };
    let services: Vec<ServiceView> = v
        .services
        .iter()
        .map(|s| {
            let n = i64::try_from(s.days.len()).unwrap_or(0);
            let bars = s
                .days
                .iter()
                .enumerate()
                .map(|(k, (day, row))| {
                    let m = row
                        .as_ref()
                        .map(|r| tollgate_core::assurance::availability::Measure {
                            period_s: r.period_s,
                            counted_s: r.counted_s,
                            excluded_maintenance_s: r.excluded_maintenance_s,
                            excluded_other_s: r.excluded_other_s,
                        });
                    let pct = m.map(|m| m.pct_hundredths());
                    DayBar {
                        x: i64::try_from(k).unwrap_or(0) * (BAR_W + BAR_GAP),
                        w: BAR_W,
                        colour: colour(pct),
                        title: match (m, pct) {
                            (Some(m), Some(p)) => format!(
                                "{}: {} % ({} min down)",
                                format::day(*day),
                                format_pct(p),
                                m.counted_s / 60
                            ),
                            _ => format!("{}: no data", format::day(*day)),
                        },
                    }
                })
                .collect();
            ServiceView {
                name: s.service.name.clone(),
                description: s.service.description.clone(),
                state: s.state,
                state_label: label(s.state),
                width: (n * (BAR_W + BAR_GAP) - BAR_GAP).max(1),
                bars,
                days_label: format!("{n} days"),
                uptime: if s.window.period_s == 0 {
                    "no data yet".into()
                } else {
                    format!("{} % uptime", format_pct(s.window.pct_hundredths()))
                },
            }
        })
        .collect();
    let any_down = services.iter().any(|s| s.state.ends_with("outage"));
    let any_maint = services.iter().any(|s| s.state == "maintenance");
    let headline = if any_down {
        "Some services are disrupted: see the incidents below."
    } else if any_maint {
        "Maintenance in progress."
    } else {
        "All services are operational."
    };
    let incidents = v
        .incidents
        .iter()
        .map(|i| IncidentItem {
            title: i.incident.title.clone(),
            state: i.incident.state.clone(),
            cause: i.incident.cause.replace('_', " "),
            span: match i.incident.resolved_at {
                Some(r) => format!(
                    "{} – {}",
                    format::time(i.incident.started_at),
                    format::time(r)
                ),
                None => format!("since {}", format::time(i.incident.started_at)),
            },
            updates: i
                .updates
                .iter()
                .rev()
                .map(|u| (format::time(u.at), u.status.clone(), u.message.clone()))
                .collect(),
        })
        .collect();
    let maintenance = v
        .maintenance
        .iter()
        .map(|(m, c)| {
            (
                m.title.clone(),
                format!(
                    "{} – {}",
                    format::time(m.starts_at),
                    format::time(m.ends_at)
                ),
                c.join(", "),
            )
        })
        .collect();
    let page = StatusPage {
        css: CSS,
        headline: headline.into(),
        any_down,
        any_maint,
        services,
        incidents,
        maintenance,
        recent_days: RECENT_INCIDENT_DAYS,
        generated: format::time(v.generated_at),
    };
    match page.render() {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                (header::CACHE_CONTROL, "max-age=30".to_string()),
                (header::CONTENT_SECURITY_POLICY, csp()),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "status page render");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
