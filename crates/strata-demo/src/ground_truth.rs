//! What each scenario plants, stated once. The generators read their numbers from here, so
//! the data is made to match these statements (with symmetric noise that averages out), and
//! analytics tests compare what Strata recovers from the fake GitLab against them.
//!
//! Byte rates are decimal: 40 MB/s is 40,000,000 bytes per second.

use std::time::Duration;

/// How long jobs wait for a runner: an exponential wait with mean `mean`, plus, with
/// probability `spike_probability`, a spike (exponential, mean `spike_mean`) when runners are
/// saturated. The expected `queued_duration` is [`QueueTruth::expected_mean`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueTruth {
    pub mean: Duration,
    pub spike_probability: f64,
    pub spike_mean: Duration,
}

impl QueueTruth {
    pub fn expected_mean(&self) -> Duration {
        self.mean + self.spike_mean.mul_f64(self.spike_probability)
    }
}

/// The queue every scenario but the starved one sees: a few seconds, spikes of minutes.
pub const SHARED_RUNNERS_QUEUE: QueueTruth = QueueTruth {
    mean: Duration::from_secs(6),
    spike_probability: 0.03,
    spike_mean: Duration::from_secs(240),
};

/// What Strata should conclude from a scenario's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finding {
    /// A job hands its output to a later job through the cache, with a key per commit: every
    /// pipeline writes a new key that is read at most once (keys pile up), and a miss breaks
    /// the hand-over.
    CacheUsedAsTransport {
        writer_job: &'static str,
        reader_job: &'static str,
        key_prefix: &'static str,
    },
    /// Unrelated jobs archive different paths under the same cache key and overwrite each
    /// other's cache.
    CacheKeyCollision {
        key_prefix: &'static str,
        jobs: [&'static str; 2],
    },
    /// Artifact upload and download take more time than every other transfer (cache,
    /// sources, images), and grow with the output.
    ArtifactsDominateTransfer { producer_job: &'static str },
    /// The Docker layer cache serves most steps; the occasional cold build is what costs.
    DockerLayerCacheEffective { job: &'static str },
    /// Docker builds never hit the layer cache (a fresh Docker-in-Docker daemon and no
    /// `--cache-from`): every step runs every time.
    DockerLayerCacheNeverHit { job: &'static str },
    /// Jobs on these runner tags wait far longer for a runner than they run.
    QueueDominatesRunTime { tag: &'static str },
}

/// Scenario 1: the build job leaves `dist/` in a cache keyed per commit, the containerize
/// job restores it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheTransportTruth {
    pub project: &'static str,
    pub build_job: &'static str,
    /// The dependency cache (`node_modules/`), keyed by the lock file.
    pub deps_key_prefix: &'static str,
    pub deps_miss_rate: f64,
    /// A dependency-cache miss adds this much to the build job's `step_script` (a full
    /// `npm ci`).
    pub deps_miss_penalty: Duration,
    /// The transport cache (`dist/`), keyed per commit.
    pub transport_key_prefix: &'static str,
    pub transport_reader_job: &'static str,
    pub transport_miss_rate: f64,
    /// A transport-cache miss adds this much to the reader's `step_script` (it rebuilds
    /// `dist/`).
    pub transport_miss_penalty: Duration,
    /// Restoring and archiving caches moves bytes at this rate, after a fixed overhead.
    pub cache_bytes_per_second: u64,
    pub cache_overhead: Duration,
    pub queue: QueueTruth,
    pub findings: &'static [Finding],
}

pub const CACHE_TRANSPORT: CacheTransportTruth = CacheTransportTruth {
    project: "demo/cache-as-transport",
    build_job: "build",
    deps_key_prefix: "node-modules-",
    deps_miss_rate: 0.15,
    deps_miss_penalty: Duration::from_secs(95),
    transport_key_prefix: "dist-",
    transport_reader_job: "containerize",
    transport_miss_rate: 0.20,
    transport_miss_penalty: Duration::from_secs(150),
    cache_bytes_per_second: 80_000_000,
    cache_overhead: Duration::from_millis(700),
    queue: SHARED_RUNNERS_QUEUE,
    findings: &[
        Finding::CacheUsedAsTransport {
            writer_job: "build",
            reader_job: "containerize",
            key_prefix: "dist-",
        },
        Finding::CacheKeyCollision {
            key_prefix: "default",
            jobs: ["lint", "test:unit"],
        },
    ],
};

/// Scenario 2: the build output travels as job artifacts, uploaded once and downloaded by
/// every later job that needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArtifactsTruth {
    pub project: &'static str,
    pub producer_job: &'static str,
    /// Jobs that download the producer's archive, once per pipeline each.
    pub consumer_jobs: &'static [&'static str],
    /// Upload and download both move bytes at this rate, after a fixed overhead per
    /// transfer: `section time = overhead + bytes / rate` on average.
    pub transfer_bytes_per_second: u64,
    pub transfer_overhead: Duration,
    /// The producer's archive on the first day of the window, and its growth per day.
    pub archive_bytes_at_start: u64,
    pub archive_growth_per_day: u64,
    pub expire_in: Duration,
    pub queue: QueueTruth,
    pub findings: &'static [Finding],
}

impl ArtifactsTruth {
    /// The producer's archive size `days` after the window's start.
    pub fn archive_bytes(&self, days: f64) -> u64 {
        self.archive_bytes_at_start + (self.archive_growth_per_day as f64 * days.max(0.0)) as u64
    }
}

pub const ARTIFACTS: ArtifactsTruth = ArtifactsTruth {
    project: "demo/artifacts",
    producer_job: "compile",
    consumer_jobs: &["test:unit", "test:e2e", "package", "sbom"],
    transfer_bytes_per_second: 40_000_000,
    transfer_overhead: Duration::from_millis(1_500),
    archive_bytes_at_start: 80_000_000,
    archive_growth_per_day: 3_500_000,
    expire_in: Duration::from_secs(7 * 86_400),
    queue: SHARED_RUNNERS_QUEUE,
    findings: &[Finding::ArtifactsDominateTransfer {
        producer_job: "compile",
    }],
};

/// Scenario 3: one job builds a multistage Dockerfile with BuildKit and a registry layer
/// cache.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MultistageTruth {
    pub project: &'static str,
    pub job: &'static str,
    /// Builds with no usable layer cache (new runner, pruned cache): every step runs.
    pub cold_rate: f64,
    /// A cold build takes this much longer than a warm one, on average.
    pub cold_extra: Duration,
    /// Builds where the lock file changed: the dependency install step runs.
    pub deps_changed_rate: f64,
    /// The dependency install step (`RUN npm ci`) when it runs.
    pub deps_install: Duration,
    /// Steps per build, and how many of them a warm build serves from the cache.
    pub steps: u32,
    pub warm_cached_steps: u32,
    pub queue: QueueTruth,
    pub findings: &'static [Finding],
}

pub const MULTISTAGE: MultistageTruth = MultistageTruth {
    project: "demo/multistage",
    job: "docker-build",
    cold_rate: 0.08,
    cold_extra: Duration::from_secs(240),
    deps_changed_rate: 0.12,
    deps_install: Duration::from_secs(150),
    steps: 11,
    warm_cached_steps: 8,
    queue: SHARED_RUNNERS_QUEUE,
    findings: &[Finding::DockerLayerCacheEffective {
        job: "docker-build",
    }],
};

/// Scenario 4: a build image, `docker cp` of its output, a runtime image; the legacy builder
/// on a fresh Docker-in-Docker daemon without `--cache-from`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoDockerfilesTruth {
    pub project: &'static str,
    pub job: &'static str,
    /// Steps per job (both Dockerfiles), none ever served from the cache.
    pub steps: u32,
    pub cached_steps: u32,
    /// What the steps a layer cache would serve cost in every build, on average.
    pub avoidable_per_build: Duration,
    pub queue: QueueTruth,
    pub findings: &'static [Finding],
}

pub const TWO_DOCKERFILES: TwoDockerfilesTruth = TwoDockerfilesTruth {
    project: "demo/two-dockerfiles",
    job: "build-image",
    steps: 10,
    cached_steps: 0,
    avoidable_per_build: Duration::from_secs(169),
    queue: SHARED_RUNNERS_QUEUE,
    findings: &[Finding::DockerLayerCacheNeverHit { job: "build-image" }],
};

/// Scenario 5: a small project of quick checks on a scarce runner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueStarvedTruth {
    pub project: &'static str,
    pub tag: &'static str,
    pub queue: QueueTruth,
    /// Every job runs (started to finished) for less than this.
    pub max_run: Duration,
    pub findings: &'static [Finding],
}

pub const QUEUE_STARVED: QueueStarvedTruth = QueueStarvedTruth {
    project: "demo/queue-starved",
    tag: "arm64",
    queue: QueueTruth {
        mean: Duration::from_secs(360),
        spike_probability: 0.0,
        spike_mean: Duration::ZERO,
    },
    max_run: Duration::from_secs(75),
    findings: &[Finding::QueueDominatesRunTime { tag: "arm64" }],
};

/// Any scenario's truth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GroundTruth {
    CacheTransport(CacheTransportTruth),
    Artifacts(ArtifactsTruth),
    Multistage(MultistageTruth),
    TwoDockerfiles(TwoDockerfilesTruth),
    QueueStarved(QueueStarvedTruth),
}

impl GroundTruth {
    /// `path_with_namespace` of the scenario's project.
    pub fn project(&self) -> &'static str {
        match self {
            GroundTruth::CacheTransport(t) => t.project,
            GroundTruth::Artifacts(t) => t.project,
            GroundTruth::Multistage(t) => t.project,
            GroundTruth::TwoDockerfiles(t) => t.project,
            GroundTruth::QueueStarved(t) => t.project,
        }
    }

    pub fn findings(&self) -> &'static [Finding] {
        match self {
            GroundTruth::CacheTransport(t) => t.findings,
            GroundTruth::Artifacts(t) => t.findings,
            GroundTruth::Multistage(t) => t.findings,
            GroundTruth::TwoDockerfiles(t) => t.findings,
            GroundTruth::QueueStarved(t) => t.findings,
        }
    }

    pub fn queue(&self) -> QueueTruth {
        match self {
            GroundTruth::CacheTransport(t) => t.queue,
            GroundTruth::Artifacts(t) => t.queue,
            GroundTruth::Multistage(t) => t.queue,
            GroundTruth::TwoDockerfiles(t) => t.queue,
            GroundTruth::QueueStarved(t) => t.queue,
        }
    }
}
