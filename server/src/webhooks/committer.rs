//! Group commit: deliveries that arrive together are stored in one transaction.
//!
//! SQLite has one writer, so with one transaction per delivery concurrent deliveries queue
//! for the write lock and pay a commit each. Here every request hands its delivery to one
//! committer task and waits; the committer takes whatever has gathered (up to
//! [`MAX_BATCH`]), stores each delivery inside its own savepoint — a delivery that fails is
//! rolled back alone and the others keep their rows — commits once, and only then answers
//! every request. A 2xx still means "durable": nobody is answered before the commit.
//!
//! PostgreSQL runs concurrent transactions in parallel, so there each delivery keeps its own
//! transaction: funnelling them through one committer measured slower (see
//! docs/PERFORMANCE.md, Webhooks).

use std::{panic::AssertUnwindSafe, sync::Arc};

use futures::{FutureExt, future::BoxFuture};
use strata_core::{
    db::{Backend, Db, Tx},
    with_tx,
};
use tokio::sync::{mpsc, oneshot};

use super::{
    delivery::{self, Delivery, DeliveryKey, Outcome},
    to_records::Records,
};

/// Deliveries per transaction at most (PostgreSQL keeps 64 subtransactions per transaction
/// in shared memory before it spills, so the savepoints stay within that).
pub const MAX_BATCH: usize = 64;

/// Why a delivery was not stored: the database refused it, or its whole batch.
pub type StoreError = Arc<sqlx::Error>;

/// What storing a batch gives: an outcome per delivery, or the batch's own failure.
pub type BatchResult = sqlx::Result<Vec<Result<Outcome, StoreError>>>;

/// How the committer stores a batch: [`store_together`]; tests pass one that fails.
pub type StoreBatch = for<'a> fn(&'a Db, &'a [&'a Received]) -> BoxFuture<'a, BatchResult>;

/// A delivery as received, owned so it can wait in the committer's queue.
pub struct Received {
    pub key: DeliveryKey,
    pub event: &'static str,
    pub payload: String,
    pub received_ms: i64,
    pub records: Records,
}

impl Received {
    pub fn delivery(&self) -> Delivery<'_> {
        Delivery {
            key: &self.key,
            event: self.event,
            payload: &self.payload,
            received_ms: self.received_ms,
        }
    }
}

struct Pending {
    received: Received,
    answer: oneshot::Sender<Result<Outcome, StoreError>>,
}

/// The handle requests store through; cheap to clone. The committer task stops when the last
/// handle is dropped, after storing what was queued.
#[derive(Clone)]
pub struct Committer {
    db: Db,
    /// `None` on PostgreSQL: every delivery commits on its own.
    queue: Option<mpsc::Sender<Pending>>,
}

impl Committer {
    /// Start the committer task (SQLite) on the current Tokio runtime.
    pub fn start(db: Db) -> Committer {
        Committer::with_store(db, |db, batch| store_together(db, batch).boxed())
    }

    /// [`Committer::start`] with another way to store each batch (SQLite only).
    pub fn with_store(db: Db, store: StoreBatch) -> Committer {
        let queue = (db.backend() == Backend::Sqlite).then(|| {
            let (queue, pending) = mpsc::channel(MAX_BATCH * 4);
            tokio::spawn(run(db.clone(), pending, store));
            queue
        });
        Committer { db, queue }
    }

    /// Store a delivery; returns once it is committed (or refused).
    pub async fn store(&self, received: Received) -> Result<Outcome, StoreError> {
        let Some(queue) = &self.queue else {
            return delivery::store(&self.db, &received.delivery(), &received.records)
                .await
                .map_err(Arc::new);
        };
        let (answer, answered) = oneshot::channel();
        let stopped = || Arc::new(sqlx::Error::PoolClosed);
        queue
            .send(Pending { received, answer })
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn run(db: Db, mut pending: mpsc::Receiver<Pending>, store: StoreBatch) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let batch = std::mem::take(&mut batch);
        let received: Vec<&Received> = batch.iter().map(|p| &p.received).collect();
        // A panic while storing (a bug) must not take the committer down with it: every later
        // delivery would then be refused until a restart. The batch's transaction is dropped,
        // so rolled back, its deliveries are refused (GitLab retries them) and the next batch
        // goes on.
        let stored = AssertUnwindSafe(store(&db, &received)).catch_unwind().await;
        let outcomes = match stored {
            Ok(Ok(outcomes)) => outcomes,
            Ok(Err(error)) => refuse_all(batch.len(), error),
            Err(_) => {
                tracing::error!(
                    deliveries = batch.len(),
                    "storing a batch of webhook deliveries panicked; the batch was rolled back and refused"
                );
                let panicked = sqlx::Error::Protocol("storing the delivery panicked".into());
                refuse_all(batch.len(), panicked)
            }
        };
        for (p, outcome) in batch.into_iter().zip(outcomes) {
            // A request that gave up waiting still had its delivery stored: GitLab's retry
            // will find it a duplicate.
            let _ = p.answer.send(outcome);
        }
    }
}

fn refuse_all(n: usize, error: sqlx::Error) -> Vec<Result<Outcome, StoreError>> {
    let error = Arc::new(error);
    (0..n).map(|_| Err(error.clone())).collect()
}

/// Store deliveries in one transaction, each in a savepoint of its own: an outcome per
/// delivery, in order. `Err` when the transaction itself failed (begin or commit): then
/// nothing of the batch is stored.
pub async fn store_together(db: &Db, deliveries: &[&Received]) -> BatchResult {
    let mut tx = db.begin().await?;
    let mut outcomes = Vec::with_capacity(deliveries.len());
    for r in deliveries {
        // Savepoints nest: each delivery's stays open until the commit, and rolling back to
        // the name undoes only the most recent one, this delivery's.
        execute(&mut tx, "SAVEPOINT delivery").await?;
        match delivery::store_in(&mut tx, &r.delivery(), &r.records).await {
            Ok(outcome) => outcomes.push(Ok(outcome)),
            Err(error) => {
                tracing::warn!(%error, key = %r.key.key, "a webhook delivery could not be stored; its batch goes on");
                execute(&mut tx, "ROLLBACK TO SAVEPOINT delivery").await?;
                outcomes.push(Err(Arc::new(error)));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn execute(tx: &mut Tx, sql: &str) -> sqlx::Result<()> {
    with_tx!(tx, c => sqlx::query(sql).execute(c).await.map(|_| ()))
}
