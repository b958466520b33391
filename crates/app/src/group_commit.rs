//! Group commit: requests that wait together are written in one transaction (at most
//! [`GROUP_MAX`] of them) and each is answered only after its group committed, so what is
//! answered survives a crash and the database sees one commit per group rather than one per
//! request. The messaging queue and the frontline's raises use it.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use tokio::sync::{mpsc, oneshot};
use tollgate_store::{Store, StoreError, Tx};

/// Requests committed together at most.
pub const GROUP_MAX: usize = 512;
/// Requests waiting for the writer at most; beyond, senders wait (back-pressure).
pub const GROUP_QUEUE_CAPACITY: usize = 8_192;

/// What one group writes.
pub trait Batch: Send + Sync + 'static {
    type Item: Send + Sync + 'static;
    type Out: Send + Sync + 'static;
    /// Writes the items in the caller's transaction, an answer per item in order.
    fn write<'a>(
        tx: &'a mut Tx,
        items: &'a [Self::Item],
    ) -> impl Future<Output = Result<Vec<Self::Out>, StoreError>> + Send + 'a;
}

struct Pending<B: Batch> {
    item: B::Item,
    reply: oneshot::Sender<Result<B::Out, String>>,
}

/// A writer (a thread of its own, with its own connection on PostgreSQL), started with the
/// first request, and its counters (the benchmarks' batch size).
pub struct GroupCommit<B: Batch> {
    tx: OnceLock<mpsc::Sender<Pending<B>>>,
    pub commits: std::sync::Arc<AtomicU64>,
    pub rows: std::sync::Arc<AtomicU64>,
    /// Microseconds spent writing and committing groups (a failed group's one-by-one retries
    /// are not counted).
    pub busy_us: std::sync::Arc<AtomicU64>,
}

impl<B: Batch> Default for GroupCommit<B> {
    fn default() -> Self {
        GroupCommit {
            tx: OnceLock::new(),
            commits: Default::default(),
            rows: Default::default(),
            busy_us: Default::default(),
        }
    }
}

impl<B: Batch> GroupCommit<B> {
    /// Writes `item` with whatever else is waiting; its answer once the group committed.
    pub async fn submit(&self, store: &Store, item: B::Item) -> Result<B::Out, String> {
        let tx = self.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(GROUP_QUEUE_CAPACITY);
            let (store, commits, rows, busy) = (
                store.clone(),
                self.commits.clone(),
                self.rows.clone(),
                self.busy_us.clone(),
            );
            // The writer runs on a thread of its own: a group is several round trips to the
            // database, and a task woken from outside a busy runtime waits behind the HTTP
            // tasks at every one of them. On PostgreSQL it opens its own connection there (a
            // connection belongs to the runtime that opened it); should that fail, it runs as
            // a task on the shared pool. The thread ends when the last sender goes.
            let here = tokio::runtime::Handle::current();
            let spawned = std::thread::Builder::new()
                .name("group-commit".into())
                .spawn(move || {
                    let rt = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt,
                        Err(e) => {
                            tracing::error!(error = %e, "group-commit runtime: a task instead");
                            here.spawn(writer::<B>(store, rx, commits, rows, busy));
                            return;
                        }
                    };
                    rt.block_on(async move {
                        match store.dedicated().await {
                            Ok(own) => writer::<B>(own, rx, commits, rows, busy).await,
                            Err(e) => {
                                tracing::error!(error = %e, "group-commit connection: a task instead");
                                here.spawn(writer::<B>(store, rx, commits, rows, busy));
                            }
                        }
                    });
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "group-commit thread");
            }
            tx
        });
        let (reply, answer) = oneshot::channel();
        let stopped = || "the group-commit writer stopped".to_string();
        tx.send(Pending { item, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn commit<B: Batch>(store: &Store, items: &[B::Item]) -> Result<Vec<B::Out>, StoreError> {
    let mut tx = store.begin().await?;
    let out = B::write(&mut tx, items).await?;
    tx.commit().await.map_err(StoreError::Db)?;
    Ok(out)
}

async fn writer<B: Batch>(
    store: Store,
    mut rx: mpsc::Receiver<Pending<B>>,
    commits: std::sync::Arc<AtomicU64>,
    rows: std::sync::Arc<AtomicU64>,
    busy_us: std::sync::Arc<AtomicU64>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        commits.fetch_add(1, Ordering::Relaxed);
        rows.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let (items, replies): (Vec<B::Item>, Vec<_>) =
            batch.into_iter().map(|p| (p.item, p.reply)).unzip();
        let t = std::time::Instant::now();
        let written = commit::<B>(&store, &items).await;
        busy_us.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
        match written {
            Ok(out) => {
                for (reply, o) in replies.into_iter().zip(out) {
                    let _ = reply.send(Ok(o));
                }
            }
            // One request the database refuses must not fail the others: each is tried
            // alone, and only the one refused is answered with the error.
            Err(e) if items.len() > 1 => {
                tracing::warn!(error = %e, requests = items.len(), "group commit failed: one by one");
                for (item, reply) in items.iter().zip(replies) {
                    let one = commit::<B>(&store, std::slice::from_ref(item)).await;
                    let _ = reply.send(match one {
                        Ok(mut out) => out.pop().ok_or_else(|| "no answer".to_string()),
                        Err(e) => Err(e.to_string()),
                    });
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }
}
