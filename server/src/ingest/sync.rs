//! Sync from the GitLab REST API: for each project, the pipelines updated since the last run,
//! their details and jobs, stored one transaction per pipeline, finished jobs' logs queued.
//!
//! Resumable by construction: the watermark (newest `updated_at` stored) only moves once a
//! whole page of pipelines is stored, and every write is an idempotent upsert, so a run that
//! was killed midway re-reads at most one page and leaves neither gaps nor duplicates.

use std::{sync::Arc, time::Duration};

use futures::{StreamExt, TryStreamExt};
use strata_core::db::Db;
use tokio_util::sync::CancellationToken;

use super::progress::{Progress, add};
use crate::gitlab::{
    GitLabClient, GitLabError, ProjectRef, api::ApiPipeline, convert::project_record,
};
use strata_core::store::{records::Upserted, sync_state, writes};

#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// How far back the first sync of a project reaches (by `updated_at`).
    pub since: Duration,
    /// How far before the watermark later syncs re-read: `updated_at` order is not strictly
    /// monotone while GitLab writes concurrently, so a pipeline may land just behind it.
    pub overlap: Duration,
    /// Ignore the watermark and re-read everything from `since`.
    pub full: bool,
    /// Pipelines fetched and stored at once (within the client's request ceilings).
    pub concurrency: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            since: Duration::from_secs(90 * 24 * 3600),
            overlap: Duration::from_secs(10 * 60),
            full: false,
            concurrency: 4,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    GitLab(#[from] GitLabError),
    #[error("database error while {doing}: {source}")]
    Store {
        doing: &'static str,
        source: sqlx::Error,
    },
    #[error("sync stopped before it finished")]
    Cancelled,
}

pub(super) fn store_err(doing: &'static str) -> impl FnOnce(sqlx::Error) -> SyncError {
    move |source| SyncError::Store { doing, source }
}

/// Syncs projects into one database through one client.
#[derive(Clone)]
pub struct Syncer {
    pub(super) db: Db,
    pub(super) client: GitLabClient,
    pub(super) options: SyncOptions,
    pub(super) progress: Arc<Progress>,
}

impl Syncer {
    pub fn new(
        db: Db,
        client: GitLabClient,
        options: SyncOptions,
        progress: Arc<Progress>,
    ) -> Syncer {
        Syncer {
            db,
            client,
            options,
            progress,
        }
    }

    /// Sync every project in turn; a project that fails does not stop the others. Returns
    /// each failure with its project.
    pub async fn sync_all(
        &self,
        projects: &[ProjectRef],
        cancel: &CancellationToken,
    ) -> Vec<(ProjectRef, SyncError)> {
        let mut failures = Vec::new();
        for (index, project) in projects.iter().enumerate() {
            if cancel.is_cancelled() {
                failures.push((project.clone(), SyncError::Cancelled));
                continue;
            }
            self.progress
                .project_started(index, projects.len(), &project.to_string());
            add(&self.progress.counts().projects, 1);
            // Reported by the caller (the command's exit message, or the background log).
            if let Err(err) = self.sync_project(project, cancel).await {
                add(&self.progress.counts().projects_failed, 1);
                failures.push((project.clone(), err));
            }
        }
        failures
    }

    /// Sync one project: its record, then every pipeline updated after the watermark (less
    /// the overlap), or after `since` on the first run.
    #[tracing::instrument(skip(self, cancel), fields(project = %project))]
    pub async fn sync_project(
        &self,
        project: &ProjectRef,
        cancel: &CancellationToken,
    ) -> Result<(), SyncError> {
        let api_project = self.client.project(project).await?;
        let project_id = api_project.id;
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(store_err("storing the project"))?;
        writes::upsert_project(&mut tx, &project_record(&api_project), now_ms())
            .await
            .map_err(store_err("storing the project"))?;
        tx.commit()
            .await
            .map_err(store_err("storing the project"))?;

        sync_state::mark_started(&self.db, project_id, now_ms())
            .await
            .map_err(store_err("recording the sync start"))?;
        let result = self.sync_pipelines(project_id, cancel).await;
        let error = result.as_ref().err().map(ToString::to_string);
        sync_state::mark_finished(&self.db, project_id, now_ms(), error.as_deref())
            .await
            .map_err(store_err("recording the sync end"))?;
        result
    }

    async fn sync_pipelines(
        &self,
        project_id: i64,
        cancel: &CancellationToken,
    ) -> Result<(), SyncError> {
        let watermark = sync_state::watermark(&self.db, project_id)
            .await
            .map_err(store_err("reading the watermark"))?;
        let updated_after = match watermark {
            Some(w) if !self.options.full => w - millis(self.options.overlap),
            _ => now_ms() - millis(self.options.since),
        };
        tracing::info!(project_id, updated_after, "listing pipelines");

        let mut pages = std::pin::pin!(
            self.client
                .pipelines_updated_after(project_id, Some(updated_after))
        );
        let mut first = true;
        loop {
            let page = tokio::select! {
                page = pages.try_next() => page?,
                () = cancel.cancelled() => return Err(SyncError::Cancelled),
            };
            let Some(page) = page else { break };
            if first {
                if let Some(total) = page.total_hint {
                    self.progress.expect_pipelines(total);
                }
                first = false;
            }
            self.progress.pipelines_listed(page.items.len() as u64);
            self.sync_page(project_id, page.items, cancel).await?;
        }
        Ok(())
    }

    /// Store a page of listed pipelines, then move the watermark past it.
    ///
    /// A failure (or cancellation) stops further fetching, but transactions already under
    /// way complete: a dropped transaction future can leave a pooled connection inside a
    /// transaction, holding SQLite's write lock.
    async fn sync_page(
        &self,
        project_id: i64,
        listed: Vec<ApiPipeline>,
        cancel: &CancellationToken,
    ) -> Result<(), SyncError> {
        let ids: Vec<i64> = listed.iter().map(|p| p.id).collect();
        let stored = sync_state::stored_versions(&self.db, &ids)
            .await
            .map_err(store_err("reading stored pipelines"))?;
        let newest = listed.iter().filter_map(|p| p.updated_at).max();

        let stop = cancel.child_token();
        let mut outcomes = futures::stream::iter(listed)
            .map(|pipeline| {
                let stored = stored.get(&pipeline.id).cloned();
                self.sync_pipeline(project_id, pipeline, stored, &stop)
            })
            .buffer_unordered(self.options.concurrency.max(1));
        let (mut written, mut failure) = (0, None);
        while let Some(outcome) = outcomes.next().await {
            let outcome = match outcome {
                Ok(outcome) => outcome,
                Err(err) => {
                    stop.cancel();
                    // The first real failure explains the others (cancelled because of it).
                    if failure.is_none() || matches!(failure, Some(SyncError::Cancelled)) {
                        failure = Some(err);
                    }
                    continue;
                }
            };
            self.progress.pipeline_done();
            let counts = self.progress.counts();
            add(
                match outcome {
                    Some(Upserted::Inserted) => &counts.pipelines_new,
                    Some(Upserted::Updated) => &counts.pipelines_updated,
                    Some(Upserted::Unchanged) => &counts.pipelines_unchanged,
                    None => &counts.pipelines_gone,
                },
                1,
            );
            written += i64::from(matches!(outcome, Some(u) if u.changed()));
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        if let Some(newest) = newest {
            sync_state::advance(&self.db, project_id, newest, written)
                .await
                .map_err(store_err("advancing the watermark"))?;
        }
        Ok(())
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
