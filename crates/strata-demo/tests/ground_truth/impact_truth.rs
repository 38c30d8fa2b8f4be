//! Impact analytics against the demo's planted ground truth: every scenario loaded straight
//! into the store, then the measured effects compared with what the generator planted
//! (±10 %), the intended findings reported, and no scenario reporting another's finding.

use strata_core::{on_both_backends, testing as support};

use chrono::{TimeZone, Utc};
use strata_core::{
    db::Db,
    model::{
        filters::{DAY_MS, Filters, Window},
        impact::{FindingKind, ImpactFinding, ImpactReport},
    },
    read::impact::project_impact,
    with_pool,
};
use strata_demo::{Dataset, DemoConfig, Finding, GroundTruth, store_load};
use support::TestDb;

on_both_backends! {
    every_scenario_recovers_its_planted_effects_and_findings => recovers_ground_truth;
    the_report_covers_the_jobs_the_page_filters_select => follows_filters;
    the_compare_page_counts_and_medians_match_sql => compare_matches_sql;
    reports_are_reused_until_the_project_changes => reused_until_changed;
    an_earlier_report_is_served_while_the_current_one_is_computed => stale_while_recomputed;
    the_default_view_reports_are_computed_ahead_of_requests => default_view_filled_ahead;
}

const DAYS: u32 = 60;

fn dataset() -> Dataset {
    let mut config = DemoConfig::new(Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap());
    config.pipelines_per_project = 240;
    config.days = DAYS;
    Dataset::generate(&config)
}

/// The whole generated window.
fn filters(dataset: &Dataset) -> Filters {
    let to = dataset.now_us() / 1_000 / DAY_MS;
    Filters {
        window: Window::Days {
            from: to - i64::from(DAYS),
            to,
        },
        ..Filters::default()
    }
}

async fn project_id(db: &Db, path: &str) -> i64 {
    let row: (i64,) = with_pool!(db.pool(), p => sqlx::query_as("SELECT id FROM projects WHERE path = $1")
        .bind(path).fetch_one(p).await.unwrap());
    row.0
}

/// Reports of every scenario, with its truth.
async fn reports(db: &Db, dataset: &Dataset) -> Vec<(GroundTruth, ImpactReport)> {
    let filters = filters(dataset);
    let now_ms = dataset.now_us() / 1_000;
    let mut out = Vec::new();
    for truth in dataset.ground_truth() {
        let id = project_id(db, truth.project()).await;
        let report = project_impact(db, id, &filters, now_ms).await.unwrap();
        out.push((truth, report));
    }
    out
}

fn within_10_percent(what: &str, measured: f64, planted: f64) {
    assert!(
        (measured - planted).abs() <= planted * 0.10,
        "{what}: measured {measured:.1}, planted {planted:.1}"
    );
}

fn secs(ms: f64) -> f64 {
    ms / 1_000.0
}

/// Whether a reported finding is the planted one.
fn matches(reported: &FindingKind, planted: &Finding) -> bool {
    match (reported, planted) {
        (
            FindingKind::CacheUsedAsTransport {
                pattern,
                writer_job,
                reader_job,
            },
            Finding::CacheUsedAsTransport {
                writer_job: w,
                reader_job: r,
                key_prefix,
            },
        ) => pattern.starts_with(key_prefix) && writer_job == w && reader_job == r,
        (
            FindingKind::CacheKeyCollision { key, jobs },
            Finding::CacheKeyCollision {
                key_prefix,
                jobs: planted,
            },
        ) => key.starts_with(key_prefix) && planted.iter().all(|j| jobs.iter().any(|x| x == j)),
        (
            FindingKind::ArtifactsDominateTransfer { producer_job },
            Finding::ArtifactsDominateTransfer { producer_job: p },
        ) => producer_job == p,
        (
            FindingKind::DockerLayerCacheEffective { job },
            Finding::DockerLayerCacheEffective { job: j },
        )
        | (
            FindingKind::DockerLayerCacheNeverHit { job },
            Finding::DockerLayerCacheNeverHit { job: j },
        ) => job == j,
        (FindingKind::QueueDominatesRunTime { tags }, Finding::QueueDominatesRunTime { tag }) => {
            tags.iter().any(|t| t == tag)
        }
        _ => false,
    }
}

fn check_findings(truth: &GroundTruth, findings: &[ImpactFinding]) {
    let project = truth.project();
    for planted in truth.findings() {
        let found = findings.iter().find(|f| matches(&f.kind, planted));
        let found = found
            .unwrap_or_else(|| panic!("{project}: {planted:?} not reported; got {findings:#?}"));
        assert!(found.time_per_week_ms > 0.0, "{project}: {found:?}");
        assert!(
            !found.examples.is_empty(),
            "{project}: no jobs behind {found:?}"
        );
    }
    for reported in findings {
        assert!(
            truth.findings().iter().any(|p| matches(&reported.kind, p)),
            "{project} reports a finding it does not plant: {reported:#?}"
        );
    }
}

fn check_effects(truth: &GroundTruth, r: &ImpactReport) {
    match truth {
        GroundTruth::CacheTransport(t) => {
            for (prefix, job, penalty) in [
                (t.deps_key_prefix, t.build_job, t.deps_miss_penalty),
                (
                    t.transport_key_prefix,
                    t.transport_reader_job,
                    t.transport_miss_penalty,
                ),
            ] {
                let cache = r
                    .caches
                    .iter()
                    .find(|c| c.pattern.starts_with(prefix))
                    .unwrap_or_else(|| panic!("no {prefix} cache: {:#?}", r.caches));
                let effect = cache.jobs.iter().find(|j| j.job == job).unwrap();
                let measured = effect
                    .miss_penalty
                    .unwrap_or_else(|| panic!("no penalty: {effect:?}"));
                within_10_percent(
                    &format!("{prefix} miss penalty for {job}"),
                    secs(measured.value),
                    penalty.as_secs_f64(),
                );
                assert!(measured.low <= measured.value && measured.value <= measured.high);
            }
            let transport = r
                .caches
                .iter()
                .find(|c| c.pattern.starts_with(t.transport_key_prefix))
                .unwrap();
            assert!(transport.pattern.contains("{sha}"), "{}", transport.pattern);
            within_10_percent(
                "transport miss rate",
                1.0 - transport.hit_rate.unwrap(),
                t.transport_miss_rate,
            );
        }
        GroundTruth::Artifacts(t) => {
            let rate = r.artifacts.rate_mb_per_s.expect("a fitted rate");
            within_10_percent(
                "artifact MB/s",
                rate,
                t.transfer_bytes_per_second as f64 / 1e6,
            );
            let effective = r.artifacts.effective_mb_per_s.unwrap();
            assert!(
                effective < rate,
                "overheads make the effective rate lower: {effective} vs {rate}"
            );
            let growth = r.artifacts.growth_bytes_per_day.expect("growth");
            within_10_percent(
                "archive growth per day",
                growth,
                t.archive_growth_per_day as f64,
            );
        }
        GroundTruth::Multistage(t) => {
            let layer = r.layers.iter().find(|l| l.job == t.job).unwrap();
            assert!(layer.cold_cost_observed, "{layer:?}");
            within_10_percent(
                "cold-build cost",
                secs(layer.cold_cost.unwrap().value),
                t.cold_extra.as_secs_f64(),
            );
            within_10_percent(
                "cold rate",
                layer.cold_builds as f64 / layer.builds as f64,
                t.cold_rate,
            );
        }
        GroundTruth::TwoDockerfiles(t) => {
            let layer = r.layers.iter().find(|l| l.job == t.job).unwrap();
            assert_eq!(layer.cached_steps, u64::from(t.cached_steps));
            assert!(!layer.cold_cost_observed);
            within_10_percent(
                "avoidable per build",
                secs(layer.cold_cost.unwrap().value),
                t.avoidable_per_build.as_secs_f64(),
            );
        }
        GroundTruth::QueueStarved(_) => {}
    }
}

async fn recovers_ground_truth(t: TestDb) {
    let dataset = dataset();
    store_load::load(&t.db, &dataset).await.unwrap();
    for (truth, report) in reports(&t.db, &dataset).await {
        check_effects(&truth, &report);
        check_findings(&truth, &report.findings);
    }
}

/// SQLite and PostgreSQL give the same reports, number for number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_give_the_same_report() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let dataset = dataset();
    store_load::load(&sqlite.db, &dataset).await.unwrap();
    store_load::load(&pg.db, &dataset).await.unwrap();
    let (a, b) = (
        reports(&sqlite.db, &dataset).await,
        reports(&pg.db, &dataset).await,
    );
    for ((truth, a), (_, b)) in a.iter().zip(&b) {
        assert_eq!(a, b, "{}", truth.project());
    }
}

/// Jobs of the project the filters select, counted in SQL: status is the job's, branch and
/// source the pipeline's (as on every page).
async fn count_jobs(db: &Db, project: i64, status: Option<&str>, source: Option<&str>) -> u64 {
    let sql = "SELECT COUNT(*) FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id \
        WHERE j.project_id = $1 AND ($2 IS NULL OR j.status = $2) AND ($3 IS NULL OR p.source = $3)";
    let row: (i64,) = with_pool!(db.pool(), p => sqlx::query_as(sql)
        .bind(project).bind(status).bind(source).fetch_one(p).await.unwrap());
    row.0 as u64
}

/// Status and source narrow the Impact section like every other view: the report counts
/// exactly the jobs the filters select, and fewer than without them.
async fn follows_filters(t: TestDb) {
    let dataset = dataset();
    store_load::load(&t.db, &dataset).await.unwrap();
    let now_ms = dataset.now_us() / 1_000;
    let truth = &dataset.ground_truth()[0];
    let id = project_id(&t.db, truth.project()).await;
    let all = project_impact(&t.db, id, &filters(&dataset), now_ms)
        .await
        .unwrap();
    assert_eq!(all.jobs, count_jobs(&t.db, id, None, None).await);
    let (source,): (String,) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT p.source FROM pipelines p WHERE p.project_id = $1 GROUP BY p.source ORDER BY COUNT(*) LIMIT 1")
        .bind(id).fetch_one(p).await.unwrap());
    for (status, source) in [(Some("failed"), None), (None, Some(source.as_str()))] {
        let filters = Filters {
            status: status.map(str::to_owned),
            source: source.map(str::to_owned),
            ..filters(&dataset)
        };
        let report = project_impact(&t.db, id, &filters, now_ms).await.unwrap();
        let expected = count_jobs(&t.db, id, status, source).await;
        assert_eq!(report.jobs, expected, "{status:?} {source:?}");
        assert!(
            0 < expected && expected < all.jobs,
            "{status:?} {source:?} selects {expected} of {} jobs: not a test of the filter",
            all.jobs
        );
    }
}

/// Values of one column over a project's rows created in `[from, to)` ms, sorted.
async fn sorted_values(db: &Db, sql: &str, project: i64, from: i64, to: i64) -> Vec<f64> {
    let rows: Vec<(i64,)> = with_pool!(db.pool(), p => sqlx::query_as(sql)
        .bind(project).bind(from).bind(to).fetch_all(p).await.unwrap());
    let mut values: Vec<f64> = rows.into_iter().map(|r| r.0 as f64).collect();
    values.sort_by(f64::total_cmp);
    values
}

/// The lower middle value, as the reports define the median.
fn lower_median(sorted: &[f64]) -> Option<f64> {
    (!sorted.is_empty()).then(|| sorted[(sorted.len() - 1) / 2])
}

/// The Compare page's rows for two periods: counts and medians of pipeline durations and of
/// queue time, checked against the same values selected and sorted straight from SQL.
async fn compare_matches_sql(t: TestDb) {
    use strata_core::{model::impact::Side, read::impact::comparison};
    let dataset = dataset();
    store_load::load(&t.db, &dataset).await.unwrap();
    let now_ms = dataset.now_us() / 1_000;
    let today = now_ms / DAY_MS;
    let id = project_id(&t.db, dataset.ground_truth()[0].project()).await;
    let (a, b) = ((today - 40, today - 21), (today - 20, today));
    let side = |(from, to): (i64, i64)| Side::Period { from, to };
    let result = comparison(&t.db, id, &filters(&dataset), &side(a), &side(b), now_ms)
        .await
        .unwrap();
    let bounds = |(from, to): (i64, i64)| (from * DAY_MS, (to + 1) * DAY_MS);
    let checks = [
        (
            "Pipeline duration",
            "SELECT duration_ms FROM pipelines WHERE project_id = $1 AND created_at_ms >= $2 \
             AND created_at_ms < $3 AND duration_ms IS NOT NULL",
        ),
        (
            "Queue",
            "SELECT queued_duration_ms FROM jobs WHERE project_id = $1 AND created_at_ms >= $2 \
             AND created_at_ms < $3 AND queued_duration_ms IS NOT NULL",
        ),
    ];
    for (label, sql) in checks {
        let row = result
            .rows
            .iter()
            .find(|r| r.label == label)
            .unwrap_or_else(|| panic!("no {label} row in {:?}", result.rows));
        let (va, vb) = (
            sorted_values(&t.db, sql, id, bounds(a).0, bounds(a).1).await,
            sorted_values(&t.db, sql, id, bounds(b).0, bounds(b).1).await,
        );
        assert!(
            va.len() > 10 && vb.len() > 10,
            "{label}: too few values to test"
        );
        assert_eq!(
            (row.a_count, row.b_count),
            (va.len() as u64, vb.len() as u64),
            "{label}"
        );
        assert_eq!(
            row.a_median.as_ref().map(|m| m.value),
            lower_median(&va),
            "{label} a"
        );
        assert_eq!(
            row.b_median.as_ref().map(|m| m.value),
            lower_median(&vb),
            "{label} b"
        );
        let difference = row.difference.as_ref().expect("a difference").value;
        let expected = lower_median(&vb).unwrap() - lower_median(&va).unwrap();
        assert!(
            (difference - expected).abs() < 1e-6,
            "{label}: {difference} vs {expected}"
        );
        let p = row.p_value.expect("a p-value");
        assert!(
            (0.0..=1.0).contains(&p) && row.significant == (p < 0.05),
            "{label}: {row:?}"
        );
    }
}

/// The report cache hands out the same report until a change to the project's jobs has been
/// folded into its rollups (which bumps `projects.data_version`), then a fresh one that
/// equals a report computed from scratch.
async fn reused_until_changed(t: TestDb) {
    use std::sync::Arc;
    use strata_core::read::impact::memo::ReportCache;
    let (id, filters, now_ms) = first_scenario_loaded(&t.db).await;
    let cache = ReportCache::default();
    let (first, beside) = tokio::join!(
        cache.project_impact(&t.db, id, &filters, now_ms),
        cache.project_impact(&t.db, id, &filters, now_ms)
    );
    let (first, beside) = (first.unwrap(), beside.unwrap());
    assert!(
        Arc::ptr_eq(&first, &beside),
        "two views at once share one computation"
    );
    let again = cache
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "the unchanged project's report is reused"
    );

    add_a_minute_of_queue(&t.db, id).await;
    let lagging = cache
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    assert!(
        Arc::ptr_eq(&first, &lagging),
        "until the rollups catch up, the report lags too"
    );

    strata_core::store::rollups::refresh_all(&t.db)
        .await
        .unwrap();
    let fresh = cache
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    assert!(!Arc::ptr_eq(&first, &fresh));
    assert_eq!(
        *fresh,
        project_impact(&t.db, id, &filters, now_ms).await.unwrap()
    );
    let queue = |r: &ImpactReport| {
        r.phases
            .iter()
            .find(|p| p.phase == strata_core::model::phase::PhaseKind::Queue)
            .map(|p| p.total_ms)
            .unwrap()
    };
    let (queued,): (i64,) = with_pool!(t.db.pool(), p => sqlx::query_as(
        "SELECT COUNT(*) FROM jobs WHERE project_id = $1 AND queued_duration_ms IS NOT NULL")
        .bind(id).fetch_one(p).await.unwrap());
    let added = queue(&fresh) - queue(&first);
    assert!(
        queued > 100 && (added - 60_000.0 * queued as f64).abs() < 1.0,
        "one more minute of queue per job with a queue time: {added} ms over {queued} jobs"
    );
}

/// The warmer computes the default view's report of every project the cache lacks, once; the
/// next request is served that report, and the next day (a new window) needs new ones.
async fn default_view_filled_ahead(t: TestDb) {
    use strata_core::read::impact::{memo::ReportCache, warm::fill_default_view};
    let (id, _, now_ms) = first_scenario_loaded(&t.db).await;
    let (projects,): (i64,) = with_pool!(t.db.pool(), p =>
        sqlx::query_as("SELECT COUNT(*) FROM projects").fetch_one(p).await.unwrap());
    assert!(projects >= 5, "{projects}");
    let default = Filters::default();
    let computed_ahead = project_impact(&t.db, id, &default, now_ms).await.unwrap();
    assert!(computed_ahead.jobs > 0, "the default window holds jobs");

    let cache = ReportCache::default();
    let filled = fill_default_view(&t.db, &cache, now_ms).await.unwrap();
    assert_eq!(filled as i64, projects);
    assert_eq!(
        fill_default_view(&t.db, &cache, now_ms).await.unwrap(),
        0,
        "reports held are not computed again"
    );

    // Jobs change but the rollups (and so the data version) have not caught up: a report
    // computed now would differ, the one filled ahead is what the request gets.
    add_a_minute_of_queue(&t.db, id).await;
    let served = cache
        .project_impact(&t.db, id, &default, now_ms)
        .await
        .unwrap();
    assert_eq!(*served, computed_ahead);
    assert_ne!(
        *served,
        project_impact(&t.db, id, &default, now_ms).await.unwrap()
    );

    assert_eq!(
        fill_default_view(&t.db, &cache, now_ms + DAY_MS)
            .await
            .unwrap() as i64,
        projects,
        "a new day's window is a new scope"
    );
}

/// The demo loaded; the first scenario's project id, with the whole window and its "now".
async fn first_scenario_loaded(db: &Db) -> (i64, Filters, i64) {
    let dataset = dataset();
    store_load::load(db, &dataset).await.unwrap();
    let id = project_id(db, dataset.ground_truth()[0].project()).await;
    (id, filters(&dataset), dataset.now_us() / 1_000)
}

/// A minute more queue for every job of the project, as a sync would store it (the days it
/// touched marked for the rollup refresher, which bumps the project's data version).
async fn add_a_minute_of_queue(db: &Db, id: i64) {
    let mut tx = db.begin().await.unwrap();
    strata_core::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE jobs SET queued_duration_ms = queued_duration_ms + 60000 WHERE project_id = $1")
            .bind(id).execute(&mut *c).await.unwrap();
        sqlx::query("INSERT INTO rollup_dirty (project_id, day) SELECT DISTINCT project_id, created_at_ms / 86400000 FROM jobs WHERE project_id = $1")
            .bind(id).execute(&mut *c).await.unwrap();
    });
    tx.commit().await.unwrap();
}

/// With a `max_stale`, new data does not make the next view wait: it gets the earlier report
/// while the current one is computed in the background, which then takes its place. A report
/// older than `max_stale` is not served: the current one is computed first.
async fn stale_while_recomputed(t: TestDb) {
    use std::{
        sync::Arc,
        time::{Duration, Instant},
    };
    use strata_core::read::impact::memo::ReportCache;
    let (id, filters, now_ms) = first_scenario_loaded(&t.db).await;

    let cache = ReportCache::new(Duration::from_secs(600)).recomputing_every(Duration::ZERO);
    let first = cache
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    add_a_minute_of_queue(&t.db, id).await;
    strata_core::store::rollups::refresh_all(&t.db)
        .await
        .unwrap();
    let served = cache
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    assert!(
        Arc::ptr_eq(&first, &served),
        "the earlier report is served at once"
    );
    let current = project_impact(&t.db, id, &filters, now_ms).await.unwrap();
    assert_ne!(
        *first, current,
        "the change shows in a report computed afresh"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let replaced = loop {
        let report = cache
            .project_impact(&t.db, id, &filters, now_ms)
            .await
            .unwrap();
        if !Arc::ptr_eq(&first, &report) {
            break report;
        }
        assert!(
            Instant::now() < deadline,
            "the background computation never replaced the report"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(*replaced, current);

    let strict = ReportCache::new(Duration::from_millis(1));
    let before = strict
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    add_a_minute_of_queue(&t.db, id).await;
    strata_core::store::rollups::refresh_all(&t.db)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let after = strict
        .project_impact(&t.db, id, &filters, now_ms)
        .await
        .unwrap();
    assert!(
        !Arc::ptr_eq(&before, &after),
        "a report past max_stale is not served"
    );
    assert_eq!(
        *after,
        project_impact(&t.db, id, &filters, now_ms).await.unwrap()
    );
}
