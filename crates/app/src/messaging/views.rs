//! Reads of the message log and suppressions in scope; the account's segment price.

use serde_json::json;
use tollgate_store::messaging::{self as msg_store, MessageFilter, MessageRow, SuppressionRow};
use tollgate_store::{audit, Page, ScopeFilter};

use crate::access::audit_row;
use crate::{App, AppError, Caller};

impl App {
    /// The message log in scope.
    pub async fn list_messages(
        &self,
        caller: &Caller,
        f: &MessageFilter,
        page: &Page,
    ) -> Result<Vec<MessageRow>, AppError> {
        Ok(msg_store::list_messages(&self.store, ScopeFilter::of(&caller.scope), f, page).await?)
    }

    /// One message in scope.
    pub async fn get_message(&self, caller: &Caller, id: &str) -> Result<MessageRow, AppError> {
        msg_store::get_message(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("message"))
    }

    /// Suppression entries in scope.
    pub async fn list_suppressions(
        &self,
        caller: &Caller,
        account: Option<&str>,
        page: &Page,
    ) -> Result<Vec<SuppressionRow>, AppError> {
        Ok(
            msg_store::list_suppressions(
                &self.store,
                ScopeFilter::of(&caller.scope),
                account,
                page,
            )
            .await?,
        )
    }

    /// Sets an account's price per segment beyond the included SMS.
    pub async fn set_messaging_price(
        &self,
        caller: &Caller,
        account: &str,
        micros: i64,
    ) -> Result<(), AppError> {
        let ba = self.get_billing_account(caller, account).await?;
        if micros < 0 {
            return Err(AppError::invalid(
                "amount_negative",
                "segment_price",
                "must not be negative",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        msg_store::put_price(&mut tx, &ba.id, micros, now).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "messaging.price",
                &ba.id,
                json!({"segment_micros": micros}),
            ),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(())
    }
}
