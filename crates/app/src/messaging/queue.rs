//! The durable queue's writer: admitted messages are committed in groups (one transaction for
//! up to [`QUEUE_BATCH`] messages waiting together) and each request is answered only after
//! its group committed, so an accepted message survives a crash and the database sees one
//! commit per group rather than one per message.

use std::sync::OnceLock;

use tokio::sync::{mpsc, oneshot};
use tollgate_store::messaging::{insert_message_if_new, MessageRow};
use tollgate_store::Store;

use crate::{App, AppError};

/// Messages committed together at most.
pub const QUEUE_BATCH: usize = 512;
/// Messages waiting for the writer at most; beyond, senders wait (back-pressure).
pub const QUEUE_CAPACITY: usize = 8_192;

struct Pending {
    row: MessageRow,
    /// `Ok(true)` stored, `Ok(false)` its idempotency key was taken.
    reply: oneshot::Sender<Result<bool, String>>,
}

/// The writer's inbox, started with the first message.
#[derive(Default)]
pub struct QueueHandle {
    tx: OnceLock<mpsc::Sender<Pending>>,
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < QUEUE_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let result = async {
            let mut tx = store.begin().await?;
            let mut stored = Vec::with_capacity(batch.len());
            for p in &batch {
                stored.push(insert_message_if_new(&mut tx, &p.row).await?);
            }
            tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
            Ok::<_, tollgate_store::StoreError>(stored)
        }
        .await;
        match result {
            Ok(stored) => {
                for (p, s) in batch.into_iter().zip(stored) {
                    let _ = p.reply.send(Ok(s));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "message queue commit failed");
                for p in batch {
                    let _ = p.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

impl App {
    /// Stores a message durably (grouped with others waiting); false when its idempotency key
    /// was already used.
    pub(crate) async fn persist_message(&self, row: MessageRow) -> Result<bool, AppError> {
        let tx = self.messaging.queue.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
            tokio::spawn(writer(self.store.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        tx.send(Pending { row, reply })
            .await
            .map_err(|_| AppError::Internal("the message queue writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("the message queue writer stopped".into()))?
            .map_err(AppError::Internal)
    }
}
