//! What the runner prints while it moves caches and artifacts: `Checking cache for …`,
//! `Successfully extracted cache` / `Failed to extract cache`, `Creating cache …`,
//! `Not uploading cache … due to policy`, `Downloading artifacts for <job> (<id>)...`,
//! `Uploading artifacts as "archive" to coordinator... 201 Created`.

use super::{Stream, Trace, frame::digest};
use crate::scenario::{
    ProjectSpec,
    model::{ArtifactSource, ArtifactUpload, CacheArchive, CacheRestore, Job},
    noise::{hex, rng_for},
};

const CACHE_URL: &str = "https://storage.example.com/runner-cache/project";

pub(super) fn restore_cache(
    trace: &mut Trace,
    project: &ProjectSpec,
    cache: &CacheRestore,
    at: i64,
) {
    let end = at + cache.duration_us;
    trace.line_fmt(
        at,
        Stream::Out,
        format_args!("\x1b[32;1mChecking cache for {}...\x1b[0;m", cache.key),
    );
    if cache.hit {
        trace.line_fmt(
            at + cache.duration_us / 20,
            Stream::Err,
            format_args!(
                "Downloading cache from {CACHE_URL}/{}/{}\x1b[0;m  ETag\x1b[0;m=\"{}\"",
                project.id,
                cache.key,
                &digest(&cache.key, 3)[..32]
            ),
        );
        trace.line(
            end,
            Stream::Out,
            "\x1b[32;1mSuccessfully extracted cache\x1b[0;m",
        );
    } else {
        trace.line(
            at + cache.duration_us / 2,
            Stream::Out,
            "\x1b[0;33mWARNING: file does not exist                       \x1b[0;m ",
        );
        trace.line(
            end,
            Stream::Out,
            "\x1b[0;33mFailed to extract cache\x1b[0;m",
        );
    }
}

pub(super) fn archive_cache(
    trace: &mut Trace,
    project: &ProjectSpec,
    cache: &CacheArchive,
    at: i64,
) {
    if !cache.uploaded {
        trace.line_fmt(
            at,
            Stream::Out,
            format_args!(
                "\x1b[32;1mNot uploading cache {} due to policy\x1b[0;m",
                cache.key
            ),
        );
        return;
    }
    trace.line_fmt(
        at,
        Stream::Out,
        format_args!("\x1b[32;1mCreating cache {}...\x1b[0;m", cache.key),
    );
    for path in cache.paths {
        trace.line_fmt(
            at,
            Stream::Out,
            format_args!(
                "{path}: found {} matching artifact files and directories\x1b[0;m ",
                cache.files
            ),
        );
    }
    let upload_at = at + cache.duration_us * 2 / 5;
    trace.line_fmt(
        upload_at,
        Stream::Err,
        format_args!(
            "Uploading cache.zip to {CACHE_URL}/{}/{}\x1b[0;m ",
            project.id, cache.key
        ),
    );
    trace.line(
        at + cache.duration_us,
        Stream::Out,
        "\x1b[32;1mCreated cache\x1b[0;m",
    );
}

fn token(id: i64) -> String {
    hex(&mut rng_for(id as u64, &[0x70]), 4)
}

pub(super) fn download(trace: &mut Trace, source: &ArtifactSource, at: i64) {
    trace.line_fmt(
        at,
        Stream::Out,
        format_args!(
            "\x1b[32;1mDownloading artifacts for {} ({})...\x1b[0;m",
            source.job_name, source.job_id
        ),
    );
    trace.line_fmt(
        at + source.duration_us,
        Stream::Out,
        format_args!(
            "Downloading artifacts from coordinator... ok        \x1b[0;m  host\x1b[0;m=cdn.artifacts.gitlab.example.com id\x1b[0;m={} responseStatus\x1b[0;m=200 OK token\x1b[0;m=glcbt-{}",
            source.job_id,
            token(source.job_id)
        ),
    );
}

pub(super) fn upload_artifacts(
    trace: &mut Trace,
    job: &Job,
    upload: &ArtifactUpload,
    start: i64,
    end: i64,
) {
    trace.line(
        start,
        Stream::Out,
        "\x1b[32;1mUploading artifacts...\x1b[0;m",
    );
    let (kind, paths): (&str, Vec<(&str, u32)>) = match upload.junit {
        Some(file) => ("junit", vec![(file, 1)]),
        None => ("archive", upload.paths.clone()),
    };
    for (path, files) in paths {
        trace.line_fmt(
            start,
            Stream::Out,
            format_args!("{path}: found {files} matching artifact files and directories\x1b[0;m "),
        );
    }
    trace.line_fmt(
        end,
        Stream::Out,
        format_args!(
            "Uploading artifacts as \"{kind}\" to coordinator... 201 Created\x1b[0;m  id\x1b[0;m={} responseStatus\x1b[0;m=201 Created token\x1b[0;m=glcbt-{}",
            job.id,
            token(job.id)
        ),
    );
}
