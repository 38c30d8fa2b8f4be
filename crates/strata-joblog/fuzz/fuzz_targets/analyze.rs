//! Any bytes, split at a point chosen by the first byte: the analyser must not
//! panic, must give the one-shot result, and must keep its invariants.
//!
//! `cd crates/strata-joblog && mkdir -p fuzz/corpus && cargo +nightly fuzz run analyze fuzz/corpus fuzz/seeds -- -max_total_time=300`
//! (new inputs go to the ignored fuzz/corpus; fuzz/seeds holds the hand-written starters)
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_joblog::{Analyzer, analyze, render_text};

fuzz_target!(|data: &[u8]| {
    let whole = analyze(data);
    let split = data
        .first()
        .map_or(0, |first| usize::from(*first) * data.len() / 256);
    let (head, tail) = data.split_at(split);
    let mut analyzer = Analyzer::new();
    analyzer.feed(head);
    analyzer.feed(tail);
    assert_eq!(
        analyzer.finish(),
        whole,
        "split at {split} changed the result"
    );

    let span = whole.log.span_ms;
    assert!(span >= 0);
    let counted: i64 = whole.phases.iter().map(|phase| phase.duration_ms).sum();
    assert!(
        counted <= span,
        "phases {counted} ms exceed the span {span} ms"
    );
    assert!(
        whole
            .sections
            .iter()
            .all(|s| s.duration_ms >= 0 && s.start_offset_ms >= 0)
    );
    assert!(
        whole
            .cache_ops
            .iter()
            .all(|op| op.duration_ms.is_none_or(|d| d >= 0))
    );
    assert!(
        whole
            .artifact_ops
            .iter()
            .all(|op| op.duration_ms.is_none_or(|d| d >= 0))
    );
    assert!(
        whole
            .docker_builds
            .iter()
            .all(|b| b.cached_steps <= b.step_count)
    );
    let _ = render_text(&whole);
});
