//! Keeps the daily rollups current: every few seconds, recompute the project-days that ingest
//! (sync, webhooks, the trace worker) marked dirty. Dashboards lag ingest by one interval.

use std::time::Duration;

use strata_core::db::Db;
use tokio_util::sync::CancellationToken;

use strata_core::store::rollups;

/// How often dirty days are looked for.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(2);

/// Project-days recomputed per round, so one round never holds the writer for long.
const DAYS_PER_ROUND: i64 = 64;

/// Refresh dirty rollups until cancelled. `first_kept_day` is the retention boundary (days
/// before it are never recomputed; see [`rollups::refresh_dirty`]).
pub async fn run(db: Db, first_kept_day: impl Fn() -> Option<i64>, cancel: CancellationToken) {
    while !cancel.is_cancelled() {
        let mut busy = false;
        let now_ms = chrono::Utc::now().timestamp_millis();
        if let Err(err) = rollups::retry_set_aside(&db, now_ms).await {
            tracing::warn!(error = %err, "cannot retry the rollup days set aside");
        }
        match rollups::refresh_dirty(&db, DAYS_PER_ROUND, first_kept_day()).await {
            Ok(refreshed) => busy = refreshed as i64 >= DAYS_PER_ROUND,
            Err(err) => tracing::error!(error = %err, "cannot refresh rollups; retrying"),
        }
        if !busy {
            tokio::select! {
                () = tokio::time::sleep(REFRESH_INTERVAL) => {}
                () = cancel.cancelled() => {}
            }
        }
    }
}
