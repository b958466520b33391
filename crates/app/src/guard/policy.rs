//! Account guard policies, announcements of unusual activity (F7) and operator destination
//! lists (F2).

use super::*;

/// Furthest ahead an announcement of unusual activity (F7) may start (issue 11 #9).
pub const MAX_ANNOUNCEMENT_AHEAD_DAYS: i64 = 365;

/// A partial change of a guard policy: `None` keeps the field; `Some(None)` clears a
/// nullable one.
#[derive(Debug, Clone, Default)]
pub struct PolicyPatch {
    pub validated: Option<bool>,
    pub licensed_calls: Option<i64>,
    pub site_bandwidth_kbps: Option<Option<i64>>,
    pub home_country: Option<String>,
    pub international_allowlist: Option<Vec<String>>,
    pub credit_limit_micros: Option<Option<i64>>,
}

impl App {
    /// Data upgrade: policies stored with calling codes (`33`, `1`) name ISO countries
    /// (`FR`, `US`) from now on. A calling code becomes its main region, so a legacy `1`
    /// (all of NANP, Caribbean included) narrows to `US`: the safe direction for fraud.
    /// Idempotent and audited; returns the accounts changed.
    pub async fn upgrade_policy_countries(&self) -> Result<Vec<String>, AppError> {
        let legacy = guard_store::system::policies_with_calling_codes(&self.store).await?;
        if legacy.is_empty() {
            return Ok(Vec::new());
        }
        let iso = |c: &str| -> String {
            let c = c.trim();
            if c.bytes().all(|b| b.is_ascii_digit()) {
                tollgate_core::country::country_of(c)
                    .filter(|_| tollgate_core::country::calling_code(c) == Some(c))
                    .unwrap_or("")
                    .to_string()
            } else {
                c.to_string()
            }
        };
        let now = self.now();
        let actor = Actor {
            actor: "system:upgrade".into(),
            source: "start".into(),
            request_id: "upgrade".into(),
        };
        let mut changed = Vec::new();
        let mut tx = self.store.begin().await?;
        for p in legacy {
            // The home country is where the account's own numbers are (a Canadian or
            // Jamaican account stored `1` too); the main region of the code otherwise.
            let numbers = tollgate_store::numbers::system::active_numbers_of_account(
                &self.store,
                &p.billing_account_id,
            )
            .await?;
            let home = if p.home_country.bytes().all(|b| b.is_ascii_digit()) {
                numbers
                    .iter()
                    .filter(|n| n.starts_with(p.home_country.as_str()))
                    .find_map(|n| tollgate_core::country::country_of(n))
                    .map(str::to_string)
                    .unwrap_or_else(|| iso(&p.home_country))
            } else {
                p.home_country.clone()
            };
            let allow: Vec<String> = p
                .international_allowlist
                .split(',')
                .map(iso)
                .filter(|c| !c.is_empty())
                .collect();
            let row = PolicyRow {
                home_country: if home.is_empty() { "US".into() } else { home },
                international_allowlist: allow.join(","),
                ..p.clone()
            };
            guard_store::put_policy(&mut tx, &row).await?;
            audit::append(
                &mut tx,
                &audit_row(
                    &actor,
                    now,
                    "guard.policy.iso_countries",
                    &p.billing_account_id,
                    json!({"home_country": [p.home_country, row.home_country], "international_allowlist": [p.international_allowlist, row.international_allowlist]}),
                ),
            )
            .await?;
            changed.push(p.billing_account_id);
        }
        tollgate_store::commit(tx).await?;
        Ok(changed)
    }

    /// Sets an account's guard policy (validation, licences, bandwidth, allowlist, credit).
    pub async fn set_guard_policy(
        &self,
        caller: &Caller,
        p: PolicyRow,
    ) -> Result<PolicyRow, AppError> {
        tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &p.billing_account_id,
        )
        .await
        .map_err(|_| AppError::NotFound("billing account"))?;
        if p.licensed_calls < 0 {
            return Err(AppError::invalid(
                "licensed_calls_invalid",
                "licensed_calls",
                "must not be negative",
            ));
        }
        if p.site_bandwidth_kbps.is_some_and(|b| b < 0) {
            return Err(AppError::invalid(
                "site_bandwidth_kbps_invalid",
                "site_bandwidth_kbps",
                "must not be negative (leave it out or null when not declared)",
            ));
        }
        if p.credit_limit_micros.is_some_and(|c| c < 0) {
            return Err(AppError::invalid(
                "credit_limit_invalid",
                "credit_limit",
                "must not be negative (null: postpaid without a limit)",
            ));
        }
        if !tollgate_core::country::is_known(&p.home_country) {
            return Err(AppError::invalid(
                "home_country_invalid",
                "home_country",
                format!(
                    "`{}` is not an ISO 3166-1 alpha-2 country code (`US`, `GB`, `FR`)",
                    p.home_country
                ),
            ));
        }
        for c in p
            .international_allowlist
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if !tollgate_core::country::is_known(c) {
                return Err(AppError::invalid(
                    "allowlist_invalid",
                    "international_allowlist",
                    format!("`{c}` is not an ISO 3166-1 alpha-2 country code (`CA`, `JM`)"),
                ));
            }
        }
        let now = self.now();
        let p = PolicyRow {
            updated_at: now,
            ..p
        };
        let mut tx = self.store.begin().await?;
        guard_store::put_policy(&mut tx, &p).await?;
        audit::append(&mut tx, &audit_row(&caller.actor, now, "guard.policy", &p.billing_account_id, json!({"validated": p.validated, "licensed_calls": p.licensed_calls, "allowlist": p.international_allowlist}))).await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(&p.billing_account_id);
        Ok(p)
    }

    /// Changes only the fields given; the others keep their stored value (or the default
    /// of an account without a policy yet).
    pub async fn patch_guard_policy(
        &self,
        caller: &Caller,
        account: &str,
        patch: PolicyPatch,
    ) -> Result<PolicyRow, AppError> {
        let current = match self.get_guard_policy(caller, account).await? {
            Some(p) => p,
            None => {
                let owned = tollgate_store::numbers::system::active_numbers_of_account(
                    &self.store,
                    account,
                )
                .await?;
                PolicyRow {
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
                    updated_at: 0,
                }
            }
        };
        let p = PolicyRow {
            validated: patch.validated.unwrap_or(current.validated),
            licensed_calls: patch.licensed_calls.unwrap_or(current.licensed_calls),
            site_bandwidth_kbps: patch
                .site_bandwidth_kbps
                .unwrap_or(current.site_bandwidth_kbps),
            home_country: patch.home_country.unwrap_or(current.home_country),
            international_allowlist: patch
                .international_allowlist
                .map(|l| l.join(","))
                .unwrap_or(current.international_allowlist),
            credit_limit_micros: patch
                .credit_limit_micros
                .unwrap_or(current.credit_limit_micros),
            ..current
        };
        self.set_guard_policy(caller, p).await
    }

    pub async fn get_guard_policy(
        &self,
        caller: &Caller,
        account: &str,
    ) -> Result<Option<PolicyRow>, AppError> {
        tenancy_store::get_billing_account(&self.store, ScopeFilter::of(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        Ok(guard_store::get_policy(&self.store, ScopeFilter::of(&caller.scope), account).await?)
    }

    /// F7: the customer announces legitimate unusual activity; thresholds rise by `factor`
    /// for the window; forbidden destinations stay forbidden.
    pub async fn announce(
        &self,
        caller: &Caller,
        account: &str,
        from: i64,
        until: i64,
        factor: i64,
        note: &str,
    ) -> Result<guard_store::AnnouncementRow, AppError> {
        let note = tollgate_core::text::check_free_text("note", note)?;
        let note = note.as_str();
        tenancy_store::get_billing_account(&self.store, ScopeFilter::of(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        if until <= from {
            return Err(AppError::invalid(
                "window_invalid",
                "until",
                "must be after `from`",
            ));
        }
        if until - from > 31 * 86_400 {
            return Err(AppError::invalid(
                "window_too_long",
                "until",
                "an announcement covers at most 31 days",
            ));
        }
        if !(2..=100).contains(&factor) {
            return Err(AppError::invalid("factor_invalid", "factor", "2 to 100"));
        }
        let now = self.now();
        // Issue 11 #9: an announcement is for traffic to come, within a year.
        if from < now - 86_400 || from > now + MAX_ANNOUNCEMENT_AHEAD_DAYS * 86_400 {
            return Err(AppError::invalid(
                "window_out_of_range",
                "from",
                format!(
                    "must start between a day ago and {MAX_ANNOUNCEMENT_AHEAD_DAYS} days ahead"
                ),
            ));
        }
        let a = guard_store::AnnouncementRow {
            id: new_id("ann"),
            billing_account_id: account.into(),
            from_at: from,
            until_at: until,
            factor,
            note: note.trim().into(),
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        guard_store::insert_announcement(&mut tx, &a).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.announce",
                account,
                json!({"from": from, "until": until, "factor": factor, "rule": "F7"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(account);
        Ok(a)
    }

    /// Adds an operator-managed forbidden destination range (F2).
    pub async fn add_destination_prefix(
        &self,
        caller: &Caller,
        prefix: &str,
        class: &str,
        note: &str,
    ) -> Result<(), AppError> {
        let note = if note.is_empty() {
            String::new()
        } else {
            tollgate_core::text::check_free_text("note", note)?
        };
        let note = note.as_str();
        let c = DestClass::parse(class).ok_or_else(|| {
            AppError::invalid(
                "class_invalid",
                "class",
                "premium_rate, shared_cost, personal_number, uan or high_risk",
            )
        })?;
        let prefix = prefix.trim().trim_start_matches('+');
        self.guard
            .inner
            .lock()
            .expect("guard lock")
            .classes
            .clone()
            .add(prefix, c)
            .map_err(|m| AppError::from(Refusal::invalid("prefix_invalid", "prefix", m)))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        guard_store::put_destination_prefix(
            &mut tx,
            prefix,
            c.as_str(),
            note,
            now,
            &caller.actor.actor,
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.destination_prefix",
                prefix,
                json!({"class": c.as_str()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        let _ = self
            .guard
            .inner
            .lock()
            .expect("guard lock")
            .classes
            .add(prefix, c);
        Ok(())
    }

    /// Live calls now, per account (for the status of an account).
    pub fn live_calls(&self, account: &str) -> Live {
        self.guard.counters.live(account)
    }
}
