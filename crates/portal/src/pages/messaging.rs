//! Messaging: the message log with each decision's rule and clause (M7), stop requests
//! waiting for review, registrations (M5) and the latest consent events (M2, M3).

use axum::extract::{Query, State};
use tollgate_app::records::MessageFilter;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;

use super::{next_link, After};
use crate::error::PageResult;
use crate::format;
use crate::session::Session;
use crate::view::{Cell, Page, Section, Table};

/// Rows of the smaller tables (registrations, consents, reviews).
const SIDE_ROWS: i64 = 20;

/// A number as `+digits`; a short code or sender ID as it is.
fn address(a: &str) -> String {
    if a.len() > 6 && a.bytes().all(|b| b.is_ascii_digit()) {
        format!("+{a}")
    } else {
        a.to_string()
    }
}

fn decision(rule: &Option<String>, clause: &Option<String>) -> String {
    match (rule, clause) {
        (Some(r), Some(c)) => format!("{r} ({c})"),
        (Some(r), None) => r.clone(),
        _ => "—".into(),
    }
}

pub async fn show(State(app): State<App>, session: Session, Query(q): Query<After>) -> PageResult {
    let c = session.caller(&app, Permission::MessagesRead).await?;
    let rows = app
        .list_messages(&c, &MessageFilter::default(), &q.page())
        .await?;
    let mut t = Table::new(
        "Messages, oldest first: the decision, its rule and clause, and the delivery state",
        &[
            "When",
            "Direction",
            "From",
            "To",
            "Category",
            "Decision",
            "Rule",
            "State",
            "Segments",
        ],
        "No message yet.",
    );
    for m in &rows {
        let status = Cell::text(format!("{} · {}", m.status, m.code));
        t.row(vec![
            Cell::text(format::time(m.created_at)),
            Cell::text(m.direction.clone()),
            Cell::text(address(&m.sender)),
            Cell::text(format!("+{}", m.recipient)),
            Cell::text(m.category.clone()),
            if m.status == "refused" {
                status.class("bad")
            } else {
                status
            },
            Cell::text(decision(&m.rule, &m.clause)),
            Cell::text(m.state.clone()),
            Cell::num(m.segments.to_string()),
        ]);
    }
    t.next = next_link(
        "/portal/messages",
        rows.len(),
        rows.last().map(|m| m.id.as_str()),
    );
    let side = tollgate_store::Page::first(SIDE_ROWS);
    let pending = app
        .list_messages(
            &c,
            &MessageFilter {
                review_pending: true,
                ..MessageFilter::default()
            },
            &side,
        )
        .await?;
    let mut rt = Table::new(
        "Replies that ask to stop without a keyword, waiting for a person (M3)",
        &["When", "From", "To", "Message"],
        "Nothing waiting for review.",
    );
    for m in &pending {
        rt.row(vec![
            Cell::text(format::time(m.created_at)),
            Cell::text(format!("+{}", m.sender)),
            Cell::text(format!("+{}", m.recipient)),
            Cell::text(m.body.clone().unwrap_or_default()),
        ]);
    }
    let regs = app.list_registrations(&c, None, &side).await?;
    let mut gt = Table::new(
        "Registrations (M5) and their pass-through fees (B8)",
        &[
            "Kind",
            "Reference",
            "Covers",
            "Status",
            "Expires",
            "Fee",
            "Monthly",
            "Per message",
        ],
        "No registration filed.",
    );
    for r in &regs {
        let covers = if r.numbers.is_empty() {
            r.region.clone().unwrap_or_default()
        } else {
            r.numbers.replace(',', ", ")
        };
        gt.row(vec![
            Cell::text(tollgate_app::messaging::registrations::kind_label(&r.kind)),
            Cell::text(r.reference.clone()),
            Cell::text(covers),
            Cell::text(r.status.clone()),
            Cell::text(r.expires_at.map_or_else(|| "—".into(), format::time)),
            Cell::num(format::micros(r.fee_micros, &r.currency)),
            Cell::num(format::micros(r.monthly_fee_micros, &r.currency)),
            Cell::num(format::micros(r.surcharge_micros, &r.currency)),
        ]);
    }
    let consents = app.list_consents(&c, None, None, None, &side).await?;
    let mut ct = Table::new(
        "The consent ledger, oldest first (M2: kept four years after the last message)",
        &[
            "When",
            "Recipient",
            "Action",
            "How",
            "Text shown",
            "Evidence",
        ],
        "No consent recorded.",
    );
    for e in &consents {
        ct.row(vec![
            Cell::text(format::time(e.at)),
            Cell::text(format!("+{}", e.recipient)),
            Cell::text(e.action.clone()),
            Cell::text(e.method.clone()),
            Cell::text(e.text_shown.clone().unwrap_or_else(|| "—".into())),
            Cell::text(e.evidence.clone().unwrap_or_else(|| "—".into())),
        ]);
    }
    Page::new(&session, "messages", "Messages")
        .lead("Every message is admitted like a call: sender, registration, opt-outs, consent, quiet hours in the recipient's local time. A refusal names its rule and clause.")
        .section(Section::new("Message log").table(t))
        .section(Section::new("Stop requests to review").table(rt))
        .section(Section::new("Registrations").table(gt))
        .section(Section::new("Consents").table(ct))
        .ok()
}
