//! The status page's Atom feed (RFC 4287: one entry per incident update and planned window)
//! and the uptime badge (an SVG of the service's availability over the published window).
//! Text only, escaped; nothing is fetched.

use tollgate_app::assurance::status::{ServiceStatus, StatusView};
use tollgate_core::assurance::availability::format_pct;

use crate::extract::ts;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The Atom feed of the status page; `base` is the absolute origin the feed was fetched
/// from (links are absolute, RFC 4287 §4.2.7), `author` the operator's name (§4.1.1).
pub fn atom(v: &StatusView, base: &str, author: &str) -> String {
    let mut entries = String::new();
    let mut updated = v.generated_at;
    for i in &v.incidents {
        for u in &i.updates {
            updated = updated.max(u.at);
            entries.push_str(&format!(
                "<entry><id>urn:tollgate:incident:{id}:{uid}</id><title>{title} ({status})</title>\
                 <updated>{at}</updated><link rel=\"alternate\" href=\"{base}/status#{id}\"/>\
                 <content type=\"text\">{msg}</content>\
                 <category term=\"{cause}\"/></entry>\n",
                id = esc(&i.incident.id),
                uid = esc(&u.id),
                title = esc(&i.incident.title),
                status = esc(&u.status),
                at = ts(u.at),
                msg = esc(&u.message),
                cause = esc(&i.incident.cause),
                base = esc(base),
            ));
        }
    }
    for (m, components) in &v.maintenance {
        entries.push_str(&format!(
            "<entry><id>urn:tollgate:maintenance:{id}</id><title>Maintenance: {title}</title>\
             <updated>{at}</updated><link rel=\"alternate\" href=\"{base}/status\"/>\
             <content type=\"text\">From {from} to {to}: {c}</content>\
             <category term=\"maintenance\"/></entry>\n",
            id = esc(&m.id),
            title = esc(&m.title),
            at = ts(m.notice_at.unwrap_or(m.created_at)),
            from = ts(m.starts_at),
            to = ts(m.ends_at),
            c = esc(&components.join(", ")),
            base = esc(base),
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\">\n<id>urn:tollgate:status</id>\
         <title>{author}: service status</title><updated>{updated}</updated>\
         <author><name>{author}</name></author>\
         <link rel=\"self\" href=\"{base}/status/feed.atom\"/>\
         <link rel=\"alternate\" href=\"{base}/status\"/>\n{entries}</feed>\n",
        updated = ts(updated),
        author = esc(author),
        base = esc(base),
    )
}

/// Width of a badge's text in pixels, per character (a monospace estimate: no font metrics
/// are fetched).
const CHAR_PX: usize = 7;

/// The uptime badge of a service.
pub fn badge(s: &ServiceStatus) -> String {
    let label = "uptime";
    let value = if s.window.period_s == 0 {
        "no data".to_string()
    } else {
        format!("{} %", format_pct(s.window.pct_hundredths()))
    };
    let colour = match s.window.pct_hundredths() {
        _ if s.window.period_s == 0 => "#9f9f9f",
        p if p >= 9990 => "#2e7d32",
        p if p >= 9900 => "#f9a825",
        _ => "#c62828",
    };
    let lw = label.len() * CHAR_PX + 12;
    let vw = value.len() * CHAR_PX + 12;
    let w = lw + vw;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\" role=\"img\" \
         aria-label=\"{name} {label}: {value}\"><title>{name} {label}: {value}</title>\
         <rect width=\"{lw}\" height=\"20\" fill=\"#555\"/>\
         <rect x=\"{lw}\" width=\"{vw}\" height=\"20\" fill=\"{colour}\"/>\
         <g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\
         <text x=\"6\" y=\"14\">{label}</text><text x=\"{vx}\" y=\"14\">{value}</text></g></svg>",
        name = esc(&s.service.name),
        vx = lw + 6,
    )
}
