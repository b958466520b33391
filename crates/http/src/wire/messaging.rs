//! Answers of the messaging routes (issue 15): messages with their decision (code, rule,
//! clause), consent events, suppressions, registrations, usage closes. Times RFC 3339; money
//! as decimal strings in the account's currency.

use serde::Serialize;
use tollgate_app::messaging::export::AuditExport;
use tollgate_app::messaging::usage::UsageClosed;
use tollgate_app::records::{ConsentRow, MessageRow, RegistrationRow, SuppressionRow};
use utoipa::ToSchema;

use crate::extract::ts;

fn decimal(micros: i64) -> String {
    tollgate_core::money::format_scaled(i128::from(micros), tollgate_core::money::MICRO_DIGITS)
}

/// A message as logged (M7) and its admission: `status` with the `code`, `rule` and `clause`
/// of the decision; `send_at` for a deferred one.
#[derive(Serialize, ToSchema)]
pub struct MessageOut {
    pub id: String,
    pub billing_account_id: String,
    /// `out` or `in`.
    pub direction: String,
    pub from: String,
    pub to: String,
    /// `transactional`, `informational` or `marketing`.
    pub category: String,
    pub campaign: Option<String>,
    /// `gsm7` or `ucs2`.
    pub encoding: String,
    pub segments: i64,
    /// `accepted`, `refused` or `deferred` (outbound); `received` (inbound).
    pub status: String,
    /// Stable code of the decision (`accepted`, `quiet_hours`, `consent_missing`, ...).
    pub code: String,
    pub rule: Option<String>,
    pub clause: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// `queued`, `submitting`, `submitted`, `delivered`, `failed`, `refused`, `unknown`
    /// (outbound); `received` (inbound).
    pub state: String,
    pub send_at: Option<String>,
    pub smsc_id: Option<String>,
    pub submitted_at: Option<String>,
    pub done_at: Option<String>,
    pub error: Option<String>,
    /// Inbound: the keyword it was (`opt_out`, `opt_in`, `help`, `stop_request`, `none`).
    pub keyword: Option<String>,
    /// Inbound stop requests: `pending` until reviewed, then `opt_out` or `dismiss`.
    pub review: Option<String>,
    /// The body of an inbound stop request waiting for review (D1: kept no longer).
    pub body: Option<String>,
    pub created_at: String,
    /// The idempotency key named a message already sent: this is that one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

impl MessageOut {
    pub fn of(m: MessageRow, duplicate: bool) -> MessageOut {
        let inbound_review = m.direction == "in" && m.review.as_deref() == Some("pending");
        MessageOut {
            id: m.id,
            billing_account_id: m.billing_account_id,
            direction: m.direction,
            from: m.sender,
            to: m.recipient,
            category: m.category,
            campaign: m.campaign,
            encoding: m.encoding,
            segments: m.segments,
            status: m.status,
            code: m.code,
            rule: m.rule,
            clause: m.clause,
            reason: m.reason,
            state: m.state,
            send_at: m.send_at.map(ts),
            smsc_id: m.smsc_id,
            submitted_at: m.submitted_at.map(ts),
            done_at: m.done_at.map(ts),
            error: m.error,
            keyword: m.keyword,
            review: m.review,
            body: if inbound_review { m.body } else { None },
            created_at: ts(m.created_at),
            duplicate,
        }
    }
}

/// An inbound message and the confirmation it caused (M3: one at most).
#[derive(Serialize, ToSchema)]
pub struct InboundOut {
    pub message: MessageOut,
    pub reply: Option<MessageOut>,
}

/// A delivery receipt taken (applied to the message with that id, or kept for a moment if
/// its submission is not recorded yet).
#[derive(Serialize, ToSchema)]
pub struct ReceiptOut {
    pub smsc_id: String,
    pub state: String,
}

/// An event of the consent ledger.
#[derive(Serialize, ToSchema)]
pub struct ConsentOut {
    pub id: String,
    pub billing_account_id: String,
    pub recipient: String,
    /// `granted` or `revoked`.
    pub action: String,
    /// `web_form`, `paper`, `api`, `import`, `keyword` or `review`.
    pub method: String,
    pub text_shown: Option<String>,
    pub evidence: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub at: String,
    pub recorded_by: String,
    pub message_id: Option<String>,
}

impl From<ConsentRow> for ConsentOut {
    fn from(c: ConsentRow) -> Self {
        ConsentOut {
            id: c.id,
            billing_account_id: c.billing_account_id,
            recipient: c.recipient,
            action: c.action,
            method: c.method,
            text_shown: c.text_shown,
            evidence: c.evidence,
            country: c.country,
            region: c.region,
            time_zone: c.time_zone,
            at: ts(c.at),
            recorded_by: c.recorded_by,
            message_id: c.message_id,
        }
    }
}

/// An entry of a suppression list (no account: the provider's list).
#[derive(Serialize, ToSchema)]
pub struct SuppressionOut {
    pub id: String,
    pub billing_account_id: Option<String>,
    pub recipient: String,
    pub reason: String,
    pub added_at: String,
    pub added_by: String,
}

impl From<SuppressionRow> for SuppressionOut {
    fn from(s: SuppressionRow) -> Self {
        SuppressionOut {
            id: s.id,
            billing_account_id: s.billing_account_id,
            recipient: s.recipient,
            reason: s.reason,
            added_at: ts(s.added_at),
            added_by: s.added_by,
        }
    }
}

/// A registration (M5) and its pass-through fees (B8).
#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: String,
    pub billing_account_id: String,
    /// `tendlc_brand`, `tendlc_campaign`, `short_code`, `toll_free`, `sender_id`, `state`.
    pub kind: String,
    pub reference: String,
    pub brand_id: Option<String>,
    pub numbers: Vec<String>,
    pub region: Option<String>,
    /// `pending`, `approved`, `rejected`, `suspended`, `expired`.
    pub status: String,
    pub expires_at: Option<String>,
    pub currency: String,
    pub fee: String,
    pub monthly_fee: String,
    /// Per message sent under it.
    pub surcharge: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<RegistrationRow> for RegistrationOut {
    fn from(r: RegistrationRow) -> Self {
        RegistrationOut {
            id: r.id,
            billing_account_id: r.billing_account_id,
            kind: r.kind,
            reference: r.reference,
            brand_id: r.brand_id,
            numbers: r
                .numbers
                .split(',')
                .filter(|n| !n.is_empty())
                .map(|n| format!("+{n}"))
                .collect(),
            region: r.region,
            status: r.status,
            expires_at: r.expires_at.map(ts),
            currency: r.currency,
            fee: decimal(r.fee_micros),
            monthly_fee: decimal(r.monthly_fee_micros),
            surcharge: decimal(r.surcharge_micros),
            created_at: ts(r.created_at),
            updated_at: ts(r.updated_at),
        }
    }
}

/// What a usage close put on the next invoice for one account.
#[derive(Serialize, ToSchema)]
pub struct UsageClosedOut {
    pub billing_account_id: String,
    pub segments: i64,
    pub users: i64,
    pub included: i64,
    pub billed_segments: i64,
    pub segment_price: String,
    pub usage: String,
    pub surcharges: String,
    pub monthly_fees: String,
}

impl From<UsageClosed> for UsageClosedOut {
    fn from(u: UsageClosed) -> Self {
        UsageClosedOut {
            billing_account_id: u.billing_account,
            segments: u.segments,
            users: u.users,
            included: u.included,
            billed_segments: u.billed_segments,
            segment_price: decimal(u.segment_micros),
            usage: decimal(u.usage_micros),
            surcharges: decimal(u.surcharges_micros),
            monthly_fees: decimal(u.monthly_fees_micros),
        }
    }
}

/// The answer of a usage close.
#[derive(Serialize, ToSchema)]
pub struct UsageCloseOut {
    pub month: String,
    pub accounts: Vec<UsageClosedOut>,
}

/// The erasure of a recipient's consent records after their retention.
#[derive(Serialize, ToSchema)]
pub struct ErasedOut {
    pub erased: u64,
}

/// The audit export (M7) as JSON.
#[derive(Serialize, ToSchema)]
pub struct MessagingExportOut {
    pub billing_account_id: String,
    pub from: String,
    pub to: String,
    pub messages: Vec<MessageOut>,
    pub consents: Vec<ConsentOut>,
    pub registrations: Vec<RegistrationOut>,
    pub suppressions: Vec<SuppressionOut>,
}

impl From<AuditExport> for MessagingExportOut {
    fn from(e: AuditExport) -> Self {
        MessagingExportOut {
            billing_account_id: e.billing_account,
            from: ts(e.from),
            to: ts(e.to),
            messages: e
                .messages
                .into_iter()
                .map(|m| MessageOut::of(m, false))
                .collect(),
            consents: e.consents.into_iter().map(Into::into).collect(),
            registrations: e.registrations.into_iter().map(Into::into).collect(),
            suppressions: e.suppressions.into_iter().map(Into::into).collect(),
        }
    }
}
