//! Time to compute a project's Impact section at 1,000,000 jobs: the bulk export seed (10
//! projects, 90 days, job metrics) plus a cache restore and archive per analysed job, an
//! artifact transfer per analysed job and a 12-step Docker build for every twelfth job, on
//! SQLite. Next to it, in the same run, the baseline: a `COUNT(*)` over the same jobs.
//!
//! `cargo bench -p strata --bench impact` (optionally `-- JOBS RUNS`). Prints p50 and p95 of
//! the report for one project over the last 30 days of the data. Keeps the seeded database in
//! $STRATA_BENCH_DB when set, and reuses it when it exists (seeding takes minutes).

#[path = "../tests/integration/export_seed/bulk.rs"]
mod bulk;

use std::time::Instant;

use strata_core::{
    db::{DatabaseUrl, Db},
    model::filters::{Filters, Window},
    read::impact::{
        self,
        fetch::{self, Scope},
        project_impact,
    },
    with_pool,
};

const FIRST_DAY: i64 = 20_400;
const DAYS: i64 = 90;

/// Cache, artifact and Docker facts for the bulk jobs (both backends accept this SQL).
const FACTS: [&str; 5] = [
    "INSERT INTO cache_ops (job_id, seq, direction, cache_key, outcome, size_bytes, duration_ms)
     SELECT job_id, 0, 'restore', 'deps-' || CAST(job_id / 5000 AS TEXT) || 'a1b2c3d-protected',
        CASE job_id % 4 WHEN 0 THEN 'miss' ELSE 'hit' END, 300000000, cache_restore_ms FROM job_metrics",
    "INSERT INTO cache_ops (job_id, seq, direction, cache_key, outcome, size_bytes, duration_ms)
     SELECT job_id, 1, 'archive', 'deps-' || CAST(job_id / 5000 AS TEXT) || 'a1b2c3d-protected',
        'created', 300000000 + job_id % 1000, cache_archive_ms FROM job_metrics WHERE job_id % 4 = 0",
    "INSERT INTO artifact_ops (job_id, seq, direction, source_job_name, size_bytes, outcome, duration_ms)
     SELECT m.job_id, 0, CASE WHEN j.name = 'build' THEN 'upload' ELSE 'download' END,
        CASE WHEN j.name = 'build' THEN NULL ELSE 'build' END, 1048576 + m.job_id % 100000, 'ok',
        m.artifact_download_ms FROM job_metrics m JOIN jobs j ON j.id = m.job_id",
    "INSERT INTO docker_builds (job_id, seq, builder, stage_count, step_count, cached_steps, duration_ms)
     SELECT job_id, 0, 'buildkit', 2, 12, docker_cached_steps, docker_build_ms FROM job_metrics WHERE docker_builds > 0",
    "INSERT INTO docker_steps (job_id, build_seq, seq, instruction, cached, duration_ms)
     SELECT b.job_id, 0, s.i, 'RUN step ' || CAST(s.i AS TEXT), s.i < b.cached_steps, b.duration_ms / 12
     FROM docker_builds b CROSS JOIN (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 11) SELECT i FROM n) s",
];

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

async fn timed<F: std::future::Future<Output = ()>>(f: impl Fn() -> F, runs: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        out.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    out.sort_by(f64::total_cmp);
    out
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let jobs: i64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(20), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = std::env::var_os("STRATA_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.db"));
    let seeded = path.exists();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let started = Instant::now();
        let db: Db = strata_core::db::open(&DatabaseUrl::Sqlite(path.clone())).await?;
        // No ANALYZE: Strata never runs it, so the planner works without statistics here too.
        if !seeded {
            bulk::insert_jobs(&db, jobs, FIRST_DAY, DAYS).await;
            for sql in FACTS {
                with_pool!(db.pool(), p => sqlx::query(sql).execute(p).await.map(|_| ()))?;
            }
            eprintln!("seeded {jobs} jobs in {:.1} s", started.elapsed().as_secs_f64());
        }

        let last = FIRST_DAY + DAYS - 1;
        let filters = Filters {
            window: Window::Days { from: last - 29, to: last },
            ..Filters::default()
        };
        let now_ms = (last + 1) * 86_400_000;
        let bounds = filters.window.bounds_ms(now_ms);
        let report = project_impact(&db, 1, &filters, now_ms).await?;
        eprintln!(
            "project 1, 30 days: {} jobs, {} cache patterns, {} layer rows, {} findings",
            report.jobs,
            report.caches.len(),
            report.layers.len(),
            report.findings.len()
        );
        let impact = timed(|| async { project_impact(&db, 1, &filters, now_ms).await.unwrap(); }, runs).await;
        // Where the time goes: reading the facts, and computing the report from them.
        let scope = Scope::new(1, &filters, now_ms);
        let facts = fetch::facts(&db, &scope).await?;
        let reading = timed(|| async { fetch::facts(&db, &scope).await.unwrap(); }, runs).await;
        let computing = timed(|| async { std::hint::black_box(impact::report(&facts, scope.weeks())); }, runs).await;
        let baseline = timed(
            || async {
                let _: (i64,) = with_pool!(db.pool(), p => sqlx::query_as(
                    "SELECT COUNT(*) FROM jobs WHERE project_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3")
                    .bind(1_i64).bind(bounds.0).bind(bounds.1).fetch_one(p).await.unwrap());
            },
            runs,
        )
        .await;
        let (p50, p95) = (percentile(&impact, 0.5), percentile(&impact, 0.95));
        let (b50, b95) = (percentile(&baseline, 0.5), percentile(&baseline, 0.95));
        println!("impact section:   p50 {p50:.1} ms, p95 {p95:.1} ms ({runs} runs)");
        println!("COUNT(*) baseline: p50 {b50:.1} ms, p95 {b95:.1} ms");
        println!(
            "of which: reading the facts p50 {:.1} ms ({} jobs, {} cache, {} artifact, {} step rows), computing p50 {:.1} ms",
            percentile(&reading, 0.5),
            facts.jobs.len(),
            facts.caches.len(),
            facts.artifacts.len(),
            facts.steps.len(),
            percentile(&computing, 0.5)
        );
        println!("ratio (p50): {:.1}×", p50 / b50.max(0.001));
        anyhow::Ok(())
    })
}
