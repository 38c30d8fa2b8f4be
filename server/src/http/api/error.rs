//! Errors of the JSON API and the CSV exports, answered as `{"error": "...", "param": "..."}`.
//! Internal errors are logged here, once, and never shown to the client.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use strata_core::model::filters::FilterError;
use utoipa::ToSchema;

/// What went wrong; `param` names the query parameter to fix, when one is to blame.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub fn bad_param(param: &str, reason: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                error: format!("invalid `{param}`: {}", reason.into()),
                param: Some(param.to_owned()),
            },
        }
    }

    pub fn not_found(error: impl Into<String>, param: Option<&str>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: ErrorBody {
                error: error.into(),
                param: param.map(str::to_owned),
            },
        }
    }

    /// A failure on our side: logged with `context`, answered without details.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "{context}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: ErrorBody {
                error: "internal error; see the server log".into(),
                param: None,
            },
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> Self {
        ApiError::bad_param(&e.param, e.reason)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
