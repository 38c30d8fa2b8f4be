//! The server as users reach it: health, the overview page, 404s — on both backends.

use crate::support;
use strata_core::on_both_backends;

use strata_core::store::{
    records::{PipelineRecord, ProjectRecord},
    rollups, writes,
};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    healthz_answers_ok_when_the_database_does => healthz_ok;
    overview_lists_projects_from_the_database => overview_lists_projects;
    empty_database_shows_how_to_load_data => empty_state;
    unknown_pages_are_404 => unknown_page;
}

async fn healthz_ok(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    app.stop().await;
}

async fn overview_lists_projects(t: TestDb) {
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = t.db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 42,
        path: "acme/<web>".into(),
        name: "web".into(),
        web_url: Some("https://gitlab.example.com/acme/web".into()),
        default_branch: None,
    };
    writes::upsert_project(&mut tx, &project, now)
        .await
        .unwrap();
    for (id, status, minutes) in [(1_i64, "success", 5), (2, "failed", 7), (3, "success", 9)] {
        let pipeline = PipelineRecord {
            id,
            project_id: 42,
            status: status.into(),
            created_at_ms: Some(now - id * 60_000),
            duration_ms: Some(minutes * 60_000),
            ..Default::default()
        };
        writes::upsert_pipeline(&mut tx, &pipeline, now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    rollups::refresh_all(&t.db).await.unwrap();

    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let html = app.get("/").await.text().await.unwrap();
    // The path is user data: it must arrive escaped, as text.
    assert!(html.contains("acme/&lt;web&gt;"), "{html}");
    assert!(!html.contains("acme/<web>"));
    let doc = scraper::Html::parse_document(&html);
    let cell = |id: &str| -> String {
        let selector = scraper::Selector::parse(&format!(
            r#"tr[data-project-id="42"] td[data-testid="{id}"]"#
        ))
        .unwrap();
        doc.select(&selector)
            .next()
            .map(|td| td.text().collect())
            .unwrap_or_default()
    };
    assert_eq!(cell("pipelines"), "3", "three pipelines in the period");
    assert_eq!(cell("success"), "67%", "two of three succeeded");
    assert_eq!(cell("p50"), "7 min 00 s");
    assert_eq!(
        cell("p95"),
        "7 min 00 s",
        "lower nearest rank of three values at 95% is the second"
    );
    assert!(!html.contains("No pipelines yet"));
    app.stop().await;
}

async fn empty_state(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for hint in [
        "No pipelines yet",
        "strata demo",
        "strata sync",
        "/webhooks/gitlab",
        "STRATA_WEBHOOK_SECRET",
    ] {
        assert!(html.contains(hint), "empty state lacks {hint:?}");
    }
    app.stop().await;
}

async fn unknown_page(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

#[tokio::test]
async fn healthz_is_503_when_postgres_stops_answering() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let strata_core::db::DatabaseUrl::Postgres(raw) = &t.url else {
        unreachable!()
    };
    let upstream = pg_socket_addr(raw);
    let proxy = support::pg_proxy::PgProxy::start(upstream).await;
    let via_proxy = raw.replacen(&upstream.to_string(), &proxy.addr.to_string(), 1);
    let url: strata_core::db::DatabaseUrl = via_proxy.parse().unwrap();
    let db = strata_core::db::open(&url).await.unwrap();
    let app = TestApp::spawn(test_settings(&url), &db).await;

    assert_eq!(app.get("/healthz").await.status(), 200);
    proxy.cut();
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "unreachable");
    // The server itself is still up and answers pages with an error, not a crash.
    assert!(
        app.get("/").await.status().is_success() || app.get("/").await.status().is_server_error()
    );
    app.stop().await;
}

fn pg_socket_addr(url: &str) -> std::net::SocketAddr {
    let after_at = url.split_once('@').map(|(_, r)| r).unwrap_or(url);
    let host_port = after_at.split('/').next().unwrap();
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    let host_port = host_port.replace("localhost", "127.0.0.1");
    host_port
        .parse()
        .expect("TEST_DATABASE_URL host must be an IP:port for this test")
}
