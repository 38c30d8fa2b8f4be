//! The data a scripted GitLab serves: projects, pipelines and jobs generated with known
//! ground truth, rendered in the REST API's JSON shapes (as in shared/fixtures/api).
#![allow(dead_code)]

use serde_json::{Value, json};
use strata_core::instant::to_iso8601;

#[derive(Clone, Debug)]
pub struct FakeProject {
    pub id: i64,
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct FakePipeline {
    pub id: i64,
    pub project_id: i64,
    pub iid: i64,
    pub status: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    /// Whole seconds, as GitLab reports pipeline durations.
    pub duration_s: Option<i64>,
    pub queued_s: Option<i64>,
    pub jobs: Vec<FakeJob>,
}

#[derive(Clone, Debug)]
pub struct FakeJob {
    pub id: i64,
    pub name: String,
    pub stage: String,
    pub status: String,
    /// Fractional seconds, as GitLab reports job durations.
    pub duration_s: Option<f64>,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    pub runner_id: Option<i64>,
    pub artifact_bytes: Option<i64>,
}

/// When the generated history starts: 2024-05-01T00:00:00Z.
pub const EPOCH_MS: i64 = 1_714_521_600_000;

/// Job names of a generated pipeline, in order.
pub const JOB_NAMES: [&str; 8] = [
    "build",
    "lint",
    "test:unit",
    "test:api",
    "docker",
    "scan",
    "deploy",
    "notify",
];

/// `count` finished pipelines of `jobs` jobs each, one a minute. Every 10th pipeline had its
/// first job retried (an extra, older, failed attempt); a pipeline's last job is skipped.
pub fn generate(project_id: i64, first_id: i64, count: usize, jobs: usize) -> Vec<FakePipeline> {
    (0..count as i64)
        .map(|i| {
            let id = first_id + i;
            let created = recent_ms() - (count as i64 - i) * 60_000;
            let mut pipeline = FakePipeline {
                id,
                project_id,
                iid: i + 1,
                status: if i % 7 == 3 { "failed" } else { "success" }.into(),
                created_ms: created,
                updated_ms: created + 50_000,
                started_ms: Some(created + 2_000),
                finished_ms: Some(created + 50_000),
                duration_s: Some(48),
                queued_s: Some(2),
                jobs: Vec::new(),
            };
            for j in 0..jobs as i64 {
                let name = JOB_NAMES[j as usize % JOB_NAMES.len()];
                let skipped = j == jobs as i64 - 1 && jobs > 1;
                pipeline.jobs.push(FakeJob {
                    id: id * 100 + j + 10,
                    name: name.into(),
                    stage: if j < 2 { "build" } else { "test" }.into(),
                    status: if skipped { "skipped" } else { "success" }.into(),
                    duration_s: (!skipped).then_some(5.25 + j as f64),
                    started_ms: (!skipped).then_some(created + 3_000 + j * 1_000),
                    finished_ms: (!skipped).then_some(created + 9_000 + j * 1_000),
                    runner_id: (!skipped).then_some(7),
                    artifact_bytes: (j == 0).then_some(4_096),
                });
            }
            if i % 10 == 0 && jobs > 0 {
                let first = pipeline.jobs[0].clone();
                pipeline.jobs.push(FakeJob {
                    id: id * 100 + 1,
                    status: "failed".into(),
                    ..first
                });
            }
            pipeline
        })
        .collect()
}

/// Pipelines are generated relative to now so a default `--since 90d` sync reaches them.
pub fn recent_ms() -> i64 {
    let now = chrono::Utc::now().timestamp_millis();
    now - now % 60_000 - 3_600_000
}

fn time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(to_iso8601(ms)))
}

pub fn project_json(p: &FakeProject, base: &str) -> Value {
    let name = p.path.rsplit('/').next().unwrap_or(&p.path);
    json!({
        "id": p.id, "name": name, "path": name, "path_with_namespace": p.path,
        "web_url": format!("{base}/{}", p.path), "default_branch": "main",
        "visibility": "private", "namespace": {"id": 1, "full_path": "acme"}
    })
}

/// A list item: no durations, as in the real list.
pub fn pipeline_list_json(p: &FakePipeline, base: &str) -> Value {
    json!({
        "id": p.id, "iid": p.iid, "project_id": p.project_id, "sha": format!("{:040x}", p.id),
        "ref": "main", "status": p.status, "source": "push",
        "created_at": time(Some(p.created_ms)), "updated_at": time(Some(p.updated_ms)),
        "web_url": format!("{base}/-/pipelines/{}", p.id), "name": null
    })
}

pub fn pipeline_details_json(p: &FakePipeline, base: &str) -> Value {
    let mut v = pipeline_list_json(p, base);
    let extra = json!({
        "started_at": time(p.started_ms), "finished_at": time(p.finished_ms),
        "duration": p.duration_s, "queued_duration": p.queued_s, "coverage": null,
        "before_sha": "0000000000000000000000000000000000000000", "tag": false,
        "yaml_errors": null, "committed_at": null,
        "detailed_status": {"icon": "status_success", "group": p.status}
    });
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

pub fn job_json(p: &FakePipeline, j: &FakeJob, base: &str) -> Value {
    let mut artifacts = vec![
        json!({"file_type": "trace", "size": 1_234, "filename": "job.log", "file_format": null}),
    ];
    if let Some(bytes) = j.artifact_bytes {
        artifacts.push(json!({"file_type": "archive", "size": bytes, "filename": "artifacts.zip", "file_format": "zip"}));
    }
    json!({
        "id": j.id, "status": j.status, "stage": j.stage, "name": j.name, "ref": "main",
        "tag": false, "coverage": null, "allow_failure": false,
        "created_at": time(Some(p.created_ms)), "started_at": time(j.started_ms),
        "finished_at": time(j.finished_ms), "erased_at": null,
        "duration": j.duration_s, "queued_duration": 0.5,
        "user": {"id": 1, "username": "dev"},
        "pipeline": {"id": p.id, "project_id": p.project_id, "ref": "main", "status": p.status},
        "web_url": format!("{base}/-/jobs/{}", j.id),
        "project": {"ci_job_token_scope_enabled": false},
        "artifacts": artifacts,
        "runner": j.runner_id.map(|id| json!({"id": id, "description": "shared-runner", "active": true})),
        "tag_list": ["docker"], "archived": false
    })
}

/// The log of a job: a few runner sections, with the job id in it so tests can tell logs apart.
pub fn job_log(job_id: i64) -> Vec<u8> {
    let mut log = String::new();
    log.push_str("\x1b[0KRunning with gitlab-runner 17.0.0\n");
    log.push_str(
        "section_start:1714521600:prepare_executor\r\x1b[0KPreparing the \"docker\" executor\n",
    );
    log.push_str("section_end:1714521603:prepare_executor\r\x1b[0K\n");
    log.push_str("section_start:1714521603:step_script\r\x1b[0K");
    for line in 0..200 {
        log.push_str(&format!(
            "job {job_id} line {line}: compiling module {line}\n"
        ));
    }
    log.push_str("section_end:1714521640:step_script\r\x1b[0K\n");
    log.push_str("\x1b[32;1mJob succeeded\x1b[0;m\n");
    log.into_bytes()
}
