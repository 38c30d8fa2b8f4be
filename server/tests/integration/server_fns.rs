//! The pages' server functions (`/api/ui/*`) take untrusted input: every argument is checked,
//! a bad one is a 400 naming the parameter, and nothing a caller sends can abort the server
//! or make it build an answer sized by the caller (a window of a billion days once made it
//! try to allocate 120 GB).

use crate::support;
use strata_app::api::{detail::GetJobName, impact::GetComparison, overview::GetOverview};
use strata_core::{
    model::filters::{Filters, Window},
    on_both_backends,
};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    bad_arguments_are_400_with_the_parameter_named => refuses_bad_arguments;
}

/// POST a server function's arguments, encoded as the pages encode them.
async fn call(app: &TestApp, endpoint: &str, body: String) -> (u16, String) {
    let response = app
        .client
        .post(app.url(&format!("/api/ui/{endpoint}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn overview(filters: Filters) -> String {
    serde_qs::to_string(&GetOverview { filters }).unwrap()
}

fn days(from: i64, to: i64) -> Filters {
    Filters {
        window: Window::Days { from, to },
        ..Filters::default()
    }
}

async fn refuses_bad_arguments(t: TestDb) {
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let (status, _) = call(&app, "overview", overview(Filters::default())).await;
    assert_eq!(status, 200, "the default filters are fine");
    let (status, _) = call(&app, "overview", overview(days(20_000, 20_030))).await;
    assert_eq!(status, 200, "a month of explicit days is fine");

    let refused = [
        ("overview", overview(days(0, 1_000_000_000)), "invalid `to`"),
        (
            "overview",
            overview(days(i64::MAX - 1, i64::MAX)),
            "invalid `from`",
        ),
        ("overview", overview(days(20_030, 20_000)), "invalid `from`"),
        (
            "overview",
            overview(days(10_000, 19_000)),
            "at most 10 years",
        ),
        (
            "overview",
            overview(Filters {
                status: Some("done".into()),
                ..Filters::default()
            }),
            "invalid `status`",
        ),
        (
            "overview",
            overview(Filters {
                job: Some("build\0".into()),
                ..Filters::default()
            }),
            "invalid `job`",
        ),
        (
            "overview",
            overview(Filters {
                git_ref: Some("x".repeat(300)),
                ..Filters::default()
            }),
            "invalid `ref`",
        ),
        ("overview", "filters=%%%".to_owned(), ""),
        ("overview", String::new(), ""),
        (
            "compare",
            serde_qs::to_string(&GetComparison {
                id: 101,
                filters: Filters::default(),
                a: "2026-10-15..2026-10-01".into(),
                b: "main".into(),
            })
            .unwrap(),
            "invalid `a`",
        ),
        (
            "compare",
            serde_qs::to_string(&GetComparison {
                id: 101,
                filters: Filters::default(),
                a: "main".into(),
                b: "0001-01-01..9999-12-31".into(),
            })
            .unwrap(),
            "invalid `b`",
        ),
        (
            "job_name",
            serde_qs::to_string(&GetJobName {
                project_id: 101,
                name: "build\0".into(),
                filters: Filters::default(),
            })
            .unwrap(),
            "invalid `name`",
        ),
    ];
    for (endpoint, body, named) in refused {
        let (status, text) = call(&app, endpoint, body.clone()).await;
        assert_eq!(status, 400, "{endpoint} {body}: {text}");
        assert!(text.contains(named), "{endpoint} {body}: {text}");
    }
    assert_eq!(app.get("/healthz").await.status(), 200, "still serving");
    app.stop().await;
}
