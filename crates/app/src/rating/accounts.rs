//! How a billing account is priced (B1, B4): rate table and included minutes.

use super::*;

impl App {
    /// A rate table an account billing in `currency` may be priced with: it exists, and
    /// every row is in that currency (B1: a call the guard admits must be billable; a table
    /// in another currency would have every CDR of the account rejected).
    pub(crate) fn check_rate_table_for(&self, t: &str, currency: &str) -> Result<(), AppError> {
        let Some(table) = self.rates.get(t) else {
            return Err(AppError::invalid(
                "rate_table_unknown",
                "rate_table",
                format!("no rate table `{t}` (see GET /v1/rate-tables)"),
            ));
        };
        if let Some(other) = table
            .rows()
            .iter()
            .find(|r| r.currency.as_str() != currency)
        {
            return Err(AppError::from(
                Refusal::new(
                    "rate_table_currency_mismatch",
                    tollgate_core::rules::B1,
                    format!(
                        "rate table `{t}` prices in {} but the account bills in {currency}",
                        other.currency
                    ),
                )
                .on_field("rate_table"),
            ));
        }
        Ok(())
    }

    /// How a billing account is priced: its rate table and included minutes (B4).
    pub async fn get_account_rating(
        &self,
        caller: &Caller,
        account: &str,
    ) -> Result<AccountRating, AppError> {
        tenancy_store::get_billing_account(&self.store, ScopeFilter::of(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        let (row, zone, seconds) =
            tenancy_store::system::billing_accounts_by_ids(&self.store, &[account.into()])
                .await?
                .pop()
                .ok_or(AppError::NotFound("billing account"))?;
        Ok(AccountRating {
            billing_account: row.id,
            currency: row.currency,
            rate_table: row.rate_table,
            included: zone.filter(|_| seconds > 0).map(|z| (z, seconds / 60)),
        })
    }

    /// Changes only what is given: `rate_table` (`Some(None)` removes it) and the included
    /// minutes (`Some(None)` removes them); the rest stays.
    pub async fn patch_account_rating(
        &self,
        caller: &Caller,
        account: &str,
        rate_table: Option<Option<String>>,
        included: Option<Option<(String, i64)>>,
    ) -> Result<AccountRating, AppError> {
        let current = self.get_account_rating(caller, account).await?;
        let table = rate_table.unwrap_or(current.rate_table);
        let included = included.unwrap_or(current.included);
        self.set_account_rating(
            caller,
            account,
            table.as_deref(),
            included.as_ref().map(|(z, m)| (z.as_str(), *m)),
        )
        .await?;
        self.get_account_rating(caller, account).await
    }

    /// Sets how a billing account is priced: its rate table and its included minutes (B4).
    /// The table must exist; a change applies to calls ingested from now on (rated CDRs are
    /// never re-priced).
    pub async fn set_account_rating(
        &self,
        caller: &Caller,
        account: &str,
        rate_table: Option<&str>,
        included: Option<(&str, i64)>,
    ) -> Result<BillingAccountRow, AppError> {
        let ba = tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            account,
        )
        .await
        .map_err(|_| AppError::NotFound("billing account"))?;
        if let Some(t) = rate_table {
            self.check_rate_table_for(t, &ba.currency)?;
        }
        if let Some((zone, minutes)) = included {
            if zone.is_empty()
                || zone.len() > 32
                || !zone
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(AppError::invalid(
                    "zone_invalid",
                    "included_zone",
                    "1 to 32 letters, digits, `-` or `_`",
                ));
            }
            if !(0..=MAX_INCLUDED_MINUTES).contains(&minutes) {
                return Err(AppError::invalid(
                    "included_minutes_invalid",
                    "included_minutes",
                    format!("0 to {MAX_INCLUDED_MINUTES}"),
                ));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tenancy_store::set_rate_table(&mut tx, account, rate_table).await?;
        match included {
            Some((zone, minutes)) => {
                rating_store::set_included_minutes(&mut tx, account, Some(zone), minutes * 60)
                    .await?
            }
            None => rating_store::set_included_minutes(&mut tx, account, None, 0).await?,
        }
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "billing_account.rating", account, json!({"rate_table": rate_table, "included": included.map(|(z, m)| json!({"zone": z, "minutes": m}))})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(account);
        Ok(
            tenancy_store::get_billing_account(
                &self.store,
                ScopeFilter::of(&caller.scope),
                account,
            )
            .await?,
        )
    }

    /// Sets a billing account's included minutes (e.g. 1,000 per user per month to `area1`).
    pub async fn set_included_minutes(
        &self,
        actor: &Actor,
        account: &str,
        zone: &str,
        minutes: i64,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        rating_store::set_included_minutes(&mut tx, account, Some(zone), minutes * 60).await?;
        audit::append(
            &mut tx,
            &audit_row(
                actor,
                now,
                "billing_account.included_minutes",
                account,
                json!({"zone": zone, "minutes": minutes}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }
}
