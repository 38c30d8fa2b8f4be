//! Property tests: whatever the bytes and however they are chunked, the analyser
//! does not panic, gives the same answer, and keeps its invariants.

use proptest::prelude::*;

use super::support::analyze_in_chunks;
use crate::{Analyzer, JobAnalysis, analyze};

/// Feeds `bytes` split at the given (sorted, deduplicated) positions.
fn analyze_split(bytes: &[u8], cuts: &[usize]) -> JobAnalysis {
    let mut positions: Vec<usize> = cuts.iter().map(|cut| cut % (bytes.len() + 1)).collect();
    positions.sort_unstable();
    positions.dedup();
    let mut analyzer = Analyzer::new();
    let mut start = 0;
    for position in positions {
        analyzer.feed(&bytes[start..position]);
        start = position;
    }
    analyzer.feed(&bytes[start..]);
    analyzer.finish()
}

fn check_invariants(analysis: &JobAnalysis) {
    let log = &analysis.log;
    assert!(log.span_ms >= 0);
    for section in &analysis.sections {
        assert!(
            section.duration_ms >= 0 && section.start_offset_ms >= 0,
            "{section:?}"
        );
        assert!(
            section.duration_ms <= log.span_ms,
            "{section:?} longer than the span {}",
            log.span_ms
        );
        if let Some(parent) = section.parent {
            assert!((parent as usize) < analysis.sections.len());
        }
    }
    let phase_sum: i64 = analysis.phases.iter().map(|p| p.duration_ms).sum();
    let total_sum: i64 = analysis.phase_totals.iter().map(|t| t.duration_ms).sum();
    assert!(analysis.phases.iter().all(|p| p.duration_ms >= 0));
    assert!(
        phase_sum <= log.span_ms,
        "phases {phase_sum} ms exceed the span {} ms",
        log.span_ms
    );
    assert!(analysis.log.dropped.sections > 0 || phase_sum == total_sum);
    assert!(total_sum <= log.span_ms);
    for op in &analysis.cache_ops {
        assert!(
            op.duration_ms
                .is_none_or(|d| (0..=log.span_ms).contains(&d)),
            "{op:?}"
        );
    }
    for op in &analysis.artifact_ops {
        assert!(
            op.duration_ms
                .is_none_or(|d| (0..=log.span_ms).contains(&d)),
            "{op:?}"
        );
    }
    for build in &analysis.docker_builds {
        assert!(build.duration_ms.is_none_or(|d| d >= 0));
        assert!(build.cached_steps <= build.step_count);
        assert!(
            build
                .steps
                .iter()
                .all(|s| s.duration_ms.is_none_or(|d| d >= 0))
        );
    }
    let json = serde_json::to_string(analysis).unwrap_or_default();
    let back: Option<JobAnalysis> = serde_json::from_str(&json).ok();
    assert_eq!(back.as_ref(), Some(analysis), "JSON round trip");
}

/// One line of a plausible job log: markers (some malformed), timestamps, runner
/// messages, builder output, escapes, long lines and raw noise.
fn log_line() -> impl Strategy<Value = Vec<u8>> {
    let names = prop::sample::select(vec![
        "prepare_executor",
        "get_sources",
        "restore_cache",
        "step_script",
        "archive_cache",
        "upload_artifacts_on_success",
        "download_artifacts",
        "user_a",
        "user_b",
    ]);
    let seconds = 1_700_000_000u64..1_700_000_100;
    prop_oneof![
        (names.clone(), seconds.clone(), any::<bool>()).prop_map(|(name, at, collapsed)| {
            let options = if collapsed { "[collapsed=true]" } else { "" };
            format!("section_start:{at}:{name}{options}\r\x1b[0K").into_bytes()
        }),
        (names, seconds).prop_map(|(name, at)| format!("\x1b[0Ksection_end:{at}:{name}\r\x1b[0K").into_bytes()),
        (0u32..60, 0u32..1_000_000, 0u8..3).prop_map(|(second, micros, stream)| {
            format!("2026-01-21T09:47:{second:02}.{micros:06}Z {stream:02}O ").into_bytes()
        }),
        prop::sample::select(vec![
            "Checking cache for key-1...", "Successfully extracted cache", "Failed to extract cache",
            "WARNING: file does not exist", "Creating cache key-1...", "Created cache", "Failed to create cache",
            "Not uploading cache key-1 due to policy", "Downloading artifacts for job (12)...",
            "Downloading artifacts from coordinator... ok  id=12 responseStatus=200 OK token=x",
            "Uploading artifacts...", "dist/: found 3 matching artifact files and directories",
            "Uploading artifacts as \"archive\" to coordinator... 201 Created id=1 responseStatus=201 Created",
            "ERROR: No files to upload", "Uploading artifacts 1.5 MB (1 MB/s)",
            "#1 [internal] load build definition", "#2 [builder 1/3] FROM x", "#2 DONE 1.5s", "#2 CACHED",
            "#3 ERROR: boom", "#0 building with \"default\" instance", "[+] Building 1.2s (2/3) FINISHED",
            " => CACHED [1/2] FROM x   0.0s", " => [2/2] RUN y   3.1s", "Step 1/2 : FROM x AS b",
            " ---> Using cache", "Successfully built abc", "[1/2] STEP 1/3: FROM x AS b", "STEP 2/3: RUN y",
            "--> Using cache abc", "[2/2] COMMIT img", "INFO[0003] Building stage 'x' [idx: '0', base-idx: '-1']",
            "INFO[0004] Using caching version of cmd: RUN y", "INFO[0005] RUN y", "INFO[0009] Pushed x",
            "section_start:", "section_end:12:", "\x1b[32;1m", "[0K[36;1m", "section_count=1",
            "eRROR: failed to solve: x",
            "PANI[0001] Building stage 'x' [idx: '0', base-idx: '-1']",
            "TABC[0001] Building stage 'x' [idx: '0', base-idx: '-1']",
            "  ---> Using cache",
            " \x1b[34m=> [1/1] X  1.0s",
            "\tSTEP 1: FROM x",
        ])
        .prop_map(|text| text.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
        (1usize..3).prop_map(|blocks| vec![b'x'; blocks * 40_000]),
    ]
}

fn structured_log() -> impl Strategy<Value = Vec<u8>> {
    let separator = prop::sample::select(vec![&b"\n"[..], b"\r\n", b"\r", b"", b"\n\n"]);
    prop::collection::vec((log_line(), separator), 0..60).prop_map(|lines| {
        let mut log = Vec::new();
        for (line, separator) in lines {
            log.extend_from_slice(&line);
            log.extend_from_slice(separator);
        }
        log
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_any_chunking(bytes in prop::collection::vec(any::<u8>(), 0..2048), cuts in prop::collection::vec(any::<usize>(), 0..8)) {
        let whole = analyze(&bytes);
        check_invariants(&whole);
        prop_assert_eq!(&analyze_split(&bytes, &cuts), &whole);
        prop_assert_eq!(&analyze_in_chunks(&bytes, 1), &whole);
    }

    #[test]
    fn structured_logs_any_chunking(log in structured_log(), cuts in prop::collection::vec(any::<usize>(), 0..8)) {
        let whole = analyze(&log);
        check_invariants(&whole);
        prop_assert_eq!(&analyze_split(&log, &cuts), &whole);
        prop_assert_eq!(&analyze_in_chunks(&log, 7), &whole);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The bulk fast path only skips work: with it off, the result is the same.
    #[test]
    fn fast_path_changes_nothing(log in structured_log()) {
        prop_assert_eq!(analyze(&log), crate::analyzer::analyze_without_fast_path(&log));
    }
}
