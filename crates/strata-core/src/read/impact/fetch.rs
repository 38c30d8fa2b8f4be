//! The stored facts impact analytics start from: each job of the scope with its metrics, and
//! its cache, artifact and Docker step records. Read once per report; every measure is then
//! computed in memory (medians and bootstrap intervals need the values, not sums).

use rusqlite::Row;

use crate::{
    bind_args,
    db::{Db, rows},
    model::filters::Filters,
    read::sql::{Arg, Conditions},
    with_pool,
};

/// Which jobs a report covers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub project: i64,
    /// `[start, end)` in epoch milliseconds, on the job's creation time.
    pub bounds_ms: (i64, i64),
    pub job: Option<String>,
    /// Branch and source belong to the pipeline; status to the job (as on every page).
    pub git_ref: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
}

impl Scope {
    pub fn new(project: i64, filters: &Filters, now_ms: i64) -> Scope {
        Scope {
            project,
            bounds_ms: filters.window.bounds_ms(now_ms),
            job: filters.job.clone(),
            git_ref: filters.git_ref.clone(),
            source: filters.source.clone(),
            status: filters.status.clone(),
        }
    }

    pub fn weeks(&self) -> f64 {
        ((self.bounds_ms.1 - self.bounds_ms.0) as f64 / (7.0 * 86_400_000.0)).max(1.0 / 7.0)
    }

    /// Conditions on `jobs j`.
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::default();
        c.push("j.project_id = ?", Arg::Int(self.project));
        c.push("j.created_at_ms >= ?", Arg::Int(self.bounds_ms.0));
        c.push("j.created_at_ms < ?", Arg::Int(self.bounds_ms.1));
        if let Some(job) = &self.job {
            c.push("j.name = ?", Arg::Text(job.clone()));
        }
        if let Some(status) = &self.status {
            c.push("j.status = ?", Arg::Text(status.clone()));
        }
        for (column, value) in [("git_ref", &self.git_ref), ("source", &self.source)] {
            if let Some(value) = value {
                c.push(
                    &format!("j.pipeline_id IN (SELECT id FROM pipelines WHERE {column} = ?)"),
                    Arg::Text(value.clone()),
                );
            }
        }
        c
    }
}

/// A job, with its analysed phase times when its log was analysed.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub pipeline_id: i64,
    pub name: String,
    pub created_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub tag_list: Option<String>,
    pub analysed: Option<i64>,
    pub prepare_ms: Option<i64>,
    pub sources_ms: Option<i64>,
    pub cache_restore_ms: Option<i64>,
    pub artifact_download_ms: Option<i64>,
    pub script_ms: Option<i64>,
    pub docker_build_ms: Option<i64>,
    pub cache_archive_ms: Option<i64>,
    pub artifact_upload_ms: Option<i64>,
    pub cleanup_ms: Option<i64>,
    pub other_ms: Option<i64>,
    pub docker_builds: Option<i64>,
    pub docker_steps: Option<i64>,
    pub docker_cached_steps: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CacheRow {
    pub job_id: i64,
    pub direction: String,
    pub cache_key: Option<String>,
    pub outcome: String,
    pub size_bytes: Option<i64>,
    pub duration_ms: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ArtifactRow {
    pub job_id: i64,
    pub direction: String,
    pub source_job_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub duration_ms: Option<i64>,
    pub outcome: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StepRow {
    pub job_id: i64,
    pub build_seq: i64,
    pub seq: i64,
    pub instruction: String,
    pub cached: i64,
    pub duration_ms: Option<i64>,
}

/// Everything a report reads.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub jobs: Vec<JobRow>,
    pub caches: Vec<CacheRow>,
    pub artifacts: Vec<ArtifactRow>,
    pub steps: Vec<StepRow>,
}

const JOBS: &str = "SELECT j.id, j.pipeline_id, j.name, j.created_at_ms, j.duration_ms, \
    j.queued_duration_ms, j.tag_list, m.job_id AS analysed, m.prepare_ms, m.sources_ms, \
    m.cache_restore_ms, m.artifact_download_ms, m.script_ms, m.docker_build_ms, \
    m.cache_archive_ms, m.artifact_upload_ms, m.cleanup_ms, m.other_ms, m.docker_builds, \
    m.docker_steps, m.docker_cached_steps \
    FROM jobs j LEFT JOIN job_metrics m ON m.job_id = j.id";

const CACHES: &str = "SELECT c.job_id, c.direction, c.cache_key, c.outcome, c.size_bytes, \
    c.duration_ms FROM cache_ops c JOIN jobs j ON j.id = c.job_id";

/// Runner logs rarely print artifact sizes; the API's `artifacts[].size` of the uploading
/// job (this one, or the download's source) stands in for them.
const ARTIFACTS: &str = "SELECT a.job_id, a.direction, a.source_job_name, \
    COALESCE(a.size_bytes, CASE WHEN a.direction = 'upload' THEN j.artifacts_bytes \
    ELSE (SELECT s.artifacts_bytes FROM jobs s WHERE s.id = a.source_job_id) END) AS size_bytes, \
    a.duration_ms, a.outcome FROM artifact_ops a JOIN jobs j ON j.id = a.job_id";

const STEPS: &str = "SELECT s.job_id, s.build_seq, s.seq, s.instruction, \
    CAST(CASE WHEN s.cached THEN 1 ELSE 0 END AS BIGINT) AS cached, s.duration_ms FROM docker_steps s JOIN jobs j ON j.id = s.job_id";

/// The jobs alone (the Compare page needs no cache, artifact or Docker records).
pub async fn jobs(db: &Db, scope: &Scope) -> sqlx::Result<Vec<JobRow>> {
    let c = scope.conditions();
    let sql = format!("{JOBS} {} ORDER BY j.id", c.where_sql());
    if let Some(reader) = db.sqlite_reader() {
        return reader
            .read(move |conn| rows(conn, &sql, &c.args, job_row))
            .await;
    }
    with_pool!(db.pool(), p => bind_args!(sqlx::query_as::<_, JobRow>(&sql), &c.args).fetch_all(p).await)
}

pub async fn facts(db: &Db, scope: &Scope) -> sqlx::Result<Facts> {
    let c = scope.conditions();
    let jobs_sql = format!("{JOBS} {} ORDER BY j.id", c.where_sql());
    let caches_sql = format!("{CACHES} {} ORDER BY c.job_id, c.seq", c.where_sql());
    let artifacts_sql = format!("{ARTIFACTS} {} ORDER BY a.job_id, a.seq", c.where_sql());
    let steps_sql = format!(
        "{STEPS} {} ORDER BY s.job_id, s.build_seq, s.seq",
        c.where_sql()
    );
    if let Some(reader) = db.sqlite_reader() {
        return reader
            .read(move |conn| {
                Ok(Facts {
                    jobs: rows(conn, &jobs_sql, &c.args, job_row)?,
                    caches: rows(conn, &caches_sql, &c.args, cache_row)?,
                    artifacts: rows(conn, &artifacts_sql, &c.args, artifact_row)?,
                    steps: rows(conn, &steps_sql, &c.args, step_row)?,
                })
            })
            .await;
    }
    with_pool!(db.pool(), p => {
        let jobs = bind_args!(sqlx::query_as::<_, JobRow>(&jobs_sql), &c.args).fetch_all(p).await?;
        let caches = bind_args!(sqlx::query_as::<_, CacheRow>(&caches_sql), &c.args).fetch_all(p).await?;
        let artifacts = bind_args!(sqlx::query_as::<_, ArtifactRow>(&artifacts_sql), &c.args).fetch_all(p).await?;
        let steps = bind_args!(sqlx::query_as::<_, StepRow>(&steps_sql), &c.args).fetch_all(p).await?;
        Ok(Facts { jobs, caches, artifacts, steps })
    })
}

// Rows read through rusqlite (SQLite files): columns in the order of the SELECTs above.

fn job_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        pipeline_id: r.get(1)?,
        name: r.get(2)?,
        created_at_ms: r.get(3)?,
        duration_ms: r.get(4)?,
        queued_duration_ms: r.get(5)?,
        tag_list: r.get(6)?,
        analysed: r.get(7)?,
        prepare_ms: r.get(8)?,
        sources_ms: r.get(9)?,
        cache_restore_ms: r.get(10)?,
        artifact_download_ms: r.get(11)?,
        script_ms: r.get(12)?,
        docker_build_ms: r.get(13)?,
        cache_archive_ms: r.get(14)?,
        artifact_upload_ms: r.get(15)?,
        cleanup_ms: r.get(16)?,
        other_ms: r.get(17)?,
        docker_builds: r.get(18)?,
        docker_steps: r.get(19)?,
        docker_cached_steps: r.get(20)?,
    })
}

fn cache_row(r: &Row<'_>) -> rusqlite::Result<CacheRow> {
    Ok(CacheRow {
        job_id: r.get(0)?,
        direction: r.get(1)?,
        cache_key: r.get(2)?,
        outcome: r.get(3)?,
        size_bytes: r.get(4)?,
        duration_ms: r.get(5)?,
    })
}

fn artifact_row(r: &Row<'_>) -> rusqlite::Result<ArtifactRow> {
    Ok(ArtifactRow {
        job_id: r.get(0)?,
        direction: r.get(1)?,
        source_job_name: r.get(2)?,
        size_bytes: r.get(3)?,
        duration_ms: r.get(4)?,
        outcome: r.get(5)?,
    })
}

fn step_row(r: &Row<'_>) -> rusqlite::Result<StepRow> {
    Ok(StepRow {
        job_id: r.get(0)?,
        build_seq: r.get(1)?,
        seq: r.get(2)?,
        instruction: r.get(3)?,
        cached: r.get(4)?,
        duration_ms: r.get(5)?,
    })
}
