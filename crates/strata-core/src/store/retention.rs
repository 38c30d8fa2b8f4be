//! Data lifecycle: pipelines and jobs (with their phases and operations) and raw webhook
//! payloads older than the retention period are deleted; daily rollups are kept forever, so
//! long-term trends survive the purge. Raw job logs are never stored in the first place.
//!
//! The purge runs in small batches, each its own short transaction, so ingestion is never
//! blocked for long (on SQLite a batch holds the write lock for milliseconds).

use std::time::Duration;

use crate::{db::Db, model::filters::DAY_MS, with_tx};

/// What one purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub pipelines: u64,
    pub deliveries: u64,
}

/// Rows deleted per transaction.
const BATCH: i64 = 500;

/// The first UTC day that is kept, for `retention_days` counted back from `now_ms`.
pub fn first_kept_day(retention_days: i64, now_ms: i64) -> i64 {
    now_ms.div_euclid(DAY_MS) - retention_days + 1
}

/// Delete what is older than `retention_days`, in batches with a pause between them.
#[tracing::instrument(skip(db))]
pub async fn purge(
    db: &Db,
    retention_days: i64,
    now_ms: i64,
    pause: Duration,
) -> sqlx::Result<Purged> {
    let cutoff_ms = first_kept_day(retention_days, now_ms) * DAY_MS;
    let mut purged = Purged::default();
    // Jobs, phases, cache/artifact ops, Docker rows, metrics and queue entries go with their
    // pipeline (ON DELETE CASCADE).
    const PIPELINES: &str = "
        DELETE FROM pipelines WHERE id IN (
            SELECT id FROM pipelines WHERE created_at_ms < $1 ORDER BY created_at_ms LIMIT $2)";
    const DELIVERIES: &str = "
        DELETE FROM webhook_deliveries WHERE id IN (
            SELECT id FROM webhook_deliveries WHERE received_ms < $1 ORDER BY id LIMIT $2)";
    for (sql, counter) in [(PIPELINES, 0), (DELIVERIES, 1)] {
        loop {
            let mut tx = db.begin().await?;
            let deleted = with_tx!(&mut tx, c => sqlx::query(sql).bind(cutoff_ms).bind(BATCH).execute(c).await?.rows_affected());
            tx.commit().await?;
            if counter == 0 {
                purged.pipelines += deleted;
            } else {
                purged.deliveries += deleted;
            }
            if deleted < BATCH as u64 {
                break;
            }
            tokio::time::sleep(pause).await;
        }
    }
    if purged.pipelines > 0 {
        // Reports computed from raw rows (the Impact section) may have counted what is gone.
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, c => sqlx::query("UPDATE projects SET data_version = data_version + 1").execute(c).await?.rows_affected());
        tx.commit().await?;
    }
    if purged != Purged::default() {
        tracing::info!(
            pipelines = purged.pipelines,
            deliveries = purged.deliveries,
            "purged data past retention"
        );
    }
    Ok(purged)
}
