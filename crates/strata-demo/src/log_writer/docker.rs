//! `docker build` output inside a job's script, in the two formats Strata reads: BuildKit's
//! plain progress (on stderr; it times every step itself) and the legacy builder (on stdout;
//! no step times, only the order of lines).

use super::{Stream, Trace, frame::seconds};
use crate::scenario::{
    model::{Builder, DockerBuild, DockerStep},
    noise::{hex, mix, rng_for},
};

pub(super) fn write_build(trace: &mut Trace, build: &DockerBuild, job_id: i64, start: i64) {
    match build.builder {
        Builder::BuildKit => buildkit(trace, build, job_id, start),
        Builder::Classic => classic(trace, build, job_id, start),
    }
}

/// A short hex id (image, layer, container), stable for a job and a purpose.
fn short_id(job_id: i64, purpose: u64, bytes: usize) -> String {
    hex(&mut rng_for(mix(job_id as u64, &[purpose]), &[]), bytes)
}

fn base_image(instruction: &str) -> Option<&str> {
    let image = instruction.strip_prefix("FROM ")?;
    Some(image.split('@').next().unwrap_or(image))
}

/// Writes one `#N …` block: the header at `at`, `lines` (with their own offsets) and the
/// closing `#N DONE 1.2s` after `duration`.
fn block(trace: &mut Trace, n: usize, at: i64, duration: i64, header: &str, lines: &[String]) {
    trace.line_fmt(at, Stream::Err, format_args!("#{n} {header}"));
    for line in lines {
        trace.line_fmt(at + duration / 2, Stream::Err, format_args!("#{n} {line}"));
    }
    trace.line_fmt(
        at + duration,
        Stream::Err,
        format_args!("#{n} DONE {:.1}s", seconds(duration)),
    );
    trace.line(at + duration, Stream::Err, "");
}

fn buildkit(trace: &mut Trace, build: &DockerBuild, job_id: i64, start: i64) {
    trace.line(
        start,
        Stream::Err,
        "#0 building with \"default\" instance using docker driver",
    );
    trace.line(start, Stream::Err, "");
    let setup = build.setup_us;
    let mut at = start;
    let mut n = 1;
    let mut timed = |share: i64| {
        let d = setup * share / 100;
        let t = at;
        at += d;
        (t, d)
    };
    let (t, d) = timed(5);
    block(
        trace,
        n,
        t,
        d,
        &format!("[internal] load build definition from {}", build.dockerfile),
        &["transferring dockerfile: 1.02kB done".into()],
    );
    n += 1;
    let bases: Vec<&str> = build
        .steps
        .iter()
        .filter_map(|s| base_image(s.instruction))
        .collect();
    let (t, d) = timed(40);
    let each = d / bases.len().max(1) as i64;
    for (k, base) in bases.iter().enumerate() {
        let header = format!("[internal] load metadata for {base}");
        block(trace, n, t + each * k as i64, each, &header, &[]);
        n += 1;
    }
    let (t, d) = timed(5);
    block(
        trace,
        n,
        t,
        d,
        "[internal] load .dockerignore",
        &["transferring context: 2B done".into()],
    );
    n += 1;
    let (t, d) = timed(35);
    if let Some(found) = build.cache_import {
        let repo = build.tag.split(':').next().unwrap_or_default();
        let header = format!("importing cache manifest from {repo}:buildcache");
        if found {
            block(trace, n, t, d, &header, &[]);
        } else {
            trace.line_fmt(t, Stream::Err, format_args!("#{n} {header}"));
            trace.line_fmt(t + d, Stream::Err, format_args!("#{n} ERROR: failed to configure registry cache importer: {repo}:buildcache: not found"));
            trace.line(t + d, Stream::Err, "");
        }
        n += 1;
    }
    let context = start + setup - at;
    block(
        trace,
        n,
        at,
        context,
        "[internal] load build context",
        &[format!(
            "transferring context: 1.21MB {:.1}s done",
            seconds(context)
        )],
    );
    n += 1;
    let mut at = start + setup;
    for (i, step) in build.steps.iter().enumerate() {
        buildkit_step(trace, n, step, at, job_id, i as u64);
        at += step.duration_us;
        n += 1;
    }
    let export = build.export_us;
    let lines = [
        format!("exporting layers {:.1}s done", seconds(export / 4)),
        format!("writing image sha256:{} done", short_id(job_id, 0xE0, 32)),
        format!("naming to {} done", build.tag),
    ];
    block(trace, n, at, export, "exporting to image", &lines);
}

fn buildkit_step(trace: &mut Trace, n: usize, step: &DockerStep, at: i64, job_id: i64, index: u64) {
    let label = if step.stage.is_empty() {
        format!("[{}/{}]", step.index, step.of)
    } else {
        format!("[{} {}/{}]", step.stage, step.index, step.of)
    };
    trace.line_fmt(
        at,
        Stream::Err,
        format_args!("#{n} {label} {}", step.instruction),
    );
    if step.cached {
        trace.line_fmt(at, Stream::Err, format_args!("#{n} CACHED"));
        trace.line(at, Stream::Err, "");
        return;
    }
    let d = step.duration_us;
    if let Some(base) = base_image(step.instruction) {
        let layer = short_id(job_id, 0xA0 + index, 32);
        trace.line_fmt(
            at,
            Stream::Err,
            format_args!("#{n} resolve {base} 0.0s done"),
        );
        trace.line_fmt(
            at + d * 3 / 4,
            Stream::Err,
            format_args!(
                "#{n} sha256:{layer} 28.35MB / 28.35MB {:.1}s done",
                seconds(d * 3 / 4)
            ),
        );
        trace.line_fmt(
            at + d,
            Stream::Err,
            format_args!("#{n} extracting sha256:{layer} {:.1}s done", seconds(d / 4)),
        );
    } else {
        let lines = step.output;
        for (k, line) in lines.iter().enumerate() {
            let offset = d * (k as i64 + 1) / (lines.len() as i64 + 1);
            trace.line_fmt(
                at + offset,
                Stream::Err,
                format_args!("#{n} {:.3} {line}", seconds(offset)),
            );
        }
    }
    trace.line_fmt(
        at + d,
        Stream::Err,
        format_args!("#{n} DONE {:.1}s", seconds(d)),
    );
    trace.line(at + d, Stream::Err, "");
}

fn classic(trace: &mut Trace, build: &DockerBuild, job_id: i64, start: i64) {
    let salt = mix(build.steps.len() as u64, &[build.dockerfile.len() as u64]) & 0xFF;
    trace.line(
        start,
        Stream::Out,
        "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.",
    );
    trace.line(
        start,
        Stream::Out,
        "            Install the buildx component to build images with BuildKit:",
    );
    trace.line(
        start,
        Stream::Out,
        "            https://docs.docker.com/go/buildx/",
    );
    trace.line(start, Stream::Out, "");
    trace.line(
        start + build.setup_us,
        Stream::Out,
        "Sending build context to Docker daemon  45.06MB",
    );
    let mut at = start + build.setup_us;
    let mut image = String::new();
    for (i, step) in build.steps.iter().enumerate() {
        let purpose = (salt << 8) + i as u64;
        trace.line_fmt(
            at,
            Stream::Out,
            format_args!("Step {}/{} : {}", step.index, step.of, step.instruction),
        );
        let end = at + step.duration_us;
        image = short_id(job_id, purpose, 6);
        if step.cached {
            trace.line(end, Stream::Out, " ---> Using cache");
        } else if step.instruction.starts_with("FROM ") {
            spread(trace, at, step.duration_us, step.output);
        } else if step.instruction.starts_with("COPY ") || step.instruction.starts_with("ADD ") {
            // Copies make a layer without a container.
        } else {
            let container = short_id(job_id, purpose + 0x10000, 6);
            trace.line_fmt(
                at,
                Stream::Out,
                format_args!(" ---> Running in {container}"),
            );
            spread(trace, at, step.duration_us, step.output);
            trace.line_fmt(
                end,
                Stream::Out,
                format_args!(" ---> Removed intermediate container {container}"),
            );
        }
        trace.line_fmt(end, Stream::Out, format_args!(" ---> {image}"));
        at = end;
    }
    let done = start + build.total_us();
    trace.line_fmt(
        done,
        Stream::Out,
        format_args!("Successfully built {image}"),
    );
    trace.line_fmt(
        done,
        Stream::Out,
        format_args!("Successfully tagged {}", build.tag),
    );
}

fn spread(trace: &mut Trace, at: i64, duration: i64, lines: &[&str]) {
    for (k, line) in lines.iter().enumerate() {
        let offset = duration * (k as i64 + 1) / (lines.len() as i64 + 1);
        trace.line(at + offset, Stream::Out, line);
    }
}
