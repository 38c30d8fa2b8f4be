//! The runner's frame around a job: the header, one section per phase with the lines the
//! runner prints in it, and the verdict. Lines inside a phase are spread over its time.

use super::{Stream, Trace, docker, transfers};
use crate::scenario::{
    ProjectSpec,
    model::{Command, Job, Output, Phase, PhaseBody, Pipeline, SECOND, Status},
    noise::{hex, mix, rng_for},
};

pub(super) fn write_job(trace: &mut Trace, project: &ProjectSpec, pipeline: &Pipeline, job: &Job) {
    let (Some(started), Some(finished)) = (job.started_us, job.finished_us) else {
        return;
    };
    let runner = job.draft.runner;
    trace.line_fmt(
        started,
        Stream::Runner,
        format_args!(
            "\x1b[0KRunning with gitlab-runner {} ({})\x1b[0;m",
            runner.version, runner.revision
        ),
    );
    trace.line_fmt(
        started,
        Stream::Runner,
        format_args!(
            "\x1b[0K  on {} {}, system ID: {}\x1b[0;m",
            runner.description, runner.short_token, runner.system_id
        ),
    );
    if project.ff_timestamps {
        trace.line(
            started,
            Stream::Runner,
            "\x1b[0K  feature flags: FF_TIMESTAMPS:true\x1b[0;m",
        );
    }
    let mut at = started;
    for phase in &job.draft.phases {
        let name = phase.section().name();
        trace.section_start(at, name, header(phase, job));
        write_phase(trace, project, pipeline, job, phase, at);
        at += phase.duration_us;
        trace.section_end(at, name);
    }
    debug_assert_eq!(at, finished, "phases must fill the job's duration");
    if job.status == Status::Failed {
        let code = script_exit_code(job);
        trace.line_fmt(
            finished,
            Stream::Runner,
            format_args!("\x1b[31;1mERROR: Job failed: exit code {code}\x1b[0;m"),
        );
    } else {
        trace.line(finished, Stream::Runner, "\x1b[32;1mJob succeeded\x1b[0;m");
    }
}

fn header(phase: &Phase, job: &Job) -> &'static str {
    match &phase.body {
        PhaseBody::ResolveSecrets => "Resolving secrets",
        PhaseBody::PrepareExecutor { .. } => match job.draft.runner.executor {
            "docker" => "Preparing the \"docker\" executor",
            _ => "Preparing the \"docker-autoscaler\" executor",
        },
        PhaseBody::PrepareScript => "Preparing environment",
        PhaseBody::GetSources => "Getting source from Git repository",
        PhaseBody::RestoreCache(_) => "Restoring cache",
        PhaseBody::DownloadArtifacts(_) => "Downloading artifacts",
        PhaseBody::Script(_) => "Executing \"step_script\" stage of the job script",
        PhaseBody::AfterScript(_) => "Running after_script",
        PhaseBody::ArchiveCache(_) => "Saving cache for successful job",
        PhaseBody::UploadArtifacts(_) => "Uploading artifacts for successful job",
        PhaseBody::Cleanup => "Cleaning up project directory and file based variables",
    }
}

fn script_exit_code(job: &Job) -> i32 {
    job.draft
        .phases
        .iter()
        .filter_map(|p| match &p.body {
            PhaseBody::Script(cmds) => cmds.iter().map(|c| c.exit_code).find(|&c| c != 0),
            _ => None,
        })
        .next()
        .unwrap_or(1)
}

fn write_phase(
    trace: &mut Trace,
    project: &ProjectSpec,
    pipeline: &Pipeline,
    job: &Job,
    phase: &Phase,
    start: i64,
) {
    let end = start + phase.duration_us;
    match &phase.body {
        PhaseBody::ResolveSecrets | PhaseBody::Cleanup => {}
        PhaseBody::PrepareExecutor { pull } => executor(trace, job, *pull, start, end),
        PhaseBody::PrepareScript => trace.line_fmt(
            start + phase.duration_us * 9 / 10,
            Stream::Out,
            format_args!(
                "Running on runner-{}-project-{}-concurrent-0 via {}...",
                job.draft.runner.short_token.to_ascii_lowercase(),
                project.id,
                job.draft.runner.description
            ),
        ),
        PhaseBody::GetSources => sources(trace, project, pipeline, start, phase.duration_us),
        PhaseBody::RestoreCache(caches) => {
            let mut at = start;
            for cache in caches {
                transfers::restore_cache(trace, project, cache, at);
                at += cache.duration_us;
            }
        }
        PhaseBody::DownloadArtifacts(sources) => {
            let mut at = start;
            for source in sources {
                transfers::download(trace, source, at);
                at += source.duration_us;
            }
        }
        PhaseBody::Script(cmds) | PhaseBody::AfterScript(cmds) => {
            script(trace, job, cmds, start, end)
        }
        PhaseBody::ArchiveCache(caches) => {
            let mut at = start;
            for cache in caches {
                transfers::archive_cache(trace, project, cache, at);
                at += cache.duration_us;
            }
        }
        PhaseBody::UploadArtifacts(upload) => {
            transfers::upload_artifacts(trace, job, upload, start, end)
        }
    }
}

pub(super) fn digest(text: &str, salt: u64) -> String {
    let seed = text.bytes().fold(salt, |h, b| mix(h, &[u64::from(b)]));
    hex(&mut rng_for(seed, &[]), 32)
}

fn executor(trace: &mut Trace, job: &Job, pull: bool, start: i64, end: i64) {
    let image = job.draft.image;
    trace.line_fmt(
        start,
        Stream::Runner,
        format_args!("\x1b[0KUsing Docker executor with image {image} ...\x1b[0;m"),
    );
    let services = job.draft.services;
    let step = (end - start) / (services.len() as i64 + 2);
    let mut at = start;
    for service in services {
        trace.line_fmt(
            at,
            Stream::Runner,
            format_args!("\x1b[0KStarting service {service} ...\x1b[0;m"),
        );
        trace.line_fmt(
            at,
            Stream::Runner,
            format_args!("\x1b[0KPulling docker image {service} ...\x1b[0;m"),
        );
        at += step;
        using_image(trace, at, service);
        trace.line(
            at,
            Stream::Runner,
            "\x1b[0KWaiting for services to be up and running (timeout 30 seconds)...\x1b[0;m",
        );
    }
    if pull {
        trace.line_fmt(
            at,
            Stream::Runner,
            format_args!("\x1b[0KPulling docker image {image} ...\x1b[0;m"),
        );
    }
    using_image(trace, end, image);
}

fn using_image(trace: &mut Trace, at: i64, image: &str) {
    let repo = image.split(':').next().unwrap_or(image);
    trace.line_fmt(
        at,
        Stream::Runner,
        format_args!(
            "\x1b[0KUsing docker image sha256:{} for {image} with digest {repo}@sha256:{} ...\x1b[0;m",
            digest(image, 1),
            digest(image, 2)
        ),
    );
}

fn sources(
    trace: &mut Trace,
    project: &ProjectSpec,
    pipeline: &Pipeline,
    start: i64,
    duration: i64,
) {
    let at = |k: i64| start + duration * k / 6;
    trace.line(
        at(0),
        Stream::Out,
        "\x1b[32;1mFetching changes with git depth set to 20...\x1b[0;m",
    );
    trace.line_fmt(
        at(1),
        Stream::Out,
        format_args!(
            "Initialized empty Git repository in /builds/{}/.git/",
            project.path
        ),
    );
    trace.line(
        at(1),
        Stream::Out,
        "\x1b[32;1mCreated fresh repository.\x1b[0;m",
    );
    trace.line_fmt(
        at(5),
        Stream::Out,
        format_args!(
            "\x1b[32;1mChecking out {} as detached HEAD (ref is {})...\x1b[0;m",
            &pipeline.sha[..8],
            pipeline.git_ref
        ),
    );
    trace.line(at(5), Stream::Out, "");
    trace.line(
        at(6),
        Stream::Out,
        "\x1b[32;1mSkipping Git submodules setup\x1b[0;m",
    );
}

fn script(trace: &mut Trace, job: &Job, cmds: &[Command], start: i64, end: i64) {
    using_image(trace, start, job.draft.image);
    let mut at = end - cmds.iter().map(|c| c.duration_us).sum::<i64>();
    for command in cmds {
        trace.line_fmt(
            at,
            Stream::Out,
            format_args!("\x1b[32;1m$ {}\x1b[0;m", command.line),
        );
        match &command.output {
            Output::None => {}
            Output::Static(lines) => spread(trace, at, command.duration_us, lines.iter().copied()),
            Output::Text(lines) => spread(
                trace,
                at,
                command.duration_us,
                lines.iter().map(String::as_str),
            ),
            Output::Docker(build) => docker::write_build(trace, build, job.id, at),
        }
        at += command.duration_us;
        if command.exit_code != 0 {
            break;
        }
    }
}

/// Output lines at even intervals over a command's run, the last one as it ends.
fn spread<'a>(
    trace: &mut Trace,
    start: i64,
    duration: i64,
    lines: impl ExactSizeIterator<Item = &'a str>,
) {
    let n = lines.len() as i64;
    for (k, line) in lines.enumerate() {
        trace.line(
            start + duration * (k as i64 + 1) / n.max(1),
            Stream::Out,
            line,
        );
    }
}

/// Seconds as the runner's and tools' logs print them.
pub(super) fn seconds(us: i64) -> f64 {
    us as f64 / SECOND as f64
}
