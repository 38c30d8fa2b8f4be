//! `strata sync`: sync the given projects from the GitLab REST API, fetch the logs of the jobs
//! that finished, print a summary. Ctrl-C stops it cleanly; running it again resumes.

use std::sync::Arc;

use anyhow::Context;
use strata_core::db::Db;
use tokio_util::sync::CancellationToken;

use crate::{
    cli::{GlobalArgs, SyncArgs},
    config::{self, GitLabSettings},
    gitlab::{GitLabClient, ProjectRef},
    ingest::{
        SyncOptions, Syncer,
        log_analysis::LogAnalysis,
        progress::Progress,
        trace_worker::{TraceWorker, TraceWorkerConfig},
    },
    startup::shutdown_signal,
};
use strata_core::{db, store::rollups};

pub async fn run(global: &GlobalArgs, args: &SyncArgs) -> anyhow::Result<()> {
    let gitlab = GitLabSettings::from_args(&args.gitlab)
        .and_then(|g| g.client_config())
        .context("GITLAB_TOKEN is not set: strata sync needs a token with the read_api scope (and GITLAB_URL for a self-managed GitLab)")?;
    let client = GitLabClient::new(gitlab).context("while setting up the GitLab client")?;
    let db = db::open(&config::database_url(global)?).await?;
    let options = SyncOptions {
        since: args.since,
        full: args.full,
        concurrency: usize::from(args.gitlab.concurrency),
        ..SyncOptions::default()
    };
    let synced = sync_once(&db, &client, &args.projects, options).await;
    db.close().await;
    synced
}

/// Sync `projects`, fetch and analyse the logs of the jobs that finished, refresh the
/// rollups, print a summary. Ctrl-C stops it cleanly (what was stored stays stored).
pub(super) async fn sync_once(
    db: &Db,
    client: &GitLabClient,
    projects: &[ProjectRef],
    options: SyncOptions,
) -> anyhow::Result<()> {
    let cancel = CancellationToken::new();
    let on_signal = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            cancel.cancel();
        })
    };

    let progress = Arc::new(Progress::for_stderr());
    let concurrency = options.concurrency;
    let syncer = Syncer::new(db.clone(), client.clone(), options, progress.clone());
    let failures = syncer.sync_all(projects, &cancel).await;

    let worker = TraceWorker::new(
        db.clone(),
        client.clone(),
        LogAnalysis,
        TraceWorkerConfig {
            concurrency,
            ..TraceWorkerConfig::default()
        },
        progress.clone(),
    );
    let logs = worker
        .drain(&cancel)
        .await
        .context("while fetching job logs");
    // Dashboards read rollups: bring them up to date before returning.
    let rollups = rollups::refresh_all(db)
        .await
        .context("while refreshing the dashboards' rollups");

    on_signal.abort();
    progress.finish();
    eprintln!(
        "{}",
        progress.summary(client.stats().requests(), client.stats().retries())
    );
    logs?;
    rollups?;
    if cancel.is_cancelled() {
        anyhow::bail!("stopped before the sync finished (run again to resume)");
    }
    match failures.as_slice() {
        [] => Ok(()),
        failures => {
            let list: Vec<String> = failures
                .iter()
                .map(|(project, err)| format!("{project}: {err}"))
                .collect();
            anyhow::bail!(
                "{} of {} projects did not sync (run again to resume): {}",
                failures.len(),
                projects.len(),
                list.join("; ")
            )
        }
    }
}
