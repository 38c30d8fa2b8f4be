//! The Impact report outside the page: `/export/impact.csv` read back with the `csv` crate and
//! `/api/v1/projects/{id}/impact`, on the demo's scenarios. Both must carry the numbers the
//! page shows (the same report), the planted effects, and job ids that exist.

use crate::support;
use strata_core::on_both_backends;

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use strata_core::{
    model::filters::{DAY_MS, format_day},
    with_pool,
};
use strata_demo::{Dataset, DemoConfig, GroundTruth, store_load};
use support::{TestApp, TestDb, csv_table::Table, test_settings};

on_both_backends! {
    the_csv_and_the_api_carry_the_report_and_its_evidence => csv_and_api_agree;
    bad_impact_requests_get_clear_errors => bad_requests;
}

const DAYS: i64 = 45;

fn dataset() -> Dataset {
    let mut config = DemoConfig::new(Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap());
    config.pipelines_per_project = 160;
    config.days = DAYS as u32;
    Dataset::generate(&config)
}

/// `from=…&to=…` covering the whole generated history.
fn window(dataset: &Dataset) -> (i64, i64, String) {
    let to = dataset.now_us() / 1_000 / DAY_MS;
    let from = to - DAYS;
    (
        from,
        to,
        format!("from={}&to={}", format_day(from), format_day(to)),
    )
}

struct Row(HashMap<String, String>);

impl Row {
    fn get(&self, column: &str) -> &str {
        self.0
            .get(column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }

    fn value(&self) -> Option<f64> {
        let v = self.get("value");
        (!v.is_empty()).then(|| v.parse().unwrap())
    }
}

fn parse(body: &[u8]) -> (Vec<String>, Vec<Row>) {
    let table = Table::parse(body);
    let rows = table
        .rows
        .iter()
        .map(|r| {
            assert_eq!(r.len(), table.headers.len(), "ragged row {r:?}");
            Row(table
                .headers
                .iter()
                .cloned()
                .zip(r.iter().cloned())
                .collect())
        })
        .collect();
    (table.headers, rows)
}

/// Values are written rounded to 4 decimals.
fn same(csv: Option<f64>, json: &serde_json::Value) -> bool {
    match (csv, json.as_f64()) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - (b * 10_000.0).round() / 10_000.0).abs() < 1e-6,
        _ => false,
    }
}

async fn csv_and_api_agree(t: TestDb) {
    let dataset = dataset();
    store_load::load(&t.db, &dataset).await.unwrap();
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let (from, to, window) = window(&dataset);

    let response = app.get(&format!("/export/impact.csv?{window}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!(
            "strata-impact-all-{}-{}.csv",
            format_day(from),
            format_day(to)
        )),
        "{disposition}"
    );
    let (headers, rows) = parse(&response.bytes().await.unwrap());
    assert_eq!(headers, strata::export::impact::HEADER);

    let projects: Vec<(i64, String)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT id, path FROM projects ORDER BY id").fetch_all(p).await.unwrap());
    assert_eq!(projects.len(), dataset.ground_truth().len());
    for (id, path) in &projects {
        let mine: Vec<&Row> = rows
            .iter()
            .filter(|r| r.get("project_id") == id.to_string())
            .collect();
        assert!(!mine.is_empty(), "no rows for {path}");
        for r in &mine {
            assert_eq!(r.get("project_path"), path);
            assert_eq!(
                (r.get("from"), r.get("to")),
                (format_day(from).as_str(), format_day(to).as_str())
            );
        }

        // Counted independently of the report.
        let (jobs,): (i64,) = with_pool!(t.db.pool(), p => sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE project_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3")
            .bind(id).bind(from * DAY_MS).bind((to + 1) * DAY_MS).fetch_one(p).await.unwrap());
        let summary = |measure: &str| {
            mine.iter()
                .find(|r| r.get("section") == "summary" && r.get("measure") == measure)
                .and_then(|r| r.value())
        };
        assert_eq!(summary("jobs"), Some(jobs as f64), "{path}");

        // The JSON report of the same project and window: every finding and cache effect
        // appears in the CSV with the same numbers and the same jobs behind it.
        let json: serde_json::Value = app
            .get(&format!("/api/v1/projects/{id}/impact?{window}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json["jobs"].as_i64(), Some(jobs), "{path}");
        let findings = json["findings"].as_array().unwrap();
        let csv_findings: Vec<&&Row> = mine
            .iter()
            .filter(|r| r.get("section") == "finding")
            .collect();
        assert_eq!(csv_findings.len(), findings.len(), "{path}");
        for (f, r) in findings.iter().zip(&csv_findings) {
            assert_eq!(r.get("subject"), f["kind"]["kind"].as_str().unwrap());
            assert!(r.get("detail").starts_with(f["title"].as_str().unwrap()));
            assert!(
                same(r.value(), &f["time_per_week_ms"]),
                "{path}: {:?} vs {}",
                r.value(),
                f["time_per_week_ms"]
            );
            let ids: Vec<String> = f["examples"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.to_string())
                .collect();
            assert_eq!(r.get("example_job_ids"), ids.join(" "));
        }
        for cache in json["caches"].as_array().unwrap() {
            for effect in cache["jobs"].as_array().unwrap() {
                let row = mine
                    .iter()
                    .find(|r| {
                        r.get("section") == "cache_effect"
                            && r.get("subject") == cache["pattern"].as_str().unwrap()
                            && r.get("detail") == effect["job"].as_str().unwrap()
                            && r.get("measure") == "miss_penalty"
                    })
                    .unwrap_or_else(|| panic!("{path}: no miss penalty row for {effect}"));
                let penalty = &effect["miss_penalty"];
                assert!(same(row.value(), &penalty["value"]), "{path}: {effect}");
                let low = row.get("ci_low");
                assert_eq!(low.is_empty(), penalty.is_null());
            }
        }

        // Every job named as evidence is a job of this project.
        for r in &mine {
            for job in r.get("example_job_ids").split_whitespace() {
                let (owner,): (i64,) = with_pool!(t.db.pool(), p => sqlx::query_as(
                    "SELECT project_id FROM jobs WHERE id = $1").bind(job.parse::<i64>().unwrap())
                    .fetch_one(p).await.unwrap());
                assert_eq!(owner, *id, "{path}: job {job}");
            }
        }
    }

    // The planted cache-miss penalty, read from the file a user downloads.
    for truth in dataset.ground_truth() {
        let GroundTruth::CacheTransport(c) = truth else {
            continue;
        };
        let penalty = rows
            .iter()
            .find(|r| {
                r.get("project_path") == c.project
                    && r.get("section") == "cache_effect"
                    && r.get("subject").starts_with(c.transport_key_prefix)
                    && r.get("detail") == c.transport_reader_job
                    && r.get("measure") == "miss_penalty"
            })
            .expect("the transport cache's miss penalty");
        let planted = c.transport_miss_penalty.as_millis() as f64;
        let measured = penalty.value().unwrap();
        assert!(
            (measured - planted).abs() <= planted * 0.1,
            "{measured} vs {planted}"
        );
        let (low, high): (f64, f64) = (
            penalty.get("ci_low").parse().unwrap(),
            penalty.get("ci_high").parse().unwrap(),
        );
        assert!(low <= measured && measured <= high);
        assert_eq!(penalty.get("unit"), "ms");
    }

    // One project: only its rows, and its path in the file name.
    let (id, path) = &projects[0];
    let response = app
        .get(&format!("/export/impact.csv?project={id}&{window}"))
        .await;
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&path.replace('/', "_")),
        "{disposition}"
    );
    let (_, one) = parse(&response.bytes().await.unwrap());
    assert!(!one.is_empty());
    assert!(one.iter().all(|r| r.get("project_id") == id.to_string()));
    assert_eq!(
        one.len(),
        rows.iter()
            .filter(|r| r.get("project_id") == id.to_string())
            .count()
    );

    // Status narrows the report like every view: the API and the CSV count the failed jobs.
    let failed: i64 = with_pool!(t.db.pool(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE project_id = $1 AND status = 'failed'")
        .bind(id).fetch_one(p).await.unwrap());
    assert!(failed > 0);
    let json: serde_json::Value = app
        .get(&format!(
            "/api/v1/projects/{id}/impact?{window}&status=failed"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["jobs"].as_i64(), Some(failed), "{json}");
    let response = app
        .get(&format!(
            "/export/impact.csv?project={id}&{window}&status=failed"
        ))
        .await;
    let (_, failed_rows) = parse(&response.bytes().await.unwrap());
    let jobs = failed_rows
        .iter()
        .find(|r| r.get("section") == "summary" && r.get("measure") == "jobs")
        .and_then(|r| r.value());
    assert_eq!(jobs, Some(failed as f64));
    app.stop().await;
}

async fn bad_requests(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let error = |status: u16, path: &'static str, param: &'static str| {
        let app = &app;
        async move {
            let response = app.get(path).await;
            assert_eq!(response.status(), status, "{path}");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["param"], param, "{path}: {body}");
            assert!(!body["error"].as_str().unwrap().is_empty());
        }
    };
    error(400, "/export/impact.csv?pipeline=7", "pipeline").await;
    error(404, "/export/impact.csv?project=424242", "project").await;
    error(400, "/api/v1/projects/abc/impact", "id").await;
    error(404, "/api/v1/projects/424242/impact", "id").await;
    error(400, "/api/v1/projects/1/impact?job=", "job").await;
    error(400, "/api/v1/projects/1/impact?period=5d", "period").await;
    error(
        400,
        "/api/v1/projects/1/impact?from=2026-10-10&to=2026-10-01",
        "from",
    )
    .await;

    // An empty database: a header and nothing else.
    let response = app.get("/export/impact.csv").await;
    assert_eq!(response.status(), 200);
    let (headers, rows) = parse(&response.bytes().await.unwrap());
    assert_eq!(headers.len(), strata::export::impact::HEADER.len());
    assert!(rows.is_empty());
    app.stop().await;
}
