//! Jobs one at a time or as lists: the job-name, pipeline and job pages.

use crate::{
    bind_args,
    db::Db,
    model::{
        detail::{
            ArtifactOpView, CacheOpView, DockerBuildView, DockerStepView, JobRun, PhaseSpanView,
        },
        filters::Filters,
        project::PipelineRow,
    },
    read::sql::{Arg, Conditions},
    with_pool,
};

const RUN_COLUMNS: &str = "j.id, j.pipeline_id, j.name, j.stage, j.status, p.git_ref, j.created_at_ms, j.started_at_ms,
    j.finished_at_ms, j.duration_ms, j.queued_duration_ms, j.trace_status,
    COALESCE(m.cache_hits, 0) AS cache_hits, COALESCE(m.cache_misses, 0) AS cache_misses,
    COALESCE(m.docker_steps, 0) AS docker_steps, COALESCE(m.docker_cached_steps, 0) AS docker_cached_steps,
    j.retried, j.web_url";
const RUN_FROM: &str = "FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id LEFT JOIN job_metrics m ON m.job_id = j.id";

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    pipeline_id: i64,
    name: String,
    stage: Option<String>,
    status: String,
    git_ref: Option<String>,
    created_at_ms: Option<i64>,
    started_at_ms: Option<i64>,
    finished_at_ms: Option<i64>,
    duration_ms: Option<i64>,
    queued_duration_ms: Option<i64>,
    trace_status: String,
    cache_hits: i64,
    cache_misses: i64,
    docker_steps: i64,
    docker_cached_steps: i64,
    retried: bool,
    web_url: Option<String>,
}

impl From<RunRow> for JobRun {
    fn from(r: RunRow) -> Self {
        JobRun {
            id: r.id,
            pipeline_id: r.pipeline_id,
            name: r.name,
            stage: r.stage,
            status: r.status,
            git_ref: r.git_ref,
            created_at_ms: r.created_at_ms,
            started_at_ms: r.started_at_ms,
            finished_at_ms: r.finished_at_ms,
            duration_ms: r.duration_ms,
            queued_duration_ms: r.queued_duration_ms,
            trace_status: r.trace_status,
            cache_hits: r.cache_hits,
            cache_misses: r.cache_misses,
            docker_steps: r.docker_steps,
            docker_cached_steps: r.docker_cached_steps,
            retried: r.retried,
            web_url: r.web_url,
        }
    }
}

/// Jobs of the filters' project created in the window (newest first): branch and source
/// match the pipeline, status and name the job.
pub async fn runs(
    db: &Db,
    filters: &Filters,
    bounds_ms: (i64, i64),
    limit: i64,
) -> sqlx::Result<Vec<JobRun>> {
    let mut c = Conditions::default();
    c.push(
        "j.project_id = ?",
        Arg::Int(filters.project.unwrap_or_default()),
    );
    c.push("j.created_at_ms >= ?", Arg::Int(bounds_ms.0));
    c.push("j.created_at_ms < ?", Arg::Int(bounds_ms.1));
    c.text_filters(
        "p",
        &Filters {
            status: None,
            job: None,
            ..filters.clone()
        },
        "git_ref",
        "source",
        "status",
        None,
    );
    if let Some(status) = &filters.status {
        c.push("j.status = ?", Arg::Text(status.clone()));
    }
    if let Some(job) = &filters.job {
        c.push("j.name = ?", Arg::Text(job.clone()));
    }
    let sql = format!(
        "SELECT {RUN_COLUMNS} {RUN_FROM} {} ORDER BY j.created_at_ms DESC, j.id DESC LIMIT {}",
        c.where_sql(),
        c.next_placeholder()
    );
    let mut args = c.args.clone();
    args.push(Arg::Int(limit));
    let rows: Vec<RunRow> =
        with_pool!(db.pool(), p => bind_args!(sqlx::query_as(&sql), &args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn run(db: &Db, job_id: i64) -> sqlx::Result<Option<(i64, JobRun)>> {
    let sql = format!("SELECT j.project_id, {RUN_COLUMNS} {RUN_FROM} WHERE j.id = $1");
    let row: Option<ProjectRun> =
        with_pool!(db.pool(), p => sqlx::query_as(&sql).bind(job_id).fetch_optional(p).await)?;
    Ok(row.map(|r| (r.project_id, r.run.into())))
}

#[derive(sqlx::FromRow)]
struct ProjectRun {
    project_id: i64,
    #[sqlx(flatten)]
    run: RunRow,
}

/// Every job of a pipeline, retried ones included, by start time.
pub async fn pipeline_runs(db: &Db, pipeline_id: i64) -> sqlx::Result<Vec<JobRun>> {
    let sql = format!(
        "SELECT {RUN_COLUMNS} {RUN_FROM} WHERE j.pipeline_id = $1
         ORDER BY COALESCE(j.started_at_ms, j.created_at_ms), j.id"
    );
    let rows: Vec<RunRow> =
        with_pool!(db.pool(), p => sqlx::query_as(&sql).bind(pipeline_id).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A pipeline with its project id.
pub async fn pipeline(
    db: &Db,
    id: i64,
) -> sqlx::Result<Option<(i64, PipelineRow, Option<i64>, Option<i64>)>> {
    const SQL: &str =
        "SELECT project_id, id, iid, git_ref, source, status, created_at_ms, duration_ms,
        queued_duration_ms, web_url, started_at_ms, finished_at_ms FROM pipelines WHERE id = $1";
    type Row = (
        i64,
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let row: Option<Row> =
        with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?;
    Ok(row.map(|r| {
        let pipeline = PipelineRow {
            id: r.1,
            iid: r.2,
            git_ref: r.3,
            source: r.4,
            status: r.5,
            created_at_ms: r.6,
            duration_ms: r.7,
            queued_duration_ms: r.8,
            web_url: r.9,
        };
        (r.0, pipeline, r.10, r.11)
    }))
}

/// The phases of every job of a pipeline, as `(job id, phase)`.
pub async fn pipeline_phases(db: &Db, pipeline_id: i64) -> sqlx::Result<Vec<(i64, PhaseSpanView)>> {
    const SQL: &str = "SELECT ph.job_id, ph.phase, ph.section, ph.start_offset_ms, ph.duration_ms
        FROM job_phases ph JOIN jobs j ON j.id = ph.job_id WHERE j.pipeline_id = $1 ORDER BY ph.job_id, ph.seq";
    let rows: Vec<(i64, String, String, Option<i64>, i64)> =
        with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(pipeline_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(job, phase, section, start_offset_ms, duration_ms)| {
            (
                job,
                PhaseSpanView {
                    phase,
                    section,
                    start_offset_ms,
                    duration_ms,
                },
            )
        })
        .collect())
}

/// Everything the log analysis stored about one job.
pub struct JobDetail {
    pub phases: Vec<PhaseSpanView>,
    pub cache_ops: Vec<CacheOpView>,
    pub artifact_ops: Vec<ArtifactOpView>,
    pub docker_builds: Vec<DockerBuildView>,
    pub warnings: Vec<String>,
}

pub async fn detail(db: &Db, job_id: i64) -> sqlx::Result<JobDetail> {
    const PHASES: &str = "SELECT phase, section, start_offset_ms, duration_ms FROM job_phases WHERE job_id = $1 ORDER BY seq";
    const CACHE: &str = "SELECT direction, cache_key, outcome, size_bytes, duration_ms FROM cache_ops WHERE job_id = $1 ORDER BY seq";
    const ARTIFACTS: &str =
        "SELECT direction, source_job_id, source_job_name, file_count, size_bytes, http_status,
        outcome, duration_ms FROM artifact_ops WHERE job_id = $1 ORDER BY seq";
    const BUILDS: &str =
        "SELECT seq, builder, stage_count, step_count, cached_steps, duration_ms, succeeded
        FROM docker_builds WHERE job_id = $1 ORDER BY seq";
    const STEPS: &str =
        "SELECT build_seq, stage, step_index, step_total, instruction, cached, duration_ms
        FROM docker_steps WHERE job_id = $1 ORDER BY build_seq, seq";
    const WARNINGS: &str = "SELECT warnings FROM job_traces WHERE job_id = $1";
    type Build = (i64, String, i64, i64, i64, Option<i64>, Option<bool>);
    type Step = (
        i64,
        Option<String>,
        Option<i64>,
        Option<i64>,
        String,
        bool,
        Option<i64>,
    );
    let (phases, cache, artifacts, builds, steps, warnings) = with_pool!(db.pool(), p => {
        let phases: Vec<PhaseSpanView> = sqlx::query_as(PHASES).bind(job_id).fetch_all(p).await?;
        let cache: Vec<CacheOpView> = sqlx::query_as(CACHE).bind(job_id).fetch_all(p).await?;
        let artifacts: Vec<ArtifactOpView> = sqlx::query_as(ARTIFACTS).bind(job_id).fetch_all(p).await?;
        let builds: Vec<Build> = sqlx::query_as(BUILDS).bind(job_id).fetch_all(p).await?;
        let steps: Vec<Step> = sqlx::query_as(STEPS).bind(job_id).fetch_all(p).await?;
        let warnings: Option<String> = sqlx::query_scalar(WARNINGS).bind(job_id).fetch_optional(p).await?;
        (phases, cache, artifacts, builds, steps, warnings)
    });
    Ok(JobDetail {
        phases,
        cache_ops: cache,
        artifact_ops: artifacts,
        docker_builds: builds
            .into_iter()
            .map(|b| DockerBuildView {
                builder: b.1,
                stage_count: b.2,
                step_count: b.3,
                cached_steps: b.4,
                duration_ms: b.5,
                succeeded: b.6,
                steps: steps
                    .iter()
                    .filter(|s| s.0 == b.0)
                    .map(|s| DockerStepView {
                        stage: s.1.clone(),
                        step_index: s.2,
                        step_total: s.3,
                        instruction: s.4.clone(),
                        cached: s.5,
                        duration_ms: s.6,
                    })
                    .collect(),
            })
            .collect(),
        warnings: warnings
            .and_then(|w| serde_json::from_str(&w).ok())
            .unwrap_or_default(),
    })
}
