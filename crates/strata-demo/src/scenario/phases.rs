//! The parts every job shares (preparing the executor, fetching sources, cleaning up) and
//! the timed transfer phases (cache, artifacts), so each scenario only says what is special
//! about its jobs. Transfer times are `overhead + bytes / rate` with ±10 % symmetric noise.

use std::borrow::Cow;

use super::{
    model::{
        ArtifactFile, ArtifactSource, ArtifactUpload, CacheArchive, CacheRestore, Command,
        JobDraft, Outcome, Output, Phase, PhaseBody, Runner, SECOND,
    },
    noise::{DemoRng, around, around_s, chance, exponential, us},
};
use crate::ground_truth::QueueTruth;

/// A cache to restore, before the job is assembled.
pub fn restore(key: String, hit: bool, bytes: u64) -> CacheRestore {
    CacheRestore {
        key,
        hit,
        bytes,
        duration_us: 0,
    }
}

/// A cache to archive (`uploaded: false` prints `Not uploading cache … due to policy`).
pub fn archive(
    key: String,
    paths: &'static [&'static str],
    files: u32,
    uploaded: bool,
    bytes: u64,
) -> CacheArchive {
    CacheArchive {
        key,
        paths,
        files,
        uploaded,
        bytes,
        duration_us: 0,
    }
}

/// Artifacts to download from the latest job called `job_name` in the same pipeline.
pub fn download(job_name: &'static str, bytes: u64) -> ArtifactSource {
    ArtifactSource {
        job_name,
        job_id: 0,
        bytes,
        duration_us: 0,
    }
}

/// A transfer channel: fixed overhead per operation plus bytes at a rate.
#[derive(Clone, Copy, Debug)]
pub struct Transfer {
    pub bytes_per_second: u64,
    pub overhead_us: i64,
}

impl Transfer {
    /// The expected time to move `bytes`.
    pub fn mean_us(&self, bytes: u64) -> i64 {
        self.overhead_us + (bytes as f64 / self.bytes_per_second as f64 * SECOND as f64) as i64
    }

    /// One observed transfer of `bytes`.
    pub fn time_us(&self, rng: &mut DemoRng, bytes: u64) -> i64 {
        around(rng, self.mean_us(bytes), 0.1)
    }
}

/// Who runs a job and in what.
#[derive(Clone, Copy, Debug)]
pub struct Basics {
    pub name: &'static str,
    pub stage: &'static str,
    pub image: &'static str,
    pub services: &'static [&'static str],
    pub tags: &'static [&'static str],
    pub runner: &'static Runner,
    /// Chance the image is not on the machine and must be pulled, and the mean pull time.
    pub pull_probability: f64,
    pub pull_mean_s: f64,
}

/// What happens between fetching sources and cleaning up.
#[derive(Debug, Default)]
pub struct Body {
    pub restore: Vec<CacheRestore>,
    pub downloads: Vec<ArtifactSource>,
    pub script: Vec<Command>,
    pub archive: Vec<CacheArchive>,
    pub upload: Option<ArtifactUpload>,
    pub artifacts: Vec<ArtifactFile>,
    pub expire_in_us: Option<i64>,
}

/// The transfer rates a project's runners see.
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    pub cache: Transfer,
    pub artifacts: Transfer,
}

impl Rates {
    /// Cache at 80 MB/s and artifacts at 40 MB/s, after 0.7 s and 1.5 s of overhead.
    pub const STANDARD: Rates = Rates {
        cache: Transfer {
            bytes_per_second: 80_000_000,
            overhead_us: 700_000,
        },
        artifacts: Transfer {
            bytes_per_second: 40_000_000,
            overhead_us: 1_500_000,
        },
    };
}

/// A job that runs one command (taking `mean_s` ± 25 %) and nothing else.
pub fn one_command(
    rng: &mut DemoRng,
    basics: Basics,
    queue: QueueTruth,
    line: impl Into<Cow<'static, str>>,
    mean_s: f64,
    output: &'static [&'static str],
    outcome: Outcome,
) -> JobDraft {
    let duration = around_s(rng, mean_s, 0.25);
    let body = Body {
        script: vec![cmd(line, duration, Output::Static(output))],
        ..Body::default()
    };
    assemble(rng, basics, queue, Rates::STANDARD, body, outcome)
}

/// A whole job: prologue, `body`, cleanup. A failed job stops after its script (nothing is
/// archived or uploaded), and the failing command is the script's last.
pub fn assemble(
    rng: &mut DemoRng,
    basics: Basics,
    queue: QueueTruth,
    rates: Rates,
    body: Body,
    outcome: Outcome,
) -> JobDraft {
    let failed = matches!(outcome, Outcome::Failed { .. });
    let mut phases = prologue(rng, &basics);
    if !body.restore.is_empty() {
        let mut caches = body.restore;
        for c in &mut caches {
            c.duration_us = if c.hit {
                rates.cache.time_us(rng, c.bytes)
            } else {
                around(rng, 350_000, 0.5)
            };
        }
        phases.push(Phase {
            duration_us: caches.iter().map(|c| c.duration_us).sum(),
            body: PhaseBody::RestoreCache(caches),
        });
    }
    if !body.downloads.is_empty() {
        let mut sources = body.downloads;
        for s in &mut sources {
            s.duration_us = rates.artifacts.time_us(rng, s.bytes);
        }
        phases.push(Phase {
            duration_us: sources.iter().map(|s| s.duration_us).sum(),
            body: PhaseBody::DownloadArtifacts(sources),
        });
    }
    let mut script = body.script;
    if failed && let Some(last) = script.last_mut() {
        last.exit_code = 1;
    }
    phases.push(script_phase(rng, script));
    if !failed && !body.archive.is_empty() {
        let mut caches = body.archive;
        for c in &mut caches {
            c.duration_us = if c.uploaded {
                rates.cache.time_us(rng, c.bytes)
            } else {
                around(rng, 40_000, 0.5)
            };
        }
        phases.push(Phase {
            duration_us: caches.iter().map(|c| c.duration_us).sum(),
            body: PhaseBody::ArchiveCache(caches),
        });
    }
    if !failed && let Some(upload) = body.upload {
        phases.push(Phase {
            duration_us: rates.artifacts.time_us(rng, upload.bytes),
            body: PhaseBody::UploadArtifacts(upload),
        });
    }
    phases.push(Phase {
        duration_us: around(rng, 450_000, 0.5),
        body: PhaseBody::Cleanup,
    });
    JobDraft {
        name: basics.name,
        stage: basics.stage,
        image: basics.image,
        services: basics.services,
        tags: basics.tags,
        runner: basics.runner,
        queue_us: queue_time(rng, queue),
        phases,
        outcome,
        allow_failure: false,
        artifacts: if failed { Vec::new() } else { body.artifacts },
        artifacts_expire_in_us: body.expire_in_us,
        retry: None,
    }
}

/// A `when: manual` job: listed, never run.
pub fn manual(basics: Basics) -> JobDraft {
    JobDraft {
        name: basics.name,
        stage: basics.stage,
        image: basics.image,
        services: basics.services,
        tags: basics.tags,
        runner: basics.runner,
        queue_us: 0,
        phases: Vec::new(),
        outcome: Outcome::Manual,
        allow_failure: true,
        artifacts: Vec::new(),
        artifacts_expire_in_us: None,
        retry: None,
    }
}

/// How long a job waits for a runner, drawn from the scenario's queue truth.
pub fn queue_time(rng: &mut DemoRng, queue: QueueTruth) -> i64 {
    let mut wait = exponential(rng, us(queue.mean));
    if queue.spike_probability > 0.0 && chance(rng, queue.spike_probability) {
        wait += exponential(rng, us(queue.spike_mean));
    }
    wait
}

/// The runner appends `-protected` to cache keys on protected refs, `-non_protected`
/// elsewhere.
pub fn cache_key(base: &str, protected: bool) -> String {
    let suffix = if protected {
        "protected"
    } else {
        "non_protected"
    };
    format!("{base}-{suffix}")
}

pub fn cmd(line: impl Into<Cow<'static, str>>, duration_us: i64, output: Output) -> Command {
    Command {
        line: line.into(),
        duration_us,
        output,
        exit_code: 0,
    }
}

fn script_phase(rng: &mut DemoRng, script: Vec<Command>) -> Phase {
    let startup = around(rng, 400_000, 0.5);
    Phase {
        duration_us: startup + script.iter().map(|c| c.duration_us).sum::<i64>(),
        body: PhaseBody::Script(script),
    }
}

fn prologue(rng: &mut DemoRng, basics: &Basics) -> Vec<Phase> {
    let pull = chance(rng, basics.pull_probability);
    let mut executor_us = if pull {
        around_s(rng, basics.pull_mean_s, 0.4)
    } else {
        around_s(rng, 2.5, 0.4)
    };
    executor_us += basics.services.len() as i64 * around_s(rng, 9.0, 0.3);
    vec![
        Phase {
            duration_us: around(rng, 30_000, 0.5),
            body: PhaseBody::ResolveSecrets,
        },
        Phase {
            duration_us: executor_us,
            body: PhaseBody::PrepareExecutor { pull },
        },
        Phase {
            duration_us: around_s(rng, 2.0, 0.5),
            body: PhaseBody::PrepareScript,
        },
        Phase {
            duration_us: around_s(rng, 3.5, 0.4),
            body: PhaseBody::GetSources,
        },
    ]
}
