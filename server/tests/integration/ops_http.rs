//! Security headers on every kind of response, and GET /metrics: valid Prometheus text
//! (checked by promtool when present) that moves when events arrive.

use crate::support;
use strata_core::on_both_backends;

use std::process::{Command, Stdio};

use strata_core::store::{
    records::{JobRecord, PipelineRecord, ProjectRecord},
    sync_state, trace_queue, writes,
};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    every_response_carries_security_headers => security_headers;
    metrics_are_valid_and_follow_events => metrics_follow_events;
}

fn header_of(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{name} missing on {}", res.url()))
}

async fn security_headers(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    for path in [
        "/",
        "/healthz",
        "/metrics",
        "/api/v1/projects",
        "/export/jobs.csv",
        "/nope",
    ] {
        let res = app.get(path).await;
        assert_eq!(
            header_of(&res, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header_of(&res, "x-frame-options"), "DENY", "{path}");
        assert!(!header_of(&res, "referrer-policy").is_empty());
        let csp = header_of(&res, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{path}: {csp}");
        assert!(script_src.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
    }
    // A page: its inline hydration script carries the nonce the policy allows.
    let res = app.get("/").await;
    let csp = header_of(&res, "content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a page's policy has a nonce")
        .to_owned();
    let html = res.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let scripts = scraper::Selector::parse("script").unwrap();
    let mut inline = 0;
    for script in doc.select(&scripts) {
        if script.attr("src").is_none() {
            inline += 1;
            assert_eq!(script.attr("nonce"), Some(nonce.as_str()), "{html}");
        }
    }
    assert!(inline >= 1, "the hydration script is inline: {html}");
    // A fresh nonce per response.
    let again = header_of(&app.get("/").await, "content-security-policy");
    assert_ne!(again, csp);
    app.stop().await;
}

async fn scrape(app: &TestApp) -> String {
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(header_of(&res, "content-type").starts_with("text/plain; version=0.0.4"));
    res.text().await.unwrap()
}

/// The value of the sample line starting with `series ` (`None` when absent).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

/// promtool (Debian's `prometheus` package) lints the exposition; CI must have it.
fn promtool_check(text: &str) {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "promtool must be installed in CI (.ci/setup installs Debian's prometheus)"
            );
            eprintln!("skipped: promtool is not installed");
            return;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}\n---\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn metrics_follow_events(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    app.get("/healthz").await;
    let before = scrape(&app).await;
    promtool_check(&before);
    assert_eq!(sample(&before, "strata_trace_queue_depth"), Some(0.0));
    assert_eq!(
        sample(&before, "strata_trace_queue_oldest_age_seconds"),
        Some(0.0)
    );
    assert!(sample(&before, "strata_db_pool_max_connections").unwrap() >= 1.0);
    let healthz =
        r#"strata_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}"#;
    let served = sample(&before, healthz).expect("the /healthz request was counted");

    // Events: a webhook delivery (the API the webhook handler calls), a finished job whose
    // log is queued, a completed sync, more requests.
    // The metrics registry is global to the test binary, where both backends' runs of this
    // test go at once: each counts under its own event label.
    let event = format!("pipeline-{:?}", t.db.backend()).to_lowercase();
    let delivery =
        format!(r#"strata_webhook_deliveries_total{{event="{event}",outcome="stored"}}"#);
    let delivery = delivery.as_str();
    let deliveries = sample(&before, delivery).unwrap_or(0.0);
    strata::metrics::webhook_delivery(&event, "stored");
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 7,
        path: "acme/\"web\"".into(),
        name: "web".into(),
        ..Default::default()
    };
    writes::upsert_project(&mut tx, &project, now)
        .await
        .unwrap();
    let pipeline = PipelineRecord {
        id: 70,
        project_id: 7,
        status: "success".into(),
        created_at_ms: Some(now),
        ..Default::default()
    };
    writes::upsert_pipeline(&mut tx, &pipeline, now)
        .await
        .unwrap();
    let job = JobRecord {
        id: 700,
        project_id: 7,
        pipeline_id: 70,
        name: "build".into(),
        status: "success".into(),
        created_at_ms: Some(now),
        ..Default::default()
    };
    writes::upsert_job(&mut tx, &job, now).await.unwrap();
    assert!(
        trace_queue::enqueue_if_finished(&mut tx, 700, now - 90_000)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    sync_state::mark_started(&t.db, 7, now - 120_000)
        .await
        .unwrap();
    sync_state::mark_finished(&t.db, 7, now - 60_000, None)
        .await
        .unwrap();
    app.get("/healthz").await;

    let after = scrape(&app).await;
    promtool_check(&after);
    assert_eq!(sample(&after, delivery), Some(deliveries + 1.0));
    assert_eq!(sample(&after, "strata_trace_queue_depth"), Some(1.0));
    let age = sample(&after, "strata_trace_queue_oldest_age_seconds").unwrap();
    assert!((90.0..3600.0).contains(&age), "{age}");
    let lag = sample(
        &after,
        r#"strata_sync_lag_seconds{project_id="7",project="acme/\"web\""}"#,
    )
    .expect("sync lag for the project, its path escaped");
    assert!((60.0..3600.0).contains(&lag), "{lag}");
    assert!(sample(&after, healthz).unwrap() >= served + 1.0);
    app.stop().await;
}
