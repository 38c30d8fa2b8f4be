//! Impact analytics (issue 7): what the cache saved, what artifact transfer cost, what Docker
//! layer caching bought, and what should change — computed from each job's stored facts.

pub mod artifacts;
pub mod cache;
pub mod compare;
pub mod fetch;
pub mod findings;
pub mod keys;
pub mod layers;
pub mod memo;
pub mod phases;
pub mod warm;

use std::collections::HashMap;

use crate::{
    db::Db,
    model::{
        filters::{DAY_MS, Filters},
        impact::{Comparison, ImpactReport, Interval, ProjectFinding, Side},
    },
    stats::bootstrap::Estimate,
    with_pool,
};
use fetch::{Facts, Scope};

pub(crate) fn interval(e: Estimate) -> Interval {
    Interval {
        value: e.value,
        low: e.low,
        high: e.high,
    }
}

/// The Impact report of a project (narrowed by the filters' window, job name and ref).
pub async fn project_impact(
    db: &Db,
    project: i64,
    filters: &Filters,
    now_ms: i64,
) -> sqlx::Result<ImpactReport> {
    let scope = Scope::new(project, filters, now_ms);
    let facts = fetch::facts(db, &scope).await?;
    let weeks = scope.weeks();
    // Bootstrap intervals over a busy project's jobs take a CPU for a noticeable time (tens of
    // ms at a million jobs); off the async workers, webhooks and other pages do not wait.
    match tokio::task::spawn_blocking(move || report(&facts, weeks)).await {
        Ok(report) => Ok(report),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only when the runtime shuts down under the request.
        Err(e) => Err(sqlx::Error::Protocol(format!(
            "impact report cancelled: {e}"
        ))),
    }
}

/// Every measure and finding from the facts; pure, so tests can feed it by hand.
pub fn report(facts: &Facts, weeks: f64) -> ImpactReport {
    let by_id: HashMap<i64, &fetch::JobRow> = facts.jobs.iter().map(|j| (j.id, j)).collect();
    let caches = cache::cache_impacts(&by_id, &facts.caches, weeks);
    let artifacts = artifacts::artifact_impact(&by_id, &facts.artifacts, weeks);
    let layers = layers::layer_impacts(&facts.jobs, &facts.steps, weeks);
    let shared = cache::shared_keys(&by_id, &facts.caches);
    let mut found = findings::transport(&caches, weeks);
    found.extend(findings::collisions(&shared, &facts.caches, &by_id, weeks));
    found.extend(findings::artifacts(&artifacts));
    found.extend(findings::layers(&layers));
    found.extend(findings::queue(&facts.jobs, weeks));
    found.sort_by(|a, b| b.time_per_week_ms.total_cmp(&a.time_per_week_ms));
    ImpactReport {
        weeks,
        jobs: facts.jobs.len() as u64,
        analysed_jobs: facts.jobs.iter().filter(|j| j.analysed.is_some()).count() as u64,
        phases: phases::phase_times(&facts.jobs, weeks),
        caches,
        artifacts,
        layers,
        findings: found,
    }
}

/// The Compare page: two periods or two branches of one project, with the phase-mix
/// boundaries of the page's window.
pub async fn comparison(
    db: &Db,
    project: i64,
    filters: &Filters,
    a: &Side,
    b: &Side,
    now_ms: i64,
) -> sqlx::Result<Comparison> {
    let scope = |side: &Side| {
        let mut scope = Scope::new(project, filters, now_ms);
        match side {
            Side::Period { from, to } => scope.bounds_ms = (from * DAY_MS, (to + 1) * DAY_MS),
            Side::Branch(name) => scope.git_ref = Some(name.clone()),
        }
        scope
    };
    let rows = compare::compare(db, &scope(a), &scope(b)).await?;
    let mix = compare::daily_mix(db, project, filters.window.days(now_ms)).await?;
    Ok(Comparison {
        a_label: a.label(),
        b_label: b.label(),
        rows,
        boundaries: compare::mix_changes(&mix),
    })
}

/// Every project's findings (the overview), most time at stake first; each project's report
/// comes from `reports` while its data has not changed. Reports to compute are computed a few
/// at a time: each reads on one blocking thread and computes on another.
pub async fn all_findings(
    db: &Db,
    reports: &memo::ReportCache,
    filters: &Filters,
    now_ms: i64,
) -> sqlx::Result<Vec<ProjectFinding>> {
    use futures::{StreamExt, TryStreamExt};
    const AT_ONCE: usize = 4;
    let projects: Vec<(i64, String)> = with_pool!(db.pool(), p =>
        sqlx::query_as("SELECT id, path FROM projects ORDER BY path").fetch_all(p).await)?;
    let per_project: Vec<Vec<ProjectFinding>> = futures::stream::iter(projects)
        .filter(|(id, _)| std::future::ready(filters.project.is_none_or(|p| p == *id)))
        .map(|(id, path)| async move {
            let report = reports.project_impact(db, id, filters, now_ms).await?;
            let found: Vec<ProjectFinding> = report
                .findings
                .iter()
                .map(|finding| ProjectFinding {
                    project_id: id,
                    project: path.clone(),
                    finding: finding.clone(),
                })
                .collect();
            sqlx::Result::<_>::Ok(found)
        })
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await?;
    let mut out: Vec<ProjectFinding> = per_project.into_iter().flatten().collect();
    // Ties in order of project path, whichever report finished first.
    out.sort_by(|a, b| {
        b.finding
            .time_per_week_ms
            .total_cmp(&a.finding.time_per_week_ms)
            .then_with(|| a.project.cmp(&b.project))
    });
    Ok(out)
}
