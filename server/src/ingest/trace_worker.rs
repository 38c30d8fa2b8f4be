//! The trace worker: takes job logs off the trace queue, streams each from GitLab into a log
//! processor chunk by chunk (never the whole log in memory), and stores the results in the
//! same transaction that takes the jobs off the queue.
//!
//! Reading and storing overlap: logs read to the end wait in a channel, and the store loop
//! takes whatever has gathered there (up to `store_batch`) into one transaction — one
//! multi-row statement per table instead of a dozen statements and a commit per log. A batch
//! that fails to store is stored again one log at a time, so one bad log holds up no other.
//!
//! Outcomes: stored → `finish`; the log is gone (404/410) → `give_up(.., "unavailable")`;
//! GitLab or the network failing, or the body breaking off → `retry_later` with backoff, and
//! `give_up(.., "failed")` once the attempts are spent; a request GitLab refuses for good
//! (400, 422, …) → `give_up(.., "failed")`. A refused token never gives up a log: fixing the
//! token brings them all back.

use std::{sync::Arc, time::Duration};

use futures::{StreamExt, future::BoxFuture};
use strata_core::db::{Db, Tx};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    progress::{Progress, add},
    sync::now_ms,
};
use crate::gitlab::{GitLabClient, GitLabError};
use strata_core::store::trace_queue::{self, QueuedTrace};

/// Turns job logs into stored facts. One [`TraceReader`] per log.
pub trait TraceProcessor: Send + Sync + 'static {
    type Reader: TraceReader;

    fn start(&self, job_id: i64) -> Self::Reader;

    /// Store what was read from logs that ended, `(job id, output)` with each job once. Runs
    /// inside the transaction that also takes the jobs off the queue, so a crash never leaves
    /// a half-stored analysis.
    fn save<'a>(
        &'a self,
        tx: &'a mut Tx,
        logs: &'a [(i64, ReaderOutput<Self>)],
        now_ms: i64,
    ) -> BoxFuture<'a, sqlx::Result<()>>;
}

/// What a processor's reader makes of one log.
pub type ReaderOutput<P> = <<P as TraceProcessor>::Reader as TraceReader>::Output;

/// Reads one job log as it arrives.
pub trait TraceReader: Send + 'static {
    type Output: Send + Sync + 'static;

    /// The next bytes of the log (arbitrary boundaries: a line or a UTF-8 character may be
    /// split between chunks).
    fn feed(&mut self, chunk: &[u8]);

    /// The log ended: what to store.
    fn finish(self) -> Self::Output;
}

#[derive(Clone, Debug)]
pub struct TraceWorkerConfig {
    /// Jobs claimed at once.
    pub batch: i64,
    /// Logs streamed at once (within the client's request ceilings).
    pub concurrency: usize,
    /// Logs stored in one transaction at most.
    pub store_batch: usize,
    /// How long a claimed job stays ours before another worker may take it.
    pub lease: Duration,
    /// Claims per log before it is given up as `failed`.
    pub max_attempts: i64,
    /// First retry delay; doubled per attempt, up to an hour.
    pub retry_base: Duration,
    /// How often a long-running worker looks for new work when the queue is empty.
    pub idle_poll: Duration,
}

impl Default for TraceWorkerConfig {
    fn default() -> Self {
        TraceWorkerConfig {
            batch: 32,
            concurrency: 4,
            store_batch: 32,
            lease: Duration::from_secs(10 * 60),
            max_attempts: 5,
            retry_base: Duration::from_secs(60),
            idle_poll: Duration::from_secs(5),
        }
    }
}

/// A refused token: try again in an hour, whatever the attempt count.
const AUTH_RETRY: Duration = Duration::from_secs(3600);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Analysed,
    Unavailable,
    Failed,
    RetryLater,
}

pub struct TraceWorker<P> {
    db: Db,
    client: GitLabClient,
    processor: P,
    config: TraceWorkerConfig,
    progress: Arc<Progress>,
}

/// A log read to the end, or why it was not.
struct Read<O> {
    job: QueuedTrace,
    started: std::time::Instant,
    result: Result<O, Failure>,
}

impl<P: TraceProcessor> TraceWorker<P> {
    pub fn new(
        db: Db,
        client: GitLabClient,
        processor: P,
        config: TraceWorkerConfig,
        progress: Arc<Progress>,
    ) -> TraceWorker<P> {
        TraceWorker {
            db,
            client,
            processor,
            config,
            progress,
        }
    }

    /// Work until no log is due (what `strata sync` does after syncing). Logs rescheduled for
    /// later stay queued for the next run.
    pub async fn drain(&self, cancel: &CancellationToken) -> sqlx::Result<()> {
        while !cancel.is_cancelled() {
            if self.run_batch(cancel).await? == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Work until cancelled, polling an empty queue every `idle_poll` (`strata serve`).
    pub async fn run(&self, cancel: &CancellationToken) {
        while !cancel.is_cancelled() {
            let idle = match self.run_batch(cancel).await {
                Ok(0) => true,
                Ok(_) => false,
                Err(err) => {
                    tracing::error!(error = %err, "trace queue unavailable; retrying");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = tokio::time::sleep(self.config.idle_poll) => {}
                    () = cancel.cancelled() => {}
                }
            }
        }
    }

    /// Claim one batch and process it; returns how many were claimed.
    async fn run_batch(&self, cancel: &CancellationToken) -> sqlx::Result<usize> {
        let lease = i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX);
        let batch = trace_queue::claim(&self.db, self.config.batch, lease, now_ms()).await?;
        let claimed = batch.len();
        let (done, mut gathered) = mpsc::channel(self.config.store_batch.max(1));
        let read_all = async move {
            futures::stream::iter(batch)
                .map(|job| self.read(job, cancel))
                .buffer_unordered(self.config.concurrency.max(1))
                .for_each(|read| {
                    let done = done.clone();
                    async move {
                        // The store loop outlives this stream: a send never fails.
                        let _ = done.send(read).await;
                    }
                })
                .await;
        };
        let store_all = async {
            let mut reads = Vec::with_capacity(self.config.store_batch.max(1));
            while gathered
                .recv_many(&mut reads, self.config.store_batch.max(1))
                .await
                > 0
            {
                self.settle(std::mem::take(&mut reads)).await;
            }
        };
        futures::join!(read_all, store_all);
        Ok(claimed)
    }

    /// Stream one log from GitLab into a fresh reader, chunk by chunk, unless cancelled.
    #[tracing::instrument(skip_all, fields(job_id = job.job_id, project_id = job.project_id, attempt = job.attempts))]
    async fn read(&self, job: QueuedTrace, cancel: &CancellationToken) -> Read<ReaderOutput<P>> {
        let started = std::time::Instant::now();
        let result = tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Failure::Cancelled),
            read = self.read_log(&job) => read.map_err(Failure::from),
        };
        Read {
            job,
            started,
            result,
        }
    }

    async fn read_log(&self, job: &QueuedTrace) -> Result<ReaderOutput<P>, GitLabError> {
        let mut body = self.client.job_trace(job.project_id, job.job_id).await?;
        let mut reader = self.processor.start(job.job_id);
        while let Some(chunk) = body.chunk().await? {
            reader.feed(&chunk);
        }
        Ok(reader.finish())
    }

    /// Store the logs that were read in one transaction and record every other outcome.
    /// Storing is never cancelled once begun (a dropped transaction future can leave a pooled
    /// connection inside a transaction).
    async fn settle(&self, reads: Vec<Read<ReaderOutput<P>>>) {
        let mut jobs = Vec::with_capacity(reads.len());
        let mut logs = Vec::with_capacity(reads.len());
        for read in reads {
            match read.result {
                Ok(output) => {
                    logs.push((read.job.job_id, output));
                    jobs.push((read.job, read.started));
                }
                Err(Failure::Cancelled) => self.hand_back(&read.job).await,
                Err(failure) => {
                    let outcome = self.settle_failure(&read.job, failure).await;
                    self.count(outcome);
                }
            }
        }
        if logs.is_empty() {
            return;
        }
        let stored: Vec<sqlx::Result<()>> = match self.store(&logs).await {
            Ok(()) => logs.iter().map(|_| Ok(())).collect(),
            Err(err) if logs.len() == 1 => vec![Err(err)],
            Err(err) => {
                tracing::warn!(error = %err, logs = logs.len(), "storing logs together failed; storing them one at a time");
                let mut each = Vec::with_capacity(logs.len());
                for one in logs.chunks(1) {
                    each.push(self.store(one).await);
                }
                each
            }
        };
        for ((job, started), result) in jobs.iter().zip(stored) {
            let outcome = match result {
                Ok(()) => {
                    crate::metrics::ingest_latency("job_log", started.elapsed());
                    Outcome::Analysed
                }
                Err(err) => self.settle_failure(job, Failure::Store(err)).await,
            };
            self.count(outcome);
        }
    }

    /// One transaction: the processor's rows, the jobs marked analysed and off the queue.
    async fn store(&self, logs: &[(i64, ReaderOutput<P>)]) -> sqlx::Result<()> {
        let ids: Vec<i64> = logs.iter().map(|(id, _)| *id).collect();
        let mut tx = self.db.begin().await?;
        self.processor.save(&mut tx, logs, now_ms()).await?;
        trace_queue::mark_analysed(&mut tx, &ids).await?;
        trace_queue::finish(&mut tx, &ids).await?;
        tx.commit().await
    }

    /// Hand a job back now rather than when its lease runs out.
    async fn hand_back(&self, job: &QueuedTrace) {
        let released = trace_queue::retry_later(
            &self.db,
            job.job_id,
            "stopped before the log was read",
            now_ms(),
        )
        .await;
        if let Err(err) = released {
            tracing::warn!(job_id = job.job_id, error = %err, "cannot hand back a job log; its lease will run out");
        }
    }

    fn count(&self, outcome: Outcome) {
        let counts = self.progress.counts();
        add(
            match outcome {
                Outcome::Analysed => &counts.logs_analysed,
                Outcome::Unavailable => &counts.logs_unavailable,
                Outcome::Failed => &counts.logs_failed,
                Outcome::RetryLater => &counts.logs_retry_later,
            },
            1,
        );
        self.progress.log_done();
    }

    /// Decide what a failed attempt means for the queued job, and record it.
    async fn settle_failure(&self, job: &QueuedTrace, failure: Failure) -> Outcome {
        let (outcome, message) = match &failure {
            Failure::GitLab(err) if err.is_gone() => (Outcome::Unavailable, err.to_string()),
            Failure::GitLab(err) if err.is_auth() => (Outcome::RetryLater, err.to_string()),
            Failure::GitLab(err) if !err.is_transient() => (Outcome::Failed, err.to_string()),
            _ if job.attempts >= self.config.max_attempts => (
                Outcome::Failed,
                format!("{failure} (after {} attempts)", job.attempts),
            ),
            _ => (Outcome::RetryLater, failure.to_string()),
        };
        let recorded = match outcome {
            Outcome::Unavailable => {
                trace_queue::give_up(&self.db, job.job_id, "unavailable", &message).await
            }
            Outcome::Failed => trace_queue::give_up(&self.db, job.job_id, "failed", &message).await,
            Outcome::RetryLater => {
                let delay = match &failure {
                    Failure::GitLab(err) if err.is_auth() => AUTH_RETRY,
                    _ => self.retry_delay(job.attempts),
                };
                tracing::warn!(error = %message, retry_in_s = delay.as_secs(), "job log fetch failed; will retry");
                let at = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                trace_queue::retry_later(&self.db, job.job_id, &message, at).await
            }
            Outcome::Analysed => Ok(()),
        };
        if let Err(err) = recorded {
            // The lease runs out and the job comes back: nothing is lost.
            tracing::error!(error = %err, "cannot record a job log's outcome");
        }
        outcome
    }

    fn retry_delay(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
        self.config
            .retry_base
            .saturating_mul(1 << exponent)
            .min(Duration::from_secs(3600))
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    GitLab(#[from] GitLabError),
    #[error("database error while storing the log analysis: {0}")]
    Store(#[from] sqlx::Error),
    #[error("stopped before the log was read")]
    Cancelled,
}
