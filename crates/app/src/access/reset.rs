//! "Credentials lost" from the sign-in page: a person who cannot sign in asks for a reset by
//! e-mail address. The answer is the same whether the address is known (no oracle of which
//! addresses exist); a known user gets a one-time reset token by e-mail (A1: credentials go
//! to the user's e-mail) with the portal's reset page. Nothing is revoked by asking, so a
//! stranger cannot sign anyone out; [`App::reset_password`] sets the new password. Requests
//! count against limits of their own per address and source (the login limiter's rules, a
//! separate count), which bounds the mail one address can be sent without ever blocking a
//! sign-in.

use serde_json::json;
use tollgate_core::rules;
use tollgate_store::audit;
use tollgate_store::auth;

use super::{audit_row, reset_credential};
use crate::ids::new_id;
use crate::secrets::new_token;
use crate::{Actor, App, AppError};

impl App {
    /// Sends a reset token to `email` when it is a user's; answers `Ok` either way.
    pub async fn request_password_reset(&self, email: &str, actor: &Actor) -> Result<(), AppError> {
        let now = self.now();
        let email = email.trim().to_lowercase();
        if let Some(wait) = self.resets.blocked_for(&email, &actor.source, now) {
            return Err(AppError::TooManyRequests {
                code: "too_many_login_attempts",
                message: format!("too many attempts; try again in {wait} s"),
                retry_after_s: wait,
            });
        }
        self.resets.record_failure(&email, &actor.source, now);
        let Some(user) = auth::system::find_user_by_email(&self.store, &email).await? else {
            return Ok(());
        };
        let reset = new_token();
        let mut tx = self.store.begin().await?;
        auth::insert_credential(
            &mut tx,
            &reset_credential(&user.id, "reset requested at sign-in (A1)", &reset, now),
        )
        .await?;
        tollgate_store::outbox::enqueue(
            &mut tx,
            &tollgate_store::outbox::OutboxRow {
                id: new_id("msg"),
                at: now,
                channel: "email".into(),
                recipient: user.email.clone(),
                subject: "Reset your Tollgate password".into(),
                body: format!(
                    "Someone (we hope you) asked to reset the password of this account. Within 24 hours, open \
                     /portal/reset?token={reset} on your Tollgate portal and choose a new password. \
                     If it was not you, ignore this message: nothing has changed (rule {}, {}).",
                    rules::A1.rule,
                    rules::A1.clause
                ),
                rule: rules::A1.rule.into(),
            },
        )
        .await?;
        let actor = Actor {
            actor: format!("user:{}", user.id),
            ..actor.clone()
        };
        audit::append(
            &mut tx,
            &audit_row(&actor, now, "user.reset_requested", &user.id, json!({})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }
}
