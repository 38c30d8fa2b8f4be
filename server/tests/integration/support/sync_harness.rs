//! What the sync and trace worker tests share: a scripted GitLab with one project, a client
//! with test-sized retries, a sync run, and reads of what got stored.
#![allow(dead_code)]

use std::{sync::Arc, time::Duration};

use secrecy::SecretString;
use strata::{
    gitlab::{ClientConfig, GitLabClient, ProjectRef, rate_limit::Backoff},
    ingest::{
        SyncError, SyncOptions, Syncer,
        progress::{Progress, Summary},
    },
};
use strata_core::{db::Db, with_pool};
use tokio_util::sync::CancellationToken;

use super::{
    scripted_data::{FakePipeline, FakeProject, generate},
    scripted_gitlab::{ScriptedGitLab, TOKEN},
};

pub const PROJECT_ID: i64 = 42;
pub const PROJECT_PATH: &str = "acme/web";

/// A scripted GitLab holding `count` pipelines of `jobs` jobs for `acme/web`.
pub async fn gitlab_with(count: usize, jobs: usize) -> ScriptedGitLab {
    let project = FakeProject {
        id: PROJECT_ID,
        path: PROJECT_PATH.into(),
    };
    ScriptedGitLab::start(vec![project], generate(PROJECT_ID, 1_000, count, jobs)).await
}

pub fn client_for(gitlab: &ScriptedGitLab) -> GitLabClient {
    GitLabClient::new(ClientConfig {
        max_rps: None,
        concurrency: 8,
        max_attempts: 2,
        backoff: Backoff {
            base: Duration::from_millis(1),
            max: Duration::from_millis(5),
        },
        ..ClientConfig::new(gitlab.url(), SecretString::from(TOKEN))
    })
    .unwrap()
}

pub fn syncer(db: &Db, client: &GitLabClient, progress: &Arc<Progress>) -> Syncer {
    let options = SyncOptions {
        concurrency: 8,
        ..SyncOptions::default()
    };
    Syncer::new(db.clone(), client.clone(), options, progress.clone())
}

/// One sync of `acme/web`; its failures (empty when it completed) and summary.
pub async fn sync_once(db: &Db, gitlab: &ScriptedGitLab) -> (Vec<SyncError>, Summary) {
    let client = client_for(gitlab);
    let progress = Arc::new(Progress::hidden());
    let failures = syncer(db, &client, &progress)
        .sync_all(
            &[ProjectRef::Path(PROJECT_PATH.into())],
            &CancellationToken::new(),
        )
        .await;
    let summary = progress.summary(client.stats().requests(), client.stats().retries());
    (failures.into_iter().map(|(_, e)| e).collect(), summary)
}

/// A sync that must complete.
pub async fn sync_ok(db: &Db, gitlab: &ScriptedGitLab) -> Summary {
    let (failures, summary) = sync_once(db, gitlab).await;
    assert!(failures.is_empty(), "sync failed: {failures:?}");
    summary
}

pub async fn count(db: &Db, sql: &str) -> i64 {
    with_pool!(db.pool(), p => sqlx::query_as::<_, (i64,)>(sql).fetch_one(p).await.unwrap().0)
}

/// Every row sync writes, as text, in a stable order (timestamps of the writes included, so
/// a rewrite that changes nothing still shows).
pub async fn snapshot(db: &Db) -> Vec<String> {
    type PipelineRow = (
        i64,
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        bool,
        i64,
        i64,
    );
    type JobRow = (
        i64,
        i64,
        String,
        bool,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        i64,
        i64,
    );
    let pipelines: Vec<PipelineRow> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT id, status, updated_at_ms, duration_ms, queued_duration_ms, started_at_ms, details_synced, ingested_ms, changed_ms
         FROM pipelines ORDER BY id").fetch_all(p).await.unwrap());
    let jobs: Vec<JobRow> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT id, pipeline_id, status, retried, duration_ms, runner_id, artifacts_bytes, trace_status, ingested_ms, changed_ms
         FROM jobs ORDER BY id").fetch_all(p).await.unwrap());
    let queue: Vec<(i64, i64, i64)> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT job_id, attempts, enqueued_ms FROM trace_queue ORDER BY job_id").fetch_all(p).await.unwrap());
    let state: Vec<(i64, Option<i64>, i64, Option<String>)> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT project_id, watermark_ms, pipelines_seen, last_error FROM sync_state ORDER BY project_id").fetch_all(p).await.unwrap());
    let projects: Vec<(i64, String, i64)> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT id, path, updated_ms FROM projects ORDER BY id").fetch_all(p).await.unwrap());
    let mut rows = Vec::new();
    rows.extend(pipelines.iter().map(|r| format!("pipeline {r:?}")));
    rows.extend(jobs.iter().map(|r| format!("job {r:?}")));
    rows.extend(queue.iter().map(|r| format!("queue {r:?}")));
    rows.extend(state.iter().map(|r| format!("state {r:?}")));
    rows.extend(projects.iter().map(|r| format!("project {r:?}")));
    rows
}

/// The store holds exactly what GitLab holds: every pipeline with its details, every job,
/// nothing else.
pub async fn assert_matches_gitlab(db: &Db, gitlab: &ScriptedGitLab) {
    let expected: Vec<FakePipeline> = gitlab.data().pipelines.values().cloned().collect();
    let stored: Vec<(i64, String, Option<i64>, bool)> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT id, status, duration_ms, details_synced FROM pipelines ORDER BY id").fetch_all(p).await.unwrap());
    let want: Vec<(i64, String, Option<i64>, bool)> = expected
        .iter()
        .map(|p| {
            (
                p.id,
                p.status.clone(),
                p.duration_s.map(|s| s * 1_000),
                true,
            )
        })
        .collect();
    assert_eq!(stored.len(), want.len(), "pipeline count");
    assert_eq!(stored, want);
    let stored_jobs: Vec<(i64, i64)> = with_pool!(db.pool(), p => sqlx::query_as(
        "SELECT id, pipeline_id FROM jobs ORDER BY id").fetch_all(p).await.unwrap());
    let mut want_jobs: Vec<(i64, i64)> = expected
        .iter()
        .flat_map(|p| p.jobs.iter().map(move |j| (j.id, p.id)))
        .collect();
    want_jobs.sort();
    assert_eq!(stored_jobs, want_jobs);
}
