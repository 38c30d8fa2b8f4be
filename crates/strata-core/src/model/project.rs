//! What the project page shows.

use serde::{Deserialize, Serialize};

use super::{
    SetupStatus,
    filters::Filters,
    time::{Percentiles, PhaseTimes, Ratio},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub id: i64,
    pub path: String,
    pub name: String,
    pub web_url: Option<String>,
}

/// One day of a project's (or job name's) activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DayStats {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub runs: i64,
    pub duration: Percentiles,
    pub phases: PhaseTimes,
    pub cache_hits: Ratio,
    pub docker_cached_steps: Ratio,
}

/// One job name's numbers over the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobNameStats {
    pub name: String,
    pub runs: i64,
    pub duration: Percentiles,
    pub phases: PhaseTimes,
    pub cache_hits: Ratio,
    pub docker_cached_steps: Ratio,
    pub analysed: Ratio,
}

/// A pipeline in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineRow {
    pub id: i64,
    pub iid: Option<i64>,
    pub git_ref: Option<String>,
    pub source: Option<String>,
    pub status: String,
    pub created_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub web_url: Option<String>,
}

/// A point of a per-job scatter chart, with the job it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobPoint {
    pub job_id: i64,
    pub name: String,
    pub x: f64,
    pub y: f64,
}

/// A chart as the page embeds it: SVG markup drawn on the server, its text alternative and
/// the CSV behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub csv_href: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectPage {
    pub project: ProjectInfo,
    pub filters: Filters,
    pub window_label: String,
    pub pipelines: i64,
    pub success: Ratio,
    pub duration: Percentiles,
    pub jobs: Ratio,
    pub phases: PhaseTimes,
    pub cache_hits: Ratio,
    pub docker_cached_steps: Ratio,
    pub charts: Vec<ChartView>,
    pub job_names: Vec<JobNameStats>,
    pub slowest: Vec<PipelineRow>,
    pub setup: SetupStatus,
}
