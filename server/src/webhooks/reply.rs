//! Every answer the webhook endpoint gives, as one enum: JSON bodies that say what happened
//! and, for refusals, what to fix. Internal errors are logged where they happen and shown to
//! GitLab only as "try again".

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::auth::AuthError;

#[derive(Debug)]
pub enum Reply {
    /// Written and committed.
    Stored {
        event: &'static str,
        delivery: String,
    },
    /// Seen before: nothing changed.
    Duplicate {
        delivery: String,
    },
    /// An event Strata does not ingest.
    Ignored {
        event: String,
    },
    Auth(AuthError),
    MissingEvent,
    UnsupportedMediaType(String),
    TooLarge {
        limit: usize,
    },
    BadPayload {
        field: Option<String>,
        message: String,
    },
    /// The project is not one this instance takes webhooks for (`STRATA_PROJECTS`).
    ProjectNotAllowed {
        project_id: i64,
    },
    /// The database failed; GitLab will retry.
    Unavailable,
}

impl Reply {
    /// What became of the delivery, for `strata_webhook_deliveries_total`.
    pub fn outcome(&self) -> &'static str {
        match self {
            Reply::Stored { .. } => "stored",
            Reply::Duplicate { .. } => "duplicate",
            Reply::Ignored { .. } => "ignored",
            Reply::Auth(_) | Reply::ProjectNotAllowed { .. } => "unauthorized",
            Reply::MissingEvent
            | Reply::UnsupportedMediaType(_)
            | Reply::TooLarge { .. }
            | Reply::BadPayload { .. } => "rejected",
            Reply::Unavailable => "error",
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Reply::Stored { event, delivery } => (
                StatusCode::OK,
                json!({ "status": "stored", "event": event, "delivery": delivery }),
            ),
            Reply::Duplicate { delivery } => (
                StatusCode::OK,
                json!({ "status": "duplicate", "delivery": delivery }),
            ),
            Reply::Ignored { event } => (
                StatusCode::ACCEPTED,
                json!({ "status": "ignored", "event": event,
                        "message": "Strata ingests only Pipeline Hook and Job Hook events" }),
            ),
            Reply::Auth(AuthError::NoSecretConfigured) => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "webhooks are disabled: no secret is configured; set \
                    STRATA_WEBHOOK_SECRET (or --webhook-secret) and give GitLab the same \
                    value as the hook's secret token" }),
            ),
            Reply::Auth(AuthError::MissingToken) => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "missing X-Gitlab-Token header: set the hook's secret token in GitLab" }),
            ),
            Reply::Auth(AuthError::WrongToken) => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "wrong X-Gitlab-Token: the hook's secret token must equal STRATA_WEBHOOK_SECRET" }),
            ),
            Reply::MissingEvent => (
                StatusCode::BAD_REQUEST,
                json!({ "error": "missing X-Gitlab-Event header" }),
            ),
            Reply::UnsupportedMediaType(got) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "error": format!("expected Content-Type: application/json, got {got:?}") }),
            ),
            Reply::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "error": format!("payload larger than {limit} bytes") }),
            ),
            Reply::BadPayload { field, message } => (
                StatusCode::BAD_REQUEST,
                json!({ "error": message, "field": field }),
            ),
            Reply::ProjectNotAllowed { project_id } => (
                StatusCode::FORBIDDEN,
                json!({ "error": format!(
                    "project {project_id} is not one this Strata takes webhooks for: add it to \
                     STRATA_PROJECTS, or remove this hook from the project") }),
            ),
            Reply::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "the delivery could not be stored; nothing was kept, retry later" }),
            ),
        };
        (status, Json(body)).into_response()
    }
}
