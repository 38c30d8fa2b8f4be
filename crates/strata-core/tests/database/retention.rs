//! Retention: old pipelines, jobs and raw deliveries go; daily rollups stay.

use strata_core::{on_both_backends, testing as support};

use std::time::Duration;

use strata_core::{
    model::filters::DAY_MS,
    store::{
        records::{JobRecord, PipelineRecord, ProjectRecord},
        retention, rollups, writes,
    },
    with_pool,
};
use support::TestDb;

on_both_backends! {
    purge_deletes_exactly_what_is_past_retention_and_keeps_rollups => purge_keeps_rollups;
}

const NOW: i64 = 20_000 * DAY_MS + 12 * 3_600_000;

async fn count(t: &TestDb, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    with_pool!(t.db.pool(), p => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap())
}

async fn purge_keeps_rollups(t: TestDb) {
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 1,
        path: "g/p".into(),
        name: "p".into(),
        ..Default::default()
    };
    writes::upsert_project(&mut tx, &project, 0).await.unwrap();
    // Pipelines 400, 365, 364 and 10 days old (one job each); retention keeps 365 days,
    // today and the 364 before it, so the first two go.
    for (id, age_days) in [(1_i64, 400_i64), (2, 365), (3, 364), (4, 10)] {
        let created = NOW - age_days * DAY_MS;
        let pipeline = PipelineRecord {
            id,
            project_id: 1,
            status: "success".into(),
            created_at_ms: Some(created),
            duration_ms: Some(60_000),
            ..Default::default()
        };
        writes::upsert_pipeline(&mut tx, &pipeline, 0)
            .await
            .unwrap();
        let job = JobRecord {
            id: id * 10,
            project_id: 1,
            pipeline_id: id,
            name: "build".into(),
            status: "success".into(),
            created_at_ms: Some(created),
            duration_ms: Some(50_000),
            ..Default::default()
        };
        writes::upsert_job(&mut tx, &job, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
    rollups::refresh_all(&t.db).await.unwrap();
    with_pool!(t.db.pool(), p => {
        for (id, age_days) in [(1_i64, 400_i64), (2, 2)] {
            sqlx::query("INSERT INTO webhook_deliveries (delivery_key, event, received_ms, outcome, payload) VALUES ($1, 'Pipeline Hook', $2, 'stored', '{}')")
                .bind(format!("k{id}")).bind(NOW - age_days * DAY_MS).execute(p).await.unwrap();
        }
    });
    assert_eq!(count(&t, "job_daily").await, 4);

    let version = || async {
        with_pool!(t.db.pool(), p => sqlx::query_scalar::<_, i64>("SELECT data_version FROM projects WHERE id = 1").fetch_one(p).await.unwrap())
    };
    let before = version().await;
    let purged = retention::purge(&t.db, 365, NOW, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!((purged.pipelines, purged.deliveries), (2, 1));
    assert!(
        version().await > before,
        "reports computed before the purge are recomputed"
    );
    let kept: Vec<i64> = with_pool!(t.db.pool(), p => sqlx::query_scalar("SELECT id FROM pipelines ORDER BY id").fetch_all(p).await.unwrap());
    assert_eq!(kept, vec![3, 4]);
    assert_eq!(count(&t, "jobs").await, 2, "jobs went with their pipelines");
    assert_eq!(count(&t, "webhook_deliveries").await, 1);
    assert_eq!(
        count(&t, "job_daily").await,
        4,
        "daily rollups are kept forever"
    );

    // A late event re-creates an old pipeline: its day is past retention, so the rollup of
    // that day is not recomputed from what little is left.
    let mut tx = t.db.begin().await.unwrap();
    let late = PipelineRecord {
        id: 1,
        project_id: 1,
        status: "success".into(),
        created_at_ms: Some(NOW - 400 * DAY_MS),
        ..Default::default()
    };
    writes::upsert_pipeline(&mut tx, &late, 0).await.unwrap();
    tx.commit().await.unwrap();
    rollups::refresh_all_kept(&t.db, Some(retention::first_kept_day(365, NOW)))
        .await
        .unwrap();
    let old_runs: i64 = with_pool!(t.db.pool(), p => sqlx::query_scalar("SELECT runs FROM job_daily WHERE day = $1")
        .bind((NOW - 400 * DAY_MS) / DAY_MS).fetch_one(p).await.unwrap());
    assert_eq!(old_runs, 1, "the purged job is still counted in its day");
    assert_eq!(count(&t, "rollup_dirty").await, 0);
    assert_eq!(
        retention::purge(&t.db, 365, NOW, Duration::ZERO)
            .await
            .unwrap()
            .pipelines,
        1
    );
}
