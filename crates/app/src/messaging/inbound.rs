//! Inbound messages (M3 decision): an opt-out keyword revokes consent at once with at most one
//! confirmation; an opt-in keyword subscribes again; HELP is answered; a reply that asks to
//! stop without being a keyword is flagged for a person to review. The body of an inbound
//! message is kept only while its review is pending (D1).

use serde_json::json;
use tollgate_core::messaging::keywords::{classify, Keyword};
use tollgate_core::messaging::segments;
use tollgate_core::{e164, rules};
use tollgate_store::messaging::{system as msg_store, ConsentRow, MessageRow};
use tollgate_store::{audit, Tx};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

/// The one confirmation of an opt-out (M3: at most one).
pub const OPT_OUT_REPLY: &str =
    "You are unsubscribed and will get no more messages from this number. Reply START to subscribe again.";
/// The confirmation of an opt-in.
pub const OPT_IN_REPLY: &str = "You are subscribed again. Reply STOP to opt out.";
/// The answer to HELP.
pub const HELP_REPLY: &str =
    "Help: reply to this message or contact the sender. Reply STOP to opt out.";

/// An inbound message and what it did.
#[derive(Debug, Clone)]
pub struct Received {
    pub message: MessageRow,
    pub keyword: Keyword,
    /// The confirmation queued, if any.
    pub reply: Option<MessageRow>,
}

fn reply_row(inbound: &MessageRow, text: &str, code: &'static str, now: i64) -> MessageRow {
    let (encoding, segs) = segments::count(text);
    MessageRow {
        id: new_id("msg"),
        direction: "out".into(),
        idempotency_key: None,
        sender: inbound.recipient.clone(),
        recipient: inbound.sender.clone(),
        category: "transactional".into(),
        campaign: None,
        body: Some(text.into()),
        encoding: encoding.as_str().into(),
        segments: i64::from(segs),
        status: "accepted".into(),
        code: code.into(),
        rule: Some(rules::M3.rule.into()),
        clause: Some(rules::M3.clause.into()),
        reason: "the keyword's confirmation (M3: one at most)".into(),
        state: "queued".into(),
        send_at: Some(now),
        keyword: None,
        review: None,
        created_by: "system".into(),
        created_at: now,
        updated_at: now,
        ..inbound.clone()
    }
}

async fn consent_event(
    tx: &mut Tx,
    inbound: &MessageRow,
    action: &str,
    method: &str,
    at: i64,
    by: &str,
) -> Result<ConsentRow, AppError> {
    let row = ConsentRow {
        id: new_id("con"),
        billing_account_id: inbound.billing_account_id.clone(),
        customer_id: inbound.customer_id.clone(),
        partner_id: inbound.partner_id.clone(),
        recipient: inbound.sender.clone(),
        action: action.into(),
        method: method.into(),
        text_shown: None,
        evidence: Some(format!("inbound message {}", inbound.id)),
        country: None,
        region: None,
        time_zone: None,
        at,
        recorded_by: by.into(),
        message_id: Some(inbound.id.clone()),
    };
    row.insert(tx).await?;
    Ok(row)
}

impl App {
    /// A message from `from` (a recipient) to `to` (a number of an account), from a connector.
    pub async fn receive_message(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        body: &str,
    ) -> Result<Received, AppError> {
        let from = e164::normalize(from, "from")?;
        let to_digits = e164::normalize(to, "to")?;
        let account = msg_store::account_of_number(&self.store, &to_digits)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "number_unknown",
                    "to",
                    format!("+{to_digits} belongs to no account"),
                )
            })?;
        // One inbound message at a time: two STOPs at once get one confirmation (M3).
        let _serial = self.messaging.inbound.lock().await;
        let now = self.now();
        self.load_messaging_facts(&account, now).await?;
        let (customer, partner, state) = {
            let m = self.messaging.accounts.lock().expect("messaging lock");
            let f = m
                .get(&account)
                .ok_or(AppError::NotFound("billing account"))?;
            (
                f.customer_id.clone(),
                f.partner_id.clone(),
                f.consent.get(&from).cloned().unwrap_or_default(),
            )
        };
        let keyword = classify(body);
        let (encoding, segs) = segments::count(body);
        let inbound = MessageRow {
            id: new_id("msg"),
            billing_account_id: account.clone(),
            customer_id: customer,
            partner_id: partner,
            direction: "in".into(),
            idempotency_key: None,
            sender: from.clone(),
            recipient: to_digits,
            category: "informational".into(),
            campaign: None,
            body: (keyword == Keyword::StopRequest).then(|| body.to_string()),
            encoding: encoding.as_str().into(),
            segments: i64::from(segs),
            status: "received".into(),
            code: format!("keyword_{}", keyword.as_str()),
            rule: (keyword != Keyword::None).then(|| rules::M3.rule.into()),
            clause: (keyword != Keyword::None).then(|| rules::M3.clause.into()),
            reason: match keyword {
                Keyword::OptOut => "opt-out keyword: consent revoked at once",
                Keyword::OptIn => "opt-in keyword: subscribed again",
                Keyword::Help => "help keyword: answered",
                Keyword::StopRequest => "asks to stop without a keyword: flagged for review",
                Keyword::None => "no keyword",
            }
            .into(),
            state: "received".into(),
            send_at: None,
            connector: None,
            smsc_id: None,
            attempts: 0,
            submitted_at: None,
            done_at: Some(now),
            error: None,
            surcharge_micros: 0,
            keyword: Some(keyword.as_str().into()),
            review: (keyword == Keyword::StopRequest).then(|| "pending".into()),
            created_by: actor.actor.clone(),
            created_at: now,
            updated_at: now,
            billed_month: None,
        };
        let mut tx = self.store.begin().await?;
        inbound.insert(&mut tx).await?;
        let (consent, reply) = match keyword {
            // A repeated STOP changes nothing and is not confirmed again (one at most).
            Keyword::OptOut if !state.opted_out => (
                Some(
                    consent_event(&mut tx, &inbound, "revoked", "keyword", now, &actor.actor)
                        .await?,
                ),
                Some(reply_row(
                    &inbound,
                    OPT_OUT_REPLY,
                    "opt_out_confirmation",
                    now,
                )),
            ),
            // Only an opt-out is undone: "YES" to an appointment reminder is no written
            // consent to marketing (M2).
            Keyword::OptIn if state.opted_out => (
                Some(
                    consent_event(&mut tx, &inbound, "granted", "keyword", now, &actor.actor)
                        .await?,
                ),
                Some(reply_row(
                    &inbound,
                    OPT_IN_REPLY,
                    "opt_in_confirmation",
                    now,
                )),
            ),
            Keyword::Help => (
                None,
                Some(reply_row(&inbound, HELP_REPLY, "help_reply", now)),
            ),
            _ => (None, None),
        };
        if let Some(r) = &reply {
            r.insert(&mut tx).await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                actor,
                now,
                "message.inbound",
                &inbound.id,
                json!({"billing_account": account, "from": from, "keyword": keyword.as_str()}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if let Some(c) = &consent {
            self.cache_consent(c);
        }
        if reply.is_some() {
            self.messaging.wake.notify_one();
        }
        self.messaging
            .stats
            .inbound
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Received {
            message: inbound,
            keyword,
            reply,
        })
    }

    /// A person's review of a flagged stop request: `opt_out` revokes consent (method
    /// `review`), `dismiss` leaves it. The kept body is dropped either way.
    pub async fn review_stop_request(
        &self,
        caller: &Caller,
        id: &str,
        decision: &str,
    ) -> Result<MessageRow, AppError> {
        let m = tollgate_store::messaging::get_message(
            &self.store,
            tollgate_store::ScopeFilter::of(&caller.scope),
            id,
        )
        .await?
        .ok_or(AppError::NotFound("message"))?;
        if !["opt_out", "dismiss"].contains(&decision) {
            return Err(AppError::invalid(
                "decision_invalid",
                "decision",
                "opt_out or dismiss",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tollgate_store::messaging::set_review(&mut tx, id, decision, now).await? {
            return Err(AppError::Conflict {
                code: "not_pending",
                message: "the message has no pending review".into(),
            });
        }
        tollgate_store::messaging::system::drop_body(&mut tx, id).await?;
        let consent = if decision == "opt_out" {
            Some(consent_event(&mut tx, &m, "revoked", "review", now, &caller.actor.actor).await?)
        } else {
            None
        };
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "message.review",
                id,
                json!({"decision": decision}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if let Some(c) = &consent {
            self.cache_consent(c);
        }
        Ok(MessageRow {
            review: Some(decision.into()),
            body: None,
            ..m
        })
    }
}
