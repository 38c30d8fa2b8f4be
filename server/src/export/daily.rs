//! `daily.csv`: the `job_daily` rollup folded into one record per project, job name and UTC
//! day (`strata_core::read::export::daily`), written as CSV.

use futures::TryStreamExt;
use strata_core::{
    bind_args,
    db::Db,
    model::phase_durations::{PhaseDurations, concat},
    read::export::{
        daily::{DailyFold, DailyRecord, DailyRow, query},
        scope::Scope,
    },
    with_pool,
};

use super::{ExportError, cells::RecordWriter, sink::CsvSink};

pub const HEADER: [&str; 32] = concat(
    "",
    [
        "project_id",
        "project_path",
        "day",
        "job_name",
        "runs",
        "success_runs",
        "failed_runs",
        "timed_runs",
        "p50_ms",
        "p95_ms",
        "total_duration_ms",
        "queued_ms",
        "analysed_runs",
    ],
    PhaseDurations::COLUMNS,
    [
        "cache_hits",
        "cache_misses",
        "cache_hit_rate",
        "artifact_download_bytes",
        "artifact_upload_bytes",
        "docker_builds",
        "docker_steps",
        "docker_cached_steps",
        "cached_step_ratio",
    ],
);

/// One record as a CSV row, in [`HEADER`] order.
fn write_record(r: &DailyRecord, out: &mut RecordWriter) -> csv::Result<()> {
    out.int(Some(r.project_id))?;
    out.text(Some(&r.project_path))?;
    out.day(r.day_number())?;
    out.text(Some(&r.job_name))?;
    for v in [r.runs, r.success_runs, r.failed_runs, r.timed_runs] {
        out.int(Some(v))?;
    }
    out.int(r.p50_ms)?;
    out.int(r.p95_ms)?;
    for v in [r.total_duration_ms, r.queued_ms, r.analysed_runs]
        .into_iter()
        .chain(r.phases.values())
        .chain([r.cache_hits, r.cache_misses])
    {
        out.int(Some(v))?;
    }
    out.float(r.cache_hit_rate)?;
    for v in [
        r.artifact_download_bytes,
        r.artifact_upload_bytes,
        r.docker_builds,
        r.docker_steps,
        r.docker_cached_steps,
    ] {
        out.int(Some(v))?;
    }
    out.float(r.cached_step_ratio)
}

/// Write the header and one record per project, job name and day.
#[tracing::instrument(skip_all, fields(project = ?scope.filters.project))]
pub async fn write(
    db: &Db,
    scope: &Scope,
    days: (i64, i64),
    sink: &mut CsvSink,
) -> Result<(), ExportError> {
    sink.out.header(HEADER)?;
    let (sql, args) = query(scope, days, None);
    let mut fold = DailyFold::default();
    with_pool!(db.pool(), pool => {
        let mut rows = bind_args!(sqlx::query_as::<_, DailyRow>(&sql), &args).fetch(pool);
        while let Some(row) = rows.try_next().await? {
            if let Some(record) = fold.push(row) {
                write_record(&record, &mut sink.out)?;
                sink.end_row().await?;
            }
        }
    });
    if let Some(record) = fold.finish() {
        write_record(&record, &mut sink.out)?;
        sink.end_row().await?;
    }
    Ok(())
}
