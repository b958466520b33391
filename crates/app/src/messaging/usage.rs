//! The month's messaging usage onto the next invoice: segments beyond the SMS included per
//! user licence (product facts: 200 per user per month on `wildix-*`) at the account's price
//! per segment, the carriers' per-message surcharges and the registrations' monthly fees as
//! pass-throughs (B8). Idempotent: what a close billed is marked with its month.

use serde_json::json;
use tollgate_core::rules;
use tollgate_store::billing::PendingChargeRow;
use tollgate_store::messaging::system as msg_system;
use tollgate_store::tenancy::system as tenancy_system;
use tollgate_store::{audit, Tx};

use crate::access::audit_row;
use crate::billing::RETAIL;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// What a close wrote for one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageClosed {
    pub billing_account: String,
    pub segments: i64,
    pub users: i64,
    pub included: i64,
    pub billed_segments: i64,
    pub segment_micros: i64,
    pub usage_micros: i64,
    pub surcharges_micros: i64,
    pub monthly_fees_micros: i64,
}

/// `YYYY-MM` → `[first day, first day of the next month)` in Unix seconds (UTC).
pub fn month_bounds(month: &str) -> Result<(i64, i64), AppError> {
    let bad = || AppError::invalid("month_invalid", "month", "YYYY-MM");
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m): (i16, i8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if y.to_string().len() != 4 || !(1..=12).contains(&m) || month.len() != 7 {
        return Err(bad());
    }
    let first = jiff::civil::Date::new(y, m, 1).map_err(|_| bad())?;
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|_| bad())?;
    Ok((
        tollgate_core::time::day_start(first),
        tollgate_core::time::day_start(next),
    ))
}

#[allow(clippy::too_many_arguments)]
fn charge(
    account: &str,
    currency: &str,
    kind: &str,
    description: String,
    quantity: i64,
    unit: i64,
    source: &str,
    now: i64,
) -> PendingChargeRow {
    PendingChargeRow {
        id: new_id("chg"),
        level: RETAIL.into(),
        billing_account_id: Some(account.into()),
        partner_id: None,
        kind: kind.into(),
        description,
        quantity,
        unit_micros: unit,
        currency: currency.into(),
        rule: rules::B8.rule.into(),
        clause: rules::B8.clause.into(),
        ready_on: now,
        source: source.into(),
        created_at: now,
        invoice_id: None,
    }
}

impl App {
    /// Closes a past month's messaging usage for every account: pending charges for the next
    /// invoice. A second close of the same month writes nothing more.
    pub async fn close_message_usage(
        &self,
        caller: &Caller,
        month: &str,
    ) -> Result<Vec<UsageClosed>, AppError> {
        let (from, to) = month_bounds(month)?;
        let now = self.now();
        if to > now {
            return Err(AppError::invalid(
                "month_not_closed",
                "month",
                "the month has not ended",
            ));
        }
        let mut out = Vec::new();
        for account in msg_system::accounts_with_messaging(&self.store, to).await? {
            let ba = tenancy_system::get_billing_account(&self.store, &account).await?;
            let acct = self.cached_account(&account, now).await?;
            let per_user = self
                .terms
                .get(&acct.profile.0, Some(acct.profile.1))
                .map_or(0, |p| i64::from(p.telephony.included_sms_per_user));
            let mut tx = self.store.begin().await?;
            let closed = close_account(
                &mut tx,
                &account,
                &ba.currency,
                month,
                (from, to),
                per_user,
                now,
            )
            .await?;
            if closed != UsageClosed::default() {
                audit::append(
                    &mut tx,
                    &audit_row(&caller.actor, now, "messaging.usage_close", &account, json!({"month": month, "segments": closed.segments, "billed_segments": closed.billed_segments})),
                )
                .await?;
            }
            tx.commit()
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            if closed != UsageClosed::default() {
                out.push(UsageClosed {
                    billing_account: account,
                    ..closed
                });
            }
        }
        Ok(out)
    }
}

async fn close_account(
    tx: &mut Tx,
    account: &str,
    currency: &str,
    month: &str,
    (from, to): (i64, i64),
    per_user: i64,
    now: i64,
) -> Result<UsageClosed, AppError> {
    let overflow = || AppError::invalid("amount_too_large", "month", "overflow");
    let (segments, surcharges) = msg_system::unbilled_usage(tx, account, to).await?;
    let users = msg_system::licence_users(tx, account, to - 1).await?;
    let included = users.checked_mul(per_user).ok_or_else(overflow)?;
    let billed = (segments - included).max(0);
    let price = msg_system::segment_price(tx, account).await?.unwrap_or(0);
    let usage = billed.checked_mul(price).ok_or_else(overflow)?;
    if billed > 0 && price > 0 {
        charge(
            account,
            currency,
            "one_time",
            format!("SMS {month}: {segments} segments, {included} included ({users} users × {per_user}), {billed} billed"),
            billed,
            price,
            &format!("messages:{month}"),
            now,
        )
        .insert(tx)
        .await?;
    }
    if surcharges > 0 {
        charge(
            account,
            currency,
            "pass_through",
            format!("Messaging carrier surcharges {month}"),
            1,
            surcharges,
            &format!("messages:{month}"),
            now,
        )
        .insert(tx)
        .await?;
    }
    let mut fees = 0i64;
    for r in msg_system::registrations_of_account_tx(tx, account).await? {
        // In force during the month: filed before its end, not expired before its start.
        let live =
            r.status == "approved" && r.created_at < to && r.expires_at.is_none_or(|e| e > from);
        if live
            && r.monthly_fee_micros > 0
            && msg_system::registration_billed(tx, &r.id, month).await?
        {
            charge(
                account,
                currency,
                "pass_through",
                format!(
                    "{} monthly fee {month}: {}",
                    super::registrations::kind_label(&r.kind),
                    r.reference
                ),
                1,
                r.monthly_fee_micros,
                &r.id,
                now,
            )
            .insert(tx)
            .await?;
            fees = fees
                .checked_add(r.monthly_fee_micros)
                .ok_or_else(overflow)?;
        }
    }
    msg_system::mark_billed(tx, account, to, month).await?;
    if segments == 0 && surcharges == 0 && fees == 0 {
        return Ok(UsageClosed::default());
    }
    Ok(UsageClosed {
        billing_account: account.into(),
        segments,
        users,
        included,
        billed_segments: billed,
        segment_micros: price,
        usage_micros: usage,
        surcharges_micros: surcharges,
        monthly_fees_micros: fees,
    })
}
