//! The durable queue's writer: admitted messages are committed in groups (one transaction for
//! up to [`QUEUE_BATCH`] messages waiting together) and each request is answered only after
//! its group committed, so an accepted message survives a crash and the database sees one
//! commit per group rather than one per message.

use std::sync::OnceLock;

use tokio::sync::{mpsc, oneshot};
use tollgate_store::messaging::{insert_messages, MessageRow};
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

/// Commits the writer made and messages it stored (the benchmark's batch size).
pub static COMMITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
pub static ROWS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

async fn writer(store: Store, mut rx: mpsc::Receiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < QUEUE_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        COMMITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ROWS.fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let (rows, replies): (Vec<MessageRow>, Vec<_>) =
            batch.into_iter().map(|p| (p.row, p.reply)).unzip();
        let result = async {
            let mut tx = store.begin().await?;
            let stored = insert_messages(&mut tx, &rows).await?;
            tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
            Ok::<_, tollgate_store::StoreError>(stored)
        }
        .await;
        match result {
            Ok(stored) => {
                for (reply, s) in replies.into_iter().zip(stored) {
                    let _ = reply.send(Ok(s));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "message queue commit failed");
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
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
