//! The job-name page: how one job's duration is distributed, and what cache hits and warm
//! Docker builds change about it.

use crate::{
    charts::{
        ChartSize,
        daily::{DailyDurations, durations_by_day},
        frame::{ACCENT, ACCENT_LIGHT, rgb},
        histogram::{Group, distribution},
    },
    state::AppState,
};
use strata_core::{
    db::QueryResult,
    model::{
        detail::{JobNamePage, JobRun, RunGroup},
        filters::Filters,
        phase::PhaseKind,
        project::ChartView,
        time::Percentiles,
    },
    read::{
        jobs, project,
        rollup::{Table, job_totals_by, sketches_by},
    },
    stats::sketch::exact_quantile,
};

/// Runs read for the distribution: more than a busy job runs in 90 days.
const MAX_RUNS: i64 = 20_000;
/// Runs listed in the table.
const RECENT: usize = 30;

pub async fn load(
    state: &AppState,
    filters: &Filters,
    now_ms: i64,
) -> QueryResult<Option<JobNamePage>> {
    let db = &state.db;
    let (Some(project_id), Some(name)) = (filters.project, filters.job.clone()) else {
        return Ok(None);
    };
    let Some(info) = project::project(db, project_id).await? else {
        return Ok(None);
    };
    let days = filters.window.days(now_ms);
    let runs = jobs::runs(db, filters, filters.window.bounds_ms(now_ms), MAX_RUNS).await?;
    let totals = job_totals_by::<i64>(db, "d.project_id", filters, days)
        .await?
        .into_values()
        .next()
        .unwrap_or_default();
    let per_day = sketches_by::<i64>(db, Table::Jobs, "d.day", filters, days).await?;

    let durations = |pick: &dyn Fn(&JobRun) -> bool| -> Vec<f64> {
        runs.iter()
            .filter(|r| pick(r))
            .filter_map(|r| r.duration_ms.map(|d| d as f64))
            .collect()
    };
    let hit = durations(&|r| r.cache_outcome() == "hit");
    let miss = durations(&|r| r.cache_outcome() == "miss");
    let warm = durations(&|r| r.docker_warmth() == "warm");
    let cold = durations(&|r| r.docker_warmth() == "cold");
    let percentiles = |values: &[f64]| Percentiles {
        count: values.len() as i64,
        p50_ms: exact_quantile(values, 0.5),
        p95_ms: exact_quantile(values, 0.95),
    };
    let mut groups = Vec::new();
    for (label, values) in [
        ("cache hit", &hit),
        ("cache miss", &miss),
        ("warm Docker build", &warm),
        ("cold Docker build", &cold),
    ] {
        if !values.is_empty() {
            groups.push(RunGroup {
                label: label.to_owned(),
                duration: percentiles(values),
            });
        }
    }
    let all = durations(&|_| true);

    let runs_csv = filters.href("/export/jobs.csv");
    let mut charts = Vec::new();
    let mut push =
        |id: &str, title: &str, svg: Result<String, crate::charts::ChartError>, csv: String| {
            charts.push(ChartView {
                id: id.to_owned(),
                title: title.to_owned(),
                svg: svg.unwrap_or_else(|e| format!("<p class=\"error\">{e}</p>")),
                csv_href: csv,
            });
        };
    let trend: Vec<DailyDurations> = (days.0..=days.1)
        .map(|day| {
            let g = per_day.get(&day).cloned().unwrap_or_default();
            let p = g.percentiles();
            DailyDurations {
                day,
                runs: g.runs,
                p50_ms: p.p50_ms,
                p95_ms: p.p95_ms,
            }
        })
        .collect();
    push(
        "trend",
        "Duration per day",
        durations_by_day(&trend, "Duration per day", ChartSize::WIDE),
        filters.href("/export/daily.csv"),
    );
    let cache_groups = [
        Group {
            label: "cache hit",
            color: rgb(PhaseKind::Script.rgb()),
            durations_ms: hit.clone(),
        },
        Group {
            label: "cache miss",
            color: rgb(PhaseKind::CacheArchive.rgb()),
            durations_ms: miss.clone(),
        },
    ];
    if hit.is_empty() && miss.is_empty() {
        let everything = [Group {
            label: "all runs",
            color: ACCENT,
            durations_ms: all.clone(),
        }];
        push(
            "distribution",
            "Duration distribution",
            distribution(&everything, "Duration distribution", ChartSize::WIDE),
            runs_csv.clone(),
        );
    } else {
        push(
            "cache",
            "Duration: cache hit against miss",
            distribution(
                &cache_groups,
                "Duration: cache hit against miss",
                ChartSize::WIDE,
            ),
            runs_csv.clone(),
        );
    }
    if !warm.is_empty() || !cold.is_empty() {
        let docker_groups = [
            Group {
                label: "warm Docker build",
                color: ACCENT,
                durations_ms: warm.clone(),
            },
            Group {
                label: "cold Docker build",
                color: ACCENT_LIGHT,
                durations_ms: cold.clone(),
            },
        ];
        push(
            "docker",
            "Duration: warm against cold Docker build",
            distribution(
                &docker_groups,
                "Duration: warm against cold Docker build",
                ChartSize::WIDE,
            ),
            runs_csv,
        );
    }

    let overall = sketches_by::<i64>(db, Table::Jobs, "d.project_id", filters, days)
        .await?
        .into_values()
        .next()
        .unwrap_or_default();
    Ok(Some(JobNamePage {
        project: info,
        name,
        window_label: filters.window.label(),
        runs: totals.runs,
        duration: overall.percentiles(),
        cache_hits: totals.cache_hits(),
        docker_cached_steps: totals.docker_cached_steps(),
        groups,
        charts,
        recent: runs.into_iter().take(RECENT).collect(),
        filters: filters.clone(),
    }))
}
