//! BuildKit outputs the fixtures lack: plain progress with an error, TTY redraws,
//! and a runner log with a BuildKit build inside `step_script`.

use super::support::{analyze_checked, steps};
use crate::{Builder, CacheOutcome, Phase};

#[test]
fn buildkit_plain_build_with_error() {
    let log = concat!(
        "#0 building with \"default\" instance using docker driver\n\n",
        "#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 231B done\n#1 DONE 0.0s\n\n",
        "#2 [internal] load metadata for docker.io/library/node:20-alpine\n#2 DONE 1.1s\n\n",
        "#3 [internal] load .dockerignore\n#3 transferring context: 2B done\n#3 DONE 0.0s\n\n",
        "#4 [builder 1/5] FROM docker.io/library/node:20-alpine@sha256:abcd\n#4 DONE 0.0s\n\n",
        "#5 [internal] load build context\n#5 transferring context: 1.2MB 0.1s done\n#5 DONE 0.1s\n\n",
        "#6 [builder 2/5] WORKDIR /app\n#6 CACHED\n\n",
        "#7 [builder 3/5] COPY package.json package-lock.json ./\n#7 CACHED\n\n",
        "#8 [builder 4/5] RUN npm ci\n",
        "#8 0.512 npm ERR! code E401\n",
        "#8 ERROR: process \"/bin/sh -c npm ci\" did not complete successfully: exit code: 1\n",
        "------\n > [builder 4/5] RUN npm ci:\n0.512 npm ERR! code E401\n------\n",
        "Dockerfile:4\n--------------------\n   4 | >>> RUN npm ci\n--------------------\n",
        "ERROR: failed to solve: process \"/bin/sh -c npm ci\" did not complete successfully: exit code: 1\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    assert_eq!(analysis.docker_builds.len(), 1);
    let build = &analysis.docker_builds[0];
    assert_eq!(build.builder, Builder::Buildkit);
    assert_eq!(
        (build.step_count, build.cached_steps, build.stage_count),
        (4, 2, 1)
    );
    assert_eq!(
        (build.succeeded, build.duration_ms),
        (Some(false), Some(1200))
    );
    assert_eq!(
        steps(build),
        vec![
            (
                Some("builder"),
                Some(1),
                "FROM docker.io/library/node:20-alpine@sha256:abcd",
                false,
                false,
                Some(0)
            ),
            (Some("builder"), Some(2), "WORKDIR /app", true, false, None),
            (
                Some("builder"),
                Some(3),
                "COPY package.json package-lock.json ./",
                true,
                false,
                None
            ),
            (Some("builder"), Some(4), "RUN npm ci", false, true, None),
        ]
    );
}

#[test]
fn runner_sections_around_a_buildkit_build() {
    let log = concat!(
        "\x1b[0KRunning with gitlab-runner 17.5.0 (abc)\x1b[0;m\n",
        "section_start:1700000000:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\n",
        "section_end:1700000020:prepare_executor\r\x1b[0Ksection_start:1700000020:get_sources\r\x1b[0K\x1b[0K\x1b[36;1mGetting source from Git repository\x1b[0;m\n",
        "Step 1/2 : FROM not-a-build\n",
        "section_end:1700000023:get_sources\r\x1b[0Ksection_start:1700000023:restore_cache\r\x1b[0K\x1b[0K\x1b[36;1mRestoring cache\x1b[0;m\n",
        "\x1b[32;1mChecking cache for dist-abc123...\x1b[0;m\n",
        "\x1b[0;33mWARNING: file does not exist                       \x1b[0;m \n",
        "\x1b[0;33mFailed to extract cache\x1b[0;m\n",
        "section_end:1700000025:restore_cache\r\x1b[0Ksection_start:1700000025:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\n",
        "\x1b[32;1m$ docker build -t app .\x1b[0;m\n",
        "#0 building with \"default\" instance using docker driver\n\n",
        "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.1s\n\n",
        "#2 [1/3] FROM docker.io/library/alpine:3.19\n#2 CACHED\n\n",
        "#3 [2/3] RUN apk add --no-cache curl\n#3 0.311 fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\n#3 DONE 4.2s\n\n",
        "#4 [3/3] COPY . /app\n#4 DONE 0.3s\n\n",
        "#5 exporting to image\n#5 exporting layers 0.2s done\n#5 writing image sha256:0123 done\n#5 naming to docker.io/library/app done\n#5 DONE 0.3s\n",
        "\x1b[32;1m$ docker push app\x1b[0;m\n",
        "section_end:1700000100:step_script\r\x1b[0Ksection_start:1700000100:archive_cache\r\x1b[0K\x1b[0K\x1b[36;1mSaving cache for successful job\x1b[0;m\n",
        "\x1b[32;1mCreating cache dist-abc123...\x1b[0;m\n",
        "dist/: found 42 matching artifact files and directories\x1b[0;m \n",
        "Uploading cache.zip to https://storage.example.com/project/1/dist-abc123\x1b[0;m \n",
        "\x1b[32;1mCreated cache\x1b[0;m\n",
        "section_end:1700000104:archive_cache\r\x1b[0K\n",
        "\x1b[32;1mJob succeeded\x1b[0;m\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    let totals: Vec<(Phase, i64)> = analysis
        .phase_totals
        .iter()
        .map(|t| (t.phase, t.duration_ms))
        .collect();
    assert_eq!(
        totals,
        vec![
            (Phase::Prepare, 20_000),
            (Phase::Sources, 3000),
            (Phase::CacheRestore, 2000),
            (Phase::Script, 75_000),
            (Phase::CacheArchive, 4000),
        ]
    );
    let cache: Vec<(Option<&str>, Option<CacheOutcome>)> = analysis
        .cache_ops
        .iter()
        .map(|op| (op.cache_key.as_deref(), op.outcome))
        .collect();
    assert_eq!(
        cache,
        vec![
            (Some("dist-abc123"), Some(CacheOutcome::NotFound)),
            (Some("dist-abc123"), Some(CacheOutcome::Created))
        ]
    );
    // The `Step 1/2` line in get_sources is not a build: only script sections are read for builds.
    assert_eq!(analysis.docker_builds.len(), 1);
    let build = &analysis.docker_builds[0];
    assert_eq!(build.builder, Builder::Buildkit);
    assert_eq!(
        (build.step_count, build.cached_steps, build.succeeded),
        (3, 1, Some(true))
    );
    assert_eq!(build.duration_ms, Some(4900)); // 0.1 + 4.2 + 0.3 + 0.3
    let names: Vec<&str> = build.steps.iter().map(|s| s.instruction.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "FROM docker.io/library/alpine:3.19",
            "RUN apk add --no-cache curl",
            "COPY . /app"
        ]
    );
}

#[test]
fn buildkit_tty_redraws_update_steps() {
    let log = concat!(
        "[+] Building 0.5s (3/6)\n",
        " => [internal] load build definition from Dockerfile                  0.1s\n",
        " => [1/3] FROM docker.io/library/alpine                               0.3s\n",
        "\x1b[1A\x1b[0G\x1b[?25l[+] Building 2.1s (5/6)\n",
        " => [internal] load build definition from Dockerfile                  0.1s\n",
        " => CACHED [1/3] FROM docker.io/library/alpine                        0.0s\n",
        "\x1b[34m => [2/3] RUN make                                                     1.5s\x1b[0m\n",
        "[+] Building 3.4s (6/6) FINISHED\n",
        " => [internal] load build definition from Dockerfile                  0.1s\n",
        " => CACHED [1/3] FROM docker.io/library/alpine                        0.0s\n",
        " => ERROR [2/3] RUN make                                              2.8s\n",
        "------\n > [2/3] RUN make:\n------\n",
        "ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2\n",
        "[+] Building 0.2s (1/1) FINISHED\n",
        " => CACHED [1/1] FROM docker.io/library/alpine                        0.1s\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    assert_eq!(analysis.docker_builds.len(), 2);
    let failed = &analysis.docker_builds[0];
    assert_eq!(failed.builder, Builder::BuildkitTty);
    assert_eq!(
        (failed.duration_ms, failed.succeeded),
        (Some(3400), Some(false))
    );
    assert_eq!(
        steps(failed),
        vec![
            (
                None,
                Some(1),
                "FROM docker.io/library/alpine",
                true,
                false,
                Some(0)
            ),
            (None, Some(2), "RUN make", false, true, Some(2800)),
        ]
    );
    let second = &analysis.docker_builds[1];
    assert_eq!(
        (
            second.step_count,
            second.cached_steps,
            second.succeeded,
            second.duration_ms
        ),
        (1, 1, Some(true), Some(200))
    );
}
