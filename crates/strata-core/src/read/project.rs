//! The project page: daily series, per-job-name table, slowest pipelines and per-job points.

use std::collections::BTreeMap;

use crate::{
    bind_args,
    db::Db,
    model::{
        filters::Filters,
        project::{DayStats, JobNameStats, JobPoint, PipelineRow, ProjectInfo},
    },
    read::{
        rollup::{JobTotals, Table, job_totals_by, sketches_by},
        sql::{Arg, Conditions},
    },
    with_pool,
};

/// The project, if it exists.
pub async fn project(db: &Db, id: i64) -> sqlx::Result<Option<ProjectInfo>> {
    const SQL: &str = "SELECT id, path, name, web_url FROM projects WHERE id = $1";
    let row: Option<(i64, String, String, Option<String>)> =
        with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?;
    Ok(row.map(|(id, path, name, web_url)| ProjectInfo {
        id,
        path,
        name,
        web_url,
    }))
}

/// Per day of the window: pipeline runs and durations, job phase times, cache and Docker
/// ratios. Days without runs are included (empty), so charts show gaps as gaps.
pub async fn days(db: &Db, filters: &Filters, days: (i64, i64)) -> sqlx::Result<Vec<DayStats>> {
    let pipelines = sketches_by::<i64>(db, Table::Pipelines, "d.day", filters, days).await?;
    let jobs = job_totals_by::<i64>(db, "d.day", filters, days).await?;
    Ok((days.0..=days.1)
        .map(|day| {
            let runs = pipelines.get(&day).cloned().unwrap_or_default();
            let totals = jobs.get(&day).cloned().unwrap_or_default();
            DayStats {
                day,
                runs: runs.runs,
                duration: runs.percentiles(),
                phases: totals.phase_times(),
                cache_hits: totals.cache_hits(),
                docker_cached_steps: totals.docker_cached_steps(),
            }
        })
        .collect())
}

/// Per job name: runs, percentiles and phase times over the window, most time first.
pub async fn job_names(
    db: &Db,
    filters: &Filters,
    days: (i64, i64),
) -> sqlx::Result<Vec<JobNameStats>> {
    let totals: BTreeMap<String, JobTotals> =
        job_totals_by(db, "d.job_name", filters, days).await?;
    let mut sketches = sketches_by::<String>(db, Table::Jobs, "d.job_name", filters, days).await?;
    let mut stats: Vec<JobNameStats> = totals
        .into_iter()
        .map(|(name, t)| {
            let sketch = sketches.remove(&name).unwrap_or_default();
            JobNameStats {
                runs: t.runs,
                duration: sketch.percentiles(),
                phases: t.phase_times(),
                cache_hits: t.cache_hits(),
                docker_cached_steps: t.docker_cached_steps(),
                analysed: t.analysed(),
                name,
            }
        })
        .collect();
    stats.sort_by(|a, b| {
        let time = |s: &JobNameStats| s.duration.p50_ms.unwrap_or(0.0) * s.runs as f64;
        time(b)
            .total_cmp(&time(a))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(stats)
}

#[derive(sqlx::FromRow)]
struct PipelineDbRow {
    id: i64,
    iid: Option<i64>,
    git_ref: Option<String>,
    source: Option<String>,
    status: String,
    created_at_ms: Option<i64>,
    duration_ms: Option<i64>,
    queued_duration_ms: Option<i64>,
    web_url: Option<String>,
}

impl From<PipelineDbRow> for PipelineRow {
    fn from(r: PipelineDbRow) -> Self {
        PipelineRow {
            id: r.id,
            iid: r.iid,
            git_ref: r.git_ref,
            source: r.source,
            status: r.status,
            created_at_ms: r.created_at_ms,
            duration_ms: r.duration_ms,
            queued_duration_ms: r.queued_duration_ms,
            web_url: r.web_url,
        }
    }
}

/// The slowest pipelines of the window.
pub async fn slowest_pipelines(
    db: &Db,
    filters: &Filters,
    bounds_ms: (i64, i64),
    limit: i64,
) -> sqlx::Result<Vec<PipelineRow>> {
    let mut c = Conditions::default();
    c.push(
        "p.project_id = ?",
        Arg::Int(filters.project.unwrap_or_default()),
    );
    c.push("p.created_at_ms >= ?", Arg::Int(bounds_ms.0));
    c.push("p.created_at_ms < ?", Arg::Int(bounds_ms.1));
    c.push_raw("p.duration_ms IS NOT NULL");
    c.text_filters("p", filters, "git_ref", "source", "status", None);
    let sql = format!(
        "SELECT p.id, p.iid, p.git_ref, p.source, p.status, p.created_at_ms, p.duration_ms, p.queued_duration_ms, p.web_url
         FROM pipelines p {} ORDER BY p.duration_ms DESC, p.id DESC LIMIT {}",
        c.where_sql(),
        c.next_placeholder()
    );
    let mut args = c.args.clone();
    args.push(Arg::Int(limit));
    let rows: Vec<PipelineDbRow> =
        with_pool!(db.pool(), p => bind_args!(sqlx::query_as(&sql), &args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Which per-job relation a scatter shows.
#[derive(Clone, Copy, Debug)]
pub enum PointKind {
    /// x: artifact bytes moved (down + up), y: transfer time (ms).
    ArtifactTransfer,
    /// x: share of Docker steps served from cache (0..1), y: Docker build time (ms).
    DockerCache,
}

/// Per-job points for a scatter chart: the most recent `limit` analysed jobs in the window
/// that moved artifacts / built Docker images.
pub async fn job_points(
    db: &Db,
    filters: &Filters,
    bounds_ms: (i64, i64),
    kind: PointKind,
    limit: i64,
) -> sqlx::Result<Vec<JobPoint>> {
    let (x, y, has) = match kind {
        PointKind::ArtifactTransfer => (
            "CAST(m.artifact_download_bytes + m.artifact_upload_bytes AS DOUBLE PRECISION)",
            "CAST(m.artifact_download_ms + m.artifact_upload_ms AS DOUBLE PRECISION)",
            "m.artifact_downloads + m.artifact_uploads > 0",
        ),
        PointKind::DockerCache => (
            "CAST(m.docker_cached_steps AS DOUBLE PRECISION) / CAST(m.docker_steps AS DOUBLE PRECISION)",
            "CAST(m.docker_build_ms AS DOUBLE PRECISION)",
            "m.docker_steps > 0",
        ),
    };
    let mut c = Conditions::default();
    c.push(
        "j.project_id = ?",
        Arg::Int(filters.project.unwrap_or_default()),
    );
    c.push("j.created_at_ms >= ?", Arg::Int(bounds_ms.0));
    c.push("j.created_at_ms < ?", Arg::Int(bounds_ms.1));
    c.push_raw(has);
    // Branch and source belong to the pipeline; status and name to the job.
    c.text_filters(
        "p",
        &Filters {
            status: None,
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
        "SELECT j.id, j.name, {x}, {y} FROM jobs j JOIN job_metrics m ON m.job_id = j.id JOIN pipelines p ON p.id = j.pipeline_id
         {} ORDER BY j.created_at_ms DESC LIMIT {}",
        c.where_sql(),
        c.next_placeholder()
    );
    let mut args = c.args.clone();
    args.push(Arg::Int(limit));
    let rows: Vec<(i64, String, f64, f64)> =
        with_pool!(db.pool(), p => bind_args!(sqlx::query_as(&sql), &args).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(job_id, name, x, y)| JobPoint { job_id, name, x, y })
        .collect())
}
