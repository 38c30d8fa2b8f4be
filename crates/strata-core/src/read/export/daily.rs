//! `daily`: per project, job name and UTC day, from the `job_daily` rollup. The rollup keeps
//! one row per ref, source and status too; those rows arrive next to each other (the query
//! follows the table's key) and are folded into one record, their duration sketches merged,
//! so memory holds one group at a time. The CSV report and `GET /api/v1/daily` both serialise
//! these records.

use serde::Serialize;
use utoipa::ToSchema;

use super::scope::Scope;
use crate::{
    model::{filters::format_day, phase_durations::PhaseDurations},
    read::sql::{Arg, Conditions},
    stats::sketch::DurationSketch,
};

/// One `job_daily` row.
#[derive(sqlx::FromRow)]
pub struct DailyRow {
    project_id: i64,
    project_path: String,
    day: i64,
    job_name: String,
    status: String,
    runs: i64,
    timed_runs: i64,
    duration_ms: i64,
    duration_sketch: String,
    queued_ms: i64,
    analysed_runs: i64,
    #[sqlx(flatten)]
    phases: PhaseDurations,
    cache_hits: i64,
    cache_misses: i64,
    artifact_download_bytes: i64,
    artifact_upload_bytes: i64,
    docker_builds: i64,
    docker_steps: i64,
    docker_cached_steps: i64,
}

/// A job name's day in one project.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct DailyRecord {
    pub project_id: i64,
    pub project_path: String,
    /// UTC day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub day: String,
    pub job_name: String,
    pub runs: i64,
    pub success_runs: i64,
    pub failed_runs: i64,
    /// Runs with a known duration (the percentiles are over these).
    pub timed_runs: i64,
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
    /// Summed duration of the timed runs.
    pub total_duration_ms: i64,
    pub queued_ms: i64,
    /// Runs whose log was analysed (the phase totals are over these).
    pub analysed_runs: i64,
    #[serde(flatten)]
    pub phases: PhaseDurations,
    pub cache_hits: i64,
    pub cache_misses: i64,
    /// Hits over hits and misses; absent without cache restores.
    pub cache_hit_rate: Option<f64>,
    pub artifact_download_bytes: i64,
    pub artifact_upload_bytes: i64,
    pub docker_builds: i64,
    pub docker_steps: i64,
    pub docker_cached_steps: i64,
    /// Cached Docker steps over all Docker steps; absent without Docker steps.
    pub cached_step_ratio: Option<f64>,
    #[serde(skip)]
    #[schema(ignore)]
    day_number: i64,
}

impl DailyRecord {
    /// The cursor key: rows come in this order.
    pub fn key(&self) -> (i64, i64, &str) {
        (self.project_id, self.day_number, &self.job_name)
    }

    /// The UTC day as days since the epoch.
    pub fn day_number(&self) -> i64 {
        self.day_number
    }
}

/// Folds rollup rows into records, one group at a time.
#[derive(Default)]
pub struct DailyFold {
    current: Option<(DailyRecord, DurationSketch)>,
}

impl DailyFold {
    /// Add a row; returns the previous group when this row starts a new one.
    pub fn push(&mut self, row: DailyRow) -> Option<DailyRecord> {
        let same = self.current.as_ref().is_some_and(|(r, _)| {
            (r.project_id, r.day_number, r.job_name.as_str())
                == (row.project_id, row.day, row.job_name.as_str())
        });
        let done = if same { None } else { self.finish() };
        let (record, sketch) = self.current.get_or_insert_with(|| {
            (
                DailyRecord {
                    project_id: row.project_id,
                    project_path: row.project_path.clone(),
                    day: format_day(row.day),
                    job_name: row.job_name.clone(),
                    day_number: row.day,
                    ..DailyRecord::default()
                },
                DurationSketch::new(),
            )
        });
        record.add(&row);
        match DurationSketch::decode(&row.duration_sketch) {
            Some(s) => sketch.merge(&s),
            None => tracing::warn!(
                project_id = row.project_id,
                day = row.day,
                "unreadable duration sketch in job_daily"
            ),
        }
        done
    }

    /// The last group, complete.
    pub fn finish(&mut self) -> Option<DailyRecord> {
        let (mut record, sketch) = self.current.take()?;
        record.p50_ms = sketch.quantile(0.5).map(|v| v.round() as i64);
        record.p95_ms = sketch.quantile(0.95).map(|v| v.round() as i64);
        record.cache_hit_rate = ratio(record.cache_hits, record.cache_hits + record.cache_misses);
        record.cached_step_ratio = ratio(record.docker_cached_steps, record.docker_steps);
        Some(record)
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl DailyRecord {
    fn add(&mut self, r: &DailyRow) {
        self.runs += r.runs;
        match r.status.as_str() {
            "success" => self.success_runs += r.runs,
            "failed" => self.failed_runs += r.runs,
            _ => {}
        }
        self.timed_runs += r.timed_runs;
        self.total_duration_ms += r.duration_ms;
        self.queued_ms += r.queued_ms;
        self.analysed_runs += r.analysed_runs;
        self.phases.add(&r.phases);
        self.cache_hits += r.cache_hits;
        self.cache_misses += r.cache_misses;
        self.artifact_download_bytes += r.artifact_download_bytes;
        self.artifact_upload_bytes += r.artifact_upload_bytes;
        self.docker_builds += r.docker_builds;
        self.docker_steps += r.docker_steps;
        self.docker_cached_steps += r.docker_cached_steps;
    }
}

/// The rollup rows of `scope` over UTC days `days`, in group order, optionally after a
/// cursor key `(project_id, day, job_name)`.
pub fn query(
    scope: &Scope,
    days: (i64, i64),
    after: Option<(i64, i64, String)>,
) -> (String, Vec<Arg>) {
    let mut c = Conditions::rollup("d", &scope.filters, days, true);
    if let Some((project, day, name)) = after {
        // Row-value comparison (SQLite ≥ 3.15, PostgreSQL) follows the primary key's order.
        let first = c.args.len() + 1;
        c.args
            .extend([Arg::Int(project), Arg::Int(day), Arg::Text(name)]);
        c.push_raw(&format!(
            "(d.project_id, d.day, d.job_name) > (${first}, ${}, ${})",
            first + 1,
            first + 2
        ));
    }
    let sql = format!(
        "SELECT d.project_id, pr.path AS project_path, d.day, d.job_name, d.status, d.runs, d.timed_runs,
            d.duration_ms, d.duration_sketch, d.queued_ms, d.analysed_runs, d.prepare_ms, d.sources_ms,
            d.cache_restore_ms, d.artifact_download_ms, d.script_ms, d.docker_build_ms, d.cache_archive_ms,
            d.artifact_upload_ms, d.cleanup_ms, d.other_ms, d.cache_hits, d.cache_misses,
            d.artifact_download_bytes, d.artifact_upload_bytes, d.docker_builds, d.docker_steps,
            d.docker_cached_steps
         FROM job_daily d JOIN projects pr ON pr.id = d.project_id {}
         ORDER BY d.project_id, d.day, d.job_name",
        c.where_sql()
    );
    (sql, c.args)
}
