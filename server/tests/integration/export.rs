//! CSV exports over HTTP, read back with the `csv` crate and compared with the database.

use crate::{export_seed, support};
use strata_core::on_both_backends;

use std::collections::BTreeMap;

use export_seed::{
    DAY, HOSTILE_JOB, HOSTILE_PATH, HOSTILE_REF, OLD_PIPELINE, SCRIPT_JOB, seed, window_query,
};
use strata_core::{model::filters::DAY_MS, stats::sketch::exact_quantile, with_pool};
use support::{TestApp, TestDb, csv_table::Table, test_settings};

on_both_backends! {
    every_kind_holds_what_the_database_holds => every_kind_matches_the_database;
    hostile_text_survives_and_formulas_are_neutralised => hostile_text_is_neutralised;
    daily_rows_fold_the_rollups_per_project_name_and_day => daily_matches_the_rollups;
    filters_select_exactly_the_rows_sql_selects => filter_parity;
    the_pipeline_page_link_exports_that_pipelines_phases => pipeline_link;
    bad_requests_get_clear_errors => bad_requests;
}

async fn fetch(app: &TestApp, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    (headers, response.bytes().await.unwrap().to_vec())
}

async fn csv(app: &TestApp, path: &str) -> Table {
    Table::parse(&fetch(app, path).await.1)
}

/// How a text cell must read: as stored, with a `'` in front when a spreadsheet would run it.
fn shown(text: Option<String>) -> String {
    match text {
        Some(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}"),
        Some(t) => t,
        None => String::new(),
    }
}

fn num(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn iso(ms: Option<i64>) -> String {
    ms.map(|ms| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    })
    .unwrap_or_default()
}

const WINDOW: (i64, i64) = (DAY * DAY_MS, (DAY + 4) * DAY_MS);

type PipelineFacts = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<i64>,
);
type JobFacts = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn every_kind_matches_the_database(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let q = window_query();

    let pipelines: Vec<PipelineFacts> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT p.id, pr.path, p.git_ref, p.source, p.status, p.created_at_ms, p.duration_ms
         FROM pipelines p JOIN projects pr ON pr.id = p.project_id
         WHERE p.created_at_ms >= $1 AND p.created_at_ms < $2 ORDER BY p.id")
        .bind(WINDOW.0).bind(WINDOW.1).fetch_all(p).await.unwrap());
    assert_eq!(pipelines.len(), 16);
    let expected: Vec<Vec<String>> = pipelines
        .into_iter()
        .map(|(id, path, git_ref, source, status, created, duration)| {
            vec![
                id.to_string(),
                shown(Some(path)),
                shown(git_ref),
                shown(source),
                status,
                iso(created),
                num(duration),
            ]
        })
        .collect();
    let table = csv(&app, &format!("/export/pipelines.csv?{q}")).await;
    assert_eq!(
        table.pick(&[
            "pipeline_id",
            "project_path",
            "ref",
            "source",
            "status",
            "created_at",
            "duration_ms"
        ]),
        expected
    );

    let jobs: Vec<JobFacts> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT j.id, j.name, j.stage, j.status, p.git_ref, j.created_at_ms, j.duration_ms, j.queued_duration_ms,
                m.script_ms, m.cache_hits, m.artifact_download_bytes, m.docker_cached_steps
         FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id LEFT JOIN job_metrics m ON m.job_id = j.id
         WHERE j.created_at_ms >= $1 AND j.created_at_ms < $2 ORDER BY j.id")
        .bind(WINDOW.0).bind(WINDOW.1).fetch_all(p).await.unwrap());
    assert_eq!(jobs.len(), 48);
    let expected: Vec<Vec<String>> = jobs
        .into_iter()
        .map(|j| {
            vec![
                j.0.to_string(),
                shown(Some(j.1)),
                shown(j.2),
                j.3,
                shown(j.4),
                iso(j.5),
                num(j.6),
                num(j.7),
                num(j.8),
                num(j.9),
                num(j.10),
                num(j.11),
            ]
        })
        .collect();
    let table = csv(&app, &format!("/export/jobs.csv?{q}")).await;
    assert_eq!(
        table.pick(&[
            "job_id",
            "job_name",
            "stage",
            "status",
            "ref",
            "created_at",
            "duration_ms",
            "queued_duration_ms",
            "script_ms",
            "cache_hits",
            "artifact_download_bytes",
            "docker_cached_steps"
        ]),
        expected
    );
    for phase in [
        "prepare_ms",
        "sources_ms",
        "cache_restore_ms",
        "artifact_download_ms",
        "script_ms",
        "docker_build_ms",
        "cache_archive_ms",
        "artifact_upload_ms",
        "cleanup_ms",
        "other_ms",
        "cache_misses",
        "artifact_upload_bytes",
        "docker_steps",
    ] {
        table.col(phase);
    }

    // Detail kinds: every row of the window, in key order, with its cells as stored.
    let detail: [(&str, &str, &[&str]); 4] = [
        (
            "phases",
            "SELECT x.job_id, x.seq, x.phase, x.section, x.start_offset_ms, x.duration_ms FROM job_phases x",
            &[
                "job_id",
                "seq",
                "phase",
                "section",
                "start_offset_ms",
                "duration_ms",
            ],
        ),
        (
            "cache-ops",
            "SELECT x.job_id, x.seq, x.direction, x.cache_key, x.size_bytes, x.duration_ms FROM cache_ops x",
            &[
                "job_id",
                "seq",
                "direction",
                "cache_key",
                "size_bytes",
                "duration_ms",
            ],
        ),
        (
            "artifact-ops",
            "SELECT x.job_id, x.seq, x.outcome, x.source_job_name, x.source_job_id, x.size_bytes FROM artifact_ops x",
            &[
                "job_id",
                "seq",
                "outcome",
                "source_job_name",
                "source_job_id",
                "size_bytes",
            ],
        ),
        (
            "docker-steps",
            "SELECT x.job_id, x.seq, x.stage, x.instruction, x.step_index, x.duration_ms FROM docker_steps x",
            &[
                "job_id",
                "seq",
                "stage",
                "instruction",
                "step_index",
                "duration_ms",
            ],
        ),
    ];
    for (kind, select, columns) in detail {
        let sql = format!(
            "{select} JOIN jobs j ON j.id = x.job_id WHERE j.created_at_ms >= $1 AND j.created_at_ms < $2 ORDER BY x.job_id, x.seq"
        );
        type Detail = (i64, i64, String, Option<String>, Option<i64>, Option<i64>);
        let rows: Vec<Detail> = with_pool!(t.db.pool(), p => sqlx::query_as(&sql)
            .bind(WINDOW.0).bind(WINDOW.1).fetch_all(p).await.unwrap());
        assert!(!rows.is_empty(), "{kind}: the seed has rows");
        let expected: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.0.to_string(),
                    r.1.to_string(),
                    shown(Some(r.2)),
                    shown(r.3),
                    num(r.4),
                    num(r.5),
                ]
            })
            .collect();
        let table = csv(&app, &format!("/export/{kind}.csv?{q}")).await;
        assert_eq!(table.pick(columns), expected, "{kind}");
    }
    let steps = csv(&app, &format!("/export/docker-steps.csv?{q}")).await;
    assert!(
        steps
            .pick(&["cached"])
            .iter()
            .all(|c| c[0] == "true" || c[0] == "false")
    );
    app.stop().await;
}

async fn hostile_text_is_neutralised(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let (_, body) = fetch(&app, &format!("/export/jobs.csv?{}", window_query())).await;
    let text = String::from_utf8(body.clone()).expect("UTF-8");
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let table = Table::parse(&body);
    let names: Vec<String> = table
        .pick(&["job_name"])
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert!(
        names.contains(&format!("'{HOSTILE_JOB}")),
        "formula neutralised: {names:?}"
    );
    assert!(!names.contains(&HOSTILE_JOB.to_owned()));
    assert!(
        names.contains(&SCRIPT_JOB.to_owned()),
        "newlines, quotes, commas and <script> survive"
    );
    let refs: Vec<String> = table
        .pick(&["ref"])
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert!(refs.contains(&HOSTILE_REF.to_owned()));
    assert!(refs.contains(&"'-dash".to_owned()));
    let paths: Vec<String> = table
        .pick(&["project_path"])
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert!(paths.contains(&HOSTILE_PATH.to_owned()), "{paths:?}");

    // Numbers are never prefixed, negative ones included; text that starts with `@` or `+` is.
    let phases = csv(&app, &format!("/export/phases.csv?{}", window_query())).await;
    let offsets = phases.pick(&["start_offset_ms", "section"]);
    assert!(offsets.contains(&vec!["-5".to_owned(), "prepare_executor".to_owned()]));
    assert!(offsets.contains(&vec!["195".to_owned(), "'@custom=1+1".to_owned()]));
    let keys = csv(&app, &format!("/export/cache-ops.csv?{}", window_query())).await;
    assert!(
        keys.pick(&["cache_key"])
            .iter()
            .all(|k| k[0] == "'+key,\"1\"")
    );
    app.stop().await;
}

async fn daily_matches_the_rollups(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    type Sums = (i64, i64, String, i64, i64, i64, i64, i64);
    let sums: Vec<Sums> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT project_id, day, job_name, CAST(SUM(runs) AS BIGINT), CAST(SUM(cache_hits) AS BIGINT),
                CAST(SUM(cache_misses) AS BIGINT), CAST(SUM(script_ms) AS BIGINT), CAST(SUM(docker_cached_steps) AS BIGINT)
         FROM job_daily WHERE day >= $1 AND day <= $2
         GROUP BY project_id, day, job_name ORDER BY project_id, day, job_name")
        .bind(DAY).bind(DAY + 3).fetch_all(p).await.unwrap());
    let raw: Vec<(i64, i64, String, i64)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT project_id, created_at_ms / 86400000, name, duration_ms FROM jobs WHERE created_at_ms >= $1")
        .bind(WINDOW.0).fetch_all(p).await.unwrap());
    let mut durations: BTreeMap<(i64, i64, String), Vec<f64>> = BTreeMap::new();
    for (project, day, name, ms) in raw {
        durations
            .entry((project, day, name))
            .or_default()
            .push(ms as f64);
    }
    let table = csv(&app, &format!("/export/daily.csv?{}", window_query())).await;
    assert_eq!(table.rows.len(), sums.len());
    assert_eq!(
        table.rows.len(),
        durations.len(),
        "one row per project, day and job name"
    );
    let got = table.pick(&[
        "project_id",
        "day",
        "job_name",
        "runs",
        "cache_hits",
        "cache_misses",
        "script_ms",
        "docker_cached_steps",
        "p50_ms",
        "p95_ms",
        "cache_hit_rate",
    ]);
    for (row, (project, day, name, runs, hits, misses, script, cached)) in got.iter().zip(sums) {
        let values = &durations[&(project, day, name.clone())];
        let rate = if hits + misses > 0 {
            (hits as f64 / (hits + misses) as f64).to_string()
        } else {
            String::new()
        };
        assert_eq!(
            row,
            &vec![
                project.to_string(),
                strata_core::model::filters::format_day(day),
                shown(Some(name)),
                runs.to_string(),
                hits.to_string(),
                misses.to_string(),
                script.to_string(),
                cached.to_string(),
                (exact_quantile(values, 0.5).unwrap().round() as i64).to_string(),
                (exact_quantile(values, 0.95).unwrap().round() as i64).to_string(),
                rate,
            ]
        );
    }
    app.stop().await;
}

/// Ids a CSV holds in `column`.
async fn ids(app: &TestApp, path: &str, column: &str) -> Vec<i64> {
    csv(app, path)
        .await
        .pick(&[column])
        .into_iter()
        .map(|r| r[0].parse().unwrap())
        .collect()
}

async fn filter_parity(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let window = "from=2024-10-05&to=2024-10-06";
    let (start, end) = ((DAY + 1) * DAY_MS, (DAY + 3) * DAY_MS);
    let enc = strata_core::model::filters::encode;
    // (query, job-level condition, pipeline-level condition, bound text)
    let cases: Vec<(String, &str, &str, Option<&str>)> = vec![
        (String::new(), "TRUE", "TRUE", None),
        (
            "&project=2".into(),
            "j.project_id = 2",
            "p.project_id = 2",
            None,
        ),
        (
            format!("&ref={}", enc(HOSTILE_REF)),
            "p.git_ref = $3",
            "p.git_ref = $3",
            Some(HOSTILE_REF),
        ),
        (
            "&source=schedule".into(),
            "p.source = $3",
            "p.source = $3",
            Some("schedule"),
        ),
        (
            "&status=failed".into(),
            "j.status = $3",
            "p.status = $3",
            Some("failed"),
        ),
        (
            format!("&job={}", enc(SCRIPT_JOB)),
            "j.name = $3",
            "EXISTS (SELECT 1 FROM jobs x WHERE x.pipeline_id = p.id AND x.name = $3)",
            Some(SCRIPT_JOB),
        ),
        (
            "&project=1&status=success&source=push".into(),
            "j.project_id = 1 AND j.status = 'success' AND p.source = 'push'",
            "p.project_id = 1 AND p.status = 'success' AND p.source = 'push'",
            None,
        ),
    ];
    for (query, job_cond, pipeline_cond, text) in cases {
        let job_sql = format!(
            "SELECT j.id FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
             WHERE j.created_at_ms >= $1 AND j.created_at_ms < $2 AND {job_cond} {} ORDER BY j.id",
            if text.is_none() { "AND $3 IS NULL" } else { "" }
        );
        let pipeline_sql = format!(
            "SELECT p.id FROM pipelines p WHERE p.created_at_ms >= $1 AND p.created_at_ms < $2 AND {pipeline_cond} {} ORDER BY p.id",
            if text.is_none() { "AND $3 IS NULL" } else { "" }
        );
        let phase_sql = format!(
            "SELECT x.job_id FROM job_phases x JOIN jobs j ON j.id = x.job_id JOIN pipelines p ON p.id = j.pipeline_id
             WHERE j.created_at_ms >= $1 AND j.created_at_ms < $2 AND {job_cond} {} ORDER BY x.job_id, x.seq",
            if text.is_none() { "AND $3 IS NULL" } else { "" }
        );
        let select = |sql: String| {
            let db = t.db.clone();
            async move {
                let rows: Vec<(i64,)> = with_pool!(db.pool(), p => sqlx::query_as(&sql)
                    .bind(start).bind(end).bind(text).fetch_all(p).await.unwrap());
                rows.into_iter().map(|r| r.0).collect::<Vec<i64>>()
            }
        };
        let expected_jobs = select(job_sql).await;
        let expected_pipelines = select(pipeline_sql).await;
        let expected_phases = select(phase_sql).await;
        assert_eq!(
            ids(&app, &format!("/export/jobs.csv?{window}{query}"), "job_id").await,
            expected_jobs,
            "jobs {query}"
        );
        assert_eq!(
            ids(
                &app,
                &format!("/export/pipelines.csv?{window}{query}"),
                "pipeline_id"
            )
            .await,
            expected_pipelines,
            "pipelines {query}"
        );
        assert_eq!(
            ids(
                &app,
                &format!("/export/phases.csv?{window}{query}"),
                "job_id"
            )
            .await,
            expected_phases,
            "phases {query}"
        );
    }
    // Some filter must actually narrow, or the parity above proves little.
    let all = ids(&app, &format!("/export/jobs.csv?{window}"), "job_id").await;
    let failed = ids(
        &app,
        &format!("/export/jobs.csv?{window}&status=failed"),
        "job_id",
    )
    .await;
    assert!(!failed.is_empty() && failed.len() < all.len());
    app.stop().await;
}

async fn pipeline_link(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let (headers, body) = fetch(
        &app,
        &format!("/export/phases.csv?project=1&pipeline={OLD_PIPELINE}"),
    )
    .await;
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"strata-phases-acme_app-pipeline-{OLD_PIPELINE}.csv\"")
    );
    let table = Table::parse(&body);
    assert_eq!(
        table.pick(&["pipeline_id", "job_id", "seq", "phase"]),
        vec![
            vec![
                OLD_PIPELINE.to_string(),
                "9998".into(),
                "0".into(),
                "prepare".into()
            ],
            vec![
                OLD_PIPELINE.to_string(),
                "9998".into(),
                "1".into(),
                "other".into()
            ],
        ]
    );
    // The same phases are outside the default window without `pipeline`.
    assert!(
        ids(&app, "/export/phases.csv?project=1", "job_id")
            .await
            .iter()
            .all(|&id| id != 9998)
    );
    let (headers, _) = fetch(
        &app,
        &format!("/export/jobs.csv?project=2&{}", window_query()),
    )
    .await;
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"strata-jobs-evil__SUM_1_1___q_-2024-10-04-2024-10-07.csv\""
    );
    app.stop().await;
}

async fn bad_requests(t: TestDb) {
    seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    for (path, param) in [
        ("/export/jobs.csv?period=1y", "period"),
        ("/export/jobs.csv?from=2024-13-01&to=2024-12-01", "from"),
        ("/export/pipelines.csv?status=done", "status"),
        ("/export/daily.csv?project=abc", "project"),
        ("/export/phases.csv?pipeline=x", "pipeline"),
        ("/export/daily.csv?pipeline=1", "pipeline"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["param"], param, "{path}: {body}");
        assert!(body["error"].as_str().unwrap().contains(param), "{body}");
    }
    for path in [
        "/export/timings.csv",
        "/export/nope.csv",
        "/export/jobs.json",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        for kind in [
            "pipelines",
            "jobs",
            "phases",
            "cache-ops",
            "artifact-ops",
            "docker-steps",
            "daily",
            "impact",
        ] {
            assert!(error.contains(kind), "{error}");
        }
    }
    let response = app.get("/export/jobs.csv?project=404").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["param"], "project");
    app.stop().await;
}
