//! `POST /webhooks/gitlab`: GitLab's Pipeline Hook and Job Hook events, stored exactly once
//! and durably before they are acknowledged.
//!
//! The checks run cheapest first and before anything is stored: secret token
//! ([`auth`]), content type, body size, event kind, payload ([`payload`]). Only then is the
//! delivery written with its records ([`delivery`]), in a transaction it shares with the
//! deliveries that arrived at the same moment ([`committer`]). GitLab waits 10 s per
//! delivery and disables hooks that keep failing, so a refusal must be fast and say why.
//! See <https://docs.gitlab.com/user/project/integrations/webhooks/>.

pub mod auth;
pub mod committer;
pub mod delivery;
pub mod payload;
mod reply;
pub mod to_records;

use std::sync::{Arc, OnceLock};

use axum::{
    Extension, Router,
    body::Body,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
    routing::post,
};
use secrecy::SecretString;

use crate::gitlab::ProjectRef;
use strata_app::state::AppState;
use strata_core::db::Db;

use self::{
    auth::Secret,
    committer::{Committer, Received},
    delivery::Outcome,
    payload::HookKind,
    reply::Reply,
};

/// The largest payload accepted. GitLab's Pipeline Hook lists every job; 2 MiB holds several
/// thousand.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub const PATH: &str = "/webhooks/gitlab";

struct Config {
    secret: Option<Secret>,
    /// Only these projects' deliveries are taken (empty: any project the secret's holder
    /// names). Whoever holds the secret could otherwise make Strata fetch the logs of any
    /// project its GitLab token can read.
    projects: Vec<ProjectRef>,
    /// Started with the first delivery, on the server's runtime and with its database.
    committer: OnceLock<Committer>,
}

/// The endpoint, with the instance's secret (`None`: every delivery is refused with a
/// message saying how to set one).
pub fn router(secret: Option<&SecretString>, projects: &[ProjectRef]) -> Router<AppState> {
    let config = Arc::new(Config {
        secret: secret.map(Secret::new),
        projects: projects.to_vec(),
        committer: OnceLock::new(),
    });
    Router::new()
        .route(PATH, post(receive))
        .layer(Extension(config))
}

async fn receive(
    State(db): State<Db>,
    Extension(config): Extension<Arc<Config>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = std::time::Instant::now();
    let (Ok(reply) | Err(reply)) = handle(&db, &config, &headers, body).await;
    let event = match headers.get("x-gitlab-event").and_then(|v| v.to_str().ok()) {
        Some(header) => HookKind::from_header(header).map_or("other", HookKind::label),
        None => "none",
    };
    crate::metrics::webhook_delivery(event, reply.outcome());
    if matches!(reply, Reply::Stored { .. }) {
        crate::metrics::ingest_latency("webhook", started.elapsed());
    }
    reply.into_response()
}

async fn handle(db: &Db, config: &Config, headers: &HeaderMap, body: Body) -> Result<Reply, Reply> {
    auth::verify(config.secret.as_ref(), headers).map_err(|e| {
        tracing::debug!(reason = ?e, "webhook refused");
        Reply::Auth(e)
    })?;
    check_content_type(headers)?;
    let event = headers
        .get("x-gitlab-event")
        .and_then(|v| v.to_str().ok())
        .ok_or(Reply::MissingEvent)?;
    let too_large = Reply::TooLarge { limit: BODY_LIMIT };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return Err(too_large);
    }
    let body = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| too_large)?;

    let Some(kind) = HookKind::from_header(event) else {
        tracing::debug!(event, "webhook event ignored");
        return Ok(Reply::Ignored {
            event: event.to_owned(),
        });
    };
    let hook = payload::parse(kind, &body).map_err(|e| {
        tracing::debug!(event = kind.header(), error = %e.message, "webhook payload refused");
        Reply::BadPayload {
            field: e.field,
            message: format!("invalid {} payload: {}", kind.header(), e.message),
        }
    })?;
    let records = to_records::records(&hook);
    if !project_allowed(db, &config.projects, records.project.id).await? {
        tracing::warn!(
            project_id = records.project.id,
            "webhook for a project outside STRATA_PROJECTS refused"
        );
        return Err(Reply::ProjectNotAllowed {
            project_id: records.project.id,
        });
    }
    let key = delivery::delivery_key(headers, &body);
    // Valid JSON is valid UTF-8, so this only guards the invariant.
    let payload = String::from_utf8(body.into()).map_err(|e| Reply::BadPayload {
        field: None,
        message: format!("payload is not UTF-8: {e}"),
    })?;
    let received = Received {
        key: key.clone(),
        event: kind.header(),
        payload,
        received_ms: chrono::Utc::now().timestamp_millis(),
        records,
    };
    let committer = config
        .committer
        .get_or_init(|| Committer::start(db.clone()));
    match committer.store(received).await {
        Ok(Outcome::Duplicate) => {
            tracing::debug!(key = %key.key, "duplicate webhook delivery");
            Ok(Reply::Duplicate { delivery: key.key })
        }
        Ok(Outcome::Stored { .. }) => Ok(Reply::Stored {
            event: kind.header(),
            delivery: key.key,
        }),
        Err(error) => {
            tracing::error!(%error, key = %key.key, "storing a webhook delivery failed");
            Err(Reply::Unavailable)
        }
    }
}

/// Whether deliveries for `project_id` are taken. A project listed by id is matched at once;
/// one listed by path is matched once a sync has stored it (GitLab's answer, not the
/// payload, ties the path to the id: a payload could claim any path).
async fn project_allowed(db: &Db, allowed: &[ProjectRef], project_id: i64) -> Result<bool, Reply> {
    if allowed.is_empty() || allowed.contains(&ProjectRef::Id(project_id)) {
        return Ok(true);
    }
    if !allowed.iter().any(|p| matches!(p, ProjectRef::Path(_))) {
        return Ok(false);
    }
    let stored = strata_core::read::projects::paths(db, Some(project_id))
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot look up a webhook's project");
            Reply::Unavailable
        })?;
    Ok(stored.iter().any(|(_, path)| {
        allowed
            .iter()
            .any(|p| matches!(p, ProjectRef::Path(listed) if listed.eq_ignore_ascii_case(path)))
    }))
}

/// GitLab sends `application/json`; parameters (`; charset=utf-8`) are fine.
fn check_content_type(headers: &HeaderMap) -> Result<(), Reply> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let media = given
        .as_deref()
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match media.as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(Reply::UnsupportedMediaType(
            given.unwrap_or_else(|| "nothing".to_owned()),
        )),
    }
}
