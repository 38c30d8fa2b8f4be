//! `GET /api/v1/projects`: the tracked projects, by id.

use axum::{
    Json,
    extract::{Query, State},
};
use strata_core::{
    db::Db,
    read::projects::{self, ProjectItem},
};

use super::{
    cursor,
    error::{ApiError, ErrorBody},
    items::page_type,
    params::{ListRequest, PageParams},
};

page_type!(ProjectPage, ProjectItem);

/// Every tracked project (or the one `project` names).
#[utoipa::path(
    get,
    path = "/api/v1/projects",
    tag = "projects",
    params(
        ("project" = Option<i64>, Query, description = "Only this GitLab project id"),
        PageParams
    ),
    responses(
        (status = 200, description = "A page of projects", body = ProjectPage),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_projects(
    State(db): State<Db>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<ProjectPage>, ApiError> {
    let request = ListRequest::parse(&pairs)?;
    let after = request.after::<(i64,)>()?.map_or(i64::MIN, |(id,)| id);
    let mut items = projects::page(&db, after, request.scope.filters.project, request.limit + 1)
        .await
        .map_err(|e| ApiError::internal("while listing projects", e))?;
    let next_cursor = if items.len() as i64 > request.limit {
        items.truncate(request.limit as usize);
        items.last().map(|last| cursor::encode(&(last.id,)))
    } else {
        None
    };
    Ok(Json(ProjectPage { items, next_cursor }))
}
