//! The fake's clock: new pipelines arrive as it moves, running ones finish, and an
//! incremental sync by `updated_after` sees exactly what changed.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use serde_json::Value;
use strata_demo::ScenarioKind;

use super::start;

fn ids(items: &[Value]) -> BTreeSet<i64> {
    items.iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn moving_the_clock_brings_new_pipelines_that_updated_after_finds() {
    let (fake, api) = start(100, &[ScenarioKind::Multistage, ScenarioKind::Artifacts]).await;
    let before = api.all_pages("/projects/103/pipelines?per_page=100").await;
    let watermark = before
        .iter()
        .map(|p| p["updated_at"].as_str().unwrap().to_string())
        .max()
        .unwrap();
    let old_now = fake.now();

    fake.advance(TimeDelta::days(3));
    assert_eq!(fake.now(), old_now + TimeDelta::days(3));
    let after = api.all_pages("/projects/103/pipelines?per_page=100").await;
    let new: BTreeSet<i64> = ids(&after).difference(&ids(&before)).copied().collect();
    assert!(!new.is_empty(), "three days bring pipelines");
    let changed = api
        .all_pages(&format!(
            "/projects/103/pipelines?per_page=100&updated_after={watermark}"
        ))
        .await;
    assert!(
        ids(&changed).is_superset(&new),
        "every new pipeline is updated after the watermark"
    );
    for p in &after {
        let created =
            chrono::DateTime::parse_from_rfc3339(p["created_at"].as_str().unwrap()).unwrap();
        if new.contains(&p["id"].as_i64().unwrap()) {
            assert!(
                created > old_now,
                "new pipelines are created after the old clock, never in the past"
            );
        }
    }

    let added = fake.add_pipelines(102, 4);
    assert_eq!(added.len(), 4);
    let (_, newest) = api.json("/projects/102/pipelines?per_page=4").await;
    assert_eq!(
        ids(newest.as_array().unwrap()),
        added.iter().copied().collect()
    );
    assert!(
        newest
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "success" || p["status"] == "failed")
    );
}

#[tokio::test]
async fn a_running_pipeline_finishes_when_the_clock_moves_on() {
    let (fake, api) = start(400, &[ScenarioKind::Multistage]).await;
    // Step through working hours until a pipeline is caught running.
    let mut running = None;
    for _ in 0..400 {
        let (_, page) = api.json("/projects/103/pipelines?per_page=3").await;
        running = page
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["status"] == "running")
            .cloned();
        if running.is_some() {
            break;
        }
        fake.advance(TimeDelta::minutes(4));
    }
    let running = running.expect("a pipeline caught running");
    let pid = running["id"].as_i64().unwrap();
    let (_, detail) = api.json(&format!("/projects/103/pipelines/{pid}")).await;
    assert!(detail["finished_at"].is_null() && detail["duration"].is_null());
    let (_, jobs) = api
        .json(&format!("/projects/103/pipelines/{pid}/jobs"))
        .await;
    let jobs = jobs.as_array().unwrap().clone();
    let active = jobs
        .iter()
        .find(|j| j["status"] == "running")
        .or_else(|| jobs.iter().find(|j| j["status"] == "pending"));
    let active = active.expect("a running or pending job");
    assert!(active["finished_at"].is_null());
    let partial = api
        .text(&format!("/projects/103/jobs/{}/trace", active["id"]))
        .await;
    assert!(
        !partial.contains("Job succeeded"),
        "an unfinished job's log has no verdict yet"
    );

    fake.advance(TimeDelta::hours(2));
    let (_, detail) = api.json(&format!("/projects/103/pipelines/{pid}")).await;
    assert!(detail["status"] == "success" || detail["status"] == "failed");
    assert!(detail["duration"].is_i64() && detail["finished_at"].is_string());
    assert!(detail["updated_at"].as_str() > running["updated_at"].as_str());
    let full = api
        .text(&format!("/projects/103/jobs/{}/trace", active["id"]))
        .await;
    assert!(
        full.starts_with(&partial),
        "the log grows, it is not rewritten"
    );
    assert!(full.contains("Job succeeded") || full.contains("Job failed"));
}
