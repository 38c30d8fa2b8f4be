//! Upserts for projects, pipelines and jobs, shared by webhooks and sync.
//!
//! Jobs and pipelines are inserted if new (`ON CONFLICT DO NOTHING`); otherwise the stored
//! row is read under the transaction's lock, merged in Rust by [`super::merge`] and written
//! back only if it changed. That keeps the ordering rules in one pure, tested function and is
//! safe under concurrency on both backends: SQLite's transactions hold the write lock from
//! `BEGIN IMMEDIATE`, PostgreSQL's read is `FOR UPDATE`.

use crate::{
    db::{Backend, Tx},
    with_tx,
};

use super::{
    merge::{merge_job, merge_pipeline},
    records::{JobRecord, PipelineRecord, ProjectRecord, Upserted},
    rollups,
};

/// Register a project that is not stored yet; a stored one is left as it is (for projects
/// pieced together from a Job Hook's leftovers, which must not overwrite GitLab's own).
pub async fn insert_project_if_unknown(
    tx: &mut Tx,
    project: &ProjectRecord,
    now_ms: i64,
) -> sqlx::Result<()> {
    let project = &project.sanitized();
    const SQL: &str = "
        INSERT INTO projects (id, path, name, web_url, first_seen_ms, updated_ms)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (id) DO NOTHING";
    with_tx!(tx, c => sqlx::query(SQL)
        .bind(project.id)
        .bind(&project.path)
        .bind(&project.name)
        .bind(&project.web_url)
        .bind(now_ms)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Insert or refresh a project. Known URLs and branches are never blanked out.
#[tracing::instrument(skip_all, fields(project_id = project.id))]
pub async fn upsert_project(
    tx: &mut Tx,
    project: &ProjectRecord,
    now_ms: i64,
) -> sqlx::Result<Upserted> {
    let project = &project.sanitized();
    const SQL: &str = "
        INSERT INTO projects (id, path, name, web_url, default_branch, first_seen_ms, updated_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $6)
        ON CONFLICT (id) DO UPDATE SET
            path = excluded.path,
            name = excluded.name,
            web_url = COALESCE(excluded.web_url, projects.web_url),
            default_branch = COALESCE(excluded.default_branch, projects.default_branch),
            updated_ms = excluded.updated_ms
        WHERE projects.path IS DISTINCT FROM excluded.path
           OR projects.name IS DISTINCT FROM excluded.name
           OR (excluded.web_url IS NOT NULL AND projects.web_url IS DISTINCT FROM excluded.web_url)
           OR (excluded.default_branch IS NOT NULL AND projects.default_branch IS DISTINCT FROM excluded.default_branch)";
    let done = with_tx!(tx, c => {
        sqlx::query(SQL)
            .bind(project.id)
            .bind(&project.path)
            .bind(&project.name)
            .bind(&project.web_url)
            .bind(&project.default_branch)
            .bind(now_ms)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(if done == 0 {
        Upserted::Unchanged
    } else {
        Upserted::Updated
    })
}

/// Make sure a project row exists (for a pipeline or job that names a project we have not
/// seen), without touching one that does.
pub async fn ensure_project(
    tx: &mut Tx,
    project_id: i64,
    path: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<()> {
    const SQL: &str = "
        INSERT INTO projects (id, path, name, first_seen_ms, updated_ms) VALUES ($1, $2, $3, $4, $4)
        ON CONFLICT (id) DO NOTHING";
    let fallback = format!("project-{project_id}");
    let path = super::sanitize::text(path.unwrap_or(&fallback));
    let path = path.as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    with_tx!(tx, c => sqlx::query(SQL).bind(project_id).bind(path).bind(name).bind(now_ms).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PipelineRow {
    id: i64,
    project_id: i64,
    iid: Option<i64>,
    git_ref: Option<String>,
    sha: Option<String>,
    source: Option<String>,
    status: String,
    created_at_ms: Option<i64>,
    updated_at_ms: Option<i64>,
    started_at_ms: Option<i64>,
    finished_at_ms: Option<i64>,
    duration_ms: Option<i64>,
    queued_duration_ms: Option<i64>,
    web_url: Option<String>,
    details_synced: bool,
}

impl From<PipelineRow> for PipelineRecord {
    fn from(r: PipelineRow) -> Self {
        PipelineRecord {
            id: r.id,
            project_id: r.project_id,
            iid: r.iid,
            git_ref: r.git_ref,
            sha: r.sha,
            source: r.source,
            status: r.status.into(),
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
            started_at_ms: r.started_at_ms,
            finished_at_ms: r.finished_at_ms,
            duration_ms: r.duration_ms,
            queued_duration_ms: r.queued_duration_ms,
            web_url: r.web_url,
            details_synced: r.details_synced,
        }
    }
}

const PIPELINE_COLUMNS: &str = "id, project_id, iid, git_ref, sha, source, status, created_at_ms, updated_at_ms, \
     started_at_ms, finished_at_ms, duration_ms, queued_duration_ms, web_url, details_synced";

/// Bind a pipeline's fields in `PIPELINE_COLUMNS` order, then `status_rank` and `now_ms`.
macro_rules! bind_pipeline {
    ($query:expr, $p:expr, $now:expr) => {
        $query
            .bind($p.id)
            .bind($p.project_id)
            .bind($p.iid)
            .bind(&$p.git_ref)
            .bind(&$p.sha)
            .bind(&$p.source)
            .bind($p.status.as_str())
            .bind($p.created_at_ms)
            .bind($p.updated_at_ms)
            .bind($p.started_at_ms)
            .bind($p.finished_at_ms)
            .bind($p.duration_ms)
            .bind($p.queued_duration_ms)
            .bind(&$p.web_url)
            .bind($p.details_synced)
            .bind($p.status.rank())
            .bind($now)
    };
}

/// Insert a pipeline or merge it into the stored one (statuses only move forward). The
/// project row must exist.
#[tracing::instrument(skip_all, fields(pipeline_id = pipeline.id, status = %pipeline.status))]
pub async fn upsert_pipeline(
    tx: &mut Tx,
    pipeline: &PipelineRecord,
    now_ms: i64,
) -> sqlx::Result<Upserted> {
    let pipeline = &pipeline.sanitized();
    let insert = format!(
        "INSERT INTO pipelines ({PIPELINE_COLUMNS}, status_rank, ingested_ms, changed_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
         ON CONFLICT (id) DO NOTHING"
    );
    let inserted = with_tx!(tx, c => bind_pipeline!(sqlx::query(&insert), pipeline, now_ms).execute(c).await?.rows_affected());
    if inserted == 1 {
        rollups::mark_pipeline(tx, pipeline.id).await?;
        return Ok(Upserted::Inserted);
    }

    let select = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE id = $1{}",
        lock_clause(tx)
    );
    let stored: PipelineRecord = with_tx!(tx, c => {
        sqlx::query_as::<_, PipelineRow>(&select).bind(pipeline.id).fetch_one(c).await?
    })
    .into();
    let merged = merge_pipeline(&stored, pipeline);
    if merged == stored {
        return Ok(Upserted::Unchanged);
    }
    if merged.created_at_ms != stored.created_at_ms {
        // The pipeline (and jobs dated by it) leave their day: refresh the day they left too.
        rollups::mark_pipeline(tx, pipeline.id).await?;
    }
    const UPDATE: &str = "
        UPDATE pipelines SET project_id = $2, iid = $3, git_ref = $4, sha = $5, source = $6, status = $7,
            created_at_ms = $8, updated_at_ms = $9, started_at_ms = $10, finished_at_ms = $11,
            duration_ms = $12, queued_duration_ms = $13, web_url = $14, details_synced = $15,
            status_rank = $16, changed_ms = $17
        WHERE id = $1";
    with_tx!(tx, c => bind_pipeline!(sqlx::query(UPDATE), merged, now_ms).execute(c).await.map(|r| r.rows_affected()))?;
    rollups::mark_pipeline(tx, pipeline.id).await?;
    Ok(Upserted::Updated)
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    project_id: i64,
    pipeline_id: i64,
    name: String,
    stage: Option<String>,
    status: String,
    allow_failure: bool,
    retried: bool,
    created_at_ms: Option<i64>,
    started_at_ms: Option<i64>,
    finished_at_ms: Option<i64>,
    duration_ms: Option<i64>,
    queued_duration_ms: Option<i64>,
    runner_id: Option<i64>,
    runner_description: Option<String>,
    tag_list: Option<String>,
    web_url: Option<String>,
    artifacts_bytes: Option<i64>,
}

impl From<JobRow> for JobRecord {
    fn from(r: JobRow) -> Self {
        JobRecord {
            id: r.id,
            project_id: r.project_id,
            pipeline_id: r.pipeline_id,
            name: r.name,
            stage: r.stage,
            status: r.status.into(),
            allow_failure: Some(r.allow_failure),
            retried: Some(r.retried),
            created_at_ms: r.created_at_ms,
            started_at_ms: r.started_at_ms,
            finished_at_ms: r.finished_at_ms,
            duration_ms: r.duration_ms,
            queued_duration_ms: r.queued_duration_ms,
            runner_id: r.runner_id,
            runner_description: r.runner_description,
            tag_list: r.tag_list.and_then(|t| serde_json::from_str(&t).ok()),
            web_url: r.web_url,
            artifacts_bytes: r.artifacts_bytes,
        }
    }
}

const JOB_COLUMNS: &str = "id, project_id, pipeline_id, name, stage, status, allow_failure, retried, created_at_ms, \
     started_at_ms, finished_at_ms, duration_ms, queued_duration_ms, runner_id, runner_description, tag_list, \
     web_url, artifacts_bytes";

/// Bind a job's fields in `JOB_COLUMNS` order, then `status_rank` and `now_ms`.
macro_rules! bind_job {
    ($query:expr, $j:expr, $now:expr) => {
        $query
            .bind($j.id)
            .bind($j.project_id)
            .bind($j.pipeline_id)
            .bind(&$j.name)
            .bind(&$j.stage)
            .bind($j.status.as_str())
            .bind($j.allow_failure.unwrap_or(false))
            .bind($j.retried.unwrap_or(false))
            .bind($j.created_at_ms)
            .bind($j.started_at_ms)
            .bind($j.finished_at_ms)
            .bind($j.duration_ms)
            .bind($j.queued_duration_ms)
            .bind($j.runner_id)
            .bind(&$j.runner_description)
            .bind(
                $j.tag_list
                    .as_ref()
                    .map(|t| serde_json::to_string(t).unwrap_or_default()),
            )
            .bind(&$j.web_url)
            .bind($j.artifacts_bytes)
            .bind($j.status.rank())
            .bind($now)
    };
}

/// Insert a job or merge it into the stored one (statuses only move forward). Its project and
/// pipeline rows must exist.
#[tracing::instrument(skip_all, fields(job_id = job.id, status = %job.status))]
pub async fn upsert_job(tx: &mut Tx, job: &JobRecord, now_ms: i64) -> sqlx::Result<Upserted> {
    let job = &job.sanitized();
    let insert = format!(
        "INSERT INTO jobs ({JOB_COLUMNS}, status_rank, ingested_ms, changed_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
         ON CONFLICT (id) DO NOTHING"
    );
    let inserted = with_tx!(tx, c => bind_job!(sqlx::query(&insert), job, now_ms).execute(c).await?.rows_affected());
    if inserted == 1 {
        rollups::mark_job(tx, job.id).await?;
        return Ok(Upserted::Inserted);
    }

    let select = format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1{}",
        lock_clause(tx)
    );
    let stored: JobRecord = with_tx!(tx, c => {
        sqlx::query_as::<_, JobRow>(&select).bind(job.id).fetch_one(c).await?
    })
    .into();
    let merged = merge_job(&stored, job);
    if merged == stored {
        return Ok(Upserted::Unchanged);
    }
    if merged.created_at_ms != stored.created_at_ms {
        // The job leaves its day (or its pipeline's, when it had no date): refresh that too.
        rollups::mark_job(tx, job.id).await?;
    }
    const UPDATE: &str = "
        UPDATE jobs SET project_id = $2, pipeline_id = $3, name = $4, stage = $5, status = $6,
            allow_failure = $7, retried = $8, created_at_ms = $9, started_at_ms = $10,
            finished_at_ms = $11, duration_ms = $12, queued_duration_ms = $13, runner_id = $14,
            runner_description = $15, tag_list = $16, web_url = $17, artifacts_bytes = $18,
            status_rank = $19, changed_ms = $20
        WHERE id = $1";
    with_tx!(tx, c => bind_job!(sqlx::query(UPDATE), merged, now_ms).execute(c).await.map(|r| r.rows_affected()))?;
    rollups::mark_job(tx, job.id).await?;
    Ok(Upserted::Updated)
}

/// `FOR UPDATE` on PostgreSQL; SQLite's transaction already holds the write lock.
fn lock_clause(tx: &Tx) -> &'static str {
    match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}
