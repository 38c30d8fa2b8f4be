//! Webhook payloads to the flat records the store writes. Pure, so every rule is tested here.
//!
//! Webhook-made pipelines keep `details_synced = false`: the hook has no `started_at` or
//! `updated_at`, so a later sync still fetches the single-pipeline details.

use super::payload::{Hook, HookProject, HookRunner, JobHook, PipelineBuild, PipelineHook};
use strata_core::store::records::{JobRecord, PipelineRecord, ProjectRecord, seconds_to_ms};

/// What one delivery writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Records {
    pub project: ProjectRecord,
    /// The payload carried GitLab's own project object (path, name, URL), so it may refresh a
    /// stored project; otherwise the project is only registered if unknown.
    pub project_authoritative: bool,
    pub pipeline: PipelineRecord,
    pub jobs: Vec<JobRecord>,
    /// The pipeline (Pipeline Hook) or job (Job Hook) the event is about.
    pub object_id: i64,
}

pub fn records(hook: &Hook) -> Records {
    match hook {
        Hook::Pipeline(p) => pipeline_records(p),
        Hook::Job(j) => job_records(j),
    }
}

fn project_record(project: &HookProject) -> Option<ProjectRecord> {
    let path = project.path_with_namespace.clone()?;
    let name = project
        .name
        .clone()
        .unwrap_or_else(|| last_segment(&path).to_owned());
    Some(ProjectRecord {
        id: project.id,
        path,
        name,
        web_url: project.web_url.clone(),
        default_branch: project.default_branch.clone(),
    })
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A project's web URL joined with a GitLab page path (`-/jobs/1`).
fn page(project_url: Option<&str>, tail: &str) -> Option<String> {
    project_url.map(|u| format!("{}/{tail}", u.trim_end_matches('/')))
}

fn runner_fields(
    runner: Option<&HookRunner>,
) -> (Option<i64>, Option<String>, Option<Vec<String>>) {
    match runner {
        Some(r) => (r.id, r.description.clone(), r.tags.clone()),
        None => (None, None, None),
    }
}

fn pipeline_records(hook: &PipelineHook) -> Records {
    let a = &hook.object_attributes;
    let (project, authoritative) = match project_record(&hook.project) {
        Some(p) => (p, true),
        None => (
            fallback_project(hook.project.id, None, hook.project.web_url.clone()),
            false,
        ),
    };
    let project_url = project.web_url.as_deref();
    let pipeline = PipelineRecord {
        id: a.id,
        project_id: project.id,
        iid: a.iid,
        git_ref: a.git_ref.clone(),
        sha: a.sha.clone(),
        source: a.source.clone(),
        status: a.status.clone(),
        created_at_ms: a.created_at,
        updated_at_ms: None,
        started_at_ms: None,
        finished_at_ms: a.finished_at,
        duration_ms: a.duration.and_then(seconds_to_ms),
        queued_duration_ms: a.queued_duration.and_then(seconds_to_ms),
        web_url: a
            .url
            .clone()
            .or_else(|| page(project_url, &format!("-/pipelines/{}", a.id))),
        details_synced: false,
    };
    let jobs = hook
        .builds
        .iter()
        .map(|b| build_record(project.id, a.id, project_url, b))
        .collect();
    Records {
        object_id: a.id,
        project,
        project_authoritative: authoritative,
        pipeline,
        jobs,
    }
}

fn build_record(
    project_id: i64,
    pipeline_id: i64,
    project_url: Option<&str>,
    b: &PipelineBuild,
) -> JobRecord {
    let (runner_id, runner_description, tag_list) = runner_fields(b.runner.as_ref());
    JobRecord {
        id: b.id,
        project_id,
        pipeline_id,
        name: b.name.clone(),
        stage: b.stage.clone(),
        status: b.status.clone(),
        allow_failure: b.allow_failure,
        retried: None,
        created_at_ms: b.created_at,
        started_at_ms: b.started_at,
        finished_at_ms: b.finished_at,
        duration_ms: b.duration.and_then(seconds_to_ms),
        queued_duration_ms: b.queued_duration.and_then(seconds_to_ms),
        runner_id,
        runner_description,
        tag_list,
        web_url: page(project_url, &format!("-/jobs/{}", b.id)),
        artifacts_bytes: None,
    }
}

/// A project known only by id (and maybe a URL): the path is the URL's path when there is
/// one, else a placeholder that a sync or a later Pipeline Hook replaces.
fn fallback_project(id: i64, name: Option<String>, web_url: Option<String>) -> ProjectRecord {
    let path = web_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.path().trim_matches('/').to_owned())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| format!("project-{id}"));
    ProjectRecord {
        id,
        name: name.unwrap_or_else(|| last_segment(&path).to_owned()),
        path,
        web_url,
        default_branch: None,
    }
}

fn job_records(hook: &JobHook) -> Records {
    let given = hook.project.as_ref().and_then(project_record);
    let (project, authoritative) = match given {
        Some(p) => (p, true),
        None => {
            let repo = hook.repository.as_ref();
            let web_url = hook
                .project
                .as_ref()
                .and_then(|p| p.web_url.clone())
                .or_else(|| repo.and_then(|r| r.homepage.clone()));
            let name = repo.and_then(|r| r.name.clone());
            (fallback_project(hook.project_id, name, web_url), false)
        }
    };
    let project_url = project.web_url.as_deref();
    let summary = hook.commit.as_ref();
    let pipeline_status = summary.and_then(|c| c.status.clone()).unwrap_or_default();
    // The summary of a pipeline that has not finished can still carry the finish and
    // duration of an earlier run (a retried pipeline): only a finished one's are its own.
    let finished = pipeline_status.is_terminal();
    let pipeline = PipelineRecord {
        id: hook.pipeline_id,
        project_id: project.id,
        iid: None,
        git_ref: hook.git_ref.clone(),
        sha: hook.sha.clone(),
        source: None,
        created_at_ms: None,
        updated_at_ms: None,
        started_at_ms: summary.and_then(|c| c.started_at),
        finished_at_ms: summary.and_then(|c| c.finished_at).filter(|_| finished),
        duration_ms: summary
            .and_then(|c| c.duration)
            .and_then(seconds_to_ms)
            .filter(|_| finished),
        queued_duration_ms: None,
        web_url: page(project_url, &format!("-/pipelines/{}", hook.pipeline_id)),
        details_synced: false,
        status: pipeline_status,
    };
    let (runner_id, runner_description, tag_list) = runner_fields(hook.runner.as_ref());
    let job = JobRecord {
        id: hook.build_id,
        project_id: project.id,
        pipeline_id: hook.pipeline_id,
        name: hook.build_name.clone(),
        stage: hook.build_stage.clone(),
        status: hook.build_status.clone(),
        allow_failure: hook.build_allow_failure,
        retried: None,
        created_at_ms: hook.build_created_at,
        started_at_ms: hook.build_started_at,
        finished_at_ms: hook.build_finished_at,
        duration_ms: hook.build_duration.and_then(seconds_to_ms),
        queued_duration_ms: hook.build_queued_duration.and_then(seconds_to_ms),
        runner_id,
        runner_description,
        tag_list,
        web_url: page(project_url, &format!("-/jobs/{}", hook.build_id)),
        artifacts_bytes: None,
    };
    Records {
        object_id: hook.build_id,
        project,
        project_authoritative: authoritative,
        pipeline,
        jobs: vec![job],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::payload::{HookKind, parse};

    fn job_hook(extra: &str) -> Records {
        let body = format!(
            r#"{{"build_id":7,"build_name":"test","build_status":"running","pipeline_id":3,
                "project_id":5,"ref":"main","sha":"abc"{extra}}}"#
        );
        records(&parse(HookKind::Job, body.as_bytes()).unwrap())
    }

    #[test]
    fn a_job_hook_without_a_project_object_derives_the_path_from_the_homepage() {
        let r = job_hook(
            r#","project_name":"John Smith / web","repository":{"name":"web","homepage":"https://gitlab.com/jsmith/web"}"#,
        );
        assert!(!r.project_authoritative);
        assert_eq!(r.project.path, "jsmith/web");
        assert_eq!(r.project.name, "web");
        assert_eq!(
            r.jobs[0].web_url.as_deref(),
            Some("https://gitlab.com/jsmith/web/-/jobs/7")
        );
        let bare = job_hook("");
        assert_eq!(bare.project.path, "project-5");
        assert_eq!(bare.jobs[0].web_url, None);
        assert_eq!(bare.pipeline.status, "created");
    }

    #[test]
    fn an_unfinished_pipeline_summary_keeps_no_finish_time() {
        let r = job_hook(
            r#","commit":{"id":3,"status":"running","duration":128,"started_at":"2023-01-10 13:50:05 UTC","finished_at":"2022-10-12 08:09:29 UTC"}"#,
        );
        assert_eq!(r.pipeline.status, "running");
        assert_eq!(r.pipeline.started_at_ms, Some(1_673_358_605_000));
        assert_eq!(
            (r.pipeline.finished_at_ms, r.pipeline.duration_ms),
            (None, None)
        );
        let done = job_hook(
            r#","commit":{"id":3,"status":"failed","duration":128,"finished_at":"2023-01-10 13:52:13 UTC"}"#,
        );
        assert_eq!(done.pipeline.duration_ms, Some(128_000));
        assert_eq!(done.pipeline.finished_at_ms, Some(1_673_358_733_000));
        assert!(!done.pipeline.details_synced);
    }
}
