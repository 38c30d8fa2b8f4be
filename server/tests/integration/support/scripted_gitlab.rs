//! A small GitLab REST API on a loopback port, for sync tests and the sync benchmark: serves
//! generated pipelines the way GitLab does (Link pagination, no totals above 10,000, the
//! token checked), counts requests per endpoint, and injects faults on demand.
#![allow(dead_code)]

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;
use strata_core::instant::parse_epoch_ms;
use tokio::{net::TcpListener, task::JoinHandle};

use super::scripted_data::{
    FakePipeline, FakeProject, job_json, job_log, pipeline_details_json, pipeline_list_json,
    project_json,
};

pub const TOKEN: &str = "glpat-scripted-token";

/// Requests served, per endpoint.
#[derive(Debug, Default)]
pub struct Counts {
    pub project: AtomicU64,
    pub list: AtomicU64,
    pub details: AtomicU64,
    pub jobs: AtomicU64,
    pub trace: AtomicU64,
}

impl Counts {
    pub fn snapshot(&self) -> [u64; 5] {
        [
            &self.project,
            &self.list,
            &self.details,
            &self.jobs,
            &self.trace,
        ]
        .map(|c| c.load(Ordering::SeqCst))
    }

    pub fn total(&self) -> u64 {
        self.snapshot().iter().sum()
    }
}

/// What the server does wrong, when asked.
#[derive(Debug, Default)]
pub struct Faults {
    /// Pipelines whose jobs request answers 500, every time.
    pub jobs_fail_for: HashSet<i64>,
    /// Jobs whose log is gone (404).
    pub log_missing: HashSet<i64>,
    /// Jobs whose log breaks off halfway, this many more times.
    pub log_truncated: HashMap<i64, u32>,
    /// `(n, id)`: just before the n-th pipelines list request (from 1), pipeline `id` is
    /// updated, so it moves to the end of the list while a listing is under way.
    pub updated_before_list: Option<(u64, i64)>,
}

#[derive(Default)]
pub struct Data {
    pub projects: Vec<FakeProject>,
    pub pipelines: BTreeMap<i64, FakePipeline>,
}

pub struct Shared {
    pub data: Mutex<Data>,
    pub faults: Mutex<Faults>,
    pub counts: Counts,
    /// Every `updated_after` the pipelines list was asked for.
    pub updated_after: Mutex<Vec<Option<String>>>,
    base: Mutex<String>,
}

pub struct ScriptedGitLab {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl ScriptedGitLab {
    pub async fn start(projects: Vec<FakeProject>, pipelines: Vec<FakePipeline>) -> ScriptedGitLab {
        let shared = Arc::new(Shared {
            data: Mutex::new(Data {
                projects,
                pipelines: pipelines.into_iter().map(|p| (p.id, p)).collect(),
            }),
            faults: Mutex::new(Faults::default()),
            counts: Counts::default(),
            updated_after: Mutex::new(Vec::new()),
            base: Mutex::new(String::new()),
        });
        let api = Router::new()
            .route("/projects/{project}", get(project))
            .route("/projects/{project}/pipelines", get(list_pipelines))
            .route("/projects/{project}/pipelines/{pipeline}", get(pipeline))
            .route("/projects/{project}/pipelines/{pipeline}/jobs", get(jobs))
            .route("/projects/{project}/jobs/{job}/trace", get(trace))
            .with_state(shared.clone());
        let app = Router::new().nest("/api/v4", api);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        *shared.base.lock().unwrap() = format!("http://{addr}");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ScriptedGitLab { addr, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.shared.data.lock().unwrap()
    }

    pub fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.shared.faults.lock().unwrap()
    }

    pub fn counts(&self) -> &Counts {
        &self.shared.counts
    }
}

impl Drop for ScriptedGitLab {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Shd = State<Arc<Shared>>;

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("private-token").and_then(|v| v.to_str().ok()) == Some(TOKEN)
}

fn unauthorised() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        r#"{"message":"401 Unauthorized"}"#,
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!(r#"{{"message":"404 {what} Not Found"}}"#),
    )
        .into_response()
}

fn json_response(value: &Value) -> Response {
    let mut response = Bytes::from(serde_json::to_vec(value).unwrap()).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

fn find_project(data: &Data, key: &str) -> Option<FakeProject> {
    data.projects
        .iter()
        .find(|p| p.path == key || p.id.to_string() == key)
        .cloned()
}

async fn project(State(s): Shd, headers: HeaderMap, Path(key): Path<String>) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    s.counts.project.fetch_add(1, Ordering::SeqCst);
    let base = s.base.lock().unwrap().clone();
    match find_project(&s.data.lock().unwrap(), &key) {
        Some(p) => json_response(&project_json(&p, &base)),
        None => not_found("Project"),
    }
}

async fn list_pipelines(
    State(s): Shd,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let request = s.counts.list.fetch_add(1, Ordering::SeqCst) + 1;
    let update = s.faults.lock().unwrap().updated_before_list;
    if let Some((_, id)) = update.filter(|(n, _)| *n == request) {
        let mut data = s.data.lock().unwrap();
        let newest = data
            .pipelines
            .values()
            .map(|p| p.updated_ms)
            .max()
            .unwrap_or(0);
        data.pipelines.get_mut(&id).unwrap().updated_ms = newest + 1_000;
    }
    s.updated_after
        .lock()
        .unwrap()
        .push(q.get("updated_after").cloned());
    assert_eq!(q.get("order_by").map(String::as_str), Some("updated_at"));
    assert_eq!(q.get("sort").map(String::as_str), Some("asc"));
    let after = q.get("updated_after").and_then(|t| parse_epoch_ms(t));
    let per_page: usize = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .min(100);
    let page: usize = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let base = s.base.lock().unwrap().clone();
    let data = s.data.lock().unwrap();
    let Some(project) = find_project(&data, &key) else {
        return not_found("Project");
    };
    let mut matching: Vec<&FakePipeline> = data
        .pipelines
        .values()
        .filter(|p| p.project_id == project.id && after.is_none_or(|a| p.updated_ms > a))
        .collect();
    matching.sort_by_key(|p| (p.updated_ms, p.id));
    let total = matching.len();
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|p| pipeline_list_json(p, &base))
        .collect();
    let mut response = json_response(&Value::Array(items));
    let h = response.headers_mut();
    h.insert("x-page", HeaderValue::from(page));
    h.insert("x-per-page", HeaderValue::from(per_page));
    // GitLab drops totals for lists above 10,000 records.
    if total <= 10_000 {
        h.insert("x-total", HeaderValue::from(total));
        h.insert("x-total-pages", HeaderValue::from(total.div_ceil(per_page)));
    }
    if page * per_page < total {
        let mut next: Vec<(String, String)> = q.into_iter().filter(|(k, _)| k != "page").collect();
        next.push(("page".into(), (page + 1).to_string()));
        next.sort();
        let query: Vec<String> = next
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(':', "%3A")))
            .collect();
        let link = format!(
            "<{base}/api/v4/projects/{}/pipelines?{}>; rel=\"next\", <{base}/api/v4/projects/{}/pipelines?page=1>; rel=\"first\"",
            project.id,
            query.join("&"),
            project.id
        );
        h.insert("link", HeaderValue::from_str(&link).unwrap());
        h.insert("x-next-page", HeaderValue::from(page + 1));
    }
    response
}

fn find_pipeline(s: &Shared, key: &str, id: i64) -> Option<FakePipeline> {
    let data = s.data.lock().unwrap();
    let project = find_project(&data, key)?;
    data.pipelines
        .get(&id)
        .filter(|p| p.project_id == project.id)
        .cloned()
}

async fn pipeline(
    State(s): Shd,
    headers: HeaderMap,
    Path((key, id)): Path<(String, i64)>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    s.counts.details.fetch_add(1, Ordering::SeqCst);
    let base = s.base.lock().unwrap().clone();
    match find_pipeline(&s, &key, id) {
        Some(p) => json_response(&pipeline_details_json(&p, &base)),
        None => not_found("Pipeline"),
    }
}

async fn jobs(
    State(s): Shd,
    headers: HeaderMap,
    Path((key, id)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    s.counts.jobs.fetch_add(1, Ordering::SeqCst);
    assert_eq!(q.get("include_retried").map(String::as_str), Some("true"));
    if s.faults.lock().unwrap().jobs_fail_for.contains(&id) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
    }
    let base = s.base.lock().unwrap().clone();
    match find_pipeline(&s, &key, id) {
        Some(p) => json_response(&Value::Array(
            p.jobs.iter().map(|j| job_json(&p, j, &base)).collect(),
        )),
        None => not_found("Pipeline"),
    }
}

async fn trace(
    State(s): Shd,
    headers: HeaderMap,
    Path((_key, job)): Path<(String, i64)>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    s.counts.trace.fetch_add(1, Ordering::SeqCst);
    let mut faults = s.faults.lock().unwrap();
    if faults.log_missing.contains(&job) {
        return not_found("Job log");
    }
    let log = job_log(job);
    if let Some(left) = faults.log_truncated.get_mut(&job).filter(|n| **n > 0) {
        *left -= 1;
        // Half the log, then the connection breaks: the chunked body never ends properly.
        // The pause lets the headers and the first half go out before the cut.
        let half = Bytes::from(log[..log.len() / 2].to_vec());
        let stream = futures::stream::unfold(Some(half), |half| async move {
            match half {
                Some(half) => Some((Ok(half), None)),
                None => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    let cut = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut");
                    Some((Err(cut), None))
                }
            }
        });
        return Body::from_stream(stream).into_response();
    }
    // In pieces, as a long log arrives.
    let chunks: Vec<Result<Bytes, std::io::Error>> = log
        .chunks(1_024)
        .map(|c| Ok(Bytes::from(c.to_vec())))
        .collect();
    Body::from_stream(futures::stream::iter(chunks)).into_response()
}
