//! The retention purge, run in the background of `strata serve`: once shortly after start,
//! then every [`PURGE_INTERVAL`]. [`retention::purge`] deletes in small batches with a pause
//! between them, so ingestion keeps the database's write lock most of the time.

use std::time::Duration;

use strata_core::db::Db;
use tokio_util::sync::CancellationToken;

use strata_core::store::retention;

/// How often old data is looked for. Retention counts whole days, so hourly is plenty.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Before the first purge: let start-up (migrations, the first sync) go first.
pub const FIRST_DELAY: Duration = Duration::from_secs(60);

/// Pause between two batches of one purge.
pub const BATCH_PAUSE: Duration = Duration::from_millis(50);

/// The first day the rollup refresher recomputes: days before it lost their raw rows to the
/// purge, and recomputing them would wipe the rollups that are kept forever.
pub fn first_kept_day(retention_days: Option<i64>) -> Option<i64> {
    retention_days.map(|days| retention::first_kept_day(days, now_ms()))
}

/// Purge until cancelled. `None` retention: nothing to do.
pub async fn run(
    db: Db,
    retention_days: Option<i64>,
    first_delay: Duration,
    interval: Duration,
    cancel: CancellationToken,
) {
    let Some(days) = retention_days else {
        tracing::info!("STRATA_RETENTION_DAYS is off: pipelines and jobs are kept forever");
        return;
    };
    let mut wait = first_delay;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cancel.cancelled() => return,
        }
        // Not raced against cancellation: each batch is one short transaction, and dropping
        // one half-way could leave a pooled connection inside it.
        if let Err(err) = retention::purge(&db, days, now_ms(), BATCH_PAUSE).await {
            tracing::error!(error = %err, "the retention purge failed; it runs again later");
        }
        wait = interval;
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
