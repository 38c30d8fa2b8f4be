//! `GET /api/v1/jobs/{id}`: one job with everything its log analysis found.

use axum::{
    Json,
    extract::{Path, State},
};
use serde::Serialize;
use strata_core::{
    db::Db,
    model::detail::{ArtifactOpView, CacheOpView, DockerBuildView, DockerStepView, PhaseSpanView},
    read::{export::items, jobs},
};
use utoipa::ToSchema;

use super::{
    error::{ApiError, ErrorBody},
    items::JobItem,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct JobDetail {
    pub job: JobItem,
    /// Runner log sections in order, each mapped to a phase.
    pub phases: Vec<Phase>,
    pub cache_ops: Vec<CacheOp>,
    pub artifact_ops: Vec<ArtifactOp>,
    pub docker_builds: Vec<DockerBuild>,
    /// What the log analysis could not read.
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Phase {
    /// prepare, sources, cache_restore, artifact_download, script, docker_build,
    /// cache_archive, artifact_upload, cleanup or other.
    pub phase: String,
    /// The runner's section name.
    pub section: String,
    /// From the log's first timestamp.
    pub start_offset_ms: Option<i64>,
    pub duration_ms: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CacheOp {
    /// restore or archive.
    pub direction: String,
    pub cache_key: Option<String>,
    pub outcome: String,
    pub size_bytes: Option<i64>,
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArtifactOp {
    /// download or upload.
    pub direction: String,
    pub source_job_id: Option<i64>,
    pub source_job_name: Option<String>,
    pub file_count: Option<i64>,
    pub size_bytes: Option<i64>,
    pub http_status: Option<i64>,
    pub outcome: String,
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DockerBuild {
    pub builder: String,
    pub stage_count: i64,
    pub step_count: i64,
    pub cached_steps: i64,
    pub duration_ms: Option<i64>,
    pub succeeded: Option<bool>,
    pub steps: Vec<DockerStep>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DockerStep {
    pub stage: Option<String>,
    pub step_index: Option<i64>,
    pub step_total: Option<i64>,
    pub instruction: String,
    pub cached: bool,
    pub duration_ms: Option<i64>,
}

/// One job, with its phases, cache and artifact operations and Docker builds.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}",
    tag = "jobs",
    params(("id" = i64, Path, description = "GitLab job id")),
    responses(
        (status = 200, description = "The job and its log analysis", body = JobDetail),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No such job", body = ErrorBody),
    )
)]
pub async fn get_job(
    State(db): State<Db>,
    Path(id): Path<String>,
) -> Result<Json<JobDetail>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::bad_param("id", "use a numeric GitLab job id"))?;
    let job = items::job(&db, id)
        .await
        .map_err(|e| ApiError::internal("while reading a job", e))?;
    let job = job.ok_or_else(|| ApiError::not_found(format!("no job with id {id}"), Some("id")))?;
    let detail = jobs::detail(&db, id)
        .await
        .map_err(|e| ApiError::internal("while reading a job's log analysis", e))?;
    Ok(Json(JobDetail {
        job,
        phases: detail.phases.into_iter().map(Phase::from).collect(),
        cache_ops: detail.cache_ops.into_iter().map(CacheOp::from).collect(),
        artifact_ops: detail
            .artifact_ops
            .into_iter()
            .map(ArtifactOp::from)
            .collect(),
        docker_builds: detail
            .docker_builds
            .into_iter()
            .map(DockerBuild::from)
            .collect(),
        warnings: detail.warnings,
    }))
}

impl From<PhaseSpanView> for Phase {
    fn from(v: PhaseSpanView) -> Self {
        Phase {
            phase: v.phase,
            section: v.section,
            start_offset_ms: v.start_offset_ms,
            duration_ms: v.duration_ms,
        }
    }
}

impl From<CacheOpView> for CacheOp {
    fn from(v: CacheOpView) -> Self {
        CacheOp {
            direction: v.direction,
            cache_key: v.cache_key,
            outcome: v.outcome,
            size_bytes: v.size_bytes,
            duration_ms: v.duration_ms,
        }
    }
}

impl From<ArtifactOpView> for ArtifactOp {
    fn from(v: ArtifactOpView) -> Self {
        ArtifactOp {
            direction: v.direction,
            source_job_id: v.source_job_id,
            source_job_name: v.source_job_name,
            file_count: v.file_count,
            size_bytes: v.size_bytes,
            http_status: v.http_status,
            outcome: v.outcome,
            duration_ms: v.duration_ms,
        }
    }
}

impl From<DockerBuildView> for DockerBuild {
    fn from(v: DockerBuildView) -> Self {
        DockerBuild {
            builder: v.builder,
            stage_count: v.stage_count,
            step_count: v.step_count,
            cached_steps: v.cached_steps,
            duration_ms: v.duration_ms,
            succeeded: v.succeeded,
            steps: v.steps.into_iter().map(DockerStep::from).collect(),
        }
    }
}

impl From<DockerStepView> for DockerStep {
    fn from(v: DockerStepView) -> Self {
        DockerStep {
            stage: v.stage,
            step_index: v.step_index,
            step_total: v.step_total,
            instruction: v.instruction,
            cached: v.cached,
            duration_ms: v.duration_ms,
        }
    }
}
