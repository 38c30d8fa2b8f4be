//! The log processor the trace worker runs: Strata's own analyser (`crate::trace`) fed chunk
//! by chunk, its result stored with `store::analysis::save_analysis`.

use futures::{FutureExt, future::BoxFuture};
use strata_app::db::Tx;

use super::trace_worker::{TraceProcessor, TraceReader};
use crate::{store::analysis::save_analysis, trace::Analyzer};

/// Analyses every fetched job log.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogAnalysis;

impl TraceProcessor for LogAnalysis {
    fn start(&self, job_id: i64) -> Box<dyn TraceReader> {
        Box::new(AnalysingReader {
            job_id,
            analyzer: Analyzer::new(),
        })
    }
}

struct AnalysingReader {
    job_id: i64,
    analyzer: Analyzer,
}

impl TraceReader for AnalysingReader {
    fn feed(&mut self, chunk: &[u8]) {
        self.analyzer.feed(chunk);
    }

    fn save<'a>(self: Box<Self>, tx: &'a mut Tx, now_ms: i64) -> BoxFuture<'a, sqlx::Result<()>> {
        let AnalysingReader { job_id, analyzer } = *self;
        let analysis = analyzer.finish();
        async move { save_analysis(tx, job_id, &analysis, now_ms).await }.boxed()
    }
}
