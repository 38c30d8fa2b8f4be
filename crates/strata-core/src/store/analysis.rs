//! Writing a job log's analysis: the detail tables (phases, cache and artifact operations,
//! Docker builds and steps), the job's one-row summary in `job_metrics`, and the job's
//! `trace_status`. Re-analysing a job replaces what was there.

use crate::{db::Tx, model::phase_durations::PhaseDurations, with_tx};

use super::{
    MAX_BINDS, execute_for_ids, rollups,
    sanitize::{optional_text, text},
};
use strata_joblog::{
    ArtifactDirection, CacheDirection, CacheOutcome, JobAnalysis, Phase, SCHEMA_VERSION,
};

/// The tables that hold a job's analysis, emptied before it is stored again.
const ANALYSIS_TABLES: [&str; 7] = [
    "job_phases",
    "cache_ops",
    "artifact_ops",
    "docker_steps",
    "docker_builds",
    "job_metrics",
    "job_traces",
];

/// Store `analysis` as the analysis of `job_id` (the job row must exist).
pub async fn save_analysis(
    tx: &mut Tx,
    job_id: i64,
    analysis: &JobAnalysis,
    now_ms: i64,
) -> sqlx::Result<()> {
    save_analyses(tx, &[(job_id, analysis)], now_ms).await
}

/// Store the analyses of several jobs (each job row must exist, each job at most once) with
/// one multi-row statement per table: the trace worker stores the logs that finish together
/// in one go, so the cost per log is a few rows rather than a dozen statements.
#[tracing::instrument(skip_all, fields(jobs = logs.len()))]
pub async fn save_analyses(
    tx: &mut Tx,
    logs: &[(i64, &JobAnalysis)],
    now_ms: i64,
) -> sqlx::Result<()> {
    if logs.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = logs.iter().map(|(id, _)| *id).collect();
    let traces: Vec<_> = logs
        .iter()
        .map(|(id, a)| {
            let warnings =
                serde_json::to_string(&warning_lines(a)).unwrap_or_else(|_| "[]".to_owned());
            (*id, &a.log, warnings)
        })
        .collect();
    let phases = numbered(logs, |a| &a.phases);
    let cache_ops = numbered(logs, |a| &a.cache_ops);
    let artifact_ops = numbered(logs, |a| &a.artifact_ops);
    let builds = numbered(logs, |a| &a.docker_builds);
    let steps: Vec<_> = builds
        .iter()
        .flat_map(|&(id, build_seq, b)| {
            b.steps
                .iter()
                .enumerate()
                .map(move |(seq, step)| (id, build_seq, seq as i64, step))
        })
        .collect();
    let metrics: Vec<_> = logs
        .iter()
        .map(|(id, a)| (*id, JobMetrics::of(a)))
        .collect();

    for table in ANALYSIS_TABLES {
        execute_for_ids(tx, &format!("DELETE FROM {table} WHERE job_id"), &ids).await?;
    }
    with_tx!(tx, c => {
        for chunk in traces.chunks(MAX_BINDS / 9) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO job_traces (job_id, analysed_ms, analyser_version, log_bytes, log_lines, span_ms, timestamped, truncated, warnings) ");
            q.push_values(chunk, |mut row, (id, log, warnings)| {
                row.push_bind(*id).push_bind(now_ms).push_bind(i64::from(SCHEMA_VERSION))
                    .push_bind(saturating(log.bytes)).push_bind(saturating(log.lines)).push_bind(log.span_ms)
                    .push_bind(log.timestamped).push_bind(log.truncated).push_bind(warnings.clone());
            });
            q.build().execute(&mut *c).await?;
        }
        for chunk in phases.chunks(MAX_BINDS / 6) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO job_phases (job_id, seq, phase, section, start_offset_ms, duration_ms) ");
            q.push_values(chunk, |mut row, &(id, seq, p)| {
                row.push_bind(id).push_bind(seq).push_bind(phase_key(p.phase)).push_bind(text(&p.section))
                    .push_bind(p.start_offset_ms).push_bind(p.duration_ms);
            });
            q.build().execute(&mut *c).await?;
        }
        for chunk in cache_ops.chunks(MAX_BINDS / 7) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO cache_ops (job_id, seq, direction, cache_key, outcome, size_bytes, duration_ms) ");
            q.push_values(chunk, |mut row, &(id, seq, op)| {
                row.push_bind(id).push_bind(seq).push_bind(enum_key(&op.direction)).push_bind(optional_text(&op.cache_key))
                    .push_bind(op.outcome.as_ref().map(enum_key).unwrap_or_else(|| "unknown".to_owned()))
                    .push_bind(op.size_bytes.map(saturating)).push_bind(op.duration_ms);
            });
            q.build().execute(&mut *c).await?;
        }
        for chunk in artifact_ops.chunks(MAX_BINDS / 11) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO artifact_ops (job_id, seq, direction, source_job_id, source_job_name, artifact_format, file_count, size_bytes, http_status, outcome, duration_ms) ");
            q.push_values(chunk, |mut row, &(id, seq, op)| {
                row.push_bind(id).push_bind(seq).push_bind(enum_key(&op.direction))
                    .push_bind(op.source_job_id.map(saturating)).push_bind(optional_text(&op.source_job_name))
                    .push_bind(optional_text(&op.artifact_format)).push_bind(op.file_count.map(saturating))
                    .push_bind(op.size_bytes.map(saturating)).push_bind(op.http_status.map(i64::from))
                    .push_bind(op.outcome.as_ref().map(enum_key).unwrap_or_else(|| "unknown".to_owned()))
                    .push_bind(op.duration_ms);
            });
            q.build().execute(&mut *c).await?;
        }
        for chunk in builds.chunks(MAX_BINDS / 8) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO docker_builds (job_id, seq, builder, stage_count, step_count, cached_steps, duration_ms, succeeded) ");
            q.push_values(chunk, |mut row, &(id, seq, build)| {
                row.push_bind(id).push_bind(seq).push_bind(enum_key(&build.builder)).push_bind(i64::from(build.stage_count))
                    .push_bind(i64::from(build.step_count)).push_bind(i64::from(build.cached_steps))
                    .push_bind(build.duration_ms).push_bind(build.succeeded);
            });
            q.build().execute(&mut *c).await?;
        }
        for chunk in steps.chunks(MAX_BINDS / 9) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO docker_steps (job_id, build_seq, seq, stage, step_index, step_total, instruction, cached, duration_ms) ");
            q.push_values(chunk, |mut row, &(id, build_seq, seq, step)| {
                row.push_bind(id).push_bind(build_seq).push_bind(seq).push_bind(optional_text(&step.stage))
                    .push_bind(step.step_index.map(i64::from)).push_bind(step.step_total.map(i64::from))
                    .push_bind(text(&step.instruction)).push_bind(step.cached).push_bind(step.duration_ms);
            });
            q.build().execute(&mut *c).await?;
        }
        for chunk in metrics.chunks(MAX_BINDS / 25) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO job_metrics (job_id, prepare_ms, sources_ms, cache_restore_ms, artifact_download_ms, script_ms,
                    docker_build_ms, cache_archive_ms, artifact_upload_ms, cleanup_ms, other_ms, cache_restores, cache_hits,
                    cache_misses, cache_restore_bytes, cache_archives, cache_archive_bytes, artifact_downloads,
                    artifact_download_bytes, artifact_uploads, artifact_upload_bytes, docker_builds, docker_steps,
                    docker_cached_steps, docker_failed_builds) ");
            q.push_values(chunk, |mut row, (id, m)| {
                row.push_bind(*id);
                for ms in m.phases.values() {
                    row.push_bind(ms);
                }
                row.push_bind(m.cache_restores).push_bind(m.cache_hits).push_bind(m.cache_misses)
                    .push_bind(m.cache_restore_bytes).push_bind(m.cache_archives).push_bind(m.cache_archive_bytes)
                    .push_bind(m.artifact_downloads).push_bind(m.artifact_download_bytes).push_bind(m.artifact_uploads)
                    .push_bind(m.artifact_upload_bytes).push_bind(m.docker_builds).push_bind(m.docker_steps)
                    .push_bind(m.docker_cached_steps).push_bind(m.docker_failed_builds);
            });
            q.build().execute(&mut *c).await?;
        }
    });
    execute_for_ids(
        tx,
        "UPDATE jobs SET trace_status = 'analysed' WHERE id",
        &ids,
    )
    .await?;
    rollups::mark_jobs(tx, &ids).await
}

/// Every job's items of one kind with their position in the job: `(job id, seq, item)`.
fn numbered<'a, T>(
    logs: &[(i64, &'a JobAnalysis)],
    items: impl Fn(&'a JobAnalysis) -> &'a [T],
) -> Vec<(i64, i64, &'a T)> {
    logs.iter()
        .flat_map(|&(id, a)| {
            items(a)
                .iter()
                .enumerate()
                .map(move |(seq, item)| (id, seq as i64, item))
        })
        .collect()
}

/// A job's analysis in one row: what `job_metrics` holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobMetrics {
    /// Time per phase (script time without the Docker builds inside it).
    pub phases: PhaseDurations,
    pub cache_restores: i64,
    pub cache_hits: i64,
    pub cache_misses: i64,
    pub cache_restore_bytes: i64,
    pub cache_archives: i64,
    pub cache_archive_bytes: i64,
    pub artifact_downloads: i64,
    pub artifact_download_bytes: i64,
    pub artifact_uploads: i64,
    pub artifact_upload_bytes: i64,
    pub docker_builds: i64,
    pub docker_steps: i64,
    pub docker_cached_steps: i64,
    pub docker_failed_builds: i64,
}

impl JobMetrics {
    pub fn of(a: &JobAnalysis) -> JobMetrics {
        let phase = |p: Phase| {
            a.phase_totals
                .iter()
                .filter(|t| t.phase == p)
                .map(|t| t.duration_ms)
                .sum::<i64>()
        };
        // A build's own time when the log has it, else the sum of its timed steps.
        let docker_build_ms: i64 = a
            .docker_builds
            .iter()
            .map(|b| {
                b.duration_ms
                    .unwrap_or_else(|| b.steps.iter().filter_map(|s| s.duration_ms).sum())
            })
            .sum();
        let script = phase(Phase::Script);
        let docker_build_ms = docker_build_ms.min(script);
        let restores = a
            .cache_ops
            .iter()
            .filter(|o| o.direction == CacheDirection::Restore);
        let archives = a
            .cache_ops
            .iter()
            .filter(|o| o.direction == CacheDirection::Archive);
        let downloads = a
            .artifact_ops
            .iter()
            .filter(|o| o.direction == ArtifactDirection::Download);
        let uploads = a
            .artifact_ops
            .iter()
            .filter(|o| o.direction == ArtifactDirection::Upload);
        JobMetrics {
            phases: PhaseDurations {
                prepare_ms: phase(Phase::Prepare),
                sources_ms: phase(Phase::Sources),
                cache_restore_ms: phase(Phase::CacheRestore),
                artifact_download_ms: phase(Phase::ArtifactDownload),
                script_ms: script - docker_build_ms,
                docker_build_ms,
                cache_archive_ms: phase(Phase::CacheArchive),
                artifact_upload_ms: phase(Phase::ArtifactUpload),
                cleanup_ms: phase(Phase::Cleanup),
                other_ms: phase(Phase::Other) + phase(Phase::Queue),
            },
            cache_restores: restores.clone().count() as i64,
            cache_hits: restores
                .clone()
                .filter(|o| {
                    matches!(
                        o.outcome,
                        Some(CacheOutcome::Hit | CacheOutcome::FallbackHit)
                    )
                })
                .count() as i64,
            cache_misses: restores
                .clone()
                .filter(|o| {
                    matches!(
                        o.outcome,
                        Some(CacheOutcome::Miss | CacheOutcome::NotFound | CacheOutcome::Failed)
                    )
                })
                .count() as i64,
            cache_restore_bytes: restores.filter_map(|o| o.size_bytes).map(saturating).sum(),
            cache_archives: archives
                .clone()
                .filter(|o| o.outcome == Some(CacheOutcome::Created))
                .count() as i64,
            cache_archive_bytes: archives.filter_map(|o| o.size_bytes).map(saturating).sum(),
            artifact_downloads: downloads.clone().count() as i64,
            artifact_download_bytes: downloads.filter_map(|o| o.size_bytes).map(saturating).sum(),
            artifact_uploads: uploads.clone().count() as i64,
            artifact_upload_bytes: uploads.filter_map(|o| o.size_bytes).map(saturating).sum(),
            docker_builds: a.docker_builds.len() as i64,
            docker_steps: a
                .docker_builds
                .iter()
                .map(|b| i64::from(b.step_count))
                .sum(),
            docker_cached_steps: a
                .docker_builds
                .iter()
                .map(|b| i64::from(b.cached_steps))
                .sum(),
            docker_failed_builds: a
                .docker_builds
                .iter()
                .filter(|b| b.succeeded == Some(false))
                .count() as i64,
        }
    }
}

/// `line 12: unterminated_section: step_script`, one per warning, plus dropped counts.
fn warning_lines(a: &JobAnalysis) -> Vec<String> {
    let mut lines: Vec<String> = a
        .log
        .warnings
        .iter()
        .map(|w| format!("line {}: {}: {}", w.line, enum_key(&w.kind), w.detail))
        .collect();
    if a.log.dropped.warnings > 0 {
        lines.push(format!("{} more warnings not kept", a.log.dropped.warnings));
    }
    lines
}

/// The snake_case name serde gives an enum value (the same strings the JSON schema uses).
fn enum_key<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".to_owned(),
    }
}

fn phase_key(phase: Phase) -> String {
    enum_key(&phase)
}

fn saturating(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
