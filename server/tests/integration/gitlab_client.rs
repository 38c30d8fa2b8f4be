//! The GitLab REST client against servers that misbehave the ways GitLab and networks do:
//! pagination without totals, auth errors, rate limits, outages, stalls, dropped connections
//! and logs that break off.

use crate::support::raw_http;

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use raw_http::{RawServer, Reply, json, response};
use secrecy::SecretString;
use strata::gitlab::{ClientConfig, GitLabClient, GitLabError, ProjectRef, rate_limit::Backoff};

const TOKEN: &str = "glpat-TEST-secret-0123456789";

fn config(base: &str) -> ClientConfig {
    ClientConfig {
        max_rps: None,
        concurrency: 8,
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        max_attempts: 4,
        backoff: Backoff {
            base: Duration::from_millis(10),
            max: Duration::from_millis(50),
        },
        ..ClientConfig::new(base, SecretString::from(TOKEN))
    }
}

fn client(base: &str) -> GitLabClient {
    GitLabClient::new(config(base)).unwrap()
}

const PROJECT: &str = r#"{"id": 42, "name": "web", "path_with_namespace": "acme/web", "web_url": "https://g/acme/web", "default_branch": "main", "unknown": {"nested": [1, 2]}}"#;

#[tokio::test]
async fn requests_carry_the_token_and_user_agent_under_a_path_prefix() {
    let server = RawServer::start(vec![json("200 OK", PROJECT)]).await;
    let gitlab = client(&format!("{}/gitlab/", server.url()));
    let project = gitlab
        .project(&ProjectRef::Path("acme/web".into()))
        .await
        .unwrap();
    assert_eq!(
        (project.id, project.path_with_namespace.as_str()),
        (42, "acme/web")
    );
    let seen = &server.seen()[0];
    assert_eq!(seen.target(), "/gitlab/api/v4/projects/acme%2Fweb");
    assert_eq!(seen.header("private-token"), Some(TOKEN));
    assert!(
        seen.header("user-agent").unwrap().starts_with("strata/"),
        "{seen:?}"
    );
}

fn pipelines_page(ids: std::ops::Range<i64>) -> String {
    let items: Vec<String> = ids
        .map(|id| format!(r#"{{"id": {id}, "project_id": 42, "status": "success", "updated_at": "2024-05-01T00:00:00Z"}}"#))
        .collect();
    format!("[{}]", items.join(","))
}

#[tokio::test]
async fn pages_follow_link_headers_without_totals_and_stay_on_the_configured_host() {
    // The links name GitLab's internal host, as behind a reverse proxy: the client keeps
    // to its own host (the internal one would not even resolve here).
    let link = |page: u32| {
        format!(
            "<http://gitlab.internal/api/v4/projects/42/pipelines?order_by=updated_at&page={page}&per_page=100&sort=asc>; rel=\"next\""
        )
    };
    let page = |ids, link: Option<String>| {
        let mut headers = vec![("content-type", "application/json".to_owned())];
        if let Some(link) = link {
            headers.push(("link", link));
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Reply::Send(response("200 OK", &headers, pipelines_page(ids).as_bytes()))
    };
    let server = RawServer::start(vec![
        page(1..101, Some(link(2))),
        page(101..201, Some(link(3))),
        page(201..251, None),
    ])
    .await;
    let pages: Vec<_> = client(&server.url())
        .pipelines_updated_after(42, Some(1_714_521_600_000))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|i| i.id))
        .collect();
    assert_eq!(ids, (1..251).collect::<Vec<_>>());
    assert!(pages.iter().all(|p| p.total_hint.is_none()));
    let targets: Vec<String> = server
        .seen()
        .iter()
        .map(|s| s.target().to_owned())
        .collect();
    assert_eq!(
        targets[0],
        "/api/v4/projects/42/pipelines?updated_after=2024-05-01T00%3A00%3A00.000Z&order_by=updated_at&sort=asc&per_page=100"
    );
    assert!(
        targets[1].ends_with("page=2&per_page=100&sort=asc"),
        "{targets:?}"
    );
    assert!(targets[2].contains("page=3"), "{targets:?}");
}

async fn error_for(status: &str, body: &str) -> GitLabError {
    let server = RawServer::start(vec![json(status, body)]).await;
    client(&server.url())
        .project(&ProjectRef::Id(42))
        .await
        .unwrap_err()
}

fn assert_no_token(err: &GitLabError) {
    for shown in [format!("{err}"), format!("{err:?}")] {
        assert!(!shown.contains(TOKEN), "token leaked: {shown}");
    }
}

#[tokio::test]
async fn auth_and_missing_projects_fail_at_once_with_a_clear_message() {
    let unauthorized = error_for("401 Unauthorized", r#"{"message":"401 Unauthorized"}"#).await;
    assert!(unauthorized.is_auth());
    let text = unauthorized.to_string();
    assert!(
        text.contains("GITLAB_TOKEN") && text.contains("/api/v4/projects/42"),
        "{text}"
    );

    let forbidden = error_for("403 Forbidden", r#"{"message":"403 Forbidden"}"#).await;
    assert!(
        forbidden.to_string().contains("read_api scope"),
        "{forbidden}"
    );

    let missing = error_for("404 Not Found", r#"{"message":"404 Project Not Found"}"#).await;
    assert!(missing.is_gone());
    assert!(
        missing.to_string().contains("check the project path or id"),
        "{missing}"
    );

    // A proxy that echoes the request back must not get the token into the message.
    let echoed = error_for(
        "400 Bad Request",
        &format!(r#"{{"echo":"PRIVATE-TOKEN: {TOKEN}"}}"#),
    )
    .await;
    assert!(echoed.to_string().contains("[REDACTED]"), "{echoed}");
    for err in [&unauthorized, &forbidden, &missing, &echoed] {
        assert_no_token(err);
    }
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = RawServer::start(vec![
        Reply::Send(response(
            "429 Too Many Requests",
            &[("retry-after", "1")],
            b"",
        )),
        json("200 OK", PROJECT),
    ])
    .await;
    let gitlab = client(&server.url());
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    let seen = server.seen();
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert_eq!(
        (gitlab.stats().requests(), gitlab.stats().retries()),
        (2, 1)
    );
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_retries() {
    let server = RawServer::start(vec![
        Reply::Send(response("429 Too Many Requests", &[], b"")),
        Reply::Send(response("429 Too Many Requests", &[], b"")),
        json("200 OK", PROJECT),
    ])
    .await;
    let gitlab = client(&server.url());
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    assert_eq!(gitlab.stats().retries(), 2);
}

#[tokio::test]
async fn a_spent_budget_pauses_until_the_reset() {
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2)
    .to_string();
    let server = RawServer::start(vec![
        Reply::Send(response(
            "200 OK",
            &[("ratelimit-remaining", "0"), ("ratelimit-reset", &reset)],
            PROJECT.as_bytes(),
        )),
        json("200 OK", PROJECT),
    ])
    .await;
    let gitlab = client(&server.url());
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    let seen = server.seen();
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert_eq!(gitlab.stats().retries(), 0, "a pause is not a retry");
}

#[tokio::test]
async fn server_errors_are_retried_until_one_succeeds() {
    let server = RawServer::start(vec![
        json("500 Internal Server Error", "{}"),
        json("502 Bad Gateway", "{}"),
        json("503 Service Unavailable", "{}"),
        json("200 OK", PROJECT),
    ])
    .await;
    let gitlab = client(&server.url());
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    assert_eq!(
        (gitlab.stats().requests(), gitlab.stats().retries()),
        (4, 3)
    );
}

#[tokio::test]
async fn a_lasting_outage_gives_up_after_the_attempts_with_the_request_named() {
    let server = RawServer::start(vec![json("503 Service Unavailable", "{}")]).await;
    let err = client(&server.url())
        .project(&ProjectRef::Id(42))
        .await
        .unwrap_err();
    assert!(err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("after 4 attempts") && text.contains("503"),
        "{text}"
    );
    assert!(
        text.contains(&format!("GET {}/api/v4/projects/42", server.url())),
        "{text}"
    );
    assert_no_token(&err);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let server = RawServer::start(vec![
        Reply::Slow(
            Duration::from_secs(3),
            response("200 OK", &[], PROJECT.as_bytes()),
        ),
        json("200 OK", PROJECT),
    ])
    .await;
    let gitlab = GitLabClient::new(ClientConfig {
        request_timeout: Duration::from_millis(300),
        ..config(&server.url())
    })
    .unwrap();
    let started = Instant::now();
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(gitlab.stats().retries(), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let server = RawServer::start(vec![Reply::Close, json("200 OK", PROJECT)]).await;
    let gitlab = client(&server.url());
    gitlab.project(&ProjectRef::Id(42)).await.unwrap();
    assert_eq!(gitlab.stats().retries(), 1);
}

#[tokio::test]
async fn a_log_streams_in_chunks() {
    let log: Vec<u8> = (0..400_000u32)
        .map(|i| b"abcdefghij\n"[i as usize % 11])
        .collect();
    let server = RawServer::start(vec![Reply::Send(response(
        "200 OK",
        &[("content-type", "text/plain")],
        &log,
    ))])
    .await;
    let mut body = client(&server.url()).job_trace(42, 7).await.unwrap();
    let (mut chunks, mut received) = (0, Vec::new());
    while let Some(chunk) = body.chunk().await.unwrap() {
        chunks += 1;
        received.extend_from_slice(&chunk);
    }
    assert!(chunks > 1, "the log arrived in one piece");
    assert_eq!(received, log);
    assert_eq!(body.bytes_read(), log.len() as u64);
    assert_eq!(
        server.seen()[0].target(),
        "/api/v4/projects/42/jobs/7/trace"
    );
}

#[tokio::test]
async fn a_truncated_log_is_an_error_not_a_short_log() {
    let mut cut = response("200 OK", &[], &[b'x'; 1_000]);
    cut.truncate(cut.len() - 500);
    let server = RawServer::start(vec![Reply::Send(cut)]).await;
    let mut body = client(&server.url()).job_trace(42, 7).await.unwrap();
    let err = loop {
        match body.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!(
                "a truncated body ended normally after {} bytes",
                body.bytes_read()
            ),
            Err(err) => break err,
        }
    };
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("/jobs/7/trace"), "{err}");
}

#[tokio::test]
async fn a_missing_log_is_gone() {
    let server = RawServer::start(vec![json(
        "404 Not Found",
        r#"{"message":"404 Not Found"}"#,
    )])
    .await;
    let err = client(&server.url()).job_trace(42, 7).await.err().unwrap();
    assert!(err.is_gone(), "{err}");
}

#[tokio::test]
async fn requests_in_flight_stay_under_the_ceiling() {
    let server = RawServer::start(vec![Reply::Slow(
        Duration::from_millis(100),
        response("200 OK", &[], PROJECT.as_bytes()),
    )])
    .await;
    let gitlab = GitLabClient::new(ClientConfig {
        concurrency: 2,
        ..config(&server.url())
    })
    .unwrap();
    let calls = (0..8).map(|_| gitlab.project(&ProjectRef::Id(42)));
    futures::future::try_join_all(calls).await.unwrap();
    assert_eq!(
        server
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
}

#[tokio::test]
async fn requests_per_second_stay_under_the_ceiling() {
    let server = RawServer::start(vec![json("200 OK", PROJECT)]).await;
    let gitlab = GitLabClient::new(ClientConfig {
        max_rps: Some(20.0),
        ..config(&server.url())
    })
    .unwrap();
    let calls = (0..30).map(|_| gitlab.project(&ProjectRef::Id(42)));
    futures::future::try_join_all(calls).await.unwrap();
    let seen = server.seen();
    // A burst of 20, then 10 more at 20 per second: at least half a second in all.
    let span = seen.last().unwrap().at - seen[0].at;
    assert!(span >= Duration::from_millis(450), "{span:?}");
}

/// A GitLab that answers 302 to another origin (another port here; another host or plain
/// HTTP alike) once received the token on every request: the client refuses to follow,
/// names where the redirect pointed, and the other origin never sees a request.
#[tokio::test]
async fn redirects_to_another_origin_are_refused_and_the_token_stays_home() {
    let elsewhere = RawServer::start(vec![json("200 OK", PROJECT)]).await;
    let to = format!("{}/api/v4/projects/42", elsewhere.url());
    let gitlab = RawServer::start(vec![Reply::Send(response(
        "302 Found",
        &[("location", &to), ("content-length", "0")],
        b"",
    ))])
    .await;
    let err = client(&gitlab.url())
        .project(&ProjectRef::Id(42))
        .await
        .unwrap_err();
    assert!(matches!(err, GitLabError::Redirect { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains(&elsewhere.url()), "{shown}");
    assert!(shown.contains("GITLAB_URL"), "{shown}");
    assert_no_token(&err);
    assert!(elsewhere.seen().is_empty(), "the other origin was asked");
    assert!(!err.is_transient(), "retrying would not help");

    // Within the same origin (a moved path behind the same GitLab), redirects are followed.
    let same = RawServer::start(vec![
        Reply::Send(response(
            "301 Moved Permanently",
            &[
                ("location", "/gitlab/api/v4/projects/42"),
                ("content-length", "0"),
            ],
            b"",
        )),
        json("200 OK", PROJECT),
    ])
    .await;
    let project = client(&same.url())
        .project(&ProjectRef::Id(42))
        .await
        .unwrap();
    assert_eq!(project.id, 42);
    let seen = same.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("private-token"), Some(TOKEN));
}
