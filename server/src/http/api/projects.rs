//! `GET /api/v1/projects`: the tracked projects, by id.

use axum::{
    Json,
    extract::{Query, State},
};
use serde::Serialize;
use strata_app::{db::Db, with_pool};
use utoipa::ToSchema;

use super::{
    cursor,
    error::{ApiError, ErrorBody},
    items::page_type,
    params::{ListRequest, PageParams},
};

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProjectItem {
    pub id: i64,
    /// `path_with_namespace`, e.g. `group/sub/name`.
    pub path: String,
    pub name: String,
    pub web_url: Option<String>,
    pub default_branch: Option<String>,
}

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
    const SQL: &str = "SELECT id, path, name, web_url, default_branch FROM projects
        WHERE id > $1 AND ($2 IS NULL OR id = $2) ORDER BY id LIMIT $3";
    let request = ListRequest::parse(&pairs)?;
    let after = request.after::<(i64,)>()?.map_or(i64::MIN, |(id,)| id);
    let mut items: Vec<ProjectItem> = with_pool!(db.pool(), p => sqlx::query_as(SQL)
        .bind(after)
        .bind(request.scope.filters.project)
        .bind(request.limit + 1)
        .fetch_all(p)
        .await)
    .map_err(|e| ApiError::internal("while listing projects", e))?;
    let next_cursor = if items.len() as i64 > request.limit {
        items.truncate(request.limit as usize);
        items.last().map(|last| cursor::encode(&(last.id,)))
    } else {
        None
    };
    Ok(Json(ProjectPage { items, next_cursor }))
}
