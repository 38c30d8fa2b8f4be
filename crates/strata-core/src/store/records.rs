//! What ingest hands the store: one flat record per GitLab project, pipeline and job, whether
//! it came from the REST API or a webhook. Instants are epoch milliseconds (UTC), durations
//! milliseconds; `None` means "this source did not say", never "erase what we know".

use serde::{Deserialize, Serialize};

pub use crate::model::status::Status;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub id: i64,
    /// `path_with_namespace`, e.g. `group/sub/name`.
    pub path: String,
    pub name: String,
    pub web_url: Option<String>,
    pub default_branch: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineRecord {
    pub id: i64,
    pub project_id: i64,
    pub iid: Option<i64>,
    pub git_ref: Option<String>,
    pub sha: Option<String>,
    pub source: Option<String>,
    pub status: Status,
    pub created_at_ms: Option<i64>,
    pub updated_at_ms: Option<i64>,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub web_url: Option<String>,
    /// The record carries the single-pipeline API's fields (durations), so sync need not
    /// fetch it again.
    pub details_synced: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: i64,
    pub project_id: i64,
    pub pipeline_id: i64,
    pub name: String,
    pub stage: Option<String>,
    pub status: Status,
    pub allow_failure: Option<bool>,
    /// Whether a newer attempt replaced this job (`retried` in the API).
    pub retried: Option<bool>,
    pub created_at_ms: Option<i64>,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub runner_id: Option<i64>,
    pub runner_description: Option<String>,
    pub tag_list: Option<Vec<String>>,
    pub web_url: Option<String>,
    /// Sum of the job's artifact sizes, from the API's `artifacts[]`.
    pub artifacts_bytes: Option<i64>,
}

/// What an upsert did, so callers can count and skip follow-up work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upserted {
    /// The row did not exist.
    Inserted,
    /// The row changed.
    Updated,
    /// The incoming record added nothing (a duplicate, or older than what is stored).
    Unchanged,
}

impl Upserted {
    pub fn changed(self) -> bool {
        self != Upserted::Unchanged
    }
}

/// Seconds (as GitLab reports them, integer or float) to whole milliseconds.
pub fn seconds_to_ms(seconds: f64) -> Option<i64> {
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_convert_to_rounded_milliseconds() {
        assert_eq!(seconds_to_ms(82.724733), Some(82_725));
        assert_eq!(seconds_to_ms(17.0), Some(17_000));
        assert_eq!(seconds_to_ms(-1.0), None);
        assert_eq!(seconds_to_ms(f64::NAN), None);
    }
}
