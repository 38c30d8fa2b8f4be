//! The filters and order of `GET /projects/:id/pipelines`.
//! <https://docs.gitlab.com/api/pipelines/#list-project-pipelines>

use std::cmp::Ordering;

use super::router::{ApiError, Query, param};
use crate::{dataset::PipelineEntry, scenario::model::Status};
use strata_core::instant::parse_epoch_ms;

/// The list filters GitLab supports that sync uses.
pub(super) struct PipelineFilters {
    updated_after_us: Option<i64>,
    updated_before_us: Option<i64>,
    git_ref: Option<String>,
    status: Option<Status>,
    source: Option<String>,
    sha: Option<String>,
    pub(super) order_by: &'static str,
    pub(super) ascending: bool,
}

impl PipelineFilters {
    pub(super) fn parse(query: &Query) -> Result<PipelineFilters, ApiError> {
        let time = |name: &str| match param(query, name) {
            None => Ok(None),
            Some(v) => parse_epoch_ms(v)
                .map(|ms| Some(ms * 1_000))
                .ok_or_else(|| ApiError::bad_request(format!("{name} is invalid"))),
        };
        let status = match param(query, "status") {
            None => None,
            Some(s) => Some(
                Status::parse(s)
                    .ok_or_else(|| ApiError::bad_request("status does not have a valid value"))?,
            ),
        };
        let order_by = match param(query, "order_by").unwrap_or("id") {
            "id" => "id",
            "updated_at" => "updated_at",
            "status" => "status",
            "ref" => "ref",
            _ => {
                return Err(ApiError::bad_request(
                    "order_by does not have a valid value",
                ));
            }
        };
        let ascending = match param(query, "sort").unwrap_or("desc") {
            "asc" => true,
            "desc" => false,
            _ => return Err(ApiError::bad_request("sort does not have a valid value")),
        };
        Ok(PipelineFilters {
            updated_after_us: time("updated_after")?,
            updated_before_us: time("updated_before")?,
            git_ref: param(query, "ref").map(str::to_string),
            status,
            source: param(query, "source").map(str::to_string),
            sha: param(query, "sha").map(str::to_string),
            order_by,
            ascending,
        })
    }

    pub(super) fn keeps(&self, entry: &PipelineEntry, status: Status, updated_us: i64) -> bool {
        self.updated_after_us.is_none_or(|t| updated_us > t)
            && self.updated_before_us.is_none_or(|t| updated_us < t)
            && self
                .git_ref
                .as_deref()
                .is_none_or(|r| entry.arrival.git_ref == r)
            && self.status.is_none_or(|s| status == s)
            && self
                .source
                .as_deref()
                .is_none_or(|s| entry.arrival.source.as_str() == s)
            && self.sha.as_deref().is_none_or(|s| entry.sha == s)
    }

    /// Orders list rows `(entry, status, updated_us)` as asked, ties by id.
    pub(super) fn compare(
        &self,
        a: &(&PipelineEntry, Status, i64),
        b: &(&PipelineEntry, Status, i64),
    ) -> Ordering {
        let key = match self.order_by {
            "updated_at" => a.2.cmp(&b.2),
            "status" => a.1.as_str().cmp(b.1.as_str()),
            "ref" => a.0.arrival.git_ref.cmp(&b.0.arrival.git_ref),
            _ => Ordering::Equal,
        };
        let key = key.then(a.0.ids.id.cmp(&b.0.ids.id));
        if self.ascending { key } else { key.reverse() }
    }
}
