//! Where a page's data time goes: each read behind the overview and project pages timed on
//! its own, in process, on the database the `pages` bench loads ($STRATA_BENCH_DB, about
//! 1,000,000 jobs), next to the whole of each page's reads run at once as the page runs them.
//!
//! `STRATA_BENCH_DB=/path/pages.db cargo bench -p strata --bench page_reads [-- RUNS]`.
//! Skips (and says so) when the database does not exist: create it with the `pages` bench.

use std::{future::Future, path::PathBuf, time::Instant};

use strata_core::{
    db::DatabaseUrl,
    model::filters::Filters,
    read::{
        overview::project_summaries,
        project::{self, PointKind},
        rollup::{Table, job_totals_by, sketches_by},
    },
};

/// The project the `pages` bench renders.
const PROJECT: i64 = 101;

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or(Ok(30), |a| a.parse())?;
    let Some(path) = std::env::var_os("STRATA_BENCH_DB").map(PathBuf::from) else {
        println!("skipped: set STRATA_BENCH_DB to the database the pages bench loaded");
        return Ok(());
    };
    if !path.exists() {
        println!("skipped: {} does not exist", path.display());
        return Ok(());
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let db = strata_core::db::open(&DatabaseUrl::Sqlite(path)).await?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let all = Filters::default();
        let one = Filters {
            project: Some(PROJECT),
            ..Filters::default()
        };
        let days = all.window.days(now_ms);
        let previous = all.window.previous_days(now_ms);
        let bounds = all.window.bounds_ms(now_ms);

        println!("| read | p50 | p95 | rows |");
        println!("|---|---|---|---|");
        let db = &db;
        time(runs, "overview: all four reads at once", || async {
            Ok(project_summaries(db, &all, now_ms).await?.len())
        })
        .await?;
        time(runs, "overview: pipeline sketches by project", || async {
            Ok(
                sketches_by::<i64>(db, Table::Pipelines, "d.project_id", &all, days)
                    .await?
                    .len(),
            )
        })
        .await?;
        time(runs, "overview: previous period's sketches", || async {
            Ok(
                sketches_by::<i64>(db, Table::Pipelines, "d.project_id", &all, previous)
                    .await?
                    .len(),
            )
        })
        .await?;
        time(runs, "overview: job totals by project", || async {
            Ok(job_totals_by::<i64>(db, "d.project_id", &all, days)
                .await?
                .len())
        })
        .await?;
        time(runs, "project: daily series", || async {
            Ok(project::days(db, &one, days).await?.len())
        })
        .await?;
        time(runs, "project: job totals", || async {
            Ok(job_totals_by::<i64>(db, "d.project_id", &one, days)
                .await?
                .len())
        })
        .await?;
        time(runs, "project: job names (totals and sketches)", || async {
            Ok(project::job_names(db, &one, days).await?.len())
        })
        .await?;
        time(runs, "project: slowest pipelines", || async {
            Ok(project::slowest_pipelines(db, &one, bounds, 10)
                .await?
                .len())
        })
        .await?;
        for (label, kind) in [
            ("project: artifact points", PointKind::ArtifactTransfer),
            ("project: Docker points", PointKind::DockerCache),
        ] {
            time(runs, label, || async {
                Ok(project::job_points(db, &one, bounds, kind, 400)
                    .await?
                    .len())
            })
            .await?;
        }
        db.close().await;
        anyhow::Ok(())
    })
}

/// Run `read` once to warm the page cache, then `runs` times; print p50, p95 and its rows.
async fn time<F, Fut>(runs: usize, label: &str, read: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<usize>>,
{
    let rows = read().await?;
    let mut seconds = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        read().await?;
        seconds.push(started.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let at = |q: f64| seconds[((seconds.len() as f64 - 1.0) * q).round() as usize] * 1e3;
    println!(
        "| {label} | {:.1} ms | {:.1} ms | {rows} |",
        at(0.5),
        at(0.95)
    );
    Ok(())
}
