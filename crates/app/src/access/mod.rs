//! Access: tokens, sessions, logins with rate limiting, TOTP, and A2 "credentials lost".

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::json;
use tollgate_core::rules;
use tollgate_core::tenancy::{allows, Level, Permission, Role, Scope};
use tollgate_store::auth::{self, CredentialRow, UserRow};
use tollgate_store::{audit, tenancy as tenancy_store, Page, ScopeFilter, StoreError};

use crate::ids::new_id;
use crate::secrets::{self, new_token, token_hash};
use crate::{Actor, App, AppError, Caller, Principal};

mod addresses;
mod limiter;
mod operator_cli;
mod reset;

pub use addresses::{client_address, parse_trusted_proxies, IpNet};
pub use limiter::{LoginLimiter, MAX_CONCURRENT_HASHES};
pub use operator_cli::migrate_database;

/// Failed logins for one e-mail from one source within [`LOGIN_WINDOW_S`] before refusal.
pub const MAX_FAILED_LOGINS_PER_ACCOUNT: usize = 5;
/// Failed logins from one source (any e-mail) within the window before refusal: much looser
/// than the per-account limit, so one address (an office, a NAT) is not locked out by a few
/// typos; it stops address-wide password spraying.
pub const MAX_FAILED_LOGINS_PER_SOURCE: usize = 200;
/// Failed logins for one e-mail from any number of sources within the window before refusal:
/// guessing one account's password from many addresses is bounded too, while locking a
/// person out on purpose takes this many tries rather than five.
pub const MAX_FAILED_LOGINS_PER_ACCOUNT_ANY_SOURCE: usize = 50;
pub const LOGIN_WINDOW_S: i64 = 900;
/// Bound on the keys the limiter tracks; the oldest are dropped beyond it.
pub const MAX_TRACKED_LOGIN_KEYS: usize = 10_000;
/// Lifetime of a login session.
pub const SESSION_TTL_S: i64 = 12 * 3600;
/// Lifetime of a password-reset token sent after A2.
pub const RESET_TTL_S: i64 = 24 * 3600;
/// Longest lifetime a new API token may ask for.
pub const MAX_TOKEN_TTL_DAYS: i64 = 3650;
/// Longest token name (the one limit on names).
pub use tollgate_core::text::MAX_NAME_CHARS;

/// How long a verified token is trusted from memory before the store is asked again. A
/// revocation on this node clears the cache at once; on other nodes it applies within this.
pub const AUTH_CACHE_TTL_S: i64 = 5;
/// Tokens kept in the authentication cache; the cache is emptied when full.
pub const MAX_AUTH_CACHE_ENTRIES: usize = 10_000;

/// A verified token: its principal, when it expires, when it was verified.
type CachedToken = (Principal, Option<i64>, i64);

/// Verified tokens (by hash), so the hot paths (the guard) do not query the store per request.
#[derive(Default)]
pub struct AuthCache {
    map: Mutex<HashMap<String, CachedToken>>,
    /// Bumped by every [`AuthCache::clear`]: a verification that read the store before a
    /// revocation committed must not be cached after it.
    generation: std::sync::atomic::AtomicU64,
}

impl AuthCache {
    fn get(&self, hash: &str, now: i64) -> Option<Principal> {
        let map = self.map.lock().expect("auth cache");
        let (p, expires, cached_at) = map.get(hash)?;
        (now - cached_at < AUTH_CACHE_TTL_S && *cached_at <= now && expires.is_none_or(|e| e > now))
            .then(|| p.clone())
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn put(&self, hash: String, p: Principal, expires: Option<i64>, now: i64, read_at: u64) {
        let mut map = self.map.lock().expect("auth cache");
        if self.generation() != read_at {
            return;
        }
        if map.len() >= MAX_AUTH_CACHE_ENTRIES {
            map.clear();
        }
        map.insert(hash, (p, expires, now));
    }

    /// Forgets every cached token (after any revocation or password change).
    pub fn clear(&self) {
        let mut map = self.map.lock().expect("auth cache");
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        map.clear();
    }
}

/// A new API token for a user: the stored row (hash only) and the secret shown once.
pub(crate) fn new_api_token(
    user_id: &str,
    name: &str,
    expires_in_days: Option<i64>,
    now: i64,
) -> (CredentialRow, String) {
    let token = new_token();
    let cred = CredentialRow {
        id: new_id("tok"),
        user_id: user_id.into(),
        kind: "api_token".into(),
        name: name.into(),
        token_hash: token_hash(&token),
        created_at: now,
        expires_at: expires_in_days.map(|d| now + d * 86_400),
        revoked_at: None,
        revoked_reason: None,
    };
    (cred, token)
}

fn principal_of(u: &UserRow, credential_id: &str) -> Result<Principal, AppError> {
    Ok(Principal {
        user_id: u.id.clone(),
        email: u.email.clone(),
        role: Role::parse(&u.role)
            .ok_or_else(|| AppError::Internal(format!("user {} has unknown role", u.id)))?,
        partner_id: u.partner_id.clone(),
        customer_id: u.customer_id.clone(),
        credential_id: credential_id.to_string(),
    })
}

fn unauthenticated(code: &'static str, message: &str) -> AppError {
    AppError::Unauthenticated {
        code,
        message: message.into(),
    }
}

/// A new audit entry for `actor`.
pub(crate) fn audit_row(
    actor: &Actor,
    now: i64,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> audit::AuditRow {
    audit::AuditRow {
        id: new_id("aud"),
        at: now,
        actor: actor.actor.clone(),
        action: action.into(),
        target: target.into(),
        source: actor.source.clone(),
        request_id: actor.request_id.clone(),
        detail: detail.to_string(),
    }
}

/// A one-time password-reset credential for `user_id`, valid [`RESET_TTL_S`] from `now`.
pub(crate) fn reset_credential(user_id: &str, name: &str, token: &str, now: i64) -> CredentialRow {
    CredentialRow {
        id: new_id("rst"),
        user_id: user_id.into(),
        kind: "password_reset".into(),
        name: name.into(),
        token_hash: token_hash(token),
        created_at: now,
        expires_at: Some(now + RESET_TTL_S),
        revoked_at: None,
        revoked_reason: None,
    }
}

/// What a new token looks like to its creator: the secret, once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub credential: CredentialRow,
    pub token: String,
}

impl App {
    /// Resolves a bearer token to its principal; refuses unknown, expired and revoked ones.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AppError> {
        if !token.starts_with(secrets::TOKEN_PREFIX) {
            return Err(unauthenticated(
                "token_invalid",
                "the bearer token is not a Tollgate token",
            ));
        }
        let hash = token_hash(token);
        let now = self.now();
        if let Some(p) = self.auth_cache.get(&hash, now) {
            return Ok(p);
        }
        let generation = self.auth_cache.generation();
        let Some((cred, user)) = auth::system::find_credential_by_hash(&self.store, &hash).await?
        else {
            return Err(unauthenticated(
                "token_invalid",
                "the bearer token is not known",
            ));
        };
        if cred.kind == "password_reset" {
            return Err(unauthenticated(
                "token_invalid",
                "a password-reset token cannot call the API",
            ));
        }
        if cred.revoked_at.is_some() {
            return Err(unauthenticated(
                "token_revoked",
                "the bearer token was revoked",
            ));
        }
        if cred.expires_at.is_some_and(|e| e <= self.now()) {
            return Err(unauthenticated(
                "token_expired",
                "the bearer token has expired",
            ));
        }
        let p = principal_of(&user, &cred.id)?;
        self.auth_cache
            .put(hash, p.clone(), cred.expires_at, now, generation);
        Ok(p)
    }

    /// Whether `caller` may act on user `target` (itself, or an admin over its tenant).
    async fn may_manage_user(&self, caller: &Caller, target: &UserRow) -> Result<bool, AppError> {
        if caller.principal.user_id == target.id {
            return Ok(true);
        }
        // An admin over users is who may write users (the one matrix).
        if !allows(caller.principal.role, Permission::UsersWrite) {
            return Ok(false);
        }
        let target_role = Role::parse(&target.role).unwrap_or(Role::OperatorAdmin);
        if !caller.principal.role.may_grant(target_role) {
            return Ok(false);
        }
        Ok(match &caller.scope {
            Scope::All => true,
            scope => match (&target.partner_id, &target.customer_id) {
                (Some(p), None) => scope.sees_partner(p),
                (_, Some(c)) => {
                    match tenancy_store::get_customer(&self.store, ScopeFilter::of(scope), c).await
                    {
                        Ok(_) => true,
                        Err(StoreError::NotFound) => false,
                        Err(e) => return Err(e.into()),
                    }
                }
                (None, None) => false,
            },
        })
    }

    /// Creates an API token for the caller or, for admins, a user in their scope.
    pub async fn create_token(
        &self,
        caller: &Caller,
        user_id: Option<&str>,
        name: &str,
        expires_in_days: Option<i64>,
    ) -> Result<IssuedToken, AppError> {
        let name = tollgate_core::text::check_name("name", name)?;
        let name = name.as_str();
        if let Some(d) = expires_in_days {
            if !(1..=MAX_TOKEN_TTL_DAYS).contains(&d) {
                return Err(AppError::invalid(
                    "expires_in_days_invalid",
                    "expires_in_days",
                    format!("must be 1 to {MAX_TOKEN_TTL_DAYS}"),
                ));
            }
        }
        let target = match user_id {
            None => {
                auth::get_user(
                    &self.store,
                    ScopeFilter::of(&caller.scope),
                    &caller.principal.user_id,
                )
                .await?
            }
            Some(id) => {
                let u = auth::get_user(&self.store, ScopeFilter::of(&caller.scope), id)
                    .await
                    .map_err(|_| AppError::NotFound("user"))?;
                if !self.may_manage_user(caller, &u).await? {
                    return Err(AppError::NotFound("user"));
                }
                // A token for someone else is impersonation: only the operator's admins may
                // issue one (the CLI, service users), and the audit names both (issue 11 #3).
                // Partner and customer admins manage their users, not their credentials.
                if u.id != caller.principal.user_id
                    && !allows(caller.principal.role, Permission::TokensForOthers)
                {
                    return Err(AppError::Forbidden(
                        "a token acts as its user: partner and customer admins create tokens for themselves only (token_for_other_user)".into(),
                    ));
                }
                u
            }
        };
        let now = self.now();
        let (cred, token) = new_api_token(&target.id, name, expires_in_days, now);
        let mut tx = self.store.begin().await?;
        auth::insert_credential(&mut tx, &cred).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                if target.id == caller.principal.user_id {
                    "token.create"
                } else {
                    "token.create_for_user"
                },
                &cred.id,
                json!({"user_id": target.id, "name": name, "issued_by": caller.principal.user_id, "on_behalf_of": (target.id != caller.principal.user_id).then_some(&target.id)}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(IssuedToken {
            credential: cred,
            token,
        })
    }

    /// Tokens the caller may see: its own, or for admins those of users in its scope.
    pub async fn list_tokens(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<CredentialRow>, AppError> {
        // The same reach as `may_manage_user`, as one scoped query: an admin sees the tokens
        // of users in its scope whose role it may grant.
        let admin = allows(caller.principal.role, Permission::UsersWrite);
        let roles: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|r| admin && caller.principal.role.may_grant(*r))
            .map(Role::as_str)
            .collect();
        Ok(auth::list_tokens_in_scope(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &caller.principal.user_id,
            &roles,
            page,
        )
        .await?)
    }

    pub async fn revoke_token(
        &self,
        caller: &Caller,
        token_id: &str,
    ) -> Result<CredentialRow, AppError> {
        let cred = auth::get_credential(&self.store, ScopeFilter::of(&caller.scope), token_id)
            .await
            .map_err(|_| AppError::NotFound("token"))?;
        let owner =
            auth::get_user(&self.store, ScopeFilter::of(&caller.scope), &cred.user_id).await?;
        if cred.kind != "api_token" || !self.may_manage_user(caller, &owner).await? {
            return Err(AppError::NotFound("token"));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        auth::revoke_credential(&mut tx, token_id, now, "revoked").await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "token.revoke",
                token_id,
                json!({"user_id": owner.id}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.auth_cache.clear();
        Ok(auth::get_credential(&self.store, ScopeFilter::of(&caller.scope), token_id).await?)
    }

    /// Logs in with e-mail, password and (when enrolled) a TOTP code; returns a session token.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        totp: Option<&str>,
        actor: &Actor,
    ) -> Result<IssuedToken, AppError> {
        let now = self.now();
        if let Some(wait) = self.logins.blocked_for(email, &actor.source, now) {
            return Err(AppError::TooManyRequests {
                code: "too_many_login_attempts",
                message: format!("too many failed logins; try again in {wait} s"),
                retry_after_s: wait,
            });
        }
        let user =
            auth::system::find_user_by_email(&self.store, &email.trim().to_lowercase()).await?;
        // An unknown e-mail (or a user without a password) is verified against a dummy hash,
        // so both answers take the same time: no oracle of which addresses exist.
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| secrets::dummy_password_hash().to_string());
        let verified = self.verify_password(password, &hash).await?;
        let ok = verified && user.as_ref().is_some_and(|u| u.password_hash.is_some());
        let Some(user) = user.filter(|_| ok) else {
            self.logins.record_failure(email, &actor.source, now);
            return Err(unauthenticated(
                "login_failed",
                "e-mail or password is wrong",
            ));
        };
        if user.totp_enabled {
            let secret = user.totp_secret.as_deref().unwrap_or_default();
            match totp {
                None => {
                    return Err(unauthenticated(
                        "totp_required",
                        "this account needs a one-time code (field `totp`)",
                    ))
                }
                Some(code) => {
                    let fresh = secrets::totp_verify_step(secret, code, now)
                        .is_some_and(|step| self.logins.use_totp_step(&user.id, step, now));
                    if !fresh {
                        self.logins.record_failure(email, &actor.source, now);
                        return Err(unauthenticated(
                            "totp_invalid",
                            "the one-time code is wrong, expired or already used",
                        ));
                    }
                }
            }
        }
        self.logins.record_success(email, &actor.source);
        let token = new_token();
        let cred = CredentialRow {
            id: new_id("ses"),
            user_id: user.id.clone(),
            kind: "session".into(),
            name: "login".into(),
            token_hash: token_hash(&token),
            created_at: now,
            expires_at: Some(now + SESSION_TTL_S),
            revoked_at: None,
            revoked_reason: None,
        };
        let actor = Actor {
            actor: format!("user:{}", user.id),
            ..actor.clone()
        };
        let mut tx = self.store.begin().await?;
        auth::insert_credential(&mut tx, &cred).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &actor,
                now,
                "session.login",
                &cred.id,
                json!({"user_id": user.id}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(IssuedToken {
            credential: cred,
            token,
        })
    }

    /// Ends the caller's session (or revokes the token it used).
    pub async fn logout(&self, caller: &Caller) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        auth::revoke_credential(&mut tx, &caller.principal.credential_id, now, "logout").await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "session.logout",
                &caller.principal.credential_id,
                json!({}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.auth_cache.clear();
        Ok(())
    }

    /// A2: credentials lost or stolen: every token and session of the user is revoked at once,
    /// the password is cleared, and a reset link goes to the user's e-mail (A1) via the outbox.
    pub async fn credentials_lost(&self, caller: &Caller, user_id: &str) -> Result<u64, AppError> {
        let target = auth::get_user(&self.store, ScopeFilter::of(&caller.scope), user_id)
            .await
            .map_err(|_| AppError::NotFound("user"))?;
        if !self.may_manage_user(caller, &target).await? {
            return Err(AppError::NotFound("user"));
        }
        let now = self.now();
        let reset = new_token();
        let mut tx = self.store.begin().await?;
        let n = auth::revoke_all_for_user(&mut tx, &target.id, now, "credentials_lost").await?;
        auth::set_password_hash(&mut tx, &target.id, None).await?;
        auth::insert_credential(
            &mut tx,
            &reset_credential(&target.id, "credentials lost (A2)", &reset, now),
        )
        .await?;
        tollgate_store::outbox::enqueue(
            &mut tx,
            &tollgate_store::outbox::OutboxRow {
                id: new_id("msg"),
                at: now,
                channel: "email".into(),
                recipient: target.email.clone(),
                subject: "Your Tollgate credentials were revoked".into(),
                body: format!(
                    "All your tokens and sessions were revoked because your credentials were reported lost or stolen \
                     (rule {}, {}). Set a new password within 24 hours: open /portal/reset?token={reset} on your Tollgate portal, \
                     or give this one-time reset token to POST /auth/reset-password: {reset}",
                    rules::A2.rule,
                    rules::A2.clause
                ),
                rule: rules::A2.rule.into(),
            },
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "user.credentials_lost",
                &target.id,
                json!({"revoked": n, "rule": "A2"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.auth_cache.clear();
        Ok(n)
    }

    /// Sets a new password with a reset token from A2.
    pub async fn reset_password(
        &self,
        reset_token: &str,
        new_password: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = self.now();
        let found =
            auth::system::find_credential_by_hash(&self.store, &token_hash(reset_token)).await?;
        let Some((cred, user)) = found.filter(|(c, _)| {
            c.kind == "password_reset"
                && c.revoked_at.is_none()
                && c.expires_at.is_some_and(|e| e > now)
        }) else {
            return Err(unauthenticated(
                "reset_token_invalid",
                "the reset token is unknown, used or expired",
            ));
        };
        let hash = self
            .hash_password(new_password)
            .await?
            .map_err(|m| AppError::invalid("password_weak", "password", m))?;
        let actor = Actor {
            actor: format!("user:{}", user.id),
            ..actor.clone()
        };
        let mut tx = self.store.begin().await?;
        auth::set_password_hash(&mut tx, &user.id, Some(&hash)).await?;
        auth::revoke_credential(&mut tx, &cred.id, now, "used").await?;
        audit::append(
            &mut tx,
            &audit_row(&actor, now, "user.password_reset", &user.id, json!({})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.auth_cache.clear();
        Ok(())
    }

    /// Sets the caller's own password (A3). A user who has one must give it; a user created
    /// without one (by `tollgate init` or an admin) sets it with the token alone.
    pub async fn set_own_password(
        &self,
        caller: &Caller,
        current: Option<&str>,
        new_password: &str,
    ) -> Result<(), AppError> {
        let user = auth::get_user(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &caller.principal.user_id,
        )
        .await?;
        if let Some(hash) = user.password_hash.as_deref() {
            let ok = match current {
                Some(c) => self.verify_password(c, hash).await?,
                None => false,
            };
            if !ok {
                return Err(AppError::invalid(
                    "current_password_wrong",
                    "current_password",
                    "the current password is wrong",
                ));
            }
        }
        let hash = self
            .hash_password(new_password)
            .await?
            .map_err(|m| AppError::invalid("password_weak", "password", m))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        auth::set_password_hash(&mut tx, &user.id, Some(&hash)).await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "user.password_set", &user.id, json!({})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// A3: starts TOTP enrolment for the caller; returns the secret and its otpauth URI.
    pub async fn totp_enroll(&self, caller: &Caller) -> Result<(String, String), AppError> {
        let user = auth::get_user(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &caller.principal.user_id,
        )
        .await?;
        if user.totp_enabled {
            return Err(AppError::Conflict {
                code: "totp_already_enabled",
                message: "a second factor is already enabled".into(),
            });
        }
        let secret = secrets::new_totp_secret();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        auth::set_totp(&mut tx, &user.id, Some(&secret), false).await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "user.totp_enroll", &user.id, json!({})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        let uri = format!(
            "otpauth://totp/Tollgate:{}?secret={secret}&issuer=Tollgate&period={}",
            user.email,
            secrets::TOTP_STEP_S
        );
        Ok((secret, uri))
    }

    /// Whether the caller's two-step sign-in (A3) is on.
    pub async fn totp_enabled(&self, caller: &Caller) -> Result<bool, AppError> {
        let user = auth::get_user(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &caller.principal.user_id,
        )
        .await?;
        Ok(user.totp_enabled)
    }

    /// A3: confirms enrolment with a first valid code; from then on logins need a code.
    pub async fn totp_confirm(&self, caller: &Caller, code: &str) -> Result<(), AppError> {
        let user = auth::get_user(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &caller.principal.user_id,
        )
        .await?;
        let Some(secret) = user.totp_secret.as_deref() else {
            return Err(AppError::Conflict {
                code: "totp_not_enrolled",
                message: "start enrolment first".into(),
            });
        };
        let now = self.now();
        let fresh = secrets::totp_verify_step(secret, code, now)
            .is_some_and(|step| self.logins.use_totp_step(&user.id, step, now));
        if !fresh {
            return Err(AppError::invalid(
                "totp_invalid",
                "code",
                "the one-time code is wrong or expired",
            ));
        }
        let mut tx = self.store.begin().await?;
        auth::set_totp(&mut tx, &user.id, Some(secret), true).await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "user.totp_enable", &user.id, json!({})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// argon2id verification on the blocking pool, at most [`MAX_CONCURRENT_HASHES`] at once.
    pub async fn verify_password(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        let (p, h) = (password.to_string(), hash.to_string());
        self.on_hash_pool(move || secrets::verify_password(&p, &h))
            .await
    }

    /// argon2id hashing on the blocking pool (see [`App::verify_password`]).
    pub async fn hash_password(&self, password: &str) -> Result<Result<String, String>, AppError> {
        let p = password.to_string();
        self.on_hash_pool(move || secrets::hash_password(&p)).await
    }

    async fn on_hash_pool<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| AppError::Internal("hashing pool closed".into()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| AppError::Internal(format!("hashing task: {e}")))
    }

    /// The level of a role, for wire output.
    pub fn level_name(role: Role) -> &'static str {
        match role.level() {
            Level::Operator => "operator",
            Level::Partner => "partner",
            Level::Customer => "customer",
        }
    }
}
