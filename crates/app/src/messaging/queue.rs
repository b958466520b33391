//! The durable queue's writer: admitted messages are committed in groups
//! ([`crate::group_commit`]) and each request is answered only after its group committed, so
//! an accepted message survives a crash and the database sees one commit per group rather
//! than one per message.

use tollgate_store::messaging::{insert_messages, MessageRow};
use tollgate_store::{StoreError, Tx};

use crate::group_commit::{Batch, GroupCommit};
use crate::{App, AppError};

/// Messages: `true` stored, `false` its idempotency key was taken.
pub struct Messages;

impl Batch for Messages {
    type Item = MessageRow;
    type Out = bool;
    async fn write(tx: &mut Tx, items: &[MessageRow]) -> Result<Vec<bool>, StoreError> {
        insert_messages(tx, items).await
    }
}

/// The writer of admitted messages.
pub type QueueHandle = GroupCommit<Messages>;

impl App {
    /// Stores a message durably (grouped with others waiting); false when its idempotency key
    /// was already used.
    pub(crate) async fn persist_message(&self, row: MessageRow) -> Result<bool, AppError> {
        self.messaging
            .queue
            .submit(&self.store, row)
            .await
            .map_err(AppError::Internal)
    }

    /// Commits of the message queue's writer and the messages they stored (the benchmark's
    /// batch size).
    pub fn message_queue_counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let q = &self.messaging.queue;
        (q.commits.load(Relaxed), q.rows.load(Relaxed))
    }
}
