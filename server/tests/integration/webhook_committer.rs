//! Group commit of webhook deliveries, on both backends: deliveries stored together each get
//! their own outcome, and one that fails is rolled back alone.

use crate::{support, support::webhooks as hooks};
use strata_core::on_both_backends;

use hooks::{job_hook, pipeline_hook};
use std::sync::atomic::{AtomicBool, Ordering};

use futures::FutureExt;
use strata::webhooks::{
    committer::{BatchResult, Committer, Received, store_together},
    delivery::{DeliveryKey, Outcome},
    payload::{self, HookKind},
    to_records,
};
use strata_core::with_pool;
use support::TestDb;

on_both_backends! {
    deliveries_stored_together_keep_their_own_outcomes_and_a_failing_one_is_rolled_back_alone => batch;
}

fn received(kind: HookKind, body: &serde_json::Value, key: &str) -> Received {
    let payload = body.to_string();
    let hook = payload::parse(kind, payload.as_bytes()).expect("valid payload");
    Received {
        key: DeliveryKey {
            key: key.to_owned(),
            event_uuid: None,
        },
        event: kind.header(),
        records: to_records::records(&hook),
        payload,
        received_ms: 1_700_000_000_000,
    }
}

async fn strings(t: &TestDb, sql: &str) -> Vec<String> {
    with_pool!(t.db.pool(), p => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await).unwrap()
}

async fn batch(t: TestDb) {
    // A pipeline of a project nobody registered: its foreign key fails mid-delivery, after
    // the delivery row was written.
    let mut orphan = received(
        HookKind::Pipeline,
        &pipeline_hook(7, 700, &[7001], "running"),
        "orphan",
    );
    orphan.records.pipeline.project_id = 987_654;
    let pipeline = received(
        HookKind::Pipeline,
        &pipeline_hook(5, 500, &[5001, 5002], "running"),
        "pipeline",
    );
    let again = received(
        HookKind::Pipeline,
        &pipeline_hook(5, 500, &[5001, 5002], "running"),
        "pipeline",
    );
    let job = received(HookKind::Job, &job_hook(5, 500, 5001, "success"), "job");

    let outcomes = store_together(&t.db, &[&orphan, &pipeline, &again, &job])
        .await
        .expect("the batch's transaction commits");

    assert_eq!(outcomes.len(), 4);
    assert!(outcomes[0].is_err(), "the orphan fails: {:?}", outcomes[0]);
    assert!(
        matches!(outcomes[1], Ok(Outcome::Stored { .. })),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(outcomes[2], Ok(Outcome::Duplicate)),
        "{:?}",
        outcomes[2]
    );
    assert!(
        matches!(outcomes[3], Ok(Outcome::Stored { .. })),
        "{:?}",
        outcomes[3]
    );
    assert_eq!(
        strings(
            &t,
            "SELECT delivery_key FROM webhook_deliveries ORDER BY delivery_key"
        )
        .await,
        ["job", "pipeline"]
    );
    assert_eq!(
        strings(&t, "SELECT CAST(id AS TEXT) FROM pipelines ORDER BY id").await,
        ["500"]
    );
    assert_eq!(
        strings(&t, "SELECT status FROM jobs WHERE id = 5001").await,
        ["success"],
        "the job hook stored in the same transaction moved the job on"
    );
    assert_eq!(
        strings(&t, "SELECT CAST(id AS TEXT) FROM projects ORDER BY id").await,
        ["5"],
        "nothing of the orphan's delivery remains"
    );
}

static PANICKED: AtomicBool = AtomicBool::new(false);

/// Stores like the committer does, except that the first batch panics midway.
fn panics_once<'a>(
    db: &'a strata_core::db::Db,
    batch: &'a [&'a Received],
) -> futures::future::BoxFuture<'a, BatchResult> {
    async move {
        if !PANICKED.swap(true, Ordering::SeqCst) {
            let mut tx = db.begin().await.unwrap();
            strata::webhooks::delivery::store_in(&mut tx, &batch[0].delivery(), &batch[0].records)
                .await
                .unwrap();
            panic!("a bug while storing, after the first delivery's rows were written");
        }
        store_together(db, batch).await
    }
    .boxed()
}

/// A panic while storing refuses that batch, leaves none of its rows behind, and the
/// committer goes on storing the next deliveries (SQLite: PostgreSQL has no committer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_while_storing_refuses_its_batch_and_the_committer_goes_on() {
    let t = TestDb::sqlite().await;
    let committer = Committer::with_store(t.db.clone(), panics_once);
    let first = || received(HookKind::Job, &job_hook(5, 500, 5001, "success"), "first");
    let refused = committer.store(first()).await;
    assert!(
        refused.is_err(),
        "the panicking batch is refused: {refused:?}"
    );
    assert!(
        strings(&t, "SELECT delivery_key FROM webhook_deliveries")
            .await
            .is_empty(),
        "the panicking batch's transaction was rolled back"
    );
    let next = received(
        HookKind::Pipeline,
        &pipeline_hook(5, 500, &[5001], "running"),
        "next",
    );
    assert!(matches!(
        committer.store(next).await,
        Ok(Outcome::Stored { .. })
    ));
    // GitLab retries the refused delivery, and now it is stored.
    assert!(matches!(
        committer.store(first()).await,
        Ok(Outcome::Stored { .. })
    ));
    assert_eq!(
        strings(
            &t,
            "SELECT delivery_key FROM webhook_deliveries ORDER BY delivery_key"
        )
        .await,
        ["first", "next"]
    );
}
