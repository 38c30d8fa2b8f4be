//! GitLab CI job-log analysis: a pure, streaming, panic-free reader that turns
//! the bytes of one job log into facts — sections and phases, cache and artifact
//! transfers, Docker builds and their steps — plus warnings for whatever it could
//! not read. It does no I/O; the caller feeds bytes.
//!
//! ```text
//! let log = b"section_start:1700000000:restore_cache\r\x1b[0K\
//! Checking cache for deps-1...\nSuccessfully extracted cache\n\
//! section_end:1700000003:restore_cache\r\x1b[0K";
//! let analysis = analyze(log);
//! assert_eq!(analysis.cache_ops[0].cache_key.as_deref(), Some("deps-1"));
//! assert_eq!(analysis.cache_ops[0].duration_ms, Some(3000));
//! ```
//!
//! (The usage examples are plain text so that this folder compiles unchanged in any
//! crate; `tests::synthetic_sections::documented_usage` runs them.)
//!
//! Memory use is bounded by the caps in `limits`, not by the log's size. The
//! JSON schema of [`JobAnalysis`] is documented in SCHEMA.md.

mod analyzer;
mod ansi;
mod artifacts;
mod bulk_filter;
mod cache;
mod clock;
mod docker;
mod limits;
mod marker;
mod model;
mod op_timing;
mod phase;
mod report;
mod runner_line;
mod sections;
mod splitter;
mod text;
mod timestamp;
mod warnings;

#[cfg(test)]
mod tests;

pub use analyzer::{Analyzer, analyze};
pub use limits::MAX_LINE_BYTES;
pub use model::{
    ArtifactDirection, ArtifactOp, ArtifactOutcome, Builder, CacheDirection, CacheOp, CacheOutcome,
    DockerBuild, DockerStep, Dropped, JobAnalysis, LogSummary, PhaseSpan, PhaseTotal,
    SCHEMA_VERSION, Section, Warning, WarningKind,
};
pub use phase::Phase;
pub use report::render_text;
