//! Inbound support e-mail (H5, H9): a raw RFC 5322 message, as an MTA pipe hands it over
//! (`tollgate mail receive`) or an inbound-mail webhook posts it. A reply naming its ticket
//! (`TKT-000123` in the subject) from someone of the ticket's tenant lands in the thread (a
//! closed ticket: a new ticket referencing it); a message naming no ticket is refused with an
//! automatic reply explaining how to open one, sent through the outbox.

use mail_parser::MessageParser;
use serde_json::json;
use tollgate_core::rules;
use tollgate_core::tenancy::{Level, Role};
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::support as support_store;

use super::TicketView;
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller, Principal};

/// The largest inbound message accepted, bytes (attachments are not kept).
pub const MAX_MAIL_BYTES: usize = 10 * 1024 * 1024;

/// What became of an inbound message.
#[derive(Debug, Clone)]
pub enum MailOutcome {
    /// Added to the thread of the named ticket, or (closed) to a new ticket referencing it.
    Threaded(Box<TicketView>),
    /// Refused: `code` says why; `replied` when an automatic reply was queued.
    Refused { code: &'static str, replied: bool },
}

/// Least time between two automatic replies to one sender (a responder on the other side
/// cannot start a loop).
pub const AUTO_REPLY_INTERVAL_S: i64 = 3_600;
/// Digits of a ticket reference's number; hex digits of its e-mail key.
const REFERENCE_DIGITS: usize = 6;
const KEY_HEX: usize = 2 * super::tickets::MAIL_KEY_BYTES;

/// The ticket tag in a subject: `TKT-` and six digits (the reference), then `:` and the
/// ticket's e-mail key when present (`[TKT-000123:0a1b2c3d4e]`).
pub fn reference_in(subject: &str) -> Option<(String, Option<String>)> {
    subject.match_indices("TKT-").find_map(|(i, _)| {
        let rest = &subject.as_bytes()[i + 4..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits != REFERENCE_DIGITS {
            return None;
        }
        let reference = subject[i..i + 4 + REFERENCE_DIGITS].to_string();
        let after = &rest[REFERENCE_DIGITS..];
        let key = after.strip_prefix(b":").and_then(|k| {
            let n = k.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            (n == KEY_HEX).then(|| String::from_utf8_lossy(&k[..KEY_HEX]).to_lowercase())
        });
        Some((reference, key))
    })
}

/// Whether a message was sent by a machine (RFC 3834 `Auto-Submitted`, list and bulk mail,
/// bounces): never answered, never threaded.
fn automatic(msg: &mail_parser::Message<'_>, from: &str) -> bool {
    let header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "list" | "junk"))
        || header("Return-Path").is_some_and(|v| v == "<>")
        || header("List-Id").is_some()
        || from.starts_with("mailer-daemon@")
        || from.starts_with("postmaster@")
}

/// The new text of a reply: quoted lines (`>`) and everything after an "On ... wrote:" line
/// left out.
pub fn reply_text(body: &str) -> String {
    let mut out = Vec::new();
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with('>') {
            continue;
        }
        if t.starts_with("On ") && t.trim_end().ends_with("wrote:") {
            break;
        }
        out.push(line);
    }
    out.join("\n").trim().to_string()
}

impl App {
    /// Takes one inbound message.
    pub async fn receive_mail(&self, raw: &[u8]) -> Result<MailOutcome, AppError> {
        if raw.len() > MAX_MAIL_BYTES {
            return Err(AppError::invalid(
                "mail_too_large",
                "message",
                format!("at most {MAX_MAIL_BYTES} bytes"),
            ));
        }
        let msg = MessageParser::default().parse(raw).ok_or_else(|| {
            AppError::invalid("mail_unreadable", "message", "not an RFC 5322 message")
        })?;
        let from = msg
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(|a| a.trim().to_lowercase())
            .ok_or_else(|| {
                AppError::invalid("mail_sender_missing", "message", "no From address")
            })?;
        let subject = msg.subject().unwrap_or("").to_string();
        let automatic = automatic(&msg, &from);
        let body = reply_text(&msg.body_text(0).unwrap_or_default());
        let user = tollgate_store::auth::system::find_user_by_email(&self.store, &from).await?;
        let now = self.now();
        if automatic {
            return Ok(MailOutcome::Refused {
                code: "automatic_message",
                replied: false,
            });
        }
        let Some((reference, key)) = reference_in(&subject) else {
            // H5: new tickets are not opened by e-mail. A known user hears how to open one;
            // an unknown sender or an automatic message gets no reply (no backscatter, no
            // loops).
            if user.is_none() {
                // An unknown sender: no reply (no backscatter), nothing written.
                return Ok(MailOutcome::Refused {
                    code: "ticket_by_email",
                    replied: false,
                });
            }
            let recent = tollgate_store::outbox::system::sent_or_queued_since(
                &self.store,
                &from,
                rules::H5.rule,
                now - AUTO_REPLY_INTERVAL_S,
            )
            .await?;
            let replied = recent == 0;
            let mut tx = self.store.begin().await?;
            if replied {
                outbox::enqueue(
                    &mut tx,
                    &OutboxRow {
                        id: new_id("msg"),
                        at: now,
                        channel: "email".into(),
                        recipient: from.clone(),
                        subject: format!("Re: {subject} (not a ticket)"),
                        body: format!(
                            "Your message was not added to any ticket: new support tickets are \
                             opened in the portal or through the API (POST /v1/tickets), where \
                             the class of service and the response time are set. E-mail is for \
                             follow-ups: reply to a ticket's messages, keeping its reference \
                             (TKT-...) in the subject (H5, {}).\n",
                            rules::H5.clause
                        ),
                        rule: rules::H5.rule.into(),
                    },
                )
                .await?;
            }
            tollgate_store::audit::append(
                &mut tx,
                &audit_row(&Actor { actor: "system:mail".into(), source: "email".into(), request_id: new_id("mail") }, now, "mail.refused", &from,
                    json!({"code": "ticket_by_email", "subject": subject.chars().take(tollgate_core::support::ticket::MAX_SUBJECT_CHARS).collect::<String>(), "replied": replied, "rule": "H5"})),
            )
            .await?;
            tollgate_store::commit(tx).await?;
            return Ok(MailOutcome::Refused {
                code: "ticket_by_email",
                replied,
            });
        };
        let (Some(user), Some(ticket)) = (
            user,
            support_store::system::ticket_by_reference(&self.store, &reference).await?,
        ) else {
            return Ok(MailOutcome::Refused {
                code: "sender_or_ticket_unknown",
                replied: false,
            });
        };
        let role =
            Role::parse(&user.role).ok_or_else(|| AppError::Internal("stored role".into()))?;
        let belongs = match role.level() {
            Level::Operator => true,
            Level::Partner => user.partner_id.is_some() && user.partner_id == ticket.partner_id,
            Level::Customer => user.customer_id.is_some() && user.customer_id == ticket.customer_id,
        };
        // The ticket's key, which only those who can read the ticket know: a forged From:
        // alone does not write into it.
        let key_ok = key.is_some_and(|k| {
            crate::secrets::constant_time_eq(k.as_bytes(), ticket.mail_key.as_bytes())
        });
        if !key_ok {
            return Ok(MailOutcome::Refused {
                code: "ticket_key_invalid",
                replied: false,
            });
        }
        if !belongs || role == Role::SipEdge {
            return Ok(MailOutcome::Refused {
                code: "sender_not_of_ticket",
                replied: false,
            });
        }
        let message_id = msg
            .message_id()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty());
        if let Some(mid) = &message_id {
            if support_store::system::inbound_mail_seen(&self.store, mid).await? {
                // An MTA's retry of a message already threaded.
                return Ok(MailOutcome::Refused {
                    code: "already_received",
                    replied: false,
                });
            }
        }
        if body.is_empty() {
            return Err(AppError::invalid(
                "mail_empty",
                "message",
                "the reply has no new text",
            ));
        }
        let principal = Principal {
            user_id: user.id.clone(),
            email: user.email.clone(),
            role,
            partner_id: user.partner_id.clone(),
            customer_id: user.customer_id.clone(),
            credential_id: "email".into(),
        };
        let caller = Caller {
            scope: self.scope_of(&principal).await?,
            principal,
            actor: Actor {
                actor: format!("user:{}", user.id),
                source: "email".into(),
                request_id: new_id("mail"),
            },
        };
        let view = self
            .reply_ticket(&caller, &ticket.id, &body, false, "email")
            .await?;
        if let Some(mid) = &message_id {
            // Recorded once threaded: a crash in between lets a retry thread it again (at
            // least once), never lose it.
            let mut tx = self.store.begin().await?;
            support_store::record_inbound_mail(&mut tx, mid, &view.ticket.id, self.now()).await?;
            tollgate_store::commit(tx).await?;
        }
        Ok(MailOutcome::Threaded(Box::new(view)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h5_the_reference_is_found_in_a_reply_subject_and_quotes_are_left_out() {
        assert_eq!(
            reference_in("Re: [TKT-000042:0a1b2c3d4e] No audio"),
            Some(("TKT-000042".into(), Some("0a1b2c3d4e".into())))
        );
        assert_eq!(
            reference_in("Störung: TKT-000042 ohne Schlüssel"),
            Some(("TKT-000042".into(), None))
        );
        assert_eq!(reference_in("Re: TKT-0000421"), None);
        assert_eq!(reference_in("Re: TKT-42 no audio"), None);
        assert_eq!(reference_in("Help ü"), None);
        let body =
            "Still broken after the reboot.\n\nOn Mon, 23 Nov 2026 Support wrote:\n> Please reboot";
        assert_eq!(reply_text(body), "Still broken after the reboot.");
    }
}
