//! Scenarios: one GitLab project per way of building Docker images in CI (DESIGN.md, "The
//! story the numbers must tell"), plus a small project whose jobs mostly wait for a runner.
//! A scenario turns a pipeline's [`Arrival`] into job drafts; [`generate_pipeline`] seeds it,
//! schedules the drafts and wires artifact downloads to the jobs that produced them. The same
//! arrival always yields the same pipeline, so pipelines are regenerated on demand instead of
//! kept.

pub mod artifacts;
pub mod cache_transport;
pub mod calendar;
pub mod model;
pub mod multistage;
pub mod noise;
pub mod people;
pub mod phases;
pub mod queue_starved;
pub mod schedule;
pub mod two_dockerfiles;

use std::collections::HashMap;

use self::{
    calendar::Arrival,
    model::{JobDraft, PhaseBody, Pipeline, SECOND, Source},
    noise::{DemoRng, hex, pick, rng_for},
};
use crate::ground_truth::GroundTruth;

/// A scenario's GitLab project.
#[derive(Debug)]
pub struct ProjectSpec {
    pub id: i64,
    /// `path_with_namespace`.
    pub path: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Its runners prefix every log line with a timestamp (`FF_TIMESTAMPS`).
    pub ff_timestamps: bool,
    /// Its share of the configured pipeline count (1.0 = the full count).
    pub weight: f64,
    /// It has a nightly pipeline schedule on `main`.
    pub nightly: bool,
    /// Keeps its pipeline and job ids apart from other projects' (GitLab ids are global).
    pub id_slot: i64,
}

impl ProjectSpec {
    pub fn web_url(&self) -> String {
        format!("{WEB_HOST}/{}", self.path)
    }
}

/// Where the fake's projects claim to live (`web_url`s).
pub const WEB_HOST: &str = "https://gitlab.example.com";

/// Everything a scenario may base a pipeline's jobs on.
pub struct PipelineContext<'a> {
    pub rng: DemoRng,
    pub arrival: &'a Arrival,
    pub sha: &'a str,
    /// The ref is `main`, a protected branch (cache keys get `-protected`).
    pub protected: bool,
    /// Days from the start of the demo window to this pipeline (for growing outputs).
    pub days_since_start: f64,
}

impl PipelineContext<'_> {
    /// Deploy jobs run on `main` only, not for merge requests or feature branches.
    pub fn on_main(&self) -> bool {
        self.protected
    }

    pub fn short_sha(&self) -> &str {
        &self.sha[..8]
    }
}

pub trait Scenario: Send + Sync {
    fn project(&self) -> &'static ProjectSpec;
    fn ground_truth(&self) -> GroundTruth;
    /// The pipeline's jobs in stage order.
    fn jobs(&self, ctx: &mut PipelineContext<'_>) -> Vec<JobDraft>;
}

/// The scenarios by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScenarioKind {
    CacheAsTransport,
    Artifacts,
    Multistage,
    TwoDockerfiles,
    QueueStarved,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 5] = [
        ScenarioKind::CacheAsTransport,
        ScenarioKind::Artifacts,
        ScenarioKind::Multistage,
        ScenarioKind::TwoDockerfiles,
        ScenarioKind::QueueStarved,
    ];

    pub fn scenario(self) -> &'static dyn Scenario {
        match self {
            ScenarioKind::CacheAsTransport => &cache_transport::CacheAsTransport,
            ScenarioKind::Artifacts => &artifacts::Artifacts,
            ScenarioKind::Multistage => &multistage::Multistage,
            ScenarioKind::TwoDockerfiles => &two_dockerfiles::TwoDockerfiles,
            ScenarioKind::QueueStarved => &queue_starved::QueueStarved,
        }
    }
}

/// The ids a pipeline gets when it is first created; regenerating it with the same ids
/// gives the same pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelineIds {
    pub id: i64,
    pub iid: i64,
    pub first_job_id: i64,
}

/// The whole pipeline for `arrival`.
pub fn generate_pipeline(
    scenario: &dyn Scenario,
    window_start_us: i64,
    arrival: &Arrival,
    ids: PipelineIds,
) -> Pipeline {
    let project = scenario.project();
    let mut rng = rng_for(arrival.seed, &[0x5A]);
    let sha = hex(&mut rng, 20);
    let before_sha = hex(&mut rng, 20);
    let user = match (arrival.source, arrival.branch) {
        (Source::Schedule, _) => people::SCHEDULER,
        (_, Some(branch)) => people::USERS[(branch % people::USERS.len() as u64) as usize],
        (_, None) => *pick(&mut rng, &people::USERS),
    };
    let commit_title = *pick(&mut rng, people::COMMIT_TITLES);
    let mut ctx = PipelineContext {
        rng: rng_for(arrival.seed, &[0x7A]),
        arrival,
        sha: &sha,
        protected: arrival.git_ref == "main",
        days_since_start: (arrival.created_us - window_start_us) as f64
            / (86_400.0 * SECOND as f64),
    };
    let drafts = scenario.jobs(&mut ctx);
    let mut jobs = schedule::schedule(arrival.created_us, ids.first_job_id, drafts, &mut rng);
    link_artifact_downloads(&mut jobs);
    Pipeline {
        id: ids.id,
        iid: ids.iid,
        project_id: project.id,
        sha,
        before_sha,
        git_ref: arrival.git_ref.clone(),
        source: arrival.source,
        user,
        commit_title,
        created_us: arrival.created_us,
        jobs,
    }
}

/// Scenarios name the job whose artifacts they download; the id is known only once the
/// pipeline is scheduled (a retried producer's artifacts come from its last attempt).
fn link_artifact_downloads(jobs: &mut [model::Job]) {
    let latest: HashMap<&'static str, i64> = jobs
        .iter()
        .filter(|j| !j.retried)
        .map(|j| (j.name(), j.id))
        .collect();
    for job in jobs.iter_mut() {
        for phase in &mut job.draft.phases {
            if let PhaseBody::DownloadArtifacts(sources) = &mut phase.body {
                for source in sources {
                    source.job_id = latest.get(source.job_name).copied().unwrap_or_default();
                }
            }
        }
    }
}
