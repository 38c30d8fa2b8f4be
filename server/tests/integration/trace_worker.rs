//! The trace worker on both backends: logs stream from a scripted GitLab into a processor
//! that records what it was fed, and every outcome lands in the queue and the jobs table.

use crate::{
    support,
    support::{scripted_data, scripted_gitlab, sync_harness},
};
use strata_core::on_both_backends;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::future::BoxFuture;
use scripted_data::job_log;
use strata::ingest::{
    progress::Progress,
    trace_worker::{TraceProcessor, TraceReader, TraceWorker, TraceWorkerConfig},
};
use strata_core::db::Tx;
use support::TestDb;
use sync_harness::*;
use tokio_util::sync::CancellationToken;

on_both_backends! {
    finished_jobs_logs_are_streamed_processed_and_taken_off_the_queue => all_logs;
    a_missing_log_is_given_up_as_unavailable => missing_log;
    a_truncated_log_is_retried_and_only_the_complete_one_is_saved => truncated_once;
    a_log_that_keeps_breaking_off_is_given_up_as_failed => truncated_always;
    a_log_that_cannot_be_stored_holds_up_no_other_log_stored_with_it => unstorable;
}

/// What each saved log looked like: (chunks fed, bytes).
type Saved = Arc<Mutex<HashMap<i64, (usize, Vec<u8>)>>>;

#[derive(Default, Clone)]
struct Recording {
    saved: Saved,
    /// A job whose log can never be stored: any batch holding it fails.
    poisoned: Option<i64>,
}

#[derive(Default)]
struct RecordingReader {
    chunks: usize,
    bytes: Vec<u8>,
}

impl TraceProcessor for Recording {
    type Reader = RecordingReader;

    fn start(&self, _job_id: i64) -> RecordingReader {
        RecordingReader::default()
    }

    fn save<'a>(
        &'a self,
        _tx: &'a mut Tx,
        logs: &'a [(i64, (usize, Vec<u8>))],
        _now_ms: i64,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(async move {
            if logs.iter().any(|(id, _)| Some(*id) == self.poisoned) {
                return Err(sqlx::Error::Protocol("this log cannot be stored".into()));
            }
            let mut saved = self.saved.lock().unwrap();
            for (job_id, log) in logs {
                let previous = saved.insert(*job_id, log.clone());
                assert!(previous.is_none(), "job {job_id} saved twice");
            }
            Ok(())
        })
    }
}

impl TraceReader for RecordingReader {
    type Output = (usize, Vec<u8>);

    fn feed(&mut self, chunk: &[u8]) {
        self.chunks += 1;
        self.bytes.extend_from_slice(chunk);
    }

    fn finish(self) -> (usize, Vec<u8>) {
        (self.chunks, self.bytes)
    }
}

fn worker(
    t: &TestDb,
    gitlab: &scripted_gitlab::ScriptedGitLab,
    recording: &Recording,
) -> (TraceWorker<Recording>, Arc<Progress>) {
    let progress = Arc::new(Progress::hidden());
    let worker = TraceWorker::new(
        t.db.clone(),
        client_for(gitlab),
        recording.clone(),
        TraceWorkerConfig {
            batch: 16,
            concurrency: 4,
            max_attempts: 3,
            retry_base: Duration::ZERO,
            ..TraceWorkerConfig::default()
        },
        progress.clone(),
    );
    (worker, progress)
}

async fn all_logs(t: TestDb) {
    let gitlab = gitlab_with(20, 3).await;
    sync_ok(&t.db, &gitlab).await;
    let queued = count(&t.db, "SELECT COUNT(*) FROM trace_queue").await;
    assert_eq!(
        queued, 42,
        "two finished jobs per pipeline, plus two retried attempts"
    );

    let recording = Recording::default();
    let (worker, progress) = worker(&t, &gitlab, &recording);
    worker.drain(&CancellationToken::new()).await.unwrap();

    let saved = recording.saved.lock().unwrap().clone();
    assert_eq!(saved.len(), 42);
    for (job_id, (chunks, bytes)) in &saved {
        assert_eq!(bytes, &job_log(*job_id), "job {job_id}");
        assert!(*chunks > 1, "job {job_id}'s log was buffered, not streamed");
    }
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 0);
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM jobs WHERE trace_status = 'analysed'"
        )
        .await,
        42
    );
    assert_eq!(
        gitlab
            .counts()
            .trace
            .load(std::sync::atomic::Ordering::SeqCst),
        42
    );
    assert_eq!(progress.summary(0, 0).logs_analysed, 42);
}

async fn missing_log(t: TestDb) {
    let gitlab = gitlab_with(3, 2).await;
    sync_ok(&t.db, &gitlab).await;
    let gone = 1_001 * 100 + 10;
    gitlab.faults().log_missing.insert(gone);

    let recording = Recording::default();
    let (worker, progress) = worker(&t, &gitlab, &recording);
    worker.drain(&CancellationToken::new()).await.unwrap();

    assert!(!recording.saved.lock().unwrap().contains_key(&gone));
    assert_eq!(
        count(
            &t.db,
            &format!(
                "SELECT COUNT(*) FROM jobs WHERE id = {gone} AND trace_status = 'unavailable'"
            )
        )
        .await,
        1
    );
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 0);
    let summary = progress.summary(0, 0);
    assert_eq!((summary.logs_unavailable, summary.logs_analysed), (1, 3));
}

async fn truncated_once(t: TestDb) {
    let gitlab = gitlab_with(3, 2).await;
    sync_ok(&t.db, &gitlab).await;
    let flaky = 1_002 * 100 + 10;
    gitlab.faults().log_truncated.insert(flaky, 1);

    let recording = Recording::default();
    let (worker, progress) = worker(&t, &gitlab, &recording);
    worker.drain(&CancellationToken::new()).await.unwrap();

    // The broken attempt fed half a log and was thrown away; the retry saved the whole.
    let saved = recording.saved.lock().unwrap().clone();
    assert_eq!(saved[&flaky].1, job_log(flaky));
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 0);
    let summary = progress.summary(0, 0);
    assert_eq!((summary.logs_retry_later, summary.logs_analysed), (1, 4));
}

async fn truncated_always(t: TestDb) {
    let gitlab = gitlab_with(3, 2).await;
    sync_ok(&t.db, &gitlab).await;
    let broken = 1_000 * 100 + 10;
    gitlab.faults().log_truncated.insert(broken, u32::MAX);

    let recording = Recording::default();
    let (worker, progress) = worker(&t, &gitlab, &recording);
    worker.drain(&CancellationToken::new()).await.unwrap();

    assert!(!recording.saved.lock().unwrap().contains_key(&broken));
    assert_given_up(&t.db, broken).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 0);
    let summary = progress.summary(0, 0);
    assert_eq!((summary.logs_failed, summary.logs_retry_later), (1, 2));
}

async fn unstorable(t: TestDb) {
    let gitlab = gitlab_with(20, 3).await;
    sync_ok(&t.db, &gitlab).await;
    let poisoned = 1_005 * 100 + 10;
    let recording = Recording {
        poisoned: Some(poisoned),
        ..Recording::default()
    };
    let (worker, progress) = worker(&t, &gitlab, &recording);
    worker.drain(&CancellationToken::new()).await.unwrap();

    // Stored together with the poisoned log first, then one at a time: every other log is
    // stored exactly once (the processor asserts it), the poisoned one is retried, then given up.
    let saved = recording.saved.lock().unwrap().clone();
    assert_eq!(saved.len(), 41);
    assert!(!saved.contains_key(&poisoned));
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM jobs WHERE trace_status = 'analysed'"
        )
        .await,
        41
    );
    assert_given_up(&t.db, poisoned).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 0);
    let summary = progress.summary(0, 0);
    assert_eq!(
        (
            summary.logs_analysed,
            summary.logs_retry_later,
            summary.logs_failed
        ),
        (41, 2, 1)
    );
}

/// The job's log was given up: marked `failed`, so no worker fetches it again.
async fn assert_given_up(db: &strata_core::db::Db, job_id: i64) {
    let sql = format!("SELECT COUNT(*) FROM jobs WHERE id = {job_id} AND trace_status = 'failed'");
    assert_eq!(count(db, &sql).await, 1, "job {job_id}");
}
