//! Storing a log analysis: detail tables, the one-row metrics, trace status and rollups.

use strata_core::{on_both_backends, testing as support};

use strata_core::{
    store::{
        analysis::save_analysis,
        records::{JobRecord, PipelineRecord, ProjectRecord},
        rollups, writes,
    },
    with_pool,
};
use strata_joblog::analyze;
use support::{TestDb, fixture};

type CacheRow = (String, Option<String>, String);
type ArtifactRow = (String, Option<i64>, Option<i64>);

on_both_backends! {
    a_runner_log_fills_phases_cache_and_artifact_rows => runner_log;
    a_docker_build_log_fills_builds_steps_and_metrics => docker_log;
}

async fn seed_job(t: &TestDb, job_id: i64) {
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 1,
        path: "g/p".into(),
        name: "p".into(),
        ..Default::default()
    };
    writes::upsert_project(&mut tx, &project, 0).await.unwrap();
    let pipeline = PipelineRecord {
        id: 10,
        project_id: 1,
        status: "success".into(),
        created_at_ms: Some(1_700_000_000_000),
        ..Default::default()
    };
    writes::upsert_pipeline(&mut tx, &pipeline, 0)
        .await
        .unwrap();
    let job = JobRecord {
        id: job_id,
        project_id: 1,
        pipeline_id: 10,
        name: "unit test 1/8".into(),
        status: "success".into(),
        created_at_ms: Some(1_700_000_000_000),
        duration_ms: Some(310_000),
        ..Default::default()
    };
    writes::upsert_job(&mut tx, &job, 0).await.unwrap();
    tx.commit().await.unwrap();
}

async fn runner_log(t: TestDb) {
    let Some(log) = fixture("traces/gitlab-runner_corpus_log-1.log") else {
        return;
    };
    seed_job(&t, 7).await;
    let analysis = analyze(&log);
    for _ in 0..2 {
        // Saving twice replaces, never duplicates.
        let mut tx = t.db.begin().await.unwrap();
        save_analysis(&mut tx, 7, &analysis, 5).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (phases, cache, artifacts): (i64, Vec<CacheRow>, Vec<ArtifactRow>) = with_pool!(t.db.pool(), p => {
        let phases = sqlx::query_scalar("SELECT COUNT(*) FROM job_phases WHERE job_id = 7").fetch_one(p).await.unwrap();
        let cache = sqlx::query_as("SELECT direction, cache_key, outcome FROM cache_ops WHERE job_id = 7 ORDER BY seq").fetch_all(p).await.unwrap();
        let artifacts = sqlx::query_as("SELECT direction, source_job_id, http_status FROM artifact_ops WHERE job_id = 7 ORDER BY seq").fetch_all(p).await.unwrap();
        (phases, cache, artifacts)
    });
    assert_eq!(phases, analysis.phases.len() as i64);
    assert_eq!(
        cache,
        vec![
            (
                "restore".into(),
                Some("unit test 1/8-v13-12-0-2".into()),
                "not_found".into()
            ),
            (
                "archive".into(),
                Some("unit test 1/8-v13-12-0-2".into()),
                "created".into()
            ),
        ]
    );
    assert_eq!(
        artifacts[0],
        ("download".into(), Some(1_280_281_190), Some(200))
    );
    assert_eq!(
        artifacts.last().unwrap(),
        &("upload".to_owned(), None, Some(201))
    );

    let metrics: (i64, i64, i64, i64, i64) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT cache_restores, cache_hits, cache_misses, artifact_downloads, artifact_uploads FROM job_metrics WHERE job_id = 7")
        .fetch_one(p).await.unwrap());
    assert_eq!(metrics, (1, 0, 1, 3, 1));
    let status: String = with_pool!(t.db.pool(), p => sqlx::query_scalar("SELECT trace_status FROM jobs WHERE id = 7").fetch_one(p).await.unwrap());
    assert_eq!(status, "analysed");

    rollups::refresh_all(&t.db).await.unwrap();
    let (analysed, misses, script_ms): (i64, i64, i64) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT analysed_runs, cache_misses, script_ms FROM job_daily").fetch_one(p).await.unwrap());
    assert_eq!((analysed, misses), (1, 1));
    assert_eq!(script_ms, 172_000, "step_script of log-1");
}

async fn docker_log(t: TestDb) {
    let Some(log) = fixture("docker/buildah-1.28.2_warm.log") else {
        return;
    };
    seed_job(&t, 8).await;
    let mut tx = t.db.begin().await.unwrap();
    save_analysis(&mut tx, 8, &analyze(&log), 5).await.unwrap();
    tx.commit().await.unwrap();
    let (builds, steps, cached): (i64, i64, i64) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT docker_builds, docker_steps, docker_cached_steps FROM job_metrics WHERE job_id = 8").fetch_one(p).await.unwrap());
    assert_eq!((builds, steps, cached), (1, 15, 13));
    let rows: Vec<(String, bool)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT instruction, cached FROM docker_steps WHERE job_id = 8 ORDER BY seq").fetch_all(p).await.unwrap());
    assert_eq!(rows.len(), 15);
    assert!(rows[0].0.starts_with("FROM") && !rows[0].1);
    assert_eq!(rows.iter().filter(|(_, cached)| *cached).count(), 13);
}
