//! REST payloads to the flat records the store writes. Pure, so every rule is tested here.

use std::collections::HashMap;

use super::api::{ApiJob, ApiPipeline, ApiProject};
use strata_core::store::records::{JobRecord, PipelineRecord, ProjectRecord, seconds_to_ms};

pub fn project_record(project: &ApiProject) -> ProjectRecord {
    ProjectRecord {
        id: project.id,
        path: project.path_with_namespace.clone(),
        name: project.name.clone(),
        web_url: project.web_url.clone(),
        default_branch: project.default_branch.clone(),
    }
}

/// A pipeline as the store keeps it. `details` says whether `pipeline` came from the
/// single-pipeline endpoint (with durations) rather than the list.
pub fn pipeline_record(pipeline: &ApiPipeline, details: bool) -> PipelineRecord {
    PipelineRecord {
        id: pipeline.id,
        project_id: pipeline.project_id,
        iid: pipeline.iid,
        git_ref: pipeline.git_ref.clone(),
        sha: pipeline.sha.clone(),
        source: pipeline.source.clone(),
        status: pipeline.status.clone(),
        created_at_ms: pipeline.created_at,
        updated_at_ms: pipeline.updated_at,
        started_at_ms: pipeline.started_at,
        finished_at_ms: pipeline.finished_at,
        duration_ms: pipeline.duration.and_then(seconds_to_ms),
        queued_duration_ms: pipeline.queued_duration.and_then(seconds_to_ms),
        web_url: pipeline.web_url.clone(),
        details_synced: details,
    }
}

/// A pipeline's jobs (as listed with `include_retried=true`) as records.
///
/// The REST API does not say which jobs were retried. A retry creates a new job with the same
/// name in the same pipeline, so of several jobs sharing a name every one but the newest
/// (highest id) was retried. A `retried` field, where a server sends one, wins.
pub fn job_records(project_id: i64, pipeline_id: i64, jobs: &[ApiJob]) -> Vec<JobRecord> {
    let mut newest: HashMap<&str, i64> = HashMap::with_capacity(jobs.len());
    for job in jobs {
        let id = newest.entry(job.name.as_str()).or_insert(job.id);
        *id = (*id).max(job.id);
    }
    jobs.iter()
        .map(|job| {
            let inferred = newest.get(job.name.as_str()) != Some(&job.id);
            job_record(
                project_id,
                pipeline_id,
                job,
                job.retried.unwrap_or(inferred),
            )
        })
        .collect()
}

fn job_record(project_id: i64, pipeline_id: i64, job: &ApiJob, retried: bool) -> JobRecord {
    JobRecord {
        id: job.id,
        project_id,
        pipeline_id: job.pipeline.as_ref().map_or(pipeline_id, |p| p.id),
        name: job.name.clone(),
        stage: job.stage.clone(),
        status: job.status.clone(),
        allow_failure: job.allow_failure,
        retried: Some(retried),
        created_at_ms: job.created_at,
        started_at_ms: job.started_at,
        finished_at_ms: job.finished_at,
        duration_ms: job.duration.and_then(seconds_to_ms),
        queued_duration_ms: job.queued_duration.and_then(seconds_to_ms),
        runner_id: job.runner.as_ref().map(|r| r.id),
        runner_description: job.runner.as_ref().and_then(|r| r.description.clone()),
        tag_list: job.tag_list.clone(),
        web_url: job.web_url.clone(),
        artifacts_bytes: artifacts_bytes(job),
    }
}

/// Bytes the job uploaded as artifacts. The `trace` entry is the job log, which the runner
/// streams whatever the job's `artifacts:` say, so it does not count as artifact transfer.
/// GitLab reports sizes up to `i64::MAX` in the wild: the sum saturates (a plain `sum` wrapped
/// to a negative size in release builds); the store then clamps it to a plausible bound.
fn artifacts_bytes(job: &ApiJob) -> Option<i64> {
    let artifacts = job.artifacts.as_ref()?;
    Some(
        artifacts
            .iter()
            .filter(|a| a.file_type.as_deref() != Some("trace"))
            .filter_map(|a| a.size)
            .filter(|size| *size > 0)
            .fold(0_i64, i64::saturating_add),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::api::{ApiArtifact, ApiRunner};

    fn job(id: i64, name: &str) -> ApiJob {
        ApiJob {
            id,
            name: name.into(),
            stage: Some("test".into()),
            status: "success".into(),
            allow_failure: Some(false),
            retried: None,
            created_at: None,
            started_at: None,
            finished_at: None,
            duration: Some(1.2345),
            queued_duration: None,
            runner: None,
            tag_list: None,
            web_url: None,
            artifacts: None,
            pipeline: None,
        }
    }

    #[test]
    fn of_jobs_sharing_a_name_all_but_the_newest_were_retried() {
        let jobs = [
            job(5, "rspec"),
            job(9, "rspec"),
            job(7, "lint"),
            job(3, "rspec"),
        ];
        let records = job_records(1, 2, &jobs);
        let retried: Vec<(i64, bool)> =
            records.iter().map(|r| (r.id, r.retried.unwrap())).collect();
        assert_eq!(
            retried,
            [(5, true), (9, false), (7, false), (3, true)],
            "{records:?}"
        );
        assert_eq!(records[0].duration_ms, Some(1_235));
    }

    #[test]
    fn a_retried_field_from_the_server_wins_over_the_inference() {
        let mut old = job(5, "rspec");
        old.retried = Some(false);
        let records = job_records(1, 2, &[old, job(9, "rspec")]);
        assert_eq!(records[0].retried, Some(false));
    }

    #[test]
    fn artifact_bytes_leave_out_the_log_and_unknown_sizes() {
        let mut j = job(1, "build");
        let artifact = |kind: &str, size: Option<i64>| ApiArtifact {
            file_type: Some(kind.into()),
            size,
            filename: None,
        };
        j.artifacts = Some(vec![
            artifact("archive", Some(1_000)),
            artifact("metadata", Some(186)),
            artifact("trace", Some(1_500)),
            artifact("junit", None),
        ]);
        j.runner = Some(ApiRunner {
            id: 4,
            description: Some("shared".into()),
        });
        let record = &job_records(1, 2, &[j])[0];
        assert_eq!(record.artifacts_bytes, Some(1_186));
        assert_eq!(record.runner_id, Some(4));
        assert_eq!(record.runner_description.as_deref(), Some("shared"));
        assert_eq!(job_records(1, 2, &[job(2, "x")])[0].artifacts_bytes, None);
    }

    #[test]
    fn artifact_sizes_at_the_extremes_saturate() {
        let mut j = job(1, "build");
        let artifact = |size: i64| ApiArtifact {
            file_type: Some("archive".into()),
            size: Some(size),
            filename: None,
        };
        j.artifacts = Some(vec![
            artifact(i64::MAX),
            artifact(i64::MAX),
            artifact(i64::MIN),
        ]);
        assert_eq!(job_records(1, 2, &[j])[0].artifacts_bytes, Some(i64::MAX));
    }
}
