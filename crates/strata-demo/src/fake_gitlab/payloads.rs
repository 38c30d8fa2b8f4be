//! The JSON the fake answers with, field for field in the shapes gitlab.com returns (see
//! `fixtures/api/`): the short pipeline in lists, the detailed single pipeline, jobs with
//! runner, artifacts and commit. Instants are ISO 8601 with milliseconds; pipeline durations
//! are whole seconds, job durations fractional.

use serde::Serialize;

use super::view::PipelineView;
use crate::{
    dataset::PipelineEntry,
    scenario::{
        ProjectSpec, WEB_HOST,
        model::{SECOND, Status, User},
    },
};
use strata_core::instant::to_iso8601;

pub(super) fn iso(us: i64) -> String {
    to_iso8601(us.div_euclid(1_000))
}

#[derive(Serialize)]
pub struct Namespace {
    id: i64,
    name: &'static str,
    path: &'static str,
    kind: &'static str,
    full_path: &'static str,
    parent_id: Option<i64>,
    avatar_url: Option<String>,
    web_url: String,
}

#[derive(Serialize)]
pub struct Project {
    id: i64,
    description: &'static str,
    name: &'static str,
    name_with_namespace: String,
    path: &'static str,
    path_with_namespace: &'static str,
    created_at: String,
    default_branch: &'static str,
    tag_list: [&'static str; 0],
    topics: [&'static str; 0],
    ssh_url_to_repo: String,
    http_url_to_repo: String,
    web_url: String,
    readme_url: String,
    forks_count: u32,
    avatar_url: Option<String>,
    star_count: u32,
    last_activity_at: String,
    namespace: Namespace,
    visibility: &'static str,
    archived: bool,
    empty_repo: bool,
}

pub fn project(spec: &ProjectSpec, window_start_us: i64, now_us: i64) -> Project {
    let host = WEB_HOST.trim_start_matches("https://");
    Project {
        id: spec.id,
        description: spec.description,
        name: spec.name,
        name_with_namespace: format!("Demo / {}", spec.name),
        path: spec.name,
        path_with_namespace: spec.path,
        created_at: iso(window_start_us - 400 * 86_400 * SECOND),
        default_branch: "main",
        tag_list: [],
        topics: [],
        ssh_url_to_repo: format!("git@{host}:{}.git", spec.path),
        http_url_to_repo: format!("{}.git", spec.web_url()),
        web_url: spec.web_url(),
        readme_url: format!("{}/-/blob/main/README.md", spec.web_url()),
        forks_count: 0,
        avatar_url: None,
        star_count: 3,
        last_activity_at: iso(now_us),
        namespace: Namespace {
            id: 77,
            name: "Demo",
            path: "demo",
            kind: "group",
            full_path: "demo",
            parent_id: None,
            avatar_url: None,
            web_url: format!("{WEB_HOST}/groups/demo"),
        },
        visibility: "private",
        archived: false,
        empty_repo: false,
    }
}

/// A pipeline in `GET /projects/:id/pipelines`: no durations, like the real list.
#[derive(Serialize)]
pub struct PipelineListItem<'a> {
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
    name: Option<&'static str>,
}

pub fn pipeline_list_item<'a>(
    spec: &ProjectSpec,
    entry: &'a PipelineEntry,
    status: Status,
    updated_us: i64,
) -> PipelineListItem<'a> {
    PipelineListItem {
        id: entry.ids.id,
        iid: entry.ids.iid,
        project_id: spec.id,
        sha: &entry.sha,
        git_ref: &entry.arrival.git_ref,
        status: status.as_str(),
        source: entry.arrival.source.as_str(),
        created_at: iso(entry.arrival.created_us),
        updated_at: iso(updated_us),
        web_url: format!("{}/-/pipelines/{}", spec.web_url(), entry.ids.id),
        name: None,
    }
}

#[derive(Serialize)]
pub struct BasicUser {
    id: i64,
    username: &'static str,
    name: &'static str,
    state: &'static str,
    locked: bool,
    avatar_url: String,
    web_url: String,
}

fn basic_user(user: User) -> BasicUser {
    BasicUser {
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
    }
}

#[derive(Serialize)]
pub struct DetailedStatus {
    icon: String,
    text: &'static str,
    label: &'static str,
    group: &'static str,
    tooltip: &'static str,
    has_details: bool,
    details_path: String,
    illustration: Option<&'static str>,
    favicon: String,
}

pub(super) fn detailed_status(
    status: Status,
    details_path: String,
    has_details: bool,
) -> DetailedStatus {
    let (text, label) = match status {
        Status::Success => ("Passed", "passed"),
        Status::Failed => ("Failed", "failed"),
        Status::Running => ("Running", "running"),
        Status::Pending => ("Pending", "pending"),
        Status::Created => ("Created", "created"),
        Status::Canceled => ("Canceled", "canceled"),
        Status::Skipped => ("Skipped", "skipped"),
        Status::Manual => ("Manual", "manual action"),
    };
    let group = status.as_str();
    DetailedStatus {
        icon: format!("status_{group}"),
        text,
        label,
        group,
        tooltip: label,
        has_details,
        details_path,
        illustration: None,
        favicon: format!("/assets/ci_favicons/favicon_status_{group}.png"),
    }
}

/// `GET /projects/:id/pipelines/:pipeline_id`.
#[derive(Serialize)]
pub struct PipelineDetail<'a> {
    #[serde(flatten)]
    basic: PipelineListItem<'a>,
    before_sha: &'a str,
    tag: bool,
    yaml_errors: Option<&'static str>,
    user: BasicUser,
    started_at: Option<String>,
    finished_at: Option<String>,
    committed_at: Option<String>,
    duration: Option<i64>,
    queued_duration: Option<i64>,
    coverage: Option<&'static str>,
    detailed_status: DetailedStatus,
}

pub fn pipeline_detail<'a>(
    spec: &ProjectSpec,
    entry: &'a PipelineEntry,
    view: &'a PipelineView<'a>,
) -> PipelineDetail<'a> {
    let status = view.status();
    let pipeline = view.pipeline;
    PipelineDetail {
        basic: pipeline_list_item(spec, entry, status, view.updated_us()),
        before_sha: &pipeline.before_sha,
        tag: false,
        yaml_errors: None,
        user: basic_user(pipeline.user),
        started_at: view.started_us().map(iso),
        finished_at: view.finished_us().map(iso),
        committed_at: None,
        duration: view.duration_s(),
        queued_duration: view.queued_duration_s(),
        coverage: None,
        detailed_status: detailed_status(
            status,
            format!("/{}/-/pipelines/{}", spec.path, pipeline.id),
            false,
        ),
    }
}
