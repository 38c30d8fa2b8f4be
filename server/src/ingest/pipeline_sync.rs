//! One listed pipeline: fetch what it needs (details, jobs) and store it with its jobs in one
//! transaction, queueing the logs of jobs that finished.

use tokio_util::sync::CancellationToken;

use super::{
    progress::add,
    sync::{SyncError, Syncer, now_ms, store_err},
};
use crate::gitlab::{
    GitLabError,
    api::{ApiJob, ApiPipeline},
    convert::{job_records, pipeline_record},
};
use strata_core::store::{
    records::{JobRecord, PipelineRecord, Upserted},
    sync_state::StoredVersion,
    trace_queue, writes,
};

impl Syncer {
    /// Fetch and store one listed pipeline. `None` when GitLab deleted it after listing it.
    /// Cancellation stops the fetching; once storing has begun it completes.
    #[tracing::instrument(skip_all, fields(pipeline_id = listed.id))]
    pub(super) async fn sync_pipeline(
        &self,
        project_id: i64,
        listed: ApiPipeline,
        stored: Option<StoredVersion>,
        cancel: &CancellationToken,
    ) -> Result<Option<Upserted>, SyncError> {
        let unchanged = stored.as_ref().is_some_and(|s| {
            s.details_synced
                && listed.status == s.status.as_str()
                && s.updated_at_ms == listed.updated_at
        });
        // A finished pipeline that has not changed has nothing new, jobs included.
        if unchanged && listed.status.is_terminal() {
            return Ok(Some(Upserted::Unchanged));
        }
        let started = std::time::Instant::now();
        let fetched = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(SyncError::Cancelled),
            fetched = self.fetch(project_id, &listed, unchanged) => fetched,
        };
        let (record, jobs) = match fetched {
            Ok(fetched) => fetched,
            Err(err) if err.is_gone() => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        add(&self.progress.counts().jobs, jobs.len() as u64);
        let stored = self
            .store(&record, &job_records(project_id, listed.id, &jobs))
            .await?;
        crate::metrics::ingest_latency("pipeline", started.elapsed());
        Ok(Some(stored))
    }

    /// The pipeline's details (unless only its jobs can have moved on) and its jobs.
    async fn fetch(
        &self,
        project_id: i64,
        listed: &ApiPipeline,
        unchanged: bool,
    ) -> Result<(PipelineRecord, Vec<ApiJob>), GitLabError> {
        let record = if unchanged {
            // Still running: its jobs move on without the pipeline's own fields changing.
            pipeline_record(listed, false)
        } else {
            pipeline_record(&self.client.pipeline(project_id, listed.id).await?, true)
        };
        let jobs = self.client.pipeline_jobs(project_id, listed.id).await?;
        Ok((record, jobs))
    }

    async fn store(
        &self,
        pipeline: &PipelineRecord,
        jobs: &[JobRecord],
    ) -> Result<Upserted, SyncError> {
        let now = now_ms();
        let result: sqlx::Result<(Upserted, u64, u64)> = async {
            let mut tx = self.db.begin().await?;
            let upserted = writes::upsert_pipeline(&mut tx, pipeline, now).await?;
            let (mut written, mut queued) = (0, 0);
            for job in jobs {
                if writes::upsert_job(&mut tx, job, now).await?.changed() {
                    written += 1;
                }
                if job.status.has_log()
                    && trace_queue::enqueue_if_finished(&mut tx, job.id, now).await?
                {
                    queued += 1;
                }
            }
            tx.commit().await?;
            Ok((upserted, written, queued))
        }
        .await;
        let (upserted, written, queued) =
            result.map_err(store_err("storing a pipeline and its jobs"))?;
        add(&self.progress.counts().jobs_written, written);
        self.progress.logs_queued(queued);
        // A job that changed makes its pipeline count as updated, even if the pipeline's own
        // fields did not.
        Ok(match upserted {
            Upserted::Unchanged if written > 0 => Upserted::Updated,
            other => other,
        })
    }
}
