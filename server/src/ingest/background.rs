//! The ingest work `strata serve` runs beside the HTTP server: the rollup refresher, the
//! retention purge, a periodic sync of the configured projects and the trace worker. Both share one GitLab client, so they share its
//! request ceilings, and both stop when the server does.

use std::sync::Arc;

use strata_core::db::Db;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{
    log_analysis::LogAnalysis,
    progress::Progress,
    retention_task, rollup_refresher,
    sync::{SyncError, SyncOptions, Syncer},
    trace_worker::{TraceWorker, TraceWorkerConfig},
};
use crate::{config::GitLabSettings, gitlab::GitLabClient};

/// Running background tasks; [`Background::stop`] ends them.
pub struct Background {
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Start what the settings ask for. `retention_days` (`None`: keep everything) drives the
    /// purge and bounds the rollup refresher. Sync and log fetching need a GitLab token: logs
    /// and pipelines wait in the database until one is configured.
    pub fn start(
        db: &Db,
        gitlab: Option<&GitLabSettings>,
        retention_days: Option<i64>,
    ) -> Background {
        let mut background = Background {
            cancel: CancellationToken::new(),
            tasks: Vec::new(),
        };
        background.tasks.push(tokio::spawn(rollup_refresher::run(
            db.clone(),
            move || retention_task::first_kept_day(retention_days),
            background.cancel.clone(),
        )));
        background.tasks.push(tokio::spawn(retention_task::run(
            db.clone(),
            retention_days,
            retention_task::FIRST_DELAY,
            retention_task::PURGE_INTERVAL,
            background.cancel.clone(),
        )));
        let Some(gitlab) = gitlab else {
            return background;
        };
        let Some(config) = gitlab.client_config() else {
            tracing::info!("GITLAB_TOKEN is not set: background sync and job log fetching are off");
            return background;
        };
        let client = match GitLabClient::new(config) {
            Ok(client) => client,
            Err(err) => {
                tracing::error!(error = %err, "background sync and job log fetching are off");
                return background;
            }
        };
        if !gitlab.sync_projects.is_empty() {
            background.tasks.push(tokio::spawn(sync_periodically(
                db.clone(),
                client.clone(),
                gitlab.clone(),
                background.cancel.clone(),
            )));
        }
        let worker = TraceWorker::new(
            db.clone(),
            client,
            LogAnalysis,
            TraceWorkerConfig {
                concurrency: gitlab.concurrency,
                ..TraceWorkerConfig::default()
            },
            Arc::new(Progress::hidden()),
        );
        let cancel = background.cancel.clone();
        background
            .tasks
            .push(tokio::spawn(async move { worker.run(&cancel).await }));
        background
    }

    /// Ask every task to stop and wait for them (work in flight is rolled back or re-leased).
    pub async fn stop(self) {
        self.cancel.cancel();
        for task in self.tasks {
            if let Err(err) = task.await {
                tracing::error!(error = %err, "a background task ended abnormally");
            }
        }
    }
}

async fn sync_periodically(
    db: Db,
    client: GitLabClient,
    gitlab: GitLabSettings,
    cancel: CancellationToken,
) {
    let options = SyncOptions {
        concurrency: gitlab.concurrency,
        ..SyncOptions::default()
    };
    while !cancel.is_cancelled() {
        let progress = Arc::new(Progress::hidden());
        let (requests, retries) = (client.stats().requests(), client.stats().retries());
        let syncer = Syncer::new(
            db.clone(),
            client.clone(),
            options.clone(),
            progress.clone(),
        );
        let failures = syncer.sync_all(&gitlab.sync_projects, &cancel).await;
        for (project, err) in &failures {
            if !matches!(err, SyncError::Cancelled) {
                tracing::error!(%project, error = %err, "background sync of a project failed");
            }
        }
        let summary = progress.summary(
            client.stats().requests() - requests,
            client.stats().retries() - retries,
        );
        tracing::info!(
            projects = summary.projects,
            failed = failures.len(),
            pipelines_new = summary.pipelines_new,
            pipelines_updated = summary.pipelines_updated,
            pipelines_unchanged = summary.pipelines_unchanged,
            jobs = summary.jobs,
            requests = summary.requests,
            elapsed_ms = summary.elapsed.as_millis() as u64,
            "background sync finished"
        );
        tokio::select! {
            () = tokio::time::sleep(gitlab.sync_interval) => {}
            () = cancel.cancelled() => {}
        }
    }
}
