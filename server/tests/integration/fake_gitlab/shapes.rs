//! The fake's JSON has the shape of real GitLab's: every key it sends exists in the real
//! responses (or GitLab's documented examples) at the same place with a value of a type seen
//! there, recursively, and every key the real gitlab.com responses always carry is present.
//! Each response also parses through the GitLab client's own payload types
//! (`strata::gitlab::api`), the types the real fixtures parse through (tests/gitlab_payloads.rs).

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use serde_json::Value;
use strata::gitlab::api::{ApiJob, ApiPipeline, ApiProject};
use strata_demo::ScenarioKind;

use super::{fixtures, start};

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What the fixtures show at each path (`user.name`, `artifacts[].size`).
#[derive(Default)]
struct Shapes {
    types: BTreeMap<String, BTreeSet<&'static str>>,
    keys: BTreeMap<String, BTreeSet<String>>,
    /// Keys every real (recorded, not documentation) object at the path has.
    required: BTreeMap<String, BTreeSet<String>>,
}

impl Shapes {
    fn learn(&mut self, path: &str, v: &Value, real: bool) {
        self.types
            .entry(path.to_string())
            .or_default()
            .insert(kind(v));
        match v {
            Value::Object(map) => {
                let keys: BTreeSet<String> = map.keys().cloned().collect();
                self.keys
                    .entry(path.to_string())
                    .or_default()
                    .extend(keys.iter().cloned());
                if real {
                    self.required
                        .entry(path.to_string())
                        .and_modify(|r| r.retain(|k| keys.contains(k)))
                        .or_insert(keys);
                }
                for (k, child) in map {
                    self.learn(&format!("{path}.{k}"), child, real);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.learn(&format!("{path}[]"), item, real);
                }
            }
            _ => {}
        }
    }

    /// Documented nulls the fixtures happen not to show (see `fixtures/PROVENANCE.md`: hooks
    /// carry `null` durations for skipped, created and manual jobs, and a job without
    /// artifacts has no expiry).
    fn allow_null(&mut self, paths: &[&str]) {
        for path in paths {
            self.types
                .entry(path.to_string())
                .or_default()
                .insert("null");
        }
    }

    fn check(&self, path: &str, v: &Value, errors: &mut Vec<String>) {
        let seen = self.types.get(path);
        if !seen.is_some_and(|t| t.contains(kind(v))) {
            errors.push(format!("{path}: {} where GitLab sends {seen:?}", kind(v)));
            return;
        }
        match v {
            Value::Object(map) => {
                let allowed = &self.keys[path];
                for k in map.keys().filter(|k| !allowed.contains(*k)) {
                    errors.push(format!("{path}: unknown key {k:?}"));
                }
                for k in self.required.get(path).into_iter().flatten() {
                    if !map.contains_key(k) {
                        errors.push(format!("{path}: missing key {k:?}"));
                    }
                }
                for (k, child) in map {
                    self.check(&format!("{path}.{k}"), child, errors);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.check(&format!("{path}[]"), item, errors);
                }
            }
            _ => {}
        }
    }

    fn assert_matches(&self, what: &str, values: &[Value]) {
        let mut errors = Vec::new();
        for v in values {
            self.check("", v, &mut errors);
        }
        errors.sort();
        errors.dedup();
        assert!(
            errors.is_empty(),
            "{what} differs from GitLab's shape:\n{}",
            errors.join("\n")
        );
    }
}

/// `value` deserialises into the client's type `T`, or the test names the field that did not.
fn parses<T: serde::de::DeserializeOwned>(what: &str, value: &Value) {
    if let Err(err) = serde_json::from_value::<T>(value.clone()) {
        panic!("{what} from the fake does not parse as the client's type: {err}\n{value:#}");
    }
}

fn load(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join("api").join(name)).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Learns from each array element (or the single object) of the named fixtures.
fn shapes(dir: &Path, real: &[&str], docs: &[&str]) -> Shapes {
    let mut shapes = Shapes::default();
    for (names, is_real) in [(real, true), (docs, false)] {
        for name in names {
            match load(dir, name) {
                Value::Array(items) => items.iter().for_each(|i| shapes.learn("", i, is_real)),
                one => shapes.learn("", &one, is_real),
            }
        }
    }
    shapes
}

#[tokio::test]
async fn pipelines_and_jobs_have_the_shapes_of_real_gitlab_responses() {
    let Some(dir) = fixtures() else { return };
    let (fake, api) = start(120, &ScenarioKind::ALL).await;

    let list_shapes = shapes(
        &dir,
        &["gitlab-exporter_projects_50817395_pipelines.json"],
        &["gitlab-docs_pipelines_list-project-pipelines.json"],
    );
    let detail_shapes = shapes(
        &dir,
        &["gitlab-exporter_pipelines_1053349645.json"],
        &["gitlab-docs_pipelines_get-single-pipeline.json"],
    );
    let mut job_shapes = shapes(
        &dir,
        &["gitlab-exporter_pipelines_1053349645_jobs.json"],
        &[
            "gitlab-docs_jobs_list-pipeline-jobs.json",
            "gitlab-docs_jobs_get-single-job.json",
            "gitlab-docs_jobs_retry-job.json",
        ],
    );
    job_shapes.allow_null(&[".queued_duration", ".artifacts_expire_at"]);

    let mut seen_failed = false;
    let mut seen_skipped_or_manual = false;
    let mut seen_archive = false;
    for project in fake.projects() {
        let id = project.id;
        let (_, list) = api
            .json(&format!(
                "/projects/{id}/pipelines?per_page=100&status=success"
            ))
            .await;
        let (_, failed) = api
            .json(&format!(
                "/projects/{id}/pipelines?per_page=5&status=failed"
            ))
            .await;
        let list = list.as_array().expect("array").clone();
        list_shapes.assert_matches("a pipeline list item", &list);
        let (_, project_json) = api.json(&format!("/projects/{id}")).await;
        parses::<ApiProject>("a project", &project_json);
        for item in &list {
            parses::<ApiPipeline>("a pipeline list item", item);
        }
        let sample = list
            .iter()
            .take(6)
            .chain(failed.as_array().expect("array").iter());
        for item in sample {
            let pid = item["id"].as_i64().expect("id");
            let (_, detail) = api.json(&format!("/projects/{id}/pipelines/{pid}")).await;
            detail_shapes.assert_matches("a single pipeline", std::slice::from_ref(&detail));
            parses::<ApiPipeline>("a single pipeline", &detail);
            let (_, jobs) = api
                .json(&format!(
                    "/projects/{id}/pipelines/{pid}/jobs?include_retried=true"
                ))
                .await;
            let jobs = jobs.as_array().expect("array").clone();
            job_shapes.assert_matches("a pipeline job", &jobs);
            for job in &jobs {
                parses::<ApiJob>("a pipeline job", job);
            }
            for job in &jobs {
                seen_failed |= job["status"] == "failed" && job["failure_reason"].is_string();
                seen_skipped_or_manual |= job["status"] == "skipped" || job["status"] == "manual";
                seen_archive |= job["artifacts_file"].is_object();
            }
        }
    }
    assert!(
        seen_failed && seen_skipped_or_manual && seen_archive,
        "the sample covers failed, skipped/manual and archive-carrying jobs"
    );
}
