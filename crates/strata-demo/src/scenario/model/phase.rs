//! What a job does between starting and finishing: its runner sections (phases) and what
//! each prints, cache and artifact transfers, script commands and Docker builds.

use std::borrow::Cow;

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
