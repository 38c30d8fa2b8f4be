//! Upserts and the trace queue against real databases: what webhooks and sync rely on.

use strata_core::{on_both_backends, testing as support};

use strata_core::{
    store::{
        records::{JobRecord, PipelineRecord, ProjectRecord, Upserted},
        trace_queue, writes,
    },
    with_pool,
};
use support::TestDb;

on_both_backends! {
    pipelines_insert_then_merge_then_ignore_duplicates => pipeline_upserts;
    job_statuses_only_move_forward_whatever_the_order => job_order;
    finished_jobs_enter_the_trace_queue_once => queue_once;
    claims_lease_jobs_and_leases_expire => claim_leases;
    retries_and_give_ups_leave_the_queue_consistent => retry_and_give_up;
    projects_keep_known_urls => project_upserts;
}

fn project() -> ProjectRecord {
    ProjectRecord {
        id: 10,
        path: "acme/web".into(),
        name: "web".into(),
        web_url: Some("https://gitlab/acme/web".into()),
        default_branch: Some("main".into()),
    }
}

fn pipeline(status: &str) -> PipelineRecord {
    PipelineRecord {
        id: 100,
        project_id: 10,
        git_ref: Some("main".into()),
        status: status.into(),
        created_at_ms: Some(1_000),
        ..Default::default()
    }
}

fn job(id: i64, status: &str) -> JobRecord {
    JobRecord {
        id,
        project_id: 10,
        pipeline_id: 100,
        name: "build".into(),
        stage: Some("build".into()),
        status: status.into(),
        ..Default::default()
    }
}

async fn seed(t: &TestDb) {
    let mut tx = t.db.begin().await.unwrap();
    writes::upsert_project(&mut tx, &project(), 1)
        .await
        .unwrap();
    writes::upsert_pipeline(&mut tx, &pipeline("running"), 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn stored_job(t: &TestDb, id: i64) -> (String, Option<i64>, Option<i64>, bool) {
    with_pool!(t.db.pool(), p => sqlx::query_as::<_, (String, Option<i64>, Option<i64>, bool)>(
        "SELECT status, duration_ms, started_at_ms, retried FROM jobs WHERE id = $1").bind(id).fetch_one(p).await.unwrap())
}

async fn pipeline_upserts(t: TestDb) {
    let mut tx = t.db.begin().await.unwrap();
    writes::upsert_project(&mut tx, &project(), 1)
        .await
        .unwrap();
    assert_eq!(
        writes::upsert_pipeline(&mut tx, &pipeline("pending"), 1)
            .await
            .unwrap(),
        Upserted::Inserted
    );
    let done = PipelineRecord {
        duration_ms: Some(300_000),
        finished_at_ms: Some(9_000),
        details_synced: true,
        ..pipeline("success")
    };
    assert_eq!(
        writes::upsert_pipeline(&mut tx, &done, 2).await.unwrap(),
        Upserted::Updated
    );
    assert_eq!(
        writes::upsert_pipeline(&mut tx, &done, 3).await.unwrap(),
        Upserted::Unchanged
    );
    assert_eq!(
        writes::upsert_pipeline(&mut tx, &pipeline("running"), 4)
            .await
            .unwrap(),
        Upserted::Unchanged
    );
    tx.commit().await.unwrap();
    let row: (String, Option<i64>, bool, i64) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT status, duration_ms, details_synced, changed_ms FROM pipelines WHERE id = 100").fetch_one(p).await.unwrap());
    assert_eq!(row, ("success".into(), Some(300_000), true, 2));
}

async fn job_order(t: TestDb) {
    seed(&t).await;
    let mut tx = t.db.begin().await.unwrap();
    let success = JobRecord {
        duration_ms: Some(95_000),
        finished_at_ms: Some(200_000),
        ..job(1, "success")
    };
    assert_eq!(
        writes::upsert_job(&mut tx, &success, 1).await.unwrap(),
        Upserted::Inserted
    );
    let late_running = JobRecord {
        started_at_ms: Some(100_000),
        ..job(1, "running")
    };
    assert_eq!(
        writes::upsert_job(&mut tx, &late_running, 2).await.unwrap(),
        Upserted::Updated,
        "fills started_at"
    );
    let late_pending = job(1, "pending");
    assert_eq!(
        writes::upsert_job(&mut tx, &late_pending, 3).await.unwrap(),
        Upserted::Unchanged
    );
    let retried = JobRecord {
        retried: Some(true),
        ..job(1, "success")
    };
    writes::upsert_job(&mut tx, &retried, 4).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        stored_job(&t, 1).await,
        ("success".into(), Some(95_000), Some(100_000), true)
    );
}

async fn queue_once(t: TestDb) {
    seed(&t).await;
    let mut tx = t.db.begin().await.unwrap();
    writes::upsert_job(&mut tx, &job(1, "running"), 1)
        .await
        .unwrap();
    assert!(
        !trace_queue::enqueue_if_finished(&mut tx, 1, 10)
            .await
            .unwrap(),
        "a running job has no log yet"
    );
    writes::upsert_job(&mut tx, &job(1, "success"), 2)
        .await
        .unwrap();
    assert!(
        trace_queue::enqueue_if_finished(&mut tx, 1, 10)
            .await
            .unwrap()
    );
    assert!(
        !trace_queue::enqueue_if_finished(&mut tx, 1, 11)
            .await
            .unwrap(),
        "only once"
    );
    writes::upsert_job(&mut tx, &job(2, "skipped"), 2)
        .await
        .unwrap();
    assert!(
        !trace_queue::enqueue_if_finished(&mut tx, 2, 10)
            .await
            .unwrap(),
        "skipped jobs never ran"
    );
    tx.commit().await.unwrap();
    assert_eq!(trace_queue::depth(&t.db).await.unwrap(), (1, Some(10)));
}

async fn enqueue_jobs(t: &TestDb, ids: &[i64]) {
    seed(t).await;
    let mut tx = t.db.begin().await.unwrap();
    for &id in ids {
        writes::upsert_job(&mut tx, &job(id, "success"), 1)
            .await
            .unwrap();
        trace_queue::enqueue_if_finished(&mut tx, id, 100)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn claim_leases(t: TestDb) {
    enqueue_jobs(&t, &[1, 2, 3]).await;
    let first = trace_queue::claim(&t.db, 2, 1_000, 100).await.unwrap();
    assert_eq!(
        first.iter().map(|q| q.job_id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(first.iter().all(|q| q.attempts == 1 && q.project_id == 10));
    let second = trace_queue::claim(&t.db, 10, 1_000, 200).await.unwrap();
    assert_eq!(
        second.iter().map(|q| q.job_id).collect::<Vec<_>>(),
        vec![3],
        "leased jobs are not handed out twice"
    );
    assert!(
        trace_queue::claim(&t.db, 10, 1_000, 500)
            .await
            .unwrap()
            .is_empty()
    );
    // The first worker died: its lease runs out and the jobs come back.
    let again = trace_queue::claim(&t.db, 10, 1_000, 1_100).await.unwrap();
    assert_eq!(
        again
            .iter()
            .map(|q| (q.job_id, q.attempts))
            .collect::<Vec<_>>(),
        vec![(1, 2), (2, 2)]
    );
}

async fn retry_and_give_up(t: TestDb) {
    enqueue_jobs(&t, &[1, 2]).await;
    trace_queue::claim(&t.db, 10, 1_000, 100).await.unwrap();
    trace_queue::retry_later(&t.db, 1, "503 from GitLab", 5_000)
        .await
        .unwrap();
    trace_queue::give_up(&t.db, 2, "unavailable", "404: log erased")
        .await
        .unwrap();
    assert!(
        trace_queue::claim(&t.db, 10, 1_000, 4_999)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let due = trace_queue::claim(&t.db, 10, 1_000, 5_000).await.unwrap();
    assert_eq!(due.iter().map(|q| q.job_id).collect::<Vec<_>>(), vec![1]);
    let mut tx = t.db.begin().await.unwrap();
    trace_queue::finish(&mut tx, &[1]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(trace_queue::depth(&t.db).await.unwrap(), (0, None));
    let status: String = with_pool!(t.db.pool(), p => sqlx::query_scalar("SELECT trace_status FROM jobs WHERE id = 2").fetch_one(p).await.unwrap());
    assert_eq!(status, "unavailable");
}

async fn project_upserts(t: TestDb) {
    let mut tx = t.db.begin().await.unwrap();
    assert!(
        writes::upsert_project(&mut tx, &project(), 1)
            .await
            .unwrap()
            .changed()
    );
    assert!(
        !writes::upsert_project(&mut tx, &project(), 2)
            .await
            .unwrap()
            .changed()
    );
    let renamed = ProjectRecord {
        path: "acme/website".into(),
        web_url: None,
        default_branch: None,
        ..project()
    };
    assert!(
        writes::upsert_project(&mut tx, &renamed, 3)
            .await
            .unwrap()
            .changed()
    );
    writes::ensure_project(&mut tx, 10, Some("ignored/path"), 4)
        .await
        .unwrap();
    writes::ensure_project(&mut tx, 11, None, 4).await.unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(i64, String, Option<String>)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT id, path, web_url FROM projects ORDER BY id").fetch_all(p).await.unwrap());
    assert_eq!(
        rows,
        vec![
            (
                10,
                "acme/website".into(),
                Some("https://gitlab/acme/web".into())
            ),
            (11, "project-11".into(), None),
        ]
    );
}

/// Two workers claiming at once on PostgreSQL never get the same job (SKIP LOCKED).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_on_postgres_never_overlap() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let ids: Vec<i64> = (1..=200).collect();
    enqueue_jobs(&t, &ids).await;
    let mut handles = Vec::new();
    for _ in 0..8 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = trace_queue::claim(&db, 7, 60_000, 1_000).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|q| q.job_id));
            }
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort();
    assert_eq!(all, ids, "every job claimed exactly once");
}
