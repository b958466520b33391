//! Attachments of a ticket (issue 16 #1): traces, logs, screenshots, documents; checked by type
//! (declared and by content) and size, at most [`MAX_ATTACHMENTS_PER_TICKET`] per ticket.

use serde_json::json;
use sha2::{Digest, Sha256};
use tollgate_core::rules;
use tollgate_core::support::ticket::{
    check_attachment, State, MAX_ATTACHMENTS_PER_TICKET, MAX_ATTACHMENT_BYTES,
};
use tollgate_store::support::{self as support_store, AttachmentRow};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Longest file name, characters.
pub const MAX_FILENAME_CHARS: usize = 200;

impl App {
    /// Attaches a file to a ticket in scope (not a closed one: H9).
    pub async fn attach(
        &self,
        caller: &Caller,
        ticket: &str,
        filename: &str,
        content_type: &str,
        content_base64: &str,
    ) -> Result<AttachmentRow, AppError> {
        let t = self.ticket(caller, ticket).await?.ticket;
        if t.state == State::Closed.as_str() {
            return Err(AppError::from(tollgate_core::Refusal::new(
                "ticket_closed",
                rules::H9,
                "a closed ticket takes no attachments: reply to it to open a new one",
            )));
        }
        let name = filename.trim();
        if name.is_empty()
            || name.chars().count() > MAX_FILENAME_CHARS
            || name
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return Err(AppError::invalid(
                "filename_invalid",
                "filename",
                format!("1 to {MAX_FILENAME_CHARS} characters, no path"),
            ));
        }
        let bytes = tollgate_core::numbers::decode_base64(
            content_base64,
            MAX_ATTACHMENT_BYTES,
            "content_base64",
        )?;
        check_attachment(content_type, &bytes)?;
        if support_store::system::attachments(&self.store, &t.id)
            .await?
            .len()
            >= MAX_ATTACHMENTS_PER_TICKET
        {
            return Err(AppError::invalid(
                "too_many_attachments",
                "content_base64",
                format!("at most {MAX_ATTACHMENTS_PER_TICKET} attachments per ticket"),
            ));
        }
        let now = self.now();
        let row = AttachmentRow {
            id: new_id("att"),
            ticket_id: t.id.clone(),
            filename: name.into(),
            content_type: content_type.into(),
            size_bytes: bytes.len() as i64,
            sha256: Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            content_base64: content_base64.split_whitespace().collect(),
            uploaded_by: caller.principal.user_id.clone(),
            uploaded_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        tollgate_store::audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "ticket.attach", &t.id,
                json!({"attachment": row.id, "filename": row.filename, "bytes": row.size_bytes, "sha256": row.sha256})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// A ticket's attachments (with their content), the ticket read in scope first.
    pub async fn attachments(
        &self,
        caller: &Caller,
        ticket: &str,
    ) -> Result<Vec<AttachmentRow>, AppError> {
        let t = self.ticket(caller, ticket).await?.ticket;
        Ok(support_store::system::attachments(&self.store, &t.id).await?)
    }
}
