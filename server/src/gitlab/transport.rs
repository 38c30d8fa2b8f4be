//! One authenticated GET, done right: admission through the throttle, the token header, what
//! each status means, retries with backoff, and the request counters. The endpoints are in
//! [`super::client`].

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use bytes::Bytes;
use reqwest::{
    StatusCode, Url,
    header::{HeaderMap, HeaderValue},
};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio::sync::OwnedSemaphorePermit;

use super::{
    client::{ClientConfig, USER_AGENT},
    error::{GitLabError, RequestLabel},
    rate_limit::{MAX_PAUSE, Throttle, budget_exhausted_pause, retry_after},
};

/// Requests made and retried so far, for the sync summary and benchmarks.
#[derive(Debug, Default)]
pub struct ClientStats {
    requests: AtomicU64,
    retries: AtomicU64,
}

impl ClientStats {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

/// The HTTP side of a [`super::GitLabClient`], shared by its clones.
pub(super) struct Transport {
    http: reqwest::Client,
    token: SecretString,
    token_header: HeaderValue,
    throttle: Throttle,
    config: ClientConfig,
    stats: ClientStats,
}

/// A response on its way in, or why this attempt failed and may be retried.
enum Sent {
    Response(reqwest::Response, OwnedSemaphorePermit),
    Failed(Retry),
}

struct Retry {
    /// What GitLab asked for (`Retry-After`); otherwise exponential backoff.
    wait: Option<Duration>,
    why: String,
}

impl Transport {
    pub(super) fn new(config: ClientConfig) -> Result<Transport, GitLabError> {
        let mut token_header = HeaderValue::from_str(config.token.expose_secret())
            .map_err(|_| GitLabError::InvalidToken)?;
        token_header.set_sensitive(true);
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(same_origin_redirects())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.request_timeout)
            .build()
            .map_err(GitLabError::Setup)?;
        Ok(Transport {
            http,
            token: config.token.clone(),
            token_header,
            throttle: Throttle::new(config.max_rps, config.concurrency),
            config,
            stats: ClientStats::default(),
        })
    }

    pub(super) fn stats(&self) -> &ClientStats {
        &self.stats
    }

    /// GET a body to be read as it arrives (a job log). No total timeout: a long log may take
    /// a while; the read timeout catches a stall.
    pub(super) async fn get_stream(&self, url: Url) -> Result<TraceBody, GitLabError> {
        let label = label(&url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send_once(&url, &label, None, attempt).await? {
                Sent::Response(response, permit) => {
                    return Ok(TraceBody {
                        response,
                        _permit: permit,
                        label,
                        bytes: 0,
                    });
                }
                Sent::Failed(retry) => self.wait_before_retry(&label, attempt, retry).await?,
            }
        }
    }

    /// GET and decode a JSON body; the headers come along for pagination.
    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<(T, HeaderMap), GitLabError> {
        let label = label(&url);
        let timeout = Some(self.config.request_timeout);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retry = match self.send_once(&url, &label, timeout, attempt).await? {
                Sent::Response(response, _permit) => {
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) => {
                            let value = serde_json::from_slice(&body).map_err(|source| {
                                GitLabError::Decode {
                                    request: label.clone(),
                                    source,
                                }
                            })?;
                            return Ok((value, headers));
                        }
                        Err(err) if is_transient(&err) => Retry {
                            wait: None,
                            why: err.to_string(),
                        },
                        Err(source) => {
                            return Err(GitLabError::Body {
                                request: label,
                                source,
                            });
                        }
                    }
                }
                Sent::Failed(retry) => retry,
            };
            self.wait_before_retry(&label, attempt, retry).await?;
        }
    }

    /// One attempt: admission, the request, and what its status means.
    async fn send_once(
        &self,
        url: &Url,
        label: &RequestLabel,
        timeout: Option<Duration>,
        attempt: u32,
    ) -> Result<Sent, GitLabError> {
        let permit = self.throttle.admit().await;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self
            .http
            .get(url.clone())
            .header("PRIVATE-TOKEN", self.token_header.clone());
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) if err.is_redirect() => {
                crate::metrics::gitlab_request(None);
                return Err(GitLabError::Redirect {
                    request: label.clone(),
                    to: refused_target(&err),
                });
            }
            Err(err) if is_transient(&err) => {
                crate::metrics::gitlab_request(None);
                return Ok(Sent::Failed(Retry {
                    wait: None,
                    why: err.to_string(),
                }));
            }
            Err(source) => {
                crate::metrics::gitlab_request(None);
                return Err(GitLabError::Transport {
                    request: label.clone(),
                    source,
                });
            }
        };
        crate::metrics::gitlab_request(Some(response.status().as_u16()));
        let headers = response.headers();
        if let Some(pause) = budget_exhausted_pause(headers, unix_now_s()) {
            crate::metrics::rate_limit_wait(pause);
            tracing::info!(
                pause_s = pause.as_secs(),
                "GitLab's rate limit budget is spent; pausing until it resets"
            );
            self.throttle.pause_for(pause);
        }
        let status = response.status();
        let request = label.clone();
        match status {
            s if s.is_success() => Ok(Sent::Response(response, permit)),
            StatusCode::TOO_MANY_REQUESTS => {
                // The budget is shared by every request of this token: all of them wait.
                let wait = retry_after(headers, SystemTime::now())
                    .unwrap_or_else(|| self.config.backoff.delay(attempt));
                tracing::warn!(
                    wait_ms = wait.as_millis() as u64,
                    "GitLab answered 429 Too Many Requests; pausing"
                );
                crate::metrics::rate_limit_wait(wait);
                self.throttle.pause_for(wait);
                Ok(Sent::Failed(Retry {
                    wait: Some(Duration::ZERO),
                    why: status.to_string(),
                }))
            }
            StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => Ok(Sent::Failed(Retry {
                wait: retry_after(headers, SystemTime::now()),
                why: status.to_string(),
            })),
            StatusCode::UNAUTHORIZED => Err(GitLabError::Unauthorized { request }),
            StatusCode::FORBIDDEN => Err(GitLabError::Forbidden { request }),
            StatusCode::NOT_FOUND => Err(GitLabError::NotFound { request }),
            StatusCode::GONE => Err(GitLabError::Gone { request }),
            _ => {
                let body = response.bytes().await.unwrap_or_default();
                Err(GitLabError::Status {
                    request,
                    status,
                    body: self.scrubbed_snippet(&body),
                })
            }
        }
    }

    /// Sleep before the next attempt, or give up once the attempts are spent.
    async fn wait_before_retry(
        &self,
        label: &RequestLabel,
        attempt: u32,
        retry: Retry,
    ) -> Result<(), GitLabError> {
        let config = &self.config;
        if attempt >= config.max_attempts {
            return Err(GitLabError::GaveUp {
                request: label.clone(),
                attempts: attempt,
                last: retry.why,
            });
        }
        self.stats.retries.fetch_add(1, Ordering::Relaxed);
        let wait = retry
            .wait
            .unwrap_or_else(|| config.backoff.delay(attempt))
            .min(MAX_PAUSE);
        tracing::debug!(%label, attempt, wait_ms = wait.as_millis() as u64, why = %retry.why, "retrying a GitLab request");
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// The start of an error body, for the message: short, and never with the token in it
    /// (a proxy may echo request headers back).
    fn scrubbed_snippet(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
        let token = self.token.expose_secret();
        let text = if token.is_empty() {
            text.into_owned()
        } else {
            text.replace(token, "[REDACTED]")
        };
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A job log arriving from GitLab. Holds its request slot until dropped.
pub struct TraceBody {
    response: reqwest::Response,
    _permit: OwnedSemaphorePermit,
    label: RequestLabel,
    bytes: u64,
}

impl TraceBody {
    /// The next piece of the log, or `None` at its end. A body that breaks off (a dropped
    /// connection, fewer bytes than announced) is an error, never a silently short log.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, GitLabError> {
        match self.response.chunk().await {
            Ok(chunk) => {
                if let Some(c) = &chunk {
                    self.bytes += c.len() as u64;
                }
                Ok(chunk)
            }
            Err(source) => Err(GitLabError::Body {
                request: self.label.clone(),
                source,
            }),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

fn label(url: &Url) -> RequestLabel {
    RequestLabel {
        method: "GET",
        url: url.to_string(),
    }
}

/// Timeouts, refused or reset connections, and bodies that broke off: worth another try.
fn is_transient(err: &reqwest::Error) -> bool {
    err.is_timeout() || err.is_connect() || err.is_request() || err.is_body()
}

fn unix_now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The redirects the client follows: a few, within the origin it asked (same scheme, host
/// and port). reqwest would follow any redirect and keep the custom `PRIVATE-TOKEN` header,
/// handing the token to whatever host a GitLab (or something posing as it) names, over plain
/// HTTP too; such a redirect fails the request as [`GitLabError::Redirect`] instead.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if first.as_ref() != Some(&attempt.url().origin()) {
            let to = origin_of(attempt.url());
            attempt.error(RefusedRedirect(to))
        } else if attempt.previous().len() > 5 {
            attempt.error(RefusedRedirect("a loop of redirects".to_owned()))
        } else {
            attempt.follow()
        }
    })
}

/// `scheme://host:port` of a URL: where a redirect went, without its path or query.
fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Where the refused redirect pointed (reqwest's own error names the URL it came from).
fn refused_target(err: &reqwest::Error) -> String {
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if let Some(RefusedRedirect(to)) = inner.downcast_ref::<RefusedRedirect>() {
            return to.clone();
        }
        source = inner.source();
    }
    "another address".to_owned()
}

#[derive(Debug)]
struct RefusedRedirect(String);

impl std::fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirect to {} refused", self.0)
    }
}

impl std::error::Error for RefusedRedirect {}
