//! Sync against a scripted GitLab on both backends: backfill, catching up, idempotence,
//! resuming after a failure or a kill, and lists longer than GitLab gives totals for.

use crate::{
    support,
    support::{scripted_data, sync_harness},
};
use strata_core::on_both_backends;

use std::{sync::Arc, time::Duration};

use scripted_data::{FakeJob, generate, recent_ms};
use strata::{
    gitlab::ProjectRef,
    ingest::{SyncError, progress::Progress},
};
use strata_core::{db::Db, instant::parse_epoch_ms};
use support::TestDb;
use sync_harness::*;
use tokio_util::sync::CancellationToken;

on_both_backends! {
    a_first_sync_backfills_every_pipeline_job_and_log => full_backfill;
    a_later_sync_fetches_only_new_and_changed_pipelines => incremental;
    syncing_twice_changes_nothing => twice;
    a_sync_that_failed_midway_resumes_without_gaps_or_duplicates => resume_after_fault;
    a_sync_killed_midway_resumes_without_gaps_or_duplicates => resume_after_kill;
    a_sync_cancelled_midway_resumes_without_gaps_or_duplicates => resume_after_cancel;
    lists_beyond_ten_thousand_pipelines_sync_without_totals => beyond_ten_thousand;
    a_pipeline_updated_while_the_list_is_read_moves_none_out_of_it => list_moves_under_it;
}

async fn full_backfill(t: TestDb) {
    let gitlab = gitlab_with(250, 4).await;
    let summary = sync_ok(&t.db, &gitlab).await;
    assert_matches_gitlab(&t.db, &gitlab).await;

    // 250 × 4 jobs, plus an older failed attempt of `build` in every 10th pipeline.
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM jobs").await, 1_025);
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) FROM jobs WHERE retried").await,
        25
    );
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM jobs WHERE retried AND status = 'failed' AND name = 'build'"
        )
        .await,
        25
    );
    // Skipped jobs never ran: no start, no log to fetch.
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) FROM jobs WHERE status = 'skipped' AND started_at_ms IS NULL AND trace_status = 'none'").await,
        250
    );
    // Every job that ran and finished waits for its log, once.
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 775);
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM jobs WHERE trace_status = 'queued'"
        )
        .await,
        775
    );
    // Details were stored: durations are in milliseconds, job durations from float seconds.
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM pipelines WHERE duration_ms = 48000 AND queued_duration_ms = 2000"
        )
        .await,
        250
    );
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM jobs WHERE name = 'lint' AND duration_ms = 6250"
        )
        .await,
        250
    );
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM jobs WHERE artifacts_bytes = 4096"
        )
        .await,
        275
    );

    let newest = gitlab.data().pipelines.values().map(|p| p.updated_ms).max();
    assert_eq!(
        count(
            &t.db,
            "SELECT watermark_ms FROM sync_state WHERE project_id = 42"
        )
        .await,
        newest.unwrap()
    );
    // project, 3 list pages, then one details and one jobs request per pipeline.
    assert_eq!(gitlab.counts().snapshot(), [1, 3, 250, 250, 0]);
    assert_eq!(summary.requests, 504);
    assert_eq!(
        (summary.pipelines_new, summary.jobs, summary.jobs_written),
        (250, 1_025, 1_025)
    );
}

async fn incremental(t: TestDb) {
    let gitlab = gitlab_with(250, 4).await;
    sync_ok(&t.db, &gitlab).await;
    let watermark = count(&t.db, "SELECT watermark_ms FROM sync_state").await;
    let before = gitlab.counts().snapshot();

    // Five new pipelines, and two old ones retried a job since.
    let later = recent_ms() + 120_000;
    {
        let mut data = gitlab.data();
        for mut p in generate(42, 5_000, 5, 4) {
            p.updated_ms = later + p.id;
            data.pipelines.insert(p.id, p);
        }
        for id in [1_010, 1_200] {
            let p = data.pipelines.get_mut(&id).unwrap();
            p.updated_ms = later;
            p.duration_s = Some(95);
            let retry = FakeJob {
                id: id * 100 + 99,
                ..p.jobs[1].clone()
            };
            p.jobs.push(retry);
        }
    }
    let summary = sync_ok(&t.db, &gitlab).await;
    assert_matches_gitlab(&t.db, &gitlab).await;

    let after = gitlab.counts().snapshot();
    let delta: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    // The overlap re-lists the last ten minutes, but unchanged finished pipelines cost nothing.
    assert_eq!(delta, [1, 1, 7, 7, 0]);
    assert_eq!((summary.pipelines_new, summary.pipelines_updated), (5, 2));
    assert!(summary.pipelines_unchanged >= 9, "{summary:?}");

    let asked = gitlab
        .shared
        .updated_after
        .lock()
        .unwrap()
        .last()
        .cloned()
        .flatten();
    assert_eq!(
        asked.and_then(|t| parse_epoch_ms(&t)),
        Some(watermark - 10 * 60 * 1_000),
        "the second list starts ten minutes before the watermark"
    );
    // The old `lint` of a retried pipeline is now marked retried; the new one is not.
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) FROM jobs WHERE pipeline_id IN (1010, 1200) AND name = 'lint' AND retried").await,
        2
    );
    assert_eq!(
        count(&t.db, "SELECT duration_ms FROM pipelines WHERE id = 1200").await,
        95_000
    );
}

async fn twice(t: TestDb) {
    let gitlab = gitlab_with(120, 3).await;
    sync_ok(&t.db, &gitlab).await;
    let first = snapshot(&t.db).await;
    let before = gitlab.counts().snapshot();

    let summary = sync_ok(&t.db, &gitlab).await;
    let second = snapshot(&t.db).await;
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a, b);
    }
    let delta: Vec<u64> = gitlab
        .counts()
        .snapshot()
        .iter()
        .zip(before)
        .map(|(a, b)| a - b)
        .collect();
    assert_eq!(delta, [1, 1, 0, 0, 0], "only the project and one list page");
    assert_eq!(
        (
            summary.pipelines_new,
            summary.pipelines_updated,
            summary.jobs
        ),
        (0, 0, 0)
    );
}

async fn resume_after_fault(t: TestDb) {
    let gitlab = gitlab_with(250, 4).await;
    // The jobs of the 150th pipeline (page two) keep failing.
    gitlab.faults().jobs_fail_for.insert(1_149);
    let (failures, _) = sync_once(&t.db, &gitlab).await;
    assert_eq!(failures.len(), 1);
    let message = failures[0].to_string();
    assert!(
        message.contains("/pipelines/1149/jobs") && message.contains("500"),
        "{message}"
    );
    let error = with_error(&t).await;
    assert!(error.contains("1149"), "{error}");

    // Page one is complete and the watermark sits at its end, not beyond.
    let stored = count(&t.db, "SELECT COUNT(*) FROM pipelines").await;
    assert!((100..250).contains(&stored), "{stored}");
    let page_one_end = gitlab.data().pipelines[&1_099].updated_ms;
    assert_eq!(
        count(&t.db, "SELECT watermark_ms FROM sync_state").await,
        page_one_end
    );
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) FROM pipelines WHERE id = 1149").await,
        0
    );

    gitlab.faults().jobs_fail_for.clear();
    sync_ok(&t.db, &gitlab).await;
    assert_matches_gitlab(&t.db, &gitlab).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 775);
    assert_eq!(with_error(&t).await, "");
}

async fn with_error(t: &TestDb) -> String {
    strata_core::with_pool!(t.db.pool(), p => sqlx::query_as::<_, (Option<String>,)>(
        "SELECT last_error FROM sync_state").fetch_one(p).await.unwrap().0.unwrap_or_default())
}

async fn resume_after_kill(t: TestDb) {
    let gitlab = Arc::new(gitlab_with(300, 4).await);
    let handle = {
        let (db, gitlab) = (t.db.clone(), gitlab.clone());
        tokio::spawn(async move { sync_ok(&db, &gitlab).await })
    };
    wait_for_pipelines(&t.db, 130).await;
    // Killed as a crash would: mid-request, mid-transaction.
    handle.abort();
    assert!(handle.await.unwrap_err().is_cancelled());
    // The restarted process opens the database afresh.
    t.db.close().await;
    let db = strata_core::db::open(&t.url).await.unwrap();
    assert_partial_but_consistent(&db).await;

    sync_ok(&db, &gitlab).await;
    assert_matches_gitlab(&db, &gitlab).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs").await, 1_230);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM trace_queue").await, 930);
    db.close().await;
}

async fn resume_after_cancel(t: TestDb) {
    let gitlab = Arc::new(gitlab_with(300, 4).await);
    let cancel = CancellationToken::new();
    let handle = {
        let (db, gitlab, cancel) = (t.db.clone(), gitlab.clone(), cancel.clone());
        tokio::spawn(async move {
            let client = client_for(&gitlab);
            let progress = Arc::new(Progress::hidden());
            syncer(&db, &client, &progress)
                .sync_all(&[ProjectRef::Path(PROJECT_PATH.into())], &cancel)
                .await
        })
    };
    wait_for_pipelines(&t.db, 130).await;
    // Stopped as Ctrl-C or a server shutdown does: work in flight finishes or is dropped
    // before it touches the database.
    cancel.cancel();
    let failures = handle.await.unwrap();
    assert!(
        matches!(failures.as_slice(), [(_, SyncError::Cancelled)]),
        "{failures:?}"
    );
    assert_partial_but_consistent(&t.db).await;

    // The same process syncs again on the same pool.
    sync_ok(&t.db, &gitlab).await;
    assert_matches_gitlab(&t.db, &gitlab).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM trace_queue").await, 930);
}

async fn wait_for_pipelines(db: &Db, at_least: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while count(db, "SELECT COUNT(*) FROM pipelines").await < at_least {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sync never got going"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Stopped midway: some pipelines stored, each with all its jobs.
async fn assert_partial_but_consistent(db: &Db) {
    let stored = count(db, "SELECT COUNT(*) FROM pipelines").await;
    assert!(
        stored < 300,
        "the sync finished before it was stopped ({stored})"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM pipelines WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.pipeline_id = pipelines.id)").await,
        0
    );
}

async fn beyond_ten_thousand(t: TestDb) {
    let gitlab = gitlab_with(10_050, 0).await;
    let summary = sync_ok(&t.db, &gitlab).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM pipelines").await, 10_050);
    assert_eq!(summary.pipelines_new, 10_050);
    // 102 pages, the first without X-Total: each page after the first lists the one before's
    // last pipeline again (it is the anchor), so 100 + 101 × 99 ≥ 10,050.
    assert_eq!(gitlab.counts().snapshot()[1], 102);
    assert_matches_gitlab(&t.db, &gitlab).await;
}

async fn list_moves_under_it(t: TestDb) {
    // The oldest pipeline (first page) is updated before the second page is asked for: it
    // moves to the end, and by offset the second page would start one pipeline late.
    let gitlab = gitlab_with(250, 0).await;
    gitlab.shared.faults.lock().unwrap().updated_before_list = Some((2, 1_000));
    let summary = sync_ok(&t.db, &gitlab).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM pipelines").await, 250);
    assert_eq!(summary.pipelines_new, 250);
    assert_matches_gitlab(&t.db, &gitlab).await;
    // Each next page asked for from the last update listed, a millisecond before it.
    let asked = gitlab.shared.updated_after.lock().unwrap().clone();
    let after: Vec<Option<i64>> = asked
        .iter()
        .map(|t| t.as_deref().and_then(parse_epoch_ms))
        .collect();
    // Page two follows the first page's last pipeline (id 1,099, the 100th oldest).
    let hundredth = gitlab.data().pipelines[&1_099].updated_ms;
    assert_eq!(after[1], Some(hundredth - 1), "{asked:?}");
    assert_eq!(after.len(), 3, "three pages: {asked:?}");
}
