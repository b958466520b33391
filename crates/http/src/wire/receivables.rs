//! Answers of the receivables routes (issue 13): payments and their allocations, disputes,
//! credit notes, billing credits, statements of account, aged receivables, the outbox.
//! Amounts are decimal strings in the currency; days `YYYY-MM-DD`.

use serde::Serialize;
use tollgate_app::billing::day_text;
use tollgate_app::receivables::{AgedRow, PaymentOutcome, Statement};
use tollgate_app::records::{
    AllocationRow, BillingCreditRow, CreditNoteRow, DisputeRow, PaymentRow, Queued, WebhookEndpoint,
};
use tollgate_core::money::{format_minor, Currency};
use utoipa::ToSchema;

use crate::extract::ts;

fn money(m: i64, c: &str) -> String {
    let cur =
        Currency::parse_stored(c).unwrap_or_else(|_| Currency::parse_stored("XXX").expect("XXX"));
    format_minor(m, cur)
}

#[derive(Serialize, ToSchema)]
pub struct AllocationOut {
    pub invoice_id: String,
    /// `payment`, `credit` or `credit_note`.
    pub source_kind: String,
    pub amount: String,
    pub on: String,
    pub reversed_on: Option<String>,
}

impl AllocationOut {
    fn new(a: AllocationRow, currency: &str) -> AllocationOut {
        AllocationOut {
            invoice_id: a.invoice_id,
            source_kind: a.source_kind,
            amount: money(a.amount_minor, currency),
            on: day_text(a.on_day),
            reversed_on: a.reversed_on.map(day_text),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaymentOut {
    pub id: String,
    pub issuer_id: String,
    /// The billing account (retail) or partner (wholesale) that paid.
    pub billed_id: String,
    pub currency: String,
    pub amount: String,
    pub received_on: String,
    pub bank_reference: String,
    pub method: String,
    /// `received` or `declined`.
    pub state: String,
    pub declined_on: Option<String>,
    pub decline_reason: Option<String>,
    /// What became a billing credit (B9).
    pub credit: String,
}

impl From<PaymentRow> for PaymentOut {
    fn from(p: PaymentRow) -> Self {
        PaymentOut {
            amount: money(p.amount_minor, &p.currency),
            credit: money(p.credit_minor, &p.currency),
            received_on: day_text(p.received_on),
            declined_on: p.declined_on.map(day_text),
            id: p.id,
            issuer_id: p.issuer_id,
            billed_id: p.billed_id,
            currency: p.currency,
            bank_reference: p.bank_reference,
            method: p.method,
            state: p.state,
            decline_reason: p.decline_reason,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaymentOutcomeOut {
    pub payment: PaymentOut,
    pub allocations: Vec<AllocationOut>,
    /// The bank reference was recorded before: nothing new was written.
    pub duplicate: bool,
}

impl From<PaymentOutcome> for PaymentOutcomeOut {
    fn from(o: PaymentOutcome) -> Self {
        let cur = o.payment.currency.clone();
        PaymentOutcomeOut {
            allocations: o
                .allocations
                .into_iter()
                .map(|a| AllocationOut::new(a, &cur))
                .collect(),
            payment: o.payment.into(),
            duplicate: o.duplicate,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DisputeOut {
    pub id: String,
    pub invoice_id: String,
    pub billed_id: String,
    pub opened_on: String,
    /// In the invoice's currency.
    pub amount_minor: i64,
    pub lines: Vec<i64>,
    pub reason: String,
    pub ticket_ref: Option<String>,
    /// `open`, `upheld`, `partly_upheld` or `rejected`.
    pub state: String,
    pub resolved_on: Option<String>,
    pub upheld_minor: Option<i64>,
    /// What was not upheld is due on this day (B9: 30 days after the resolution).
    pub due_on: Option<String>,
    pub credit_note_id: Option<String>,
    pub rule: &'static str,
}

impl From<DisputeRow> for DisputeOut {
    fn from(d: DisputeRow) -> Self {
        DisputeOut {
            lines: d
                .line_numbers
                .split(',')
                .filter_map(|n| n.parse().ok())
                .collect(),
            opened_on: day_text(d.opened_on),
            resolved_on: d.resolved_on.map(day_text),
            due_on: d.due_on.map(day_text),
            id: d.id,
            invoice_id: d.invoice_id,
            billed_id: d.billed_id,
            amount_minor: d.amount_minor,
            reason: d.reason,
            ticket_ref: d.ticket_ref,
            state: d.state,
            upheld_minor: d.upheld_minor,
            credit_note_id: d.credit_note_id,
            rule: "B9",
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreditNoteOut {
    pub id: String,
    pub number: String,
    pub issuer_id: String,
    pub invoice_id: String,
    pub dispute_id: Option<String>,
    pub billed_id: String,
    pub currency: String,
    pub amount: String,
    pub issued_on: String,
    pub reason: String,
}

impl From<CreditNoteRow> for CreditNoteOut {
    fn from(c: CreditNoteRow) -> Self {
        CreditNoteOut {
            amount: money(c.amount_minor, &c.currency),
            issued_on: day_text(c.issued_on),
            id: c.id,
            number: c.number,
            issuer_id: c.issuer_id,
            invoice_id: c.invoice_id,
            dispute_id: c.dispute_id,
            billed_id: c.billed_id,
            currency: c.currency,
            reason: c.reason,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BillingCreditOut {
    pub id: String,
    pub issuer_id: String,
    pub billed_id: String,
    pub currency: String,
    pub amount: String,
    /// What the next invoices have not used yet.
    pub remaining: String,
    /// `overpayment`, `credit_note` or `cancellation`.
    pub source_kind: String,
    pub source_id: String,
    pub created_on: String,
}

impl From<BillingCreditRow> for BillingCreditOut {
    fn from(c: BillingCreditRow) -> Self {
        BillingCreditOut {
            amount: money(c.amount_minor, &c.currency),
            remaining: money(c.remaining_minor, &c.currency),
            created_on: day_text(c.created_on),
            id: c.id,
            issuer_id: c.issuer_id,
            billed_id: c.billed_id,
            currency: c.currency,
            source_kind: c.source_kind,
            source_id: c.source_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StatementLineOut {
    pub on: String,
    /// `invoice`, `payment`, `payment_declined`, `credit_note`, ...
    pub kind: String,
    pub reference: String,
    pub memo: String,
    /// Positive: owed more; negative: a payment or credit.
    pub amount: String,
    pub balance: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatementOut {
    pub issuer_id: String,
    pub billed_id: String,
    pub currency: String,
    pub opening_balance: String,
    pub lines: Vec<StatementLineOut>,
    /// Owed (positive) or in credit (negative).
    pub closing_balance: String,
}

impl From<Statement> for StatementOut {
    fn from(s: Statement) -> Self {
        let c = s.currency.clone();
        StatementOut {
            opening_balance: money(s.opening_minor, &c),
            closing_balance: money(s.closing_minor, &c),
            lines: s
                .lines
                .into_iter()
                .map(|l| StatementLineOut {
                    on: day_text(l.on),
                    kind: l.kind,
                    reference: l.reference,
                    memo: l.memo,
                    amount: money(l.amount_minor, &c),
                    balance: money(l.balance_minor, &c),
                })
                .collect(),
            issuer_id: s.issuer_id,
            billed_id: s.billed_id,
            currency: s.currency,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgedRowOut {
    pub issuer_id: String,
    pub billed_id: String,
    pub billed_name: String,
    pub currency: String,
    /// Open amounts by days past due: `current`, `1-30`, `31-60`, `61-90`, `over_90`.
    pub buckets: std::collections::BTreeMap<String, String>,
    pub total: String,
}

impl From<AgedRow> for AgedRowOut {
    fn from(r: AgedRow) -> Self {
        AgedRowOut {
            buckets: r
                .buckets
                .iter()
                .map(|b| (b.label.to_string(), money(b.minor, &r.currency)))
                .collect(),
            total: money(r.total_minor, &r.currency),
            issuer_id: r.issuer_id,
            billed_id: r.billed_id,
            billed_name: r.billed_name,
            currency: r.currency,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OutboxMessageOut {
    pub id: String,
    pub at: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    /// The rule that caused the message.
    pub rule: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    /// Set: dead-lettered after the last attempt.
    pub dead_at: Option<String>,
    pub last_error: Option<String>,
}

impl From<Queued> for OutboxMessageOut {
    fn from(q: Queued) -> Self {
        OutboxMessageOut {
            id: q.message.id,
            at: ts(q.message.at),
            channel: q.message.channel,
            recipient: q.message.recipient,
            subject: q.message.subject,
            rule: q.message.rule,
            attempts: q.attempts,
            next_attempt_at: ts(q.next_attempt_at),
            sent_at: q.sent_at.map(ts),
            dead_at: q.dead_at.map(ts),
            last_error: q.last_error,
        }
    }
}

/// A webhook endpoint (its secret is shown only when it is created).
#[derive(Serialize, ToSchema)]
pub struct WebhookOut {
    pub id: String,
    pub url: String,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

impl From<WebhookEndpoint> for WebhookOut {
    fn from(e: WebhookEndpoint) -> Self {
        WebhookOut {
            id: e.id,
            url: e.url,
            created_at: ts(e.created_at),
            disabled_at: e.disabled_at.map(ts),
        }
    }
}

/// A new endpoint with its signing secret, shown this once. Each delivery carries
/// `X-Tollgate-Delivery` (the idempotency key) and `X-Tollgate-Signature: t=<unix>,v1=<hex>`,
/// the HMAC-SHA256 of `<t>.<body>` under the secret.
#[derive(Serialize, ToSchema)]
pub struct WebhookCreatedOut {
    #[serde(flatten)]
    pub endpoint: WebhookOut,
    pub secret: String,
}

impl From<WebhookEndpoint> for WebhookCreatedOut {
    fn from(e: WebhookEndpoint) -> Self {
        let secret = e.secret.clone();
        WebhookCreatedOut {
            endpoint: e.into(),
            secret,
        }
    }
}
