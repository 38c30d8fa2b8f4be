//! What a generated pipeline is made of. Scenarios fill these in; the scheduler turns drafts
//! into timed jobs; the log writer and the fake GitLab's JSON render them. Every instant is
//! UTC epoch **microseconds** (GitLab keeps microseconds and prints milliseconds), every
//! duration microseconds.

use std::borrow::Cow;

/// One second in the model's unit (microseconds).
pub const SECOND: i64 = 1_000_000;

/// What started a pipeline (`source` in the API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Push,
    MergeRequestEvent,
    Schedule,
    Web,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Push => "push",
            Source::MergeRequestEvent => "merge_request_event",
            Source::Schedule => "schedule",
            Source::Web => "web",
        }
    }
}

/// Pipeline and job statuses, as the API spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Created,
    Pending,
    Running,
    Success,
    Failed,
    Canceled,
    Skipped,
    Manual,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Canceled => "canceled",
            Status::Skipped => "skipped",
            Status::Manual => "manual",
        }
    }

    /// The inverse of [`Status::as_str`], for query filters.
    pub fn parse(text: &str) -> Option<Status> {
        [
            Status::Created,
            Status::Pending,
            Status::Running,
            Status::Success,
            Status::Failed,
            Status::Canceled,
            Status::Skipped,
            Status::Manual,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A runner a job can land on. Scenarios keep them in `static` tables.
#[derive(Debug)]
pub struct Runner {
    pub id: i64,
    pub description: &'static str,
    /// The 8-character token prefix the runner prints after its description.
    pub short_token: &'static str,
    pub system_id: &'static str,
    pub executor: &'static str,
    pub version: &'static str,
    pub revision: &'static str,
    pub is_shared: bool,
    pub ip_address: &'static str,
}

/// A runner log section (`section_start:<t>:<name>`), in the order the runner writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    ResolveSecrets,
    PrepareExecutor,
    PrepareScript,
    GetSources,
    RestoreCache,
    DownloadArtifacts,
    StepScript,
    AfterScript,
    ArchiveCache,
    UploadArtifactsOnSuccess,
    CleanupFileVariables,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::ResolveSecrets => "resolve_secrets",
            Section::PrepareExecutor => "prepare_executor",
            Section::PrepareScript => "prepare_script",
            Section::GetSources => "get_sources",
            Section::RestoreCache => "restore_cache",
            Section::DownloadArtifacts => "download_artifacts",
            Section::StepScript => "step_script",
            Section::AfterScript => "after_script",
            Section::ArchiveCache => "archive_cache",
            Section::UploadArtifactsOnSuccess => "upload_artifacts_on_success",
            Section::CleanupFileVariables => "cleanup_file_variables",
        }
    }
}

/// One timed section of a job, with what the runner prints inside it.
#[derive(Clone, Debug)]
pub struct Phase {
    pub duration_us: i64,
    pub body: PhaseBody,
}

impl Phase {
    pub fn section(&self) -> Section {
        match &self.body {
            PhaseBody::ResolveSecrets => Section::ResolveSecrets,
            PhaseBody::PrepareExecutor { .. } => Section::PrepareExecutor,
            PhaseBody::PrepareScript => Section::PrepareScript,
            PhaseBody::GetSources => Section::GetSources,
            PhaseBody::RestoreCache(_) => Section::RestoreCache,
            PhaseBody::DownloadArtifacts(_) => Section::DownloadArtifacts,
            PhaseBody::Script(_) => Section::StepScript,
            PhaseBody::AfterScript(_) => Section::AfterScript,
            PhaseBody::ArchiveCache(_) => Section::ArchiveCache,
            PhaseBody::UploadArtifacts(_) => Section::UploadArtifactsOnSuccess,
            PhaseBody::Cleanup => Section::CleanupFileVariables,
        }
    }
}

#[derive(Clone, Debug)]
pub enum PhaseBody {
    ResolveSecrets,
    /// `pull`: the image was not on the machine and had to be pulled.
    PrepareExecutor {
        pull: bool,
    },
    PrepareScript,
    GetSources,
    RestoreCache(Vec<CacheRestore>),
    DownloadArtifacts(Vec<ArtifactSource>),
    Script(Vec<Command>),
    AfterScript(Vec<Command>),
    ArchiveCache(Vec<CacheArchive>),
    UploadArtifacts(ArtifactUpload),
    Cleanup,
}

/// One `Checking cache for <key>...` in `restore_cache`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheRestore {
    /// The full key as the runner prints it, with its `-protected`/`-non_protected` suffix.
    pub key: String,
    pub hit: bool,
    /// The archive's size (what a hit downloads).
    pub bytes: u64,
    /// Filled in when the job is assembled.
    pub duration_us: i64,
}

/// One cache in `archive_cache`: created and uploaded, or skipped because of `policy: pull`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheArchive {
    pub key: String,
    pub paths: &'static [&'static str],
    pub files: u32,
    pub uploaded: bool,
    pub bytes: u64,
    /// Filled in when the job is assembled.
    pub duration_us: i64,
}

/// One `Downloading artifacts for <job> (<id>)...` in `download_artifacts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactSource {
    pub job_name: &'static str,
    /// Filled in once the pipeline is scheduled.
    pub job_id: i64,
    pub bytes: u64,
    /// Filled in when the job is assembled.
    pub duration_us: i64,
}

/// What `upload_artifacts_on_success` archives: the `archive` artifact's paths, or a
/// `junit` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactUpload {
    /// `(path, matching files and directories)` for the `archive` artifact.
    pub paths: Vec<(&'static str, u32)>,
    /// A `junit` report's file name.
    pub junit: Option<&'static str>,
    pub bytes: u64,
}

/// One script line (`$ …`) and its output.
#[derive(Clone, Debug)]
pub struct Command {
    pub line: Cow<'static, str>,
    pub duration_us: i64,
    pub output: Output,
    /// Non-zero ends the script with `ERROR: Job failed: exit code N`.
    pub exit_code: i32,
}

#[derive(Clone, Debug)]
pub enum Output {
    None,
    Static(&'static [&'static str]),
    Text(Vec<String>),
    Docker(DockerBuild),
}

/// The two builders whose output Strata reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// `docker buildx build --progress=plain`: `#N [stage i/n] …`, `#N CACHED`, `#N DONE 1.2s`.
    BuildKit,
    /// The legacy builder: `Step i/n : …`, ` ---> Using cache`, ` ---> Running in …`.
    Classic,
}

#[derive(Clone, Debug)]
pub struct DockerBuild {
    pub builder: Builder,
    pub dockerfile: &'static str,
    pub tag: String,
    /// BuildKit only: `Some(found)` when the build imports a registry cache.
    pub cache_import: Option<bool>,
    /// Time before the first step (loading the definition and context, resolving metadata).
    pub setup_us: i64,
    pub steps: Vec<DockerStep>,
    /// Time after the last step (exporting or committing the image).
    pub export_us: i64,
}

impl DockerBuild {
    pub fn total_us(&self) -> i64 {
        self.setup_us + self.export_us + self.steps.iter().map(|s| s.duration_us).sum::<i64>()
    }

    pub fn cached_steps(&self) -> usize {
        self.steps.iter().filter(|s| s.cached).count()
    }
}

#[derive(Clone, Debug)]
pub struct DockerStep {
    /// The Dockerfile stage (`builder`, `stage-1`).
    pub stage: &'static str,
    /// 1-based position within the stage, and the stage's step count.
    pub index: u8,
    pub of: u8,
    pub instruction: &'static str,
    pub cached: bool,
    pub duration_us: i64,
    pub output: &'static [&'static str],
}

/// An artifact file as the jobs API lists it (the `trace` entry is added when rendering,
/// from the log's real size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactFile {
    pub file_type: &'static str,
    pub filename: &'static str,
    pub file_format: &'static str,
    pub size: u64,
}

/// A job as a scenario describes it, before the scheduler gives it times and an id.
#[derive(Clone, Debug)]
pub struct JobDraft {
    pub name: &'static str,
    pub stage: &'static str,
    pub image: &'static str,
    pub services: &'static [&'static str],
    pub tags: &'static [&'static str],
    pub runner: &'static Runner,
    /// Time from pending to picked up by a runner.
    pub queue_us: i64,
    pub phases: Vec<Phase>,
    pub outcome: Outcome,
    pub allow_failure: bool,
    pub artifacts: Vec<ArtifactFile>,
    pub artifacts_expire_in_us: Option<i64>,
    /// A failed attempt's automatic retry (`retry: 1`), run right after it.
    pub retry: Option<Box<JobDraft>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failed {
        reason: &'static str,
    },
    /// `when: manual`: never runs, never blocks.
    Manual,
}

/// A job with its id and times, as served.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: i64,
    pub draft: JobDraft,
    pub status: Status,
    /// Superseded by a later attempt: listed only with `include_retried=true`.
    pub retried: bool,
    pub created_us: i64,
    /// When it became pending (its stage was reached).
    pub queued_us: Option<i64>,
    pub started_us: Option<i64>,
    pub finished_us: Option<i64>,
}

impl Job {
    pub fn name(&self) -> &'static str {
        self.draft.name
    }

    pub fn duration_us(&self) -> Option<i64> {
        Some(self.finished_us? - self.started_us?)
    }

    pub fn queued_duration_us(&self) -> Option<i64> {
        Some(self.started_us? - self.queued_us?)
    }

    /// The phase for `section`, if the job ran it.
    pub fn phase(&self, section: Section) -> Option<&Phase> {
        self.draft.phases.iter().find(|p| p.section() == section)
    }

    /// The Docker builds in the job's script, in order.
    pub fn docker_builds(&self) -> impl Iterator<Item = &DockerBuild> {
        self.draft.phases.iter().flat_map(|p| {
            match &p.body {
                PhaseBody::Script(cmds) => cmds.as_slice(),
                _ => &[],
            }
            .iter()
            .filter_map(|c| match &c.output {
                Output::Docker(build) => Some(build),
                _ => None,
            })
        })
    }
}

/// Who pushed or scheduled a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: &'static str,
    pub name: &'static str,
}

/// A pipeline with all its jobs, fully timed.
#[derive(Clone, Debug)]
pub struct Pipeline {
    pub id: i64,
    pub iid: i64,
    pub project_id: i64,
    pub sha: String,
    pub before_sha: String,
    pub git_ref: String,
    pub source: Source,
    pub user: User,
    pub commit_title: &'static str,
    pub created_us: i64,
    /// Every attempt, retried ones included, in id order.
    pub jobs: Vec<Job>,
}

impl Pipeline {
    /// Jobs the API lists without `include_retried`.
    pub fn latest_jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter().filter(|j| !j.retried)
    }

    pub fn started_us(&self) -> Option<i64> {
        self.jobs.iter().filter_map(|j| j.started_us).min()
    }

    /// When the last job finished, plus the few milliseconds GitLab takes to close the
    /// pipeline.
    pub fn finished_us(&self) -> Option<i64> {
        self.jobs
            .iter()
            .filter_map(|j| j.finished_us)
            .max()
            .map(|t| t + 40_000)
    }

    pub fn updated_us(&self) -> i64 {
        self.finished_us().map_or(self.created_us, |t| t + 7_000)
    }

    pub fn status(&self) -> Status {
        let failed = self
            .latest_jobs()
            .any(|j| j.status == Status::Failed && !j.draft.allow_failure);
        if failed {
            Status::Failed
        } else {
            Status::Success
        }
    }

    /// GitLab's pipeline `duration`: the seconds during which at least one job ran (the
    /// union of the jobs' running periods), not finished minus started.
    pub fn duration_s(&self) -> Option<i64> {
        let mut spans: Vec<(i64, i64)> = self
            .jobs
            .iter()
            .filter_map(|j| Some((j.started_us?, j.finished_us?)))
            .collect();
        if spans.is_empty() {
            return None;
        }
        spans.sort_unstable();
        let (mut total, mut open) = (0, spans[0]);
        for (start, end) in spans.into_iter().skip(1) {
            if start > open.1 {
                total += open.1 - open.0;
                open = (start, end);
            } else {
                open.1 = open.1.max(end);
            }
        }
        total += open.1 - open.0;
        Some((total + SECOND / 2) / SECOND)
    }

    /// Seconds from creation to the first job starting.
    pub fn queued_duration_s(&self) -> Option<i64> {
        self.started_us()
            .map(|s| (s - self.created_us + SECOND / 2) / SECOND)
    }

    pub fn job(&self, id: i64) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }
}
