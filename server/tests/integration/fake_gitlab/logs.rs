//! Job logs agree with the API's times, and the same seed gives the same bytes.

use chrono::DateTime;
use serde_json::Value;
use strata_demo::{DemoConfig, FakeConfig, ScenarioKind};

use super::{Api, demo, start, start_with};

const SECTION_ORDER: [&str; 11] = [
    "resolve_secrets",
    "prepare_executor",
    "prepare_script",
    "get_sources",
    "restore_cache",
    "download_artifacts",
    "step_script",
    "after_script",
    "archive_cache",
    "upload_artifacts_on_success",
    "cleanup_file_variables",
];

/// `(kind, unix seconds, name)` of every section marker, checking each ends in `\r\e[0K`.
fn markers(log: &str) -> Vec<(&str, i64, &str)> {
    let mut found = Vec::new();
    for kind in ["section_start", "section_end"] {
        for (at, _) in log.match_indices(&format!("{kind}:")) {
            let rest = &log[at + kind.len() + 1..];
            let end = rest.find("\r\x1b[0K").expect("a marker ends in \\r\\e[0K");
            let (time, name) = rest[..end].split_once(':').expect("time and name");
            found.push((at, (kind, time.parse().expect("unix seconds"), name)));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, m)| m).collect()
}

/// The `FF_TIMESTAMPS` prefix of each line, in microseconds.
fn line_times(log: &str) -> Vec<i64> {
    log.lines()
        .map(|line| {
            let stamp = &line[..27];
            assert_eq!(&line[27..28], " ", "a space after the stamp in {line:?}");
            assert!(
                matches!(&line[28..32], "00O " | "00O+" | "01O " | "01E "),
                "stream tag in {line:?}"
            );
            DateTime::parse_from_rfc3339(stamp)
                .expect("RFC 3339 stamp")
                .timestamp_micros()
        })
        .collect()
}

fn epoch_us(v: &Value) -> i64 {
    DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("ISO 8601")
        .timestamp_micros()
}

async fn check_job(api: &Api, project: i64, timestamped: bool, job: &Value) {
    let id = job["id"].as_i64().unwrap();
    let log = api
        .text(&format!("/projects/{project}/jobs/{id}/trace"))
        .await;
    if job["started_at"].is_null() {
        assert_eq!(log, "", "a job that never started has an empty log");
        return;
    }
    let (started, finished) = (epoch_us(&job["started_at"]), epoch_us(&job["finished_at"]));
    let duration = job["duration"].as_f64().unwrap();
    assert!(
        ((finished - started) as f64 / 1e6 - duration).abs() < 0.002,
        "job {id}: duration vs timestamps"
    );

    let markers = markers(&log);
    assert!(
        markers.len() >= 10 && markers.len().is_multiple_of(2),
        "job {id}: {} markers",
        markers.len()
    );
    let mut last_rank = None;
    for pair in markers.chunks(2) {
        let [(start_kind, start, name), (end_kind, end, end_name)] = pair else {
            unreachable!()
        };
        assert_eq!(
            (*start_kind, *end_kind, name),
            ("section_start", "section_end", end_name),
            "job {id}: sections pair up"
        );
        assert!(start <= end);
        let rank = SECTION_ORDER
            .iter()
            .position(|s| s == name)
            .unwrap_or_else(|| panic!("unknown section {name}"));
        assert!(last_rank < Some(rank), "job {id}: {name} out of order");
        last_rank = Some(rank);
    }
    assert_eq!(
        markers[0].1,
        started.div_euclid(1_000_000),
        "job {id}: first section starts at started_at"
    );
    assert_eq!(
        markers[markers.len() - 1].1,
        finished.div_euclid(1_000_000),
        "job {id}: last section ends at finished_at"
    );
    let verdict = if job["status"] == "success" {
        "Job succeeded"
    } else {
        "ERROR: Job failed: exit code 1"
    };
    assert!(
        log.trim_end().ends_with(&format!("{verdict}\x1b[0;m")),
        "job {id} ends with its verdict"
    );

    if timestamped {
        let times = line_times(&log);
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "job {id}: timestamps never go back"
        );
        assert_eq!(
            times[0].div_euclid(1_000),
            started.div_euclid(1_000),
            "job {id}: first line at started_at"
        );
        let last = times[times.len() - 1];
        assert_eq!(
            last.div_euclid(1_000),
            finished.div_euclid(1_000),
            "job {id}: verdict at finished_at"
        );
        assert!(
            ((last - times[0]) as f64 / 1e6 - duration).abs() < 0.002,
            "job {id}: the log spans the duration"
        );
    } else {
        assert!(
            !log.starts_with("20"),
            "no timestamp prefixes without FF_TIMESTAMPS"
        );
    }
}

#[tokio::test]
async fn log_sections_agree_with_the_api_times() {
    let (fake, api) = start(60, &ScenarioKind::ALL).await;
    let mut checked = 0;
    for project in fake.projects() {
        let (_, pipelines) = api
            .json(&format!(
                "/projects/{}/pipelines?per_page=12&page=2",
                project.id
            ))
            .await;
        for pipeline in pipelines.as_array().unwrap() {
            let pid = pipeline["id"].as_i64().unwrap();
            let (_, jobs) = api
                .json(&format!(
                    "/projects/{}/pipelines/{pid}/jobs?include_retried=true",
                    project.id
                ))
                .await;
            for job in jobs.as_array().unwrap() {
                check_job(&api, project.id, project.ff_timestamps, job).await;
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "{checked} jobs checked");
}

/// The bodies a sync reads for one project: a page of pipelines, one pipeline, its jobs,
/// their logs.
async fn bodies(api: &Api) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let list = api
        .get("/projects/104/pipelines?per_page=100")
        .await
        .bytes()
        .await
        .unwrap();
    let items: Value = serde_json::from_slice(&list).unwrap();
    out.push(list.to_vec());
    let pid = items[7]["id"].as_i64().unwrap();
    out.push(
        api.get(&format!("/projects/104/pipelines/{pid}"))
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
    );
    let jobs = api
        .get(&format!(
            "/projects/104/pipelines/{pid}/jobs?include_retried=true"
        ))
        .await
        .bytes()
        .await
        .unwrap();
    let parsed: Value = serde_json::from_slice(&jobs).unwrap();
    out.push(jobs.to_vec());
    for job in parsed.as_array().unwrap() {
        let log = api
            .get(&format!("/projects/104/jobs/{}/trace", job["id"]))
            .await
            .bytes()
            .await
            .unwrap();
        out.push(log.to_vec());
    }
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let (_a, api_a) = start(150, &ScenarioKind::ALL).await;
    let (_b, api_b) = start(150, &ScenarioKind::ALL).await;
    let first = bodies(&api_a).await;
    assert!(first.len() > 5);
    assert_eq!(first, bodies(&api_b).await);

    let other = FakeConfig::new(DemoConfig {
        seed: 7,
        ..demo(150, &ScenarioKind::ALL)
    });
    let (_c, api_c) = start_with(other).await;
    assert_ne!(first[0], bodies(&api_c).await[0]);
}
