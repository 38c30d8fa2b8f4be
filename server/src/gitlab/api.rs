//! The GitLab REST API's payloads, as far as Strata reads them.
//!
//! Only the fields Strata stores are declared; serde skips the rest, so new GitLab fields never
//! break a sync. Everything GitLab may leave out or send as `null` is an `Option` (skipped
//! jobs have no `started_at`, a job waiting for a runner has no `runner`). Times become epoch
//! milliseconds on the way in; durations stay as GitLab sends them (seconds: floats for jobs,
//! integers for pipelines) and are converted in [`super::convert`].

use serde::Deserialize;

use strata_core::{instant::deserialize_opt_epoch_ms, model::status::Status};

/// `GET /projects/:id`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ApiProject {
    pub id: i64,
    pub name: String,
    pub path_with_namespace: String,
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
}

/// An item of `GET /projects/:id/pipelines`, or the whole of `GET /projects/:id/pipelines/:pid`
/// (which adds the timing fields the list lacks).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ApiPipeline {
    pub id: i64,
    pub project_id: i64,
    #[serde(default)]
    pub iid: Option<i64>,
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default)]
    pub sha: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    pub status: Status,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub updated_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub started_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub finished_at: Option<i64>,
    /// Seconds; only in the single-pipeline answer. GitLab sends integers, a float is accepted.
    #[serde(default)]
    pub duration: Option<f64>,
    /// Seconds; only in the single-pipeline answer.
    #[serde(default)]
    pub queued_duration: Option<f64>,
    #[serde(default)]
    pub web_url: Option<String>,
}

/// An item of `GET /projects/:id/pipelines/:pid/jobs`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ApiJob {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub stage: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub allow_failure: Option<bool>,
    /// Not in GitLab's REST answer today (it is in GraphQL); read when a server sends it,
    /// otherwise [`super::convert`] works it out from the job names.
    #[serde(default)]
    pub retried: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub started_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub finished_at: Option<i64>,
    /// Seconds, a float.
    #[serde(default)]
    pub duration: Option<f64>,
    /// Seconds, a float.
    #[serde(default)]
    pub queued_duration: Option<f64>,
    #[serde(default)]
    pub runner: Option<ApiRunner>,
    #[serde(default)]
    pub tag_list: Option<Vec<String>>,
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default)]
    pub artifacts: Option<Vec<ApiArtifact>>,
    #[serde(default)]
    pub pipeline: Option<ApiPipelineRef>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ApiRunner {
    pub id: i64,
    #[serde(default)]
    pub description: Option<String>,
}

/// One of a job's stored files (`archive`, `metadata`, `trace`, `junit`, ...).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ApiArtifact {
    #[serde(default)]
    pub file_type: Option<String>,
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(default)]
    pub filename: Option<String>,
}

/// The pipeline a job belongs to, as the jobs answer names it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ApiPipelineRef {
    pub id: i64,
    #[serde(default)]
    pub project_id: Option<i64>,
}
