//! Query parameters every list endpoint takes: the dashboard's filters, `limit` and
//! `cursor`. Parsed by hand from the pairs so each refusal names its parameter; the
//! `IntoParams` structs below describe the same parameters in the OpenAPI document.

use serde::Deserialize;
use utoipa::IntoParams;

use super::{cursor, error::ApiError};
use crate::export::Scope;

pub const DEFAULT_LIMIT: i64 = 100;
/// The parameters lists read.
const KNOWN: [&str; 11] = [
    "period", "from", "to", "ref", "source", "status", "job", "project", "pipeline", "limit",
    "cursor",
];
pub const MAX_LIMIT: i64 = 1000;

/// A list request: which rows, how many, after which key.
pub struct ListRequest {
    pub scope: Scope,
    pub limit: i64,
    pub cursor: Option<String>,
}

impl ListRequest {
    pub fn parse(pairs: &[(String, String)]) -> Result<ListRequest, ApiError> {
        // The dashboard's forms send empty fields, which pages read as "no filter"; API
        // clients leave a parameter out instead, so an empty one is refused as it reads.
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, value)| KNOWN.contains(&name.as_str()) && value.trim().is_empty())
        {
            return Err(ApiError::bad_param(
                name,
                "empty; leave the parameter out instead",
            ));
        }
        let scope = Scope::from_pairs(None, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let mut limit = DEFAULT_LIMIT;
        let mut cursor = None;
        for (name, value) in pairs {
            let value = value.trim();
            match name.as_str() {
                "limit" => {
                    limit = value
                        .parse()
                        .ok()
                        .filter(|l| (1..=MAX_LIMIT).contains(l))
                        .ok_or_else(|| {
                            ApiError::bad_param(
                                "limit",
                                format!("use a number from 1 to {MAX_LIMIT}"),
                            )
                        })?;
                }
                "cursor" => cursor = Some(value.to_owned()),
                _ => {}
            }
        }
        Ok(ListRequest {
            scope,
            limit,
            cursor,
        })
    }

    /// The cursor's key, if one was given.
    pub fn after<K: serde::de::DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        self.cursor.as_deref().map(cursor::decode).transpose()
    }
}

/// The window, as on the dashboard.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowParams {
    /// A window ending today (default 30d). Ignored when `from` and `to` are given.
    #[param(pattern = "^(7d|30d|90d)$")]
    period: Option<String>,
    /// First UTC day of a custom window (with `to`).
    #[param(format = Date)]
    from: Option<String>,
    /// Last UTC day of a custom window, inclusive (with `from`).
    #[param(format = Date)]
    to: Option<String>,
}

/// Branch and job name, as on the dashboard.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefJobParams {
    /// Branch or tag of the pipeline.
    #[serde(rename = "ref")]
    #[param(rename = "ref", min_length = 1, max_length = 255)]
    git_ref: Option<String>,
    /// Job name: jobs of that name, or pipelines that ran one.
    #[param(min_length = 1, max_length = 255)]
    job: Option<String>,
}

/// Pipeline source and status, as on the dashboard.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceStatusParams {
    /// What started the pipeline (push, schedule, merge_request_event, …).
    #[param(min_length = 1, max_length = 255)]
    source: Option<String>,
    /// GitLab status: of the job for job rows (and the Impact report), of the pipeline for
    /// pipeline rows.
    #[param(
        pattern = "^(created|waiting_for_resource|preparing|pending|running|success|failed|canceled|skipped|manual|scheduled|canceling)$"
    )]
    status: Option<String>,
}

/// The project, for lists across projects.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectParam {
    /// GitLab project id.
    project: Option<i64>,
}

/// Paging.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(min_length = 1)]
    cursor: Option<String>,
}

/// One pipeline's rows, whatever the window.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PipelineParam {
    /// GitLab pipeline id.
    pipeline: Option<i64>,
}
