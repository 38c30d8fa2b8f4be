//! The log processor the trace worker runs: Strata's own analyser (`strata_joblog`) fed chunk
//! by chunk, the results stored with `store::analysis::save_analyses`.

use futures::{FutureExt, future::BoxFuture};
use strata_core::db::Tx;

use super::trace_worker::{TraceProcessor, TraceReader};
use strata_core::store::analysis::save_analyses;
use strata_joblog::{Analyzer, JobAnalysis};

/// Analyses every fetched job log.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogAnalysis;

impl TraceProcessor for LogAnalysis {
    type Reader = Analyzer;

    fn start(&self, _job_id: i64) -> Analyzer {
        Analyzer::new()
    }

    fn save<'a>(
        &'a self,
        tx: &'a mut Tx,
        logs: &'a [(i64, JobAnalysis)],
        now_ms: i64,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        async move {
            let logs: Vec<(i64, &JobAnalysis)> = logs.iter().map(|(id, a)| (*id, a)).collect();
            save_analyses(tx, &logs, now_ms).await
        }
        .boxed()
    }
}

impl TraceReader for Analyzer {
    type Output = JobAnalysis;

    fn feed(&mut self, chunk: &[u8]) {
        Analyzer::feed(self, chunk);
    }

    fn finish(self) -> JobAnalysis {
        Analyzer::finish(self)
    }
}
