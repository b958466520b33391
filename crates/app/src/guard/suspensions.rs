//! Suspensions by operators (full or selective, F4) and their reactivation.

use super::*;

impl App {
    /// Operator suspension (full or selective), audited and notified.
    pub async fn suspend(
        &self,
        caller: &Caller,
        account: &str,
        scope: &str,
        reason: &str,
        until: Option<i64>,
        rule: Option<&str>,
    ) -> Result<SuspensionRow, AppError> {
        let rule = match rule.unwrap_or("F4") {
            r if SUSPENSION_RULES.contains(&r) => rules::by_id(r).unwrap_or(rules::F4),
            r => {
                return Err(AppError::invalid(
                    "rule_invalid",
                    "rule",
                    format!(
                        "`{r}` is not a suspension rule ({})",
                        SUSPENSION_RULES.join(", ")
                    ),
                ))
            }
        };
        let scope = SuspensionScope::parse(scope).ok_or_else(|| {
            AppError::invalid(
                "scope_invalid",
                "scope",
                "must be all, outbound or international",
            )
        })?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason_required",
                "reason",
                "say why (it is shown to the customer)",
            ));
        }
        let reason = tollgate_core::text::check_free_text("reason", reason)?;
        let reason = reason.as_str();
        tenancy_store::get_billing_account(&self.store, ScopeFilter::of(&caller.scope), account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        let now = self.now();
        if until.is_some_and(|u| u <= now) {
            return Err(AppError::invalid(
                "until_in_past",
                "until",
                "must be in the future",
            ));
        }
        let acct = self.cached_account(account, now).await?;
        let s = SuspensionRow {
            id: new_id("sus"),
            billing_account_id: account.into(),
            scope: scope.as_str().into(),
            rule: rule.rule.into(),
            clause: self.clause_for(&acct.profile, rule),
            reason: reason.trim().into(),
            created_at: now,
            created_by: caller.actor.actor.clone(),
            until_at: until,
            incident_id: None,
            lifted_at: None,
            lifted_by: None,
            lift_reason: None,
        };
        let mut tx = self.store.begin().await?;
        guard_store::insert_suspension(&mut tx, &s).await?;
        self.notify_contacts(
            &mut tx,
            &acct.customer_id,
            now,
            "Service suspended",
            format!(
                "{} calls of billing account {account} are suspended: {} (rule {}, {}).",
                scope.as_str(),
                s.reason,
                s.rule,
                s.clause
            ),
            rule.rule,
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.suspend",
                &s.id,
                json!({"account": account, "scope": s.scope, "until": until}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.invalidate_guard_account(account);
        self.order_cuts(account, &scope, rule, &s.reason, now);
        Ok(s)
    }

    /// Reactivation (F4: when checks do not confirm the suspicion), audited and notified.
    pub async fn reactivate(
        &self,
        caller: &Caller,
        suspension_id: &str,
        reason: &str,
    ) -> Result<SuspensionRow, AppError> {
        let s =
            guard_store::get_suspension(&self.store, ScopeFilter::of(&caller.scope), suspension_id)
                .await?
                .ok_or(AppError::NotFound("suspension"))?;
        let acct_row = tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &s.billing_account_id,
        )
        .await
        .map_err(|_| AppError::NotFound("suspension"))?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason_required",
                "reason",
                "say why the suspension is lifted",
            ));
        }
        let reason = tollgate_core::text::check_free_text("reason", reason)?;
        let reason = reason.as_str();
        if !self.may_lift(caller, &s).await? {
            return Err(AppError::Forbidden(format!(
                "the provider's {} suspension ({}): only the provider lifts it (F4, W 8.6)",
                s.rule, s.clause
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !guard_store::lift_suspension(
            &mut tx,
            suspension_id,
            now,
            &caller.actor.actor,
            reason.trim(),
        )
        .await?
        {
            return Err(AppError::Conflict {
                code: "suspension_not_active",
                message: "the suspension was already lifted".into(),
            });
        }
        self.notify_contacts(
            &mut tx,
            &acct_row.customer_id,
            now,
            "Service reactivated",
            format!(
                "The {} suspension of billing account {} is lifted: {}.",
                s.scope,
                s.billing_account_id,
                reason.trim()
            ),
            "F4",
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "guard.reactivate",
                suspension_id,
                json!({"account": s.billing_account_id, "reason": reason.trim()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        {
            let mut g = self.guard.inner.lock().expect("guard lock");
            g.mark_stale(&s.billing_account_id);
        }
        self.guard
            .counters
            .account_window(&s.billing_account_id, now, &mut reset_fired);
        self.forget_cuts_of(&s.billing_account_id);
        guard_store::get_suspension(&self.store, ScopeFilter::of(&caller.scope), suspension_id)
            .await?
            .ok_or(AppError::NotFound("suspension"))
    }

    /// Whether the caller may lift this suspension: the provider's staff any; a partner only
    /// those its own users made.
    pub async fn may_lift(&self, caller: &Caller, s: &SuspensionRow) -> Result<bool, AppError> {
        Ok(
            caller.principal.role.level() != tollgate_core::tenancy::Level::Partner
                || self.made_in_scope(caller, &s.created_by).await?,
        )
    }

    /// Whether `actor` (`user:<id>`) is a user the caller's scope sees (a partner's own).
    async fn made_in_scope(&self, caller: &Caller, actor: &str) -> Result<bool, AppError> {
        let Some(user) = actor.strip_prefix("user:") else {
            return Ok(false);
        };
        match tollgate_store::auth::get_user(&self.store, ScopeFilter::of(&caller.scope), user)
            .await
        {
            Ok(u) => Ok(u.partner_id.is_some()),
            Err(tollgate_store::StoreError::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The suspensions of one billing account in the caller's scope.
    pub async fn account_suspensions(
        &self,
        caller: &Caller,
        account: &str,
        page: &Page,
    ) -> Result<Vec<SuspensionRow>, AppError> {
        self.settle_guard_writes().await;
        Ok(guard_store::list_account_suspensions(
            &self.store,
            ScopeFilter::of(&caller.scope),
            account,
            page,
        )
        .await?)
    }

    pub async fn list_suspensions(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<SuspensionRow>, AppError> {
        self.settle_guard_writes().await;
        Ok(
            guard_store::list_suspensions(&self.store, ScopeFilter::of(&caller.scope), page)
                .await?,
        )
    }
}
