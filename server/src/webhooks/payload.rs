//! The two GitLab webhook payloads Strata ingests, as GitLab sends them: `Pipeline Hook`
//! (a pipeline with its jobs under `builds`) and `Job Hook` (one job, flattened into
//! `build_*` fields, with its pipeline summarised under `commit`).
//!
//! Only what the store keeps is read; unknown fields are ignored, so a newer GitLab that adds
//! fields still gets through. Parsing goes through `serde_path_to_error`, so a bad payload is
//! refused with the path of the field at fault.

use serde::{Deserialize, de::DeserializeOwned};

use strata_core::{instant::deserialize_opt_epoch_ms, model::status::Status};

/// Which payload an `X-Gitlab-Event` header announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    Pipeline,
    Job,
}

impl HookKind {
    /// `None` for the events Strata does not ingest (Push Hook, Merge Request Hook, …).
    pub fn from_header(event: &str) -> Option<HookKind> {
        match event.trim() {
            "Pipeline Hook" => Some(HookKind::Pipeline),
            "Job Hook" => Some(HookKind::Job),
            _ => None,
        }
    }

    pub fn header(self) -> &'static str {
        match self {
            HookKind::Pipeline => "Pipeline Hook",
            HookKind::Job => "Job Hook",
        }
    }

    /// The metrics label: GitLab's object kind.
    pub fn label(self) -> &'static str {
        match self {
            HookKind::Pipeline => "pipeline",
            HookKind::Job => "build",
        }
    }
}

/// A parsed payload of either kind.
#[derive(Clone, Debug)]
pub enum Hook {
    // Boxed: both are hundreds of bytes and of very different sizes.
    Pipeline(Box<PipelineHook>),
    Job(Box<JobHook>),
}

/// Why a payload was refused: the message, and the field at fault when one is to blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadError {
    pub field: Option<String>,
    pub message: String,
}

/// Parse `body` as the payload `kind` announces.
pub fn parse(kind: HookKind, body: &[u8]) -> Result<Hook, PayloadError> {
    match kind {
        HookKind::Pipeline => parse_as::<PipelineHook>(body).map(|p| Hook::Pipeline(Box::new(p))),
        HookKind::Job => parse_as::<JobHook>(body).map(|j| Hook::Job(Box::new(j))),
    }
}

fn parse_as<T: DeserializeOwned>(body: &[u8]) -> Result<T, PayloadError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(describe)?;
    // Trailing garbage after the object is as malformed as a missing brace.
    de.end().map_err(|e| PayloadError {
        field: None,
        message: format!("malformed JSON: {e}"),
    })?;
    Ok(value)
}

fn describe(err: serde_path_to_error::Error<serde_json::Error>) -> PayloadError {
    let path = err.path().to_string();
    let inner = err.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return PayloadError {
            field: None,
            message: format!("malformed JSON: {inner}"),
        };
    }
    let text = inner.to_string();
    // serde reports a missing field at its parent; name the field itself.
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (missing, path.as_str()) {
        (Some(name), "." | "") => name.to_owned(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, path) => path.to_owned(),
    };
    PayloadError {
        message: format!("field `{field}`: {text}"),
        field: Some(field),
    }
}

/// `Pipeline Hook`.
#[derive(Clone, Debug, Deserialize)]
pub struct PipelineHook {
    pub object_attributes: PipelineAttributes,
    pub project: HookProject,
    #[serde(default)]
    pub builds: Vec<PipelineBuild>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PipelineAttributes {
    pub id: i64,
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
    pub finished_at: Option<i64>,
    /// Seconds (an integer in GitLab's payloads, read as a float either way).
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub queued_duration: Option<f64>,
    /// The pipeline's page (GitLab 15.x and later).
    #[serde(default)]
    pub url: Option<String>,
}

/// The `project` object both hooks carry (the Job Hook since GitLab 14.x).
#[derive(Clone, Debug, Deserialize)]
pub struct HookProject {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub path_with_namespace: Option<String>,
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
}

/// One job in a Pipeline Hook's `builds`.
#[derive(Clone, Debug, Deserialize)]
pub struct PipelineBuild {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub stage: Option<String>,
    pub status: Status,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub started_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub finished_at: Option<i64>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub queued_duration: Option<f64>,
    #[serde(default)]
    pub allow_failure: Option<bool>,
    #[serde(default)]
    pub runner: Option<HookRunner>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HookRunner {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// `Job Hook`.
#[derive(Clone, Debug, Deserialize)]
pub struct JobHook {
    pub build_id: i64,
    pub build_name: String,
    #[serde(default)]
    pub build_stage: Option<String>,
    pub build_status: Status,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub build_created_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub build_started_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub build_finished_at: Option<i64>,
    #[serde(default)]
    pub build_duration: Option<f64>,
    #[serde(default)]
    pub build_queued_duration: Option<f64>,
    #[serde(default)]
    pub build_allow_failure: Option<bool>,
    pub pipeline_id: i64,
    pub project_id: i64,
    /// `Namespace / Name` on older GitLab, the path on newer: only a last resort for the path.
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default)]
    pub sha: Option<String>,
    /// The pipeline as it stood when the job changed.
    #[serde(default)]
    pub commit: Option<JobPipeline>,
    #[serde(default)]
    pub repository: Option<HookRepository>,
    #[serde(default)]
    pub project: Option<HookProject>,
    #[serde(default)]
    pub runner: Option<HookRunner>,
}

/// A Job Hook's `commit`: despite the name, its pipeline (`id` is the pipeline id).
#[derive(Clone, Debug, Deserialize)]
pub struct JobPipeline {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub started_at: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_opt_epoch_ms")]
    pub finished_at: Option<i64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HookRepository {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub homepage: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pipeline_and_job_hooks_are_ingested() {
        assert_eq!(
            HookKind::from_header("Pipeline Hook"),
            Some(HookKind::Pipeline)
        );
        assert_eq!(HookKind::from_header("Job Hook"), Some(HookKind::Job));
        assert_eq!(HookKind::from_header("Push Hook"), None);
        assert_eq!(HookKind::from_header("job hook"), None);
    }

    #[test]
    fn a_missing_field_is_named_with_its_path() {
        let err = parse(
            HookKind::Pipeline,
            br#"{"object_attributes":{"status":"running"},"project":{"id":1}}"#,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("object_attributes.id"));
        assert!(err.message.contains("object_attributes.id"), "{err:?}");
    }

    #[test]
    fn a_wrong_type_is_named_with_its_path() {
        let err = parse(
            HookKind::Job,
            br#"{"build_id":"seven","build_name":"t","build_status":"success","pipeline_id":1,"project_id":2}"#,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("build_id"));
        let err = parse(
            HookKind::Pipeline,
            br#"{"object_attributes":{"id":1,"status":"success"},"project":{"id":1},"builds":[{"id":2,"name":"a","status":"success","started_at":"soon"}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("builds[0].started_at"));
    }

    #[test]
    fn malformed_json_names_no_field() {
        for body in [&b"{\"build_id\": 1,"[..], b"{\"a\": 1 // comment\n}", b""] {
            let err = parse(HookKind::Job, body).unwrap_err();
            assert_eq!(err.field, None, "{body:?}");
            assert!(err.message.starts_with("malformed JSON"), "{err:?}");
        }
    }
}
