//! Prometheus metrics: what ingest, the GitLab client and the HTTP server count as they work
//! (recorded through the `metrics` facade into one process-wide recorder), and what is read
//! from the database when `/metrics` is scraped ([`scrape`]). Call [`install`] once before
//! anything records; recording before that is a no-op.
//!
//! Label values come from fixed vocabularies (routes as declared, HTTP status codes, webhook
//! event kinds), never from user input, so the number of series stays bounded.

mod http;
pub mod scrape;

use std::{sync::OnceLock, time::Duration};

use ::metrics::{Unit, counter, describe_counter, describe_histogram, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use http::track_http;
pub use scrape::router;

/// Upper bounds of the latency histograms: 5 ms to 5 min.
const SECONDS_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Install the process-wide recorder (idempotent). `None` when another recorder was already
/// installed (a library user's own): then `/metrics` shows only the scrape-time gauges.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .expect("the bucket list is not empty");
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot install the metrics recorder");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    describe_counter!(
        "strata_webhook_deliveries_total",
        "GitLab webhook deliveries received, by event kind and outcome"
    );
    describe_histogram!(
        "strata_ingest_duration_seconds",
        Unit::Seconds,
        "Time to fetch and store one item, by stage (pipeline: a pipeline and its jobs; job_log: a log read and analysed)"
    );
    describe_counter!(
        "strata_gitlab_requests_total",
        "Requests to the GitLab REST API, by response status (error: no response)"
    );
    describe_counter!(
        "strata_gitlab_rate_limit_waits_total",
        "Times GitLab's rate limit made requests wait (429, or the budget spent)"
    );
    describe_counter!(
        "strata_gitlab_rate_limit_wait_seconds_total",
        Unit::Seconds,
        "Time requests were told to wait by GitLab's rate limit"
    );
    describe_counter!(
        "strata_login_attempts_total",
        "Sign-in attempts, by outcome (success, wrong, throttled: refused before checking, busy: too many checks at once)"
    );
    describe_histogram!(
        "strata_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP requests served, by method, route (as declared) and status"
    );
}

/// A webhook delivery was handled. `event` is GitLab's object kind (`pipeline`, `build`, …)
/// and `outcome` what became of it (`stored`, `duplicate`, `rejected`, `error`, …); both
/// should come from fixed vocabularies.
pub fn webhook_delivery(event: &str, outcome: &str) {
    counter!(
        "strata_webhook_deliveries_total",
        "event" => label(event),
        "outcome" => label(outcome)
    )
    .increment(1);
}

/// One item was ingested at `stage` (`pipeline`, `job_log`, `webhook`) in `elapsed`.
pub fn ingest_latency(stage: &'static str, elapsed: Duration) {
    histogram!("strata_ingest_duration_seconds", "stage" => stage).record(elapsed.as_secs_f64());
}

/// GitLab answered a request with `status` (`None`: the request failed without a response).
pub fn gitlab_request(status: Option<u16>) {
    let status = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
    counter!("strata_gitlab_requests_total", "status" => status).increment(1);
}

/// GitLab's rate limit made the client wait `wait`.
pub fn rate_limit_wait(wait: Duration) {
    counter!("strata_gitlab_rate_limit_waits_total").increment(1);
    counter!("strata_gitlab_rate_limit_wait_seconds_total").increment(wait.as_secs());
}

/// A sign-in attempt ended as `outcome` (`success`, `wrong`, `throttled`, `busy`).
pub fn login_attempt(outcome: &'static str) {
    counter!("strata_login_attempts_total", "outcome" => outcome).increment(1);
}

/// A label value kept short and to a safe alphabet, whatever the caller passes.
fn label(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .take(40)
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' | '-' | '.' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if cleaned.is_empty() {
        "unknown".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_tamed() {
        assert_eq!(label("Pipeline Hook"), "pipeline_hook");
        assert_eq!(label(""), "unknown");
        assert_eq!(label(&"x".repeat(100)).len(), 40);
        assert_eq!(label("a\"b\n"), "a_b_");
    }
}
