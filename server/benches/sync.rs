//! Sync throughput: a full backfill of 5,000 pipelines × 8 jobs from a scripted GitLab on
//! loopback (no artificial latency), into a fresh SQLite file and a fresh PostgreSQL database
//! (when TEST_DATABASE_URL is set), side by side in one run.
//!
//! Reports, per backend, the median of `RUNS` runs of:
//! - metadata sync: jobs per second, and GitLab requests per job next to the minimum possible
//!   (one project request, one list request per 100 pipelines, one details and one jobs
//!   request per pipeline);
//! - log fetching with Strata's log analysis and storage (`ingest::log_analysis`), next to the
//!   same fetching into a processor that only counts bytes (the worker's own cost, the
//!   baseline), each in its own run on a fresh database.
//!
//! Run: `cargo bench -p strata --bench sync` (PIPELINES, JOBS and RUNS override the sizes).

#[path = "../tests/integration/support/mod.rs"]
mod support;
use support::sync_harness;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures::{FutureExt, future::BoxFuture};
use strata::{
    gitlab::ProjectRef,
    ingest::{
        log_analysis::LogAnalysis,
        progress::Progress,
        trace_worker::{TraceProcessor, TraceReader, TraceWorker, TraceWorkerConfig},
    },
};
use strata_core::db::Tx;
use support::TestDb;
use sync_harness::{PROJECT_PATH, client_for, count, gitlab_with, syncer};
use tokio_util::sync::CancellationToken;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Counts bytes: the cheapest possible processor, so the numbers are the worker's own cost.
#[derive(Clone, Default)]
struct ByteCounter(Arc<AtomicU64>);

#[derive(Default)]
struct CountingReader(u64);

impl TraceProcessor for ByteCounter {
    type Reader = CountingReader;

    fn start(&self, _job_id: i64) -> CountingReader {
        CountingReader::default()
    }

    fn save<'a>(
        &'a self,
        _tx: &'a mut Tx,
        logs: &'a [(i64, u64)],
        _now_ms: i64,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        let bytes = logs.iter().map(|(_, bytes)| bytes).sum();
        self.0.fetch_add(bytes, Ordering::Relaxed);
        Box::pin(async { Ok(()) })
    }
}

impl TraceReader for CountingReader {
    type Output = u64;

    fn feed(&mut self, chunk: &[u8]) {
        self.0 += chunk.len() as u64;
    }

    fn finish(self) -> u64 {
        self.0
    }
}

struct Run {
    sync: Duration,
    jobs: u64,
    requests: u64,
    logs: Duration,
    log_count: u64,
}

async fn one_run<P: TraceProcessor>(
    db: TestDb,
    pipelines: usize,
    jobs: usize,
    processor: P,
) -> Run {
    let gitlab = gitlab_with(pipelines, jobs).await;
    let client = client_for(&gitlab);
    let progress = Arc::new(Progress::hidden());
    let started = Instant::now();
    let failures = syncer(&db.db, &client, &progress)
        .sync_all(
            &[ProjectRef::Path(PROJECT_PATH.into())],
            &CancellationToken::new(),
        )
        .await;
    let sync = started.elapsed();
    assert!(failures.is_empty(), "{:?}", failures);
    let summary = progress.summary(client.stats().requests(), client.stats().retries());

    let queued = count(&db.db, "SELECT COUNT(*) FROM trace_queue").await as u64;
    let worker = TraceWorker::new(
        db.db.clone(),
        client.clone(),
        processor,
        TraceWorkerConfig {
            batch: 64,
            concurrency: 8,
            ..TraceWorkerConfig::default()
        },
        Arc::new(Progress::hidden()),
    );
    let started = Instant::now();
    worker.drain(&CancellationToken::new()).await.unwrap();
    let logs = started.elapsed();
    assert_eq!(count(&db.db, "SELECT COUNT(*) FROM trace_queue").await, 0);
    Run {
        sync,
        jobs: summary.jobs,
        requests: summary.requests,
        logs,
        log_count: queued,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let pipelines = env_usize("PIPELINES", 5_000);
    let jobs = env_usize("JOBS", 8);
    let runs = env_usize("RUNS", 3);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let minimum_requests = (1 + pipelines.div_ceil(100) + 2 * pipelines) as f64;
    println!(
        "| backend | logs into | pipelines | jobs | metadata sync, jobs/s | requests/job (minimum) | logs/s | sync + logs, jobs/s | requests/job with logs (minimum) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (backend, mode) in [
        ("sqlite", "analysis"),
        ("sqlite", "byte count"),
        ("postgres", "analysis"),
        ("postgres", "byte count"),
    ] {
        let mut results = Vec::new();
        for _ in 0..runs {
            let db = runtime.block_on(async {
                match backend {
                    "sqlite" => Some(TestDb::sqlite().await),
                    _ => TestDb::postgres().await,
                }
            });
            let Some(db) = db else { break };
            results.push(runtime.block_on(match mode {
                "analysis" => one_run(db, pipelines, jobs, LogAnalysis).boxed(),
                _ => one_run(db, pipelines, jobs, ByteCounter::default()).boxed(),
            }));
        }
        if results.is_empty() {
            println!("| {backend} | {mode} | skipped: TEST_DATABASE_URL is not set | | | | | | |");
            continue;
        }
        let jobs_read = results[0].jobs;
        let jobs_per_s = median(
            results
                .iter()
                .map(|r| r.jobs as f64 / r.sync.as_secs_f64())
                .collect(),
        );
        let logs_per_s = median(
            results
                .iter()
                .map(|r| r.log_count as f64 / r.logs.as_secs_f64())
                .collect(),
        );
        let end_to_end = median(
            results
                .iter()
                .map(|r| r.jobs as f64 / (r.sync + r.logs).as_secs_f64())
                .collect(),
        );
        let requests = results[0].requests as f64;
        let logs = results[0].log_count as f64;
        let per_job = |n: f64| n / jobs_read as f64;
        println!(
            "| {backend} | {mode} | {pipelines} | {jobs_read} | {jobs_per_s:.0} | {:.3} ({:.3}) | {logs_per_s:.0} | {end_to_end:.0} | {:.3} ({:.3}) |",
            per_job(requests),
            per_job(minimum_requests),
            per_job(requests + logs),
            per_job(minimum_requests + logs),
        );
        for (i, r) in results.iter().enumerate() {
            eprintln!(
                "{backend} ({mode}) run {}: sync {:.2} s ({} requests), logs {:.2} s for {}",
                i + 1,
                r.sync.as_secs_f64(),
                r.requests,
                r.logs.as_secs_f64(),
                r.log_count
            );
        }
    }
}
