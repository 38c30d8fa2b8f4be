//! `GET /api/v1/projects/{id}/impact`: the project page's Impact section as JSON — what the
//! cache saved, what artifact transfer cost, what Docker layer caching bought, and the
//! findings, each with the jobs that show it.

use axum::{
    Json,
    extract::{Path, Query, State},
};
use serde::Deserialize;
use strata_app::{
    db::Db,
    impact::project_impact,
    model::{filters::Filters, impact::ImpactReport},
    queries::project,
};
use utoipa::IntoParams;

use super::error::{ApiError, ErrorBody};

/// The filters an Impact report reads (the page's: window, ref and job name).
const KNOWN: [&str; 5] = ["period", "from", "to", "ref", "job"];

/// Which jobs the report covers.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactParams {
    /// A window ending today (default 30d). Ignored when `from` and `to` are given.
    #[param(pattern = "^(7d|30d|90d)$")]
    period: Option<String>,
    /// First UTC day of a custom window (with `to`).
    #[param(format = Date)]
    from: Option<String>,
    /// Last UTC day of a custom window, inclusive (with `from`).
    #[param(format = Date)]
    to: Option<String>,
    /// Only pipelines of this branch or tag.
    #[serde(rename = "ref")]
    #[param(rename = "ref", min_length = 1, max_length = 255)]
    git_ref: Option<String>,
    /// Only jobs of this name.
    #[param(min_length = 1, max_length = 255)]
    job: Option<String>,
}

/// The Impact report of one project over a window.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/impact",
    tag = "impact",
    params(("id" = i64, Path, description = "GitLab project id"), ImpactParams),
    responses(
        (status = 200, description = "Time per phase, cache keys and the effect of a hit, \
            artifact transfer, Docker layer caching and findings", body = ImpactReport),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
        (status = 404, description = "No such project", body = ErrorBody),
    )
)]
pub async fn get_impact(
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<ImpactReport>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::bad_param("id", "use a numeric GitLab project id"))?;
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, value)| KNOWN.contains(&name.as_str()) && value.trim().is_empty())
    {
        return Err(ApiError::bad_param(
            name,
            "empty; leave the parameter out instead",
        ));
    }
    let filters = Filters {
        project: Some(id),
        ..Filters::from_pairs(
            pairs
                .iter()
                .filter(|(name, _)| KNOWN.contains(&name.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )?
    };
    project::project(&db, id)
        .await
        .map_err(|e| ApiError::internal("while looking up the project", e))?
        .ok_or_else(|| ApiError::not_found(format!("no project with id {id}"), Some("id")))?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let report = project_impact(&db, id, &filters, now_ms)
        .await
        .map_err(|e| ApiError::internal("while computing the impact report", e))?;
    Ok(Json(report))
}
