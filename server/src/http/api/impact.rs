//! `GET /api/v1/projects/{id}/impact`: the project page's Impact section as JSON — what the
//! cache saved, what artifact transfer cost, what Docker layer caching bought, and the
//! findings, each with the jobs that show it.

use axum::{
    Json,
    extract::{Path, Query, State},
};
use strata_core::{
    db::Db,
    model::{filters::Filters, impact::ImpactReport},
    read::{impact::memo::ReportCache, project},
};

use super::{
    error::{ApiError, ErrorBody},
    params::{RefJobParams, SourceStatusParams, WindowParams},
};

/// The filters an Impact report reads (the page's: window, ref, source, status, job name).
const KNOWN: [&str; 7] = ["period", "from", "to", "ref", "source", "status", "job"];

/// The Impact report of one project over a window.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/impact",
    tag = "impact",
    params(
        ("id" = i64, Path, description = "GitLab project id"),
        WindowParams,
        RefJobParams,
        SourceStatusParams
    ),
    responses(
        (status = 200, description = "Time per phase, cache keys and the effect of a hit, \
            artifact transfer, Docker layer caching and findings", body = ImpactReport),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
        (status = 404, description = "No such project", body = ErrorBody),
    )
)]
pub async fn get_impact(
    State(db): State<Db>,
    State(reports): State<ReportCache>,
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
    let report = reports
        .project_impact(&db, id, &filters, now_ms)
        .await
        .map_err(|e| ApiError::internal("while computing the impact report", e))?;
    Ok(Json(ImpactReport::clone(&report)))
}
