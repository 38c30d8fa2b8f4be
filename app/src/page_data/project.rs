//! The project page, assembled on the server: queries, then charts drawn from their results.

use crate::{
    charts::{
        ChartSize,
        daily::{DailyDurations, durations_by_day},
        frame::rgb,
        rate::{RateSeries, rates_by_day},
        scatter::{Axis, Measure, job_scatter},
        stacked::phases_by_day,
    },
    state::AppState,
};
use strata_core::{
    db::QueryResult,
    model::{
        filters::Filters,
        phase::PhaseKind,
        project::{ChartView, ProjectPage},
        time::PhaseTimes,
    },
    read::{
        project::{self, PointKind},
        rollup::{Table, job_totals_by, sketches_by},
    },
};

/// Points drawn per scatter chart (the most recent jobs).
const SCATTER_POINTS: i64 = 400;

pub async fn load(
    state: &AppState,
    filters: &Filters,
    now_ms: i64,
) -> QueryResult<Option<ProjectPage>> {
    let db = &state.db;
    let Some(info) = project::project(db, filters.project.unwrap_or_default()).await? else {
        return Ok(None);
    };
    let days = filters.window.days(now_ms);
    let bounds = filters.window.bounds_ms(now_ms);
    // Independent reads: each on its own pooled connection, at once.
    let (daily, totals, pipelines, job_names, slowest, artifacts, docker) = tokio::try_join!(
        project::days(db, filters, days),
        job_totals_by::<i64>(db, "d.project_id", filters, days),
        sketches_by::<i64>(db, Table::Pipelines, "d.project_id", filters, days),
        project::job_names(db, filters, days),
        project::slowest_pipelines(db, filters, bounds, 10),
        project::job_points(
            db,
            filters,
            bounds,
            PointKind::ArtifactTransfer,
            SCATTER_POINTS
        ),
        project::job_points(db, filters, bounds, PointKind::DockerCache, SCATTER_POINTS),
    )?;
    let totals = totals.into_values().next().unwrap_or_default();
    let pipelines = pipelines.into_values().next().unwrap_or_default();

    let daily_csv = Filters {
        job: None,
        ..filters.clone()
    }
    .href("/export/daily.csv");
    let jobs_csv = filters.href("/export/jobs.csv");
    let mut charts = Vec::new();
    let mut chart =
        |id: &str, title: &str, svg: Result<String, crate::charts::ChartError>, csv: &str| {
            charts.push(ChartView {
                id: id.to_owned(),
                title: title.to_owned(),
                svg: svg.unwrap_or_else(|e| format!("<p class=\"error\">{e}</p>")),
                csv_href: csv.to_owned(),
            });
        };
    let durations: Vec<DailyDurations> = daily
        .iter()
        .map(|d| DailyDurations {
            day: d.day,
            runs: d.runs,
            p50_ms: d.duration.p50_ms,
            p95_ms: d.duration.p95_ms,
        })
        .collect();
    chart(
        "durations",
        "Pipeline duration per day",
        durations_by_day(&durations, "Pipeline duration per day", ChartSize::WIDE),
        &filters.href("/export/pipelines.csv"),
    );
    let phases: Vec<(i64, PhaseTimes)> = daily.iter().map(|d| (d.day, d.phases.clone())).collect();
    chart(
        "phases",
        "Job time by phase per day",
        phases_by_day(&phases, "Job time by phase per day", ChartSize::WIDE),
        &daily_csv,
    );
    let rates = [
        RateSeries {
            label: "cache hits",
            color: rgb(PhaseKind::CacheRestore.rgb()),
            days: daily.iter().map(|d| (d.day, d.cache_hits)).collect(),
        },
        RateSeries {
            label: "cached Docker steps",
            color: rgb(PhaseKind::DockerBuild.rgb()),
            days: daily
                .iter()
                .map(|d| (d.day, d.docker_cached_steps))
                .collect(),
        },
    ];
    chart(
        "cache-rates",
        "Cache hit rate and cached Docker steps per day",
        rates_by_day(
            &rates,
            "Cache hit rate and cached Docker steps per day",
            ChartSize::WIDE,
        ),
        &daily_csv,
    );
    let duration_axis = |name| Axis {
        name,
        measure: Measure::Duration,
    };
    chart(
        "artifacts",
        "Artifact bytes against transfer time",
        job_scatter(
            &artifacts,
            Axis {
                name: "bytes moved",
                measure: Measure::Bytes,
            },
            duration_axis("transfer time"),
            "Artifact bytes against transfer time",
            ChartSize::SQUARE,
        ),
        &jobs_csv,
    );
    chart(
        "docker",
        "Docker build time against cached steps",
        job_scatter(
            &docker,
            Axis {
                name: "steps from cache",
                measure: Measure::Share,
            },
            duration_axis("build time"),
            "Docker build time against cached steps",
            ChartSize::SQUARE,
        ),
        &jobs_csv,
    );

    Ok(Some(ProjectPage {
        project: info,
        window_label: filters.window.label(),
        pipelines: pipelines.runs,
        success: pipelines.success(),
        duration: pipelines.percentiles(),
        jobs: totals.analysed(),
        phases: totals.phase_times(),
        cache_hits: totals.cache_hits(),
        docker_cached_steps: totals.docker_cached_steps(),
        charts,
        job_names,
        slowest,
        setup: state.setup.clone(),
        filters: filters.clone(),
    }))
}
