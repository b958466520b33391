//! Tickets: the list with their clocks, opening one (with knowledge-base suggestions while
//! the subject is typed, H11), the thread, replies and feedback.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use serde::{Deserialize, Serialize};
use tollgate_app::support::NewTicket;
use tollgate_app::App;
use tollgate_core::support::ticket::Impact;
use tollgate_core::tenancy::Permission;
use tollgate_store::support::TicketSort;

use crate::error::{ErrorView, PageResult};
use crate::format;
use crate::session::{Fields, Session};
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

/// Suggestions shown while typing.
pub const MAX_SUGGESTIONS: usize = 5;

#[derive(Deserialize, Default)]
pub struct TicketsQ {
    state: Option<String>,
    breached: Option<String>,
    after: Option<String>,
    /// `opened` or `due`; by id when absent.
    sort: Option<String>,
    /// `asc` or `desc` (default).
    dir: Option<String>,
    /// The sorted list's cursor: `<value>:<id>` of the last row shown.
    at: Option<String>,
}

pub async fn list(
    State(app): State<App>,
    session: Session,
    Query(q): Query<TicketsQ>,
) -> PageResult {
    let c = session.caller(&app, Permission::TicketsRead).await?;
    let state = q.state.clone().filter(|s| !s.is_empty());
    let breached = q.breached.as_deref() == Some("on");
    let page = tollgate_store::Page {
        limit: super::PAGE_ROWS,
        after: q.after.clone().filter(|a| !a.is_empty()),
    };
    let params = super::sort_params(
        q.sort.as_deref(),
        q.dir.as_deref(),
        q.at.as_deref(),
        TicketSort::parse,
        "opened or due",
    )?;
    let rows = match super::sorted_page(&params) {
        None => app.tickets(&c, state.as_deref(), breached, &page).await?,
        Some(p) => {
            app.tickets_sorted(&c, state.as_deref(), breached, &p)
                .await?
        }
    };
    let opt = |v: &str| {
        (
            v.to_string(),
            if v.is_empty() {
                "any".to_string()
            } else {
                v.to_string()
            },
        )
    };
    let filter = Form::filter("tickets-filter", "/portal/tickets")
        .field(
            Field::new(
                "state",
                "State",
                Kind::Select(
                    ["", "new", "open", "pending_customer", "resolved", "closed"]
                        .map(opt)
                        .to_vec(),
                ),
            )
            .value(state.clone().unwrap_or_default()),
        )
        .field(
            Field::new("breached", "First response overdue only", Kind::Checkbox)
                .value(if breached { "on" } else { "" }),
        );
    let now = app.now();
    let mut t = Table::new(
        "Tickets, by id",
        &[
            "Reference",
            "Subject",
            "Kind",
            "Class",
            "State",
            "Opened",
            "First response due",
            "First response",
        ],
        "No ticket. Open one with the button above.",
    );
    for r in &rows {
        let overdue =
            r.first_response_at.is_none() && r.response_due_at <= now && r.closed_at.is_none();
        t.row(vec![
            Cell::link(r.reference.clone(), format!("/portal/tickets/{}", r.id)),
            Cell::text(r.subject.clone()),
            Cell::text(r.kind.clone()),
            Cell::text(r.cos.clone()),
            Cell::text(r.state.clone()),
            Cell::text(format::time(r.created_at)),
            if overdue {
                Cell::text(format!("{} (overdue)", format::time(r.response_due_at))).class("bad")
            } else {
                Cell::text(format::time(r.response_due_at))
            },
            Cell::text(format::time_opt(r.first_response_at)),
        ]);
    }
    let mut base = "/portal/tickets?".to_string();
    if let Some(s) = &state {
        base.push_str(&format!("state={}&", format::url_encode(s)));
    }
    if breached {
        base.push_str("breached=on&");
    }
    let filters = base.trim_end_matches(['&', '?']).to_string();
    super::sort_table(
        &mut t,
        &filters,
        &[
            ("Opened", TicketSort::Opened),
            ("First response due", TicketSort::ResponseDue),
        ],
        &params,
        &rows,
        |r| r.id.as_str(),
    );
    let mut s = Section::new("").form(filter).table(t);
    if session.may(Permission::TicketsWrite) {
        s = s.link("Open a ticket", "/portal/tickets/new");
    }
    Page::new(&session, "tickets", "Tickets")
        .lead("Clocks run in support hours of the ticket's region (H3); a first response is due by class of service (H4).")
        .section(s)
        .ok()
}

fn new_ticket_form(session: &Session) -> Form {
    let o = |v: &str, l: &str| (v.to_string(), l.to_string());
    Form::post("ticket", "Open the ticket", "/portal/tickets", session)
        .field(
            Field::new(
                "kind",
                "Kind",
                Kind::Select(vec![
                    o("technical", "Technical"),
                    o("customer_care", "Customer care"),
                    o("rma_capex", "RMA (bought hardware)"),
                ]),
            )
            .value("technical"),
        )
        .field(Field::new(
            "topic",
            "Customer-care topic",
            Kind::Select(vec![
                o("", "— (technical tickets)"),
                o("billing", "Billing"),
                o("classound", "CLASSOUND"),
                o("hwaas", "Hardware as a service"),
                o("pbx_licenses", "PBX licences"),
                o("orders", "Orders"),
                o("portal_errors", "Portal errors"),
                o("promo", "Promotions"),
                o("company_information", "Company information"),
                o("feature_request", "Feature request"),
            ]),
        ))
        .field(
            Field::new(
                "issue",
                "Issue",
                Kind::Select(vec![
                    o("", "other"),
                    o("pbx_unreachable", "PBX unreachable"),
                    o("password_reset", "Password reset"),
                    o("classound_outage", "CLASSOUND outage"),
                ]),
            )
            .hint(
                if session.principal.role.level() == tollgate_core::tenancy::Level::Partner {
                    "Bronze partners may open tickets only for these (H1)."
                } else {
                    ""
                },
            ),
        )
        .field(
            Field::new("subject", "Subject", Kind::Text)
                .required()
                .suggest("suggestions")
                .hint("Articles that may answer it appear below as you type."),
        )
        .field(Field::new("message", "What happens", Kind::TextArea).required())
        .field(Field::new(
            "device",
            "PBX or device (technical, H8)",
            Kind::Text,
        ))
        .field(Field::new("versions", "Versions", Kind::Text))
        .field(
            Field::new("trace_numbers", "Example call: numbers", Kind::Text)
                .hint("Caller and called number of one affected call (H8)."),
        )
        .field(
            Field::new("trace_at", "Example call: time (UTC)", Kind::Text)
                .hint("For example 2026-12-02 09:15."),
        )
        .field(Field::new(
            "cloud_unreachable",
            "The cloud system cannot be reached",
            Kind::Checkbox,
        ))
        .field(Field::new(
            "call_drops_not_operator",
            "Calls drop (not because of an operator)",
            Kind::Checkbox,
        ))
        .field(Field::new(
            "severe_no_workaround",
            "Business severely impacted, no workaround",
            Kind::Checkbox,
        ))
}

fn new_page(session: &Session, form: Form) -> Page {
    let mut s = Section::new("").form(form);
    s.live = Some("suggestions".into());
    Page::new(session, "tickets", "Open a ticket")
        .lead("Tickets are opened here or through the API; an e-mail cannot open one (H5).")
        .section(s)
}

pub async fn new_form(State(app): State<App>, session: Session) -> PageResult {
    let _ = session.caller(&app, Permission::TicketsWrite).await?;
    new_page(&session, new_ticket_form(&session)).ok()
}

pub async fn create(State(app): State<App>, session: Session, form: Fields) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::TicketsWrite).await?;
    let trace_at = match form.text("trace_at") {
        None => None,
        Some(t) => match format::parse_time(&t) {
            Some(at) => Some(at),
            None => {
                let e = ErrorView::from(tollgate_app::AppError::invalid(
                    "time_invalid",
                    "trace_at",
                    "not a time: write it as 2026-12-02 09:15 (UTC)",
                ));
                let status = e.status;
                return new_page(
                    &session,
                    new_ticket_form(&session).refill(&form).with_error(e),
                )
                .respond(status);
            }
        },
    };
    let t = NewTicket {
        partner_id: None,
        customer_id: None,
        kind: form.get("kind").unwrap_or_default().to_string(),
        topic: form.text("topic"),
        issue: form.text("issue"),
        subject: form.get("subject").unwrap_or_default().to_string(),
        message: form.get("message").unwrap_or_default().to_string(),
        device: form.text("device"),
        versions: form.text("versions"),
        trace_numbers: form.text("trace_numbers"),
        trace_at,
        impact: Impact {
            call_drops_not_operator: form.flag("call_drops_not_operator"),
            cloud_unreachable: form.flag("cloud_unreachable"),
            severe_no_workaround: form.flag("severe_no_workaround"),
        },
        channel: "portal".into(),
    };
    match app.create_ticket(&c, t).await {
        Ok(v) => {
            let mut res = Redirect::to(&format!("/portal/tickets/{}", v.ticket.id)).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            let status = e.status;
            new_page(
                &session,
                new_ticket_form(&session).refill(&form).with_error(e),
            )
            .respond(status)
        }
    }
}

#[derive(Deserialize)]
pub struct SuggestQ {
    q: Option<String>,
}

/// One suggestion as the script lists it.
#[derive(Serialize)]
pub struct SuggestionOut {
    title: String,
    href: String,
}

/// Suggestions for what is typed (JSON for the page's script; the API has its own route).
pub async fn suggest(
    State(app): State<App>,
    session: Session,
    Query(q): Query<SuggestQ>,
) -> Result<Json<Vec<SuggestionOut>>, crate::error::PageError> {
    let _ = session.caller(&app, Permission::TicketsRead).await?;
    let text = q.q.unwrap_or_default();
    let found = app.suggestions(&text, None, MAX_SUGGESTIONS).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|s| SuggestionOut {
                href: format!("/portal/articles/{}", s.slug),
                title: s.title,
            })
            .collect(),
    ))
}

pub async fn article(
    State(app): State<App>,
    session: Session,
    Path(slug): Path<String>,
) -> PageResult {
    let _ = session.caller(&app, Permission::TicketsRead).await?;
    let a = app.article(&slug).await?;
    let mut s = Section::new("")
        .fact("Topic", a.topic.clone())
        .fact("Updated", format::day(a.updated_at));
    s.paras = a
        .body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    Page::new(&session, "tickets", &a.title)
        .section(s.link("Still stuck? Open a ticket", "/portal/tickets/new"))
        .ok()
}

fn reply_form(session: &Session, id: &str, agent: bool) -> Form {
    let mut f = Form::post(
        "reply",
        "Reply",
        format!("/portal/tickets/{id}/reply"),
        session,
    )
    .field(Field::new("body", "Your reply", Kind::TextArea).required());
    if agent {
        f = f.field(Field::new(
            "internal",
            "Internal note (not shown to the customer)",
            Kind::Checkbox,
        ));
    }
    f
}

fn feedback_form(session: &Session, id: &str) -> Form {
    let o = |v: &str| (v.to_string(), v.to_string());
    Form::post(
        "feedback",
        "Send feedback",
        format!("/portal/tickets/{id}/feedback"),
        session,
    )
    .field(
        Field::new(
            "rating",
            "How was it? (1 poor, 5 excellent)",
            Kind::Select(["5", "4", "3", "2", "1"].map(o).to_vec()),
        )
        .value("5"),
    )
    .field(Field::new("comment", "Comment", Kind::TextArea))
}

/// A form that came back refused: `reply` or `feedback`, its error and what was typed.
type Returned = (&'static str, ErrorView, Fields);

async fn render(app: &App, session: &Session, id: &str, returned: Option<Returned>) -> PageResult {
    let c = session.caller(app, Permission::TicketsRead).await?;
    let v = app.ticket(&c, id).await?;
    let t = &v.ticket;
    let mut facts = Section::new("Ticket")
        .fact("State", t.state.clone())
        .fact("Kind", t.kind.clone())
        .fact("Class of service", t.cos.clone())
        .fact("Region (support hours)", t.region.clone())
        .fact("Opened", format::time(t.created_at))
        .fact("First response due", format::time(t.response_due_at))
        .fact("First response", format::time_opt(t.first_response_at));
    if v.breached {
        facts = facts.fact("Clock", "first response overdue (H4)");
    }
    for (label, v) in [
        ("Topic", &t.topic),
        ("Issue", &t.issue),
        ("PBX or device (H8)", &t.device),
        ("Versions", &t.versions),
        ("Example call: numbers", &t.trace_numbers),
        ("Assigned to", &t.assignee),
    ] {
        if let Some(v) = v {
            facts = facts.fact(label, v.clone());
        }
    }
    if let Some(at) = t.trace_at {
        facts = facts.fact("Example call: time", format::time(at));
    }
    if let Some(r) = t.rating {
        facts = facts.fact(
            "Feedback",
            format!("{r}/5 {}", t.feedback.clone().unwrap_or_default()),
        );
    }
    let mut thread = Table::new(
        "The thread, oldest first",
        &["When", "From", "Channel", "Message"],
        "No message.",
    );
    for m in &v.messages {
        thread.row(vec![
            Cell::text(format::time(m.at)),
            Cell::text(if m.internal != 0 {
                format!("{} (internal)", m.author)
            } else {
                m.author.clone()
            }),
            Cell::text(m.channel.clone()),
            Cell::text(m.body.clone()),
        ]);
    }
    let mut page = Page::new(
        session,
        "tickets",
        &format!("{}: {}", t.reference, t.subject),
    )
    .section(facts)
    .section(Section::new("Thread").table(thread));
    if session.may(Permission::TicketsAgent) && t.closed_at.is_none() {
        let o = |v: &str| (v.to_string(), v.to_string());
        page = page.section(
            Section::new("Agent")
                .form(
                    Form::post(
                        "state",
                        "Change the state",
                        format!("/portal/tickets/{}/state", t.id),
                        session,
                    )
                    .note("A closed ticket is never reopened: a follow-up opens a new ticket (H9).")
                    .field(
                        Field::new(
                            "state",
                            "State",
                            Kind::Select(
                                ["open", "pending_customer", "resolved", "closed"]
                                    .map(o)
                                    .to_vec(),
                            ),
                        )
                        .value(t.state.clone()),
                    ),
                )
                .form(
                    Form::post(
                        "assign",
                        "Assign",
                        format!("/portal/tickets/{}/assign", t.id),
                        session,
                    )
                    .field(
                        Field::new("assignee", "Assignee (user id)", Kind::Text)
                            .required()
                            .value(t.assignee.clone().unwrap_or_default()),
                    ),
                ),
        );
    }
    if session.may(Permission::TicketsWrite) && t.closed_at.is_none() {
        let agent = session.may(Permission::TicketsAgent);
        let mut f = reply_form(session, &t.id, agent);
        if let Some(("reply", e, posted)) = &returned {
            f = f.refill(posted).with_error(e.clone());
        }
        page = page.section(Section::new("Reply").form(f));
    }
    if session.may(Permission::TicketsWrite)
        && session.principal.role.level() != tollgate_core::tenancy::Level::Operator
        && t.rating.is_none()
        && (t.state == "resolved" || t.state == "closed")
    {
        let mut f = feedback_form(session, &t.id);
        if let Some(("feedback", e, posted)) = &returned {
            f = f.refill(posted).with_error(e.clone());
        }
        page = page.section(Section::new("Feedback").form(f));
    }
    page.ok()
}

pub async fn show(State(app): State<App>, session: Session, Path(id): Path<String>) -> PageResult {
    render(&app, &session, &id, None).await
}

pub async fn reply(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::TicketsWrite).await?;
    match app
        .reply_ticket(
            &c,
            &id,
            form.get("body").unwrap_or_default(),
            form.flag("internal"),
            "portal",
        )
        .await
    {
        Ok(_) => {
            let mut res = Redirect::to(&format!("/portal/tickets/{id}")).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let mut res = render(&app, &session, &id, Some(("reply", e, form))).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

pub async fn feedback(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::TicketsWrite).await?;
    let rating: i64 = form.get("rating").and_then(|r| r.parse().ok()).unwrap_or(0);
    match app
        .ticket_feedback(&c, &id, rating, form.text("comment").as_deref())
        .await
    {
        Ok(_) => {
            let mut res = Redirect::to(&format!("/portal/tickets/{id}")).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let mut res = render(&app, &session, &id, Some(("feedback", e, form))).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

/// An agent's action on a ticket: `state` or `assign`, through the same use cases as the API.
async fn agent_action(
    app: &App,
    session: &Session,
    id: &str,
    form: &Fields,
    action: &str,
) -> PageResult {
    session.check_csrf(form)?;
    let c = session.caller(app, Permission::TicketsAgent).await?;
    let r = match action {
        "state" => {
            app.set_ticket_state(&c, id, form.get("state").unwrap_or_default())
                .await
        }
        _ => {
            app.assign_ticket(&c, id, form.get("assignee").unwrap_or_default())
                .await
        }
    };
    match r {
        Ok(_) => {
            let mut res = Redirect::to(&format!("/portal/tickets/{id}")).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let mut res = render(app, session, id, None).await?;
            // The refusal as the page's notice, above the agent's forms.
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap_or_default();
            let html = String::from_utf8_lossy(&body).replacen(
                "<main id=\"main\">",
                &format!(
                    "<main id=\"main\"><div class=\"error\" role=\"alert\" tabindex=\"-1\"><strong>{}</strong> <code>{}</code></div>",
                    crate::chart::escape(&e.message),
                    crate::chart::escape(&e.code)
                ),
                1,
            );
            res = (status, axum::response::Html(html)).into_response();
            Ok(res)
        }
    }
}

pub async fn set_state(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    agent_action(&app, &session, &id, &form, "state").await
}

pub async fn assign(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    agent_action(&app, &session, &id, &form, "assign").await
}
