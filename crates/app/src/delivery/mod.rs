//! Delivery of the outbox (issue 13 #8): e-mail to the configured SMTP relay and signed
//! webhooks to the operator's endpoints ([`webhook`]), with retries, exponential backoff and a
//! dead-letter state. At least once: an attempt is claimed (counted,
//! the next one scheduled) before the message is sent, so a crash between the relay's answer
//! and the mark sends it again later; every message carries its outbox id as its Message-ID
//! (`<id@tollgate>`), the key a receiver deduplicates with. Two workers never send the same
//! attempt (the claim is a conditional update).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tollgate_store::outbox::system::{self as outbox_store, Queued};

use crate::{App, AppError};

pub mod endpoints;
pub mod webhook;

/// Attempts before a message is dead-lettered.
pub const MAX_DELIVERY_ATTEMPTS: i64 = 8;
/// The wait after the first failed attempt; doubled after each, at most [`MAX_BACKOFF_S`].
pub const FIRST_BACKOFF_S: i64 = 30;
pub const MAX_BACKOFF_S: i64 = 3_600;
/// Messages taken per pass.
pub const DELIVERY_BATCH: i64 = 100;
/// How long one SMTP exchange may take.
pub const SMTP_TIMEOUT_S: u64 = 10;

/// Where mail goes.
#[derive(Debug, Clone)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    /// The sender address of every message.
    pub from: String,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
    pub dead: usize,
}

/// The wait before attempt `attempts + 1`.
pub fn backoff_s(attempts: i64) -> i64 {
    let shift = attempts.clamp(1, 20) - 1;
    (FIRST_BACKOFF_S << shift).min(MAX_BACKOFF_S)
}

/// RFC 3834: every message Tollgate sends is machine-generated, so responders do not answer
/// it (no loops with out-of-office replies).
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

fn message(relay: &SmtpRelay, q: &Queued) -> Result<Message, String> {
    Message::builder()
        .from(relay.from.parse().map_err(|e| format!("sender: {e}"))?)
        .to(q
            .message
            .recipient
            .parse()
            .map_err(|e| format!("recipient: {e}"))?)
        .subject(q.message.subject.clone())
        .message_id(Some(format!("<{}@tollgate>", q.message.id)))
        .header(ContentType::TEXT_PLAIN)
        .header(AutoSubmitted)
        .body(q.message.body.clone())
        .map_err(|e| e.to_string())
}

impl App {
    /// One delivery pass: every message due now, each claimed then sent. Without a relay,
    /// e-mail waits in the outbox (unclaimed) and only webhooks go out.
    pub async fn deliver_outbox(
        &self,
        relay: Option<&SmtpRelay>,
    ) -> Result<DeliveryReport, AppError> {
        let transport = relay.map(|relay| {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host.as_str())
                .port(relay.port)
                .timeout(Some(Duration::from_secs(SMTP_TIMEOUT_S)))
                .build()
        });
        let mut report = DeliveryReport::default();
        let now = self.now();
        for q in outbox_store::due(&self.store, now, DELIVERY_BATCH).await? {
            if q.message.channel == "email" && relay.is_none() {
                continue;
            }
            let attempt = q.attempts + 1;
            if !outbox_store::claim(&self.store, &q.message.id, now, now + backoff_s(attempt))
                .await?
            {
                continue;
            }
            let outcome = match q.message.channel.as_str() {
                "email" => match (relay, &transport) {
                    (Some(relay), Some(transport)) => match message(relay, &q) {
                        Ok(m) => transport
                            .send(m)
                            .await
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    },
                    _ => Err("no SMTP relay".into()),
                },
                "webhook" => self.post_webhook(&q, now).await,
                other => Err(format!("no delivery for channel `{other}`")),
            };
            match outcome {
                Ok(()) => {
                    outbox_store::mark_sent(&self.store, &q.message.id, self.now()).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    let dead = (attempt >= MAX_DELIVERY_ATTEMPTS).then(|| self.now());
                    tracing::warn!(id = %q.message.id, attempt, error = %e, dead = dead.is_some(), "delivery failed");
                    outbox_store::mark_failed(&self.store, &q.message.id, &e, dead).await?;
                    report.failed += 1;
                    report.dead += usize::from(dead.is_some());
                }
            }
        }
        Ok(report)
    }

    /// The outbox by state (`pending`, `sent`, `dead`), newest first: for the operator.
    pub async fn outbox(&self, state: &str, limit: i64) -> Result<Vec<Queued>, AppError> {
        if !matches!(state, "pending" | "sent" | "dead") {
            return Err(AppError::invalid(
                "filter_invalid",
                "state",
                "pending, sent or dead",
            ));
        }
        Ok(outbox_store::by_state(&self.store, state, limit).await?)
    }

    /// Puts a dead-lettered message back in the queue.
    pub async fn requeue_message(&self, id: &str) -> Result<(), AppError> {
        if outbox_store::requeue(&self.store, id, self.now()).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("dead-lettered message"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(backoff_s).collect();
        assert_eq!(waits, vec![30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600]);
    }
}
