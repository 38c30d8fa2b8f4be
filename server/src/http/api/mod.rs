//! The JSON API under `/api/v1/`: projects, pipelines, jobs (one with its log analysis),
//! daily series, a project's impact report. Lists take the dashboard's filters and page with an opaque cursor. The
//! OpenAPI 3 document at `/api/v1/openapi.json` is generated from these handlers, so it
//! cannot drift from them. (Leptos server functions live under `/api/ui/`.)

mod cursor;
mod daily;
pub mod error;
mod impact;
mod items;
mod job_detail;
mod lists;
mod params;
mod projects;

use std::sync::Arc;

use axum::{Router, http::header, response::IntoResponse, routing::get};
use strata_app::state::AppState;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Strata API",
        version = "1",
        description = "Build analytics for GitLab CI: pipelines, jobs with their phase times, \
            daily series per job name, and what cache, artifacts and Docker layer caching \
            cost or save per project. Lists take the dashboard's filters (period or \
            from/to, ref, source, status, job, project) and page with `limit` and `cursor`. \
            Times are ISO 8601 UTC, durations milliseconds."
    ),
    tags(
        (name = "projects", description = "Tracked GitLab projects"),
        (name = "pipelines", description = "Pipelines"),
        (name = "jobs", description = "Jobs and what their logs show"),
        (name = "daily", description = "Per job name and day, from the rollups"),
        (name = "impact", description = "What cache, artifacts and Docker layer caching cost or save"),
    )
)]
struct ApiDoc;

/// The handlers, with the OpenAPI document they describe.
fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(projects::list_projects))
        .routes(routes!(lists::list_pipelines))
        .routes(routes!(lists::list_jobs))
        .routes(routes!(job_detail::get_job))
        .routes(routes!(daily::list_daily))
        .routes(routes!(impact::get_impact))
        .split_for_parts()
}

pub fn router() -> Router<AppState> {
    let (router, doc) = parts();
    let json: Arc<str> = doc
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
        .into();
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                        .into_response()
                }
            }),
        )
        .route("/api/v1/{*rest}", get(unknown_endpoint))
}

/// Unknown paths under `/api/v1/` answer in JSON, not with the dashboard's HTML 404.
async fn unknown_endpoint() -> error::ApiError {
    error::ApiError::not_found(
        "no such endpoint; see /api/v1/openapi.json for the list",
        None,
    )
}
