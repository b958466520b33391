//! Tollgate use cases: each one loads what a rule needs, asks the core to decide, and commits
//! the effects together with the audit entry in one transaction.
//!
//! Architecture invariant: authorization is resolved here, once, in [`App::authorize`]
//! (role × permission from the core matrix, then the tenancy [`Scope`]); handlers pass the
//! [`Caller`] it returns to every use case, and every query is filtered by its scope.

pub mod access;
pub mod assurance;
pub mod billing;
pub mod clock;
pub mod csv_in;
pub mod csv_out;
pub mod delivery;
pub mod demo;
pub mod edge;
pub mod error;
pub mod frontline;
pub mod group_commit;
pub mod guard;
#[cfg(feature = "sim")]
pub mod guard_sim;
pub mod guard_state;
pub mod hardware;
pub mod ids;
pub mod messaging;
pub mod metrics;
pub mod numbers;
pub mod rating;
pub mod receivables;
pub mod records;
pub mod secrets;
pub mod support;
pub mod tenancy;
pub mod terms;

use std::sync::Arc;

use tollgate_core::tenancy::{allows, Level, Permission, Role, Scope};
use tollgate_store::Store;

pub use clock::Clock;
pub use error::AppError;

/// Where a request came from, as the HTTP edge saw it (its request id and the client address
/// behind trusted proxies); the edge puts it on every request for the API and the portal.
#[derive(Debug, Clone)]
pub struct Origin {
    pub request_id: String,
    pub source: String,
    /// The client reached a trusted proxy over HTTPS (`X-Forwarded-Proto: https` from one of
    /// the trusted proxies): cookies are then marked `Secure`.
    pub https: bool,
}

/// Who is acting and from where: goes into every audit entry.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `user:<id>`, `cli` or `system`.
    pub actor: String,
    /// IP address or `cli`.
    pub source: String,
    pub request_id: String,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            actor: "cli".into(),
            source: "cli".into(),
            request_id: "cli".into(),
        }
    }
}

/// An authenticated principal.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub credential_id: String,
}

/// An authenticated, authorized caller: what it is, what it may see, and how to audit it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub scope: Scope,
    pub actor: Actor,
}

impl Caller {
    /// The operator acting as the system (CLI, demo seeding): full scope, audited as `actor`.
    pub fn system(actor: Actor) -> Caller {
        Caller {
            principal: Principal {
                user_id: "system".into(),
                email: "system".into(),
                role: Role::OperatorAdmin,
                partner_id: None,
                customer_id: None,
                credential_id: "system".into(),
            },
            scope: Scope::All,
            actor,
        }
    }
}

/// The application: the store, the terms catalog, the clock and in-memory guards.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub terms: Arc<terms::Catalog>,
    pub clock: Clock,
    pub(crate) logins: Arc<access::LoginLimiter>,
    /// Password-reset requests by address and source: their own limits, so that asking for a
    /// reset never locks anyone out of signing in.
    pub(crate) resets: Arc<access::LoginLimiter>,
    pub rates: Arc<rating::RateCache>,
    pub guard: Arc<guard::Guard>,
    pub auth_cache: Arc<access::AuthCache>,
    /// Bounds the argon2id work on the blocking pool ([`access::MAX_CONCURRENT_HASHES`]).
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
    /// Reverse proxies whose forwarding headers name the client (A: login limits per address).
    pub trusted_proxies: Arc<Vec<access::IpNet>>,
    /// The SIP edge connection's counters (`/metrics`).
    pub edge: Arc<edge::EdgeStats>,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The knowledge base's suggestion index (H11), rebuilt on import.
    pub(crate) kb: Arc<std::sync::RwLock<Arc<support::suggest::Index>>>,
    /// Support calendars by region (zone and holidays), dropped when a holiday is set.
    /// Messaging: the admission cache, the durable queue's writer, delivery counters.
    pub messaging: Arc<messaging::Messaging>,
    /// Frontline: the live engine, its hubs, the raise writer, the call points' limits.
    pub frontline: Arc<frontline::Frontline>,
    pub(crate) calendars: Arc<
        std::sync::Mutex<
            std::collections::HashMap<String, (tollgate_core::support::clock::Calendar, i64)>,
        >,
    >,
}

impl App {
    pub fn new(store: Store, clock: Clock) -> Result<App, AppError> {
        let terms = terms::Catalog::builtin().map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(App::with_terms(store, clock, terms))
    }

    /// An app with a given terms catalog (built-in plus the operator's files).
    pub fn with_terms(store: Store, clock: Clock, terms: terms::Catalog) -> App {
        App {
            store,
            terms: Arc::new(terms),
            clock,
            logins: Arc::new(access::LoginLimiter::default()),
            resets: Arc::new(access::LoginLimiter::default()),
            rates: Arc::new(rating::RateCache::default()),
            guard: Arc::new(guard::Guard::default()),
            auth_cache: Arc::new(access::AuthCache::default()),
            hashing: Arc::new(tokio::sync::Semaphore::new(access::MAX_CONCURRENT_HASHES)),
            trusted_proxies: Arc::new(Vec::new()),
            edge: Arc::default(),
            metrics: Arc::default(),
            kb: Arc::default(),
            messaging: Arc::default(),
            frontline: Arc::default(),
            calendars: Arc::default(),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The one place where a principal becomes a caller: checks the role matrix and
    /// resolves the tenancy scope.
    pub async fn authorize(
        &self,
        principal: Principal,
        perm: Permission,
        actor: Actor,
    ) -> Result<Caller, AppError> {
        if !allows(principal.role, perm) {
            return Err(AppError::Forbidden(format!(
                "role {} may not do this ({perm:?})",
                principal.role.as_str()
            )));
        }
        let scope = self.scope_of(&principal).await?;
        Ok(Caller {
            principal,
            scope,
            actor,
        })
    }

    /// P1-P5: the operator sees all; a partner itself and the resellers it is the assigned
    /// partner of; a customer only itself.
    pub async fn scope_of(&self, p: &Principal) -> Result<Scope, AppError> {
        Ok(match p.role.level() {
            Level::Operator => Scope::All,
            Level::Partner => {
                let pid = p
                    .partner_id
                    .clone()
                    .ok_or_else(|| AppError::Internal("partner user without partner".into()))?;
                let mut ids = vec![pid.clone()];
                ids.extend(
                    tollgate_store::tenancy::system::reseller_ids_assigned_to(&self.store, &pid)
                        .await?,
                );
                Scope::Partners(ids)
            }
            Level::Customer => Scope::Customer(
                p.customer_id
                    .clone()
                    .ok_or_else(|| AppError::Internal("customer user without customer".into()))?,
            ),
        })
    }
}
