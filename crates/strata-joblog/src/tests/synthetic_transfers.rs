//! Cache and artifact messages the fixtures lack: fallback keys, policy skips,
//! failed archives, upload verdicts, transfer sizes — and tokens that must never
//! reach the output. Logs are written the way gitlab-runner writes them.

use super::support::analyze_checked;
use crate::{ArtifactDirection, ArtifactOutcome, CacheDirection, CacheOutcome};

#[test]
fn fallback_key_hits_and_misses() {
    let log = concat!(
        "section_start:1700000000:restore_cache\r\x1b[0K\x1b[0K\x1b[36;1mRestoring cache\x1b[0;m\n",
        "\x1b[32;1mChecking cache for main-protected...\x1b[0;m\n",
        "\x1b[0;33mWARNING: file does not exist                       \x1b[0;m \n",
        "\x1b[0;33mFailed to extract cache\x1b[0;m\n",
        "\x1b[32;1mChecking cache for default-protected...\x1b[0;m\n",
        "Downloading cache from https://storage.example.com/project/1/default-protected\x1b[0;m  ETag\x1b[0;m=\"abc\"\n",
        "\x1b[32;1mSuccessfully extracted cache\x1b[0;m\n",
        "\x1b[32;1mChecking cache for node-modules-1...\x1b[0;m\n",
        "cache.zip is up to date\x1b[0;m \n",
        "\x1b[32;1mSuccessfully extracted cache\x1b[0;m\n",
        "\x1b[32;1mChecking cache for gems-2...\x1b[0;m\n",
        "\x1b[0;33mWARNING: file does not exist                       \x1b[0;m \n",
        "\x1b[0;33mFailed to extract cache\x1b[0;m\n",
        "\x1b[32;1mChecking cache for gems-fallback...\x1b[0;m\n",
        "\x1b[0;33mWARNING: file does not exist                       \x1b[0;m \n",
        "\x1b[0;33mFailed to extract cache\x1b[0;m\n",
        "section_end:1700000009:restore_cache\r\x1b[0K\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    let ops: Vec<_> = analysis
        .cache_ops
        .iter()
        .map(|op| {
            let fallbacks: Vec<&str> = op.fallback_keys.iter().map(String::as_str).collect();
            (
                op.cache_key.as_deref(),
                fallbacks,
                op.outcome,
                op.up_to_date,
                op.duration_ms,
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            (
                Some("main-protected"),
                vec!["default-protected"],
                Some(CacheOutcome::FallbackHit),
                false,
                Some(3000)
            ),
            (
                Some("node-modules-1"),
                vec![],
                Some(CacheOutcome::Hit),
                true,
                Some(3000)
            ),
            (
                Some("gems-2"),
                vec!["gems-fallback"],
                Some(CacheOutcome::NotFound),
                false,
                Some(3000)
            ),
        ]
    );
    assert!(
        analysis
            .cache_ops
            .iter()
            .all(|op| op.direction == CacheDirection::Restore)
    );
}

#[test]
fn cache_skipped_by_policy_created_and_failed() {
    let log = concat!(
        "section_start:1700000000:restore_cache\r\x1b[0K\n",
        "\x1b[32;1mNot downloading cache deps-1 due to policy\x1b[0;m\n",
        "section_end:1700000001:restore_cache\r\x1b[0K\n",
        "section_start:1700000001:step_script\r\x1b[0K\n",
        "echo Not uploading cache fake due to policy\n",
        "section_end:1700000002:step_script\r\x1b[0K\n",
        "section_start:1700000002:archive_cache\r\x1b[0K\n",
        "\x1b[32;1mNot uploading cache deps-1 due to policy\x1b[0;m\n",
        "\x1b[32;1mCreating cache build-1...\x1b[0;m\n",
        "dist/: found 42 matching artifact files and directories\x1b[0;m \n",
        "Archive is up to date!                             \x1b[0;m \n",
        "\x1b[32;1mCreated cache\x1b[0;m\n",
        "\x1b[32;1mCreating cache logs-1...\x1b[0;m\n",
        "\x1b[31;1mFATAL: write /cache/logs-1/cache.zip: no space left on device\x1b[0;m \n",
        "\x1b[0;33mFailed to create cache\x1b[0;m\n",
        "section_end:1700000008:archive_cache\r\x1b[0K\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    let ops: Vec<_> = analysis
        .cache_ops
        .iter()
        .map(|op| {
            (
                op.direction,
                op.cache_key.as_deref(),
                op.outcome,
                op.up_to_date,
                op.duration_ms,
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            (
                CacheDirection::Restore,
                Some("deps-1"),
                Some(CacheOutcome::SkippedPolicy),
                false,
                Some(1000)
            ),
            (
                CacheDirection::Archive,
                Some("deps-1"),
                Some(CacheOutcome::SkippedPolicy),
                false,
                Some(2000)
            ),
            (
                CacheDirection::Archive,
                Some("build-1"),
                Some(CacheOutcome::Created),
                true,
                Some(2000)
            ),
            (
                CacheDirection::Archive,
                Some("logs-1"),
                Some(CacheOutcome::Failed),
                false,
                Some(2000)
            ),
        ]
    );
}

#[test]
fn artifact_outcomes_and_tokens_never_kept() {
    let log = concat!(
        "section_start:1700000000:download_artifacts\r\x1b[0K\x1b[0K\x1b[36;1mDownloading artifacts\x1b[0;m\n",
        "\x1b[32;1mDownloading artifacts for build-job (4242)...\x1b[0;m\n",
        "Downloading artifacts from coordinator... ok        \x1b[0;m  host\x1b[0;m=gitlab.example.com id\x1b[0;m=4242 responseStatus\x1b[0;m=200 OK token\x1b[0;m=glcbt-SECRET1\n",
        "\x1b[32;1mDownloading artifacts for lint (4243)...\x1b[0;m\n",
        "\x1b[31;1mERROR: Downloading artifacts from coordinator... forbidden\x1b[0;m  host=gitlab.example.com id=4243 responseStatus=403 Forbidden status=403 Forbidden token=glcbt-SECRET2\n",
        "section_end:1700000004:download_artifacts\r\x1b[0K\n",
        "section_start:1700000010:upload_artifacts_on_success\r\x1b[0K\x1b[0K\x1b[36;1mUploading artifacts for successful job\x1b[0;m\n",
        "\x1b[32;1mUploading artifacts...\x1b[0;m\n",
        "dist/: found 12 matching artifact files and directories\x1b[0;m \n",
        "\rUploading artifacts 0.50 MB (1.0 MB/s)                \rUploading artifacts 1.25 MB (2.5 MB/s)                \n",
        "Uploading artifacts as \"archive\" to coordinator... 201 Created\x1b[0;m  id\x1b[0;m=4244 responseStatus\x1b[0;m=201 Created token\x1b[0;m=glcbt-SECRET3\n",
        "\x1b[32;1mUploading artifacts...\x1b[0;m\n",
        "\x1b[0;33mWARNING: reports/junit.xml: no matching files. Ensure that the artifact path is relative to the working directory\x1b[0;m \n",
        "\x1b[31;1mERROR: No files to upload                         \x1b[0;m \n",
        "section_end:1700000013:upload_artifacts_on_success\r\x1b[0K\n",
    );
    let analysis = analyze_checked(log.as_bytes());
    let ops: Vec<_> = analysis
        .artifact_ops
        .iter()
        .map(|op| {
            (
                op.direction,
                op.source_job_id,
                op.source_job_name.as_deref(),
                op.http_status,
                op.outcome,
                op.duration_ms,
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            (
                ArtifactDirection::Download,
                Some(4242),
                Some("build-job"),
                Some(200),
                Some(ArtifactOutcome::Ok),
                Some(2000)
            ),
            (
                ArtifactDirection::Download,
                Some(4243),
                Some("lint"),
                Some(403),
                Some(ArtifactOutcome::Failed),
                Some(2000)
            ),
            (
                ArtifactDirection::Upload,
                None,
                None,
                Some(201),
                Some(ArtifactOutcome::Ok),
                Some(1500)
            ),
            (
                ArtifactDirection::Upload,
                None,
                None,
                None,
                Some(ArtifactOutcome::NoFiles),
                Some(1500)
            ),
        ]
    );
    let upload = &analysis.artifact_ops[2];
    assert_eq!(
        (
            upload.artifact_format.as_deref(),
            upload.file_count,
            upload.size_bytes
        ),
        (Some("archive"), Some(12), Some(1_250_000))
    );
    assert_eq!(analysis.artifact_ops[3].file_count, None);
    let json = serde_json::to_string(&analysis).unwrap_or_default();
    assert!(
        !json.contains("SECRET") && !json.contains("glcbt"),
        "a token leaked into the output"
    );
}
