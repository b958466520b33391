//! What a caller may see of rate tables: versions and quotes.

use super::*;

/// A quote: the row that priced the call and the result.
#[derive(Debug, Clone)]
pub struct Quote {
    pub row: RateRow,
    pub billed_s: u32,
    pub amount_micros: i64,
    pub rule: tollgate_core::RuleRef,
}

impl App {
    /// Rate-table versions the caller may see: all for the operator; for partners and
    /// customers only the tables their billing accounts are priced with (negotiated and
    /// wholesale tables stay private).
    pub async fn rate_versions(&self, caller: &Caller) -> Result<Vec<RateVersionRow>, AppError> {
        let all =
            rating_store::list_rate_versions(&self.store, ScopeFilter::of(&caller.scope)).await?;
        let visible = self.visible_rate_tables(caller).await?;
        Ok(all
            .into_iter()
            .filter(|v| {
                visible
                    .as_ref()
                    .is_none_or(|names| names.contains(&v.table_name))
            })
            .collect())
    }

    /// `None`: every table; otherwise the tables of the caller's billing accounts.
    async fn visible_rate_tables(
        &self,
        caller: &Caller,
    ) -> Result<Option<HashSet<String>>, AppError> {
        if caller.scope == tollgate_core::tenancy::Scope::All {
            return Ok(None);
        }
        let mut names = HashSet::new();
        let mut page = Page::first(tollgate_store::MAX_PAGE_LIMIT);
        loop {
            let batch = tenancy_store::list_billing_accounts(
                &self.store,
                ScopeFilter::of(&caller.scope),
                None,
                &page,
            )
            .await?;
            names.extend(batch.iter().filter_map(|b| b.rate_table.clone()));
            match batch.last() {
                Some(last) if batch.len() as i64 == page.limit => {
                    page.after = Some(last.id.clone())
                }
                _ => break,
            }
        }
        Ok(Some(names))
    }

    async fn rate_table_visible(&self, caller: &Caller, table: &str) -> Result<bool, AppError> {
        Ok(self
            .visible_rate_tables(caller)
            .await?
            .is_none_or(|names| names.contains(table)))
    }

    /// Prices a call with the same function post-call rating uses (no bundle).
    pub async fn quote(
        &self,
        caller: &Caller,
        table: &str,
        number: &str,
        at: i64,
        duration_s: u32,
    ) -> Result<Quote, AppError> {
        if !self.rate_table_visible(caller, table).await? {
            return Err(AppError::NotFound("rate table"));
        }
        if i64::from(duration_s) > cdr::MAX_CDR_DURATION_S {
            return Err(AppError::invalid(
                "duration_invalid",
                "duration_s",
                format!("at most {} s", cdr::MAX_CDR_DURATION_S),
            ));
        }
        let t = self
            .rates
            .get(table)
            .ok_or(AppError::NotFound("rate table"))?;
        let digits = e164::normalize(number, "number")?;
        let r = t.rate(&digits, at, duration_s, None, None)?;
        Ok(Quote {
            row: r.row.clone(),
            billed_s: r.billed_s,
            amount_micros: r.amount_micros,
            rule: r.rule,
        })
    }
}
