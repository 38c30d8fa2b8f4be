//! `GET /api/v1/jobs/{id}`: one job with everything its log analysis found.

use axum::{
    Json,
    extract::{Path, State},
};
use serde::Serialize;
use strata_core::{
    db::Db,
    model::detail::{ArtifactOpView, CacheOpView, DockerBuildView, PhaseSpanView},
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
    pub phases: Vec<PhaseSpanView>,
    pub cache_ops: Vec<CacheOpView>,
    pub artifact_ops: Vec<ArtifactOpView>,
    pub docker_builds: Vec<DockerBuildView>,
    /// What the log analysis could not read.
    pub warnings: Vec<String>,
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
        phases: detail.phases,
        cache_ops: detail.cache_ops,
        artifact_ops: detail.artifact_ops,
        docker_builds: detail.docker_builds,
        warnings: detail.warnings,
    }))
}
