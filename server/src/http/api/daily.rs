//! `GET /api/v1/daily`: per project, job name and UTC day, as the `daily` CSV.

use axum::{
    Json,
    extract::{Query, State},
};
use futures::TryStreamExt;
use strata_core::{bind_args, db::Db, with_pool};

use super::{
    cursor,
    error::{ApiError, ErrorBody},
    items::page_type,
    params::{
        ListRequest, PageParams, ProjectParam, RefJobParams, SourceStatusParams, WindowParams,
    },
};
use strata_core::read::export::daily::{DailyFold, DailyRecord, DailyRow, query};

page_type!(DailyPage, DailyRecord);

/// Daily series of every job name in the window, by project, day and name.
#[utoipa::path(
    get,
    path = "/api/v1/daily",
    tag = "daily",
    params(WindowParams, RefJobParams, SourceStatusParams, ProjectParam, PageParams),
    responses(
        (status = 200, description = "A page of job-name days", body = DailyPage),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_daily(
    State(db): State<Db>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<DailyPage>, ApiError> {
    let request = ListRequest::parse(&pairs)?;
    let after = request.after::<(i64, i64, String)>()?;
    let days = request
        .scope
        .filters
        .window
        .days(chrono::Utc::now().timestamp_millis());
    let (sql, args) = query(&request.scope, days, after);
    let limit = request.limit as usize;
    // Rows are folded into records as they stream in; reading stops one record past the page.
    let mut items = Vec::with_capacity(limit.min(100));
    let mut fold = DailyFold::default();
    let mut more = false;
    let read: sqlx::Result<()> = with_pool!(db.pool(), p => {
        let mut rows = bind_args!(sqlx::query_as::<_, DailyRow>(&sql), &args).fetch(p);
        loop {
            match rows.try_next().await {
                Ok(Some(row)) => {
                    if let Some(record) = fold.push(row) {
                        if items.len() == limit {
                            more = true;
                            break Ok(());
                        }
                        items.push(record);
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        }
    });
    read.map_err(|e| ApiError::internal("while reading daily rollups", e))?;
    if !more && let Some(record) = fold.finish() {
        if items.len() == limit {
            more = true;
        } else {
            items.push(record);
        }
    }
    let next_cursor = more
        .then(|| {
            items.last().map(|r: &DailyRecord| {
                let (project, day, name) = r.key();
                cursor::encode(&(project, day, name))
            })
        })
        .flatten();
    Ok(Json(DailyPage { items, next_cursor }))
}
