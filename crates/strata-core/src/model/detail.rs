//! What the job-name, pipeline and job pages show. The parts of a job's log analysis are
//! also what `GET /api/v1/jobs/{id}` returns, under the schema names `Phase`, `CacheOp`,
//! `ArtifactOp`, `DockerBuild` and `DockerStep`.

use serde::{Deserialize, Serialize};

use super::{
    filters::Filters,
    project::{ChartView, PipelineRow, ProjectInfo},
    time::{Percentiles, Ratio},
};

/// One run of a job, as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRun {
    pub id: i64,
    pub pipeline_id: i64,
    pub name: String,
    pub stage: Option<String>,
    pub status: String,
    pub git_ref: Option<String>,
    pub created_at_ms: Option<i64>,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub trace_status: String,
    /// Cache restores that hit and missed (analysed jobs only).
    pub cache_hits: i64,
    pub cache_misses: i64,
    pub docker_steps: i64,
    pub docker_cached_steps: i64,
    pub retried: bool,
    pub web_url: Option<String>,
}

impl JobRun {
    /// `hit`, `miss` or `none` (no cache restored, or log not analysed).
    pub fn cache_outcome(&self) -> &'static str {
        match (self.cache_hits, self.cache_misses) {
            (_, m) if m > 0 => "miss",
            (h, _) if h > 0 => "hit",
            _ => "none",
        }
    }

    /// `warm` when at least half of the Docker steps came from the layer cache, `cold`
    /// otherwise, `none` without a Docker build.
    pub fn docker_warmth(&self) -> &'static str {
        match self.docker_steps {
            0 => "none",
            steps if self.docker_cached_steps * 2 >= steps => "warm",
            _ => "cold",
        }
    }
}

/// A group of runs compared on the job-name page (cache hit vs miss, warm vs cold build).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunGroup {
    pub label: String,
    pub duration: Percentiles,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobNamePage {
    pub project: ProjectInfo,
    pub name: String,
    pub filters: Filters,
    pub window_label: String,
    pub runs: i64,
    pub duration: Percentiles,
    pub cache_hits: Ratio,
    pub docker_cached_steps: Ratio,
    pub groups: Vec<RunGroup>,
    pub charts: Vec<ChartView>,
    pub recent: Vec<JobRun>,
}

/// A phase of one job, placed on the job's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(sqlx::FromRow, utoipa::ToSchema), schema(as = Phase))]
pub struct PhaseSpanView {
    /// prepare, sources, cache_restore, artifact_download, script, docker_build,
    /// cache_archive, artifact_upload, cleanup or other.
    pub phase: String,
    /// The runner's section name.
    pub section: String,
    /// From the log's first timestamp.
    pub start_offset_ms: Option<i64>,
    pub duration_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelinePage {
    pub project: ProjectInfo,
    pub pipeline: PipelineRow,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub jobs: Vec<JobRun>,
    pub gantt: ChartView,
    /// Milliseconds per phase over every job of the pipeline.
    pub phase_totals: Vec<(String, i64)>,
}

/// A cache restore or archive of one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(sqlx::FromRow, utoipa::ToSchema), schema(as = CacheOp))]
pub struct CacheOpView {
    /// restore or archive.
    pub direction: String,
    pub cache_key: Option<String>,
    pub outcome: String,
    pub size_bytes: Option<i64>,
    pub duration_ms: Option<i64>,
}

/// An artifact download or upload of one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(sqlx::FromRow, utoipa::ToSchema), schema(as = ArtifactOp))]
pub struct ArtifactOpView {
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

/// One step of a Docker build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema), schema(as = DockerStep))]
pub struct DockerStepView {
    pub stage: Option<String>,
    pub step_index: Option<i64>,
    pub step_total: Option<i64>,
    pub instruction: String,
    pub cached: bool,
    pub duration_ms: Option<i64>,
}

/// One Docker build in a job's log, with its steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema), schema(as = DockerBuild))]
pub struct DockerBuildView {
    pub builder: String,
    pub stage_count: i64,
    pub step_count: i64,
    pub cached_steps: i64,
    pub duration_ms: Option<i64>,
    pub succeeded: Option<bool>,
    pub steps: Vec<DockerStepView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobPage {
    pub project: ProjectInfo,
    pub job: JobRun,
    pub phases: Vec<PhaseSpanView>,
    pub cache_ops: Vec<CacheOpView>,
    pub artifact_ops: Vec<ArtifactOpView>,
    pub docker_builds: Vec<DockerBuildView>,
    /// Warnings the log analysis left (unterminated sections, cut lines…).
    pub warnings: Vec<String>,
    pub gitlab_token: bool,
}
