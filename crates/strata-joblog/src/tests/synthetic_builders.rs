//! Other builders' outputs the fixtures lack: kaniko with its layer cache, and
//! timestamped classic and buildah builds (timed from the line timestamps).

use super::support::{analyze_checked, section_durations, steps};
use crate::Builder;

#[test]
fn kaniko_build_with_layer_cache() {
    let log = concat!(
        "section_start:1700000000:step_script\r\x1b[0K\n",
        "$ /kaniko/executor --context . --destination registry.example.com/app:1 --cache=true\n",
        "\x1b[36mINFO\x1b[0m[0000] Resolved base name golang:1.22 to builder\n",
        "INFO[0000] Using dockerignore file: /builds/app/.dockerignore\n",
        "INFO[0000] Retrieving image manifest golang:1.22\n",
        "INFO[0001] Retrieving image manifest alpine:3.19\n",
        "INFO[0002] Built cross stage deps: map[0:[/out/app]]\n",
        "INFO[0002] Executing 0 build triggers\n",
        "INFO[0002] Building stage 'golang:1.22' [idx: '0', base-idx: '-1']\n",
        "INFO[0002] Checking for cached layer registry.example.com/app/cache:1111...\n",
        "INFO[0002] Using caching version of cmd: RUN go mod download\n",
        "INFO[0002] Checking for cached layer registry.example.com/app/cache:2222...\n",
        "INFO[0003] No cached layer found for cmd RUN go build -o /out/app ./cmd/app\n",
        "INFO[0003] Unpacking rootfs as cmd COPY go.mod go.sum ./ requires it.\n",
        "INFO[0010] WORKDIR /src\n",
        "INFO[0010] Cmd: workdir\n",
        "INFO[0010] Changed working directory to /src\n",
        "INFO[0010] COPY go.mod go.sum ./\n",
        "INFO[0010] RUN go mod download\n",
        "INFO[0010] Found cached layer, extracting to filesystem\n",
        "INFO[0014] COPY . .\n",
        "INFO[0015] RUN go build -o /out/app ./cmd/app\n",
        "INFO[0015] Cmd: /bin/sh\n",
        "INFO[0015] Args: [-c go build -o /out/app ./cmd/app]\n",
        "INFO[0015] Running: [/bin/sh -c go build -o /out/app ./cmd/app]\n",
        "INFO[0041] Taking snapshot of full filesystem...\n",
        "INFO[0043] Pushing layer registry.example.com/app/cache:2222 to cache now\n",
        "INFO[0044] Retrieving image manifest alpine:3.19\n",
        "INFO[0044] Executing 0 build triggers\n",
        "INFO[0044] Building stage 'alpine:3.19' [idx: '1', base-idx: '-1']\n",
        "INFO[0044] Unpacking rootfs as cmd COPY --from=builder /out/app /app requires it.\n",
        "INFO[0046] COPY --from=builder /out/app /app\n",
        "INFO[0046] ENTRYPOINT [\"/app\"]\n",
        "INFO[0046] Pushing image to registry.example.com/app:1\n",
        "INFO[0049] Pushed registry.example.com/app@sha256:0123abcd\n",
        "section_end:1700000050:step_script\r\x1b[0K\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    assert_eq!(analysis.docker_builds.len(), 1);
    let build = &analysis.docker_builds[0];
    assert_eq!(build.builder, Builder::Kaniko);
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (7, 1, 2)
    );
    assert_eq!(
        (build.succeeded, build.duration_ms),
        (Some(true), Some(49_000))
    );
    assert_eq!(
        steps(build),
        vec![
            (
                Some("builder"),
                Some(1),
                "WORKDIR /src",
                false,
                false,
                Some(0)
            ),
            (
                Some("builder"),
                Some(2),
                "COPY go.mod go.sum ./",
                false,
                false,
                Some(0)
            ),
            (
                Some("builder"),
                Some(3),
                "RUN go mod download",
                true,
                false,
                Some(4000)
            ),
            (
                Some("builder"),
                Some(4),
                "COPY . .",
                false,
                false,
                Some(1000)
            ),
            (
                Some("builder"),
                Some(5),
                "RUN go build -o /out/app ./cmd/app",
                false,
                false,
                Some(29_000)
            ),
            (
                Some("stage-1"),
                Some(1),
                "COPY --from=builder /out/app /app",
                false,
                false,
                Some(0)
            ),
            (
                Some("stage-1"),
                Some(2),
                "ENTRYPOINT [\"/app\"]",
                false,
                false,
                Some(0)
            ),
        ]
    );
}

#[test]
fn timestamped_classic_build_times_its_steps() {
    let log = concat!(
        "2026-01-21T10:00:00.000000Z 01O Step 1/3 : FROM alpine AS base\n",
        "2026-01-21T10:00:00.500000Z 01O  ---> 3cc203321400\n",
        "2026-01-21T10:00:00.600000Z 01O Step 2/3 : RUN apk add curl\n",
        "2026-01-21T10:00:00.610000Z 01O  ---> Running in 0a1b2c3d\n",
        "2026-01-21T10:00:04.100000Z 01O  ---> 5e6f7a8b\n",
        "2026-01-21T10:00:04.200000Z 01O Step 3/3 : RUN false\n",
        "2026-01-21T10:00:04.300000Z 01O  ---> Running in 9f8e7d6c\n",
        "2026-01-21T10:00:05.000000Z 01E The command '/bin/sh -c false' returned a non-zero code: 1\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    let build = &analysis.docker_builds[0];
    assert_eq!(build.builder, Builder::Classic);
    assert_eq!(
        (build.succeeded, build.duration_ms, build.start_offset_ms),
        (Some(false), Some(5000), Some(0))
    );
    assert_eq!(
        steps(build),
        vec![
            (
                Some("base"),
                Some(1),
                "FROM alpine AS base",
                false,
                false,
                Some(600)
            ),
            (
                Some("base"),
                Some(2),
                "RUN apk add curl",
                false,
                false,
                Some(3600)
            ),
            (Some("base"), Some(3), "RUN false", false, true, Some(800)),
        ]
    );
}

#[test]
fn single_stage_buildah_failure() {
    let log = concat!(
        "section_start:1700000000:step_script\r\x1b[0K\n",
        "$ buildah bud -t app .\n",
        "STEP 1/2: FROM alpine\n",
        "STEP 2/2: RUN false\n",
        "Error: building at STEP \"RUN false\": while running runtime: exit status 1\n",
        "section_end:1700000004:step_script\r\x1b[0K\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    assert_eq!(section_durations(&analysis), vec![("step_script", 4000)]);
    let build = &analysis.docker_builds[0];
    assert_eq!(build.builder, Builder::Buildah);
    assert_eq!(
        (build.step_count, build.stage_count, build.succeeded),
        (2, 1, Some(false))
    );
    assert_eq!(
        steps(build),
        vec![
            (None, Some(1), "FROM alpine", false, false, None),
            (None, Some(2), "RUN false", false, true, None)
        ]
    );
}

/// Buildah before 1.23 printed `STEP 2: RUN …` without the step total, and numbered
/// the commit like a step.
#[test]
fn old_buildah_steps_without_totals() {
    let log = "STEP 1: FROM alpine\nSTEP 2: RUN apk add curl\n--> Using cache 0123abcd\nSTEP 3: COMMIT app\n--> 0123abcd\n";
    let analysis = analyze_checked(log.as_bytes());
    let build = &analysis.docker_builds[0];
    assert_eq!(build.builder, Builder::Buildah);
    assert_eq!(
        steps(build),
        vec![
            (None, Some(1), "FROM alpine", false, false, None),
            (None, Some(2), "RUN apk add curl", true, false, None),
        ]
    );
    assert!(build.steps.iter().all(|step| step.step_total.is_none()));
}
