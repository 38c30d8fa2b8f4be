//! The overview: every project's pipelines, durations, trend and where its job time went.

use crate::{
    db::Db,
    model::{filters::Filters, overview::ProjectSummary},
    read::rollup::{Table, job_totals_by, sketches_by},
    with_pool,
};

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    path: String,
    name: String,
    web_url: Option<String>,
    last_pipeline_at_ms: Option<i64>,
}

/// Every project (or the one in `filters.project`) with its numbers for the window, the
/// most expensive (job time) first.
pub async fn project_summaries(
    db: &Db,
    filters: &Filters,
    now_ms: i64,
) -> sqlx::Result<Vec<ProjectSummary>> {
    const PROJECTS: &str = "
        SELECT p.id, p.path, p.name, p.web_url,
               (SELECT MAX(l.created_at_ms) FROM pipelines l WHERE l.project_id = p.id) AS last_pipeline_at_ms
        FROM projects p ORDER BY p.path";
    let days = filters.window.days(now_ms);
    let previous = filters.window.previous_days(now_ms);
    // Four independent reads, on pooled connections at once (as the project page does).
    let (projects, pipelines, before, jobs) = tokio::try_join!(
        async {
            let rows: Vec<ProjectRow> =
                with_pool!(db.pool(), p => sqlx::query_as(PROJECTS).fetch_all(p).await)?;
            sqlx::Result::Ok(rows)
        },
        sketches_by::<i64>(db, Table::Pipelines, "d.project_id", filters, days),
        sketches_by::<i64>(db, Table::Pipelines, "d.project_id", filters, previous),
        job_totals_by::<i64>(db, "d.project_id", filters, days),
    )?;

    let mut summaries: Vec<ProjectSummary> = projects
        .into_iter()
        .filter(|p| filters.project.is_none_or(|id| id == p.id))
        .map(|p| {
            let runs = pipelines.get(&p.id).cloned().unwrap_or_default();
            let totals = jobs.get(&p.id).cloned().unwrap_or_default();
            ProjectSummary {
                id: p.id,
                path: p.path,
                name: p.name,
                web_url: p.web_url,
                pipelines: runs.runs,
                success: runs.success(),
                duration: runs.percentiles(),
                previous_p50_ms: before.get(&p.id).and_then(|b| b.percentiles().p50_ms),
                job_time_ms: totals.duration_ms + totals.queued_ms,
                phases: totals.phase_times(),
                cache_hits: totals.cache_hits(),
                docker_cached_steps: totals.docker_cached_steps(),
                jobs: totals.analysed(),
                last_pipeline_at_ms: p.last_pipeline_at_ms,
            }
        })
        .collect();
    summaries.sort_by(|a, b| {
        b.job_time_ms
            .cmp(&a.job_time_ms)
            .then_with(|| a.path.cmp(&b.path))
    });
    Ok(summaries)
}
