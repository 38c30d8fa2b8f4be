//! Demo scenarios written straight into the store: the data analytics and benchmarks use.

use strata_core::{on_both_backends, testing as support};

use chrono::{TimeZone, Utc};
use strata_core::with_pool;
use strata_demo::{Dataset, DemoConfig, store_load};
use support::TestDb;

on_both_backends! {
    every_pipeline_and_job_lands_with_its_log_analysed => loads_everything;
}

fn small_dataset() -> Dataset {
    let mut config = DemoConfig::new(Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap());
    config.pipelines_per_project = 30;
    config.days = 14;
    Dataset::generate(&config)
}

async fn loads_everything(t: TestDb) {
    let dataset = small_dataset();
    let loaded = store_load::load(&t.db, &dataset).await.unwrap();
    assert_eq!(loaded.projects, 5);
    assert_eq!(loaded.pipelines, dataset.pipeline_count());
    let (pipelines, jobs, analysed): (i64, i64, i64) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM pipelines), (SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM job_metrics)")
        .fetch_one(p).await.unwrap());
    assert_eq!(
        (pipelines as usize, jobs as usize, analysed as usize),
        (loaded.pipelines, loaded.jobs, loaded.logs)
    );
    assert!(loaded.logs > loaded.jobs / 2, "most jobs ran: {loaded:?}");

    // What each scenario is about shows in the analysis: transport-cache misses in 101,
    // no cached Docker step in 104, mostly cached steps in 103.
    let per_project: Vec<(i64, i64, i64, i64)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT project_id, CAST(SUM(cache_misses) AS BIGINT), CAST(SUM(docker_steps) AS BIGINT), CAST(SUM(docker_cached_steps) AS BIGINT)
         FROM job_daily GROUP BY project_id ORDER BY project_id").fetch_all(p).await.unwrap());
    let get = |id: i64| per_project.iter().find(|r| r.0 == id).copied().unwrap();
    assert!(get(101).1 > 0, "{per_project:?}");
    assert!(get(104).2 > 0 && get(104).3 == 0, "{per_project:?}");
    assert!(get(103).3 * 2 > get(103).2, "{per_project:?}");
}
