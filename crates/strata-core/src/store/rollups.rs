//! Daily rollups: per project, day, job name, ref, source and status, the sums and duration
//! sketches that dashboards read instead of scanning jobs.
//!
//! Ingest only marks a project-day dirty (appends a row to `rollup_dirty` in the transaction
//! that changes a job or pipeline); the refresher recomputes dirty days from the raw rows. A
//! rollup is therefore always a pure function of the jobs and pipelines it covers — no delta
//! arithmetic to get wrong — and lags ingest by at most one refresh interval.
//!
//! Each day is refreshed in one transaction that reads the marks, the raw rows and deletes
//! exactly the marks it read, all in one snapshot (SQLite: the writer lock; PostgreSQL:
//! REPEATABLE READ). A change committed meanwhile leaves its own mark for the next round.
//!
//! Sums saturate, over values clamped as ingest clamps them ([`super::sanitize`]), so rows
//! stored before that clamping cannot overflow a rollup either. A day that still fails is set
//! aside in `rollup_failed` (logged, and shown by `/metrics`) so the days after it refresh;
//! it is tried again when its data changes, or after [`RETRY_SET_ASIDE_AFTER_MS`].

use std::collections::BTreeMap;

use crate::{
    db::{Backend, Db, Tx},
    model::{
        filters::DAY_MS,
        phase_durations::{PhaseDurations, concat},
    },
    stats::sketch::DurationSketch,
    with_pool, with_tx,
};

use super::sanitize::{MAX_BYTES, MAX_DURATION_MS};

/// A day set aside is tried again after an hour, in case its failure was passing.
pub const RETRY_SET_ASIDE_AFTER_MS: i64 = 3_600_000;

/// Mark the days a pipeline and its jobs fall on as needing a refresh.
pub async fn mark_pipeline(tx: &mut Tx, pipeline_id: i64) -> sqlx::Result<()> {
    const SQL: &str = "
        INSERT INTO rollup_dirty (project_id, day)
        SELECT DISTINCT project_id, day FROM (
            SELECT project_id, created_at_ms / 86400000 AS day FROM pipelines
            WHERE id = $1 AND created_at_ms IS NOT NULL
            UNION
            SELECT j.project_id, COALESCE(j.created_at_ms, p.created_at_ms) / 86400000 AS day
            FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
            WHERE j.pipeline_id = $1 AND COALESCE(j.created_at_ms, p.created_at_ms) IS NOT NULL
        ) days";
    with_tx!(tx, c => sqlx::query(SQL).bind(pipeline_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Mark the day a job falls on as needing a refresh.
pub async fn mark_job(tx: &mut Tx, job_id: i64) -> sqlx::Result<()> {
    mark_jobs(tx, &[job_id]).await
}

/// Mark the days several jobs fall on as needing a refresh.
pub async fn mark_jobs(tx: &mut Tx, job_ids: &[i64]) -> sqlx::Result<()> {
    const SQL: &str = "
        INSERT INTO rollup_dirty (project_id, day)
        SELECT DISTINCT j.project_id, COALESCE(j.created_at_ms, p.created_at_ms) / 86400000
        FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
        WHERE COALESCE(j.created_at_ms, p.created_at_ms) IS NOT NULL AND j.id";
    super::execute_for_ids(tx, SQL, job_ids).await?;
    Ok(())
}

/// Refresh up to `limit` dirty project-days; returns how many were refreshed.
///
/// Days before `first_kept_day` (the retention boundary) are never recomputed: their raw
/// rows may be purged, and their rollups must survive that. Their marks are dropped.
#[tracing::instrument(skip(db))]
pub async fn refresh_dirty(
    db: &Db,
    limit: i64,
    first_kept_day: Option<i64>,
) -> sqlx::Result<usize> {
    if let Some(first) = first_kept_day {
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, c => sqlx::query("DELETE FROM rollup_dirty WHERE day < $1")
            .bind(first).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
    }
    const DIRTY: &str =
        "SELECT DISTINCT project_id, day FROM rollup_dirty ORDER BY project_id, day LIMIT $1";
    let dirty: Vec<(i64, i64)> =
        with_pool!(db.pool(), p => sqlx::query_as(DIRTY).bind(limit).fetch_all(p).await)?;
    let mut refreshed = 0;
    let mut changed_projects = Vec::new();
    for &(project_id, day) in &dirty {
        match refresh_day(db, project_id, day).await {
            Ok(true) => {
                refreshed += 1;
                if changed_projects.last() != Some(&project_id) {
                    changed_projects.push(project_id);
                }
            }
            Ok(false) => {}
            // The database itself is unreachable: every day would fail, so stop the round.
            Err(err) if is_connection_error(&err) => return Err(err),
            Err(err) => set_aside(db, project_id, day, &err).await?,
        }
    }
    bump_data_versions(db, &changed_projects).await?;
    Ok(refreshed)
}

fn is_connection_error(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_)
    )
}

/// Move a day that cannot be refreshed out of the way: its marks go, a row in
/// `rollup_failed` says why. New data for the day marks it dirty again.
async fn set_aside(db: &Db, project_id: i64, day: i64, err: &sqlx::Error) -> sqlx::Result<()> {
    tracing::error!(project_id, day, error = %err, "cannot refresh this day's rollup; set aside, the other days go on");
    const FORGET_MARKS: &str = "DELETE FROM rollup_dirty WHERE project_id = $1 AND day = $2";
    const RECORD: &str = "
        INSERT INTO rollup_failed (project_id, day, error, failed_ms) VALUES ($1, $2, $3, $4)
        ON CONFLICT (project_id, day) DO UPDATE SET error = excluded.error, failed_ms = excluded.failed_ms";
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => {
        sqlx::query(FORGET_MARKS).bind(project_id).bind(day).execute(&mut *c).await?;
        sqlx::query(RECORD).bind(project_id).bind(day).bind(err.to_string()).bind(now_ms).execute(&mut *c).await?;
    });
    tx.commit().await
}

/// Days set aside more than [`RETRY_SET_ASIDE_AFTER_MS`] ago are marked dirty again (the
/// refresher calls this each round; the table is empty unless something failed).
pub async fn retry_set_aside(db: &Db, now_ms: i64) -> sqlx::Result<u64> {
    const DUE: &str = "SELECT project_id, day FROM rollup_failed WHERE failed_ms <= $1";
    let due: Vec<(i64, i64)> = with_pool!(db.pool(), p => sqlx::query_as(DUE)
        .bind(now_ms - RETRY_SET_ASIDE_AFTER_MS).fetch_all(p).await)?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for &(project_id, day) in &due {
        with_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO rollup_dirty (project_id, day) VALUES ($1, $2)")
                .bind(project_id).bind(day).execute(&mut *c).await?;
            sqlx::query("DELETE FROM rollup_failed WHERE project_id = $1 AND day = $2")
                .bind(project_id).bind(day).execute(&mut *c).await?;
        });
    }
    tx.commit().await?;
    Ok(due.len() as u64)
}

/// How many project-days are set aside now (for `/metrics`).
pub async fn set_aside_days(db: &Db) -> sqlx::Result<i64> {
    with_pool!(db.pool(), p => sqlx::query_scalar("SELECT COUNT(*) FROM rollup_failed").fetch_one(p).await)
}

/// Tell readers of raw rows that these projects changed (`projects.data_version`). In a
/// transaction of its own after the days' commits, so concurrent refreshers on PostgreSQL
/// (REPEATABLE READ) never conflict over the project row, and a report computed from the new
/// rows before this bump is merely computed once more.
async fn bump_data_versions(db: &Db, projects: &[i64]) -> sqlx::Result<()> {
    if projects.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    super::execute_for_ids(
        &mut tx,
        "UPDATE projects SET data_version = data_version + 1 WHERE id",
        projects,
    )
    .await?;
    tx.commit().await
}

/// Refresh until nothing is dirty (after a bulk load, and in tests).
pub async fn refresh_all(db: &Db) -> sqlx::Result<usize> {
    refresh_all_kept(db, None).await
}

/// [`refresh_all`] that leaves days before `first_kept_day` alone.
pub async fn refresh_all_kept(db: &Db, first_kept_day: Option<i64>) -> sqlx::Result<usize> {
    let mut total = 0;
    loop {
        let done = refresh_dirty(db, 500, first_kept_day).await?;
        if done == 0 {
            return Ok(total);
        }
        total += done;
    }
}

#[derive(sqlx::FromRow)]
struct JobFacts {
    job_name: String,
    git_ref: String,
    source: String,
    status: String,
    duration_ms: Option<i64>,
    queued_ms: Option<i64>,
    analysed: bool,
    #[sqlx(flatten)]
    phases: PhaseDurations,
    cache_restores: i64,
    cache_hits: i64,
    cache_misses: i64,
    artifact_download_bytes: i64,
    artifact_upload_bytes: i64,
    docker_builds: i64,
    docker_steps: i64,
    docker_cached_steps: i64,
}

/// The summed columns of `job_daily`, in table order after the key and the sketch.
const JOB_SUMS: [&str; 25] = concat(
    "",
    [
        "runs",
        "timed_runs",
        "duration_ms",
        "queued_ms",
        "analysed_runs",
        "analysed_duration_ms",
        "analysed_queued_ms",
    ],
    PhaseDurations::COLUMNS,
    [
        "cache_restores",
        "cache_hits",
        "cache_misses",
        "artifact_download_bytes",
        "artifact_upload_bytes",
        "docker_builds",
        "docker_steps",
        "docker_cached_steps",
    ],
);

#[derive(Default)]
struct JobGroup {
    sums: [i64; JOB_SUMS.len()],
    sketch: DurationSketch,
}

impl JobGroup {
    fn add(&mut self, f: &JobFacts) {
        let ms = |v: i64| v.clamp(0, MAX_DURATION_MS);
        let size = |v: i64| v.clamp(0, MAX_BYTES);
        let duration_ms = f.duration_ms.map(ms);
        let duration = duration_ms.unwrap_or(0);
        let queued = f.queued_ms.map_or(0, ms);
        let analysed = i64::from(f.analysed);
        // Typed with the column count, so a column added to one list and not the other fails
        // to compile instead of shifting every sum.
        let values: [i64; JOB_SUMS.len()] = concat(
            0,
            [
                1,
                i64::from(duration_ms.is_some()),
                duration,
                queued,
                analysed,
                duration * analysed,
                queued * analysed,
            ],
            f.phases.values().map(ms),
            [
                f.cache_restores,
                f.cache_hits,
                f.cache_misses,
                size(f.artifact_download_bytes),
                size(f.artifact_upload_bytes),
                f.docker_builds,
                f.docker_steps,
                f.docker_cached_steps,
            ],
        );
        self.add_sums(&values);
        if let Some(ms) = duration_ms {
            self.sketch.add(ms as f64);
        }
    }

    fn add_sums(&mut self, values: &[i64; JOB_SUMS.len()]) {
        for (sum, value) in self.sums.iter_mut().zip(values) {
            *sum = sum.saturating_add(*value);
        }
    }
}

/// `(git_ref, source, status, duration_ms, queued_ms)` of one pipeline.
type PipelineFacts = (String, String, String, Option<i64>, Option<i64>);

#[derive(Default)]
struct PipelineGroup {
    runs: i64,
    timed_runs: i64,
    duration_ms: i64,
    queued_ms: i64,
    sketch: DurationSketch,
}

/// Recompute one project-day. Returns false when another replica holds the refresh lock.
async fn refresh_day(db: &Db, project_id: i64, day: i64) -> sqlx::Result<bool> {
    let (start, end) = (day * DAY_MS, (day + 1) * DAY_MS);
    let mut tx = db.begin().await?;
    if tx.backend() == Backend::Postgres {
        let locked: bool = with_tx!(&mut tx, c => {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *c).await?;
            // One refresher per project-day across replicas; the others move on.
            sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1, $2)")
                .bind(ROLLUP_LOCK).bind((project_id ^ (day << 20)) as i32).fetch_one(&mut *c).await?
        });
        if !locked {
            return Ok(false);
        }
    }
    const MARKS: &str = "SELECT MAX(id) FROM rollup_dirty WHERE project_id = $1 AND day = $2";
    const JOBS: &str = "
        SELECT j.name AS job_name, COALESCE(p.git_ref, '') AS git_ref, COALESCE(p.source, '') AS source,
               j.status, j.duration_ms, j.queued_duration_ms AS queued_ms, m.job_id IS NOT NULL AS analysed,
               COALESCE(m.prepare_ms, 0) AS prepare_ms, COALESCE(m.sources_ms, 0) AS sources_ms,
               COALESCE(m.cache_restore_ms, 0) AS cache_restore_ms,
               COALESCE(m.artifact_download_ms, 0) AS artifact_download_ms, COALESCE(m.script_ms, 0) AS script_ms,
               COALESCE(m.docker_build_ms, 0) AS docker_build_ms, COALESCE(m.cache_archive_ms, 0) AS cache_archive_ms,
               COALESCE(m.artifact_upload_ms, 0) AS artifact_upload_ms, COALESCE(m.cleanup_ms, 0) AS cleanup_ms,
               COALESCE(m.other_ms, 0) AS other_ms, COALESCE(m.cache_restores, 0) AS cache_restores,
               COALESCE(m.cache_hits, 0) AS cache_hits, COALESCE(m.cache_misses, 0) AS cache_misses,
               COALESCE(m.artifact_download_bytes, 0) AS artifact_download_bytes,
               COALESCE(m.artifact_upload_bytes, 0) AS artifact_upload_bytes,
               COALESCE(m.docker_builds, 0) AS docker_builds, COALESCE(m.docker_steps, 0) AS docker_steps,
               COALESCE(m.docker_cached_steps, 0) AS docker_cached_steps
        FROM jobs j
        JOIN pipelines p ON p.id = j.pipeline_id
        LEFT JOIN job_metrics m ON m.job_id = j.id
        WHERE j.project_id = $1
          AND COALESCE(j.created_at_ms, p.created_at_ms) >= $2 AND COALESCE(j.created_at_ms, p.created_at_ms) < $3";
    const PIPELINES: &str = "
        SELECT COALESCE(git_ref, ''), COALESCE(source, ''), status, duration_ms, queued_duration_ms
        FROM pipelines WHERE project_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3";
    let (last_mark, jobs, pipelines): (Option<i64>, Vec<JobFacts>, Vec<PipelineFacts>) = with_tx!(&mut tx, c => {
        let last_mark = sqlx::query_scalar(MARKS).bind(project_id).bind(day).fetch_one(&mut *c).await?;
        let jobs = sqlx::query_as(JOBS).bind(project_id).bind(start).bind(end).fetch_all(&mut *c).await?;
        let pipelines = sqlx::query_as(PIPELINES).bind(project_id).bind(start).bind(end).fetch_all(&mut *c).await?;
        (last_mark, jobs, pipelines)
    });

    let mut job_groups: BTreeMap<(String, String, String, String), JobGroup> = BTreeMap::new();
    for facts in &jobs {
        let key = (
            facts.job_name.clone(),
            facts.git_ref.clone(),
            facts.source.clone(),
            facts.status.clone(),
        );
        job_groups.entry(key).or_default().add(facts);
    }
    let mut pipeline_groups: BTreeMap<(String, String, String), PipelineGroup> = BTreeMap::new();
    for (git_ref, source, status, duration, queued) in pipelines {
        let group = pipeline_groups
            .entry((git_ref, source, status))
            .or_default();
        let ms = |v: i64| v.clamp(0, MAX_DURATION_MS);
        group.runs += 1;
        group.queued_ms = group.queued_ms.saturating_add(queued.map_or(0, ms));
        if let Some(duration) = duration.map(ms) {
            group.timed_runs += 1;
            group.duration_ms = group.duration_ms.saturating_add(duration);
            group.sketch.add(duration as f64);
        }
    }

    let insert_job = format!(
        "INSERT INTO job_daily (project_id, day, job_name, git_ref, source, status, duration_sketch, {}) VALUES ({})",
        JOB_SUMS.join(", "),
        (1..=7 + JOB_SUMS.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // The same day summed over job names, for reads that group by project (the overview).
    // Summed here, saturating, rather than by SQL's SUM, which fails on overflow.
    let mut project_groups: BTreeMap<(&str, &str, &str), JobGroup> = BTreeMap::new();
    for ((_, git_ref, source, status), group) in &job_groups {
        project_groups
            .entry((git_ref, source, status))
            .or_default()
            .add_sums(&group.sums);
    }
    let insert_project_jobs = format!(
        "INSERT INTO project_job_daily (project_id, day, git_ref, source, status, {}) VALUES ({})",
        JOB_SUMS.join(", "),
        (1..=5 + JOB_SUMS.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    const INSERT_PIPELINE: &str = "
        INSERT INTO pipeline_daily (project_id, day, git_ref, source, status, runs, timed_runs, duration_ms, duration_sketch, queued_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

    with_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM job_daily WHERE project_id = $1 AND day = $2").bind(project_id).bind(day).execute(&mut *c).await?;
        sqlx::query("DELETE FROM project_job_daily WHERE project_id = $1 AND day = $2").bind(project_id).bind(day).execute(&mut *c).await?;
        sqlx::query("DELETE FROM pipeline_daily WHERE project_id = $1 AND day = $2").bind(project_id).bind(day).execute(&mut *c).await?;
        for ((job_name, git_ref, source, status), group) in &job_groups {
            let mut query = sqlx::query(&insert_job)
                .bind(project_id).bind(day).bind(job_name).bind(git_ref).bind(source).bind(status)
                .bind(group.sketch.encode());
            for sum in group.sums {
                query = query.bind(sum);
            }
            query.execute(&mut *c).await?;
        }
        for ((git_ref, source, status), group) in &project_groups {
            let mut query = sqlx::query(&insert_project_jobs)
                .bind(project_id).bind(day).bind(*git_ref).bind(*source).bind(*status);
            for sum in group.sums {
                query = query.bind(sum);
            }
            query.execute(&mut *c).await?;
        }
        for ((git_ref, source, status), g) in &pipeline_groups {
            sqlx::query(INSERT_PIPELINE)
                .bind(project_id).bind(day).bind(git_ref).bind(source).bind(status)
                .bind(g.runs).bind(g.timed_runs).bind(g.duration_ms).bind(g.sketch.encode()).bind(g.queued_ms)
                .execute(&mut *c).await?;
        }
        // Only the marks this snapshot saw: later changes keep theirs.
        sqlx::query("DELETE FROM rollup_dirty WHERE project_id = $1 AND day = $2 AND id <= $3")
            .bind(project_id).bind(day).bind(last_mark.unwrap_or(0)).execute(&mut *c).await?;
    });
    tx.commit().await?;
    Ok(true)
}

/// First key of the PostgreSQL advisory locks the refresher takes.
const ROLLUP_LOCK: i32 = 0x5354_5241; // "STRA"
