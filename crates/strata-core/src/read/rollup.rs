//! Reading the daily rollups back: sums, sketches and ratios per group.

use std::collections::BTreeMap;

use rusqlite::Row;
use sqlx::{postgres::PgRow, sqlite::SqliteRow};

use crate::{
    bind_args,
    db::{Db, rows},
    model::{
        filters::Filters,
        phase::PhaseKind,
        phase_durations::PhaseDurations,
        time::{Percentiles, PhaseTimes, Ratio},
    },
    read::sql::{Arg, Conditions},
    stats::sketch::DurationSketch,
    with_pool,
};

/// The `job_daily` columns summed by [`job_totals`], in [`JobTotals`] field order.
const JOB_SUM_SQL: &str = "
    CAST(SUM(d.runs) AS BIGINT) AS runs, CAST(SUM(d.duration_ms) AS BIGINT) AS duration_ms, CAST(SUM(d.queued_ms) AS BIGINT) AS queued_ms,
    CAST(SUM(d.analysed_runs) AS BIGINT) AS analysed_runs, CAST(SUM(d.analysed_duration_ms) AS BIGINT) AS analysed_duration_ms,
    CAST(SUM(d.analysed_queued_ms) AS BIGINT) AS analysed_queued_ms, CAST(SUM(d.prepare_ms) AS BIGINT) AS prepare_ms, CAST(SUM(d.sources_ms) AS BIGINT) AS sources_ms,
    CAST(SUM(d.cache_restore_ms) AS BIGINT) AS cache_restore_ms, CAST(SUM(d.artifact_download_ms) AS BIGINT) AS artifact_download_ms,
    CAST(SUM(d.script_ms) AS BIGINT) AS script_ms, CAST(SUM(d.docker_build_ms) AS BIGINT) AS docker_build_ms, CAST(SUM(d.cache_archive_ms) AS BIGINT) AS cache_archive_ms,
    CAST(SUM(d.artifact_upload_ms) AS BIGINT) AS artifact_upload_ms, CAST(SUM(d.cleanup_ms) AS BIGINT) AS cleanup_ms, CAST(SUM(d.other_ms) AS BIGINT) AS other_ms,
    CAST(SUM(d.cache_hits) AS BIGINT) AS cache_hits, CAST(SUM(d.cache_misses) AS BIGINT) AS cache_misses,
    CAST(SUM(d.artifact_download_bytes) AS BIGINT) AS artifact_download_bytes, CAST(SUM(d.artifact_upload_bytes) AS BIGINT) AS artifact_upload_bytes,
    CAST(SUM(d.docker_builds) AS BIGINT) AS docker_builds, CAST(SUM(d.docker_steps) AS BIGINT) AS docker_steps, CAST(SUM(d.docker_cached_steps) AS BIGINT) AS docker_cached_steps,
    CAST(SUM(d.timed_runs) AS BIGINT) AS timed_runs";

/// Job sums over a group of `job_daily` rows.
#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct JobTotals {
    pub runs: i64,
    pub duration_ms: i64,
    pub queued_ms: i64,
    pub analysed_runs: i64,
    pub analysed_duration_ms: i64,
    pub analysed_queued_ms: i64,
    #[sqlx(flatten)]
    pub phases: PhaseDurations,
    pub cache_hits: i64,
    pub cache_misses: i64,
    pub artifact_download_bytes: i64,
    pub artifact_upload_bytes: i64,
    pub docker_builds: i64,
    pub docker_steps: i64,
    pub docker_cached_steps: i64,
    /// Runs with a known duration: the jobs that ran (and so have a log).
    pub timed_runs: i64,
}

impl JobTotals {
    /// Phase times of the analysed jobs, with their queue time; run time the log did not
    /// account for goes to `other`.
    pub fn phase_times(&self) -> PhaseTimes {
        let unaccounted = (self.analysed_duration_ms - self.phases.total()).max(0);
        let ms = PhaseKind::ALL
            .into_iter()
            .map(|phase| {
                let value = match phase {
                    PhaseKind::Queue => self.analysed_queued_ms,
                    PhaseKind::Other => self.phases.other_ms + unaccounted,
                    phase => self.phases.get(phase).unwrap_or(0),
                };
                (phase, value)
            })
            .collect();
        PhaseTimes {
            jobs: self.analysed_runs,
            ms,
        }
    }

    pub fn cache_hits(&self) -> Ratio {
        Ratio {
            part: self.cache_hits,
            whole: self.cache_hits + self.cache_misses,
        }
    }

    pub fn docker_cached_steps(&self) -> Ratio {
        Ratio {
            part: self.docker_cached_steps,
            whole: self.docker_steps,
        }
    }

    /// Jobs with an analysed log, of the jobs that ran: a skipped or manual job, or one
    /// cancelled before it started, has no log to analyse and is not counted as missing one.
    pub fn analysed(&self) -> Ratio {
        Ratio {
            part: self.analysed_runs,
            whole: self.timed_runs.max(self.analysed_runs),
        }
    }
}

/// What rollup rows can be grouped by: an integer column (`d.project_id`, `d.day`) or a text
/// one (`d.job_name`). The group is read as text and parsed back, so one query shape serves
/// both on both backends.
pub trait GroupKey: Ord + Clone + Sized {
    fn from_text(text: String) -> Option<Self>;
}

impl GroupKey for i64 {
    fn from_text(text: String) -> Option<Self> {
        text.parse().ok()
    }
}

impl GroupKey for String {
    fn from_text(text: String) -> Option<Self> {
        Some(text)
    }
}

/// Sum the job rollups over the window and filters, grouped by `group_by` (a column of `d`).
///
/// Reads `project_job_daily` (`job_daily` summed over job names, a fraction of its rows)
/// unless the grouping or the filters need the job name.
pub async fn job_totals_by<K: GroupKey>(
    db: &Db,
    group_by: &str,
    filters: &Filters,
    days: (i64, i64),
) -> sqlx::Result<BTreeMap<K, JobTotals>> {
    let table = if filters.job.is_some() || group_by.contains("job_name") {
        "job_daily"
    } else {
        "project_job_daily"
    };
    grouped_totals(db, table, group_by, filters, days).await
}

async fn grouped_totals<K: GroupKey>(
    db: &Db,
    table: &str,
    group_by: &str,
    filters: &Filters,
    days: (i64, i64),
) -> sqlx::Result<BTreeMap<K, JobTotals>> {
    let c = Conditions::rollup("d", filters, days, table == "job_daily");
    let sql = format!(
        "SELECT CAST({group_by} AS TEXT) AS g, {JOB_SUM_SQL} FROM {table} d {} GROUP BY {group_by}",
        c.where_sql()
    );
    let rows: Vec<GroupedTotals> = read_rows(db, sql, c.args, grouped_totals_row).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((K::from_text(r.g)?, r.totals)))
        .collect())
}

#[derive(sqlx::FromRow)]
struct GroupedTotals {
    g: String,
    #[sqlx(flatten)]
    totals: JobTotals,
}

/// A [`GroupedTotals`] row read through rusqlite: the group, then [`JOB_SUM_SQL`]'s columns.
fn grouped_totals_row(r: &Row<'_>) -> rusqlite::Result<GroupedTotals> {
    let sum = |i: usize| r.get::<_, i64>(i);
    Ok(GroupedTotals {
        g: r.get(0)?,
        totals: JobTotals {
            runs: sum(1)?,
            duration_ms: sum(2)?,
            queued_ms: sum(3)?,
            analysed_runs: sum(4)?,
            analysed_duration_ms: sum(5)?,
            analysed_queued_ms: sum(6)?,
            phases: PhaseDurations::try_from_fn({
                let mut column = 7;
                move |_| {
                    column += 1;
                    sum(column - 1)
                }
            })?,
            cache_hits: sum(17)?,
            cache_misses: sum(18)?,
            artifact_download_bytes: sum(19)?,
            artifact_upload_bytes: sum(20)?,
            docker_builds: sum(21)?,
            docker_steps: sum(22)?,
            docker_cached_steps: sum(23)?,
            timed_runs: sum(24)?,
        },
    })
}

/// Every row of `sql`: through the SQLite reader on a SQLite file, else through sqlx.
///
/// A month of rollups is 10,000s of small rows (one per project, day, ref, source and status;
/// feature branches multiply them), and sqlx's SQLite driver costs several times SQLite's own
/// work per row (see [`SqliteReader`](crate::db::SqliteReader)); rusqlite reads them in place.
async fn read_rows<T>(
    db: &Db,
    sql: String,
    args: Vec<Arg>,
    sqlite_row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> sqlx::Result<Vec<T>>
where
    T: Send + Unpin + 'static,
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
{
    if let Some(reader) = db.sqlite_reader() {
        return reader
            .read(move |conn| rows(conn, &sql, &args, sqlite_row))
            .await;
    }
    with_pool!(db.pool(), p => bind_args!(sqlx::query_as::<_, T>(&sql), &args).fetch_all(p).await)
}

/// Merged duration sketches per group, from `pipeline_daily` (`table = Pipelines`) or
/// `job_daily`, with the number of runs and of successful and finished runs.
pub async fn sketches_by<K: GroupKey>(
    db: &Db,
    table: Table,
    group_by: &str,
    filters: &Filters,
    days: (i64, i64),
) -> sqlx::Result<BTreeMap<K, GroupSketch>> {
    let with_job = matches!(table, Table::Jobs);
    let c = Conditions::rollup("d", filters, days, with_job);
    let sql = format!(
        "SELECT CAST({group_by} AS TEXT) AS g, d.status, d.runs, d.duration_sketch FROM {} d {}",
        table.name(),
        c.where_sql()
    );
    let rows: Vec<(String, String, i64, String)> = read_rows(db, sql, c.args, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .await?;
    let mut groups: BTreeMap<K, GroupSketch> = BTreeMap::new();
    for (g, status, runs, sketch) in rows {
        if let Some(key) = K::from_text(g) {
            groups.entry(key).or_default().add(&status, runs, &sketch);
        }
    }
    Ok(groups)
}

#[derive(Clone, Copy, Debug)]
pub enum Table {
    Pipelines,
    Jobs,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Pipelines => "pipeline_daily",
            Table::Jobs => "job_daily",
        }
    }
}

/// Durations and outcomes of a group of runs.
#[derive(Clone, Debug, Default)]
pub struct GroupSketch {
    pub runs: i64,
    pub success: i64,
    pub finished: i64,
    pub sketch: DurationSketch,
}

impl GroupSketch {
    fn add(&mut self, status: &str, runs: i64, sketch: &str) {
        self.runs += runs;
        if matches!(status, "success" | "failed" | "canceled") {
            self.finished += runs;
        }
        if status == "success" {
            self.success += runs;
        }
        match DurationSketch::decode(sketch) {
            Some(s) => self.sketch.merge(&s),
            None => tracing::warn!(sketch, "unreadable duration sketch in a rollup row"),
        }
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles {
            count: self.sketch.count() as i64,
            p50_ms: self.sketch.quantile(0.5),
            p95_ms: self.sketch.quantile(0.95),
        }
    }

    pub fn success(&self) -> Ratio {
        Ratio {
            part: self.success,
            whole: self.finished,
        }
    }
}
