//! Pipeline and job rows as the JSON API returns them. They read the same SQL as the CSV
//! export ([`super::kinds`]), by column name, so both always agree on what a row holds.

use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::{kinds::JOBS, rows};
use crate::{db::Db, with_pool};

/// Epoch milliseconds as ISO 8601 UTC, like the CSV.
pub fn iso_time<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms.and_then(chrono::DateTime::from_timestamp_millis) {
        Some(at) => s.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct PipelineItem {
    pub project_id: i64,
    pub project_path: String,
    pub pipeline_id: i64,
    pub pipeline_iid: Option<i64>,
    #[serde(rename = "ref")]
    #[sqlx(rename = "ref")]
    pub git_ref: Option<String>,
    pub sha: Option<String>,
    pub source: Option<String>,
    pub status: String,
    #[serde(serialize_with = "iso_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<i64>,
    #[serde(serialize_with = "iso_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<i64>,
    #[serde(serialize_with = "iso_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub web_url: Option<String>,
}

/// A job, with its phase times when its log was analysed (null otherwise).
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct JobItem {
    pub project_id: i64,
    pub project_path: String,
    pub pipeline_id: i64,
    pub job_id: i64,
    pub job_name: String,
    pub stage: Option<String>,
    pub status: String,
    #[serde(rename = "ref")]
    #[sqlx(rename = "ref")]
    pub git_ref: Option<String>,
    pub source: Option<String>,
    pub allow_failure: bool,
    pub retried: bool,
    #[serde(serialize_with = "iso_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<i64>,
    #[serde(serialize_with = "iso_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<i64>,
    #[serde(serialize_with = "iso_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub queued_duration_ms: Option<i64>,
    pub runner: Option<String>,
    /// none, queued, analysed, unavailable or failed.
    pub trace_status: String,
    pub prepare_ms: Option<i64>,
    pub sources_ms: Option<i64>,
    pub cache_restore_ms: Option<i64>,
    pub artifact_download_ms: Option<i64>,
    pub script_ms: Option<i64>,
    pub docker_build_ms: Option<i64>,
    pub cache_archive_ms: Option<i64>,
    pub artifact_upload_ms: Option<i64>,
    pub cleanup_ms: Option<i64>,
    pub other_ms: Option<i64>,
    pub cache_hits: Option<i64>,
    pub cache_misses: Option<i64>,
    pub artifact_download_bytes: Option<i64>,
    pub artifact_upload_bytes: Option<i64>,
    pub docker_steps: Option<i64>,
    pub docker_cached_steps: Option<i64>,
    pub web_url: Option<String>,
}

/// One job's row, as `GET /api/v1/jobs` lists it.
pub async fn job(db: &Db, id: i64) -> sqlx::Result<Option<JobItem>> {
    let sql = rows::by_key(&JOBS);
    with_pool!(db.pool(), p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
}
