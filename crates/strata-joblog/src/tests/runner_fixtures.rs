//! The real job logs in fixtures/traces/. Every expected value below was worked out
//! from the files themselves (grep and a few lines of Python over the raw bytes),
//! not from this parser's output; the comments say how.

use super::support::{analyze_checked, fixture, section_durations};
use crate::{ArtifactDirection, ArtifactOutcome, CacheDirection, CacheOutcome, Phase};

/// log-3: runner 11.4.0-rc1 (2018), `build_script` instead of `step_script`, no CR bytes.
/// `grep -a section_ log-3` gives the marker seconds; durations are their differences.
#[test]
fn runner_11_log_sections_and_download() {
    let Some(log) = fixture("traces/gitlab-runner_corpus_log-3.log") else {
        return;
    };
    let analysis = analyze_checked(&log);
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("prepare_script", 2000),              // 1540587289 → 1540587291
            ("get_sources", 12000),                // 1540587291 → 1540587303
            ("restore_cache", 2000),               // 1540587303 → 1540587305
            ("download_artifacts", 1000),          // 1540587305 → 1540587306
            ("build_script", 2000),                // 1540587306 → 1540587308
            ("after_script", 1000),                // 1540587308 → 1540587309
            ("archive_cache", 2000),               // 1540587309 → 1540587311
            ("upload_artifacts_on_success", 1000), // 1540587311 → 1540587312
        ]
    );
    assert!(
        analysis
            .sections
            .iter()
            .all(|s| s.depth == 0 && !s.unterminated)
    );
    let script = analysis
        .phase_totals
        .iter()
        .find(|t| t.phase == Phase::Script)
        .map(|t| (t.duration_ms, t.sections));
    assert_eq!(script, Some((3000, 2)));
    assert_eq!(analysis.log.span_ms, 23_000);
    assert_eq!(analysis.log.started_at_ms, Some(1_540_587_289_000));
    assert_eq!((analysis.log.bytes, analysis.log.lines), (1636, 32)); // 31 `\n`, last line unterminated
    assert!(
        !analysis.log.timestamped && !analysis.log.truncated && analysis.log.warnings.is_empty()
    );
    // restore_cache and archive_cache are empty in this job.
    assert!(analysis.cache_ops.is_empty());
    // `Downloading artifacts for code_quality (113296602)...` then `... ok … id=113296602 status=200`.
    assert_eq!(analysis.artifact_ops.len(), 1);
    let download = &analysis.artifact_ops[0];
    assert_eq!(download.direction, ArtifactDirection::Download);
    assert_eq!(download.source_job_id, Some(113_296_602));
    assert_eq!(download.source_job_name.as_deref(), Some("code_quality"));
    assert_eq!(
        (download.http_status, download.outcome),
        (Some(200), Some(ArtifactOutcome::Ok))
    );
    assert_eq!(download.duration_ms, Some(1000));
    assert!(analysis.docker_builds.is_empty());
}

/// log-1: runner 13.12.0-rc1, "unit test 1/8" of gitlab-runner itself; CRs became LFs.
#[test]
fn runner_13_log_cache_and_artifacts() {
    let Some(log) = fixture("traces/gitlab-runner_corpus_log-1.log") else {
        return;
    };
    let analysis = analyze_checked(&log);
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("resolve_secrets", 0),                // 1621524382 → 1621524382
            ("prepare_executor", 47_000),          // 1621524382 → 1621524429
            ("prepare_script", 27_000),            // 1621524429 → 1621524456
            ("get_sources", 54_000),               // 1621524456 → 1621524510
            ("restore_cache", 1000),               // 1621524510 → 1621524511
            ("download_artifacts", 5000),          // 1621524511 → 1621524516
            ("step_script", 172_000),              // 1621524516 → 1621524688
            ("archive_cache", 1000),               // 1621524688 → 1621524689
            ("upload_artifacts_on_success", 2000), // 1621524689 → 1621524691
            ("cleanup_file_variables", 1000),      // 1621524691 → 1621524692
        ]
    );
    assert_eq!(analysis.log.span_ms, 310_000); // 1621524692 − 1621524382
    let phase_sum: i64 = analysis.phase_totals.iter().map(|t| t.duration_ms).sum();
    assert_eq!(phase_sum, 310_000);
    let prepare = analysis
        .phase_totals
        .iter()
        .find(|t| t.phase == Phase::Prepare)
        .map(|t| t.duration_ms);
    assert_eq!(prepare, Some(74_000));
    assert!(analysis.log.warnings.is_empty());

    // Lines 34–36: `Checking cache for unit test 1/8-v13-12-0-2...`, `FATAL: file does not
    // exist`, `Failed to extract cache`; lines 2575–2578: `Creating cache …` … `Created cache`.
    // The many cache messages the runner's own tests print inside step_script are not ops.
    assert_eq!(analysis.cache_ops.len(), 2);
    let restore = &analysis.cache_ops[0];
    assert_eq!(restore.direction, CacheDirection::Restore);
    assert_eq!(
        restore.cache_key.as_deref(),
        Some("unit test 1/8-v13-12-0-2")
    );
    assert_eq!(restore.outcome, Some(CacheOutcome::NotFound));
    assert_eq!(restore.duration_ms, Some(1000));
    let archive = &analysis.cache_ops[1];
    assert_eq!(archive.direction, CacheDirection::Archive);
    assert_eq!(
        archive.cache_key.as_deref(),
        Some("unit test 1/8-v13-12-0-2")
    );
    assert_eq!(
        (archive.outcome, archive.duration_ms),
        (Some(CacheOutcome::Created), Some(1000))
    );

    // Lines 40–45: three downloads sharing the 5 s section; line 2582–2585: one upload of
    // `.cover/*: found 15 …` + `.testoutput/*: found 15 …` files, `status=201`.
    let downloads: Vec<_> = analysis
        .artifact_ops
        .iter()
        .filter(|op| op.direction == ArtifactDirection::Download)
        .map(|op| {
            (
                op.source_job_id,
                op.source_job_name.as_deref(),
                op.http_status,
                op.duration_ms,
            )
        })
        .collect();
    assert_eq!(
        downloads,
        vec![
            (
                Some(1_280_281_190),
                Some("helper images"),
                Some(200),
                Some(1667)
            ),
            (
                Some(1_280_281_192),
                Some("clone test repo"),
                Some(200),
                Some(1667)
            ),
            (
                Some(1_280_281_194),
                Some("tests definitions"),
                Some(200),
                Some(1666)
            ),
        ]
    );
    let uploads: Vec<_> = analysis
        .artifact_ops
        .iter()
        .filter(|op| op.direction == ArtifactDirection::Upload)
        .collect();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].artifact_format.as_deref(), Some("archive"));
    assert_eq!(
        (uploads[0].file_count, uploads[0].http_status),
        (Some(30), Some(201))
    );
    assert_eq!(
        (uploads[0].outcome, uploads[0].duration_ms),
        (Some(ArtifactOutcome::Ok), Some(2000))
    );
    // `--- PASS`, `=== RUN` and friends are not Docker output.
    assert!(analysis.docker_builds.is_empty());
}

/// log-5: runner 13.12.0-rc1, OpenWrt SDK build, 2.8 MB with its real CR bytes: the
/// markers sit behind `\r` on shared lines (`section_end:…:prepare_script\r\e[0Ksection_start:…`).
#[test]
fn runner_log_with_real_carriage_returns() {
    let Some(log) = fixture("traces/gitlab-runner_corpus_log-5.log") else {
        return;
    };
    let analysis = analyze_checked(&log);
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("resolve_secrets", 0),        // 1624482342 → 1624482342
            ("prepare_executor", 43_000),  // 1624482342 → 1624482385
            ("prepare_script", 3000),      // 1624482385 → 1624482388
            ("get_sources", 1000),         // 1624482388 → 1624482389
            ("step_script", 800_000),      // 1624482389 → 1624483189
            ("cleanup_file_variables", 0), // 1624483189 → 1624483189
        ]
    );
    assert_eq!(analysis.log.span_ms, 847_000);
    assert_eq!(
        (analysis.log.bytes, analysis.log.lines),
        (2_835_835, 11_977)
    );
    assert!(analysis.log.warnings.is_empty());
    assert!(
        analysis.cache_ops.is_empty()
            && analysis.artifact_ops.is_empty()
            && analysis.docker_builds.is_empty()
    );
}

/// gitlab-exporter's test trace: FF_TIMESTAMPS (runner 18.7) with ESC and CR removed by its
/// author. Durations come from the line timestamps (ms, truncated), not the marker seconds:
/// e.g. restore_cache starts at 09:47:31.725612 and ends at 09:47:58.161233 → 26 436 ms,
/// where the markers (1768988851 → 1768988878) say 27 s.
#[test]
fn timestamped_log_uses_sub_second_times() {
    let Some(log) = fixture("traces/gitlab-exporter_job_logs_test_timestamped_esc-stripped.log")
    else {
        return;
    };
    let analysis = analyze_checked(&log);
    assert!(analysis.log.timestamped);
    assert_eq!(analysis.log.started_at_ms, Some(1_768_988_825_094)); // 2026-01-21T09:47:05.094219Z
    assert_eq!(analysis.log.span_ms, 120_693); // … to 09:49:05.787500Z
    assert_eq!(analysis.log.lines, 54);
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("prepare_executor", 21_489),
            ("prepare_script", 3666),
            ("get_sources", 1476),
            ("restore_cache", 26_436),
            ("step_script", 67_076),
            ("after_script", 501),
        ]
    );
    let offsets: Vec<i64> = analysis
        .sections
        .iter()
        .map(|s| s.start_offset_ms)
        .collect();
    assert_eq!(offsets, vec![0, 21_489, 25_155, 26_631, 53_067, 120_192]);
    // `Checking cache for v0-23-0-protected...[0;m` … `Successfully extracted cache`.
    assert_eq!(analysis.cache_ops.len(), 1);
    let restore = &analysis.cache_ops[0];
    assert_eq!(restore.cache_key.as_deref(), Some("v0-23-0-protected"));
    assert_eq!(
        (restore.outcome, restore.duration_ms),
        (Some(CacheOutcome::Hit), Some(26_436))
    );
    assert!(analysis.log.warnings.is_empty());
}
