//! Time accounting: where job time goes, per phase, as hours per week and share.

use super::fetch::JobRow;
use crate::{
    model::{impact::PhaseTime, phase::PhaseKind},
    stats::bootstrap::median,
};

/// A job's time in `phase`, when known (queue from the API, the rest from the analysed log).
pub fn phase_ms(job: &JobRow, phase: PhaseKind) -> Option<i64> {
    let analysed = |v: Option<i64>| job.analysed.and(v);
    match phase {
        PhaseKind::Queue => job.queued_duration_ms,
        PhaseKind::Prepare => analysed(job.prepare_ms),
        PhaseKind::Sources => analysed(job.sources_ms),
        PhaseKind::CacheRestore => analysed(job.cache_restore_ms),
        PhaseKind::ArtifactDownload => analysed(job.artifact_download_ms),
        PhaseKind::Script => analysed(job.script_ms),
        PhaseKind::DockerBuild => analysed(job.docker_build_ms),
        PhaseKind::CacheArchive => analysed(job.cache_archive_ms),
        PhaseKind::ArtifactUpload => analysed(job.artifact_upload_ms),
        PhaseKind::Cleanup => analysed(job.cleanup_ms),
        PhaseKind::Other => analysed(job.other_ms),
    }
}

/// Every phase with any time, in the order jobs run through them.
pub fn phase_times(jobs: &[JobRow], weeks: f64) -> Vec<PhaseTime> {
    let mut rows: Vec<PhaseTime> = PhaseKind::ALL
        .into_iter()
        .filter_map(|phase| {
            let mut values: Vec<f64> = jobs
                .iter()
                .filter_map(|j| phase_ms(j, phase))
                .filter(|ms| *ms > 0)
                .map(|ms| ms as f64)
                .collect();
            let total_ms: f64 = values.iter().sum();
            (total_ms > 0.0).then(|| PhaseTime {
                phase,
                total_ms,
                hours_per_week: total_ms / 3_600_000.0 / weeks,
                jobs: values.len() as u64,
                median_ms: median(&mut values),
                share: 0.0,
            })
        })
        .collect();
    let all: f64 = rows.iter().map(|r| r.total_ms).sum();
    for row in &mut rows {
        row.share = row.total_ms / all;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(queue: i64, script: i64, analysed: bool) -> JobRow {
        JobRow {
            queued_duration_ms: Some(queue),
            script_ms: Some(script),
            prepare_ms: Some(0),
            analysed: analysed.then_some(1),
            ..JobRow::default()
        }
    }

    #[test]
    fn shares_and_hours_per_week_add_up_by_hand() {
        // Queue 1 + 3 + 2 s (median 2 s); script 6 + 18 s from the two analysed jobs only.
        let jobs = [
            job(1_000, 6_000, true),
            job(3_000, 18_000, true),
            job(2_000, 99_000, false),
        ];
        let rows = phase_times(&jobs, 2.0);
        assert_eq!(rows.len(), 2, "phases without time are left out");
        let (queue, script) = (&rows[0], &rows[1]);
        assert_eq!(
            (queue.phase, queue.total_ms, queue.median_ms),
            (PhaseKind::Queue, 6_000.0, Some(2_000.0))
        );
        assert_eq!(
            (script.phase, script.total_ms, script.median_ms),
            (PhaseKind::Script, 24_000.0, Some(6_000.0))
        );
        assert!((queue.share - 0.2).abs() < 1e-12 && (script.share - 0.8).abs() < 1e-12);
        assert!((script.hours_per_week - 24_000.0 / 3_600_000.0 / 2.0).abs() < 1e-12);
    }
}
