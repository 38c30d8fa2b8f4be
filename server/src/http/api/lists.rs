//! `GET /api/v1/pipelines` and `GET /api/v1/jobs`: the CSV export's rows, a page at a time.

use axum::{
    Json,
    extract::{Query, State},
};
use sqlx::{FromRow, postgres::PgRow, sqlite::SqliteRow};
use strata_core::{bind_args, db::Db, with_pool};

use super::{
    cursor,
    error::{ApiError, ErrorBody},
    items::{JobItem, PipelineItem, page_type},
    params::{
        ListRequest, PageParams, PipelineParam, ProjectParam, RefJobParams, SourceStatusParams,
        WindowParams,
    },
};
use strata_core::read::export::{
    kinds::{JOBS, PIPELINES, Plan},
    rows::{Page, query},
};

page_type!(PipelinePage, PipelineItem);
page_type!(JobPage, JobItem);

/// Pipelines created in the window, oldest id first.
#[utoipa::path(
    get,
    path = "/api/v1/pipelines",
    tag = "pipelines",
    params(WindowParams, RefJobParams, SourceStatusParams, ProjectParam, PipelineParam, PageParams),
    responses(
        (status = 200, description = "A page of pipelines", body = PipelinePage),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_pipelines(
    State(db): State<Db>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<PipelinePage>, ApiError> {
    let request = ListRequest::parse(&pairs)?;
    let (items, next_cursor) =
        page(&db, &PIPELINES, &request, |p: &PipelineItem| p.pipeline_id).await?;
    Ok(Json(PipelinePage { items, next_cursor }))
}

/// Jobs created in the window, oldest id first, with their phase times.
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    tag = "jobs",
    params(WindowParams, RefJobParams, SourceStatusParams, ProjectParam, PipelineParam, PageParams),
    responses(
        (status = 200, description = "A page of jobs", body = JobPage),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_jobs(
    State(db): State<Db>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<JobPage>, ApiError> {
    let request = ListRequest::parse(&pairs)?;
    let (items, next_cursor) = page(&db, &JOBS, &request, |j: &JobItem| j.job_id).await?;
    Ok(Json(JobPage { items, next_cursor }))
}

/// One page of `plan`'s rows: `limit + 1` are read to know whether another page follows.
async fn page<T>(
    db: &Db,
    plan: &Plan,
    request: &ListRequest,
    key: impl Fn(&T) -> i64,
) -> Result<(Vec<T>, Option<String>), ApiError>
where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let after = request.after::<(i64,)>()?.map(|(id,)| id);
    let now_ms = chrono::Utc::now().timestamp_millis();
    let window = request.scope.filters.window.bounds_ms(now_ms);
    let page = Page {
        after,
        limit: request.limit + 1,
    };
    let (sql, args) = query(plan, &request.scope, window, Some(page));
    let mut rows: Vec<T> = with_pool!(db.pool(), p => bind_args!(sqlx::query_as::<_, T>(&sql), &args).fetch_all(p).await)
        .map_err(|e| ApiError::internal("while reading a page of rows", e))?;
    let next = if rows.len() as i64 > request.limit {
        rows.truncate(request.limit as usize);
        rows.last().map(|last| cursor::encode(&(key(last),)))
    } else {
        None
    };
    Ok((rows, next))
}
