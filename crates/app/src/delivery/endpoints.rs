//! The operator's webhook endpoints: registered (the secret shown once), listed, disabled.

use tollgate_core::tenancy::Scope;
use tollgate_store::outbox::system::webhooks::{self, WebhookEndpoint};

use crate::{App, AppError, Caller};

fn operator_only(caller: &Caller) -> Result<(), AppError> {
    if matches!(caller.scope, Scope::All) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "webhook endpoints are the operator's".into(),
        ))
    }
}

impl App {
    /// Registers an endpoint; every notification queued from now on is also posted to it,
    /// signed with the returned secret.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        url: &str,
    ) -> Result<WebhookEndpoint, AppError> {
        operator_only(caller)?;
        let url = url.trim();
        if super::webhook::parse_http_url(url).is_none() {
            return Err(AppError::invalid(
                "webhook_url_invalid",
                "url",
                "http://host[:port][/path] (for TLS, a local TLS-terminating proxy)",
            ));
        }
        let now = self.now();
        let endpoint = WebhookEndpoint {
            id: crate::ids::new_id("whk"),
            url: url.to_string(),
            secret: crate::secrets::new_webhook_secret(),
            created_at: now,
            disabled_at: None,
        };
        let mut tx = self.store.begin().await?;
        webhooks::insert(&mut tx, &endpoint).await?;
        tollgate_store::audit::append(
            &mut tx,
            &crate::access::audit_row(
                &caller.actor,
                now,
                "webhook.create",
                &endpoint.id,
                serde_json::json!({"url": endpoint.url}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(endpoint)
    }

    /// Every endpoint, newest first.
    pub async fn webhooks(
        &self,
        caller: &Caller,
        limit: i64,
    ) -> Result<Vec<WebhookEndpoint>, AppError> {
        operator_only(caller)?;
        Ok(webhooks::list(&self.store, limit).await?)
    }

    /// Disables an endpoint: nothing more is queued for it.
    pub async fn disable_webhook(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        operator_only(caller)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !webhooks::disable(&mut tx, id, now).await? {
            return Err(AppError::NotFound("active webhook endpoint"));
        }
        tollgate_store::audit::append(
            &mut tx,
            &crate::access::audit_row(
                &caller.actor,
                now,
                "webhook.disable",
                id,
                serde_json::json!({}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }
}
