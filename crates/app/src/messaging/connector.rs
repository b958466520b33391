//! Connectors: how admitted messages leave. Two real ones behind one interface:
//!
//! * **SMPP 3.4** ([`super::smpp::SmppClient`]): a transceiver session to an SMSC; receipts
//!   and inbound messages come back as `deliver_sm`.
//! * **Signed HTTP webhook** ([`WebhookConnector`]): one JSON POST per message to the
//!   operator's gateway, `X-Tollgate-Signature: t=<unix s>,v1=<hex>` (HMAC-SHA256 of
//!   `<t>.<body>`, the outbox's scheme) and `X-Tollgate-Delivery: <message id>` (the
//!   receiver's idempotency key). A 2xx answer with `{"id": "..."}` is the gateway's id;
//!   receipts and inbound messages come back to `POST /v1/messages/receipts` and
//!   `POST /v1/messages/inbound`.
//!
//! Errors keep the at-most-once rule: only what was certainly not handed over is retried.

use std::time::Duration;

use tollgate_store::messaging::MessageRow;

use super::smpp::{Coding, SmppClient, Submit, SubmitError};
use crate::delivery::webhook::{post_signed, signature_header, PostError};

/// Messages a webhook connector has in flight at once.
pub const WEBHOOK_WINDOW: usize = 16;
/// How long one webhook submission may take.
pub const WEBHOOK_SUBMIT_TIMEOUT_S: u64 = 10;

/// The operator's messaging gateway reached by signed webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConnector {
    /// `http://host:port/path`.
    pub url: String,
    pub secret: String,
}

/// Where admitted messages go.
#[derive(Clone)]
pub enum Connector {
    Smpp(SmppClient),
    Webhook(WebhookConnector),
}

impl Connector {
    /// The name stored on each message it submits.
    pub fn name(&self) -> &'static str {
        match self {
            Connector::Smpp(_) => "smpp",
            Connector::Webhook(_) => "webhook",
        }
    }

    /// Whether it can take messages now (an SMPP session is bound).
    pub fn is_ready(&self) -> bool {
        match self {
            Connector::Smpp(c) => c.is_bound(),
            Connector::Webhook(_) => true,
        }
    }

    /// Messages in flight at once at most.
    pub fn window(&self) -> usize {
        match self {
            Connector::Smpp(c) => c.window(),
            Connector::Webhook(_) => WEBHOOK_WINDOW,
        }
    }

    /// Hands one message over; the connector's id for it (what receipts name).
    pub async fn submit(&self, m: &MessageRow, now: i64) -> Result<String, SubmitError> {
        let body = m.body.clone().unwrap_or_default();
        match self {
            Connector::Smpp(c) => {
                let coding = if m.encoding == "gsm7" {
                    Coding::Gsm7
                } else {
                    Coding::Ucs2
                };
                let sub = Submit {
                    from: &m.sender,
                    to: &m.recipient,
                    body: &body,
                    coding,
                    receipt: true,
                };
                c.submit(&sub).await
            }
            Connector::Webhook(w) => w.submit(m, &body, now).await,
        }
    }

    /// Stops a session it holds.
    pub async fn stop(&self) {
        if let Connector::Smpp(c) = self {
            c.stop().await;
        }
    }
}

impl WebhookConnector {
    async fn submit(&self, m: &MessageRow, body: &str, now: i64) -> Result<String, SubmitError> {
        let payload = serde_json::json!({
            "id": m.id,
            "from": m.sender,
            "to": m.recipient,
            "body": body,
            "encoding": m.encoding,
            "segments": m.segments,
            "category": m.category,
        })
        .to_string();
        let signature = signature_header(&self.secret, now, &payload);
        let answer = tokio::time::timeout(
            Duration::from_secs(WEBHOOK_SUBMIT_TIMEOUT_S),
            post_signed(&self.url, &m.id, &signature, &payload),
        )
        .await
        .map_err(|_| SubmitError::Lost)?;
        match answer {
            Err(PostError::NotSent(why)) => Err(SubmitError::Unavailable(why)),
            Err(PostError::NoAnswer(_)) => Err(SubmitError::Lost),
            Ok((status, text)) if (200..300).contains(&status) => {
                let id = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string))
                    .filter(|id| !id.is_empty() && id.len() <= 128)
                    .unwrap_or_else(|| m.id.clone());
                Ok(id)
            }
            // The gateway is busy or down: it did not take the message.
            Ok((status @ (429 | 502..=504), _)) => Err(SubmitError::Unavailable(format!(
                "the gateway answered {status}: busy or unavailable"
            ))),
            Ok((status, _)) => Err(SubmitError::Rejected {
                command_status: u32::from(status),
            }),
        }
    }
}
