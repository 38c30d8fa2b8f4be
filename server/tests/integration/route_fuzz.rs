//! Every route that takes parameters — the pages' server functions, the JSON API, the CSV
//! exports — driven with generated values against a running server over demo data, on both
//! backends: out-of-range dates and numbers, NUL and other control characters, long and
//! non-UTF-8-looking strings, unknown names. Not one may be answered with 5xx or take the
//! process down (a window of a billion days once aborted it trying to allocate 120 GB).

use crate::support;
use strata_core::on_both_backends;

use chrono::Utc;
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, TestRunner},
};
use strata_core::read::export::kinds::Kind;
use strata_demo::{Dataset, DemoConfig, store_load};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    generated_parameters_never_get_a_5xx => no_5xx_for_any_parameters;
}

/// Requests per backend: each case is one request to each of the 22 routes.
const CASES: usize = 40;

const SERVER_FNS: [&str; 8] = [
    "overview", "project", "job_name", "pipeline", "job", "impact", "compare", "findings",
];

/// A value a caller might send for any parameter.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2026-10-01".to_owned()),
        Just("0001-01-01".to_owned()),
        Just("9999-12-31".to_owned()),
        Just("99999-01-01".to_owned()),
        Just("2026-02-30".to_owned()),
        Just("7d".to_owned()),
        Just("success".to_owned()),
        Just("main".to_owned()),
        Just("101".to_owned()),
        Just("-1".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("1000000000".to_owned()),
        Just("1e308".to_owned()),
        Just("NaN".to_owned()),
        Just("a\0b".to_owned()),
        Just("x".repeat(5_000)),
        Just("2026-10-01..2026-10-15".to_owned()),
        Just("0001-01-01..9999-12-31".to_owned()),
        Just("%ZZ%00".to_owned()),
        "\\PC{0,24}",
        any::<i64>().prop_map(|n| n.to_string()),
        "[\\x00-\\x1f\\u{7f}-\\u{9f}]{1,4}",
    ]
}

const PARAMS: [&str; 12] = [
    "period", "from", "to", "ref", "source", "status", "job", "project", "pipeline", "limit",
    "cursor", "unknown",
];

/// A request's parameters: a few names, each with a generated value.
fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            prop::sample::select(PARAMS.to_vec()).prop_map(str::to_owned),
            value(),
        ),
        0..5,
    )
}

/// A server function's form body: its arguments, some in the shape the pages send
/// (`filters[window][Days][from]`), some not.
fn server_fn_body() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop::sample::select(vec![
        "id",
        "project_id",
        "name",
        "a",
        "b",
        "filters[window][Days][from]",
        "filters[window][Days][to]",
        "filters[window][Last]",
        "filters[git_ref]",
        "filters[status]",
        "filters[job]",
        "filters[project]",
        "filters",
        "junk[[",
    ]);
    prop::collection::vec((names.prop_map(str::to_owned), value()), 0..7)
}

#[derive(Debug)]
struct Case {
    id: String,
    query: Vec<(String, String)>,
    body: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let strategy =
        (value(), pairs(), server_fn_body()).prop_map(|(id, query, body)| Case { id, query, body });
    let mut runner = TestRunner::new(Config {
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0571_5a7a),
        ..Config::default()
    });
    (0..CASES)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn no_5xx_for_any_parameters(t: TestDb) {
    let mut config = DemoConfig::new(Utc::now());
    config.pipelines_per_project = 20;
    config.days = 20;
    store_load::load(&t.db, &Dataset::generate(&config))
        .await
        .unwrap();
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;

    let mut requests = 0;
    let mut failures = Vec::new();
    for case in cases() {
        let id = url::form_urlencoded::byte_serialize(case.id.as_bytes()).collect::<String>();
        let query = encode(&case.query);
        let mut gets: Vec<String> = [
            "/api/v1/projects".to_owned(),
            "/api/v1/pipelines".to_owned(),
            "/api/v1/jobs".to_owned(),
            "/api/v1/daily".to_owned(),
            format!("/api/v1/jobs/{id}"),
            format!("/api/v1/projects/{id}/impact"),
        ]
        .into_iter()
        .chain(Kind::ALL.map(|kind| format!("/export/{}.csv", kind.slug())))
        .map(|path| format!("{path}?{query}"))
        .collect();
        gets.push(format!("/projects/{id}?{query}"));
        for path in gets {
            let response = app.client.get(app.url(&path)).send().await;
            requests += 1;
            match response {
                Ok(r) if r.status().is_server_error() => {
                    failures.push(format!("GET {path}: {}", r.status()))
                }
                Ok(r) => drop(r.bytes().await),
                Err(err) => failures.push(format!("GET {path}: {err}")),
            }
        }
        let body = encode(&case.body);
        for endpoint in SERVER_FNS {
            let response = app
                .client
                .post(app.url(&format!("/api/ui/{endpoint}")))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await;
            requests += 1;
            match response {
                Ok(r) if r.status().is_server_error() => {
                    let status = r.status();
                    let text = r.text().await.unwrap_or_default();
                    failures.push(format!("POST /api/ui/{endpoint} {body}: {status} {text}"))
                }
                Ok(r) => drop(r.bytes().await),
                Err(err) => failures.push(format!("POST /api/ui/{endpoint} {body}: {err}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {requests} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
    let peak = peak_rss_mib();
    eprintln!(
        "route fuzz: {requests} requests, 0 answered 5xx; peak RSS of the test process {peak} MiB"
    );
    // The whole test binary (other tests run beside this one) stays far below what a
    // caller-sized allocation would take.
    assert!(peak < 2048, "peak RSS {peak} MiB");
    app.stop().await;
}

/// The process's peak resident memory (VmHWM), in MiB; 0 where /proc is missing.
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
