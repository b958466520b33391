//! Tenancy use cases: partners, customers (with their agreement), billing accounts, users.

use serde_json::json;
use tollgate_core::money::Currency;
use tollgate_core::rules;
use tollgate_core::tenancy::{check_assignment, Level, PartnerTier, Role, Scope};
use tollgate_core::Refusal;
use tollgate_store::auth::{self, UserRow};
use tollgate_store::tenancy::{
    self as tenancy_store, AgreementRow, BillingAccountRow, CustomerRow, OperatorRow, PartnerRow,
};
use tollgate_store::{audit, Page, ScopeFilter, StoreError};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::terms::DEFAULT_PROFILE;
use crate::{App, AppError, Caller};

/// An e-mail address, trimmed and lower-cased (A1: credentials belong to it).
fn check_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    if email.len() > 254
        || email.chars().any(|c| c.is_control() || c.is_whitespace())
        || !email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
    {
        return Err(AppError::invalid(
            "email_invalid",
            "email",
            "must be an e-mail address",
        ));
    }
    Ok(email)
}

/// A name, through the one text check ([`tollgate_core::text`]).
fn check_name(field: &'static str, v: &str) -> Result<String, AppError> {
    Ok(tollgate_core::text::check_name(field, v)?)
}

fn conflict_on(field: &str) -> impl Fn(StoreError) -> AppError + '_ {
    move |e| match e {
        StoreError::Conflict(_) => AppError::Conflict {
            code: "already_exists",
            message: format!("{field} is already taken"),
        },
        e => e.into(),
    }
}

pub struct NewCustomer {
    pub name: String,
    pub partner_id: Option<String>,
    pub terms_profile: Option<String>,
    pub terms_version: Option<u32>,
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub password: Option<String>,
}

impl App {
    pub async fn operator(&self) -> Result<tenancy_store::OperatorRow, AppError> {
        tenancy_store::system::first_operator(&self.store)
            .await?
            .ok_or_else(|| {
                AppError::Internal("no operator: run `tollgate serve --demo` or create one".into())
            })
    }

    pub async fn list_partners(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<PartnerRow>, AppError> {
        Ok(tenancy_store::list_partners(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }

    pub async fn get_partner(&self, caller: &Caller, id: &str) -> Result<PartnerRow, AppError> {
        if !caller.scope.sees_partner(id) {
            return Err(AppError::NotFound("partner"));
        }
        tenancy_store::get_partner(&self.store, ScopeFilter::of(&caller.scope), id)
            .await
            .map_err(|_| AppError::NotFound("partner"))
    }

    pub async fn create_partner(
        &self,
        caller: &Caller,
        name: &str,
        tier: &str,
        assigned_partner_id: Option<&str>,
    ) -> Result<PartnerRow, AppError> {
        let name = check_name("name", name)?;
        let tier = PartnerTier::parse(tier).ok_or_else(|| {
            AppError::invalid(
                "tier_invalid",
                "tier",
                "must be diamond, platinum, gold_plus, gold, silver, bronze or reseller",
            )
        })?;
        let assigned = match assigned_partner_id {
            None => None,
            Some(id) => Some(
                tenancy_store::get_partner(&self.store, ScopeFilter::of(&caller.scope), id)
                    .await
                    .map_err(|_| {
                        AppError::invalid(
                            "assigned_partner_unknown",
                            "assigned_partner_id",
                            format!("no partner `{id}`"),
                        )
                    })?,
            ),
        };
        check_assignment(
            tier,
            assigned.as_ref().and_then(|a| PartnerTier::parse(&a.tier)),
        )?;
        let op = self.operator().await?;
        let now = self.now();
        let row = PartnerRow {
            id: new_id("ptn"),
            operator_id: op.id,
            name,
            tier: tier.as_str().into(),
            assigned_partner_id: assigned.map(|a| a.id),
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        tenancy_store::insert_partner(&mut tx, &row)
            .await
            .map_err(conflict_on("name"))?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "partner.create",
                &row.id,
                json!({"name": row.name, "tier": row.tier}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn list_customers(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<CustomerRow>, AppError> {
        Ok(
            tenancy_store::list_customers(&self.store, ScopeFilter::of(&caller.scope), page)
                .await?,
        )
    }

    pub async fn get_customer(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(CustomerRow, Option<AgreementRow>), AppError> {
        let c = tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), id)
            .await
            .map_err(|_| AppError::NotFound("customer"))?;
        let a =
            tenancy_store::current_agreement(&self.store, ScopeFilter::of(&caller.scope), &c.id)
                .await?;
        Ok((c, a))
    }

    /// Creates a customer and its agreement (customer ↔ issuer) under one terms profile.
    pub async fn create_customer(
        &self,
        caller: &Caller,
        new: NewCustomer,
    ) -> Result<(CustomerRow, AgreementRow), AppError> {
        let name = check_name("name", &new.name)?;
        let partner_id = match (&caller.scope, new.partner_id) {
            (Scope::All, p) => p,
            (Scope::Partners(ids), None) => Some(ids[0].clone()),
            (scope @ Scope::Partners(_), Some(p)) if scope.sees_partner(&p) => Some(p),
            (Scope::Partners(_), Some(_)) => {
                return Err(AppError::invalid(
                    "partner_unknown",
                    "partner_id",
                    "no such partner in your scope",
                ))
            }
            (Scope::Customer(_), _) => {
                return Err(AppError::Forbidden(
                    "customers cannot create customers".into(),
                ))
            }
        };
        if let Some(p) = &partner_id {
            tenancy_store::get_partner(&self.store, ScopeFilter::of(&caller.scope), p)
                .await
                .map_err(|_| {
                    AppError::invalid("partner_unknown", "partner_id", format!("no partner `{p}`"))
                })?;
        }
        let profile_id = new.terms_profile.as_deref().unwrap_or(DEFAULT_PROFILE);
        let profile = self
            .terms
            .get(profile_id, new.terms_version)
            .ok_or_else(|| {
                AppError::invalid(
                    "terms_profile_unknown",
                    "terms_profile",
                    format!("no terms profile `{profile_id}` (see GET /v1/terms-profiles)"),
                )
            })?;
        let op = self.operator().await?;
        let now = self.now();
        let c = CustomerRow {
            id: new_id("cus"),
            operator_id: op.id,
            partner_id: partner_id.clone(),
            name,
            created_at: now,
        };
        let a = AgreementRow {
            id: new_id("agr"),
            customer_id: c.id.clone(),
            issuer: partner_id.unwrap_or_else(|| "operator".into()),
            profile_id: profile.id.clone(),
            profile_version: i64::from(profile.version),
            signed_at: now,
        };
        let mut tx = self.store.begin().await?;
        tenancy_store::insert_customer(&mut tx, &c).await?;
        tenancy_store::insert_agreement(&mut tx, &a).await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "customer.create", &c.id, json!({"name": c.name, "partner_id": c.partner_id, "terms": format!("{}@{}", a.profile_id, a.profile_version)})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok((c, a))
    }

    /// One billing account in the caller's scope (404 outside it).
    pub async fn get_billing_account(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<BillingAccountRow, AppError> {
        tenancy_store::get_billing_account(&self.store, ScopeFilter::of(&caller.scope), id)
            .await
            .map_err(|_| AppError::NotFound("billing account"))
    }

    pub async fn list_billing_accounts(
        &self,
        caller: &Caller,
        customer_id: Option<&str>,
        page: &Page,
    ) -> Result<Vec<BillingAccountRow>, AppError> {
        Ok(tenancy_store::list_billing_accounts(
            &self.store,
            ScopeFilter::of(&caller.scope),
            customer_id,
            page,
        )
        .await?)
    }

    /// P2: a customer may hold several billing accounts. B1: a profile with a fixed currency
    /// (x-hoppers: GBP) refuses any other.
    pub async fn create_billing_account(
        &self,
        caller: &Caller,
        customer_id: &str,
        name: &str,
        currency: &str,
        rate_table: Option<&str>,
    ) -> Result<BillingAccountRow, AppError> {
        let name = check_name("name", name)?;
        let cur = Currency::parse(currency)
            .map_err(|m| AppError::invalid("currency_invalid", "currency", m))?;
        let customer =
            tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), customer_id)
                .await
                .map_err(|_| {
                    AppError::invalid(
                        "customer_unknown",
                        "customer_id",
                        format!("no customer `{customer_id}` in your scope"),
                    )
                })?;
        if let Some(a) = tenancy_store::current_agreement(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &customer.id,
        )
        .await?
        {
            let profile = self
                .terms
                .get(&a.profile_id, Some(a.profile_version as u32));
            if let Some(fixed) = profile.and_then(|p| p.billing.currency.as_deref()) {
                if fixed != cur.as_str() {
                    let clause = profile
                        .map(|p| p.clause_for(rules::B1))
                        .unwrap_or(rules::B1.clause);
                    return Err(Refusal::new(
                        "currency_not_allowed",
                        rules::B1,
                        format!(
                            "terms {} bill in {fixed} only (clause {clause})",
                            a.profile_id
                        ),
                    )
                    .on_field("currency")
                    .into());
                }
            }
        }
        if let Some(t) = rate_table {
            // Pricing is the operator's (RatesWrite): a partner cannot pick a table for its
            // customer; it asks the operator, who sets it with PUT .../rating.
            if !tollgate_core::tenancy::allows(
                caller.principal.role,
                tollgate_core::tenancy::Permission::RatesWrite,
            ) {
                return Err(AppError::Forbidden("only the operator's billing staff set a rate table (PUT /v1/billing-accounts/{id}/rating)".into()));
            }
            self.check_rate_table_for(t, cur.as_str())?;
        }
        let now = self.now();
        let row = BillingAccountRow {
            id: new_id("ba"),
            customer_id: customer.id,
            name,
            currency: cur.as_str().into(),
            rate_table: rate_table.map(str::to_string),
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        tenancy_store::insert_billing_account(&mut tx, &row).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "billing_account.create",
                &row.id,
                json!({"customer_id": row.customer_id, "currency": row.currency}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn list_users(&self, caller: &Caller, page: &Page) -> Result<Vec<UserRow>, AppError> {
        Ok(auth::list_users(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }

    /// Creates a user at the caller's level or below, in the caller's scope (A1: the
    /// credentials belong to the user's e-mail).
    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> Result<UserRow, AppError> {
        let email = check_email(&new.email)?;
        let name = check_name("name", &new.name)?;
        let role = Role::parse(&new.role).ok_or_else(|| {
            AppError::invalid("role_invalid", "role", "must be one of operator_admin, operator_support, operator_billing, partner_admin, partner_agent, customer_admin, customer_user, sip_edge")
        })?;
        if !caller.principal.role.may_grant(role) {
            return Err(AppError::Forbidden(format!(
                "{} may not create a {} user",
                caller.principal.role.as_str(),
                role.as_str()
            )));
        }
        let (partner_id, customer_id) = match role.level() {
            Level::Operator => (None, None),
            Level::Partner => {
                let p = new.partner_id.ok_or_else(|| {
                    AppError::invalid(
                        "partner_required",
                        "partner_id",
                        "partner users need a partner",
                    )
                })?;
                if !caller.scope.sees_partner(&p)
                    || tenancy_store::get_partner(&self.store, ScopeFilter::of(&caller.scope), &p)
                        .await
                        .is_err()
                {
                    return Err(AppError::invalid(
                        "partner_unknown",
                        "partner_id",
                        "no such partner in your scope",
                    ));
                }
                (Some(p), None)
            }
            Level::Customer => {
                let c = new.customer_id.ok_or_else(|| {
                    AppError::invalid(
                        "customer_required",
                        "customer_id",
                        "customer users need a customer",
                    )
                })?;
                tenancy_store::get_customer(&self.store, ScopeFilter::of(&caller.scope), &c)
                    .await
                    .map_err(|_| {
                        AppError::invalid(
                            "customer_unknown",
                            "customer_id",
                            "no such customer in your scope",
                        )
                    })?;
                (None, Some(c))
            }
        };
        let password_hash = match new.password {
            Some(p) => Some(
                self.hash_password(&p)
                    .await?
                    .map_err(|m| AppError::invalid("password_weak", "password", m))?,
            ),
            None => None,
        };
        let now = self.now();
        let row = UserRow {
            id: new_id("usr"),
            email,
            name,
            role: role.as_str().into(),
            partner_id,
            customer_id,
            password_hash,
            totp_secret: None,
            totp_enabled: false,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        auth::insert_user(&mut tx, &row)
            .await
            .map_err(conflict_on("email"))?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "user.create",
                &row.id,
                json!({"email": row.email, "role": row.role}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// `tollgate init`: the operator, its first admin and an API token for that admin, all or
    /// nothing in one audited transaction, every input validated before anything is written
    /// (a typo in the e-mail must not leave an installation "already initialised").
    pub async fn init_installation(
        &self,
        operator: &str,
        admin_email: &str,
    ) -> Result<(OperatorRow, UserRow, crate::access::IssuedToken), AppError> {
        let name = check_name("operator", operator)?;
        let email = check_email(admin_email)?;
        if let Some(op) = tenancy_store::system::first_operator(&self.store).await? {
            return Err(AppError::Conflict {
                code: "already_initialised",
                message: format!("already initialised: the operator is `{}`", op.name),
            });
        }
        let now = self.now();
        let actor = crate::Actor::cli();
        let op = OperatorRow {
            id: new_id("op"),
            name,
            created_at: now,
        };
        let user = UserRow {
            id: new_id("usr"),
            email,
            name: "Operator admin".into(),
            role: Role::OperatorAdmin.as_str().into(),
            partner_id: None,
            customer_id: None,
            password_hash: None,
            totp_secret: None,
            totp_enabled: false,
            created_at: now,
        };
        let (cred, token) = crate::access::new_api_token(&user.id, "init", None, now);
        let mut tx = self.store.begin().await?;
        tenancy_store::insert_operator(&mut tx, &op).await?;
        auth::insert_user(&mut tx, &user)
            .await
            .map_err(conflict_on("email"))?;
        auth::insert_credential(&mut tx, &cred).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &actor,
                now,
                "installation.init",
                &op.id,
                json!({"operator": op.name, "admin": user.email, "token": cred.id}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok((
            op,
            user,
            crate::access::IssuedToken {
                credential: cred,
                token,
            },
        ))
    }

    pub async fn list_audit(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<audit::AuditRow>, AppError> {
        Ok(audit::list(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }
}
