//! The JSON API: every response matches the OpenAPI document the server serves, cursors
//! walk every row exactly once, filters select what the CSV selects, and bad parameters are
//! named.

use crate::{export_seed, support};
use strata_core::on_both_backends;

use export_seed::{HOSTILE_REF, SCRIPT_JOB, seed, window_query};
use serde_json::{Value, json};
use strata_core::{model::filters::encode, with_pool};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    every_response_matches_the_openapi_document => responses_match_the_document;
    cursors_walk_every_row_once => cursors_walk_every_row;
    filters_select_what_the_csv_selects => filters_match_the_csv;
    a_job_comes_with_its_log_analysis => job_detail;
    bad_parameters_are_named_in_json => bad_parameters;
}

/// Checks bodies against the served document: the document is the root schema, and each
/// check points into it at one response's schema, so `$ref`s to components resolve.
struct Spec(Value);

impl Spec {
    async fn fetch(app: &TestApp) -> Spec {
        let response = app.get("/api/v1/openapi.json").await;
        assert_eq!(response.status(), 200);
        let doc: Value = response.json().await.unwrap();
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3."),
            "{}",
            doc["openapi"]
        );
        Spec(doc)
    }

    fn check(&self, template: &str, status: u16, body: &Value) {
        let pointer = format!(
            "/paths/{}/get/responses/{status}/content/application~1json/schema",
            template.replace('~', "~0").replace('/', "~1")
        );
        let mut root = self.0.clone();
        assert!(
            root.pointer(&pointer).is_some(),
            "the document describes {status} for {template}"
        );
        // In a URI fragment, `{` and `}` are percent-encoded.
        root["$ref"] = json!(format!(
            "#{}",
            pointer.replace('{', "%7B").replace('}', "%7D")
        ));
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema for {template} {status}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{template} {status}: {errors:?}\n{body}");
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "{path}"
    );
    (status, response.json().await.unwrap())
}

async fn analysed_job(t: &TestDb) -> i64 {
    let (id,): (i64,) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT MIN(job_id) FROM docker_steps").fetch_one(p).await.unwrap());
    id
}

async fn responses_match_the_document(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let spec = Spec::fetch(&app).await;
    for path in [
        "/api/v1/projects",
        "/api/v1/pipelines",
        "/api/v1/jobs",
        "/api/v1/jobs/{id}",
        "/api/v1/daily",
    ] {
        assert!(
            spec.0["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
    let q = window_query();
    let job = analysed_job(&t).await;
    let cases = [
        ("/api/v1/projects", "/api/v1/projects".to_owned(), 200),
        (
            "/api/v1/projects",
            "/api/v1/projects?limit=1".to_owned(),
            200,
        ),
        (
            "/api/v1/pipelines",
            format!("/api/v1/pipelines?{q}&limit=3"),
            200,
        ),
        (
            "/api/v1/pipelines",
            format!("/api/v1/pipelines?{q}&job={}", encode(SCRIPT_JOB)),
            200,
        ),
        ("/api/v1/jobs", format!("/api/v1/jobs?{q}"), 200),
        ("/api/v1/jobs", "/api/v1/jobs?pipeline=999".to_owned(), 200),
        ("/api/v1/jobs/{id}", format!("/api/v1/jobs/{job}"), 200),
        ("/api/v1/jobs/{id}", "/api/v1/jobs/9998".to_owned(), 200),
        ("/api/v1/daily", format!("/api/v1/daily?{q}&limit=4"), 200),
        ("/api/v1/jobs", "/api/v1/jobs?limit=0".to_owned(), 400),
        (
            "/api/v1/pipelines",
            "/api/v1/pipelines?status=done".to_owned(),
            400,
        ),
        ("/api/v1/daily", "/api/v1/daily?cursor=nope".to_owned(), 400),
        (
            "/api/v1/projects",
            "/api/v1/projects?project=x".to_owned(),
            400,
        ),
        ("/api/v1/jobs/{id}", "/api/v1/jobs/1".to_owned(), 404),
    ];
    for (template, path, status) in cases {
        let (got, body) = get(&app, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        spec.check(template, status, &body);
        if status == 200 && template != "/api/v1/jobs/{id}" {
            assert!(
                !body["items"].as_array().unwrap().is_empty(),
                "{path} has rows to check"
            );
        }
    }
    // A response that breaks the document is caught (the check can fail).
    let (_, mut body) = get(&app, &format!("/api/v1/jobs?{q}&limit=1")).await;
    body["items"][0]["job_id"] = json!("not a number");
    let caught = std::panic::catch_unwind(|| spec.check("/api/v1/jobs", 200, &body));
    assert!(caught.is_err(), "a wrong type must fail the check");
    app.stop().await;
}

/// Follow `next_cursor` from the first page to the last; returns every item.
async fn walk(app: &TestApp, path: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_owned(),
        };
        let (status, body) = get(app, &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        pages += 1;
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (items, pages),
        }
    }
}

fn ints(items: &[Value], field: &str) -> Vec<i64> {
    items.iter().map(|i| i[field].as_i64().unwrap()).collect()
}

async fn csv_column(app: &TestApp, path: &str, column: &str) -> Vec<String> {
    let body = app.get(path).await.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&body[..]);
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[at].to_owned())
        .collect()
}

async fn cursors_walk_every_row(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let q = window_query();
    let all_jobs: Vec<(i64,)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT id FROM jobs WHERE created_at_ms >= $1 AND created_at_ms < $2 ORDER BY id")
        .bind(export_seed::DAY * 86_400_000).bind((export_seed::DAY + 4) * 86_400_000).fetch_all(p).await.unwrap());
    let (jobs, pages) = walk(&app, &format!("/api/v1/jobs?{q}&limit=7")).await;
    assert_eq!(
        ints(&jobs, "job_id"),
        all_jobs.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert_eq!(pages, all_jobs.len().div_ceil(7));

    let (pipelines, _) = walk(&app, &format!("/api/v1/pipelines?{q}&limit=5")).await;
    let csv_ids: Vec<i64> = csv_column(&app, &format!("/export/pipelines.csv?{q}"), "pipeline_id")
        .await
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ints(&pipelines, "pipeline_id"), csv_ids);

    let (projects, pages) = walk(&app, "/api/v1/projects?limit=1").await;
    assert_eq!(ints(&projects, "id"), vec![1, 2]);
    assert_eq!(pages, 2);

    // Daily records page by (project, day, job name); every record once, as the CSV has them.
    for limit in [1, 5, 1000] {
        let (daily, _) = walk(&app, &format!("/api/v1/daily?{q}&limit={limit}")).await;
        let names = csv_column(&app, &format!("/export/daily.csv?{q}"), "runs").await;
        let runs: Vec<String> = daily.iter().map(|d| d["runs"].to_string()).collect();
        assert_eq!(runs, names, "limit {limit}");
        let keys: Vec<(i64, String, String)> = daily
            .iter()
            .map(|d| {
                (
                    d["project_id"].as_i64().unwrap(),
                    d["day"].as_str().unwrap().to_owned(),
                    d["job_name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len(), "no record twice");
    }
    app.stop().await;
}

async fn filters_match_the_csv(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let q = window_query();
    for filter in [
        "status=failed".to_owned(),
        format!("ref={}", encode(HOSTILE_REF)),
        format!("job={}", encode(SCRIPT_JOB)),
        "project=2&source=schedule".to_owned(),
    ] {
        for (kind, id) in [("jobs", "job_id"), ("pipelines", "pipeline_id")] {
            let (items, _) = walk(&app, &format!("/api/v1/{kind}?{q}&{filter}&limit=4")).await;
            let csv_ids: Vec<i64> =
                csv_column(&app, &format!("/export/{kind}.csv?{q}&{filter}"), id)
                    .await
                    .iter()
                    .map(|s| s.parse().unwrap())
                    .collect();
            assert_eq!(ints(&items, id), csv_ids, "{kind}?{filter}");
        }
    }
    // JSON keeps text as it is: no spreadsheet escaping outside CSV.
    let (items, _) = walk(
        &app,
        &format!("/api/v1/jobs?{q}&ref={}&limit=1000", encode(HOSTILE_REF)),
    )
    .await;
    assert!(items.iter().all(|i| i["ref"] == HOSTILE_REF));
    let (items, _) = walk(&app, &format!("/api/v1/jobs?{q}&limit=1000")).await;
    assert!(
        items
            .iter()
            .any(|i| i["job_name"] == export_seed::HOSTILE_JOB)
    );
    assert!(
        items
            .iter()
            .all(|i| i["created_at"].as_str().unwrap().ends_with('Z'))
    );
    app.stop().await;
}

async fn job_detail(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let id = analysed_job(&t).await;
    let (status, body) = get(&app, &format!("/api/v1/jobs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["job"]["job_id"], id);
    let phases: Vec<(String, i64)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT section, duration_ms FROM job_phases WHERE job_id = $1 ORDER BY seq").bind(id).fetch_all(p).await.unwrap());
    let got: Vec<(String, i64)> = body["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["section"].as_str().unwrap().to_owned(),
                p["duration_ms"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, phases);
    assert_eq!(body["cache_ops"][0]["cache_key"], "+key,\"1\"");
    assert_eq!(body["artifact_ops"][0]["source_job_id"], id - 1);
    let steps = body["docker_builds"][0]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["instruction"], "-RUN npm ci");
    assert_eq!(body["job"]["script_ms"], 6000);
    // A job without analysis has nulls, not zeros, for its phases.
    let (_, unanalysed) = get(&app, "/api/v1/jobs/5004").await;
    assert_eq!(unanalysed["job"]["script_ms"], Value::Null);
    assert_eq!(unanalysed["phases"], json!([]));
    app.stop().await;
}

async fn bad_parameters(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    for (path, param) in [
        ("/api/v1/jobs?limit=0", "limit"),
        ("/api/v1/jobs?limit=1001", "limit"),
        ("/api/v1/pipelines?limit=ten", "limit"),
        ("/api/v1/jobs?cursor=%21%21", "cursor"),
        ("/api/v1/daily?cursor=WzFd", "cursor"),
        ("/api/v1/daily?period=1y", "period"),
        ("/api/v1/jobs?from=2024-10-01", "to"),
        ("/api/v1/pipelines?status=done", "status"),
        ("/api/v1/jobs?pipeline=abc", "pipeline"),
        ("/api/v1/projects?project=x", "project"),
        ("/api/v1/jobs?to=", "to"),
        ("/api/v1/daily?ref=%20", "ref"),
        ("/api/v1/jobs/9223372036854775808", "id"),
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["param"], param, "{path}: {body}");
        assert!(body["error"].as_str().unwrap().contains(param), "{body}");
    }
    let (status, body) = get(&app, "/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("openapi.json"));
    app.stop().await;
}
