//! Every injectable fault, as a client sees it on the wire.

use std::time::Duration;

use strata_demo::{
    FakeConfig, ScenarioKind,
    fake_gitlab::{Endpoint, Fault, FaultRule, Keep, Schedule},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Api, demo, start, start_with};

async fn start_faulty(rules: Vec<FaultRule>) -> (strata_demo::FakeGitLab, Api) {
    let config = FakeConfig {
        faults: rules,
        ..FakeConfig::new(demo(30, &[ScenarioKind::CacheAsTransport]))
    };
    start_with(config).await
}

/// A finished job of project 101 whose log is long enough to cut.
async fn some_job(api: &Api) -> i64 {
    let (_, pipelines) = api
        .json("/projects/101/pipelines?status=success&per_page=1")
        .await;
    let pid = pipelines[0]["id"].as_i64().unwrap();
    let (_, jobs) = api
        .json(&format!("/projects/101/pipelines/{pid}/jobs"))
        .await;
    jobs.as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "build")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_burst_of_429s_with_and_without_retry_after() {
    let (fake, api) = start_faulty(vec![
        FaultRule::new(
            Endpoint::Pipelines,
            Schedule::Range { first: 2, last: 3 },
            Fault::TooManyRequests {
                retry_after: Some(7),
            },
        ),
        FaultRule::new(
            Endpoint::Pipelines,
            Schedule::Requests(vec![4]),
            Fault::TooManyRequests { retry_after: None },
        ),
    ])
    .await;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let response = api.get("/projects/101/pipelines").await;
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        assert!(response.headers().contains_key("ratelimit-limit"));
        seen.push((response.status().as_u16(), retry_after));
    }
    let seven = Some("7".to_string());
    assert_eq!(
        seen,
        [
            (200, None),
            (429, seven.clone()),
            (429, seven),
            (429, None),
            (200, None)
        ]
    );
    let faulted = fake.requests().iter().filter(|r| r.fault.is_some()).count();
    assert_eq!(faulted, 3);
    // Other endpoints keep their own count.
    assert_eq!(api.get("/projects/101").await.status(), 200);
}

#[tokio::test]
async fn server_errors_come_as_gitlab_and_its_proxy_send_them() {
    let (_fake, api) = start_faulty(vec![
        FaultRule::new(
            Endpoint::Project,
            Schedule::Requests(vec![1]),
            Fault::ServerError(500),
        ),
        FaultRule::new(
            Endpoint::Project,
            Schedule::Requests(vec![2]),
            Fault::ServerError(502),
        ),
        FaultRule::new(
            Endpoint::Project,
            Schedule::Requests(vec![3]),
            Fault::ServerError(503),
        ),
    ])
    .await;
    let first = api.get("/projects/101").await;
    assert_eq!(first.status(), 500);
    assert_eq!(
        first.json::<serde_json::Value>().await.unwrap()["message"],
        "500 Internal Server Error"
    );
    let second = api.get("/projects/101").await;
    assert_eq!(second.status(), 502);
    assert!(second.text().await.unwrap().contains("502 Bad Gateway"));
    assert_eq!(api.get("/projects/101").await.status(), 503);
    assert_eq!(api.get("/projects/101").await.status(), 200);
}

#[tokio::test]
async fn a_slow_response_outlasts_a_client_timeout() {
    let (_fake, api) = start_faulty(vec![FaultRule::new(
        Endpoint::Project,
        Schedule::Requests(vec![1]),
        Fault::Delay(Duration::from_millis(1_500)),
    )])
    .await;
    let impatient = api
        .client
        .get(format!("{}/projects/101", api.base))
        .header("PRIVATE-TOKEN", &api.token)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(impatient.expect_err("times out").is_timeout());
    assert_eq!(api.get("/projects/101").await.status(), 200);
}

#[tokio::test]
async fn a_dropped_connection_sends_no_response_at_all() {
    let (fake, api) = start_faulty(vec![FaultRule::new(
        Endpoint::Pipeline,
        Schedule::Always,
        Fault::DropConnection,
    )])
    .await;
    let mut socket = tokio::net::TcpStream::connect(fake.addr()).await.unwrap();
    let request = format!(
        "GET /api/v4/projects/101/pipelines/1100000001 HTTP/1.1\r\nHost: fake\r\nPRIVATE-TOKEN: {}\r\n\r\n",
        fake.token()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the fake closes the connection");
    assert_eq!(
        String::from_utf8_lossy(&received),
        "",
        "not a byte of response"
    );
    let error = api
        .client
        .get(format!("{}/projects/101/pipelines/1100000001", api.base))
        .header("PRIVATE-TOKEN", &api.token)
        .send()
        .await;
    assert!(error.is_err(), "a client sees a failed request");
    let records = fake.requests();
    assert!(
        records
            .iter()
            .all(|r| r.status.is_none() && r.fault == Some(Fault::DropConnection))
    );
}

#[tokio::test]
async fn a_truncated_log_either_breaks_the_connection_or_ends_early() {
    let (fake, api) = start(30, &[ScenarioKind::CacheAsTransport]).await;
    let job = some_job(&api).await;
    let path = format!("/projects/101/jobs/{job}/trace");
    let full = api.get(&path).await.bytes().await.unwrap();
    assert!(full.len() > 2_000, "{} bytes", full.len());

    fake.set_faults(vec![
        FaultRule::new(
            Endpoint::JobTrace,
            Schedule::Requests(vec![1]),
            Fault::Truncate {
                keep: Keep::Fraction(0.5),
                abort: true,
            },
        ),
        FaultRule::new(
            Endpoint::JobTrace,
            Schedule::Requests(vec![2]),
            Fault::Truncate {
                keep: Keep::Bytes(1_000),
                abort: false,
            },
        ),
    ]);
    let aborted = api.get(&path).await;
    assert_eq!(aborted.status(), 200);
    assert_eq!(
        aborted.content_length(),
        Some(full.len() as u64),
        "the full length is announced"
    );
    assert!(aborted.bytes().await.is_err(), "the body breaks off");

    let cut = api.get(&path).await;
    assert_eq!(cut.status(), 200);
    let cut = cut.bytes().await.unwrap();
    assert_eq!(&cut[..], &full[..1_000]);
    assert_eq!(api.get(&path).await.bytes().await.unwrap(), full);
}

#[tokio::test]
async fn seeded_fault_schedules_pick_the_same_requests_every_run() {
    let rules = vec![FaultRule::new(
        Endpoint::Project,
        Schedule::Seeded {
            seed: 99,
            probability: 0.3,
        },
        Fault::ServerError(503),
    )];
    let mut runs = Vec::new();
    for _ in 0..2 {
        let (_fake, api) = start_faulty(rules.clone()).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(api.get("/projects/101").await.status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    let failures = runs[0].iter().filter(|&&s| s == 503).count();
    assert!((4..=20).contains(&failures), "{failures} of 40 failed");
}

#[tokio::test]
async fn the_request_log_counts_each_endpoint() {
    let (fake, api) = start(30, &[ScenarioKind::CacheAsTransport]).await;
    let job = some_job(&api).await;
    api.text(&format!("/projects/101/jobs/{job}/trace")).await;
    assert_eq!(api.get("/projects/101/nonsense").await.status(), 404);
    assert_eq!(fake.request_count(Endpoint::Pipelines), 1);
    assert_eq!(fake.request_count(Endpoint::PipelineJobs), 1);
    assert_eq!(fake.request_count(Endpoint::JobTrace), 1);
    assert_eq!(fake.request_count(Endpoint::Other), 1);
    let log = fake.requests();
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(log[2].path.ends_with("/trace") && log[2].status == Some(200));
}
