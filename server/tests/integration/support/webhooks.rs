//! Sending webhook deliveries the way GitLab does, and making payloads for them.
#![allow(dead_code)]

use serde_json::{Value, json};

pub const SECRET: &str = "hook-secret-for-tests";
pub const PATH: &str = "/webhooks/gitlab";

/// The headers GitLab sends with every delivery (see the fixtures' delivery-headers doc).
pub fn gitlab_request(
    client: &reqwest::Client,
    url: &str,
    event: &str,
    idempotency_key: Option<&str>,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    request_with_token(client, url, event, idempotency_key, body, Some(SECRET))
}

/// [`gitlab_request`] with another token, or none.
pub fn request_with_token(
    client: &reqwest::Client,
    url: &str,
    event: &str,
    idempotency_key: Option<&str>,
    body: Vec<u8>,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut request = client
        .post(url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "GitLab/17.4.0")
        .header("X-Gitlab-Instance", "https://gitlab.example.com")
        .header(
            "X-Gitlab-Webhook-UUID",
            "02affd2d-2cba-4033-917d-ec22d5dc4b38",
        )
        .header("X-Gitlab-Event", event)
        .body(body);
    if let Some(token) = token {
        request = request.header("X-Gitlab-Token", token);
    }
    if let Some(key) = idempotency_key {
        request = request
            .header("X-Gitlab-Event-UUID", format!("event-{key}"))
            .header("Idempotency-Key", key);
    }
    request
}

/// A Job Hook for job `job_id` of pipeline `pipeline_id` in project `project_id`.
pub fn job_hook(project_id: i64, pipeline_id: i64, job_id: i64, status: &str) -> Value {
    let finished = matches!(status, "success" | "failed" | "canceled");
    json!({
        "object_kind": "build",
        "ref": "main",
        "sha": "95d49d1efbd941908580e79d65e4b5ecaf4a8305",
        "build_id": job_id,
        "build_name": format!("job-{}", job_id % 7),
        "build_stage": "test",
        "build_status": status,
        "build_created_at": "2024-03-01 10:00:00 UTC",
        "build_started_at": if status == "created" { Value::Null } else { json!("2024-03-01 10:00:05 UTC") },
        "build_finished_at": if finished { json!("2024-03-01 10:01:05 UTC") } else { Value::Null },
        "build_duration": if finished { json!(60.25) } else { Value::Null },
        "build_queued_duration": 5.0,
        "build_allow_failure": false,
        "pipeline_id": pipeline_id,
        "project_id": project_id,
        "project_name": "Acme / web",
        "commit": { "id": pipeline_id, "status": "running", "duration": null,
                    "started_at": "2024-03-01 10:00:01 UTC", "finished_at": null },
        "repository": { "name": "web", "homepage": format!("https://gitlab.example.com/acme/web-{project_id}") },
        "project": { "id": project_id, "name": "web", "path_with_namespace": format!("acme/web-{project_id}"),
                     "web_url": format!("https://gitlab.example.com/acme/web-{project_id}"), "default_branch": "main" },
        "runner": { "id": 42, "description": "runner-42", "tags": ["docker"] }
    })
}

/// A Pipeline Hook for pipeline `pipeline_id` with jobs `job_ids`, all in `status`.
pub fn pipeline_hook(project_id: i64, pipeline_id: i64, job_ids: &[i64], status: &str) -> Value {
    let finished = matches!(status, "success" | "failed" | "canceled");
    let builds: Vec<Value> = job_ids
        .iter()
        .map(|&id| {
            json!({
                "id": id, "stage": "test", "name": format!("job-{}", id % 7), "status": status,
                "created_at": "2024-03-01 10:00:00 UTC",
                "started_at": "2024-03-01 10:00:05 UTC",
                "finished_at": if finished { json!("2024-03-01 10:01:05 UTC") } else { Value::Null },
                "duration": if finished { json!(60.25) } else { Value::Null },
                "queued_duration": 5.0, "allow_failure": false,
                "runner": { "id": 42, "description": "runner-42", "active": true, "is_shared": true, "tags": ["docker"] }
            })
        })
        .collect();
    json!({
        "object_kind": "pipeline",
        "object_attributes": {
            "id": pipeline_id, "iid": pipeline_id % 1000, "ref": "main",
            "sha": "95d49d1efbd941908580e79d65e4b5ecaf4a8305", "source": "push", "status": status,
            "created_at": "2024-03-01 10:00:00 UTC",
            "finished_at": if finished { json!("2024-03-01 10:02:00 UTC") } else { Value::Null },
            "duration": if finished { json!(115) } else { Value::Null },
            "queued_duration": 1
        },
        "project": { "id": project_id, "name": "web", "path_with_namespace": format!("acme/web-{project_id}"),
                     "web_url": format!("https://gitlab.example.com/acme/web-{project_id}"), "default_branch": "main" },
        "builds": builds
    })
}
