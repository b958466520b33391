//! `send_message`: a message asks to be admitted (the module table of
//! [`tollgate_core::messaging`] gives the precedence), is logged with its decision (M7) and,
//! when admitted, queued durably for delivery.

use std::sync::atomic::Ordering;

use tollgate_core::e164;
use tollgate_core::messaging::{self as core_msg, segments, Category, Sender, Status};
use tollgate_store::messaging::{system as msg_store, MessageRow};

use super::{CAP_WINDOW_S, MAX_CAMPAIGN_CHARS, MAX_IDEMPOTENCY_KEY_CHARS};
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// A message asking to be sent (the API's form, converted).
#[derive(Debug, Clone, Default)]
pub struct SendRequest {
    pub billing_account: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub category: String,
    pub campaign: Option<String>,
    pub defer_if_quiet: bool,
    pub idempotency_key: Option<String>,
}

/// What admission made of a message.
#[derive(Debug, Clone)]
pub enum Admitted {
    /// Decided: the row that logs it (and queues it, unless refused).
    New(MessageRow),
    /// Its idempotency key names this message, already sent.
    Duplicate(MessageRow),
}

/// The answer: the decision with its rule and clause, and the message as logged.
#[derive(Debug, Clone)]
pub struct Sent {
    pub message: MessageRow,
    /// The idempotency key named a message already sent: this is that message.
    pub duplicate: bool,
}

struct Checked {
    sender: Sender,
    to: String,
    category: Category,
}

fn check_input(req: &SendRequest) -> Result<Checked, AppError> {
    let category = Category::parse(&req.category).ok_or_else(|| {
        AppError::invalid(
            "category_invalid",
            "category",
            "must be transactional, informational or marketing",
        )
    })?;
    let sender = Sender::parse(&req.from)?;
    let to = e164::normalize(&req.to, "to")?;
    let chars = req.body.chars().count();
    if chars == 0 || chars > core_msg::MAX_BODY_CHARS {
        return Err(AppError::invalid(
            "body_length",
            "body",
            format!("must have 1 to {} characters", core_msg::MAX_BODY_CHARS),
        ));
    }
    if req
        .idempotency_key
        .as_ref()
        .is_some_and(|k| k.is_empty() || k.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS)
    {
        return Err(AppError::invalid(
            "idempotency_key_invalid",
            "idempotency_key",
            format!("must have 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters"),
        ));
    }
    if req
        .campaign
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CAMPAIGN_CHARS)
    {
        return Err(AppError::invalid(
            "campaign_invalid",
            "campaign",
            format!("at most {MAX_CAMPAIGN_CHARS} characters"),
        ));
    }
    Ok(Checked {
        sender,
        to,
        category,
    })
}

impl App {
    /// Admits or refuses a message for an account in the caller's scope; logs it either way
    /// (M7) and queues it when admitted.
    pub async fn send_message(&self, caller: &Caller, req: SendRequest) -> Result<Sent, AppError> {
        let row = match self.admit_message(caller, &req).await? {
            Admitted::Duplicate(m) => {
                return Ok(Sent {
                    message: m,
                    duplicate: true,
                })
            }
            Admitted::New(row) => row,
        };
        if !self.persist_message(row.clone()).await? {
            let key = req.idempotency_key.as_deref().unwrap_or_default();
            let m = msg_store::by_idempotency_key(&self.store, &row.billing_account_id, key)
                .await?
                .ok_or_else(|| AppError::Internal("idempotency key without message".into()))?;
            return Ok(Sent {
                message: m,
                duplicate: true,
            });
        }
        let stats = &self.messaging.stats;
        let counter = match row.status.as_str() {
            "accepted" => &stats.accepted,
            "deferred" => &stats.deferred,
            _ => &stats.refused,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if row.state == "queued" {
            self.messaging.wake.notify_one();
        }
        Ok(Sent {
            message: row,
            duplicate: false,
        })
    }

    /// The decision on a message and the row that logs it, not yet stored: reads memory only
    /// once the account is cached (what `tollgate bench messaging` times in process). The
    /// caps and detectors count an admitted message here.
    pub async fn admit_message(
        &self,
        caller: &Caller,
        req: &SendRequest,
    ) -> Result<Admitted, AppError> {
        let c = check_input(req)?;
        let account = req.billing_account.as_str();
        let now = self.now();
        let acct = self.cached_account(account, now).await?;
        self.load_messaging_facts(account, now).await?;
        if let Some(key) = &req.idempotency_key {
            if let Some(m) = msg_store::by_idempotency_key(&self.store, account, key).await? {
                self.ensure_visible(caller, account)?;
                return Ok(Admitted::Duplicate(m));
            }
        }
        let (encoding, segments) = segments::count(&req.body);
        let (decision, surcharge, customer_id, partner_id) = {
            let mut m = self.messaging.accounts.lock().expect("messaging lock");
            let f = m
                .get_mut(account)
                .ok_or(AppError::NotFound("billing account"))?;
            if !caller
                .scope
                .sees_customer(&f.customer_id, f.partner_id.as_deref())
            {
                return Err(AppError::NotFound("billing account"));
            }
            let cs = f.consent.get(&c.to).cloned().unwrap_or_default();
            let (country, region, tzs) = super::recipient_place(&cs, &c.to);
            let sent = f.marketing.entry(c.to.clone()).or_default();
            while sent.front().is_some_and(|t| *t <= now - CAP_WINDOW_S) {
                sent.pop_front();
            }
            let marketing_last_24h = sent.len() as u32;
            let findings = f.recipients.check(&c.to, c.category, cs.granted, now);
            let facts = core_msg::Facts {
                validated: acct.policy.validated,
                suspensions: &acct.policy.suspensions,
                home_country: &acct.policy.home_country,
                owned_numbers: &acct.policy.owned_numbers,
                registered: &f.registered,
                opted_out: cs.opted_out,
                suppressed: f.suppressed.contains(&c.to),
                consent: cs.granted,
                marketing_last_24h,
                enumeration: findings.enumeration,
                bulk_without_consent: findings.bulk_without_consent,
            };
            let request = core_msg::Request {
                sender: &c.sender,
                recipient: core_msg::Recipient {
                    number: &c.to,
                    country: country.as_deref(),
                    region: region.as_deref(),
                    zones: &tzs,
                },
                category: c.category,
                body: &req.body,
                defer_if_quiet: req.defer_if_quiet,
                now,
            };
            let d = core_msg::admit(&request, &facts, &self.messaging.quiet);
            if d.status != Status::Refused {
                f.recipients.record(&c.to, c.category, cs.granted, now);
                if c.category == Category::Marketing {
                    f.marketing.entry(c.to.clone()).or_default().push_back(now);
                }
            }
            let surcharge = f.surcharge.get(c.sender.key()).copied().unwrap_or(0);
            (d, surcharge, f.customer_id.clone(), f.partner_id.clone())
        };
        let refused = decision.status == Status::Refused;
        let row = MessageRow {
            id: new_id("msg"),
            billing_account_id: account.to_string(),
            customer_id,
            partner_id,
            direction: "out".into(),
            idempotency_key: req.idempotency_key.clone(),
            sender: c.sender.key().to_string(),
            recipient: c.to,
            category: c.category.as_str().into(),
            campaign: req.campaign.clone(),
            body: (!refused).then(|| req.body.clone()),
            encoding: encoding.as_str().into(),
            segments: i64::from(segments),
            status: decision.status.as_str().into(),
            code: decision.code.into(),
            rule: decision.rule.map(|r| r.rule.to_string()),
            clause: decision.rule.map(|r| self.clause_for(&acct.profile, r)),
            reason: decision.message.clone(),
            state: if refused { "refused" } else { "queued" }.into(),
            send_at: (!refused).then(|| decision.send_at.unwrap_or(now)),
            connector: None,
            smsc_id: None,
            attempts: 0,
            submitted_at: None,
            done_at: refused.then_some(now),
            error: None,
            surcharge_micros: if refused { 0 } else { surcharge },
            keyword: None,
            review: None,
            created_by: caller.actor.actor.clone(),
            created_at: now,
            updated_at: now,
            billed_month: None,
        };
        Ok(Admitted::New(row))
    }

    /// NotFound unless the account's cached customer is in the caller's scope.
    pub(crate) fn ensure_visible(&self, caller: &Caller, account: &str) -> Result<(), AppError> {
        let m = self.messaging.accounts.lock().expect("messaging lock");
        match m.get(account) {
            Some(f)
                if caller
                    .scope
                    .sees_customer(&f.customer_id, f.partner_id.as_deref()) =>
            {
                Ok(())
            }
            _ => Err(AppError::NotFound("billing account")),
        }
    }
}
