//! What the overview page shows for each project.

use serde::{Deserialize, Serialize};

use super::{
    SetupStatus,
    filters::Filters,
    time::{Percentiles, PhaseTimes, Ratio},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: i64,
    pub path: String,
    pub name: String,
    pub web_url: Option<String>,
    /// Pipelines created in the window.
    pub pipelines: i64,
    /// Successful pipelines among the finished ones (success, failed, canceled).
    pub success: Ratio,
    pub duration: Percentiles,
    /// The median of the window before, for the trend.
    pub previous_p50_ms: Option<f64>,
    /// Run time plus queue time of every job in the window (what the project costs).
    pub job_time_ms: i64,
    pub phases: PhaseTimes,
    pub cache_hits: Ratio,
    pub docker_cached_steps: Ratio,
    /// Jobs in the window, and how many of their logs were analysed.
    pub jobs: Ratio,
    /// Creation time of the newest pipeline ever seen (epoch ms).
    pub last_pipeline_at_ms: Option<i64>,
}

impl ProjectSummary {
    /// Relative change of the median against the previous window (+0.12 = 12 % slower).
    pub fn trend(&self) -> Option<f64> {
        match (self.duration.p50_ms, self.previous_p50_ms) {
            (Some(now), Some(before)) if before > 0.0 => Some(now / before - 1.0),
            _ => None,
        }
    }
}

/// Everything the overview page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub filters: Filters,
    pub window_label: String,
    pub projects: Vec<ProjectSummary>,
    pub setup: SetupStatus,
}
