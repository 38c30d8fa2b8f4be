//! The tracked projects, as lists.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{db::Db, with_pool};

/// A tracked project, as `GET /api/v1/projects` lists it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProjectItem {
    pub id: i64,
    /// `path_with_namespace`, e.g. `group/sub/name`.
    pub path: String,
    pub name: String,
    pub web_url: Option<String>,
    pub default_branch: Option<String>,
}

/// Up to `limit` projects with ids above `after` (or only `only`), by id.
pub async fn page(
    db: &Db,
    after: i64,
    only: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<ProjectItem>> {
    const SQL: &str = "SELECT id, path, name, web_url, default_branch FROM projects
        WHERE id > $1 AND ($2 IS NULL OR id = $2) ORDER BY id LIMIT $3";
    with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(after).bind(only).bind(limit).fetch_all(p).await)
}

/// Id and path of every project (or only `only`), by id.
pub async fn paths(db: &Db, only: Option<i64>) -> sqlx::Result<Vec<(i64, String)>> {
    const SQL: &str = "SELECT id, path FROM projects WHERE $1 IS NULL OR id = $1 ORDER BY id";
    with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(only).fetch_all(p).await)
}
