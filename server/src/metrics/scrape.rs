//! `GET /metrics`: the recorded metrics, then gauges read from the database at scrape time
//! (so every replica reports the shared queue and sync state, and nothing goes stale).

use std::fmt::Write;

use axum::{
    Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use strata_app::state::AppState;
use strata_core::db::{Db, Pool};

use strata_core::store::{rollups, sync_state, trace_queue};

/// Prometheus' text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = match super::install() {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => String::new(),
    };
    match database_gauges(&state.db, chrono::Utc::now().timestamp_millis()).await {
        Ok(gauges) => text.push_str(&gauges),
        Err(err) => {
            tracing::error!(error = %err, "cannot read metrics from the database");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

/// Trace queue, sync lag per project and pool usage, in the text format.
pub async fn database_gauges(db: &Db, now_ms: i64) -> sqlx::Result<String> {
    let mut out = String::new();
    let (depth, oldest_ms) = trace_queue::depth(db).await?;
    gauge(
        &mut out,
        "strata_trace_queue_depth",
        "Job logs waiting to be fetched and analysed",
    );
    let _ = writeln!(out, "strata_trace_queue_depth {depth}");
    gauge(
        &mut out,
        "strata_trace_queue_oldest_age_seconds",
        "How long the oldest waiting job log has waited (0 when none waits)",
    );
    let age = oldest_ms.map_or(0.0, |ms| (now_ms - ms).max(0) as f64 / 1000.0);
    let _ = writeln!(out, "strata_trace_queue_oldest_age_seconds {age}");

    let rows = sync_state::last_finished(db).await?;
    gauge(
        &mut out,
        "strata_sync_lag_seconds",
        "Seconds since the last completed REST sync of the project",
    );
    for (id, path, finished_ms) in rows {
        let lag = (now_ms - finished_ms).max(0) as f64 / 1000.0;
        let _ = writeln!(
            out,
            "strata_sync_lag_seconds{{project_id=\"{id}\",project=\"{}\"}} {lag}",
            escape_label(&path)
        );
    }

    gauge(
        &mut out,
        "strata_rollups_set_aside",
        "Project-days whose daily rollup failed and was set aside (see the log for why)",
    );
    let set_aside = rollups::set_aside_days(db).await?;
    let _ = writeln!(out, "strata_rollups_set_aside {set_aside}");

    let (size, idle, max) = match db.pool() {
        Pool::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        Pool::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
    };
    gauge(
        &mut out,
        "strata_db_pool_connections",
        "Database connections open, by state",
    );
    let idle = idle as u32;
    let _ = writeln!(out, "strata_db_pool_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(
        out,
        "strata_db_pool_connections{{state=\"in_use\"}} {}",
        size.saturating_sub(idle)
    );
    gauge(
        &mut out,
        "strata_db_pool_max_connections",
        "Database connections the pool may open",
    );
    let _ = writeln!(out, "strata_db_pool_max_connections {max}");
    Ok(out)
}

fn gauge(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

/// Label values escape backslash, double quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
