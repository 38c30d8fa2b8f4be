//! Shared test helpers: locating the shared fixtures and checking that an
//! analysis does not depend on how the log was cut into chunks.

use std::path::PathBuf;

use crate::{Analyzer, DockerBuild, JobAnalysis, analyze};

/// The fixture directory: `$STRATA_FIXTURES`, else `shared/fixtures` beside the checkout
/// (three levels up from this crate). Returns `None`
/// (after saying so) when it is missing, except under `CI=true`, where a missing
/// fixture directory is a failure.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("STRATA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/fixtures"
            ))
        });
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "fixtures not found at {}",
        dir.display()
    );
    println!("skipped: fixtures not found at {}", dir.display());
    None
}

/// Reads `relative` (e.g. `traces/x.log`) from the fixture directory.
pub fn fixture(relative: &str) -> Option<Vec<u8>> {
    let path = fixtures_dir()?.join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(error) => panic!(
            "fixture directory exists but {} cannot be read: {error}",
            path.display()
        ),
    }
}

pub fn analyze_in_chunks(bytes: &[u8], chunk_size: usize) -> JobAnalysis {
    let mut analyzer = Analyzer::new();
    for chunk in bytes.chunks(chunk_size.max(1)) {
        analyzer.feed(chunk);
    }
    analyzer.finish()
}

/// Analyses `bytes` whole and in chunks of several sizes; all must agree.
pub fn analyze_checked(bytes: &[u8]) -> JobAnalysis {
    let whole = analyze(bytes);
    let sizes: &[usize] = if bytes.len() <= 200_000 {
        &[1, 2, 3, 7, 64, 4096]
    } else {
        &[3, 4096, 65_537]
    };
    for size in sizes {
        assert_eq!(
            analyze_in_chunks(bytes, *size),
            whole,
            "chunks of {size} bytes changed the result"
        );
    }
    whole
}

/// `(name, duration_ms)` of every section, in order.
pub fn section_durations(analysis: &JobAnalysis) -> Vec<(&str, i64)> {
    analysis
        .sections
        .iter()
        .map(|section| (section.name.as_str(), section.duration_ms))
        .collect()
}

/// A Docker step as (stage, index, instruction, cached, failed, duration).
pub type StepView<'a> = (
    Option<&'a str>,
    Option<u32>,
    &'a str,
    bool,
    bool,
    Option<i64>,
);

pub fn steps(build: &DockerBuild) -> Vec<StepView<'_>> {
    build
        .steps
        .iter()
        .map(|s| {
            (
                s.stage.as_deref(),
                s.step_index,
                s.instruction.as_str(),
                s.cached,
                s.failed,
                s.duration_ms,
            )
        })
        .collect()
}
