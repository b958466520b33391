//! S4: the NOC's detections reach the partner as tickets. Every guard incident about a
//! customer opens one ticket (once: the ticket names its incident), to the customer's partner,
//! with the account, its numbers and the evidence, Critical when the guard suspended traffic.

use tollgate_core::support::ticket::{Cos, Kind, State};
use tollgate_store::support::{self as support_store, TicketRow};

use crate::ids::new_id;
use crate::{Actor, App, AppError, Caller};

/// Incidents looked at per sweep.
pub const NOC_BATCH: i64 = 100;
/// How far back a sweep looks for incidents without a ticket.
pub const NOC_LOOKBACK_S: i64 = 7 * 86_400;

impl App {
    /// Opens the tickets of new guard incidents; returns their ids.
    pub async fn noc_sweep(&self) -> Result<Vec<String>, AppError> {
        let now = self.now();
        let caller = Caller::system(Actor {
            actor: "system:noc".into(),
            source: "noc".into(),
            request_id: new_id("noc"),
        });
        let mut opened = Vec::new();
        for i in support_store::system::incidents_without_ticket(
            &self.store,
            now - NOC_LOOKBACK_S,
            NOC_BATCH,
        )
        .await?
        {
            let Some(customer_id) = i.customer_id.clone() else {
                continue;
            };
            let customer =
                tollgate_store::tenancy::system::get_customer(&self.store, &customer_id).await?;
            let region = self
                .support_region_of(customer.partner_id.as_deref())
                .await?;
            let numbers = match &i.billing_account_id {
                Some(a) => {
                    tollgate_store::numbers::system::active_numbers_of_account(&self.store, a)
                        .await?
                        .into_iter()
                        .map(|n| format!("+{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
                None => String::new(),
            };
            let cos = if i.action.starts_with("suspend") {
                Cos::Critical
            } else {
                Cos::Standard
            };
            let cal = self.support_calendar(&region).await?;
            let due = cal.response_due(cos, now);
            let message = format!(
                "The NOC detected {detector} on {customer} (billing account {account}) at {at}.\n\
                 Evidence: {count} within {window} s (threshold {threshold}). {detail}\n\
                 Rule {rule} ({clause}); action taken: {action}.\nNumbers of the account: {numbers}\n",
                detector = i.detector,
                customer = customer.name,
                account = i.billing_account_id.as_deref().unwrap_or("-"),
                at = tollgate_core::time::utc(i.at),
                count = i.count,
                window = i.window_s,
                threshold = i.threshold,
                detail = i.detail,
                rule = i.rule,
                clause = i.clause,
                action = i.action,
            );
            let mut tx = self.store.begin().await?;
            if support_store::ticket_of_incident(&mut tx, &i.id)
                .await?
                .is_some()
            {
                continue;
            }
            let row = TicketRow {
                id: new_id("tkt"),
                reference: support_store::next_reference(&mut tx).await?,
                mail_key: super::tickets::new_mail_key(),
                partner_id: customer.partner_id.clone(),
                customer_id: Some(customer_id),
                opened_by: "system:noc".into(),
                channel: "noc".into(),
                kind: Kind::Technical.as_str().into(),
                topic: None,
                issue: Some(i.detector.clone()),
                subject: format!("NOC: {} on {}", i.detector, customer.name),
                device: None,
                versions: None,
                trace_numbers: (!numbers.is_empty()).then(|| numbers.clone()),
                trace_at: Some(i.at),
                cos: cos.as_str().into(),
                cos_proposed: cos.as_str().into(),
                state: State::New.as_str().into(),
                region,
                created_at: now,
                response_due_at: due.at,
                extended_service: i64::from(due.extended_service),
                review_due_at: None,
                first_response_at: None,
                partner_response_at: None,
                assignee: None,
                previous_ticket_id: None,
                incident_id: Some(i.id.clone()),
                customer_contacted_at: None,
                closed_at: None,
                rating: None,
                feedback: None,
                updated_at: now,
            };
            self.insert_ticket(&mut tx, &caller, &row, &message).await?;
            tollgate_store::commit(tx).await?;
            opened.push(row.id);
        }
        Ok(opened)
    }
}
