//! Every dashboard page rendered by the real server over demo data, on both backends: the
//! pages answer, carry no server-function error, and show the numbers the database holds.

use crate::support;
use strata_core::on_both_backends;

use chrono::Utc;
use strata_core::with_pool;
use strata_demo::{Dataset, DemoConfig, store_load};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    every_page_renders_demo_data => renders_every_page;
    hostile_names_stay_text => escapes_hostile_names;
}

async fn loaded(t: &TestDb) -> Dataset {
    let mut config = DemoConfig::new(Utc::now());
    config.pipelines_per_project = 30;
    config.days = 20;
    let dataset = Dataset::generate(&config);
    store_load::load(&t.db, &dataset).await.unwrap();
    dataset
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let body = response.text().await.unwrap();
    for failure in [
        "error running server function",
        "could not answer",
        "Err\\\"",
    ] {
        assert!(!body.contains(failure), "GET {path} shows {failure:?}");
    }
    body
}

async fn renders_every_page(t: TestDb) {
    loaded(&t).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;

    // The default window: the last 30 UTC days, today included.
    const DAY_MS: i64 = 86_400_000;
    let since = (Utc::now().timestamp_millis().div_euclid(DAY_MS) - 29) * DAY_MS;
    let (pipelines_30d,): (i64,) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT COUNT(*) FROM pipelines WHERE project_id = 101 AND created_at_ms >= $1")
        .bind(since).fetch_one(p).await.unwrap());
    let (pipeline_id, job_id, job_name): (i64, i64, String) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT j.pipeline_id, j.id, j.name FROM jobs j JOIN job_metrics m ON m.job_id = j.id
         WHERE j.project_id = 101 ORDER BY j.id DESC LIMIT 1").fetch_one(p).await.unwrap());

    let overview = page(&app, "/").await;
    for path in [
        "demo/cache-as-transport",
        "demo/artifacts",
        "demo/multistage",
        "demo/two-dockerfiles",
    ] {
        assert!(overview.contains(path), "overview lists {path}");
    }
    let project = page(&app, "/projects/101").await;
    assert!(
        project.contains(&format!(">{pipelines_30d}<")),
        "the project page shows its {pipelines_30d} pipelines"
    );
    assert!(project.contains("<svg"), "the project page draws charts");
    page(&app, "/projects/101?period=7d&status=success").await;
    // The Compare page opens on the last 14 days against the 14 before, then on any two.
    let compare = page(&app, "/projects/101/compare").await;
    assert!(
        !compare.contains("role=\"alert\""),
        "compare without sides: {compare}"
    );
    page(&app, "/projects/101/compare?a=main&b=main").await;
    page(&app, &format!("/projects/101/jobs/{job_name}")).await;
    let pipeline = page(&app, &format!("/pipelines/{pipeline_id}")).await;
    assert!(
        pipeline.contains("<svg"),
        "the pipeline page draws its Gantt chart"
    );
    let job = page(&app, &format!("/jobs/{job_id}")).await;
    assert!(job.contains(&job_name));

    let missing = app.get("/jobs/1").await;
    assert_eq!(missing.status(), 404);
    app.stop().await;
}

// A job name that would end a <title> early, then run a script.
const HOSTILE_JOB: &str = "</title><script>alert(1)</script>";
const HOSTILE_REF: &str = "\"><svg onload=alert(2)>";

async fn escapes_hostile_names(t: TestDb) {
    loaded(&t).await;
    with_pool!(t.db.pool(), p => {
        sqlx::query("UPDATE jobs SET name = $1 WHERE id = (SELECT MAX(id) FROM jobs WHERE project_id = 101)")
            .bind(HOSTILE_JOB).execute(p).await.unwrap();
        sqlx::query("UPDATE pipelines SET git_ref = $1 WHERE id = (SELECT MAX(id) FROM pipelines WHERE project_id = 101)")
            .bind(HOSTILE_REF).execute(p).await.unwrap();
    });
    strata_core::store::rollups::refresh_all(&t.db)
        .await
        .unwrap();
    let (job_id, pipeline_id): (i64, i64) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT id, pipeline_id FROM jobs WHERE name = $1").bind(HOSTILE_JOB).fetch_one(p).await.unwrap());
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    for path in [
        "/projects/101".to_owned(),
        format!("/pipelines/{pipeline_id}"),
        format!("/jobs/{job_id}"),
        "/projects/101/jobs/%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned(),
    ] {
        let body = page(&app, &path).await;
        assert!(
            !body.contains("<script>alert(1)"),
            "{path} has a raw <script> job name"
        );
        assert!(!body.contains("<svg onload"), "{path} has a raw svg onload");
    }
    app.stop().await;
}
