//! The server as users reach it: health, the overview page, 404s — on both backends.

mod support;

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
    strata_app::with_pool!(t.db.pool(), p => {
        sqlx::query("INSERT INTO projects (id, path, name, web_url, first_seen_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(42_i64).bind("acme/<web>").bind("web").bind("https://gitlab.example.com/acme/web").bind(now)
            .execute(p).await.unwrap();
        for (id, status) in [(1_i64, "success"), (2, "failed"), (3, "success")] {
            sqlx::query("INSERT INTO pipelines (id, project_id, status, status_rank, created_at_ms, ingested_ms, changed_ms) VALUES ($1, 42, $2, 9, $3, $3, $3)")
                .bind(id).bind(status).bind(now - id * 60_000)
                .execute(p).await.unwrap();
        }
    });
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let html = app.get("/").await.text().await.unwrap();
    // The path is user data: it must arrive escaped, as text.
    assert!(html.contains("acme/&lt;web&gt;"), "{html}");
    assert!(!html.contains("acme/<web>"));
    let doc = scraper::Html::parse_document(&html);
    let row = scraper::Selector::parse(r#"tr[data-project-id="42"] td"#).unwrap();
    let cells: Vec<String> = doc.select(&row).map(|td| td.text().collect()).collect();
    assert_eq!(cells[0], "3", "three pipelines in the period: {cells:?}");
    assert_eq!(cells[1], "67%", "two of three succeeded: {cells:?}");
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
    let strata::db::DatabaseUrl::Postgres(raw) = &t.url else {
        unreachable!()
    };
    let upstream = pg_socket_addr(raw);
    let proxy = support::pg_proxy::PgProxy::start(upstream).await;
    let via_proxy = raw.replacen(&upstream.to_string(), &proxy.addr.to_string(), 1);
    let url: strata::db::DatabaseUrl = via_proxy.parse().unwrap();
    let db = strata::store::open(&url).await.unwrap();
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
