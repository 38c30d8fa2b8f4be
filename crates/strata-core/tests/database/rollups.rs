//! Daily rollups recomputed from raw rows: what dashboards read.

use strata_core::{on_both_backends, testing as support};

use strata_core::{
    model::filters::DAY_MS,
    stats::sketch::DurationSketch,
    store::{
        records::{JobRecord, PipelineRecord, ProjectRecord},
        rollups,
        sanitize::MAX_DURATION_MS,
        writes,
    },
    with_pool,
};
use support::TestDb;

on_both_backends! {
    rollups_sum_jobs_per_day_name_ref_and_status => sums_per_group;
    changes_mark_days_and_refresh_recomputes_them => changes_are_picked_up;
    a_job_or_pipeline_moved_to_another_day_leaves_the_old_one => moves_refresh_both_days;
    huge_durations_are_clamped_at_ingest_and_never_overflow_a_rollup => huge_durations;
    a_day_that_fails_is_set_aside_and_the_others_refresh => failing_day_set_aside;
}

const DAY: i64 = 20_000;

fn pipeline(id: i64, git_ref: &str, status: &str, duration_s: i64, day: i64) -> PipelineRecord {
    PipelineRecord {
        id,
        project_id: 1,
        git_ref: Some(git_ref.into()),
        source: Some("push".into()),
        status: status.into(),
        created_at_ms: Some(day * DAY_MS + id * 1_000),
        duration_ms: Some(duration_s * 1_000),
        queued_duration_ms: Some(2_000),
        ..Default::default()
    }
}

fn job(
    id: i64,
    pipeline: &PipelineRecord,
    name: &str,
    status: &str,
    duration_ms: i64,
) -> JobRecord {
    JobRecord {
        id,
        project_id: 1,
        pipeline_id: pipeline.id,
        name: name.into(),
        status: status.into(),
        created_at_ms: pipeline.created_at_ms,
        duration_ms: Some(duration_ms),
        queued_duration_ms: Some(500),
        ..Default::default()
    }
}

async fn load(t: &TestDb, pipelines: &[PipelineRecord], jobs: &[JobRecord]) {
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 1,
        path: "acme/app".into(),
        name: "app".into(),
        ..Default::default()
    };
    writes::upsert_project(&mut tx, &project, 0).await.unwrap();
    for p in pipelines {
        writes::upsert_pipeline(&mut tx, p, 0).await.unwrap();
    }
    for j in jobs {
        writes::upsert_job(&mut tx, j, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn add_metrics(t: &TestDb, job_id: i64, script_ms: i64, cache_hits: i64, cache_misses: i64) {
    with_pool!(t.db.pool(), p => sqlx::query(
        "INSERT INTO job_metrics (job_id, script_ms, cache_restore_ms, cache_restores, cache_hits, cache_misses) VALUES ($1, $2, 1000, $3, $4, $5)")
        .bind(job_id).bind(script_ms).bind(cache_hits + cache_misses).bind(cache_hits).bind(cache_misses)
        .execute(p).await.unwrap().rows_affected());
}

type DailyRow = (
    i64,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
);

async fn job_daily(t: &TestDb) -> Vec<DailyRow> {
    with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT day, job_name, git_ref, status, runs, duration_ms, queued_ms, analysed_runs, script_ms, cache_hits, cache_misses, duration_sketch
         FROM job_daily ORDER BY day, job_name, git_ref, status").fetch_all(p).await.unwrap())
}

/// `(day, ref, status, runs, duration_ms, script_ms, cache_hits)` of `project_job_daily`.
async fn project_job_daily(t: &TestDb) -> Vec<(i64, String, String, i64, i64, i64, i64)> {
    with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT day, git_ref, status, runs, duration_ms, script_ms, cache_hits
         FROM project_job_daily ORDER BY day, git_ref, status").fetch_all(p).await.unwrap())
}

async fn sums_per_group(t: TestDb) {
    let p1 = pipeline(1, "main", "success", 300, DAY);
    let p2 = pipeline(2, "main", "failed", 200, DAY);
    let p3 = pipeline(3, "feature", "success", 100, DAY + 1);
    let jobs = [
        job(11, &p1, "build", "success", 90_000),
        job(12, &p2, "build", "success", 110_000),
        job(13, &p2, "test", "failed", 40_000),
        job(14, &p3, "build", "success", 50_000),
    ];
    load(&t, &[p1, p2, p3], &jobs).await;
    add_metrics(&t, 11, 80_000, 1, 0).await;
    add_metrics(&t, 12, 95_000, 0, 1).await;

    assert_eq!(
        rollups::refresh_all(&t.db).await.unwrap(),
        2,
        "two project-days were dirty"
    );
    assert_eq!(
        rollups::refresh_all(&t.db).await.unwrap(),
        0,
        "and now none"
    );

    let rows = job_daily(&t).await;
    let keys: Vec<(i64, &str, &str, &str, i64)> = rows
        .iter()
        .map(|r| (r.0, r.1.as_str(), r.2.as_str(), r.3.as_str(), r.4))
        .collect();
    assert_eq!(
        keys,
        vec![
            (DAY, "build", "main", "success", 2),
            (DAY, "test", "main", "failed", 1),
            (DAY + 1, "build", "feature", "success", 1)
        ]
    );
    let build = &rows[0];
    assert_eq!(
        (build.5, build.6, build.7, build.8, build.9, build.10),
        (200_000, 1_000, 2, 175_000, 1, 1)
    );
    let sketch = DurationSketch::decode(&build.11).unwrap();
    assert_eq!(
        (sketch.count(), sketch.quantile(0.0), sketch.quantile(1.0)),
        (2, Some(90_000.0), Some(110_000.0))
    );

    // The same sums without the job name, for the overview.
    assert_eq!(
        project_job_daily(&t).await,
        vec![
            (DAY, "main".into(), "failed".into(), 1, 40_000, 0, 0),
            (DAY, "main".into(), "success".into(), 2, 200_000, 175_000, 1),
            (DAY + 1, "feature".into(), "success".into(), 1, 50_000, 0, 0)
        ]
    );

    let pipelines: Vec<(i64, String, i64, i64)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT day, status, runs, duration_ms FROM pipeline_daily ORDER BY day, status").fetch_all(p).await.unwrap());
    assert_eq!(
        pipelines,
        vec![
            (DAY, "failed".into(), 1, 200_000),
            (DAY, "success".into(), 1, 300_000),
            (DAY + 1, "success".into(), 1, 100_000)
        ]
    );
}

async fn changes_are_picked_up(t: TestDb) {
    let p1 = pipeline(1, "main", "running", 0, DAY);
    let running = JobRecord {
        duration_ms: None,
        ..job(11, &p1, "build", "running", 0)
    };
    load(
        &t,
        std::slice::from_ref(&p1),
        std::slice::from_ref(&running),
    )
    .await;
    rollups::refresh_all(&t.db).await.unwrap();
    assert_eq!(job_daily(&t).await[0].3, "running");

    let done = job(11, &p1, "build", "success", 70_000);
    load(&t, &[pipeline(1, "main", "success", 80, DAY)], &[done]).await;
    let dirty: i64 = with_pool!(t.db.pool(), p => sqlx::query_scalar("SELECT COUNT(DISTINCT day) FROM rollup_dirty").fetch_one(p).await.unwrap());
    assert_eq!(dirty, 1);
    assert_eq!(rollups::refresh_all(&t.db).await.unwrap(), 1);
    let rows = job_daily(&t).await;
    assert_eq!(rows.len(), 1, "the running row was replaced: {rows:?}");
    assert_eq!((rows[0].3.as_str(), rows[0].5), ("success", 70_000));
    assert_eq!(
        project_job_daily(&t).await,
        vec![(DAY, "main".into(), "success".into(), 1, 70_000, 0, 0)],
        "replaced in the per-project sums too"
    );
}

/// `(day, runs)` of `pipeline_daily`, summed over its groups.
async fn pipeline_days(t: &TestDb) -> Vec<(i64, i64)> {
    with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT day, CAST(SUM(runs) AS BIGINT) FROM pipeline_daily GROUP BY day ORDER BY day")
        .fetch_all(p).await.unwrap())
}

async fn moves_refresh_both_days(t: TestDb) {
    // A job first seen without a date counts on its pipeline's day; once its own date arrives
    // (a later sync or hook), it counts there, and only there.
    let p1 = pipeline(1, "main", "running", 0, DAY);
    let undated = JobRecord {
        created_at_ms: None,
        duration_ms: None,
        ..job(11, &p1, "build", "running", 0)
    };
    load(
        &t,
        std::slice::from_ref(&p1),
        std::slice::from_ref(&undated),
    )
    .await;
    rollups::refresh_all(&t.db).await.unwrap();
    assert_eq!(job_daily(&t).await[0].0, DAY);

    let dated = JobRecord {
        created_at_ms: Some((DAY + 1) * DAY_MS + 5_000),
        ..job(11, &p1, "build", "success", 70_000)
    };
    load(&t, &[], std::slice::from_ref(&dated)).await;
    rollups::refresh_all(&t.db).await.unwrap();
    let days: Vec<(i64, String)> = job_daily(&t)
        .await
        .into_iter()
        .map(|r| (r.0, r.3))
        .collect();
    assert_eq!(
        days,
        vec![(DAY + 1, "success".into())],
        "the day it left was refreshed"
    );

    // A pipeline whose date changes moves its run, and takes its undated jobs along.
    let p2 = PipelineRecord {
        created_at_ms: None,
        ..pipeline(2, "main", "running", 0, DAY)
    };
    let undated_in_p2 = job(21, &p2, "test", "running", 0);
    load(&t, &[p2], &[undated_in_p2]).await;
    load(&t, &[pipeline(2, "main", "running", 0, DAY + 3)], &[]).await;
    rollups::refresh_all(&t.db).await.unwrap();
    assert_eq!(pipeline_days(&t).await, vec![(DAY, 1), (DAY + 3, 1)]);
    assert!(
        job_daily(&t)
            .await
            .iter()
            .any(|r| r.0 == DAY + 3 && r.1 == "test")
    );

    let later = pipeline(2, "main", "success", 90, DAY + 4);
    load(&t, &[later], &[]).await;
    rollups::refresh_all(&t.db).await.unwrap();
    assert_eq!(
        pipeline_days(&t).await,
        vec![(DAY, 1), (DAY + 4, 1)],
        "the pipeline left day +3 for day +4"
    );
    let test_days: Vec<i64> = job_daily(&t)
        .await
        .iter()
        .filter(|r| r.1 == "test")
        .map(|r| r.0)
        .collect();
    assert_eq!(test_days, vec![DAY + 4], "its undated job moved with it");
}

/// A job reported as lasting `i64::MAX` ms once overflowed the rollup's SUM on both backends,
/// and the refresher retried that day forever, so no later day was refreshed.
async fn huge_durations(t: TestDb) {
    let p1 = pipeline(1, "main", "success", 300, DAY);
    let mut build = job(11, &p1, "build", "success", 0);
    build.duration_ms = Some(i64::MAX);
    build.queued_duration_ms = Some(i64::MAX);
    let test = job(12, &p1, "test", "success", 1_000);
    load(&t, &[p1], &[build, test]).await;
    let stored: Vec<(i64, Option<i64>)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT id, duration_ms FROM jobs ORDER BY id").fetch_all(p).await.unwrap());
    assert_eq!(stored, vec![(11, Some(MAX_DURATION_MS)), (12, Some(1_000))]);

    // Rows stored before ingest clamped (or written by hand) are clamped when summed.
    with_pool!(t.db.pool(), p => sqlx::query(
        "UPDATE jobs SET duration_ms = $1, queued_duration_ms = $1")
        .bind(i64::MAX).execute(p).await.unwrap().rows_affected());
    with_pool!(t.db.pool(), p => sqlx::query(
        "UPDATE pipelines SET duration_ms = $1, queued_duration_ms = $1")
        .bind(i64::MAX).execute(p).await.unwrap().rows_affected());
    add_metrics(&t, 11, i64::MAX, 0, 0).await;
    add_metrics(&t, 12, i64::MAX, 0, 0).await;
    let mut tx = t.db.begin().await.unwrap();
    rollups::mark_jobs(&mut tx, &[11, 12]).await.unwrap();
    tx.commit().await.unwrap();
    rollups::refresh_all(&t.db).await.unwrap();

    let rows = job_daily(&t).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(
            (row.5, row.6, row.8),
            (MAX_DURATION_MS, MAX_DURATION_MS, MAX_DURATION_MS)
        );
    }
    assert_eq!(
        project_job_daily(&t).await,
        vec![(
            DAY,
            "main".into(),
            "success".into(),
            2,
            2 * MAX_DURATION_MS,
            2 * MAX_DURATION_MS,
            0
        )]
    );
    let pipelines: Vec<(i64, i64)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT duration_ms, queued_ms FROM pipeline_daily").fetch_all(p).await.unwrap());
    assert_eq!(pipelines, vec![(MAX_DURATION_MS, MAX_DURATION_MS)]);
    assert_eq!(rollups::set_aside_days(&t.db).await.unwrap(), 0);
}

/// A day whose rollup cannot be written (here a trigger refuses it) is set aside with its
/// error; the days after it are refreshed, and it is tried again later.
async fn failing_day_set_aside(t: TestDb) {
    let p1 = pipeline(1, "main", "success", 300, DAY);
    let p2 = pipeline(2, "main", "success", 200, DAY + 1);
    let jobs = [
        job(11, &p1, "build", "success", 1_000),
        job(12, &p2, "build", "success", 2_000),
    ];
    load(&t, &[p1, p2], &jobs).await;
    let plant = match t.db.backend() {
        strata_core::db::Backend::Sqlite => vec![format!(
            "CREATE TRIGGER planted_failure BEFORE INSERT ON job_daily WHEN NEW.day = {DAY} \
             BEGIN SELECT RAISE(ABORT, 'planted failure'); END"
        )],
        strata_core::db::Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION planted_failure() RETURNS trigger AS $$ BEGIN \
                 IF NEW.day = {DAY} THEN RAISE EXCEPTION 'planted failure'; END IF; RETURN NEW; \
                 END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER planted_failure BEFORE INSERT ON job_daily \
             FOR EACH ROW EXECUTE FUNCTION planted_failure()"
                .to_owned(),
        ],
    };
    for statement in &plant {
        with_pool!(t.db.pool(), p => sqlx::query(statement).execute(p).await.unwrap().rows_affected());
    }

    assert_eq!(
        rollups::refresh_all(&t.db).await.unwrap(),
        1,
        "the other day"
    );
    let days: Vec<i64> = job_daily(&t).await.iter().map(|r| r.0).collect();
    assert_eq!(days, vec![DAY + 1]);
    let failed: Vec<(i64, i64, String)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT project_id, day, error FROM rollup_failed").fetch_all(p).await.unwrap());
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].0, failed[0].1), (1, DAY));
    assert!(failed[0].2.contains("planted failure"), "{}", failed[0].2);
    assert_eq!(rollups::set_aside_days(&t.db).await.unwrap(), 1);
    let dirty: i64 = with_pool!(t.db.pool(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM rollup_dirty").fetch_one(p).await.unwrap());
    assert_eq!(dirty, 0, "the failing day no longer blocks the queue");

    // Fixed, and due for a retry: refreshed and no longer set aside.
    let unplant = match t.db.backend() {
        strata_core::db::Backend::Sqlite => "DROP TRIGGER planted_failure",
        strata_core::db::Backend::Postgres => "DROP TRIGGER planted_failure ON job_daily",
    };
    with_pool!(t.db.pool(), p => sqlx::query(unplant).execute(p).await.unwrap().rows_affected());
    let now_ms = chrono::Utc::now().timestamp_millis();
    assert_eq!(
        rollups::retry_set_aside(&t.db, now_ms).await.unwrap(),
        0,
        "not yet due"
    );
    let later = now_ms + rollups::RETRY_SET_ASIDE_AFTER_MS + 1;
    assert_eq!(rollups::retry_set_aside(&t.db, later).await.unwrap(), 1);
    assert_eq!(rollups::refresh_all(&t.db).await.unwrap(), 1);
    let days: Vec<i64> = job_daily(&t).await.iter().map(|r| r.0).collect();
    assert_eq!(days, vec![DAY, DAY + 1]);
    assert_eq!(rollups::set_aside_days(&t.db).await.unwrap(), 0);
}
