//! T12: the caller's rated calls, paged by keyset in call order, and the intake rejects.
//!
//! A page of one account is one index range (`cdrs_account_start_id`). Without an account,
//! the accounts in scope are walked in id order, each an index range; a page visits at most
//! [`MAX_ACCOUNTS_PER_CDR_PAGE`] accounts, so a page may come back short (even empty) with a
//! cursor to go on from: a client pages until `next_cursor` is null (issue 11 #6).

use super::*;

/// Most billing accounts one CDR page without an account filter looks into.
pub const MAX_ACCOUNTS_PER_CDR_PAGE: usize = 200;

/// Where a CDR page goes on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdrCursor {
    /// After this CDR of this account (`r:<start>:<cdr id>:<account>`).
    After {
        account: String,
        start: i64,
        id: String,
    },
    /// Every CDR of this account has been listed; go on with the next account
    /// (`a:<account>`).
    AccountDone(String),
}

impl CdrCursor {
    /// The cursor's text form.
    pub fn encode(&self) -> String {
        match self {
            CdrCursor::After { account, start, id } => format!("r:{start}:{id}:{account}"),
            CdrCursor::AccountDone(a) => format!("a:{a}"),
        }
    }

    /// Reads a cursor given back by a client: `cursor_invalid` on anything this did not make.
    pub fn parse(text: &str) -> Result<CdrCursor, AppError> {
        let bad = || {
            AppError::invalid(
                "cursor_invalid",
                "cursor",
                "not a cursor of this list: pass `next_cursor` back as it was",
            )
        };
        if let Some(a) = text.strip_prefix("a:") {
            return (!a.is_empty())
                .then(|| CdrCursor::AccountDone(a.to_string()))
                .ok_or_else(bad);
        }
        let rest = text.strip_prefix("r:").ok_or_else(bad)?;
        let mut parts = rest.splitn(3, ':');
        let (Some(start), Some(id), Some(account)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let start = start.parse::<i64>().map_err(|_| bad())?;
        if id.is_empty() || account.is_empty() {
            return Err(bad());
        }
        Ok(CdrCursor::After {
            account: account.into(),
            start,
            id: id.into(),
        })
    }
}

/// A page of CDRs and where the next page starts (`None`: this was the last).
#[derive(Debug, Clone)]
pub struct CdrPage {
    pub rows: Vec<CdrRow>,
    pub next: Option<CdrCursor>,
}

/// What a CDR list asks for.
#[derive(Debug, Clone, Default)]
pub struct CdrFilter {
    pub account: Option<String>,
    /// Start time range `[from, to)`.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

fn after_row(r: &CdrRow) -> CdrCursor {
    CdrCursor::After {
        account: r.billing_account_id.clone(),
        start: r.start_at,
        id: r.id.clone(),
    }
}

impl App {
    /// T12: the caller's calls in full detail, scoped by tenancy, in call order.
    pub async fn list_cdrs(
        &self,
        caller: &Caller,
        filter: &CdrFilter,
        cursor: Option<&CdrCursor>,
        limit: i64,
    ) -> Result<CdrPage, AppError> {
        let limit = limit.clamp(1, tollgate_store::MAX_PAGE_LIMIT);
        let scope = || ScopeFilter::of(&caller.scope);
        let range = (filter.from, filter.to);
        if let Some(a) = &filter.account {
            tenancy_store::get_billing_account(&self.store, scope(), a)
                .await
                .map_err(|e| match e {
                    tollgate_store::StoreError::NotFound => AppError::NotFound("billing account"),
                    e => e.into(),
                })?;
            let after = match cursor {
                None => None,
                Some(CdrCursor::After { account, start, id }) if account == a => {
                    Some((*start, id.as_str()))
                }
                Some(_) => {
                    return Err(AppError::invalid(
                        "cursor_invalid",
                        "cursor",
                        "this cursor belongs to another list",
                    ))
                }
            };
            let rows =
                rating_store::list_account_cdrs(&self.store, scope(), a, range, after, limit)
                    .await?;
            let next = (rows.len() as i64 == limit)
                .then(|| rows.last().map(after_row))
                .flatten();
            return Ok(CdrPage { rows, next });
        }
        // A cursor names an account: it must be one the caller sees, else the cursor was not
        // made for this caller's list.
        if let Some(CdrCursor::After { account, .. } | CdrCursor::AccountDone(account)) = cursor {
            tenancy_store::get_billing_account(&self.store, scope(), account)
                .await
                .map_err(|e| match e {
                    tollgate_store::StoreError::NotFound => AppError::invalid(
                        "cursor_invalid",
                        "cursor",
                        "this cursor belongs to another list",
                    ),
                    e => e.into(),
                })?;
        }
        let mut rows: Vec<CdrRow> = Vec::new();
        // The account the walk has finished (accounts after it come next).
        let mut done_with: Option<String> = None;
        if let Some(CdrCursor::After { account, start, id }) = cursor {
            let after = Some((*start, id.as_str()));
            rows =
                rating_store::list_account_cdrs(&self.store, scope(), account, range, after, limit)
                    .await?;
            if rows.len() as i64 == limit {
                let next = rows.last().map(after_row);
                return Ok(CdrPage { rows, next });
            }
            done_with = Some(account.clone());
        } else if let Some(CdrCursor::AccountDone(a)) = cursor {
            done_with = Some(a.clone());
        }
        let mut visited = 0usize;
        loop {
            let page = Page {
                limit: MAX_ACCOUNTS_PER_CDR_PAGE as i64,
                after: done_with.clone(),
            };
            let accounts =
                tenancy_store::list_billing_accounts(&self.store, scope(), None, &page).await?;
            if accounts.is_empty() {
                return Ok(CdrPage { rows, next: None });
            }
            for acct in accounts {
                let want = limit - rows.len() as i64;
                let mut more = rating_store::list_account_cdrs(
                    &self.store,
                    scope(),
                    &acct.id,
                    range,
                    None,
                    want,
                )
                .await?;
                rows.append(&mut more);
                visited += 1;
                if rows.len() as i64 == limit {
                    let next = rows.last().map(after_row);
                    return Ok(CdrPage { rows, next });
                }
                done_with = Some(acct.id);
                if visited >= MAX_ACCOUNTS_PER_CDR_PAGE {
                    let next = done_with.map(CdrCursor::AccountDone);
                    return Ok(CdrPage { rows, next });
                }
            }
        }
    }

    pub async fn list_rejects(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<RejectRow>, AppError> {
        Ok(rating_store::list_rejects(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }
}

/// Longest range of a usage-per-day question, days.
pub const MAX_USAGE_DAYS: i64 = 366;

impl App {
    /// Calls per day and currency in the caller's scope, start in `[from, to)` (at most
    /// [`MAX_USAGE_DAYS`]).
    pub async fn usage_per_day(
        &self,
        caller: &Caller,
        from: i64,
        to: i64,
    ) -> Result<Vec<tollgate_store::rating::DailyUsage>, AppError> {
        if to <= from || to - from > MAX_USAGE_DAYS * 86_400 {
            return Err(AppError::invalid(
                "range_invalid",
                "to",
                format!("the range must be 1 s to {MAX_USAGE_DAYS} days"),
            ));
        }
        Ok(tollgate_store::rating::daily_usage(
            &self.store,
            ScopeFilter::of(&caller.scope),
            from,
            to,
        )
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i11_6_a_cursor_reads_back_what_it_wrote_and_refuses_anything_else() {
        for c in [
            CdrCursor::After {
                account: "ba:odd".into(),
                start: -5,
                id: "cdr_1".into(),
            },
            CdrCursor::AccountDone("ba_1".into()),
        ] {
            assert_eq!(CdrCursor::parse(&c.encode()).unwrap(), c);
        }
        for bad in ["", "cdr_123", "r:x:cdr_1:ba", "r:5:cdr_1", "a:", "r:5::ba"] {
            let e = CdrCursor::parse(bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    AppError::Invalid {
                        code: "cursor_invalid",
                        ..
                    }
                ),
                "{bad}: {e:?}"
            );
        }
    }
}
