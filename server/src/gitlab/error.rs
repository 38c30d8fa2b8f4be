//! What can go wrong talking to GitLab. Every error names the request (method and URL, never
//! the token: it travels in a header) and says what to do about it.

use std::fmt;

use reqwest::StatusCode;

/// Which request failed: enough to find it in GitLab's logs, nothing secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLabel {
    pub method: &'static str,
    pub url: String,
}

impl fmt::Display for RequestLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GitLabError {
    #[error(
        "GitLab refused the token for {request} (401 Unauthorized): check GITLAB_TOKEN; it may be mistyped, expired or revoked"
    )]
    Unauthorized { request: RequestLabel },

    #[error(
        "GitLab denied {request} (403 Forbidden): the token needs the read_api scope and at least Reporter access to the project"
    )]
    Forbidden { request: RequestLabel },

    #[error(
        "GitLab has no {request} (404 Not Found): check the project path or id, and that the token can see the project"
    )]
    NotFound { request: RequestLabel },

    #[error("GitLab no longer has {request} (410 Gone)")]
    Gone { request: RequestLabel },

    #[error("GitLab answered {request} with {status}: {body}")]
    Status {
        request: RequestLabel,
        status: StatusCode,
        /// The start of the response body, with the token scrubbed out.
        body: String,
    },

    #[error("GitLab did not answer {request} after {attempts} attempts; last failure: {last}")]
    GaveUp {
        request: RequestLabel,
        attempts: u32,
        last: String,
    },

    #[error("cannot reach GitLab for {request}: {source}")]
    Transport {
        request: RequestLabel,
        source: reqwest::Error,
    },

    #[error("the response to {request} broke off: {source}")]
    Body {
        request: RequestLabel,
        source: reqwest::Error,
    },

    #[error("cannot read GitLab's answer to {request}: {source}")]
    Decode {
        request: RequestLabel,
        source: serde_json::Error,
    },

    #[error(
        "GitLab answered {request} with a redirect to {to}; Strata follows redirects only within GITLAB_URL's own scheme, host and port, so the token never goes elsewhere: set GITLAB_URL to the address GitLab is served from"
    )]
    Redirect { request: RequestLabel, to: String },

    #[error("invalid GitLab URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },

    #[error(
        "GITLAB_TOKEN holds characters an HTTP header cannot carry (a stray newline or quote?)"
    )]
    InvalidToken,

    #[error("cannot set up the HTTP client: {0}")]
    Setup(reqwest::Error),
}

impl GitLabError {
    /// The log or object is gone for good: asking again will not bring it back.
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            GitLabError::NotFound { .. } | GitLabError::Gone { .. }
        )
    }

    /// The token or its scope is wrong: every further request will fail the same way.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            GitLabError::Unauthorized { .. } | GitLabError::Forbidden { .. }
        )
    }

    /// Worth trying again later: the network, a GitLab outage, or a body that broke off.
    pub fn is_transient(&self) -> bool {
        match self {
            GitLabError::GaveUp { .. }
            | GitLabError::Transport { .. }
            | GitLabError::Body { .. } => true,
            GitLabError::Status { status, .. } => {
                status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS
            }
            _ => false,
        }
    }
}
