//! What a generated pipeline is made of. Scenarios fill these in; the scheduler turns drafts
//! into timed jobs; the log writer and the fake GitLab's JSON render them. Every instant is
//! UTC epoch **microseconds** (GitLab keeps microseconds and prints milliseconds), every
//! duration microseconds.

mod phase;

pub use self::phase::*;

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
