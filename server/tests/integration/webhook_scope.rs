//! What a webhook's sender controls, kept in bounds on both backends: which projects it may
//! name (`STRATA_PROJECTS`), and values no store should keep as sent — NUL bytes (PostgreSQL
//! refused them with 503, so GitLab retried forever, while SQLite stored them),
//! `javascript:` links, durations of `i64::MAX`.

use crate::{support, support::webhooks as hooks};
use strata_core::on_both_backends;

use hooks::{SECRET, gitlab_request, job_hook};
use secrecy::SecretString;
use serde_json::Value;
use strata::{config::OpsSettings, gitlab::ProjectRef};
use strata_core::{
    store::{records::ProjectRecord, sanitize::MAX_DURATION_MS, writes},
    with_pool,
};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    hostile_values_are_stored_alike_on_both_backends => hostile_values;
    webhooks_are_taken_only_for_the_listed_projects => listed_projects_only;
}

async fn app(t: &TestDb, projects: Vec<ProjectRef>) -> TestApp {
    let mut settings = test_settings(&t.url);
    settings.webhook_secret = Some(SecretString::from(SECRET));
    settings.ops = OpsSettings {
        webhook_projects: projects,
        ..OpsSettings::default()
    };
    TestApp::spawn(settings, &t.db).await
}

async fn post(app: &TestApp, key: &str, body: &Value) -> (u16, Value) {
    let response = gitlab_request(
        &app.client,
        &app.url(hooks::PATH),
        "Job Hook",
        Some(key),
        serde_json::to_vec(body).unwrap(),
    )
    .send()
    .await
    .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn hostile_values(t: TestDb) {
    let app = app(&t, Vec::new()).await;
    let mut hook = job_hook(7, 70, 700, "success");
    hook["build_name"] = "build\u{0}x".into();
    hook["build_duration"] = 1e300.into();
    hook["ref"] = "main\u{0}".into();
    hook["project"]["web_url"] = "javascript:alert(1)".into();
    hook["repository"]["homepage"] = "javascript:alert(2)".into();
    let (status, body) = post(&app, "hostile-1", &hook).await;
    assert_eq!(status, 200, "{body}");

    let (name, duration, job_url): (String, Option<i64>, Option<String>) =
        with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT name, duration_ms, web_url FROM jobs WHERE id = 700").fetch_one(p).await)
        .unwrap();
    assert_eq!(name, "build\u{FFFD}x");
    assert_eq!(duration, Some(MAX_DURATION_MS));
    assert_eq!(
        job_url, None,
        "a link built on a javascript: URL is no link"
    );
    let (project_url,): (Option<String>,) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT web_url FROM projects WHERE id = 7").fetch_one(p).await)
    .unwrap();
    assert_eq!(project_url, None);
    let (git_ref,): (Option<String>,) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT git_ref FROM pipelines WHERE id = 70").fetch_one(p).await)
    .unwrap();
    assert_eq!(git_ref.as_deref(), Some("main\u{FFFD}"));

    // The pages show the replacement, never a NUL, and no javascript: link.
    let page = app.get("/jobs/700").await.text().await.unwrap();
    assert!(page.contains("build\u{FFFD}x"), "{page}");
    assert!(!page.contains('\u{0}') && !page.contains("javascript:"));
    app.stop().await;
}

async fn listed_projects_only(t: TestDb) {
    let app = app(
        &t,
        vec![ProjectRef::Id(7), ProjectRef::Path("acme/web-9".into())],
    )
    .await;
    let (status, _) = post(&app, "listed", &job_hook(7, 70, 700, "success")).await;
    assert_eq!(status, 200, "listed by id");

    let (status, body) = post(&app, "unlisted", &job_hook(8, 80, 800, "success")).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("STRATA_PROJECTS"),
        "{body}"
    );
    // Listed by path, but no sync has tied the path to an id yet: the payload alone could
    // claim any path.
    let (status, _) = post(&app, "by-path-early", &job_hook(9, 90, 900, "success")).await;
    assert_eq!(status, 403);

    // A sync stores project 9 as GitLab names it; from then on its hooks are taken.
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 9,
        path: "acme/web-9".into(),
        name: "web-9".into(),
        ..ProjectRecord::default()
    };
    writes::upsert_project(&mut tx, &project, 0).await.unwrap();
    tx.commit().await.unwrap();
    let (status, body) = post(&app, "by-path", &job_hook(9, 90, 900, "success")).await;
    assert_eq!(status, 200, "{body}");
    // Another id claiming the listed path is still refused.
    let mut impostor = job_hook(10, 100, 1000, "success");
    impostor["project"]["path_with_namespace"] = "acme/web-9".into();
    let (status, _) = post(&app, "impostor", &impostor).await;
    assert_eq!(status, 403);

    let stored: Vec<(i64,)> = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT id FROM jobs ORDER BY id").fetch_all(p).await)
    .unwrap();
    assert_eq!(stored, vec![(700,), (900,)]);
    let queued: i64 = with_pool!(t.db.pool(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM trace_queue WHERE job_id IN (800, 1000)").fetch_one(p).await)
    .unwrap();
    assert_eq!(queued, 0, "no log of an unlisted project is fetched");
    app.stop().await;
}
