//! Tickets: open (eligibility, class of service, clock), read in scope, reply, move through
//! their states, override the class of service, assign, feedback, contact an end customer.

use serde_json::json;
use tollgate_core::rules;
use tollgate_core::support::eligibility::{may_open, Opener};
use tollgate_core::support::ticket::{
    check_rating, check_technical, first_response_breached, propose_cos, Cos, Impact, Kind, State,
    TechnicalData, CARE_TOPICS, MAX_MESSAGE_CHARS, MAX_SUBJECT_CHARS,
};
use tollgate_core::tenancy::{allows, Level, Permission, Scope};
use tollgate_store::support::{self as support_store, TicketMessageRow, TicketRow};
use tollgate_store::{tenancy as tenancy_store, Page, ScopeFilter};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// What a ticket form sends.
#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    /// The operator names the tenant; partners and customers open for themselves (a partner
    /// may name one of its customers).
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub kind: String,
    pub topic: Option<String>,
    /// `pbx_unreachable`, `password_reset`, `classound_outage` or anything else (H1).
    pub issue: Option<String>,
    pub subject: String,
    pub message: String,
    pub device: Option<String>,
    pub versions: Option<String>,
    pub trace_numbers: Option<String>,
    pub trace_at: Option<i64>,
    pub impact: Impact,
    /// `api` or `portal` (H5: never e-mail).
    pub channel: String,
}

/// A ticket with its thread as the caller may see it.
#[derive(Debug, Clone)]
pub struct TicketView {
    pub ticket: TicketRow,
    pub messages: Vec<TicketMessageRow>,
    /// Whether the first response is overdue now.
    pub breached: bool,
}

/// Longest assignee (a user id), characters.
pub const MAX_ASSIGNEE_CHARS: usize = 64;
/// Bytes of a ticket's e-mail key (40 bits as 10 hex digits: guessing one by mail is hopeless).
pub const MAIL_KEY_BYTES: usize = 5;

/// Whether the caller is one of the provider's support agents (the matrix's TicketsAgent).
pub(crate) fn agent(caller: &Caller) -> bool {
    matches!(caller.scope, Scope::All) && allows(caller.principal.role, Permission::TicketsAgent)
}

fn require_agent(caller: &Caller) -> Result<(), AppError> {
    if agent(caller) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the provider's support agents only".into(),
        ))
    }
}

/// A new ticket's e-mail key.
pub(crate) fn new_mail_key() -> String {
    let mut b = [0u8; MAIL_KEY_BYTES];
    getrandom::getrandom(&mut b).expect("OS random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn text(field: &'static str, v: &str, max: usize) -> Result<String, AppError> {
    let t = v.trim();
    if t.is_empty()
        || t.chars().count() > max
        || t.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::invalid(
            "text_invalid",
            field,
            format!("1 to {max} characters"),
        ));
    }
    Ok(t.to_string())
}

impl App {
    /// Who is opening, for H1/H2, and the tenant the ticket belongs to.
    async fn opener(
        &self,
        caller: &Caller,
        t: &NewTicket,
    ) -> Result<(Option<String>, Option<String>, OpenerOwned), AppError> {
        let p = &caller.principal;
        match p.role.level() {
            Level::Operator => {
                let customer = match &t.customer_id {
                    Some(c) => Some(
                        tenancy_store::system::get_customer(&self.store, c)
                            .await
                            .map_err(|_| {
                                AppError::invalid(
                                    "customer_unknown",
                                    "customer_id",
                                    "no such customer",
                                )
                            })?,
                    ),
                    None => None,
                };
                if let (Some(p), Some(c)) = (&t.partner_id, &customer) {
                    if c.partner_id.as_ref() != Some(p) {
                        return Err(AppError::invalid(
                            "customer_not_of_partner",
                            "customer_id",
                            "the customer is not one of the named partner's",
                        ));
                    }
                }
                let partner = t
                    .partner_id
                    .clone()
                    .or_else(|| customer.as_ref().and_then(|c| c.partner_id.clone()));
                if let Some(id) = &partner {
                    tenancy_store::system::get_partner(&self.store, id)
                        .await
                        .map_err(|_| {
                            AppError::invalid("partner_unknown", "partner_id", "no such partner")
                        })?;
                }
                Ok((partner, customer.map(|c| c.id), OpenerOwned::Operator))
            }
            Level::Partner => {
                let pid = p
                    .partner_id
                    .clone()
                    .ok_or(AppError::Forbidden("no partner".into()))?;
                let me = tenancy_store::system::get_partner(&self.store, &pid).await?;
                let assigned = match &me.assigned_partner_id {
                    Some(a) => Some(
                        tenancy_store::system::get_partner(&self.store, a)
                            .await?
                            .name,
                    ),
                    None => None,
                };
                let customer = match &t.customer_id {
                    Some(c) => {
                        let row = tenancy_store::get_customer(
                            &self.store,
                            ScopeFilter::of(&caller.scope),
                            c,
                        )
                        .await
                        .map_err(|_| {
                            AppError::invalid(
                                "customer_unknown",
                                "customer_id",
                                "no such customer in scope",
                            )
                        })?;
                        Some(row.id)
                    }
                    None => None,
                };
                Ok((
                    Some(pid),
                    customer,
                    OpenerOwned::Partner {
                        tier: me.tier,
                        assigned,
                    },
                ))
            }
            Level::Customer => {
                let cid = p
                    .customer_id
                    .clone()
                    .ok_or(AppError::Forbidden("no customer".into()))?;
                let c = tenancy_store::system::get_customer(&self.store, &cid).await?;
                let partner = match &c.partner_id {
                    Some(pid) => Some(tenancy_store::system::get_partner(&self.store, pid).await?),
                    None => None,
                };
                Ok((
                    c.partner_id.clone(),
                    Some(cid),
                    OpenerOwned::Customer {
                        partner: partner.map(|p| p.name),
                    },
                ))
            }
        }
    }

    /// Opens a ticket (H1-H8): refused with the rule and whom to contact when the caller is
    /// not supported directly; the class of service proposed from the answers; the response
    /// due in the region's support hours.
    pub async fn create_ticket(
        &self,
        caller: &Caller,
        t: NewTicket,
    ) -> Result<TicketView, AppError> {
        if t.channel == "email" {
            return Err(AppError::from(tollgate_core::Refusal::new(
                "ticket_by_email",
                rules::H5,
                "new tickets are opened in the portal or by the API; e-mail is for follow-ups",
            )));
        }
        let kind = Kind::parse(&t.kind)?;
        let topic = match (kind, t.topic.as_deref()) {
            (Kind::CustomerCare, Some(tp)) if CARE_TOPICS.contains(&tp) => Some(tp.to_string()),
            (Kind::CustomerCare, _) => {
                return Err(AppError::from(
                    tollgate_core::Refusal::new(
                        "topic_invalid",
                        rules::H6,
                        format!(
                            "a Customer Care ticket names its topic: {}",
                            CARE_TOPICS.join(", ")
                        ),
                    )
                    .on_field("topic"),
                ))
            }
            (_, _) => None,
        };
        let subject = text("subject", &t.subject, MAX_SUBJECT_CHARS)?;
        let message = text("message", &t.message, MAX_MESSAGE_CHARS)?;
        let (partner_id, customer_id, opener) = self.opener(caller, &t).await?;
        // The terms: a customer's own agreement; a partner's the provider's partner terms.
        let profile = match (&opener, &customer_id) {
            (OpenerOwned::Customer { .. }, Some(c)) => self.profile_for(c).await?,
            _ => self
                .terms
                .get(crate::terms::DEFAULT_PROFILE, None)
                .cloned()
                .ok_or_else(|| AppError::Internal("default profile missing".into()))?,
        };
        let issue = t.issue.as_deref().map(str::trim).filter(|s| !s.is_empty());
        // H1: the three issues a Bronze partner may open, each on its own kind of ticket, so
        // that naming one cannot carry another request past the limit.
        let issue_fits = match issue {
            None => true,
            Some("pbx_unreachable" | "classound_outage") => kind == Kind::Technical,
            Some("password_reset") => {
                kind == Kind::CustomerCare && topic.as_deref() == Some("portal_errors")
            }
            Some(_) => false,
        };
        if !issue_fits {
            return Err(AppError::from(
                tollgate_core::Refusal::new(
                    "issue_invalid",
                    rules::H1,
                    "pbx_unreachable or classound_outage on a technical ticket, password_reset on a customer_care ticket about portal_errors, or none",
                )
                .on_field("issue"),
            ));
        }
        if let Err(mut r) = may_open(&profile.support, &opener.as_opener(), issue) {
            if let Some(rule) = r.rule {
                // The profile's own clause for the rule (X 4.B under x-hoppers).
                let clause = profile.clause_for(rule).to_string();
                r.message = format!("{} ({}, {clause})", r.message, rule.rule);
            }
            return Err(AppError::from(r));
        }
        // Who may open comes first: a customer its partner supports is told so before it is
        // asked for technical data (H8) it has no use giving.
        if kind == Kind::Technical {
            check_technical(&TechnicalData {
                device: t.device.as_deref().unwrap_or(""),
                versions: t.versions.as_deref().unwrap_or(""),
                trace_numbers: t.trace_numbers.as_deref().unwrap_or(""),
                trace_at: t.trace_at,
            })?;
        }
        let region = self.support_region_of(partner_id.as_deref()).await?;
        let cal = self.support_calendar(&region).await?;
        let now = self.now();
        let cos = propose_cos(t.impact, issue);
        let due = cal.response_due(cos, now);
        let mut tx = self.store.begin().await?;
        let row = TicketRow {
            id: new_id("tkt"),
            reference: support_store::next_reference(&mut tx).await?,
            mail_key: new_mail_key(),
            partner_id,
            customer_id,
            opened_by: caller.principal.user_id.clone(),
            channel: if t.channel == "portal" {
                "portal"
            } else {
                "api"
            }
            .into(),
            kind: kind.as_str().into(),
            topic,
            issue: issue.map(String::from),
            subject,
            device: t.device.filter(|s| !s.trim().is_empty()),
            versions: t.versions.filter(|s| !s.trim().is_empty()),
            trace_numbers: t.trace_numbers.filter(|s| !s.trim().is_empty()),
            trace_at: t.trace_at,
            cos: cos.as_str().into(),
            cos_proposed: cos.as_str().into(),
            state: State::New.as_str().into(),
            region,
            created_at: now,
            response_due_at: due.at,
            extended_service: i64::from(due.extended_service),
            review_due_at: (kind == Kind::CustomerCare).then(|| cal.care_review_due(now)),
            first_response_at: None,
            partner_response_at: None,
            assignee: None,
            previous_ticket_id: None,
            incident_id: None,
            customer_contacted_at: None,
            closed_at: None,
            rating: None,
            feedback: None,
            updated_at: now,
        };
        let first = self.insert_ticket(&mut tx, caller, &row, &message).await?;
        tollgate_store::commit(tx).await?;
        Ok(TicketView {
            breached: false,
            messages: vec![first],
            ticket: row,
        })
    }

    /// Writes a new ticket, its first message and the audit entry, in `tx`.
    pub(crate) async fn insert_ticket(
        &self,
        tx: &mut tollgate_store::Tx,
        caller: &Caller,
        row: &TicketRow,
        message: &str,
    ) -> Result<TicketMessageRow, AppError> {
        row.insert(tx).await?;
        let first = TicketMessageRow {
            id: new_id("tmsg"),
            ticket_id: row.id.clone(),
            at: row.created_at,
            author: row.opened_by.clone(),
            channel: row.channel.clone(),
            internal: 0,
            body: message.to_string(),
        };
        first.insert(tx).await?;
        tollgate_store::audit::append(
            tx,
            &audit_row(
                &caller.actor,
                row.created_at,
                "ticket.create",
                &row.id,
                json!({"reference": row.reference, "kind": row.kind, "cos": row.cos,
                       "response_due_at": row.response_due_at, "extended_service": row.extended_service == 1,
                       "previous": row.previous_ticket_id, "incident": row.incident_id, "rule": "H4"}),
            ),
        ).await?;
        Ok(first)
    }

    /// A ticket in scope with its thread (internal notes for the provider's agents only).
    pub async fn ticket(&self, caller: &Caller, id: &str) -> Result<TicketView, AppError> {
        let t = support_store::get_ticket(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("ticket"))?;
        let messages = support_store::system::messages(&self.store, &t.id, agent(caller)).await?;
        let breached = first_response_breached(t.first_response_at, t.response_due_at, self.now());
        Ok(TicketView {
            ticket: t,
            messages,
            breached,
        })
    }

    /// Tickets in scope.
    pub async fn tickets(
        &self,
        caller: &Caller,
        state: Option<&str>,
        breached: bool,
        page: &Page,
    ) -> Result<Vec<TicketRow>, AppError> {
        let f = self.ticket_filter(state, breached)?;
        Ok(
            support_store::list_tickets(&self.store, ScopeFilter::of(&caller.scope), &f, page)
                .await?,
        )
    }

    /// A reply in the thread. The provider's agent's first public reply stops the response
    /// clock; `internal` notes are the agents' only. A reply to a closed ticket opens a new
    /// ticket referencing it (H9) and returns that one.
    pub async fn reply_ticket(
        &self,
        caller: &Caller,
        id: &str,
        body: &str,
        internal: bool,
        channel: &str,
    ) -> Result<TicketView, AppError> {
        let body = text("body", body, MAX_MESSAGE_CHARS)?;
        if internal && !agent(caller) {
            return Err(AppError::Forbidden(
                "internal notes are the provider's agents'".into(),
            ));
        }
        let seen = self.ticket(caller, id).await?;
        if seen.ticket.state == State::Closed.as_str() {
            if internal {
                return Err(closed_refusal());
            }
            return self
                .follow_up_closed(caller, &seen.ticket, &body, channel)
                .await;
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut t = support_store::ticket_for_update(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("ticket"))?;
        if t.state == State::Closed.as_str() {
            // Closed meanwhile: the follow-up becomes a new ticket (H9).
            drop(tx);
            if internal {
                return Err(closed_refusal());
            }
            return self.follow_up_closed(caller, &t, &body, channel).await;
        }
        TicketMessageRow {
            id: new_id("tmsg"),
            ticket_id: t.id.clone(),
            at: now,
            author: caller.principal.user_id.clone(),
            channel: channel.into(),
            internal: i64::from(internal),
            body,
        }
        .insert(&mut tx)
        .await?;
        // The provider's response stops its clock: an agent's public reply in the portal or
        // the API, never an e-mail (a From: header proves nothing about who wrote it).
        if agent(caller) && !internal && channel != "email" {
            if t.first_response_at.is_none() {
                t.first_response_at = Some(now);
            }
            if t.state == State::New.as_str() {
                t.state = State::Open.as_str().into();
            }
        } else if !agent(caller) && t.state == State::PendingCustomer.as_str() {
            t.state = State::Open.as_str().into();
        }
        // H12: the partner acted on a ticket about its customer.
        if caller.principal.role.level() == Level::Partner && t.partner_response_at.is_none() {
            t.partner_response_at = Some(now);
        }
        t.updated_at = now;
        support_store::update_ticket(&mut tx, &t).await?;
        tollgate_store::audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "ticket.reply",
                &t.id,
                json!({"internal": internal, "channel": channel}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.ticket(caller, id).await
    }

    /// H9: a reply to a closed ticket becomes a new ticket that references it, with the same
    /// tenant, kind and class of service and a fresh clock.
    pub(crate) async fn follow_up_closed(
        &self,
        caller: &Caller,
        old: &TicketRow,
        body: &str,
        channel: &str,
    ) -> Result<TicketView, AppError> {
        let cal = self.support_calendar(&old.region).await?;
        let now = self.now();
        let due = cal.response_due(Cos::parse(&old.cos).unwrap_or(Cos::Standard), now);
        let mut tx = self.store.begin().await?;
        let row = TicketRow {
            id: new_id("tkt"),
            reference: support_store::next_reference(&mut tx).await?,
            mail_key: new_mail_key(),
            opened_by: caller.principal.user_id.clone(),
            channel: channel.into(),
            subject: format!("Re: {} ({})", old.subject, old.reference),
            state: State::New.as_str().into(),
            created_at: now,
            response_due_at: due.at,
            extended_service: i64::from(due.extended_service),
            review_due_at: (old.kind == Kind::CustomerCare.as_str())
                .then(|| cal.care_review_due(now)),
            first_response_at: None,
            partner_response_at: None,
            assignee: None,
            previous_ticket_id: Some(old.id.clone()),
            incident_id: None,
            customer_contacted_at: None,
            closed_at: None,
            rating: None,
            feedback: None,
            updated_at: now,
            ..old.clone()
        };
        self.insert_ticket(&mut tx, caller, &row, body).await?;
        tollgate_store::commit(tx).await?;
        self.ticket(
            &Caller {
                scope: Scope::All,
                ..caller.clone()
            },
            &row.id,
        )
        .await
    }

    /// An agent moves a ticket (closed is final, H9).
    pub async fn set_ticket_state(
        &self,
        caller: &Caller,
        id: &str,
        state: &str,
    ) -> Result<TicketView, AppError> {
        require_agent(caller)?;
        let to = State::parse(state).ok_or_else(|| {
            AppError::invalid(
                "state_invalid",
                "state",
                "new, open, pending_customer, resolved or closed",
            )
        })?;
        self.update_ticket_with(
            caller,
            id,
            "ticket.state",
            json!({"state": state}),
            |t, now| {
                let from = State::parse(&t.state).unwrap_or(State::Open);
                from.check_move(to)?;
                t.state = to.as_str().into();
                if to == State::Closed {
                    t.closed_at = Some(now);
                }
                Ok(())
            },
        )
        .await
    }

    /// An agent overrides the proposed class of service (audited); the clock is recomputed
    /// from the creation time.
    pub async fn set_ticket_cos(
        &self,
        caller: &Caller,
        id: &str,
        cos: &str,
    ) -> Result<TicketView, AppError> {
        let c = Cos::parse(cos)
            .ok_or_else(|| AppError::invalid("cos_invalid", "cos", "critical or standard"))?;
        require_agent(caller)?;
        let seen = self.ticket(caller, id).await?;
        let previous = seen.ticket.cos.clone();
        let cal = self.support_calendar(&seen.ticket.region).await?;
        let due = cal.response_due(c, seen.ticket.created_at);
        self.update_ticket_with(
            caller,
            id,
            "ticket.cos",
            json!({"cos": cos, "previous": previous, "rule": "H4"}),
            |t, _| {
                t.cos = c.as_str().into();
                t.response_due_at = due.at;
                t.extended_service = i64::from(due.extended_service);
                Ok(())
            },
        )
        .await
    }

    /// Assigns a ticket to an agent (a user id of the provider).
    pub async fn assign_ticket(
        &self,
        caller: &Caller,
        id: &str,
        assignee: &str,
    ) -> Result<TicketView, AppError> {
        require_agent(caller)?;
        let a = text("assignee", assignee, MAX_ASSIGNEE_CHARS)?;
        self.update_ticket_with(
            caller,
            id,
            "ticket.assign",
            json!({"assignee": a}),
            |t, _| {
                t.assignee = Some(a.clone());
                Ok(())
            },
        )
        .await
    }

    /// H10: feedback on a resolved or closed ticket, by its tenant.
    pub async fn ticket_feedback(
        &self,
        caller: &Caller,
        id: &str,
        rating: i64,
        comment: Option<&str>,
    ) -> Result<TicketView, AppError> {
        check_rating(rating)?;
        if caller.principal.role.level() == tollgate_core::tenancy::Level::Operator {
            return Err(AppError::from(tollgate_core::Refusal::new(
                "feedback_by_requester",
                rules::H10,
                "feedback is the requester's to give, not the provider's agents'",
            )));
        }
        let comment = comment
            .map(|c| text("comment", c, MAX_MESSAGE_CHARS))
            .transpose()?;
        self.update_ticket_with(
            caller,
            id,
            "ticket.feedback",
            json!({"rating": rating, "rule": "H10"}),
            |t, _| {
                if !matches!(t.state.as_str(), "resolved" | "closed") {
                    return Err(AppError::from(tollgate_core::Refusal::new(
                        "ticket_not_resolved",
                        rules::H10,
                        "feedback is given once a ticket is resolved",
                    )));
                }
                if t.rating.is_some() {
                    return Err(AppError::Conflict {
                        code: "feedback_given",
                        message: "this ticket's feedback was already given".into(),
                    });
                }
                t.rating = Some(rating);
                t.feedback = comment.clone();
                Ok(())
            },
        )
        .await
    }

    /// H12: the provider contacted the partner's end customer directly because the partner
    /// did not act in time on a Critical ticket; recorded on the ticket with a note.
    pub async fn contact_end_customer(
        &self,
        caller: &Caller,
        id: &str,
        note: &str,
    ) -> Result<TicketView, AppError> {
        let note = text("note", note, MAX_MESSAGE_CHARS)?;
        require_agent(caller)?;
        let seen = self.ticket(caller, id).await?;
        // H12: the partner did not act in time: no partner reply by the response due time.
        let partner_late = seen.ticket.partner_id.is_some()
            && seen.ticket.partner_response_at.is_none()
            && seen.ticket.response_due_at < self.now();
        if seen.ticket.customer_id.is_none()
            || seen.ticket.cos != Cos::Critical.as_str()
            || !partner_late
            || seen.ticket.state == State::Closed.as_str()
        {
            return Err(AppError::from(tollgate_core::Refusal::new(
                "direct_contact_not_due",
                rules::H12,
                "the provider contacts an end customer directly only on a Critical ticket about that customer the partner has not answered in time",
            )));
        }
        let view = self
            .update_ticket_with(
                caller,
                id,
                "ticket.contact_customer",
                json!({"rule": "H12"}),
                |t, now| {
                    t.customer_contacted_at = Some(now);
                    Ok(())
                },
            )
            .await?;
        self.reply_ticket(
            caller,
            id,
            &format!("Direct contact with the end customer (H12): {note}"),
            true,
            "portal",
        )
        .await?;
        Ok(view)
    }

    async fn update_ticket_with(
        &self,
        caller: &Caller,
        id: &str,
        action: &str,
        detail: serde_json::Value,
        f: impl FnOnce(&mut TicketRow, i64) -> Result<(), AppError>,
    ) -> Result<TicketView, AppError> {
        self.ticket(caller, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut t = support_store::ticket_for_update(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("ticket"))?;
        f(&mut t, now)?;
        t.updated_at = now;
        support_store::update_ticket(&mut tx, &t).await?;
        tollgate_store::audit::append(&mut tx, &audit_row(&caller.actor, now, action, id, detail))
            .await?;
        tollgate_store::commit(tx).await?;
        self.ticket(caller, id).await
    }
}

/// [`Opener`] with owned names.
#[derive(Debug, Clone)]
enum OpenerOwned {
    Operator,
    Partner {
        tier: String,
        assigned: Option<String>,
    },
    Customer {
        partner: Option<String>,
    },
}

impl OpenerOwned {
    fn as_opener(&self) -> Opener<'_> {
        match self {
            OpenerOwned::Operator => Opener::Operator,
            OpenerOwned::Partner { tier, assigned } => Opener::Partner {
                tier,
                assigned_partner: assigned.as_deref(),
            },
            OpenerOwned::Customer { partner } => Opener::Customer {
                partner: partner.as_deref(),
            },
        }
    }
}

fn closed_refusal() -> AppError {
    AppError::from(tollgate_core::Refusal::new(
        "ticket_closed",
        rules::H9,
        "a closed ticket takes no internal notes and cannot be reopened",
    ))
}
