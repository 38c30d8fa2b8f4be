//! Keeping the default view's Impact reports computed before anyone asks.
//!
//! A report reads every job of its window (1.5 s for the five projects of a million-job
//! database), and a report nobody has seen yet is computed before the answer. Without this,
//! the first visitor after a start, and after every UTC midnight (the window's days move, so
//! every report's scope is new), waits for all of them. The default view (every project, the
//! default window, no filter) is the one most visits open; other filters still compute their
//! reports on first use.

use std::time::{Duration, Instant};

use super::memo::ReportCache;
use crate::{db::Db, model::filters::Filters, with_pool};

/// How often the warmer looks for missing reports: a minute after midnight at the latest.
pub const EVERY: Duration = Duration::from_secs(60);

/// Fill missing default-view reports now and then every `every`, until the task is dropped.
/// Reports already held are left to the cache's own refresh rules.
pub async fn keep_warm(db: Db, reports: ReportCache, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let started = Instant::now();
        match fill_default_view(&db, &reports, now_ms).await {
            Ok(0) => {}
            Ok(computed) => tracing::info!(
                reports = computed,
                ms = started.elapsed().as_millis() as u64,
                "impact reports of the default view computed ahead of requests"
            ),
            // A database that is down now is reported by the requests and /healthz; try again
            // on the next tick.
            Err(error) => {
                tracing::warn!(%error, "computing impact reports ahead of requests failed")
            }
        }
    }
}

/// Compute the default view's report of every project the cache does not hold for today's
/// window, one at a time (requests keep the other cores); returns how many it computed.
pub async fn fill_default_view(db: &Db, reports: &ReportCache, now_ms: i64) -> sqlx::Result<usize> {
    let projects: Vec<i64> = with_pool!(db.pool(), p =>
        sqlx::query_scalar("SELECT id FROM projects ORDER BY path").fetch_all(p).await)?;
    let filters = Filters::default();
    let mut computed = 0;
    for project in projects {
        if reports.fill(db, project, &filters, now_ms).await? {
            computed += 1;
        }
    }
    Ok(computed)
}
