//! The build outputs in fixtures/docker/. Expected counts come from reading the files
//! (`grep -c 'STEP '`, `grep -c 'Using cache'`, …) and, for buildah, from the
//! Dockerfile both logs built.

use super::support::{analyze_checked, fixture};
use crate::{Builder, DockerBuild, JobAnalysis};

fn only_build(analysis: &JobAnalysis) -> &DockerBuild {
    assert_eq!(
        analysis.docker_builds.len(),
        1,
        "{:#?}",
        analysis.docker_builds
    );
    &analysis.docker_builds[0]
}

/// Dockerfile instructions in order, continuation lines joined (the first word of each).
fn dockerfile_keywords(dockerfile: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(dockerfile);
    let mut keywords = Vec::new();
    let mut continued = false;
    for line in text.lines() {
        let trimmed = line.trim();
        let starts_instruction = !continued && !trimmed.is_empty() && !trimmed.starts_with('#');
        if starts_instruction {
            keywords.push(
                trimmed
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        continued = trimmed.ends_with('\\');
    }
    keywords
}

/// buildah 1.28.2, empty layer cache: 15 `STEP` lines (7 + 8), one `--> Using cache`
/// (the runtime stage's `WORKDIR /app` reuses the builder stage's identical layer).
#[test]
fn buildah_cold_build() {
    let Some(log) = fixture("docker/buildah-1.28.2_cold.log") else {
        return;
    };
    let Some(dockerfile) = fixture("docker/buildah-1.28.2.Dockerfile") else {
        return;
    };
    let analysis = analyze_checked(&log);
    let build = only_build(&analysis);
    assert_eq!(build.builder, Builder::Buildah);
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (15, 1, 2)
    );
    assert_eq!(build.succeeded, Some(true)); // `Successfully tagged localhost/hello-api:latest`
    assert_eq!(build.duration_ms, None); // buildah prints no times and the log has no timestamps
    let keywords: Vec<String> = build
        .steps
        .iter()
        .map(|s| {
            s.instruction
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(keywords, dockerfile_keywords(&dockerfile));
    let positions: Vec<(Option<&str>, Option<u32>, Option<u32>)> = build
        .steps
        .iter()
        .map(|s| (s.stage.as_deref(), s.step_index, s.step_total))
        .collect();
    let mut expected: Vec<(Option<&str>, Option<u32>, Option<u32>)> = (1..=7)
        .map(|i| (Some("builder"), Some(i), Some(7)))
        .collect();
    expected.extend((1..=8).map(|i| (Some("stage-1"), Some(i), Some(8))));
    assert_eq!(positions, expected);
    let cached: Vec<&str> = build
        .steps
        .iter()
        .filter(|s| s.cached)
        .map(|s| s.instruction.as_str())
        .collect();
    assert_eq!(cached, vec!["WORKDIR /app"]);
    assert_eq!(build.steps[1].instruction, "WORKDIR /app");
    assert!(
        !build.steps[1].cached,
        "the builder stage's WORKDIR ran in the cold build"
    );
    assert_eq!(
        build.steps[14].instruction,
        r#"CMD ["node", "dist/index.js"]"#
    );
}

/// Same build again with nothing changed: every step but the two `FROM`s is cached,
/// including the last `CMD` whose `--> Using cache` comes right before `[2/2] COMMIT`.
#[test]
fn buildah_warm_build() {
    let Some(log) = fixture("docker/buildah-1.28.2_warm.log") else {
        return;
    };
    let analysis = analyze_checked(&log);
    let build = only_build(&analysis);
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (15, 13, 2)
    );
    let not_cached: Vec<&str> = build
        .steps
        .iter()
        .filter(|s| !s.cached)
        .map(|s| s.instruction.as_str())
        .collect();
    assert_eq!(
        not_cached,
        vec![
            "FROM localhost/base:bookworm AS builder",
            "FROM localhost/base:bookworm"
        ]
    );
    assert_eq!(build.succeeded, Some(true));
}

/// docker-cli docs, "Build with PATH": classic builder, 3 steps, nothing cached.
#[test]
fn classic_build_without_cache() {
    let Some(log) = fixture("docker/docker-cli_build-md_build-with-path_classic.log") else {
        return;
    };
    let analysis = analyze_checked(&log);
    let build = only_build(&analysis);
    assert_eq!(build.builder, Builder::Classic);
    let steps: Vec<(&str, bool, Option<u32>, Option<u32>)> = build
        .steps
        .iter()
        .map(|s| (s.instruction.as_str(), s.cached, s.step_index, s.step_total))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("FROM busybox", false, Some(1), Some(3)),
            ("RUN ls -lh /", false, Some(2), Some(3)),
            ("CMD echo Hello world", false, Some(3), Some(3)),
        ]
    );
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (3, 0, 1)
    );
    assert_eq!(build.succeeded, Some(true)); // `Successfully built f52f38b7823e`
}

/// docker-cli docs, ".dockerignore": two classic builds, each `Step 2/2 : CMD …` followed
/// by ` ---> Using cache`.
#[test]
fn classic_builds_using_cache() {
    let Some(log) = fixture("docker/docker-cli_build-md_dockerignore_using-cache_classic.log")
    else {
        return;
    };
    let analysis = analyze_checked(&log);
    assert_eq!(analysis.docker_builds.len(), 2);
    for build in &analysis.docker_builds {
        assert_eq!(build.builder, Builder::Classic);
        assert_eq!((build.step_count, build.cached_steps), (2, 1));
        let cached: Vec<(&str, bool)> = build
            .steps
            .iter()
            .map(|s| (s.instruction.as_str(), s.cached))
            .collect();
        assert_eq!(
            cached,
            vec![("FROM busybox", false), ("CMD echo Hello world", true)]
        );
        assert_eq!(build.succeeded, Some(true));
    }
    assert_eq!(
        analysis
            .docker_builds
            .iter()
            .map(|b| b.line)
            .collect::<Vec<_>>(),
        vec![5, 15]
    );
}

/// docker-cli docs, builder.md: BuildKit TTY output `[+] Building 0.7s (6/6) FINISHED`
/// with both Dockerfile steps `CACHED`; `[internal]` and `exporting` lines are not steps.
#[test]
fn buildkit_tty_cached_build() {
    let Some(log) = fixture("docker/docker-cli_builder-md_buildkit-tty_cached.log") else {
        return;
    };
    let analysis = analyze_checked(&log);
    let build = only_build(&analysis);
    assert_eq!(build.builder, Builder::BuildkitTty);
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (2, 2, 1)
    );
    assert_eq!(build.duration_ms, Some(700));
    assert_eq!(build.succeeded, Some(true));
    let steps: Vec<(&str, Option<u32>, Option<i64>)> = build
        .steps
        .iter()
        .map(|s| (s.instruction.as_str(), s.step_index, s.duration_ms))
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                "FROM docker.io/library/alpine:3.2@sha256:e9a2035f9d0d7ce",
                Some(1),
                Some(0)
            ),
            ("RUN apk add --no-cache socat", Some(2), Some(0)),
        ]
    );
}

/// buildctl `--progress=plain`: vertices #1–#3 are internal, #4 `[1/2] FROM` DONE 10.0s,
/// #5 `[2/2] RUN echo 1` DONE 0.2s. No builder total is printed, so the build's time
/// is the sum of the DONE times: 0.0 + 6.8 + 0.0 + 10.0 + 0.2 = 17.0 s.
#[test]
fn buildkit_plain_build() {
    let Some(log) = fixture("docker/docker_archive_buildkit-v0.12.5-debug_buildctl-plain.log")
    else {
        return;
    };
    let analysis = analyze_checked(&log);
    let build = only_build(&analysis);
    assert_eq!(build.builder, Builder::Buildkit);
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (2, 0, 1)
    );
    assert_eq!(build.duration_ms, Some(17_000));
    assert_eq!(build.succeeded, Some(true));
    let steps: Vec<(&str, Option<i64>)> = build
        .steps
        .iter()
        .map(|s| (s.instruction.as_str(), s.duration_ms))
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                "FROM docker.io/library/ubuntu:latest@sha256:7c06e91f61fa88c08cc74f7e1b7c69ae24910d745357e0dfe1d2c0322aaf20f9",
                Some(10_000)
            ),
            ("RUN echo 1", Some(200)),
        ]
    );
    assert!(build.steps.iter().all(|s| s.stage.is_none() && !s.failed));
}
