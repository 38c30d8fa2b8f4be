//! `GET /healthz`: 200 while the database answers, 503 when it does not, so a load balancer
//! takes a replica with a dead database out of rotation.

use std::time::Duration;

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde_json::{Value, json};
use strata_app::state::AppState;
use strata_core::db::Db;

const DB_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(db): State<Db>) -> (StatusCode, Json<Value>) {
    if db.ping(DB_TIMEOUT).await {
        (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        )
    } else {
        tracing::warn!("health check: database did not answer");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": "unreachable" })),
        )
    }
}
