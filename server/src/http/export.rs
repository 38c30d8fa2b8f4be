//! `GET /export/{kind}.csv`: CSV reports with the dashboard's filters, streamed.
//!
//! The response starts once the first chunk (the header and the first ~64 KiB of rows) is
//! ready, so a query that fails at once is a clean 500. A failure later can only cut the
//! body short: the chunked transfer is aborted and the client sees an incomplete download.

use axum::{
    Router,
    body::Body,
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use strata_app::state::AppState;
use strata_core::{db::Db, read::project};

use super::api::error::ApiError;
use crate::export::{self, Export, Kind, Scope};

pub fn router() -> Router<AppState> {
    Router::new().route("/export/{file}", get(export_csv))
}

#[tracing::instrument(skip(db, pairs))]
async fn export_csv(
    State(db): State<Db>,
    Path(file): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let kind = file
        .strip_suffix(".csv")
        .and_then(Kind::from_slug)
        .ok_or_else(|| {
            ApiError::not_found(
                format!(
                    "no export `{file}`; ask for /export/KIND.csv with KIND one of {}",
                    Kind::list()
                ),
                Some("kind"),
            )
        })?;
    let scope = Scope::from_pairs(
        Some(kind),
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    let project_path = match scope.filters.project {
        Some(id) => Some(
            project::project(&db, id)
                .await
                .map_err(|e| ApiError::internal("while looking up the project to export", e))?
                .ok_or_else(|| {
                    ApiError::not_found(format!("no project with id {id}"), Some("project"))
                })?
                .path,
        ),
        None => None,
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let export = Export { kind, scope };
    let file_name = export.file_name(project_path.as_deref(), now_ms);
    let mut chunks = export::start(db, export, now_ms);
    let first = match chunks.next().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(e)) => return Err(ApiError::internal("while starting an export", e)),
        None => Bytes::new(),
    };
    let rest = chunks.map_err(|e| {
        tracing::error!(error = %e, "export failed midway; the download is cut short");
        std::io::Error::other(e)
    });
    let body = Body::from_stream(stream::once(async { Ok(first) }).chain(rest));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
