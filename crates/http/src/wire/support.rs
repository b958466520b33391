//! Answers of the support routes (issue 16): tickets with their clocks and threads,
//! suggestions, holidays, inbound-mail outcomes. Times RFC 3339.

use serde::Serialize;
use tollgate_app::records::{TicketMessageRow, TicketRow};
use tollgate_app::support::mail::MailOutcome;
use tollgate_app::support::suggest::Suggestion;
use tollgate_app::support::TicketView;
use utoipa::ToSchema;

use crate::extract::ts;

/// A ticket, its response clock and (in a single ticket's answer) its thread.
#[derive(Serialize, ToSchema)]
pub struct TicketOut {
    pub id: String,
    /// `TKT-000123`.
    pub reference: String,
    /// `[TKT-000123:<key>]`: e-mail follow-ups carry it in their subject (H5); the key keeps
    /// a forged sender out of the thread.
    pub mail_tag: String,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub channel: String,
    /// `technical`, `customer_care` or `rma_capex` (H6).
    pub kind: String,
    pub topic: Option<String>,
    pub issue: Option<String>,
    pub subject: String,
    pub device: Option<String>,
    pub versions: Option<String>,
    pub trace_numbers: Option<String>,
    pub trace_at: Option<String>,
    /// `critical` or `standard` (H4); `cos_proposed` is what the answers gave.
    pub cos: String,
    pub cos_proposed: String,
    /// `new`, `open`, `pending_customer`, `resolved` or `closed` (final, H9).
    pub state: String,
    /// `americas` (America/New_York) or `emea` (Europe/Berlin) support hours (H3).
    pub region: String,
    pub created_at: String,
    /// When the first response is due (H4 decision).
    pub response_due_at: String,
    /// Critical outside support hours: the 24/7 extended service has it (H3).
    pub extended_service: bool,
    /// Customer Care: reviewed by then (H7).
    pub review_due_at: Option<String>,
    pub first_response_at: Option<String>,
    /// The first response is overdue now.
    pub breached: bool,
    pub assignee: Option<String>,
    /// H9: the closed ticket this one continues.
    pub previous_ticket_id: Option<String>,
    /// S4: the guard incident that opened it.
    pub incident_id: Option<String>,
    /// H12: when the provider contacted the end customer directly.
    pub customer_contacted_at: Option<String>,
    pub closed_at: Option<String>,
    pub rating: Option<i64>,
    pub feedback: Option<String>,
    /// The thread (only in a single ticket's answer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<TicketMessageOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketMessageOut {
    pub id: String,
    pub at: String,
    pub author: String,
    /// `portal`, `api`, `email` or `noc`.
    pub channel: String,
    /// An internal note (the provider's agents only).
    pub internal: bool,
    pub body: String,
}

impl From<TicketMessageRow> for TicketMessageOut {
    fn from(m: TicketMessageRow) -> Self {
        TicketMessageOut {
            id: m.id,
            at: ts(m.at),
            author: m.author,
            channel: m.channel,
            internal: m.internal == 1,
            body: m.body,
        }
    }
}

impl TicketOut {
    pub fn of(t: TicketRow, breached: bool, messages: Vec<TicketMessageRow>) -> TicketOut {
        TicketOut {
            id: t.id,
            mail_tag: format!("[{}:{}]", t.reference, t.mail_key),
            reference: t.reference,
            partner_id: t.partner_id,
            customer_id: t.customer_id,
            channel: t.channel,
            kind: t.kind,
            topic: t.topic,
            issue: t.issue,
            subject: t.subject,
            device: t.device,
            versions: t.versions,
            trace_numbers: t.trace_numbers,
            trace_at: t.trace_at.map(ts),
            cos: t.cos,
            cos_proposed: t.cos_proposed,
            state: t.state,
            region: t.region,
            created_at: ts(t.created_at),
            response_due_at: ts(t.response_due_at),
            extended_service: t.extended_service == 1,
            review_due_at: t.review_due_at.map(ts),
            first_response_at: t.first_response_at.map(ts),
            breached,
            assignee: t.assignee,
            previous_ticket_id: t.previous_ticket_id,
            incident_id: t.incident_id,
            customer_contacted_at: t.customer_contacted_at.map(ts),
            closed_at: t.closed_at.map(ts),
            rating: t.rating,
            feedback: t.feedback,
            messages: messages.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<TicketView> for TicketOut {
    fn from(v: TicketView) -> Self {
        TicketOut::of(v.ticket, v.breached, v.messages)
    }
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionOut {
    pub slug: String,
    pub title: String,
    pub topic: String,
    /// BM25 relevance (higher is better).
    pub score: f64,
}

impl From<Suggestion> for SuggestionOut {
    fn from(s: Suggestion) -> Self {
        SuggestionOut {
            slug: s.slug,
            title: s.title,
            topic: s.topic,
            score: s.score,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    pub slug: String,
    pub title: String,
    pub topic: String,
    pub tags: String,
    /// Markdown.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayOut {
    pub region: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub name: String,
}

/// What became of an inbound message.
#[derive(Serialize, ToSchema)]
pub struct MailOutcomeOut {
    /// `threaded` or `refused`.
    pub outcome: &'static str,
    /// Refused: why (`ticket_by_email` (H5), `sender_or_ticket_unknown`, `sender_not_of_ticket`).
    pub code: Option<&'static str>,
    /// Refused: whether an automatic reply was queued.
    pub replied: bool,
    /// Threaded: the ticket (a new one referencing a closed ticket, H9).
    pub ticket_id: Option<String>,
}

impl From<MailOutcome> for MailOutcomeOut {
    fn from(o: MailOutcome) -> Self {
        match o {
            MailOutcome::Threaded(v) => MailOutcomeOut {
                outcome: "threaded",
                code: None,
                replied: false,
                ticket_id: Some(v.ticket.id),
            },
            MailOutcome::Refused { code, replied } => MailOutcomeOut {
                outcome: "refused",
                code: Some(code),
                replied,
                ticket_id: None,
            },
        }
    }
}

/// Response-time attainment of one class of service for one partner in a month (H4).
#[derive(Serialize, ToSchema)]
pub struct AttainmentOut {
    pub cos: String,
    /// Null: tickets of direct customers (no partner).
    pub partner_id: Option<String>,
    pub tickets: u64,
    pub in_time: u64,
    pub late: u64,
    /// Not answered and past due.
    pub overdue: u64,
    /// Not answered, not due yet.
    pub pending: u64,
    /// In time over answered-or-due, percent; null when none is decided yet.
    pub attainment_pct: Option<f64>,
    pub median_response_min: Option<i64>,
}

/// Open tickets now by age.
#[derive(Serialize, ToSchema)]
pub struct BacklogOut {
    pub under_1_day: u64,
    pub days_1_to_3: u64,
    pub days_3_to_7: u64,
    pub over_7_days: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SupportReportOut {
    pub month: String,
    pub attainment: Vec<AttainmentOut>,
    pub backlog: BacklogOut,
}

impl SupportReportOut {
    pub fn of(month: String, r: tollgate_app::support::report::SupportReport) -> SupportReportOut {
        SupportReportOut {
            month,
            attainment: r
                .attainment
                .into_iter()
                .map(|((cos, partner_id), a)| AttainmentOut {
                    attainment_pct: a.percent(),
                    cos,
                    partner_id,
                    tickets: a.tickets,
                    in_time: a.in_time,
                    late: a.late,
                    overdue: a.overdue,
                    pending: a.pending,
                    median_response_min: a.median_response_min,
                })
                .collect(),
            backlog: BacklogOut {
                under_1_day: r.backlog[0],
                days_1_to_3: r.backlog[1],
                days_3_to_7: r.backlog[2],
                over_7_days: r.backlog[3],
            },
        }
    }
}

/// An attachment of a ticket; `content_base64` only when one ticket's attachments are read.
#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    pub ticket_id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_base64: Option<String>,
}

impl AttachmentOut {
    pub fn of(a: tollgate_app::records::AttachmentRow, with_content: bool) -> AttachmentOut {
        AttachmentOut {
            id: a.id,
            ticket_id: a.ticket_id,
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            uploaded_by: a.uploaded_by,
            uploaded_at: ts(a.uploaded_at),
            content_base64: with_content.then_some(a.content_base64),
        }
    }
}
