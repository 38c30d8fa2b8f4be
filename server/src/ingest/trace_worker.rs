//! The trace worker: takes job logs off the trace queue, streams each from GitLab into a log
//! processor chunk by chunk (never the whole log in memory), and stores the result in the
//! same transaction that takes the job off the queue.
//!
//! Outcomes: stored → `finish`; the log is gone (404/410) → `give_up(.., "unavailable")`;
//! GitLab or the network failing, or the body breaking off → `retry_later` with backoff, and
//! `give_up(.., "failed")` once the attempts are spent; a request GitLab refuses for good
//! (400, 422, …) → `give_up(.., "failed")`. A refused token never gives up a log: fixing the
//! token brings them all back.

use std::{sync::Arc, time::Duration};

use futures::{StreamExt, future::BoxFuture};
use strata_app::{
    db::{Db, Tx},
    with_tx,
};
use tokio_util::sync::CancellationToken;

use super::{
    progress::{Progress, add},
    sync::now_ms,
};
use crate::{
    gitlab::{GitLabClient, GitLabError},
    store::trace_queue::{self, QueuedTrace},
};

/// Turns job logs into stored facts. One [`TraceReader`] per log.
pub trait TraceProcessor: Send + Sync {
    fn start(&self, job_id: i64) -> Box<dyn TraceReader>;
}

/// Reads one job log as it arrives.
pub trait TraceReader: Send {
    /// The next bytes of the log (arbitrary boundaries: a line or a UTF-8 character may be
    /// split between chunks).
    fn feed(&mut self, chunk: &[u8]);

    /// The log ended: store what was read. Runs inside the transaction that also takes the
    /// job off the queue, so a crash never leaves a half-stored analysis.
    fn save<'a>(self: Box<Self>, tx: &'a mut Tx, now_ms: i64) -> BoxFuture<'a, sqlx::Result<()>>;
}

#[derive(Clone, Debug)]
pub struct TraceWorkerConfig {
    /// Jobs claimed at once.
    pub batch: i64,
    /// Logs streamed at once (within the client's request ceilings).
    pub concurrency: usize,
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

pub struct TraceWorker {
    db: Db,
    client: GitLabClient,
    processor: Arc<dyn TraceProcessor>,
    config: TraceWorkerConfig,
    progress: Arc<Progress>,
}

impl TraceWorker {
    pub fn new(
        db: Db,
        client: GitLabClient,
        processor: Arc<dyn TraceProcessor>,
        config: TraceWorkerConfig,
        progress: Arc<Progress>,
    ) -> TraceWorker {
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
        futures::stream::iter(batch)
            .map(|job| self.process(job, cancel))
            .buffer_unordered(self.config.concurrency.max(1))
            .for_each(|_| async {})
            .await;
        Ok(claimed)
    }

    #[tracing::instrument(skip_all, fields(job_id = job.job_id, project_id = job.project_id, attempt = job.attempts))]
    async fn process(&self, job: QueuedTrace, cancel: &CancellationToken) {
        let started = std::time::Instant::now();
        let outcome = match self.fetch_and_save(&job, cancel).await {
            Ok(()) => {
                crate::metrics::ingest_latency("job_log", started.elapsed());
                Outcome::Analysed
            }
            Err(Failure::Cancelled) => {
                // Hand the job back now rather than when the lease runs out.
                let released = trace_queue::retry_later(
                    &self.db,
                    job.job_id,
                    "stopped before the log was read",
                    now_ms(),
                )
                .await;
                if let Err(err) = released {
                    tracing::warn!(error = %err, "cannot hand back a job log; its lease will run out");
                }
                return;
            }
            Err(failure) => self.settle_failure(&job, failure).await,
        };
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

    /// Read the log, then store what the processor made of it. Cancellation stops the
    /// reading; once storing has begun it completes (a dropped transaction future can leave
    /// a pooled connection inside a transaction).
    async fn fetch_and_save(
        &self,
        job: &QueuedTrace,
        cancel: &CancellationToken,
    ) -> Result<(), Failure> {
        let reader = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(Failure::Cancelled),
            reader = self.read_log(job) => reader?,
        };
        let mut tx = self.db.begin().await?;
        reader.save(&mut tx, now_ms()).await?;
        mark_analysed(&mut tx, job.job_id).await?;
        trace_queue::finish(&mut tx, job.job_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stream the log from GitLab into a fresh reader, chunk by chunk.
    async fn read_log(&self, job: &QueuedTrace) -> Result<Box<dyn TraceReader>, GitLabError> {
        let mut body = self.client.job_trace(job.project_id, job.job_id).await?;
        let mut reader = self.processor.start(job.job_id);
        while let Some(chunk) = body.chunk().await? {
            reader.feed(&chunk);
        }
        Ok(reader)
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

/// The job's log is analysed: what the dashboards show for it.
async fn mark_analysed(tx: &mut Tx, job_id: i64) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE jobs SET trace_status = 'analysed' WHERE id = $1";
    with_tx!(tx, c => sqlx::query(SQL).bind(job_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
