//! The analysis result: the `--json` schema of `strata analyze-log` and the rows
//! written to `job_phases`, `cache_ops`, `artifact_ops`, `docker_builds` and
//! `docker_steps`. Field names are part of that contract: rename nothing
//! without bumping [`SCHEMA_VERSION`]. SCHEMA.md documents every field.
//!
//! Durations and offsets are integer milliseconds (`i64`); offsets count from
//! [`LogSummary::started_at_ms`], the first instant the log shows.

use serde::{Deserialize, Serialize};

use super::phase::Phase;

/// Bumped whenever a field is renamed, removed or changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JobAnalysis {
    pub schema_version: u32,
    pub log: LogSummary,
    /// Every section in start order, nested ones included.
    pub sections: Vec<Section>,
    /// One entry per top-level section: the rows of `job_phases`.
    pub phases: Vec<PhaseSpan>,
    /// Sum of `phases` per phase, in taxonomy order, phases without sections omitted.
    pub phase_totals: Vec<PhaseTotal>,
    pub cache_ops: Vec<CacheOp>,
    pub artifact_ops: Vec<ArtifactOp>,
    pub docker_builds: Vec<DockerBuild>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LogSummary {
    pub bytes: u64,
    /// Newline count, plus one when the log does not end with a newline.
    pub lines: u64,
    /// Epoch milliseconds of the first instant the log shows (first FF_TIMESTAMPS
    /// prefix, else first section marker); null when the log shows none.
    pub started_at_ms: Option<i64>,
    /// Latest instant minus earliest instant the log shows.
    pub span_ms: i64,
    /// True when lines carry FF_TIMESTAMPS prefixes (sub-second timing).
    pub timestamped: bool,
    /// True when the log ends inside an open section.
    pub truncated: bool,
    pub warnings: Vec<Warning>,
    pub dropped: Dropped,
}

/// How many items were counted but not stored because a cap was reached.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dropped {
    pub sections: u64,
    pub cache_ops: u64,
    pub artifact_ops: u64,
    pub docker_builds: u64,
    pub docker_steps: u64,
    pub warnings: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// 1-based line (newline-separated) where the problem was seen.
    pub line: u64,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A line starts with `section_start:`/`section_end:` but does not parse.
    UnknownMarker,
    /// A section was still open when its parent ended or the log ended.
    UnterminatedSection,
    /// `section_end` for a name that is not open.
    EndWithoutStart,
    /// A timestamp (prefix or marker) earlier than the one before it.
    TimestampsBackwards,
    /// A line longer than the line cap; only its beginning was read.
    LineTooLong,
    /// Sections nested deeper than the depth cap; the inner start was ignored.
    SectionTooDeep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub phase: Phase,
    /// 0 for top-level sections.
    pub depth: u32,
    /// Index into `sections` of the enclosing section.
    pub parent: Option<u32>,
    pub start_offset_ms: i64,
    pub duration_ms: i64,
    pub collapsed: bool,
    pub hide_duration: bool,
    /// Closed by its parent's end or by the end of the log instead of its own marker.
    pub unterminated: bool,
    pub line: u64,
}

/// A top-level section counted towards its phase (a `job_phases` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseSpan {
    pub phase: Phase,
    pub section: String,
    pub start_offset_ms: i64,
    /// The section's duration minus any overlap with earlier top-level sections
    /// (non-zero overlap only happens when timestamps go backwards).
    pub duration_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseTotal {
    pub phase: Phase,
    pub duration_ms: i64,
    pub sections: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheDirection {
    Restore,
    Archive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheOutcome {
    Hit,
    FallbackHit,
    Miss,
    NotFound,
    Created,
    SkippedPolicy,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheOp {
    pub direction: CacheDirection,
    /// The key checked or created first; null if the log never named it.
    pub cache_key: Option<String>,
    /// Keys checked after the first one missed, in order.
    pub fallback_keys: Vec<String>,
    /// Null when the log ends before the runner reports a result.
    pub outcome: Option<CacheOutcome>,
    /// The runner reported the archive as up to date (no transfer needed).
    pub up_to_date: bool,
    pub size_bytes: Option<u64>,
    pub duration_ms: Option<i64>,
    pub line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactDirection {
    Download,
    Upload,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactOutcome {
    Ok,
    Failed,
    NoFiles,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactOp {
    pub direction: ArtifactDirection,
    /// Downloads: the job whose artifacts were fetched.
    pub source_job_id: Option<u64>,
    pub source_job_name: Option<String>,
    /// Uploads: the value after `as` in `Uploading artifacts as "archive" …`.
    pub artifact_format: Option<String>,
    /// Uploads: sum of the `found N matching … files and directories` lines.
    pub file_count: Option<u64>,
    pub size_bytes: Option<u64>,
    pub http_status: Option<u16>,
    pub outcome: Option<ArtifactOutcome>,
    pub duration_ms: Option<i64>,
    pub line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Builder {
    Buildkit,
    BuildkitTty,
    Classic,
    Kaniko,
    Buildah,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerBuild {
    pub builder: Builder,
    /// Offset of the build's first line; null when the log is not timestamped.
    pub start_offset_ms: Option<i64>,
    pub stage_count: u32,
    pub step_count: u32,
    pub cached_steps: u32,
    pub duration_ms: Option<i64>,
    /// False when the builder reported an error, true when it reported success,
    /// null when the log does not say (for example it ends mid-build).
    pub succeeded: Option<bool>,
    pub line: u64,
    pub steps: Vec<DockerStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerStep {
    /// Stage name (`builder`), or `stage-<n>` for an unnamed stage of a
    /// multi-stage build, or null for a single unnamed stage.
    pub stage: Option<String>,
    pub step_index: Option<u32>,
    pub step_total: Option<u32>,
    pub instruction: String,
    pub cached: bool,
    pub failed: bool,
    pub duration_ms: Option<i64>,
}
