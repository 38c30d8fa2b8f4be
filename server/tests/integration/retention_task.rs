//! The retention purge as `strata serve` runs it: in the background, on the configured
//! retention, keeping rollups; off when retention is off.

use crate::support;
use strata_core::on_both_backends;

use std::time::Duration;

use strata::ingest::retention_task;
use strata_core::{
    model::filters::DAY_MS,
    store::{
        records::{PipelineRecord, ProjectRecord},
        retention, rollups, writes,
    },
    with_pool,
};
use support::TestDb;
use tokio_util::sync::CancellationToken;

on_both_backends! {
    background_purge_removes_old_pipelines_and_keeps_rollups => background_purge;
    retention_off_keeps_everything => retention_off;
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    with_pool!(t.db.pool(), p => sqlx::query_scalar(sql).fetch_one(p).await.unwrap())
}

/// Pipelines 400, 30 and 1 days old.
async fn seed(t: &TestDb) {
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 1,
        path: "g/p".into(),
        name: "p".into(),
        ..Default::default()
    };
    writes::upsert_project(&mut tx, &project, now)
        .await
        .unwrap();
    for (id, age_days) in [(1_i64, 400_i64), (2, 30), (3, 1)] {
        let pipeline = PipelineRecord {
            id,
            project_id: 1,
            status: "success".into(),
            created_at_ms: Some(now - age_days * DAY_MS),
            duration_ms: Some(60_000),
            ..Default::default()
        };
        writes::upsert_pipeline(&mut tx, &pipeline, now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    rollups::refresh_all(&t.db).await.unwrap();
}

async fn background_purge(t: TestDb) {
    seed(&t).await;
    let rollups_before = count(&t, "SELECT COUNT(*) FROM pipeline_daily").await;
    assert!(rollups_before >= 3, "one rollup row per day with pipelines");

    let cancel = CancellationToken::new();
    let task = tokio::spawn(retention_task::run(
        t.db.clone(),
        Some(90),
        Duration::ZERO,
        Duration::from_secs(3600),
        cancel.clone(),
    ));
    // The first purge starts at once; wait for it (bounded, so a broken task fails the test).
    let mut left = 0;
    for _ in 0..300 {
        left = count(&t, "SELECT COUNT(*) FROM pipelines").await;
        if left == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cancel.cancel();
    task.await.unwrap();
    assert_eq!(left, 2, "only the 400-day-old pipeline goes");
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM pipelines WHERE id = 1").await,
        0
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM pipeline_daily").await,
        rollups_before,
        "rollups are kept forever"
    );
}

async fn retention_off(t: TestDb) {
    seed(&t).await;
    // With retention off the task ends at once instead of waiting for its first round.
    retention_task::run(
        t.db.clone(),
        None,
        Duration::ZERO,
        Duration::ZERO,
        CancellationToken::new(),
    )
    .await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM pipelines").await, 3);
}

#[test]
fn the_rollup_refresher_stops_at_the_retention_boundary() {
    assert_eq!(retention_task::first_kept_day(None), None);
    let now = chrono::Utc::now().timestamp_millis();
    let day = retention_task::first_kept_day(Some(365)).unwrap();
    // Computed from the clock: the boundary is today or, across midnight, tomorrow's.
    let expected = retention::first_kept_day(365, now);
    assert!(
        day == expected || day == expected + 1,
        "{day} vs {expected}"
    );
}
