//! `POST /webhooks/gitlab` end to end, on both backends: GitLab's published payloads stored
//! field by field, every refusal, duplicates, out-of-order statuses and concurrent load.

use crate::{support, support::webhooks as hooks};
use strata_core::on_both_backends;

use hooks::{SECRET, gitlab_request, job_hook, pipeline_hook, request_with_token};
use secrecy::SecretString;
use serde_json::Value;
use strata_core::{db::Db, with_pool};
use support::{TestApp, TestDb, fixture, test_settings};

on_both_backends! {
    the_published_pipeline_hook_is_stored_field_by_field => docs_pipeline_hook;
    the_go_gitlab_pipeline_hook_is_stored_field_by_field => go_gitlab_pipeline_hook;
    a_job_hook_registers_its_project_and_queues_its_log => go_gitlab_job_hook;
    the_published_job_hook_example_is_not_json_and_gets_a_clear_400 => docs_job_hook_jsonc;
    wrong_or_missing_tokens_are_refused_and_nothing_is_stored => token_refusals;
    without_a_secret_the_endpoint_says_how_to_set_one => no_secret;
    bad_payloads_are_refused_with_the_field_at_fault => bad_payloads;
    bodies_over_the_limit_are_refused => huge_bodies;
    other_events_are_acknowledged_and_ignored => other_events;
    a_delivery_repeated_three_times_is_stored_once => duplicates;
    late_statuses_never_move_a_job_or_pipeline_back => out_of_order;
    two_hundred_concurrent_deliveries_are_each_stored_exactly_once => concurrent;
}

async fn app(t: &TestDb) -> TestApp {
    let mut settings = test_settings(&t.url);
    settings.webhook_secret = Some(SecretString::from(SECRET));
    TestApp::spawn(settings, &t.db).await
}

async fn post(app: &TestApp, event: &str, key: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let response = gitlab_request(&app.client, &app.url(hooks::PATH), event, key, body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    with_pool!(db.pool(), p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await).unwrap()
}

async fn nothing_stored(db: &Db) {
    for table in [
        "webhook_deliveries",
        "projects",
        "pipelines",
        "jobs",
        "trace_queue",
    ] {
        assert_eq!(count(db, table).await, 0, "{table} should be empty");
    }
}

type PipelineRow = (
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    bool,
);

async fn pipeline_row(db: &Db, id: i64) -> PipelineRow {
    const SQL: &str = "SELECT project_id, iid, git_ref, sha, source, status, created_at_ms, \
        finished_at_ms, duration_ms, queued_duration_ms, web_url, details_synced FROM pipelines WHERE id = $1";
    with_pool!(db.pool(), p => sqlx::query_as::<_, PipelineRow>(SQL).bind(id).fetch_one(p).await)
        .unwrap()
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct JobRow {
    project_id: i64,
    pipeline_id: i64,
    name: String,
    stage: Option<String>,
    status: String,
    allow_failure: bool,
    created_at_ms: Option<i64>,
    started_at_ms: Option<i64>,
    finished_at_ms: Option<i64>,
    duration_ms: Option<i64>,
    queued_duration_ms: Option<i64>,
    runner_id: Option<i64>,
    runner_description: Option<String>,
    tag_list: Option<String>,
    web_url: Option<String>,
    trace_status: String,
}

async fn job_row(db: &Db, id: i64) -> JobRow {
    const SQL: &str = "SELECT project_id, pipeline_id, name, stage, status, allow_failure, created_at_ms, \
        started_at_ms, finished_at_ms, duration_ms, queued_duration_ms, runner_id, runner_description, \
        tag_list, web_url, trace_status FROM jobs WHERE id = $1";
    with_pool!(db.pool(), p => sqlx::query_as::<_, JobRow>(SQL).bind(id).fetch_one(p).await)
        .unwrap()
}

async fn project_row(db: &Db, id: i64) -> (String, String, Option<String>, Option<String>) {
    const SQL: &str = "SELECT path, name, web_url, default_branch FROM projects WHERE id = $1";
    with_pool!(db.pool(), p => sqlx::query_as(SQL).bind(id).fetch_one(p).await).unwrap()
}

async fn delivery_rows(
    db: &Db,
) -> Vec<(
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
)> {
    const SQL: &str = "SELECT delivery_key, event, event_uuid, project_id, object_id, outcome, payload \
        FROM webhook_deliveries ORDER BY id";
    with_pool!(db.pool(), p => sqlx::query_as(SQL).fetch_all(p).await).unwrap()
}

async fn queued_jobs(db: &Db) -> Vec<i64> {
    const SQL: &str = "SELECT job_id FROM trace_queue ORDER BY job_id";
    with_pool!(db.pool(), p => sqlx::query_scalar(SQL).fetch_all(p).await).unwrap()
}

/// 2016-08-12 15:MM:SS UTC in epoch milliseconds.
fn aug12(minute: i64, second: i64) -> i64 {
    1_471_014_000_000 + minute * 60_000 + second * 1000
}

async fn docs_pipeline_hook(t: TestDb) {
    let Some(body) = fixture("webhooks/gitlab-docs_webhook_events_pipeline-hook.json") else {
        return;
    };
    let app = app(&t).await;
    let (status, reply) = post(&app, "Pipeline Hook", Some("docs-pipeline"), body.clone()).await;
    assert_eq!(
        (status, reply["status"].as_str()),
        (200, Some("stored")),
        "{reply}"
    );

    assert_eq!(
        project_row(&t.db, 1).await,
        (
            "gitlab-org/gitlab-test".into(),
            "Gitlab Test".into(),
            Some("http://192.168.64.1:3005/gitlab-org/gitlab-test".into()),
            Some("master".into())
        )
    );
    assert_eq!(
        pipeline_row(&t.db, 31).await,
        (
            1,
            Some(3),
            Some("master".into()),
            Some("bcbb5ec396a2c0f828686f14fac9b80b780504f2".into()),
            Some("merge_request_event".into()),
            "success".into(),
            Some(aug12(23, 28)),
            Some(aug12(26, 29)),
            Some(63_000),
            None,
            Some("http://example.com/gitlab-org/gitlab-test/-/pipelines/31".into()),
            false,
        )
    );
    assert_eq!(count(&t.db, "jobs").await, 5);
    let build_image = job_row(&t.db, 376).await;
    assert_eq!(
        build_image,
        JobRow {
            project_id: 1,
            pipeline_id: 31,
            name: "build-image".into(),
            stage: Some("build".into()),
            status: "success".into(),
            allow_failure: false,
            created_at_ms: Some(aug12(23, 28)),
            started_at_ms: Some(aug12(24, 56)),
            finished_at_ms: Some(aug12(25, 26)),
            duration_ms: Some(17_000),
            queued_duration_ms: Some(196_000),
            runner_id: Some(380987),
            runner_description: Some("shared-runners-manager-6.gitlab.com".into()),
            tag_list: Some(r#"["linux","docker"]"#.into()),
            web_url: Some("http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/376".into()),
            trace_status: "queued".into(),
        }
    );
    let production = job_row(&t.db, 380).await;
    assert_eq!(
        (
            production.status.as_str(),
            production.stage.as_deref(),
            production.started_at_ms
        ),
        ("skipped", Some("deploy"), None)
    );
    assert_eq!((production.runner_id, production.duration_ms), (None, None));
    assert_eq!(production.trace_status, "none", "a skipped job has no log");
    let staging = job_row(&t.db, 379).await;
    assert_eq!(
        (staging.status.as_str(), staging.runner_id),
        ("created", None)
    );
    // Every finished job with a log, and only those, waits for its log.
    assert_eq!(queued_jobs(&t.db).await, vec![376, 377, 378]);

    let deliveries = delivery_rows(&t.db).await;
    assert_eq!(deliveries.len(), 1);
    let (key, event, uuid, project, object, outcome, payload) = &deliveries[0];
    assert_eq!(key, "idempotency:docs-pipeline");
    assert_eq!(event, "Pipeline Hook");
    assert_eq!(uuid.as_deref(), Some("event-docs-pipeline"));
    assert_eq!((*project, *object), (Some(1), Some(31)));
    assert_eq!(outcome, "stored");
    assert_eq!(
        payload.as_bytes(),
        body.as_slice(),
        "the raw payload is kept as sent"
    );
    app.stop().await;
}

async fn go_gitlab_pipeline_hook(t: TestDb) {
    let Some(body) = fixture("webhooks/go-gitlab_testdata_webhooks_pipeline.json") else {
        return;
    };
    let app = app(&t).await;
    let (status, _) = post(&app, "Pipeline Hook", None, body).await;
    assert_eq!(status, 200);
    let (_, iid, _, _, source, status, _, finished, duration, queued, web_url, synced) =
        pipeline_row(&t.db, 31).await;
    assert_eq!(iid, Some(123));
    assert_eq!(source.as_deref(), Some("merge_request_event"));
    assert_eq!(
        (status.as_str(), finished, duration, queued),
        ("success", Some(aug12(26, 29)), Some(63_000), Some(12_000))
    );
    // No `url` in this older payload: the page is built from the project's URL.
    assert_eq!(
        web_url.as_deref(),
        Some("http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31")
    );
    assert!(!synced, "a webhook leaves the details for sync to fetch");
    let production = job_row(&t.db, 380).await;
    assert_eq!(
        (production.duration_ms, production.queued_duration_ms),
        (Some(17_100), Some(3_500))
    );
    assert!(production.allow_failure);
    assert_eq!(production.runner_id, Some(42));
    assert_eq!(production.tag_list.as_deref(), Some(r#"["docker","gce"]"#));
    let test_build = job_row(&t.db, 378).await;
    assert_eq!(
        (
            test_build.started_at_ms,
            test_build.finished_at_ms,
            test_build.duration_ms,
            test_build.queued_duration_ms
        ),
        (
            Some(aug12(26, 12)),
            Some(aug12(26, 29)),
            Some(17_000),
            Some(196_000)
        )
    );
    assert_eq!(count(&t.db, "jobs").await, 5);
    assert_eq!(
        delivery_rows(&t.db).await[0].0.len(),
        "sha256:".len() + 64,
        "no headers: keyed by the body's hash"
    );
    app.stop().await;
}

async fn go_gitlab_job_hook(t: TestDb) {
    let Some(body) = fixture("webhooks/go-gitlab_testdata_webhooks_job.json") else {
        return;
    };
    let app = app(&t).await;
    let (status, reply) = post(&app, "Job Hook", Some("job-1"), body).await;
    assert_eq!(
        (status, reply["status"].as_str()),
        (200, Some("stored")),
        "{reply}"
    );
    // No `project` object in this payload: the path comes from the repository's homepage.
    assert_eq!(
        project_row(&t.db, 31537070).await,
        (
            "jsmithy2/release-tools-fake".into(),
            "release-tools-fake".into(),
            Some("https://gitlab.com/jsmithy2/release-tools-fake".into()),
            None
        )
    );
    let t0 = 1_673_358_602_000; // 2023-01-10 13:50:02 UTC
    assert_eq!(
        job_row(&t.db, 3580121225).await,
        JobRow {
            project_id: 31537070,
            pipeline_id: 743121198,
            name: "auto_deploy:start".into(),
            stage: Some("coordinated:tag".into()),
            status: "success".into(),
            allow_failure: false,
            created_at_ms: Some(t0),
            started_at_ms: Some(t0 + 3_000),
            finished_at_ms: Some(t0 + 52_000),
            duration_ms: Some(49_504),
            queued_duration_ms: Some(193),
            runner_id: Some(12270837),
            runner_description: Some("4-blue.shared.runners-manager.gitlab.com/default".into()),
            tag_list: Some(r#"["linux","docker"]"#.into()),
            web_url: Some(
                "https://gitlab.com/jsmithy2/release-tools-fake/-/jobs/3580121225".into()
            ),
            trace_status: "queued".into(),
        }
    );
    let (project, _, git_ref, sha, _, status, _, finished, duration, _, _, synced) =
        pipeline_row(&t.db, 743121198).await;
    assert_eq!(project, 31537070);
    assert_eq!(git_ref.as_deref(), Some("main"));
    assert_eq!(
        sha.as_deref(),
        Some("95d49d1efbd941908580e79d65e4b5ecaf4a8305")
    );
    // The pipeline is still running: the summary's stale finish time is not taken.
    assert_eq!(
        (status.as_str(), finished, duration, synced),
        ("running", None, None, false)
    );
    assert_eq!(queued_jobs(&t.db).await, vec![3580121225]);
    app.stop().await;
}

async fn docs_job_hook_jsonc(t: TestDb) {
    let Some(body) = fixture("webhooks/gitlab-docs_webhook_events_job-hook.jsonc") else {
        return;
    };
    let app = app(&t).await;
    let (status, reply) = post(&app, "Job Hook", Some("jsonc"), body).await;
    assert_eq!(status, 400, "{reply}");
    let message = reply["error"].as_str().unwrap();
    assert!(
        message.contains("invalid Job Hook payload: malformed JSON"),
        "{message}"
    );
    assert!(
        message.contains("line 15"),
        "the message points at the comment: {message}"
    );
    nothing_stored(&t.db).await;
    app.stop().await;
}

async fn token_refusals(t: TestDb) {
    let app = app(&t).await;
    let body = serde_json::to_vec(&job_hook(1, 10, 100, "success")).unwrap();
    let url = app.url(hooks::PATH);
    let wrong = request_with_token(
        &app.client,
        &url,
        "Job Hook",
        Some("k"),
        body.clone(),
        Some("not-the-secret"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let text = wrong.text().await.unwrap();
    assert!(
        text.contains("wrong X-Gitlab-Token") && !text.contains(SECRET),
        "{text}"
    );
    let prefix = request_with_token(
        &app.client,
        &url,
        "Job Hook",
        Some("k"),
        body.clone(),
        Some(&SECRET[..SECRET.len() - 1]),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(prefix.status().as_u16(), 401);
    // A wrong token beside the right one is still a wrong token.
    let two = gitlab_request(&app.client, &url, "Job Hook", Some("k"), body.clone())
        .header("X-Gitlab-Token", "not-the-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(two.status().as_u16(), 401);
    let missing = request_with_token(&app.client, &url, "Job Hook", Some("k"), body, None)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("missing X-Gitlab-Token")
    );
    nothing_stored(&t.db).await;
    app.stop().await;
}

async fn no_secret(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let body = serde_json::to_vec(&job_hook(1, 10, 100, "success")).unwrap();
    let response = gitlab_request(&app.client, &app.url(hooks::PATH), "Job Hook", None, body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("STRATA_WEBHOOK_SECRET")
    );
    nothing_stored(&t.db).await;
    app.stop().await;
}

async fn bad_payloads(t: TestDb) {
    let app = app(&t).await;
    let good = serde_json::to_vec(&job_hook(1, 10, 100, "success")).unwrap();

    let (status, reply) = post(&app, "Job Hook", None, good[..good.len() / 2].to_vec()).await;
    assert_eq!(status, 400, "truncated JSON");
    assert!(
        reply["error"].as_str().unwrap().contains("malformed JSON"),
        "{reply}"
    );
    assert_eq!(reply["field"], Value::Null);

    let mut wrong_type = job_hook(1, 10, 100, "success");
    wrong_type["build_id"] = "one hundred".into();
    let (status, reply) = post(
        &app,
        "Job Hook",
        None,
        serde_json::to_vec(&wrong_type).unwrap(),
    )
    .await;
    assert_eq!(
        (status, reply["field"].as_str()),
        (400, Some("build_id")),
        "{reply}"
    );

    let mut bad_time = pipeline_hook(1, 10, &[100, 101], "success");
    bad_time["builds"][1]["finished_at"] = "tomorrow".into();
    let (status, reply) = post(
        &app,
        "Pipeline Hook",
        None,
        serde_json::to_vec(&bad_time).unwrap(),
    )
    .await;
    assert_eq!(
        (status, reply["field"].as_str()),
        (400, Some("builds[1].finished_at")),
        "{reply}"
    );
    assert!(
        reply["error"].as_str().unwrap().contains("tomorrow"),
        "{reply}"
    );

    let mut missing = pipeline_hook(1, 10, &[100], "success");
    missing["object_attributes"]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let (status, reply) = post(
        &app,
        "Pipeline Hook",
        None,
        serde_json::to_vec(&missing).unwrap(),
    )
    .await;
    assert_eq!(
        (status, reply["field"].as_str()),
        (400, Some("object_attributes.status")),
        "{reply}"
    );

    // A job hook sent as a pipeline hook lacks the pipeline's fields.
    let (status, reply) = post(&app, "Pipeline Hook", None, good.clone()).await;
    assert_eq!(
        (status, reply["field"].as_str()),
        (400, Some("object_attributes")),
        "{reply}"
    );

    let form = app
        .client
        .post(app.url(hooks::PATH))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Gitlab-Event", "Job Hook")
        .header("X-Gitlab-Token", SECRET)
        .body(good.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 415);
    let no_event = app
        .client
        .post(app.url(hooks::PATH))
        .header("Content-Type", "application/json")
        .header("X-Gitlab-Token", SECRET)
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(no_event.status().as_u16(), 400);
    nothing_stored(&t.db).await;
    app.stop().await;
}

async fn huge_bodies(t: TestDb) {
    let app = app(&t).await;
    let mut big = job_hook(1, 10, 100, "success");
    big["padding"] = "x".repeat(strata::webhooks::BODY_LIMIT).into();
    let (status, reply) = post(&app, "Job Hook", None, serde_json::to_vec(&big).unwrap()).await;
    assert_eq!(status, 413, "{reply}");

    // Without a Content-Length the limit holds while streaming.
    let body = serde_json::to_vec(&big).unwrap();
    let status = chunked_post(app.addr, &body).await;
    assert_eq!(status, 413);

    // Just under the limit is fine.
    big["padding"] = "x".repeat(strata::webhooks::BODY_LIMIT - 4096).into();
    let (status, reply) = post(&app, "Job Hook", None, serde_json::to_vec(&big).unwrap()).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(count(&t.db, "webhook_deliveries").await, 1);
    app.stop().await;
}

/// POST `body` with `Transfer-Encoding: chunked`; the response's status code.
async fn chunked_post(addr: std::net::SocketAddr, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\nx-gitlab-event: Job Hook\r\n\
         x-gitlab-token: {SECRET}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        hooks::PATH
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 * 1024) {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The server may answer and close before the whole body is sent.
        if stream.write_all(&frame).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"))
}

async fn other_events(t: TestDb) {
    let app = app(&t).await;
    let (status, reply) = post(
        &app,
        "Push Hook",
        Some("push-1"),
        br#"{"object_kind":"push"}"#.to_vec(),
    )
    .await;
    assert_eq!(
        (status, reply["status"].as_str()),
        (202, Some("ignored")),
        "{reply}"
    );
    let (status, _) = post(&app, "Merge Request Hook", None, b"not even json".to_vec()).await;
    assert_eq!(status, 202);
    nothing_stored(&t.db).await;
    app.stop().await;
}

async fn changed_ms(db: &Db, job_id: i64) -> i64 {
    const SQL: &str = "SELECT changed_ms FROM jobs WHERE id = $1";
    with_pool!(db.pool(), p => sqlx::query_scalar(SQL).bind(job_id).fetch_one(p).await).unwrap()
}

async fn duplicates(t: TestDb) {
    let app = app(&t).await;
    let body = serde_json::to_vec(&pipeline_hook(1, 10, &[100, 101], "success")).unwrap();
    let mut replies = Vec::new();
    for _ in 0..3 {
        replies.push(post(&app, "Pipeline Hook", Some("same-delivery"), body.clone()).await);
        if replies.len() == 1 {
            // Later copies must not even touch the rows' change times.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    let statuses: Vec<_> = replies
        .iter()
        .map(|(s, r)| (*s, r["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        statuses,
        [
            (200, "stored".into()),
            (200, "duplicate".into()),
            (200, "duplicate".into())
        ]
    );
    let first_change = changed_ms(&t.db, 100).await;
    // The same body without headers is keyed by its hash: stored once, then a duplicate.
    let a = post(
        &app,
        "Job Hook",
        None,
        serde_json::to_vec(&job_hook(1, 10, 102, "failed")).unwrap(),
    )
    .await;
    let b = post(
        &app,
        "Job Hook",
        None,
        serde_json::to_vec(&job_hook(1, 10, 102, "failed")).unwrap(),
    )
    .await;
    assert_eq!(
        (a.1["status"].as_str(), b.1["status"].as_str()),
        (Some("stored"), Some("duplicate"))
    );
    assert_eq!(count(&t.db, "webhook_deliveries").await, 2);
    assert_eq!(count(&t.db, "jobs").await, 3);
    assert_eq!(count(&t.db, "trace_queue").await, 3);
    assert_eq!(changed_ms(&t.db, 100).await, first_change);
    app.stop().await;
}

async fn out_of_order(t: TestDb) {
    let app = app(&t).await;
    let send = |event: &'static str, key: &'static str, body: Value| {
        let app = &app;
        async move {
            post(app, event, Some(key), serde_json::to_vec(&body).unwrap())
                .await
                .0
        }
    };
    assert_eq!(
        send("Job Hook", "j-success", job_hook(1, 10, 100, "success")).await,
        200
    );
    assert_eq!(
        send("Job Hook", "j-running", job_hook(1, 10, 100, "running")).await,
        200
    );
    assert_eq!(
        send("Job Hook", "j-pending", job_hook(1, 10, 100, "pending")).await,
        200
    );
    let job = job_row(&t.db, 100).await;
    assert_eq!(job.status, "success");
    assert_eq!(
        (job.finished_at_ms, job.duration_ms),
        (Some(1_709_287_265_000), Some(60_250))
    );

    // A late Pipeline Hook saying `running` neither moves the pipeline nor its jobs back.
    assert_eq!(
        send(
            "Pipeline Hook",
            "p-success",
            pipeline_hook(1, 10, &[100, 101], "success")
        )
        .await,
        200
    );
    assert_eq!(
        send(
            "Pipeline Hook",
            "p-running",
            pipeline_hook(1, 10, &[100, 101], "running")
        )
        .await,
        200
    );
    let (.., status, _, finished, duration, _, _, _) = pipeline_row(&t.db, 10).await;
    assert_eq!(
        (status.as_str(), finished, duration),
        ("success", Some(1_709_287_320_000), Some(115_000))
    );
    assert_eq!(job_row(&t.db, 101).await.status, "success");
    assert_eq!(
        job_row(&t.db, 101).await.finished_at_ms,
        Some(1_709_287_265_000)
    );
    // Earlier statuses still fill gaps they know of: a created job learns its start.
    assert_eq!(
        send("Job Hook", "j2-created", job_hook(1, 10, 102, "created")).await,
        200
    );
    assert_eq!(
        send("Job Hook", "j2-running", job_hook(1, 10, 102, "running")).await,
        200
    );
    let job = job_row(&t.db, 102).await;
    assert_eq!(
        (job.status.as_str(), job.started_at_ms),
        ("running", Some(1_709_287_205_000))
    );
    app.stop().await;
}

async fn concurrent(t: TestDb) {
    let app = app(&t).await;
    // 40 pipelines × (1 pipeline hook with 2 jobs + 3 job hooks, one for a job the pipeline
    // hook does not list + 1 final pipeline hook) = 200 deliveries, sent all at once.
    let mut deliveries: Vec<(&str, String, Vec<u8>)> = Vec::new();
    for p in 0..40i64 {
        let project = 1 + p % 3;
        let pipeline = 1000 + p;
        let jobs = [pipeline * 10, pipeline * 10 + 1, pipeline * 10 + 2];
        let mut add = |event, n: usize, body: Value| {
            deliveries.push((
                event,
                format!("p{pipeline}-{n}"),
                serde_json::to_vec(&body).unwrap(),
            ));
        };
        add(
            "Pipeline Hook",
            0,
            pipeline_hook(project, pipeline, &jobs[..2], "running"),
        );
        add(
            "Job Hook",
            1,
            job_hook(project, pipeline, jobs[0], "success"),
        );
        add(
            "Job Hook",
            2,
            job_hook(project, pipeline, jobs[1], "failed"),
        );
        add(
            "Job Hook",
            3,
            job_hook(project, pipeline, jobs[2], "success"),
        );
        add(
            "Pipeline Hook",
            4,
            pipeline_hook(project, pipeline, &jobs[..2], "running"),
        );
    }
    assert_eq!(deliveries.len(), 200);
    for round in ["stored", "duplicate"] {
        let sends = deliveries
            .iter()
            .map(|(event, key, body)| post(&app, event, Some(key.as_str()), body.clone()));
        let replies = futures::future::join_all(sends).await;
        for (status, reply) in &replies {
            assert_eq!(
                (*status, reply["status"].as_str()),
                (200, Some(round)),
                "{reply}"
            );
        }
        assert_eq!(count(&t.db, "webhook_deliveries").await, 200);
        assert_eq!(count(&t.db, "projects").await, 3);
        assert_eq!(count(&t.db, "pipelines").await, 40);
        assert_eq!(count(&t.db, "jobs").await, 120);
        assert_eq!(count(&t.db, "trace_queue").await, 120);
    }
    const DISTINCT: &str = "SELECT COUNT(DISTINCT delivery_key) FROM webhook_deliveries";
    let distinct: i64 =
        with_pool!(t.db.pool(), p => sqlx::query_scalar(DISTINCT).fetch_one(p).await).unwrap();
    assert_eq!(distinct, 200);
    // Whatever order they landed in, every job ends in its final status.
    for p in 0..40i64 {
        let pipeline = 1000 + p;
        assert_eq!(job_row(&t.db, pipeline * 10).await.status, "success");
        assert_eq!(job_row(&t.db, pipeline * 10 + 1).await.status, "failed");
        assert_eq!(job_row(&t.db, pipeline * 10 + 2).await.status, "success");
    }
    app.stop().await;
}
