//! Quantity changes of a subscription, prorated: from the day of the change the new quantity
//! is billed; the part of the period already invoiced in advance is charged (an increase) or
//! credited (a decrease) by days on the next invoice (B3), and later periods bill the new
//! quantity.

use serde_json::json;
use tollgate_core::billing::catalog::round_div;
use tollgate_core::time::date_of;
use tollgate_store::audit;
use tollgate_store::billing::{self as billing_store, PendingChargeRow, SubscriptionRow};
use tollgate_store::receivables::system as rec_store;

use super::orders::MAX_LINE_QUANTITY;
use super::{day, stable_id, RETAIL};
use crate::access::audit_row;
use crate::{App, AppError, Caller};

impl App {
    /// Changes a subscription's quantity from `effective_on` (today when absent; a provider
    /// may give a day of the last week).
    pub async fn change_quantity(
        &self,
        caller: &Caller,
        id: &str,
        quantity: i64,
        effective_on: Option<&str>,
    ) -> Result<(SubscriptionRow, Option<PendingChargeRow>), AppError> {
        let (mut s, _) = self.get_subscription(caller, id).await?;
        if s.state != "active" {
            return Err(AppError::Conflict {
                code: "subscription_ended",
                message: "the subscription has ended".into(),
            });
        }
        if !(1..=MAX_LINE_QUANTITY).contains(&quantity) || quantity == s.quantity {
            return Err(AppError::invalid(
                "quantity_invalid",
                "quantity",
                format!(
                    "1 to {MAX_LINE_QUANTITY}, other than the current {}",
                    s.quantity
                ),
            ));
        }
        // E3: a leased device leaves its lease by name, where the 6-month hold is checked.
        if s.kind == "leased_device" && quantity < s.quantity {
            return Err(tollgate_core::Refusal::new(
                "use_device_reduction",
                tollgate_core::rules::E3,
                "a leased-device subscription is reduced one device at a time with \
                 POST /v1/hardware/devices/{id}/reduce (no reduction within 6 months of delivery)",
            )
            .on_field("quantity")
            .into());
        }
        let now = self.now();
        let mut on = super::notice_day(caller, effective_on, date_of(now), "effective_on")?;
        if s.kind == "leased_device" && quantity > s.quantity {
            // E4 (B2): more leased devices ordered today are invoiced from 14 days on.
            on = on.max(tollgate_core::hardware::lease::invoicing_starts(date_of(
                now,
            )));
        }
        let mut tx = self.store.begin().await?;
        let charge = self
            .quantity_in(&mut tx, caller, &mut s, quantity, on)
            .await?;
        tollgate_store::commit(tx).await?;
        self.refresh_licensed_calls(&s.billing_account_id).await?;
        Ok((s, charge))
    }

    /// The quantity change of `s` from `on` in the caller's transaction (the party locked,
    /// the prorated charge or credit of the part already invoiced written, the subscription
    /// and the audit): for use cases that change a quantity with other writes (a leased
    /// device reduced with its lease line).
    pub(crate) async fn quantity_in(
        &self,
        tx: &mut tollgate_store::Tx,
        caller: &Caller,
        s: &mut SubscriptionRow,
        quantity: i64,
        on: jiff::civil::Date,
    ) -> Result<Option<PendingChargeRow>, AppError> {
        let now = self.now();
        let old = s.quantity;
        rec_store::lock_party(tx, &s.billing_account_id).await?;
        // Read again under the lock: a billing run or another change since the caller read
        // it would otherwise be written over.
        let fresh = billing_store::system::account_subscriptions(tx, &s.billing_account_id)
            .await?
            .into_iter()
            .find(|f| f.id == s.id)
            .ok_or(AppError::NotFound("subscription"))?;
        if fresh.quantity != old || fresh.state != "active" {
            return Err(AppError::Conflict {
                code: "subscription_changed",
                message: "the subscription changed meanwhile: read it again".into(),
            });
        }
        *s = fresh;
        if quantity < old {
            // L1: frontline staff hold seats of this subscription (under the seats' lock, the
            // one a seat is taken under): never fewer seats than are taken.
            rec_store::lock_party(tx, &format!("seats:{}", s.id)).await?;
            let mut taken = 0;
            for device in ["headset", "app"] {
                taken += tollgate_store::frontline::system::seats_in_use(tx, &s.id, device).await?;
            }
            if taken > quantity {
                return Err(tollgate_core::Refusal::new(
                    "seats_in_use",
                    tollgate_core::rules::L1,
                    format!("{taken} frontline staff hold seats of this subscription: deactivate some first"),
                )
                .on_field("quantity")
                .into());
            }
        }
        // The period invoiced in advance that the change falls in: its unused days at the
        // difference in quantity, exact, rounded half up to the micro.
        let mut micros: i128 = 0;
        let mut covered = None;
        for (_, l) in rec_store::prepaid_lines(tx, &s.id).await? {
            let (Some(from), Some(to)) = (l.service_from, l.service_to) else {
                continue;
            };
            if to <= day(on) || l.quantity == 0 {
                continue;
            }
            let start = from.max(day(on));
            let (unused, days) = ((to - start) / 86_400, (to - from) / 86_400);
            micros += round_div(
                i128::from(l.exact_micros) * i128::from(quantity - old) * i128::from(unused),
                i128::from(l.quantity) * i128::from(days),
            );
            covered = Some((date_of(start), date_of(to)));
        }
        let charge = match (covered, micros != 0) {
            (Some((from, to)), true) => {
                let amount = i64::try_from(micros)
                    .map_err(|_| AppError::invalid("amount_too_large", "quantity", "overflow"))?;
                let row = PendingChargeRow {
                    id: stable_id("chg", &[&s.id, "quantity", &on.to_string(), &quantity.to_string()]),
                    level: RETAIL.into(),
                    billing_account_id: Some(s.billing_account_id.clone()),
                    partner_id: None,
                    kind: "one_time".into(),
                    description: format!(
                        "{}: quantity {old} → {quantity} from {from} (to {to}, already invoiced), prorated by days",
                        s.description
                    ),
                    quantity: 1,
                    unit_micros: amount,
                    currency: s.currency.clone(),
                    rule: "B3".into(),
                    clause: tollgate_core::rules::B3.clause.into(),
                    ready_on: day(on),
                    source: s.id.clone(),
                    created_at: now,
                    invoice_id: None,
                };
                row.insert(tx).await?;
                Some(row)
            }
            _ => None,
        };
        s.quantity = quantity;
        s.updated_at = now;
        billing_store::update_subscription(tx, s).await?;
        audit::append(
            tx,
            &audit_row(&caller.actor, now, "subscription.quantity", &s.id, json!({"from": old, "to": quantity, "effective_on": on.to_string(), "prorated_micros": micros.to_string(), "rule": "B3"})),
        )
        .await?;
        Ok(charge)
    }
}
