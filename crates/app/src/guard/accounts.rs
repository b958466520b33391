//! The guard's account cache: policies, owned numbers, suspensions and credit, loaded from
//! the store and kept in memory for [`ACCOUNT_CACHE_TTL_S`].

use super::*;

impl App {
    pub(super) async fn load_account(
        &self,
        account: &str,
        now: i64,
    ) -> Result<CachedAccount, AppError> {
        let ba = tenancy_store::system::get_billing_account(&self.store, account)
            .await
            .map_err(|e| match e {
                tollgate_store::StoreError::NotFound => AppError::invalid(
                    "account_unknown",
                    "billing_account",
                    format!("no billing account `{account}`"),
                ),
                e => AppError::from(e),
            })?;
        let policy = guard_store::system::get_policy(&self.store, account).await?;
        // T3, L1, L2: licences drive the limit once the account has licence subscriptions;
        // a stored policy's figure then only lowers it (an operator's cap, never a way past
        // the licences).
        let capped_by_policy = policy.is_some();
        let today = tollgate_core::time::day_start(tollgate_core::time::date_of(now));
        let licensed =
            tollgate_store::billing::system::licensed_calls(&self.store, account, today).await?;
        let agreement =
            tenancy_store::system::current_agreement(&self.store, &ba.customer_id).await?;
        let profile_id = agreement
            .as_ref()
            .map(|a| (a.profile_id.clone(), a.profile_version as u32));
        let profile = profile_id
            .as_ref()
            .and_then(|(id, v)| self.terms.get(id, Some(*v)))
            .or_else(|| self.terms.get(crate::terms::DEFAULT_PROFILE, None));
        let max_call = profile.map_or(14_400, |p| p.telephony.max_call_duration_s);
        let owned =
            tollgate_store::numbers::system::active_numbers_of_account(&self.store, account)
                .await?;
        let suspensions =
            guard_store::system::active_suspensions(&self.store, account, now).await?;
        let announcements =
            guard_store::system::current_announcements(&self.store, account, now).await?;
        let month = time::month_index(now);
        let (y, m) = (month.div_euclid(12), month.rem_euclid(12) + 1);
        let month_start = jiff::civil::date(y as i16, m as i8, 1)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(now);
        let spent = guard_store::system::spend_since(&self.store, account, month_start).await?;
        let p = policy.unwrap_or(PolicyRow {
            billing_account_id: account.into(),
            validated: false,
            licensed_calls: DEFAULT_LICENSED_CALLS,
            site_bandwidth_kbps: None,
            home_country: owned
                .first()
                .and_then(|n| tollgate_core::country::country_of(n))
                .unwrap_or("US")
                .into(),
            international_allowlist: String::new(),
            credit_limit_micros: None,
            updated_at: now,
        });
        Ok(CachedAccount {
            policy: AccountPolicy {
                validated: p.validated,
                licensed_calls: match licensed {
                    Some(l) if capped_by_policy => l.min(p.licensed_calls),
                    Some(l) => l,
                    None => p.licensed_calls,
                }
                .max(0) as u32,
                site_bandwidth_kbps: p.site_bandwidth_kbps.map(|b| b.max(0) as u32),
                home_country: p.home_country,
                international_allowlist: p
                    .international_allowlist
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                owned_numbers: owned,
                credit_left_micros: p.credit_limit_micros.map(|c| c - spent),
                max_call_duration_s: max_call,
                suspensions: suspensions.iter().map(suspension_of).collect(),
                announcements: announcements
                    .iter()
                    .map(|a| (a.from_at, a.until_at, a.factor.max(1) as u32))
                    .collect(),
            },
            customer_id: ba.customer_id,
            rate_table: ba.rate_table,
            currency: ba.currency,
            profile: profile
                .map(|p| (p.id.clone(), p.version))
                .unwrap_or_default(),
            loaded_at: now,
            stale: false,
            credit_limit: p.credit_limit_micros,
        })
    }

    /// The cached account, loaded or refreshed when older than [`ACCOUNT_CACHE_TTL_S`].
    pub(crate) async fn cached_account(
        &self,
        account: &str,
        now: i64,
    ) -> Result<Arc<CachedAccount>, AppError> {
        let wall = self.now();
        if let Some(a) = self
            .guard
            .inner
            .lock()
            .expect("guard lock")
            .accounts
            .get(account)
        {
            if !a.stale && wall - a.loaded_at < ACCOUNT_CACHE_TTL_S && a.loaded_at <= wall {
                return Ok(a.clone());
            }
        }
        let mut fresh = self.load_account(account, now).await?;
        fresh.loaded_at = wall;
        fresh.policy.owned_numbers.sort_unstable();
        let mut g = self.guard.inner.lock().expect("guard lock");
        // Suspensions decided but not yet persisted by the write queue still apply.
        if let Some(unwritten) = g.unwritten_suspensions.get(account) {
            for s in unwritten {
                if !fresh.policy.suspensions.iter().any(|x| x.id == s.id) {
                    fresh.policy.suspensions.push(s.clone());
                }
            }
        }
        let fresh = Arc::new(fresh);
        if g.accounts.len() >= MAX_TRACKED_ACCOUNTS {
            g.accounts.clear();
        }
        g.accounts.insert(account.to_string(), fresh.clone());
        Ok(fresh)
    }

    /// Forgets a cached account so the next decision reads the store (after a change).
    pub fn invalidate_guard_account(&self, account: &str) {
        self.guard
            .inner
            .lock()
            .expect("guard lock")
            .mark_stale(account);
    }

    /// Resolves the billing account of a request: given, or the account owning the caller ID.
    pub(super) async fn resolve_account(
        &self,
        req: &CallRequest,
        from: &str,
    ) -> Result<String, AppError> {
        if let Some(a) = req.billing_account.as_deref().filter(|a| !a.is_empty()) {
            return Ok(a.to_string());
        }
        match tollgate_store::numbers::system::find_by_e164(&self.store, from).await? {
            Some(n) => n.billing_account_id.ok_or_else(|| {
                AppError::invalid(
                    "account_unknown",
                    "from",
                    format!("+{from} is not assigned to a billing account"),
                )
            }),
            None => Err(AppError::invalid(
                "account_unknown",
                "from",
                format!("+{from} resolves to no billing account; send `billing_account`"),
            )),
        }
    }
}
