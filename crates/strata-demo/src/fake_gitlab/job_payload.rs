//! A job in `GET /projects/:id/pipelines/:pipeline_id/jobs`, in the shape of gitlab.com's
//! (`fixtures/api/gitlab-exporter_pipelines_1053349645_jobs.json`).

use serde::Serialize;

use super::{
    payloads::iso,
    view::{JobView, PipelineView},
};
use crate::scenario::{
    ProjectSpec, WEB_HOST,
    model::{SECOND, Status, User},
};
use strata_core::instant::to_iso8601;

#[derive(Serialize)]
pub struct JobPayload<'a> {
    id: i64,
    status: &'static str,
    stage: &'static str,
    name: &'static str,
    #[serde(rename = "ref")]
    git_ref: &'a str,
    tag: bool,
    coverage: Option<f64>,
    allow_failure: bool,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    erased_at: Option<String>,
    duration: Option<f64>,
    queued_duration: Option<f64>,
    user: FullUser,
    commit: Commit<'a>,
    pipeline: JobPipeline<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<&'static str>,
    web_url: String,
    project: JobProject,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifacts_file: Option<ArtifactsFile>,
    artifacts: Vec<Artifact>,
    runner: Option<RunnerPayload>,
    artifacts_expire_at: Option<String>,
    archived: bool,
    tag_list: &'static [&'static str],
}

#[derive(Serialize)]
struct FullUser {
    id: i64,
    username: &'static str,
    name: &'static str,
    state: &'static str,
    locked: bool,
    avatar_url: String,
    web_url: String,
    created_at: &'static str,
    bio: &'static str,
    location: &'static str,
    public_email: &'static str,
    skype: &'static str,
    linkedin: &'static str,
    twitter: &'static str,
    discord: &'static str,
    website_url: &'static str,
    organization: &'static str,
    job_title: &'static str,
    pronouns: &'static str,
    bot: bool,
    work_information: Option<&'static str>,
    followers: u32,
    following: u32,
    local_time: Option<&'static str>,
}

fn full_user(user: User) -> FullUser {
    FullUser {
        id: user.id,
        username: user.username,
        name: user.name,
        state: "active",
        locked: false,
        avatar_url: format!(
            "{WEB_HOST}/uploads/-/system/user/avatar/{}/avatar.png",
            user.id
        ),
        web_url: format!("{WEB_HOST}/{}", user.username),
        created_at: "2021-03-15T09:12:44.201Z",
        bio: "",
        location: "",
        public_email: "",
        skype: "",
        linkedin: "",
        twitter: "",
        discord: "",
        website_url: "",
        organization: "",
        job_title: "",
        pronouns: "",
        bot: user.username.ends_with("-bot"),
        work_information: None,
        followers: 0,
        following: 0,
        local_time: None,
    }
}

#[derive(Serialize)]
struct Commit<'a> {
    id: &'a str,
    short_id: &'a str,
    created_at: String,
    parent_ids: [&'a str; 1],
    title: &'static str,
    message: String,
    author_name: &'static str,
    author_email: String,
    authored_date: String,
    committer_name: &'static str,
    committer_email: String,
    committed_date: String,
    trailers: Empty,
    extended_trailers: Empty,
    web_url: String,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct JobPipeline<'a> {
    id: i64,
    iid: i64,
    project_id: i64,
    sha: &'a str,
    #[serde(rename = "ref")]
    git_ref: &'a str,
    status: &'static str,
    source: &'static str,
    created_at: String,
    updated_at: String,
    web_url: String,
}

#[derive(Serialize)]
struct JobProject {
    ci_job_token_scope_enabled: bool,
}

#[derive(Serialize)]
struct ArtifactsFile {
    filename: &'static str,
    size: u64,
}

#[derive(Serialize)]
struct Artifact {
    file_type: &'static str,
    size: u64,
    filename: &'static str,
    file_format: Option<&'static str>,
}

#[derive(Serialize)]
struct RunnerPayload {
    id: i64,
    description: &'static str,
    ip_address: &'static str,
    active: bool,
    paused: bool,
    is_shared: bool,
    runner_type: &'static str,
    name: &'static str,
    online: bool,
    status: &'static str,
}

/// `trace_bytes`: the size of the job's log, listed as its `trace` artifact once it finished.
pub fn job<'a>(
    spec: &ProjectSpec,
    pipeline: &'a PipelineView<'a>,
    view: &JobView<'_>,
    trace_bytes: Option<u64>,
) -> JobPayload<'a> {
    let p = pipeline.pipeline;
    let job = view.job;
    let status = view.status();
    let finished = view.finished_us();
    let committed = p.created_us - 95 * SECOND;
    let commit_time = to_iso8601(committed.div_euclid(1_000_000) * 1_000).replace('Z', "+00:00");
    let email = format!("{}@example.com", p.user.username);
    let mut artifacts: Vec<Artifact> = Vec::new();
    if finished.is_some() {
        artifacts.extend(job.draft.artifacts.iter().map(|a| Artifact {
            file_type: a.file_type,
            size: a.size,
            filename: a.filename,
            file_format: Some(a.file_format),
        }));
    }
    let artifacts_file = artifacts
        .iter()
        .find(|a| a.file_type == "archive")
        .map(|a| ArtifactsFile {
            filename: a.filename,
            size: a.size,
        });
    let expire_at = match (finished, job.draft.artifacts_expire_in_us) {
        (Some(f), Some(expire)) if !artifacts.is_empty() => Some(iso(f + expire)),
        _ => None,
    };
    if let (Some(_), Some(size)) = (finished, trace_bytes) {
        artifacts.push(Artifact {
            file_type: "trace",
            size,
            filename: "job.log",
            file_format: None,
        });
    }
    let runner = job.draft.runner;
    JobPayload {
        id: job.id,
        status: status.as_str(),
        stage: job.draft.stage,
        name: job.draft.name,
        git_ref: &p.git_ref,
        tag: false,
        coverage: None,
        allow_failure: job.draft.allow_failure,
        created_at: iso(job.created_us),
        started_at: view.started_us().map(iso),
        finished_at: finished.map(iso),
        erased_at: None,
        duration: view.duration_s(),
        queued_duration: view.queued_duration_s(),
        user: full_user(p.user),
        commit: Commit {
            id: &p.sha,
            short_id: &p.sha[..8],
            created_at: commit_time.clone(),
            parent_ids: [&p.before_sha],
            title: p.commit_title,
            message: format!("{}\n", p.commit_title),
            author_name: p.user.name,
            author_email: email.clone(),
            authored_date: commit_time.clone(),
            committer_name: p.user.name,
            committer_email: email,
            committed_date: commit_time,
            trailers: Empty {},
            extended_trailers: Empty {},
            web_url: format!("{}/-/commit/{}", spec.web_url(), p.sha),
        },
        pipeline: JobPipeline {
            id: p.id,
            iid: p.iid,
            project_id: spec.id,
            sha: &p.sha,
            git_ref: &p.git_ref,
            status: pipeline.status().as_str(),
            source: p.source.as_str(),
            created_at: iso(p.created_us),
            updated_at: iso(pipeline.updated_us()),
            web_url: format!("{}/-/pipelines/{}", spec.web_url(), p.id),
        },
        failure_reason: match (status, job.draft.outcome) {
            (Status::Failed, crate::scenario::model::Outcome::Failed { reason }) => Some(reason),
            _ => None,
        },
        web_url: format!("{}/-/jobs/{}", spec.web_url(), job.id),
        project: JobProject {
            ci_job_token_scope_enabled: false,
        },
        artifacts_file,
        artifacts,
        runner: view.started_us().map(|_| RunnerPayload {
            id: runner.id,
            description: runner.description,
            ip_address: runner.ip_address,
            active: true,
            paused: false,
            is_shared: runner.is_shared,
            runner_type: if runner.is_shared {
                "instance_type"
            } else {
                "project_type"
            },
            name: "gitlab-runner",
            online: true,
            status: "online",
        }),
        artifacts_expire_at: expire_at,
        archived: false,
        tag_list: job.draft.tags,
    }
}
