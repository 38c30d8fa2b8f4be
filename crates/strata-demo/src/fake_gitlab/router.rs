//! The REST endpoints, answered from the dataset at the fake's clock.
//! <https://docs.gitlab.com/api/pipelines/>, <https://docs.gitlab.com/api/jobs/>

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    middleware::from_fn_with_state,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Serialize;

use super::{
    FakeState,
    filters::PipelineFilters,
    gate::gate,
    job_payload::job,
    pagination::PageRequest,
    payloads::{pipeline_detail, pipeline_list_item, project},
    view::PipelineView,
};
use crate::{
    dataset::{Dataset, PipelineEntry},
    log_writer,
    scenario::{ProjectSpec, model::Status},
};

pub fn router(state: Arc<FakeState>) -> Router {
    Router::new()
        .route("/api/v4/projects", get(list_projects))
        .route("/api/v4/projects/{id}", get(get_project))
        .route("/api/v4/projects/{id}/pipelines", get(list_pipelines))
        .route(
            "/api/v4/projects/{id}/pipelines/{pipeline_id}",
            get(get_pipeline),
        )
        .route(
            "/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs",
            get(list_jobs),
        )
        .route("/api/v4/projects/{id}/jobs/{job_id}/trace", get(job_trace))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "error", "404 Not Found") })
        .layer(from_fn_with_state(state.clone(), gate))
        .with_state(state)
}

/// GitLab's error bodies: `{"message": …}` for missing things, `{"error": …}` for bad
/// parameters.
pub struct ApiError {
    status: StatusCode,
    key: &'static str,
    text: String,
}

impl ApiError {
    fn new(status: StatusCode, key: &'static str, text: impl Into<String>) -> ApiError {
        ApiError {
            status,
            key,
            text: text.into(),
        }
    }

    pub(super) fn bad_request(text: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "error", text)
    }

    fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "message",
            format!("404 {what} Not Found"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ self.key: self.text });
        (self.status, axum::Json(body)).into_response()
    }
}

pub(super) type Query = Vec<(String, String)>;

fn parse_query(raw: Option<String>) -> Query {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

pub(super) fn param<'q>(query: &'q Query, name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn json(headers: HeaderMap, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (headers, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn find_project(data: &Dataset, id: &str) -> Result<&'static ProjectSpec, ApiError> {
    data.project(id)
        .ok_or_else(|| ApiError::not_found("Project"))
}

fn link_base(state: &FakeState, uri: &Uri) -> String {
    format!("{}{}", state.base_url, uri.path())
}

async fn list_projects(
    State(state): State<Arc<FakeState>>,
    RawQuery(raw): RawQuery,
    uri: Uri,
) -> Result<Response, ApiError> {
    let query = parse_query(raw);
    let page = PageRequest::from_query(&query).map_err(ApiError::bad_request)?;
    let data = state.dataset.read().unwrap_or_else(|e| e.into_inner());
    let all: Vec<_> = data.projects().collect();
    let items: Vec<_> = all[page.range(all.len())]
        .iter()
        .map(|spec| project(spec, data.window_start_us(), data.now_us()))
        .collect();
    Ok(json(
        page.headers(all.len(), &link_base(&state, &uri), &query),
        &items,
    ))
}

#[tracing::instrument(skip(state), fields(project = %id))]
async fn get_project(
    State(state): State<Arc<FakeState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let data = state.dataset.read().unwrap_or_else(|e| e.into_inner());
    let spec = find_project(&data, &id)?;
    Ok(json(
        HeaderMap::new(),
        &project(spec, data.window_start_us(), data.now_us()),
    ))
}

#[tracing::instrument(skip(state, raw, uri), fields(project = %id))]
async fn list_pipelines(
    State(state): State<Arc<FakeState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    uri: Uri,
) -> Result<Response, ApiError> {
    let query = parse_query(raw);
    let filters = PipelineFilters::parse(&query)?;
    let page = PageRequest::from_query(&query).map_err(ApiError::bad_request)?;
    let data = state.dataset.read().unwrap_or_else(|e| e.into_inner());
    let spec = find_project(&data, &id)?;
    let now = data.now_us();
    let mut rows: Vec<(&PipelineEntry, Status, i64)> = data
        .pipelines(spec.id)
        .iter()
        .map(|entry| {
            if entry.final_updated_us <= now {
                return (entry, entry.final_status, entry.final_updated_us);
            }
            let pipeline = data
                .expand(spec.id, entry)
                .expect("the entry's project exists");
            let view = PipelineView::new(&pipeline, now);
            (entry, view.status(), view.updated_us())
        })
        .filter(|&(entry, status, updated)| filters.keeps(entry, status, updated))
        .collect();
    rows.sort_by(|a, b| filters.compare(a, b));
    let items: Vec<_> = rows[page.range(rows.len())]
        .iter()
        .map(|&(entry, status, updated)| pipeline_list_item(spec, entry, status, updated))
        .collect();
    Ok(json(
        page.headers(rows.len(), &link_base(&state, &uri), &query),
        &items,
    ))
}

fn pipeline_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::bad_request("pipeline_id is invalid"))
}

#[tracing::instrument(skip(state))]
async fn get_pipeline(
    State(state): State<Arc<FakeState>>,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let data = state.dataset.read().unwrap_or_else(|e| e.into_inner());
    let spec = find_project(&data, &id)?;
    let pid = pipeline_id(&pid)?;
    let entry = entry(&data, spec, pid)?;
    let pipeline = data
        .expand(spec.id, entry)
        .ok_or_else(|| ApiError::not_found("Pipeline"))?;
    let view = PipelineView::new(&pipeline, data.now_us());
    Ok(json(HeaderMap::new(), &pipeline_detail(spec, entry, &view)))
}

fn entry<'d>(
    data: &'d Dataset,
    spec: &ProjectSpec,
    pid: i64,
) -> Result<&'d PipelineEntry, ApiError> {
    let entries = data.pipelines(spec.id);
    entries
        .binary_search_by_key(&pid, |e| e.ids.id)
        .map(|i| &entries[i])
        .map_err(|_| ApiError::not_found("Pipeline"))
}

#[tracing::instrument(skip(state, raw, uri))]
async fn list_jobs(
    State(state): State<Arc<FakeState>>,
    Path((id, pid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    uri: Uri,
) -> Result<Response, ApiError> {
    let query = parse_query(raw);
    let page = PageRequest::from_query(&query).map_err(ApiError::bad_request)?;
    let include_retried = param(&query, "include_retried") == Some("true");
    let scopes: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "scope" || k == "scope[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let data = state.dataset.read().unwrap_or_else(|e| e.into_inner());
    let spec = find_project(&data, &id)?;
    let entry = entry(&data, spec, pipeline_id(&pid)?)?;
    let pipeline = data
        .expand(spec.id, entry)
        .ok_or_else(|| ApiError::not_found("Pipeline"))?;
    let now = data.now_us();
    let view = PipelineView::new(&pipeline, now);
    let mut jobs: Vec<_> = view
        .jobs(include_retried)
        .filter(|j| scopes.is_empty() || scopes.contains(&j.status().as_str()))
        .collect();
    jobs.sort_by_key(|j| std::cmp::Reverse(j.job.id));
    let items: Vec<_> = jobs[page.range(jobs.len())]
        .iter()
        .map(|j| {
            let trace = log_writer::render(spec, &pipeline, j.job, now);
            job(spec, &view, j, Some(trace.len() as u64))
        })
        .collect();
    Ok(json(
        page.headers(jobs.len(), &link_base(&state, &uri), &query),
        &items,
    ))
}

#[tracing::instrument(skip(state))]
async fn job_trace(
    State(state): State<Arc<FakeState>>,
    Path((id, job_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let data = state.dataset.read().unwrap_or_else(|e| e.into_inner());
    let spec = find_project(&data, &id)?;
    let job_id: i64 = job_id
        .parse()
        .map_err(|_| ApiError::bad_request("job_id is invalid"))?;
    let now = data.now_us();
    let pipeline = data
        .pipeline_of_job(spec.id, job_id)
        .filter(|p| p.created_us <= now)
        .ok_or_else(|| ApiError::not_found("Job"))?;
    let job = pipeline
        .job(job_id)
        .filter(|j| j.created_us <= now)
        .ok_or_else(|| ApiError::not_found("Job"))?;
    let log = log_writer::render(spec, &pipeline, job, now);
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], log).into_response())
}
