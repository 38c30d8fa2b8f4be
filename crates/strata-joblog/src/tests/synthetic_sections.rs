//! Section and timing formats the fixtures lack: FF_TIMESTAMPS with real ESC/CR
//! bytes, collapsed and nested sections, truncation, CRLF line ends, invalid UTF-8
//! and every warning. Logs are written the way gitlab-runner writes them.

use super::support::{analyze_checked, section_durations};
use crate::{Analyzer, CacheOutcome, Phase, WarningKind, analyze};

/// Runner ≥ 18 timestamper: every entry gets a prefix; a `\r` inside an entry does not.
#[test]
fn timestamps_with_real_escape_and_carriage_return_bytes() {
    let log = concat!(
        "2026-01-21T09:47:05.094219Z 00O \x1b[0KRunning with gitlab-runner 18.7.0\x1b[0;m\n",
        "2026-01-21T09:47:05.100000Z 00O section_start:1768988825:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\x1b[0;m\n",
        "2026-01-21T09:47:06.600500Z 00O section_end:1768988826:prepare_executor\r\x1b[0Ksection_start:1768988826:restore_cache\r\x1b[0K\x1b[0K\x1b[36;1mRestoring cache\x1b[0;m\n",
        "2026-01-21T09:47:06.700000Z 01O \x1b[32;1mChecking cache for main-protected...\x1b[0;m\n",
        "2026-01-21T09:47:07.000000Z 01O Downloading cache 1.50 MB/3.00 MB (1.5 MB/s)\rDownloading cache 3.00 MB/3.00 MB (1.5 MB/s)\n",
        "2026-01-21T09:47:08.250000Z 01O \x1b[32;1mSuccessfully extracted cache\x1b[0;m\n",
        "2026-01-21T09:47:08.300000Z 00O section_end:1768988828:restore_cache\r\x1b[0K\n",
        "2026-01-21T09:47:08.300100Z 00O+section_start:1768988828:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\n",
        "2026-01-21T09:47:10.250000Z 01O \x1b[32;1m$ make\x1b[0;m\n",
        "2026-01-21T09:47:12.999999Z 00O section_end:1768988832:step_script\r\x1b[0K\n",
        "2026-01-21T09:47:13.000000Z 00O \x1b[32;1mJob succeeded\x1b[0;m\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    assert!(analysis.log.timestamped);
    // Marker seconds would say 1 s, 2 s and 4 s.
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("prepare_executor", 1500),
            ("restore_cache", 1700),
            ("step_script", 4699)
        ]
    );
    let offsets: Vec<i64> = analysis
        .sections
        .iter()
        .map(|s| s.start_offset_ms)
        .collect();
    assert_eq!(offsets, vec![6, 1506, 3206]);
    assert_eq!(analysis.log.span_ms, 7906);
    assert_eq!(analysis.log.started_at_ms, Some(1_768_988_825_094));
    let restore = &analysis.cache_ops[0];
    assert_eq!(restore.cache_key.as_deref(), Some("main-protected"));
    assert_eq!(
        (restore.outcome, restore.size_bytes, restore.duration_ms),
        (Some(CacheOutcome::Hit), Some(3_000_000), Some(1700))
    );
    assert!(
        analysis.log.warnings.is_empty(),
        "{:?}",
        analysis.log.warnings
    );
}

#[test]
fn collapsed_and_nested_sections_count_once() {
    let log = concat!(
        "section_start:1700000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m\n",
        "section_start:1700000001:script_step_0[hide_duration=true,collapsed=true]\r\x1b[0K\x1b[32;1m$ ./build.sh\x1b[0;m\n",
        "\x1b[0Ksection_start:1700000002:compile[collapsed=true]\r\x1b[0KCompiling\n",
        "cc -O2 main.c\n",
        "section_end:1700000010:compile\r\x1b[0K\n",
        "section_end:1700000011:script_step_0\r\x1b[0K\n",
        "section_end:1700000012:step_script\r\x1b[0K\n",
        "section_start:1700000012:my_report\r\x1b[0K\n",
        "section_end:1700000013:my_report\r\x1b[0K\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    let shape: Vec<_> = analysis
        .sections
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.depth,
                s.parent,
                s.collapsed,
                s.hide_duration,
                s.phase,
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("step_script", 0, None, false, false, Phase::Script),
            ("script_step_0", 1, Some(0), true, true, Phase::Other),
            ("compile", 2, Some(1), true, false, Phase::Other),
            ("my_report", 0, None, false, false, Phase::Other),
        ]
    );
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("step_script", 12_000),
            ("script_step_0", 10_000),
            ("compile", 8000),
            ("my_report", 1000)
        ]
    );
    let phases: Vec<(Phase, &str, i64)> = analysis
        .phases
        .iter()
        .map(|p| (p.phase, p.section.as_str(), p.duration_ms))
        .collect();
    assert_eq!(
        phases,
        vec![
            (Phase::Script, "step_script", 12_000),
            (Phase::Other, "my_report", 1000)
        ]
    );
    let totals: i64 = analysis.phase_totals.iter().map(|t| t.duration_ms).sum();
    assert_eq!((totals, analysis.log.span_ms), (13_000, 13_000));
}

#[test]
fn truncated_mid_section_and_mid_line() {
    let log = concat!(
        "section_start:1700000000:prepare_executor\r\x1b[0K\n",
        "section_end:1700000005:prepare_executor\r\x1b[0K\n",
        "section_start:1700000005:step_script\r\x1b[0K\n",
        "section_start:1700000007:tests[collapsed=true]\r\x1b[0K\n",
        "running tests 45% [#####     ]",
    );
    let analysis = analyze_checked(log.as_bytes());
    assert!(analysis.log.truncated);
    assert_eq!(analysis.log.lines, 5);
    assert_eq!(
        section_durations(&analysis),
        vec![
            ("prepare_executor", 5000),
            ("step_script", 2000),
            ("tests", 0)
        ]
    );
    let unterminated: Vec<&str> = analysis
        .sections
        .iter()
        .filter(|s| s.unterminated)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(unterminated, vec!["step_script", "tests"]);
    let kinds: Vec<WarningKind> = analysis.log.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        vec![
            WarningKind::UnterminatedSection,
            WarningKind::UnterminatedSection
        ]
    );

    // Cut inside a marker: the half marker cannot be read and is reported.
    let cut_marker = concat!(
        "section_start:1700000000:step_script\r\x1b[0K\n",
        "make all\n",
        "section_end:17000"
    );
    let analysis = analyze_checked(cut_marker.as_bytes());
    let kinds: Vec<WarningKind> = analysis.log.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        vec![WarningKind::UnknownMarker, WarningKind::UnterminatedSection]
    );
    assert!(analysis.log.truncated);
}

#[test]
fn warnings_for_what_cannot_be_read() {
    let long_line = "x".repeat(70_000);
    let log = format!(
        concat!(
            "section_end:1700000001:never_started\r\x1b[0K\n",
            "section_start:1700000010:a\r\x1b[0K\n",
            "section_end:1700000005:a\r\x1b[0K\n",
            "echo section_start:1700000020:fake\n",
            "$ printf 'x section_start:1700000020:fake'\n",
            "{}\n",
            "section_start:1700000020:b\r\x1b[0K\n",
            "section_start:1700000021\r\n",
            "section_count=3\n",
            "section_end:1700000030:b\r\x1b[0K\n",
        ),
        long_line
    );
    let analysis = analyze_checked(log.as_bytes());
    let warnings: Vec<(WarningKind, u64)> = analysis
        .log
        .warnings
        .iter()
        .map(|w| (w.kind, w.line))
        .collect();
    assert_eq!(
        warnings,
        vec![
            (WarningKind::EndWithoutStart, 1),
            (WarningKind::TimestampsBackwards, 3),
            (WarningKind::LineTooLong, 6),
            (WarningKind::UnknownMarker, 8),
        ]
    );
    // Markers after other text on a line are user output, not sections.
    assert_eq!(section_durations(&analysis), vec![("a", 0), ("b", 10_000)]);
    assert_eq!(analysis.log.span_ms, 29_000);
    let counted: i64 = analysis.phases.iter().map(|p| p.duration_ms).sum();
    assert_eq!(counted, 10_000);
}

#[test]
fn windows_line_endings_and_invalid_utf8() {
    let log = b"section_start:1700000000:restore_cache\r\n\
Checking cache for caf\xe9-\xff...\r\n\
Successfully extracted cache\r\n\
section_end:1700000002:restore_cache\r\n";
    let analysis = analyze_checked(log);
    assert_eq!(analysis.log.lines, 4);
    assert_eq!(section_durations(&analysis), vec![("restore_cache", 2000)]);
    assert_eq!(
        analysis.cache_ops[0].cache_key.as_deref(),
        Some("caf\u{fffd}-\u{fffd}")
    );
}

/// The examples in the module and `Analyzer` documentation.
#[test]
fn documented_usage() {
    let log = b"section_start:1700000000:restore_cache\r\x1b[0K\
Checking cache for deps-1...\nSuccessfully extracted cache\n\
section_end:1700000003:restore_cache\r\x1b[0K";
    let analysis = analyze(log);
    assert_eq!(analysis.cache_ops[0].cache_key.as_deref(), Some("deps-1"));
    assert_eq!(analysis.cache_ops[0].duration_ms, Some(3000));

    let mut analyzer = Analyzer::new();
    analyzer.feed(b"section_start:1700000000:step_script\r\x1b[0K$ make\n");
    analyzer.feed(b"section_end:1700000042:step_script\r\x1b[0K");
    let analysis = analyzer.finish();
    assert_eq!(analysis.phases[0].duration_ms, 42_000);
}
