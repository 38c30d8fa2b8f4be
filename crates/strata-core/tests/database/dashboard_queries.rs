//! The dashboards' queries (`strata_core::read`) on small hand-computed datasets, on both
//! backends, and the two backends agreeing to the last digit on a larger one.

use strata_core::{on_both_backends, testing as support};

use strata_core::{
    db::Db,
    model::{
        Period,
        filters::{DAY_MS, Filters, Window},
    },
    read::{overview, project},
    store::{
        records::{JobRecord, PipelineRecord, ProjectRecord},
        rollups, writes,
    },
};
use support::TestDb;

on_both_backends! {
    overview_and_project_numbers_match_the_hand_count => hand_counted;
    filters_narrow_every_number => filtered;
    jobs_that_never_ran_are_not_missing_logs => never_ran;
}

/// Noon of `day`, so a few seconds either way stay on the same UTC day.
fn at(day: i64, second: i64) -> i64 {
    day * DAY_MS + DAY_MS / 2 + second * 1_000
}

fn pipeline(id: i64, day: i64, status: &str, duration_s: i64, git_ref: &str) -> PipelineRecord {
    PipelineRecord {
        id,
        project_id: 1,
        git_ref: Some(git_ref.into()),
        source: Some("push".into()),
        status: status.into(),
        created_at_ms: Some(at(day, id)),
        duration_ms: Some(duration_s * 1_000),
        queued_duration_ms: Some(1_000),
        ..Default::default()
    }
}

fn job(id: i64, p: &PipelineRecord, name: &str, duration_s: i64) -> JobRecord {
    JobRecord {
        id,
        project_id: 1,
        pipeline_id: p.id,
        name: name.into(),
        status: p.status.clone(),
        created_at_ms: p.created_at_ms,
        duration_ms: Some(duration_s * 1_000),
        queued_duration_ms: Some(500),
        ..Default::default()
    }
}

async fn load(db: &Db, pipelines: &[PipelineRecord], jobs: &[JobRecord]) {
    let mut tx = db.begin().await.unwrap();
    let project = ProjectRecord {
        id: 1,
        path: "acme/app".into(),
        name: "app".into(),
        ..Default::default()
    };
    writes::upsert_project(&mut tx, &project, 0).await.unwrap();
    for p in pipelines {
        writes::upsert_pipeline(&mut tx, p, 0).await.unwrap();
    }
    for j in jobs {
        writes::upsert_job(&mut tx, j, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
    rollups::refresh_all(db).await.unwrap();
}

const TODAY: i64 = 20_600;

fn now_ms() -> i64 {
    at(TODAY, 3_000)
}

fn last(period: Period) -> Filters {
    Filters {
        window: Window::Last(period),
        ..Filters::default()
    }
}

/// Five pipelines this week (100, 200, 300, 400 s succeeded; 1000 s failed), one twelve days
/// ago (250 s) for the 30-day window and the 7-day trend; jobs `build` 10/20/30 s and
/// `test` 40 s.
async fn seed(db: &Db) {
    let pipelines = vec![
        pipeline(1, TODAY, "success", 100, "main"),
        pipeline(2, TODAY - 1, "success", 200, "main"),
        pipeline(3, TODAY - 2, "success", 300, "feature"),
        pipeline(4, TODAY - 3, "success", 400, "main"),
        pipeline(5, TODAY - 4, "failed", 1_000, "main"),
        pipeline(6, TODAY - 12, "success", 250, "main"),
    ];
    let jobs = vec![
        job(11, &pipelines[0], "build", 10),
        job(12, &pipelines[1], "build", 20),
        job(13, &pipelines[2], "build", 30),
        job(14, &pipelines[2], "test", 40),
    ];
    load(db, &pipelines, &jobs).await;
}

async fn hand_counted(t: TestDb) {
    seed(&t.db).await;

    let week = overview::project_summaries(&t.db, &last(Period::Days7), now_ms())
        .await
        .unwrap();
    assert_eq!(week.len(), 1);
    let s = &week[0];
    assert_eq!(s.pipelines, 5);
    assert_eq!((s.success.part, s.success.whole), (4, 5));
    // Sorted 100, 200, 300, 400, 1000 s; the lower-rank quantile: p50 = 300 s, p95 = 400 s.
    assert_eq!(s.duration.p50_ms, Some(300_000.0));
    assert_eq!(s.duration.p95_ms, Some(400_000.0));
    // The week before (days −13 … −7) holds the 250 s pipeline alone.
    assert_eq!(s.previous_p50_ms, Some(250_000.0));
    // Job time: run plus queue of every job, (10 + 20 + 30 + 40) s + 4 × 0.5 s.
    assert_eq!(s.job_time_ms, 102_000);
    assert_eq!((s.jobs.part, s.jobs.whole), (0, 4), "no logs analysed");

    let month = overview::project_summaries(&t.db, &last(Period::Days30), now_ms())
        .await
        .unwrap();
    assert_eq!(month[0].pipelines, 6);
    // 100, 200, 250, 300, 400, 1000: rank ⌊0.5 × 5⌋ = 2 → 250 s; ⌊0.95 × 5⌋ = 4 → 400 s.
    assert_eq!(month[0].duration.p50_ms, Some(250_000.0));
    assert_eq!(month[0].duration.p95_ms, Some(400_000.0));

    let filters = last(Period::Days7);
    let days = filters.window.days(now_ms());
    let names = project::job_names(&t.db, &filters, days).await.unwrap();
    let by_name: Vec<(&str, i64, Option<f64>)> = names
        .iter()
        .map(|n| (n.name.as_str(), n.runs, n.duration.p50_ms))
        .collect();
    // build: 3 runs, median 20 s, 60 s in all; test: 1 run of 40 s. Most time first.
    assert_eq!(
        by_name,
        vec![("build", 3, Some(20_000.0)), ("test", 1, Some(40_000.0))]
    );

    let per_day = project::days(&t.db, &filters, days).await.unwrap();
    assert_eq!(per_day.len(), 7, "every day of the window, empty ones too");
    let runs: Vec<i64> = per_day.iter().map(|d| d.runs).collect();
    assert_eq!(runs, vec![0, 0, 1, 1, 1, 1, 1]);
    assert_eq!(per_day[6].duration.p50_ms, Some(100_000.0));
}

async fn never_ran(t: TestDb) {
    seed(&t.db).await;
    // A manual job nobody played and a skipped one: counted as runs, but without a log to miss.
    let today = pipeline(1, TODAY, "success", 100, "main");
    let never = |id, name: &str, status: &str| JobRecord {
        status: status.into(),
        duration_ms: None,
        queued_duration_ms: None,
        ..job(id, &today, name, 0)
    };
    load(
        &t.db,
        &[],
        &[never(15, "deploy", "manual"), never(16, "lint", "skipped")],
    )
    .await;

    let filters = last(Period::Days7);
    let summary = &overview::project_summaries(&t.db, &filters, now_ms())
        .await
        .unwrap()[0];
    assert_eq!(
        (summary.jobs.part, summary.jobs.whole),
        (0, 4),
        "of the four jobs that ran, none analysed"
    );
    let days = filters.window.days(now_ms());
    let names = project::job_names(&t.db, &filters, days).await.unwrap();
    let deploy = names.iter().find(|n| n.name == "deploy").unwrap();
    assert_eq!(deploy.runs, 1);
    assert_eq!((deploy.analysed.part, deploy.analysed.whole), (0, 0));
}

async fn filtered(t: TestDb) {
    seed(&t.db).await;
    let on = |git_ref: Option<&str>, status: Option<&str>| Filters {
        window: Window::Last(Period::Days7),
        git_ref: git_ref.map(str::to_owned),
        status: status.map(str::to_owned),
        ..Filters::default()
    };
    let feature = overview::project_summaries(&t.db, &on(Some("feature"), None), now_ms())
        .await
        .unwrap();
    assert_eq!(feature[0].pipelines, 1);
    assert_eq!(feature[0].duration.p50_ms, Some(300_000.0));

    let failed = overview::project_summaries(&t.db, &on(None, Some("failed")), now_ms())
        .await
        .unwrap();
    assert_eq!(failed[0].pipelines, 1);
    assert_eq!(failed[0].duration.p95_ms, Some(1_000_000.0));
    assert_eq!((failed[0].success.part, failed[0].success.whole), (0, 1));

    let days = on(Some("feature"), None).window.days(now_ms());
    let names = project::job_names(&t.db, &on(Some("feature"), None), days)
        .await
        .unwrap();
    let runs: Vec<(&str, i64)> = names.iter().map(|n| (n.name.as_str(), n.runs)).collect();
    assert_eq!(runs, vec![("test", 1), ("build", 1)]);
}

/// 300 pipelines (past the sketch's 128 exact values, so buckets are in play) with
/// durations spread over four orders of magnitude: both backends must give the very same
/// percentiles, within 1% of the exact ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_agree_on_percentiles() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let durations: Vec<i64> = (0..300).map(|i| 3 + (i * i * 7919) % 40_000).collect();
    let pipelines: Vec<PipelineRecord> = durations
        .iter()
        .enumerate()
        .map(|(i, d)| pipeline(i as i64 + 1, TODAY - (i as i64 % 30), "success", *d, "main"))
        .collect();
    let jobs: Vec<JobRecord> = pipelines
        .iter()
        .map(|p| job(p.id + 10_000, p, "build", p.duration_ms.unwrap() / 2_000))
        .collect();
    load(&lite.db, &pipelines, &jobs).await;
    load(&pg.db, &pipelines, &jobs).await;

    let filters = last(Period::Days30);
    let days = filters.window.days(now_ms());
    let a = overview::project_summaries(&lite.db, &filters, now_ms())
        .await
        .unwrap();
    let b = overview::project_summaries(&pg.db, &filters, now_ms())
        .await
        .unwrap();
    assert_eq!(a, b);
    let mut sorted: Vec<f64> = durations.iter().map(|d| *d as f64 * 1_000.0).collect();
    sorted.sort_by(f64::total_cmp);
    for (q, got) in [(0.5, a[0].duration.p50_ms), (0.95, a[0].duration.p95_ms)] {
        let exact = sorted[(q * 299.0_f64).floor() as usize];
        let got = got.unwrap();
        assert!(
            (got - exact).abs() <= exact * 0.01,
            "q={q}: {got} vs {exact}"
        );
    }
    assert_eq!(
        project::job_names(&lite.db, &filters, days).await.unwrap(),
        project::job_names(&pg.db, &filters, days).await.unwrap()
    );
    assert_eq!(
        project::days(&lite.db, &filters, days).await.unwrap(),
        project::days(&pg.db, &filters, days).await.unwrap()
    );
}
