//! Getting GitLab's data in: the REST sync (backfill and catch-up), the trace worker that
//! fetches and analyses job logs, and the background tasks `strata serve` runs them in.

pub mod background;
pub mod log_analysis;
mod pipeline_sync;
pub mod progress;
pub mod retention_task;
pub mod rollup_refresher;
pub mod sync;
pub mod trace_worker;

pub use background::Background;
pub use sync::{SyncError, SyncOptions, Syncer};
