//! The GitLab REST client: the few endpoints sync needs, with authentication, pagination,
//! rate limits and retries handled once, here.

use std::{collections::HashSet, fmt, str::FromStr, sync::Arc, time::Duration};

use futures::Stream;
use reqwest::{Url, header::HeaderMap};
use secrecy::SecretString;
use serde::de::DeserializeOwned;

pub use super::transport::{ClientStats, TraceBody};
use super::{
    anchored::{Cursor, drop_relisted, next_cursor},
    api::{ApiJob, ApiPipeline, ApiProject},
    error::GitLabError,
    pagination::{PER_PAGE, following_page, total_hint},
    rate_limit::Backoff,
    transport::Transport,
};
use strata_core::instant::to_iso8601;

/// Sent with every request, so GitLab admins can tell who is calling.
pub const USER_AGENT: &str = concat!("strata/", env!("CARGO_PKG_VERSION"));

/// How the client talks to one GitLab instance.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://gitlab.com`, or a self-managed instance with any path prefix
    /// (`https://example.com/gitlab`).
    pub base_url: String,
    pub token: SecretString,
    /// Requests per second at most; `None` for no ceiling.
    pub max_rps: Option<f64>,
    /// Requests in flight at most.
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// For a whole JSON request; for job logs, the longest silence while the body streams.
    pub request_timeout: Duration,
    /// Tries per request (the first included) on 429, 5xx, timeouts and broken connections.
    pub max_attempts: u32,
    pub backoff: Backoff,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, token: SecretString) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            token,
            max_rps: Some(10.0),
            concurrency: 4,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_attempts: 6,
            backoff: Backoff {
                base: Duration::from_millis(500),
                max: Duration::from_secs(60),
            },
        }
    }
}

/// A project named by numeric id or by `group/sub/name` path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectRef {
    Id(i64),
    Path(String),
}

impl FromStr for ProjectRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_matches('/');
        if s.is_empty() {
            return Err("a project is a numeric id or a path like group/name".into());
        }
        Ok(match s.parse::<i64>() {
            Ok(id) if id > 0 => ProjectRef::Id(id),
            _ => ProjectRef::Path(s.to_owned()),
        })
    }
}

impl fmt::Display for ProjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProjectRef::Id(id) => write!(f, "{id}"),
            ProjectRef::Path(path) => f.write_str(path),
        }
    }
}

/// One page of a list, and GitLab's total when it sent one (a hint for progress bars).
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_hint: Option<u64>,
}

/// Cheap to clone: clones share the connection pool, the rate limits and the counters.
#[derive(Clone)]
pub struct GitLabClient {
    transport: Arc<Transport>,
    api: Url,
}

impl fmt::Debug for GitLabClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitLabClient")
            .field("api", &self.api.as_str())
            .finish_non_exhaustive()
    }
}

impl GitLabClient {
    pub fn new(config: ClientConfig) -> Result<GitLabClient, GitLabError> {
        let api = api_root(&config.base_url)?;
        Ok(GitLabClient {
            transport: Arc::new(Transport::new(config)?),
            api,
        })
    }

    pub fn stats(&self) -> &ClientStats {
        self.transport.stats()
    }

    /// `GET /projects/:id` (the path is URL-encoded as one segment).
    #[tracing::instrument(skip(self), fields(project = %project))]
    pub async fn project(&self, project: &ProjectRef) -> Result<ApiProject, GitLabError> {
        let url = self.url(&["projects", &project.to_string()]);
        Ok(self.transport.get_json(url).await?.0)
    }

    /// `GET /projects/:id/pipelines`, oldest update first, from `updated_after` (exclusive,
    /// epoch ms) on, one page at a time; each next page is asked for from the last update
    /// listed, so pipelines updated meanwhile cannot push others past a page ([`super::anchored`]).
    pub fn pipelines_updated_after(
        &self,
        project_id: i64,
        updated_after: Option<i64>,
    ) -> impl Stream<Item = Result<Page<ApiPipeline>, GitLabError>> + Send + 'static {
        let client = self.clone();
        let start = (Cursor::After(updated_after), HashSet::new());
        futures::stream::try_unfold(Some(start), move |state| {
            let client = client.clone();
            async move {
                let Some((mut cursor, mut previous)) = state else {
                    return Ok(None);
                };
                loop {
                    let url = match &cursor {
                        Cursor::After(after) => client.pipelines_url(project_id, *after),
                        Cursor::Link { url, .. } => url.clone(),
                    };
                    let (items, headers): (Vec<ApiPipeline>, HeaderMap) =
                        client.transport.get_json(url.clone()).await?;
                    let link = following_page(&url, &headers, items.is_empty());
                    let last_update = items.last().and_then(|p| p.updated_at);
                    let next = next_cursor(&cursor, last_update, link);
                    let listed = items.iter().map(|p| (p.id, p.updated_at)).collect();
                    let items = drop_relisted(items, &previous, |p| (p.id, p.updated_at));
                    previous = listed;
                    match next {
                        // Only pipelines listed already: nothing to hand over yet.
                        Some(following) if items.is_empty() => cursor = following,
                        next => {
                            let page = Page {
                                items,
                                total_hint: total_hint(&headers),
                            };
                            return Ok(Some((page, next.map(|next| (next, previous)))));
                        }
                    }
                }
            }
        })
    }

    fn pipelines_url(&self, project_id: i64, updated_after: Option<i64>) -> Url {
        let mut url = self.url(&["projects", &project_id.to_string(), "pipelines"]);
        {
            let mut query = url.query_pairs_mut();
            if let Some(after) = updated_after {
                query.append_pair("updated_after", &to_iso8601(after));
            }
            query
                .append_pair("order_by", "updated_at")
                .append_pair("sort", "asc")
                .append_pair("per_page", &PER_PAGE.to_string());
        }
        url
    }

    /// `GET /projects/:id/pipelines/:pid`: the pipeline with its durations.
    #[tracing::instrument(skip(self))]
    pub async fn pipeline(
        &self,
        project_id: i64,
        pipeline_id: i64,
    ) -> Result<ApiPipeline, GitLabError> {
        let url = self.url(&[
            "projects",
            &project_id.to_string(),
            "pipelines",
            &pipeline_id.to_string(),
        ]);
        Ok(self.transport.get_json(url).await?.0)
    }

    /// `GET /projects/:id/pipelines/:pid/jobs?include_retried=true`, every page.
    #[tracing::instrument(skip(self))]
    pub async fn pipeline_jobs(
        &self,
        project_id: i64,
        pipeline_id: i64,
    ) -> Result<Vec<ApiJob>, GitLabError> {
        use futures::TryStreamExt;
        let mut url = self.url(&[
            "projects",
            &project_id.to_string(),
            "pipelines",
            &pipeline_id.to_string(),
            "jobs",
        ]);
        url.query_pairs_mut()
            .append_pair("include_retried", "true")
            .append_pair("per_page", &PER_PAGE.to_string());
        let mut jobs = Vec::new();
        let mut pages = std::pin::pin!(self.pages::<ApiJob>(url));
        while let Some(page) = pages.try_next().await? {
            jobs.extend(page.items);
        }
        Ok(jobs)
    }

    /// `GET /projects/:id/jobs/:job_id/trace`: the raw log, to be read chunk by chunk.
    /// A log that expired or was erased is [`GitLabError::NotFound`] (or `Gone`).
    #[tracing::instrument(skip(self))]
    pub async fn job_trace(&self, project_id: i64, job_id: i64) -> Result<TraceBody, GitLabError> {
        let url = self.url(&[
            "projects",
            &project_id.to_string(),
            "jobs",
            &job_id.to_string(),
            "trace",
        ]);
        self.transport.get_stream(url).await
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has path segments")
            .extend(segments);
        url
    }

    fn pages<T: DeserializeOwned + Send + 'static>(
        &self,
        first: Url,
    ) -> impl Stream<Item = Result<Page<T>, GitLabError>> + Send + 'static {
        let client = self.clone();
        futures::stream::try_unfold(Some(first), move |next| {
            let client = client.clone();
            async move {
                let Some(url) = next else {
                    return Ok(None);
                };
                let (items, headers): (Vec<T>, HeaderMap) =
                    client.transport.get_json(url.clone()).await?;
                let next = following_page(&url, &headers, items.is_empty());
                let page = Page {
                    items,
                    total_hint: total_hint(&headers),
                };
                Ok(Some((page, next)))
            }
        })
    }
}

/// `<base>/api/v4`, keeping any path prefix of a self-managed instance.
fn api_root(base_url: &str) -> Result<Url, GitLabError> {
    let invalid = |reason: &str| GitLabError::InvalidUrl {
        url: base_url.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(base_url.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("use an http:// or https:// URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("put the token in GITLAB_TOKEN, not in the URL"));
    }
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|_| invalid("the URL cannot have a path"))?
        .pop_if_empty()
        .extend(["api", "v4"]);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_root_keeps_a_path_prefix() {
        for (base, want) in [
            ("https://gitlab.com", "https://gitlab.com/api/v4"),
            ("https://gitlab.com/", "https://gitlab.com/api/v4"),
            (
                "https://example.com/gitlab",
                "https://example.com/gitlab/api/v4",
            ),
            (
                "https://example.com/gitlab/",
                "https://example.com/gitlab/api/v4",
            ),
        ] {
            assert_eq!(api_root(base).unwrap().as_str(), want, "{base}");
        }
        assert!(api_root("ftp://example.com").is_err());
        assert!(api_root("https://user:glpat-x@example.com").is_err());
    }

    #[test]
    fn project_paths_are_one_encoded_segment() {
        let client = GitLabClient::new(ClientConfig::new(
            "https://example.com/gitlab",
            SecretString::from("t"),
        ))
        .unwrap();
        let project: ProjectRef = "group/sub group/name".parse().unwrap();
        assert_eq!(
            client.url(&["projects", &project.to_string()]).as_str(),
            "https://example.com/gitlab/api/v4/projects/group%2Fsub%20group%2Fname"
        );
        assert_eq!("42".parse::<ProjectRef>().unwrap(), ProjectRef::Id(42));
        assert!(" / ".parse::<ProjectRef>().is_err());
    }
}
