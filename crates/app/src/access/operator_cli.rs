//! Use cases of the operator's command line (`tollgate token ...`, `tollgate migrate`): the
//! CLI reaches the store only through these, as the HTTP API does through the others.

use tollgate_store::auth::{self, CredentialRow, UserRow};
use tollgate_store::{Page, ScopeFilter, Store, MAX_PAGE_LIMIT};

use crate::{App, AppError, Caller};

impl App {
    /// The user with this e-mail (any case) in the caller's scope; `NotFound` otherwise.
    pub async fn user_by_email(&self, caller: &Caller, email: &str) -> Result<UserRow, AppError> {
        let u = auth::system::find_user_by_email(&self.store, &email.to_lowercase())
            .await?
            .ok_or(AppError::NotFound("user"))?;
        // Found by key; then read again through the caller's scope, so a caller never learns
        // of a user it may not see.
        auth::get_user(&self.store, ScopeFilter::of(&caller.scope), &u.id)
            .await
            .map_err(|_| AppError::NotFound("user"))
    }

    /// Every credential (tokens and sessions, never the secret) of a user in the caller's
    /// scope, newest page first by id, at most [`MAX_PAGE_LIMIT`].
    pub async fn credentials_of(
        &self,
        caller: &Caller,
        user: &UserRow,
    ) -> Result<Vec<CredentialRow>, AppError> {
        let u = auth::get_user(&self.store, ScopeFilter::of(&caller.scope), &user.id)
            .await
            .map_err(|_| AppError::NotFound("user"))?;
        let page = Page::first(MAX_PAGE_LIMIT);
        Ok(auth::system::list_credentials(&self.store, &[u.id], &page).await?)
    }
}

/// `tollgate migrate`: applies pending migrations at `url`; returns `(versions applied now,
/// the schema version)`.
pub async fn migrate_database(url: &str) -> Result<(Vec<i64>, i64), AppError> {
    let store = Store::connect(url).await?;
    let applied = tollgate_store::migrate::apply(&store).await?;
    let version = tollgate_store::migrate::current_version(&store).await?;
    store.close().await;
    Ok((applied, version))
}
